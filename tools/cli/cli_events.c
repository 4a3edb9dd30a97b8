/* What the CLI reads of a session: the events `shelf recommend --events` is given (a
 * JSON array of { type, item, ts?, weight? }), checked and tracked into a session,
 * and the lines of `shelf eval`'s test files (prefix<TAB>label). See cli.h. */
#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "cli.h"

static void append_name(char *buf, size_t size, size_t *used, const char *name) {
    int n = snprintf(buf + *used, size - *used, "%s%s", *used ? ", " : "", name);
    if (n > 0 && (size_t)n < size - *used) *used += (size_t)n;
}

/* The event names shelf_event_type_from_name() takes, as "a, b, ...", into buf. */
static const char *event_names(char *buf, size_t size) {
    size_t used = 0;
    buf[0] = '\0';
    for (int t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) append_name(buf, size, &used, shelf_event_type_name((shelf_event_type)t));
    for (uint32_t a = 0; shelf_event_alias(a, NULL); a++) append_name(buf, size, &used, shelf_event_alias(a, NULL));
    return buf;
}

/* A session holds 64 events: a megabyte of JSON is more than enough for them. */
#define CLI_EVENTS_MAX_BYTES (1 << 20)

/* Whether JSON text holds the escape \u0000 in a string: cJSON would end the string
 * there, and "2\u0000zz" would be looked up as "2". */
static int has_nul_escape(const char *text, size_t size) {
    for (size_t i = 0; i + 1 < size; i++) {
        if (text[i] != '\\') continue;
        if (text[i + 1] == 'u' && i + 5 < size && memcmp(text + i + 2, "0000", 4) == 0) return 1;
        i++; /* the escaped character, a backslash included */
    }
    return 0;
}

int cli_track_events(shelf_session *session, const shelf_model *model, const char *model_path, const char *text,
                     size_t size, const char *source) {
    if (size > CLI_EVENTS_MAX_BYTES) return cli_error("%s: over %d bytes", source, CLI_EVENTS_MAX_BYTES);
    if (has_nul_escape(text, size)) {
        return cli_error("%s: a string holds \\u0000, which no id may", source);
    }
    const char *end = NULL;
    cJSON *events = cJSON_ParseWithLengthOpts(text, size, &end, 0);
    while (events && end < text + size && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
    if (!events || !cJSON_IsArray(events) || end != text + size) {
        cJSON_Delete(events);
        return cli_error("%s: expected a JSON array of events like [{\"type\":\"view\",\"item\":\"123\",\"ts\":1700000000}]"
                         " and nothing after it", source);
    }
    int failed = 0;
    int index = 0;
    const cJSON *event;
    cJSON_ArrayForEach(event, events) {
        if (failed) break;
        const cJSON *type = cJSON_GetObjectItemCaseSensitive(event, "type");
        const cJSON *item = cJSON_GetObjectItemCaseSensitive(event, "item");
        const cJSON *ts = cJSON_GetObjectItemCaseSensitive(event, "ts");
        const cJSON *weight = cJSON_GetObjectItemCaseSensitive(event, "weight");
        char number[32];
        const char *id = cJSON_IsString(item) ? item->valuestring : NULL;
        if (cJSON_IsNumber(item)) {
            snprintf(number, sizeof number, "%.0f", item->valuedouble);
            id = number;
        }
        shelf_event_type event_type;
        uint32_t item_index;
        if (!cJSON_IsString(type) || shelf_event_type_from_name(type->valuestring, strlen(type->valuestring), &event_type) != SHELF_OK) {
            char names[320];
            failed = cli_error("%s: event %d: \"type\" must be one of %s", source, index, event_names(names, sizeof names));
        } else if (!id) {
            failed = cli_error("%s: event %d: \"item\" must be an item id", source, index);
        } else if (shelf_model_find_item(model, id, strlen(id), &item_index) != SHELF_OK) {
            char shown[CLI_ID_TEXT];
            failed = cli_error("%s: event %d: unknown item %s (not in %s)", source, index, cli_id_text(id, shown), model_path);
        } else if (ts && !cJSON_IsNumber(ts)) {
            failed = cli_error("%s: event %d: \"ts\" must be a number of seconds", source, index);
        } else if (weight && !cJSON_IsNumber(weight)) {
            failed = cli_error("%s: event %d: \"weight\" must be a number", source, index);
        } else {
            shelf_status status = shelf_session_track(session, event_type, item_index, ts ? ts->valuedouble : (double)index,
                                                      weight ? (float)weight->valuedouble : 1.0f);
            if (status != SHELF_OK) failed = cli_error("%s: event %d: %s", source, index, shelf_status_message(status));
        }
        index++;
    }
    cJSON_Delete(events);
    return failed;
}

char *cli_case_split(char *line, size_t length) {
    /* The whole line must be text: an embedded NUL would hide what follows it. */
    if (memchr(line, '\0', length)) return NULL;
    char *tab = strchr(line, '\t');
    if (!tab || tab == line || !tab[1] || strchr(tab + 1, '\t') || strchr(tab + 1, ' ')) return NULL;
    *tab = '\0';
    return tab + 1;
}
