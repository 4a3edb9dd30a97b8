/* Event logs into a dataset: every format becomes rows of (session or user key,
 * item, type, time, category, price), as its plan says (log_formats.c); the rows
 * become sessions (session_build.c) and are appended to the dataset.
 *
 * A read either appends everything or changes nothing: rows are parsed into
 * scratch arrays (interning new items and categories as it goes), and only when
 * the whole file is read are events, sessions and item attributes written. On
 * any failure the dataset is rolled back to the mark taken at the start. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"
#include "diagnostic.h"
#include "line_reader.h"
#include "log_formats.h"
#include "log_json.h"
#include "session_build.h"
#include "shelf_common.h"
#include "string_table.h"
#include "text_parse.h"

typedef struct log_read {
    shelf_dataset *dataset;
    const char *path;
    shelf_diagnostic *diagnostic;
    shelf__log_plan plan;
    int skip_bad_lines;
    uint64_t bad_lines;
    char message[512];

    /* Rows in file order, and the session (or user) key of each. */
    shelf__event *events;
    uint32_t *event_keys;
    size_t event_count, event_capacity;
    shelf__string_table keys;

    /* The category and price each item gets when the read succeeds (the last
     * non-empty value in the file); UINT32_MAX and NaN leave an item as it is. */
    uint32_t *pending_category;
    float *pending_price;
    size_t pending_capacity;

    /* Fields of the current row, pointing into the reader's line. */
    shelf__fields fields;
} log_read;

static void log_read_free(log_read *p) {
    free(p->events);
    free(p->event_keys);
    shelf__string_table_free(&p->keys);
    free(p->pending_category);
    free(p->pending_price);
    shelf__fields_free(&p->fields);
}

/* A fatal problem: the message goes to the diagnostic and the status up. */
static shelf_status fail(log_read *p, shelf_status status, uint64_t line, const char *message) {
    return shelf__fail(p->diagnostic, status, p->path, line, "%s", message);
}

static shelf_status fail_internal(log_read *p, shelf_status status, uint64_t line) {
    if (status == SHELF_E_BAD_ARGUMENT)
        return fail(p, SHELF_E_PARSE, line, "too many distinct items, categories or sessions (the limit is 2^32 - 2)");
    return fail(p, status, line, status == SHELF_E_OUT_OF_MEMORY ? "out of memory" : shelf_status_message(status));
}

/* A bad row: stop, or count it and go on. */
static shelf_status bad_line(log_read *p, uint64_t line, const char *reason) {
    if (!p->skip_bad_lines) return fail(p, SHELF_E_PARSE, line, reason);
    if (p->bad_lines++ == 0) shelf__diag_set(p->diagnostic, p->path, line, "%s", reason);
    return SHELF_OK;
}

/* ------------------------------------------------------------------ rows --- */

/* "field 5 (timestamp)", or "field 5" for a column no role uses. */
static void describe_field(const shelf__log_plan *plan, size_t index, char *out, size_t size) {
    for (int r = 0; r < SHELF__ROLE_COUNT; r++) {
        if (plan->column[r] == (int)index) {
            snprintf(out, size, "field %zu (%s)", index + 1, plan->names[r]);
            return;
        }
    }
    snprintf(out, size, "field %zu", index + 1);
}

/* The field of a role, or NULL when the plan has no such column. */
static const char *role_field(const log_read *p, int role, size_t *size) {
    int c = p->plan.column[role];
    *size = 0;
    if (c < 0) return NULL;
    *size = p->fields.size[c];
    return p->fields.text[c];
}

/* Sets the message "field N (name): <before>'<value>'<after>" (or "...: missing"
 * when the field is empty) and returns SHELF_E_PARSE. */
static shelf_status field_error(log_read *p, int role, const char *before, const char *after) {
    char where[96], value[48];
    size_t size = 0;
    const char *field = role_field(p, role, &size);
    describe_field(&p->plan, (size_t)p->plan.column[role], where, sizeof where);
    if (!field || size == 0) {
        snprintf(p->message, sizeof p->message, "%s: missing", where);
    } else {
        shelf__diag_quote(value, sizeof value, field, size);
        snprintf(p->message, sizeof p->message, "%s: %s'%s'%s", where, before, value, after);
    }
    return SHELF_E_PARSE;
}

/* A required field that must not be empty. */
static shelf_status require_field(log_read *p, int role, const char **field, size_t *size) {
    *field = role_field(p, role, size);
    if (*field && *size) return SHELF_OK;
    if (role == SHELF__ROLE_ITEM || role == SHELF__ROLE_SESSION || role == SHELF__ROLE_USER) {
        char where[96];
        describe_field(&p->plan, (size_t)p->plan.column[role], where, sizeof where);
        snprintf(p->message, sizeof p->message, "%s: empty %s id", where, shelf__log_role_name((shelf__log_role)role));
        return SHELF_E_PARSE;
    }
    return field_error(p, role, "", "");
}

static void append_name(char *list, size_t size, size_t *used, const char *name) {
    int n = snprintf(list + *used, size - *used, "%s%s", *used ? ", " : "; one of ", name);
    if (n > 0 && (size_t)n < size - *used) *used += (size_t)n;
}

/* "; one of a, b, ...": the names parse_type() accepts, for its error. */
static void accepted_types(const shelf__log_plan *plan, char *list, size_t size) {
    size_t used = 0;
    list[0] = '\0';
    if (plan->shelf_type_names) {
        for (int t = 0; t < SHELF_EVENT_TYPE_COUNT; t++)
            append_name(list, size, &used, shelf_event_type_name((shelf_event_type)t));
        for (uint32_t a = 0; shelf_event_alias(a, NULL); a++) append_name(list, size, &used, shelf_event_alias(a, NULL));
    }
    for (const shelf__type_name *n = plan->types; n->name; n++) append_name(list, size, &used, n->name);
}

static shelf_status parse_type(log_read *p, int *type) {
    size_t size = 0;
    const char *field;
    *type = SHELF_EVENT_VIEW;
    if (p->plan.column[SHELF__ROLE_TYPE] < 0) return SHELF_OK;
    SHELF__TRY(require_field(p, SHELF__ROLE_TYPE, &field, &size));
    if (p->plan.shelf_type_names) {
        shelf_event_type t;
        if (shelf_event_type_from_name(field, size, &t) == SHELF_OK) {
            *type = (int)t;
            return SHELF_OK;
        }
    }
    for (const shelf__type_name *n = p->plan.types; n->name; n++) {
        if (strcmp(n->name, field) == 0) {
            *type = n->type;
            return SHELF_OK;
        }
    }
    char what[64], accepted[320];
    snprintf(what, sizeof what, "unknown %s ", p->plan.type_noun);
    accepted_types(&p->plan, accepted, sizeof accepted);
    return field_error(p, SHELF__ROLE_TYPE, what, accepted);
}

static shelf_status parse_time(log_read *p, double *time) {
    size_t size = 0;
    const char *field;
    switch (p->plan.time) {
    case SHELF__TIME_LINE_ORDER:
        *time = (double)p->event_count;
        return SHELF_OK;
    case SHELF__TIME_NUMBER: {
        double v;
        SHELF__TRY(require_field(p, SHELF__ROLE_TIME, &field, &size));
        if (!shelf__parse_double(field, &v)) return field_error(p, SHELF__ROLE_TIME, "", " is not a number");
        *time = v * p->plan.time_scale;
        if (!isfinite(*time)) return field_error(p, SHELF__ROLE_TIME, "", " is out of range");
        return SHELF_OK;
    }
    case SHELF__TIME_ISO8601:
        SHELF__TRY(require_field(p, SHELF__ROLE_TIME, &field, &size));
        if (!shelf__parse_iso8601(field, size, time))
            return field_error(p, SHELF__ROLE_TIME, "", " is not a date and time like 2019-10-01 00:00:00 UTC");
        return SHELF_OK;
    case SHELF__TIME_DATE_PLUS_MS: {
        int64_t days, ms;
        SHELF__TRY(require_field(p, SHELF__ROLE_DATE, &field, &size));
        if (!shelf__parse_date(field, size, &days)) return field_error(p, SHELF__ROLE_DATE, "", " is not a date YYYY-MM-DD");
        SHELF__TRY(require_field(p, SHELF__ROLE_TIME, &field, &size));
        if (!shelf__parse_int64(field, &ms) || ms < 0)
            return field_error(p, SHELF__ROLE_TIME, "", " is not a whole number of milliseconds >= 0");
        *time = (double)days * 86400.0 + (double)ms / 1000.0;
        return SHELF_OK;
    }
    }
    return SHELF_E_PARSE;
}

/* Grows the pending attribute arrays to cover every item interned so far. */
static shelf_status pending_cover(log_read *p, uint32_t item) {
    if (item < p->pending_capacity) return SHELF_OK;
    size_t capacity = p->pending_capacity ? p->pending_capacity * 2 : 4096;
    while (capacity <= item) capacity *= 2;
    uint32_t *category = realloc(p->pending_category, capacity * sizeof *category);
    if (!category) return SHELF_E_OUT_OF_MEMORY;
    p->pending_category = category;
    float *price = realloc(p->pending_price, capacity * sizeof *price);
    if (!price) return SHELF_E_OUT_OF_MEMORY;
    p->pending_price = price;
    for (size_t i = p->pending_capacity; i < capacity; i++) {
        category[i] = UINT32_MAX;
        price[i] = NAN;
    }
    p->pending_capacity = capacity;
    return SHELF_OK;
}

/* One data row. SHELF_E_PARSE (p->message says why) when the row is bad; other
 * failures are fatal. Nothing is interned before the whole row is known good,
 * so a skipped row leaves no item, category or key behind. */
/* Whether rows carry categories or prices for the catalog (the JSON formats may). */
static int has_attributes(const shelf__log_plan *plan) {
    return plan->json || plan->column[SHELF__ROLE_CATEGORY] >= 0 || plan->column[SHELF__ROLE_PRICE] >= 0;
}

static shelf_status add_event(log_read *p, const char *key, size_t key_size, const char *item_id, size_t item_size,
                              int type, double time, const char *category, size_t category_size, float price);

static shelf_status parse_row(log_read *p, char *line, size_t size) {
    const shelf__log_plan *plan = &p->plan;
    p->message[0] = '\0';
    if (size == 0) {
        snprintf(p->message, sizeof p->message, "empty line");
        return SHELF_E_PARSE;
    }
    SHELF__TRY(shelf__fields_split(&p->fields, line, size, plan->delimiter, p->message, sizeof p->message));
    size_t n = p->fields.count;
    if (plan->fields_exact && n != plan->fields_exact) {
        if (n < plan->fields_exact) {
            char where[96];
            describe_field(plan, n, where, sizeof where);
            snprintf(p->message, sizeof p->message, "expected %zu fields, found %zu: %s is missing",
                     plan->fields_exact, n, where);
        } else {
            snprintf(p->message, sizeof p->message, "expected %zu fields, found %zu", plan->fields_exact, n);
        }
        return SHELF_E_PARSE;
    }
    if (n < plan->fields_min) {
        snprintf(p->message, sizeof p->message, "expected at least %zu fields, found %zu", plan->fields_min, n);
        return SHELF_E_PARSE;
    }

    int type;
    SHELF__TRY(parse_type(p, &type));
    if (type == SHELF__SKIP_ROW) return SHELF_OK;
    double time;
    SHELF__TRY(parse_time(p, &time));

    const char *item_id, *key;
    size_t item_size = 0, key_size = 0;
    SHELF__TRY(require_field(p, SHELF__ROLE_ITEM, &item_id, &item_size));
    SHELF__TRY(require_field(p, plan->split_by_gap ? SHELF__ROLE_USER : SHELF__ROLE_SESSION, &key, &key_size));

    float price = NAN;
    size_t price_size;
    const char *price_field = role_field(p, SHELF__ROLE_PRICE, &price_size);
    if (price_field && price_size) {
        double v;
        if (!shelf__parse_double(price_field, &v)) return field_error(p, SHELF__ROLE_PRICE, "", " is not a number");
        /* A model cannot store a negative price: refuse it here, where the line is known. */
        if (v < 0) return field_error(p, SHELF__ROLE_PRICE, "", " is negative");
        if (v > FLT_MAX) return field_error(p, SHELF__ROLE_PRICE, "", " is out of range");
        price = (float)v;
    }
    size_t category_size = 0;
    const char *category = role_field(p, SHELF__ROLE_CATEGORY, &category_size);
    if (!category || !category_size) category = role_field(p, SHELF__ROLE_CATEGORY_FALLBACK, &category_size);

    return add_event(p, key, key_size, item_id, item_size, type, time, category, category_size, price);
}

/* Appends one good event (interning its item, key and category). Only fatal
 * failures from here on: SHELF_E_BAD_ARGUMENT (with the message), out of memory. */
static shelf_status add_event(log_read *p, const char *key, size_t key_size, const char *item_id, size_t item_size,
                              int type, double time, const char *category, size_t category_size, float price) {
    const shelf__log_plan *plan = &p->plan;
    if (p->event_count >= UINT32_MAX - 1) {
        snprintf(p->message, sizeof p->message, "more than 2^32 - 2 events in one file");
        return SHELF_E_BAD_ARGUMENT;
    }
    if (p->event_count == p->event_capacity) {
        size_t capacity = p->event_capacity ? p->event_capacity * 2 : 65536;
        shelf__event *events = realloc(p->events, capacity * sizeof *events);
        if (!events) return SHELF_E_OUT_OF_MEMORY;
        p->events = events;
        uint32_t *keys = realloc(p->event_keys, capacity * sizeof *keys);
        if (!keys) return SHELF_E_OUT_OF_MEMORY;
        p->event_keys = keys;
        p->event_capacity = capacity;
    }
    uint32_t item, key_index;
    SHELF__TRY(shelf__dataset_intern_item(p->dataset, item_id, item_size, &item));
    SHELF__TRY(shelf__string_table_intern(&p->keys, key, key_size, &key_index, NULL));
    if (has_attributes(plan)) {
        SHELF__TRY(pending_cover(p, item));
        if (category && category_size) {
            uint32_t c;
            SHELF__TRY(shelf__dataset_intern_category(p->dataset, category, category_size, &c));
            p->pending_category[item] = c;
        }
        if (!isnan(price)) p->pending_price[item] = price;
    }
    shelf__event *e = &p->events[p->event_count];
    e->time = time;
    e->item = item;
    e->type = (uint8_t)type;
    p->event_keys[p->event_count] = key_index;
    p->event_count++;
    return SHELF_OK;
}

/* ------------------------------------------------------------- sessions --- */

/* Orders the rows into sessions and appends everything to the dataset. Fails
 * only for lack of memory, before anything visible changed. */
static shelf_status commit_rows(log_read *p) {
    shelf_dataset *d = p->dataset;
    shelf__sessions sessions;
    SHELF__TRY(shelf__sessions_from_rows(p->events, p->event_keys, p->event_count, p->keys.count,
                                         p->plan.split_by_gap, p->plan.session_gap, &sessions));
    shelf_status status = shelf__dataset_reserve(d, sessions.count, p->event_count);
    int attributes = has_attributes(&p->plan);
    if (status == SHELF_OK && attributes) status = shelf__dataset_enable_catalog(d);
    if (status != SHELF_OK) {
        shelf__sessions_free(&sessions);
        return status;
    }
    /* Nothing below can fail. */
    uint64_t e = d->event_count;
    for (size_t s = 0; s < sessions.count; s++) {
        for (uint32_t i = sessions.spans[s].begin; i < sessions.spans[s].end; i++)
            d->events[e++] = p->events[sessions.rows[i]];
        d->session_start[d->session_count + s + 1] = e;
    }
    if (attributes) {
        uint32_t items = shelf__dataset_items(d);
        size_t covered = p->pending_capacity < items ? p->pending_capacity : items;
        for (size_t i = 0; i < covered; i++) {
            if (p->pending_category[i] != UINT32_MAX) d->item_category[i] = p->pending_category[i];
            if (!isnan(p->pending_price[i])) d->item_price[i] = p->pending_price[i];
        }
    }
    d->session_count += sessions.count;
    d->event_count = e;
    shelf__sessions_free(&sessions);
    return SHELF_OK;
}

/* -------------------------------------------------------------- the reads --- */

/* What a row's status means for the read: a bad line (counted with --skip-bad-lines,
 * else the end of the read), a fatal error, or nothing. */
static shelf_status after_row(log_read *p, shelf_status s, uint64_t line) {
    if (s == SHELF_E_PARSE) return bad_line(p, line, p->message);
    if (s == SHELF_E_BAD_ARGUMENT && p->message[0]) return fail(p, SHELF_E_PARSE, line, p->message);
    if (s != SHELF_OK) return fail_internal(p, s, line);
    return SHELF_OK;
}

/* The next line the reader can give (bad ones are counted or end the read, as
 * bad_line() says), or *done at the end of the file. */
static shelf_status next_line(log_read *p, shelf__log_reader *reader, char **line, size_t *size, int *done) {
    for (;;) {
        shelf__line_result r = shelf__log_next_line(reader, line, size);
        if (r == SHELF__LINE_END) {
            *done = 1;
            return SHELF_OK;
        }
        if (r == SHELF__LINE_FAIL) return fail(p, reader->status, 0, reader->error);
        if (r != SHELF__LINE_BAD) return SHELF_OK;
        SHELF__TRY(bad_line(p, reader->line, reader->bad_reason));
    }
}

/* The file is read: its rows become sessions of the dataset. */
static shelf_status finish_rows(log_read *p) {
    shelf_status s = commit_rows(p);
    return s == SHELF_OK ? SHELF_OK : fail_internal(p, s, 0);
}

static shelf_status read_table(log_read *p, shelf__log_reader *reader, shelf_log_format format) {
    int header_done = !p->plan.has_header;
    char *line;
    size_t size;
    for (;;) {
        shelf__line_result r = shelf__log_next_line(reader, &line, &size);
        if (r == SHELF__LINE_END) break;
        if (r == SHELF__LINE_FAIL) return fail(p, reader->status, 0, reader->error);
        if (r == SHELF__LINE_BAD) {
            if (!header_done) return fail(p, SHELF_E_PARSE, reader->line, reader->bad_reason);
            SHELF__TRY(bad_line(p, reader->line, reader->bad_reason));
            continue;
        }
        if (!header_done) {
            shelf_status s = shelf__fields_split(&p->fields, line, size, p->plan.delimiter, p->message,
                                                 sizeof p->message);
            if (s == SHELF_OK) s = shelf__log_plan_from_header(&p->plan, format, &p->fields, p->message,
                                                               sizeof p->message);
            if (s != SHELF_OK)
                return s == SHELF_E_PARSE ? fail(p, s, reader->line, p->message) : fail_internal(p, s, reader->line);
            header_done = 1;
            continue;
        }
        SHELF__TRY(after_row(p, parse_row(p, line, size), reader->line));
    }
    if (!header_done) return fail(p, SHELF_E_PARSE, 0, "the file is empty: expected a header line");
    return finish_rows(p);
}

static shelf_status add_json_event(void *context, const shelf__json_event *e) {
    log_read *p = context;
    if (!isnan(e->price) && e->price > FLT_MAX) {
        snprintf(p->message, sizeof p->message, "\"price\" is out of range");
        return SHELF_E_PARSE;
    }
    return add_event(p, e->key, e->key_size, e->item, e->item_size, e->type, e->time, e->category,
                     e->category_size, (float)e->price);
}

/* SHELF_LOG_GA4, SHELF_LOG_SEGMENT: an event object per line (log_json.c). */
static shelf_status read_json_lines(log_read *p, shelf__log_reader *reader, shelf_log_format format) {
    char *line;
    size_t size;
    for (int done = 0;;) {
        SHELF__TRY(next_line(p, reader, &line, &size, &done));
        if (done) break;
        if (size == 0) continue; /* a blank line between objects */
        p->message[0] = '\0';
        SHELF__TRY(after_row(p, shelf__json_line_events(format, line, size, add_json_event, p, p->message,
                                                        sizeof p->message),
                             reader->line));
    }
    return finish_rows(p);
}

/* SHELF_LOG_SESSIONS: already sessions, in order; events go straight into the
 * dataset's spare capacity and become visible when the counts are raised. */
static shelf_status read_sessions(log_read *p, shelf__log_reader *reader) {
    shelf_dataset *d = p->dataset;
    uint64_t sessions = 0, events = 0;
    char *line;
    size_t size;
    for (int done = 0;;) {
        SHELF__TRY(next_line(p, reader, &line, &size, &done));
        if (done) break;
        /* prefix<TAB>label lines are evaluation cases: training on them would
         * leak the test labels into the model. */
        if (memchr(line, '\t', size)) {
            SHELF__TRY(bad_line(p, reader->line, "tab in a session line: is this a test file?"));
            continue;
        }
        size_t tokens = 0;
        for (size_t i = 0; i < size; i++) tokens += line[i] != ' ' && (i == 0 || line[i - 1] == ' ');
        if (tokens == 0) {
            SHELF__TRY(bad_line(p, reader->line, "empty session"));
            continue;
        }
        shelf_status s = shelf__dataset_reserve(d, sessions + 1, events + tokens);
        if (s != SHELF_OK) return fail_internal(p, s, reader->line);
        double position = 0;
        for (size_t i = 0; i < size;) {
            if (line[i] == ' ') {
                i++;
                continue;
            }
            size_t j = i;
            while (j < size && line[j] != ' ') j++;
            uint32_t item;
            s = shelf__dataset_intern_item(d, line + i, j - i, &item);
            if (s != SHELF_OK) return fail_internal(p, s, reader->line);
            shelf__event *e = &d->events[d->event_count + events++];
            e->time = position++;
            e->item = item;
            e->type = SHELF_EVENT_VIEW;
            i = j;
        }
        d->session_start[d->session_count + ++sessions] = d->event_count + events;
    }
    d->session_count += sessions;
    d->event_count += events;
    return SHELF_OK;
}

shelf_status shelf_dataset_read_log(shelf_dataset *dataset, const char *path,
                                    const shelf_log_options *options, uint64_t *bad_lines,
                                    shelf_diagnostic *diagnostic) {
    if (!dataset || !path || !options) {
        shelf__diag_set(diagnostic, path, 0, "the dataset, the path and the options are required");
        return SHELF_E_NULL_ARGUMENT;
    }
    log_read p;
    memset(&p, 0, sizeof p);
    p.dataset = dataset;
    p.path = path;
    p.diagnostic = diagnostic;
    p.skip_bad_lines = options->skip_bad_lines != 0;
    shelf_status status = shelf__log_plan_from_options(&p.plan, options, p.message, sizeof p.message);
    if (status != SHELF_OK) return fail(&p, status, 0, p.message);

    shelf__log_reader reader;
    status = shelf__log_reader_open(&reader, path, options->progress, options->progress_context, diagnostic);
    if (status != SHELF_OK) return status;
    shelf__dataset_mark mark;
    shelf__dataset_mark_take(dataset, &mark);
    if (options->format == SHELF_LOG_SESSIONS) {
        status = read_sessions(&p, &reader);
    } else if (options->format == SHELF_LOG_GA4 || options->format == SHELF_LOG_SEGMENT) {
        status = read_json_lines(&p, &reader, options->format);
    } else {
        status = read_table(&p, &reader, options->format);
    }
    shelf__log_reader_close(&reader);
    log_read_free(&p);
    if (status != SHELF_OK) {
        shelf__dataset_rollback(dataset, &mark);
        return status;
    }
    if (p.bad_lines == 0) shelf__diag_set(diagnostic, path, 0, "%s", "");
    if (bad_lines) *bad_lines = p.bad_lines;
    return SHELF_OK;
}
