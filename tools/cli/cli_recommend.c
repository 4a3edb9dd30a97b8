#include <stdio.h>
#include <stdlib.h>
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
#define EVENTS_MAX_BYTES (1 << 20)

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

static const char usage[] =
    "usage: shelf recommend --model MODEL --events JSON [--k K] [options]\n"
    "\n"
    "JSON is an array of events, oldest first (or @FILE to read it from a file):\n"
    "  [{\"type\":\"view\",\"item\":\"123\",\"ts\":1700000000}, ...]\n"
    "type: view, click, add_to_cart, purchase, search or dwell; item: the item's id;\n"
    "ts: seconds; optional \"weight\" (seconds for dwell). Prints the top K items\n"
    "with their scores and the reason for each.\n"
    "\n"
    CLI_REQUEST_HELP
    "  --exclude-seen        leave out every item of the session\n"
    "  --keep-bought         do not leave out items bought or in the cart\n";

int cli_recommend(int argc, char **argv) {
    const char *model_path = NULL, *events_text = NULL, *value;
    cli_request options;
    cli_request_init(&options);
    shelf_request *request = &options.request;
    for (int i = 1; i < argc; i++) {
        int shared = cli_request_option(&options, argc, argv, &i, usage);
        if (shared < 0) return 2;
        if (shared) continue;
        if (cli_flag(argv[i], "--help") || cli_flag(argv[i], "-h")) {
            fputs(usage, stdout);
            return 0;
        } else if ((value = cli_option(argc, argv, &i, "--model"))) model_path = value;
        else if ((value = cli_option(argc, argv, &i, "--events"))) events_text = value;
        else if (cli_flag(argv[i], "--exclude-seen")) request->flags |= SHELF_EXCLUDE_SEEN;
        else if (cli_flag(argv[i], "--keep-bought")) request->flags &= ~(SHELF_EXCLUDE_PURCHASED | SHELF_EXCLUDE_IN_CART);
        else return cli_usage_error(usage, "recommend: unknown option '%s'", argv[i]);
    }
    if (!model_path || !events_text) return cli_usage_error(usage, "recommend: give --model MODEL and --events JSON");
    if (request->k == 0 || request->k > 1000) return cli_usage_error(usage, "--k must be in 1..1000");

    void *file_text = NULL;
    const char *source = "--events";
    size_t text_size = strlen(events_text);
    if (events_text[0] == '@') {
        source = events_text + 1;
        if (cli_read_file_max(source, EVENTS_MAX_BYTES, &file_text, &text_size)) return 1;
        events_text = file_text;
    } else if (text_size > EVENTS_MAX_BYTES) {
        return cli_error("--events: over %d bytes", EVENTS_MAX_BYTES);
    }
    if (has_nul_escape(events_text, text_size)) {
        free(file_text);
        return cli_error("%s: a string holds \\u0000, which no id may", source);
    }
    const char *end = NULL;
    cJSON *events = cJSON_ParseWithLengthOpts(events_text, text_size, &end, 0);
    while (events && end < events_text + text_size && (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t')) end++;
    if (!events || !cJSON_IsArray(events) || end != events_text + text_size) {
        cJSON_Delete(events);
        free(file_text);
        return cli_error("%s: expected a JSON array of events like [{\"type\":\"view\",\"item\":\"123\",\"ts\":1700000000}]"
                         " and nothing after it", source);
    }
    void *bytes;
    shelf_model *model = cli_open_model(model_path, &bytes);
    shelf_session *session = NULL;
    int failed = !model || shelf_session_create(model, &session) != SHELF_OK;
    if (!failed) failed = cli_request_resolve(&options, model, model_path);

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
    shelf_result results[1000];
    size_t count = 0;
    if (!failed) {
        double t0 = cli_seconds();
        shelf_status status = shelf_recommend(session, request, results, request->k, &count);
        double elapsed = cli_seconds() - t0;
        if (status != SHELF_OK) {
            failed = cli_error("recommend failed: %s (%s)", shelf_status_message(status), shelf_status_name(status));
        } else {
            if (!options.json)
                printf("%zu recommendations for %d events in %.0f us (%u items ranked)\n", count, index, elapsed * 1e6,
                       shelf_model_item_count(model));
            cli_print_results(model, results, count, options.json);
        }
    }
    cJSON_Delete(events);
    free(file_text);
    cli_request_free(&options);
    shelf_session_free(session);
    shelf_model_close(model);
    free(bytes);
    return failed ? 1 : 0;
}
