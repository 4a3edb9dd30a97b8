/* Event logs into a dataset: every format becomes rows of (session or user key,
 * item, type, time, category, price); rows are grouped into sessions, each
 * session's events ordered by time, and the sessions by their first event.
 *
 * A read either appends everything or changes nothing: rows are parsed into
 * scratch arrays (interning new items and categories as it goes), and only when
 * the whole file is read are events, sessions and item attributes written. On
 * any failure the dataset is rolled back to the mark taken at the start. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"
#include "log_internal.h"
#include "shelf_common.h"

/* ----------------------------------------------------------- format names --- */

static const char *const format_names[] = {"sessions", "diginetica", "taobao",
                                           "rees46",   "sessionrec", "generic"};
#define FORMAT_COUNT (sizeof format_names / sizeof format_names[0])

const char *shelf_log_format_name(shelf_log_format format) {
    if ((unsigned)format >= FORMAT_COUNT) return NULL;
    return format_names[format];
}

shelf_status shelf_log_format_from_name(const char *name, shelf_log_format *format) {
    if (!name || !format) return SHELF_E_NULL_ARGUMENT;
    for (unsigned f = 0; f < FORMAT_COUNT; f++) {
        if (strcmp(name, format_names[f]) == 0) {
            *format = (shelf_log_format)f;
            return SHELF_OK;
        }
    }
    return SHELF_E_BAD_ARGUMENT;
}

void shelf_log_options_init(shelf_log_options *options, shelf_log_format format) {
    if (!options) return;
    memset(options, 0, sizeof *options);
    options->format = format;
    options->delimiter = ',';
    options->has_header = 1;
    options->session_column = -1;
    options->user_column = -1;
    options->item_column = -1;
    options->type_column = -1;
    options->time_column = -1;
    options->category_column = -1;
    options->price_column = -1;
    options->time_scale = 1.0;
    options->session_gap = 1800.0;
    /* For the named formats these describe the standard files; the readers of
     * the formats with a header find their columns by name in it. */
    switch (format) {
    case SHELF_LOG_SESSIONS:
        options->delimiter = ' ';
        options->has_header = 0;
        break;
    case SHELF_LOG_DIGINETICA:
        options->delimiter = ';';
        options->session_column = 0;
        options->user_column = 1;
        options->item_column = 2;
        options->time_column = 3; /* ms since the session's start, added to the day in column 4 */
        options->time_scale = 0.001;
        break;
    case SHELF_LOG_TAOBAO:
        options->has_header = 0;
        options->user_column = 0;
        options->item_column = 1;
        options->category_column = 2;
        options->type_column = 3;
        options->time_column = 4;
        break;
    case SHELF_LOG_REES46:
        options->time_column = 0;
        options->time_is_iso8601 = 1;
        options->type_column = 1;
        options->item_column = 2;
        options->category_column = 4; /* category_code, or category_id (3) when empty */
        options->price_column = 6;
        options->user_column = 7;
        options->session_column = 8;
        break;
    case SHELF_LOG_SESSIONREC:
        options->delimiter = '\t';
        options->session_column = 0;
        options->item_column = 1;
        options->time_column = 2;
        break;
    case SHELF_LOG_GENERIC:
    default:
        options->session_column = 0;
        options->item_column = 1;
        break;
    }
}

/* ------------------------------------------------------------- the plan --- */

/* What a column means; a plan maps each to a 0-based column or -1. */
enum role { R_SESSION, R_USER, R_ITEM, R_TYPE, R_TIME, R_DATE, R_CATEGORY, R_CATEGORY_FALLBACK, R_PRICE, R_COUNT };

static const char *const role_names[R_COUNT] = {"session", "user", "item", "type", "time",
                                                "date", "category", "category", "price"};

/* An event type name of a format; SKIP_LINE: a known value with no Shelf event. */
#define SKIP_LINE (-1)
typedef struct type_name {
    const char *name;
    int type;
} type_name;

/* fav (a wish-list "favourite") is interest without intent to buy: the closest
 * Shelf signal is a click, stronger than a view and weaker than a cart. */
static const type_name taobao_types[] = {{"pv", SHELF_EVENT_VIEW}, {"fav", SHELF_EVENT_CLICK},
                                         {"cart", SHELF_EVENT_ADD_TO_CART}, {"buy", SHELF_EVENT_PURCHASE},
                                         {NULL, 0}};
/* remove_from_cart appears in other REES46 months; Shelf has no such signal, and
 * failing on a documented value would make whole files unreadable. */
static const type_name rees46_types[] = {{"view", SHELF_EVENT_VIEW}, {"cart", SHELF_EVENT_ADD_TO_CART},
                                         {"purchase", SHELF_EVENT_PURCHASE}, {"remove_from_cart", SKIP_LINE},
                                         {NULL, 0}};
static const type_name diginetica_types[] = {{"view", SHELF_EVENT_VIEW}, {"purchase", SHELF_EVENT_PURCHASE},
                                             {NULL, 0}};
/* Besides the Shelf names: Taobao's, and Retailrocket's "addtocart"/"transaction". */
static const type_name generic_types[] = {{"pv", SHELF_EVENT_VIEW}, {"fav", SHELF_EVENT_CLICK},
                                          {"cart", SHELF_EVENT_ADD_TO_CART},
                                          {"add-to-cart", SHELF_EVENT_ADD_TO_CART},
                                          {"addtocart", SHELF_EVENT_ADD_TO_CART},
                                          {"buy", SHELF_EVENT_PURCHASE},
                                          {"transaction", SHELF_EVENT_PURCHASE}, {NULL, 0}};

typedef enum time_mode {
    TIME_LINE_ORDER,   /* the row's position in the file */
    TIME_NUMBER,       /* a number times time_scale */
    TIME_ISO8601,      /* "2019-10-01 00:00:00 UTC" */
    TIME_DATE_PLUS_MS  /* Diginetica: a day (R_DATE) plus milliseconds since the session's start */
} time_mode;

typedef struct log_plan {
    char delimiter;
    int has_header;
    int column[R_COUNT];
    size_t fields_exact;     /* > 0: every row has exactly this many fields */
    size_t fields_min;       /* otherwise at least this many */
    time_mode time;
    double time_scale;
    const type_name *types;  /* NULL: every event is a view */
    int shelf_type_names;    /* also accept "view", "add_to_cart", ... */
    const char *type_noun;   /* "unknown <noun> 'x'" */
    int split_by_gap;        /* R_USER keys; a session ends after session_gap seconds without events */
    double session_gap;
    char names[R_COUNT][48]; /* how messages name each column */
} log_plan;

/* A column a header must (or may) have, for the formats read by column name. */
typedef struct header_column {
    const char *name;
    int role;
    int required;
} header_column;

static const header_column diginetica_header[] = {
    {"session_id", R_SESSION, 1}, {"item_id", R_ITEM, 1},  {"timeframe", R_TIME, 1},
    {"eventdate", R_DATE, 1},     {"event", R_TYPE, 0},    {"category_id", R_CATEGORY, 0},
    {NULL, 0, 0}};
static const header_column rees46_header[] = {
    {"event_time", R_TIME, 1},       {"event_type", R_TYPE, 1},
    {"product_id", R_ITEM, 1},       {"user_session", R_SESSION, 1},
    {"category_code", R_CATEGORY, 0}, {"category_id", R_CATEGORY_FALLBACK, 0},
    {"price", R_PRICE, 0},           {NULL, 0, 0}};
static const header_column sessionrec_header[] = {
    {"SessionId", R_SESSION, 1}, {"ItemId", R_ITEM, 1}, {"Time", R_TIME, 0}, {NULL, 0, 0}};

static const char *format_header_columns(shelf_log_format format, const header_column **columns) {
    switch (format) {
    case SHELF_LOG_DIGINETICA: *columns = diginetica_header; return "diginetica";
    case SHELF_LOG_REES46: *columns = rees46_header; return "rees46";
    case SHELF_LOG_SESSIONREC: *columns = sessionrec_header; return "sessionrec";
    default: *columns = NULL; return NULL;
    }
}

static void plan_set_name(log_plan *plan, int role, const char *name) {
    snprintf(plan->names[role], sizeof plan->names[role], "%s", name);
}

/* Fills what the options alone decide; header formats finish in plan_from_header().
 * SHELF_E_BAD_ARGUMENT with `message` when the options make no sense. */
static shelf_status plan_from_options(log_plan *plan, const shelf_log_options *o, char *message,
                                      size_t message_size) {
    memset(plan, 0, sizeof *plan);
    for (int r = 0; r < R_COUNT; r++) {
        plan->column[r] = -1;
        plan_set_name(plan, r, role_names[r]);
    }
    plan->time_scale = 1.0;
    plan->type_noun = "event type";
    if (!(o->session_gap >= 0)) {
        snprintf(message, message_size, "session_gap must be a number >= 0");
        return SHELF_E_BAD_ARGUMENT;
    }
    plan->session_gap = o->session_gap;
    switch (o->format) {
    case SHELF_LOG_SESSIONS:
        return SHELF_OK;
    case SHELF_LOG_DIGINETICA:
        plan->delimiter = ';';
        plan->has_header = 1;
        plan->time = TIME_DATE_PLUS_MS;
        return SHELF_OK;
    case SHELF_LOG_REES46:
        plan->delimiter = ',';
        plan->has_header = 1;
        plan->time = TIME_ISO8601;
        plan->types = rees46_types;
        return SHELF_OK;
    case SHELF_LOG_SESSIONREC:
        plan->delimiter = '\t';
        plan->has_header = 1;
        plan->time = TIME_NUMBER;
        return SHELF_OK;
    case SHELF_LOG_TAOBAO: {
        static const char *const names[5] = {"user_id", "item_id", "category_id", "behavior_type",
                                             "timestamp"};
        static const int roles[5] = {R_USER, R_ITEM, R_CATEGORY, R_TYPE, R_TIME};
        plan->delimiter = ',';
        plan->fields_exact = 5;
        for (int c = 0; c < 5; c++) {
            plan->column[roles[c]] = c;
            plan_set_name(plan, roles[c], names[c]);
        }
        plan->time = TIME_NUMBER;
        plan->types = taobao_types;
        plan->type_noun = "behavior type";
        plan->split_by_gap = 1;
        return SHELF_OK;
    }
    case SHELF_LOG_GENERIC:
        break;
    default:
        snprintf(message, message_size, "unknown log format %d", (int)o->format);
        return SHELF_E_BAD_ARGUMENT;
    }

    /* SHELF_LOG_GENERIC */
    char d = o->delimiter;
    if (d == '\0' || d == '\n' || d == '\r' || d == '"') {
        snprintf(message, message_size, "the delimiter cannot be NUL, a newline or '\"'");
        return SHELF_E_BAD_ARGUMENT;
    }
    plan->delimiter = d;
    plan->has_header = o->has_header != 0;
    const int given[R_COUNT] = {o->session_column, o->user_column, o->item_column, o->type_column,
                                o->time_column, -1, o->category_column, -1, o->price_column};
    static const char *const option_names[R_COUNT] = {"session_column", "user_column", "item_column",
                                                      "type_column", "time_column", "", "category_column",
                                                      "", "price_column"};
    for (int r = 0; r < R_COUNT; r++) {
        if (given[r] < -1) {
            snprintf(message, message_size, "%s must be a column (0-based) or -1", option_names[r]);
            return SHELF_E_BAD_ARGUMENT;
        }
        plan->column[r] = given[r];
        if (given[r] >= 0 && (size_t)given[r] + 1 > plan->fields_min) plan->fields_min = (size_t)given[r] + 1;
    }
    if (o->item_column < 0) {
        snprintf(message, message_size, "item_column is required");
        return SHELF_E_BAD_ARGUMENT;
    }
    if (o->session_column < 0) {
        if (o->user_column < 0) {
            snprintf(message, message_size, "session_column or user_column (with session_gap) is required");
            return SHELF_E_BAD_ARGUMENT;
        }
        plan->split_by_gap = 1;
    } else {
        plan->column[R_USER] = -1; /* sessions are given; the user is not needed */
    }
    if (o->time_column < 0) {
        plan->time = TIME_LINE_ORDER;
    } else if (o->time_is_iso8601) {
        plan->time = TIME_ISO8601;
    } else {
        if (!(o->time_scale > 0) || !isfinite(o->time_scale)) {
            snprintf(message, message_size, "time_scale must be a finite number > 0");
            return SHELF_E_BAD_ARGUMENT;
        }
        plan->time = TIME_NUMBER;
        plan->time_scale = o->time_scale;
    }
    if (o->type_column >= 0) {
        plan->types = generic_types;
        plan->shelf_type_names = 1;
    }
    return SHELF_OK;
}

/* ------------------------------------------------------------ the reader --- */

/* Session (or user) keys of one file, interned into one growing byte array. */
typedef struct key_table {
    char *bytes;
    size_t used, capacity;
    size_t *offsets;
    uint32_t count, offset_capacity;
    uint32_t *slots;
    uint32_t slot_capacity;
} key_table;

typedef struct log_read {
    shelf_dataset *dataset;
    const char *path;
    shelf_diagnostic *diagnostic;
    log_plan plan;
    int skip_bad_lines;
    uint64_t bad_lines;
    char message[200];

    /* Rows in file order. */
    shelf__event *events;
    uint32_t *event_keys;
    size_t event_count, event_capacity;
    key_table keys;

    /* The category and price each item gets when the read succeeds (the last
     * non-empty value in the file); UINT32_MAX and NaN leave an item as it is. */
    uint32_t *pending_category;
    float *pending_price;
    size_t pending_capacity;

    /* Fields of the current row, pointing into the reader's line. */
    char **fields;
    size_t *field_sizes;
    size_t field_count, field_capacity;
} log_read;

static void log_read_free(log_read *p) {
    free(p->events);
    free(p->event_keys);
    free(p->keys.bytes);
    free(p->keys.offsets);
    free(p->keys.slots);
    free(p->pending_category);
    free(p->pending_price);
    free(p->fields);
    free(p->field_sizes);
}

static uint32_t key_hash(const char *s, size_t size) {
    uint32_t h = shelf__fnv1a32(s, size);
    h ^= h >> 16;
    h *= 0x85ebca6bu;
    h ^= h >> 13;
    return h;
}

static uint32_t *key_slot(key_table *t, const char *key, size_t size) {
    uint32_t mask = t->slot_capacity - 1;
    uint32_t i = key_hash(key, size) & mask;
    for (;;) {
        uint32_t k = t->slots[i];
        if (k == UINT32_MAX) return &t->slots[i];
        const char *stored = t->bytes + t->offsets[k];
        if (strncmp(stored, key, size) == 0 && stored[size] == '\0') return &t->slots[i];
        i = (i + 1) & mask;
    }
}

static shelf_status key_intern(key_table *t, const char *key, size_t size, uint32_t *index) {
    if (t->slot_capacity) {
        uint32_t k = *key_slot(t, key, size);
        if (k != UINT32_MAX) {
            *index = k;
            return SHELF_OK;
        }
    }
    if (t->count >= UINT32_MAX - 1) return SHELF_E_BAD_ARGUMENT;
    if ((uint64_t)(t->count + 1) * 2 > t->slot_capacity) {
        uint64_t capacity = t->slot_capacity ? (uint64_t)t->slot_capacity * 2 : 1024;
        if (capacity > (uint64_t)1 << 31) return SHELF_E_OUT_OF_MEMORY;
        uint32_t *slots = malloc((size_t)capacity * sizeof *slots);
        if (!slots) return SHELF_E_OUT_OF_MEMORY;
        for (size_t i = 0; i < capacity; i++) slots[i] = UINT32_MAX;
        free(t->slots);
        t->slots = slots;
        t->slot_capacity = (uint32_t)capacity;
        for (uint32_t k = 0; k < t->count; k++) {
            const char *stored = t->bytes + t->offsets[k];
            *key_slot(t, stored, strlen(stored)) = k;
        }
    }
    if (t->count == t->offset_capacity) {
        uint32_t capacity = t->offset_capacity ? t->offset_capacity * 2 : 1024;
        size_t *offsets = realloc(t->offsets, capacity * sizeof *offsets);
        if (!offsets) return SHELF_E_OUT_OF_MEMORY;
        t->offsets = offsets;
        t->offset_capacity = capacity;
    }
    if (size + 1 > t->capacity - t->used) {
        size_t capacity = t->capacity ? t->capacity * 2 : 65536;
        while (capacity - t->used < size + 1) capacity *= 2;
        char *bytes = realloc(t->bytes, capacity);
        if (!bytes) return SHELF_E_OUT_OF_MEMORY;
        t->bytes = bytes;
        t->capacity = capacity;
    }
    memcpy(t->bytes + t->used, key, size);
    t->bytes[t->used + size] = '\0';
    t->offsets[t->count] = t->used;
    t->used += size + 1;
    *key_slot(t, key, size) = t->count;
    *index = t->count++;
    return SHELF_OK;
}

/* A fatal problem: the message goes to the diagnostic and the status up. */
static shelf_status fail(log_read *p, shelf_status status, uint64_t line, const char *message) {
    shelf__diag_set(p->diagnostic, p->path, line, "%s", message);
    return status;
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

/* ---------------------------------------------------------------- fields --- */

static shelf_status split_fields(log_read *p, char *line, size_t size) {
    const char delimiter = p->plan.delimiter;
    char *s = line, *end = line + size;
    p->field_count = 0;
    for (;;) {
        if (p->field_count == p->field_capacity) {
            size_t capacity = p->field_capacity ? p->field_capacity * 2 : 16;
            char **fields = realloc(p->fields, capacity * sizeof *fields);
            if (!fields) return SHELF_E_OUT_OF_MEMORY;
            p->fields = fields;
            size_t *sizes = realloc(p->field_sizes, capacity * sizeof *sizes);
            if (!sizes) return SHELF_E_OUT_OF_MEMORY;
            p->field_sizes = sizes;
            p->field_capacity = capacity;
        }
        char *field = s, *out;
        if (s < end && *s == '"') {
            /* RFC 4180 quoting ("a,b" and "say ""hi"""), unquoted in place; quoted
             * newlines are not supported: a record is one line. */
            out = s++;
            for (;;) {
                if (s == end) {
                    snprintf(p->message, sizeof p->message, "field %zu: unterminated quote", p->field_count + 1);
                    return SHELF_E_PARSE;
                }
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') {
                        *out++ = '"';
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                *out++ = *s++;
            }
            if (s < end && *s != delimiter) {
                snprintf(p->message, sizeof p->message, "field %zu: text after the closing quote",
                         p->field_count + 1);
                return SHELF_E_PARSE;
            }
        } else {
            char *d = memchr(s, delimiter, (size_t)(end - s));
            s = out = d ? d : end;
        }
        int last = s == end;
        *out = '\0';
        p->fields[p->field_count] = field;
        p->field_sizes[p->field_count] = (size_t)(out - field);
        p->field_count++;
        if (last) return SHELF_OK;
        s++;
    }
}

/* "field 5 (timestamp)", or "field 5" for a column no role uses. */
static void describe_field(const log_plan *plan, size_t index, char *out, size_t size) {
    for (int r = 0; r < R_COUNT; r++) {
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
    *size = p->field_sizes[c];
    return p->fields[c];
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
    if (role == R_ITEM || role == R_SESSION || role == R_USER) {
        char where[96];
        describe_field(&p->plan, (size_t)p->plan.column[role], where, sizeof where);
        snprintf(p->message, sizeof p->message, "%s: empty %s id", where, role_names[role]);
        return SHELF_E_PARSE;
    }
    return field_error(p, role, "", "");
}

static shelf_status parse_type(log_read *p, int *type) {
    size_t size = 0;
    const char *field;
    *type = SHELF_EVENT_VIEW;
    if (!p->plan.types) return SHELF_OK;
    SHELF__TRY(require_field(p, R_TYPE, &field, &size));
    if (p->plan.shelf_type_names) {
        shelf_event_type t;
        if (shelf_event_type_from_name(field, size, &t) == SHELF_OK) {
            *type = (int)t;
            return SHELF_OK;
        }
    }
    for (const type_name *n = p->plan.types; n->name; n++) {
        if (strcmp(n->name, field) == 0) {
            *type = n->type;
            return SHELF_OK;
        }
    }
    char what[64];
    snprintf(what, sizeof what, "unknown %s ", p->plan.type_noun);
    return field_error(p, R_TYPE, what, "");
}

static shelf_status parse_time(log_read *p, double *time) {
    size_t size = 0;
    const char *field;
    switch (p->plan.time) {
    case TIME_LINE_ORDER:
        *time = (double)p->event_count;
        return SHELF_OK;
    case TIME_NUMBER: {
        double v;
        SHELF__TRY(require_field(p, R_TIME, &field, &size));
        if (!shelf__parse_double(field, &v)) return field_error(p, R_TIME, "", " is not a number");
        *time = v * p->plan.time_scale;
        if (!isfinite(*time)) return field_error(p, R_TIME, "", " is out of range");
        return SHELF_OK;
    }
    case TIME_ISO8601:
        SHELF__TRY(require_field(p, R_TIME, &field, &size));
        if (!shelf__parse_iso8601(field, size, time))
            return field_error(p, R_TIME, "", " is not a date and time like 2019-10-01 00:00:00 UTC");
        return SHELF_OK;
    case TIME_DATE_PLUS_MS: {
        int64_t days, ms;
        SHELF__TRY(require_field(p, R_DATE, &field, &size));
        if (!shelf__parse_date(field, size, &days)) return field_error(p, R_DATE, "", " is not a date YYYY-MM-DD");
        SHELF__TRY(require_field(p, R_TIME, &field, &size));
        if (!shelf__parse_int64(field, &ms) || ms < 0)
            return field_error(p, R_TIME, "", " is not a whole number of milliseconds >= 0");
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
static shelf_status parse_row(log_read *p, char *line, size_t size) {
    const log_plan *plan = &p->plan;
    p->message[0] = '\0';
    if (size == 0) {
        snprintf(p->message, sizeof p->message, "empty line");
        return SHELF_E_PARSE;
    }
    SHELF__TRY(split_fields(p, line, size));
    size_t n = p->field_count;
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
    if (type == SKIP_LINE) return SHELF_OK;
    double time;
    SHELF__TRY(parse_time(p, &time));

    const char *item_id, *key;
    size_t item_size = 0, key_size = 0;
    SHELF__TRY(require_field(p, R_ITEM, &item_id, &item_size));
    SHELF__TRY(require_field(p, plan->split_by_gap ? R_USER : R_SESSION, &key, &key_size));

    float price = NAN;
    size_t price_size;
    const char *price_field = role_field(p, R_PRICE, &price_size);
    if (price_field && price_size) {
        double v;
        if (!shelf__parse_double(price_field, &v)) return field_error(p, R_PRICE, "", " is not a number");
        /* A model cannot store a negative price: refuse it here, where the line is known. */
        if (v < 0) return field_error(p, R_PRICE, "", " is negative");
        if (v > FLT_MAX) return field_error(p, R_PRICE, "", " is out of range");
        price = (float)v;
    }
    size_t category_size = 0;
    const char *category = role_field(p, R_CATEGORY, &category_size);
    if (!category || !category_size) category = role_field(p, R_CATEGORY_FALLBACK, &category_size);

    /* The row is good: from here on only fatal failures. */
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
    SHELF__TRY(key_intern(&p->keys, key, key_size, &key_index));
    if (plan->column[R_CATEGORY] >= 0 || plan->column[R_PRICE] >= 0) {
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

/* Finishes the plan from the header line (already split into fields): the named
 * formats find their columns by name, SHELF_LOG_GENERIC takes the field count and
 * the column names for its messages. */
static shelf_status plan_from_header(log_read *p, shelf_log_format format) {
    log_plan *plan = &p->plan;
    const header_column *columns;
    const char *format_name = format_header_columns(format, &columns);
    if (!columns) {
        /* GENERIC: the columns are given; the header fixes the field count and names them. */
        plan->fields_exact = p->field_count;
        for (int r = 0; r < R_COUNT; r++) {
            int c = plan->column[r];
            if (c < 0) continue;
            if ((size_t)c >= p->field_count) {
                snprintf(p->message, sizeof p->message, "the %s column (%d) is beyond the header's %zu fields",
                         role_names[r], c, p->field_count);
                return SHELF_E_PARSE;
            }
            if (p->field_sizes[c]) plan_set_name(plan, r, p->fields[c]);
        }
        return SHELF_OK;
    }
    for (const header_column *h = columns; h->name; h++) {
        for (size_t f = 0; f < p->field_count; f++) {
            if (strcmp(p->fields[f], h->name) == 0) {
                plan->column[h->role] = (int)f;
                plan_set_name(plan, h->role, h->name);
                break;
            }
        }
        if (h->required && plan->column[h->role] < 0) {
            char header[48];
            shelf__diag_quote(header, sizeof header, p->fields[0], strlen(p->fields[0]));
            snprintf(p->message, sizeof p->message,
                     "the header has no column '%s' (is this a %s file? its first column is '%s')", h->name,
                     format_name, header);
            return SHELF_E_PARSE;
        }
    }
    plan->fields_exact = p->field_count;
    if (format == SHELF_LOG_DIGINETICA && plan->column[R_TYPE] >= 0) plan->types = diginetica_types;
    if (format == SHELF_LOG_REES46 && plan->column[R_CATEGORY] < 0) {
        plan->column[R_CATEGORY] = plan->column[R_CATEGORY_FALLBACK];
        plan->column[R_CATEGORY_FALLBACK] = -1;
        plan_set_name(plan, R_CATEGORY, "category_id");
    }
    if (format == SHELF_LOG_SESSIONREC && plan->column[R_TIME] < 0) plan->time = TIME_LINE_ORDER;
    return SHELF_OK;
}

/* ------------------------------------------------------- building sessions --- */

typedef struct span {
    double first_time;     /* time of the session's first event */
    uint32_t first_row;    /* its earliest row in the file: breaks ties in time */
    uint32_t begin, end;   /* into the order array */
} span;

static int span_before(const span *a, const span *b) {
    if (a->first_time != b->first_time) return a->first_time < b->first_time;
    return a->first_row < b->first_row;
}

static int span_compare(const void *a, const void *b) {
    const span *x = a, *y = b;
    return span_before(x, y) ? -1 : span_before(y, x) ? 1 : 0;
}

/* Stable sort of rows[0..n) by event time: rows come in file order, and a stable
 * sort keeps that order among equal times. Insertion sort for the short runs a
 * session usually is, merge sort (through `scratch`) for long ones. */
static void sort_rows_by_time(uint32_t *rows, size_t n, const shelf__event *events, uint32_t *scratch) {
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            uint32_t r = rows[i];
            double t = events[r].time;
            size_t j = i;
            for (; j > 0 && events[rows[j - 1]].time > t; j--) rows[j] = rows[j - 1];
            rows[j] = r;
        }
        return;
    }
    size_t half = n / 2;
    sort_rows_by_time(rows, half, events, scratch);
    sort_rows_by_time(rows + half, n - half, events, scratch);
    memcpy(scratch, rows, half * sizeof *rows);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n) rows[k++] = events[rows[j]].time < events[scratch[i]].time ? rows[j++] : scratch[i++];
    while (i < half) rows[k++] = scratch[i++];
}

/* Groups the rows by key, orders each group by time, cuts sessions, orders the
 * sessions, and appends everything to the dataset. Fails only for lack of memory,
 * before anything visible changed. */
static shelf_status commit_rows(log_read *p) {
    shelf_dataset *d = p->dataset;
    const size_t n = p->event_count;
    const uint32_t key_count = p->keys.count;
    shelf_status status = SHELF_E_OUT_OF_MEMORY;
    uint32_t *group = calloc((size_t)key_count + 1, sizeof *group);
    uint32_t *rows = malloc((n ? n : 1) * sizeof *rows);
    uint32_t *scratch = NULL;
    span *spans = NULL;
    size_t span_count = 0, span_capacity = 0;
    if (!group || !rows) goto done;

    /* Counting sort by key: keys are numbered by first appearance and the sort
     * is stable, so each group lists its rows in file order. */
    for (size_t i = 0; i < n; i++) group[p->event_keys[i] + 1]++;
    for (uint32_t k = 0; k < key_count; k++) group[k + 1] += group[k];
    for (size_t i = 0; i < n; i++) rows[group[p->event_keys[i]]++] = (uint32_t)i;
    memmove(group + 1, group, (size_t)key_count * sizeof *group);
    group[0] = 0;

    for (uint32_t k = 0; k < key_count; k++) {
        uint32_t begin = group[k], end = group[k + 1];
        int sorted = 1;
        for (uint32_t i = begin + 1; i < end && sorted; i++)
            sorted = p->events[rows[i - 1]].time <= p->events[rows[i]].time;
        if (!sorted) {
            if (!scratch && !(scratch = malloc((n / 2 + 1) * sizeof *scratch))) goto done;
            sort_rows_by_time(rows + begin, end - begin, p->events, scratch);
        }
        /* One session per key, or (users) a new one after every long pause. */
        for (uint32_t i = begin; i < end;) {
            uint32_t j = i + 1, first_row = rows[i];
            while (j < end && !(p->plan.split_by_gap &&
                                p->events[rows[j]].time - p->events[rows[j - 1]].time > p->plan.session_gap)) {
                if (rows[j] < first_row) first_row = rows[j];
                j++;
            }
            if (span_count == span_capacity) {
                size_t capacity = span_capacity ? span_capacity * 2 : 1024;
                span *grown = realloc(spans, capacity * sizeof *grown);
                if (!grown) goto done;
                spans = grown;
                span_capacity = capacity;
            }
            spans[span_count].first_time = p->events[rows[i]].time;
            spans[span_count].first_row = first_row;
            spans[span_count].begin = i;
            spans[span_count].end = j;
            span_count++;
            i = j;
        }
    }
    int sessions_sorted = 1;
    for (size_t s = 1; s < span_count && sessions_sorted; s++) sessions_sorted = !span_before(&spans[s], &spans[s - 1]);
    if (!sessions_sorted) qsort(spans, span_count, sizeof *spans, span_compare);

    if ((status = shelf__dataset_reserve(d, span_count, n)) != SHELF_OK) goto done;
    int attributes = p->plan.column[R_CATEGORY] >= 0 || p->plan.column[R_PRICE] >= 0;
    if (attributes && (status = shelf__dataset_enable_catalog(d)) != SHELF_OK) goto done;

    /* Nothing below can fail. */
    uint64_t e = d->event_count;
    for (size_t s = 0; s < span_count; s++) {
        for (uint32_t i = spans[s].begin; i < spans[s].end; i++) d->events[e++] = p->events[rows[i]];
        d->session_start[d->session_count + s + 1] = e;
    }
    if (attributes) {
        size_t covered = p->pending_capacity < d->item_count ? p->pending_capacity : d->item_count;
        for (size_t i = 0; i < covered; i++) {
            if (p->pending_category[i] != UINT32_MAX) d->item_category[i] = p->pending_category[i];
            if (!isnan(p->pending_price[i])) d->item_price[i] = p->pending_price[i];
        }
    }
    d->session_count += span_count;
    d->event_count = e;
    status = SHELF_OK;
done:
    free(group);
    free(rows);
    free(scratch);
    free(spans);
    return status;
}

/* ------------------------------------------------------------ the formats --- */

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
            shelf_status s = split_fields(p, line, size);
            if (s == SHELF_OK) s = plan_from_header(p, format);
            if (s != SHELF_OK)
                return s == SHELF_E_PARSE ? fail(p, s, reader->line, p->message) : fail_internal(p, s, reader->line);
            header_done = 1;
            continue;
        }
        shelf_status s = parse_row(p, line, size);
        if (s == SHELF_E_PARSE) {
            SHELF__TRY(bad_line(p, reader->line, p->message));
        } else if (s == SHELF_E_BAD_ARGUMENT && p->message[0]) {
            return fail(p, SHELF_E_PARSE, reader->line, p->message);
        } else if (s != SHELF_OK) {
            return fail_internal(p, s, reader->line);
        }
    }
    if (!header_done) return fail(p, SHELF_E_PARSE, 0, "the file is empty: expected a header line");
    shelf_status s = commit_rows(p);
    if (s != SHELF_OK) return fail_internal(p, s, 0);
    return SHELF_OK;
}

/* SHELF_LOG_SESSIONS: already sessions, in order; events go straight into the
 * dataset's spare capacity and become visible when the counts are raised. */
static shelf_status read_sessions(log_read *p, shelf__log_reader *reader) {
    shelf_dataset *d = p->dataset;
    uint64_t sessions = 0, events = 0;
    char *line;
    size_t size;
    for (;;) {
        shelf__line_result r = shelf__log_next_line(reader, &line, &size);
        if (r == SHELF__LINE_END) break;
        if (r == SHELF__LINE_FAIL) return fail(p, reader->status, 0, reader->error);
        if (r == SHELF__LINE_BAD) {
            SHELF__TRY(bad_line(p, reader->line, reader->bad_reason));
            continue;
        }
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
    shelf_status status = plan_from_options(&p.plan, options, p.message, sizeof p.message);
    if (status != SHELF_OK) return fail(&p, status, 0, p.message);

    shelf__log_reader reader;
    status = shelf__log_reader_open(&reader, path, options->progress, options->progress_context, diagnostic);
    if (status != SHELF_OK) return status;
    shelf__dataset_mark mark;
    shelf__dataset_mark_take(dataset, &mark);
    if (options->format == SHELF_LOG_SESSIONS) {
        status = read_sessions(&p, &reader);
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
