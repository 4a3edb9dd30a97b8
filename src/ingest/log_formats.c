/* The log formats, one row each. A named format's row says everything about its
 * files; SHELF_LOG_GENERIC's columns come from the caller's options instead. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "diagnostic.h"
#include "log_formats.h"

static const char *const role_names[SHELF__ROLE_COUNT] = {
    [SHELF__ROLE_SESSION] = "session", [SHELF__ROLE_USER] = "user",
    [SHELF__ROLE_ITEM] = "item",       [SHELF__ROLE_TYPE] = "type",
    [SHELF__ROLE_TIME] = "time",       [SHELF__ROLE_DATE] = "date",
    [SHELF__ROLE_CATEGORY] = "category", [SHELF__ROLE_CATEGORY_FALLBACK] = "category",
    [SHELF__ROLE_PRICE] = "price",
};

const char *shelf__log_role_name(shelf__log_role role) {
    return (unsigned)role < SHELF__ROLE_COUNT ? role_names[role] : "?";
}

/* ---------------------------------------------------------- event types --- */

/* fav (a wish-list "favourite") is interest without intent to buy: the closest
 * Shelf signal is a click, stronger than a view and weaker than a cart. */
static const shelf__type_name taobao_types[] = {{"pv", SHELF_EVENT_VIEW}, {"fav", SHELF_EVENT_CLICK},
                                                {"cart", SHELF_EVENT_ADD_TO_CART}, {"buy", SHELF_EVENT_PURCHASE},
                                                {NULL, 0}};
/* remove_from_cart appears in other REES46 months; Shelf has no such signal, and
 * failing on a documented value would make whole files unreadable. */
static const shelf__type_name rees46_types[] = {{"view", SHELF_EVENT_VIEW}, {"cart", SHELF_EVENT_ADD_TO_CART},
                                                {"purchase", SHELF_EVENT_PURCHASE},
                                                {"remove_from_cart", SHELF__SKIP_ROW}, {NULL, 0}};
static const shelf__type_name diginetica_types[] = {{"view", SHELF_EVENT_VIEW}, {"purchase", SHELF_EVENT_PURCHASE},
                                                    {NULL, 0}};
/* Besides the Shelf names: Taobao's, and Retailrocket's "addtocart"/"transaction". */
static const shelf__type_name generic_types[] = {{"pv", SHELF_EVENT_VIEW}, {"fav", SHELF_EVENT_CLICK},
                                                 {"cart", SHELF_EVENT_ADD_TO_CART},
                                                 {"add-to-cart", SHELF_EVENT_ADD_TO_CART},
                                                 {"addtocart", SHELF_EVENT_ADD_TO_CART},
                                                 {"buy", SHELF_EVENT_PURCHASE},
                                                 {"transaction", SHELF_EVENT_PURCHASE}, {NULL, 0}};

/* -------------------------------------------------------------- columns --- */

/* A column of a format: found by its name in the header line, or (a format
 * without a header) at its position in the list. */
typedef struct column {
    const char *name;
    shelf__log_role role;
    int required;
} column;

static const column diginetica_columns[] = {
    {"session_id", SHELF__ROLE_SESSION, 1}, {"item_id", SHELF__ROLE_ITEM, 1},
    {"timeframe", SHELF__ROLE_TIME, 1},     {"eventdate", SHELF__ROLE_DATE, 1},
    {"event", SHELF__ROLE_TYPE, 0},         {"category_id", SHELF__ROLE_CATEGORY, 0},
    {NULL, 0, 0}};
static const column taobao_columns[] = {
    {"user_id", SHELF__ROLE_USER, 1},       {"item_id", SHELF__ROLE_ITEM, 1},
    {"category_id", SHELF__ROLE_CATEGORY, 1}, {"behavior_type", SHELF__ROLE_TYPE, 1},
    {"timestamp", SHELF__ROLE_TIME, 1},     {NULL, 0, 0}};
static const column rees46_columns[] = {
    {"event_time", SHELF__ROLE_TIME, 1},    {"event_type", SHELF__ROLE_TYPE, 1},
    {"product_id", SHELF__ROLE_ITEM, 1},    {"user_session", SHELF__ROLE_SESSION, 1},
    {"category_code", SHELF__ROLE_CATEGORY, 0}, {"category_id", SHELF__ROLE_CATEGORY_FALLBACK, 0},
    {"price", SHELF__ROLE_PRICE, 0},        {NULL, 0, 0}};
static const column sessionrec_columns[] = {
    {"SessionId", SHELF__ROLE_SESSION, 1}, {"ItemId", SHELF__ROLE_ITEM, 1}, {"Time", SHELF__ROLE_TIME, 0},
    {NULL, 0, 0}};

/* ------------------------------------------------------------- the table --- */

typedef struct log_format {
    const char *name;
    char delimiter;
    int has_header;                 /* columns by name in the header; else by position */
    const column *columns;          /* NULL: given by the options (generic) */
    shelf__time_mode time;          /* when the time column is present; else line order */
    const shelf__type_name *types;  /* when the type column is present; else every row is a view */
    const char *type_noun;
    int split_by_gap;               /* rows carry a user, and a pause splits sessions */
} log_format;

static const log_format formats[] = {
    /* One session per line: read by log_read.c without a plan. */
    [SHELF_LOG_SESSIONS] = {"sessions", ' ', 0, NULL, SHELF__TIME_LINE_ORDER, NULL, "event type", 0},
    [SHELF_LOG_DIGINETICA] = {"diginetica", ';', 1, diginetica_columns, SHELF__TIME_DATE_PLUS_MS,
                              diginetica_types, "event type", 0},
    [SHELF_LOG_TAOBAO] = {"taobao", ',', 0, taobao_columns, SHELF__TIME_NUMBER, taobao_types, "behavior type", 1},
    [SHELF_LOG_REES46] = {"rees46", ',', 1, rees46_columns, SHELF__TIME_ISO8601, rees46_types, "event type", 0},
    [SHELF_LOG_SESSIONREC] = {"sessionrec", '\t', 1, sessionrec_columns, SHELF__TIME_NUMBER, NULL, "event type", 0},
    [SHELF_LOG_GENERIC] = {"generic", ',', 1, NULL, SHELF__TIME_NUMBER, generic_types, "event type", 0},
    /* JSON Lines: read by log_json.c, which knows their members; sessions by gap. */
    [SHELF_LOG_GA4] = {"ga4", 0, 0, NULL, SHELF__TIME_NUMBER, NULL, "event", 1},
    [SHELF_LOG_SEGMENT] = {"segment", 0, 0, NULL, SHELF__TIME_ISO8601, NULL, "event", 1},
};
#define FORMAT_COUNT (sizeof formats / sizeof formats[0])
_Static_assert(FORMAT_COUNT == SHELF_LOG_SEGMENT + 1, "a row for every shelf_log_format");

const char *shelf_log_format_name(shelf_log_format format) {
    return (unsigned)format < FORMAT_COUNT ? formats[format].name : NULL;
}

shelf_status shelf_log_format_from_name(const char *name, shelf_log_format *format) {
    if (!name || !format) return SHELF_E_NULL_ARGUMENT;
    for (unsigned f = 0; f < FORMAT_COUNT; f++) {
        if (strcmp(name, formats[f].name) == 0) {
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
    /* The columns are read for SHELF_LOG_GENERIC only: a named format knows its own. */
    options->delimiter = ',';
    options->has_header = 1;
    options->session_column = 0;
    options->user_column = -1;
    options->item_column = 1;
    options->type_column = -1;
    options->time_column = -1;
    options->category_column = -1;
    options->price_column = -1;
    options->time_scale = 1.0;
    options->session_gap = 1800.0;
}

/* ------------------------------------------------------------- the plan --- */

static void plan_name(shelf__log_plan *plan, shelf__log_role role, const char *name) {
    snprintf(plan->names[role], sizeof plan->names[role], "%s", name);
}

/* The generic format: the caller's columns. */
static shelf_status plan_generic(shelf__log_plan *plan, const shelf_log_options *o, char *message, size_t size) {
    char d = o->delimiter;
    if (d == '\0' || d == '\n' || d == '\r' || d == '"') {
        snprintf(message, size, "the delimiter cannot be NUL, a newline or '\"'");
        return SHELF_E_BAD_ARGUMENT;
    }
    plan->delimiter = d;
    plan->has_header = o->has_header != 0;
    static const struct { shelf__log_role role; const char *option; } options[] = {
        {SHELF__ROLE_SESSION, "session_column"}, {SHELF__ROLE_USER, "user_column"},
        {SHELF__ROLE_ITEM, "item_column"},       {SHELF__ROLE_TYPE, "type_column"},
        {SHELF__ROLE_TIME, "time_column"},       {SHELF__ROLE_CATEGORY, "category_column"},
        {SHELF__ROLE_PRICE, "price_column"}};
    const int given[] = {o->session_column, o->user_column, o->item_column, o->type_column,
                         o->time_column, o->category_column, o->price_column};
    for (size_t k = 0; k < sizeof options / sizeof options[0]; k++) {
        if (given[k] < -1) {
            snprintf(message, size, "%s must be a column (0-based) or -1", options[k].option);
            return SHELF_E_BAD_ARGUMENT;
        }
        plan->column[options[k].role] = given[k];
        if (given[k] >= 0 && (size_t)given[k] + 1 > plan->fields_min) plan->fields_min = (size_t)given[k] + 1;
    }
    if (o->item_column < 0) {
        snprintf(message, size, "item_column is required");
        return SHELF_E_BAD_ARGUMENT;
    }
    if (o->session_column < 0) {
        if (o->user_column < 0) {
            snprintf(message, size, "session_column or user_column (with session_gap) is required");
            return SHELF_E_BAD_ARGUMENT;
        }
        plan->split_by_gap = 1;
    } else {
        plan->column[SHELF__ROLE_USER] = -1; /* sessions are given; the user is not needed */
    }
    if (o->time_column < 0) {
        plan->time = SHELF__TIME_LINE_ORDER;
    } else if (o->time_is_iso8601) {
        plan->time = SHELF__TIME_ISO8601;
    } else {
        if (!(o->time_scale > 0) || !isfinite(o->time_scale)) {
            snprintf(message, size, "time_scale must be a finite number > 0");
            return SHELF_E_BAD_ARGUMENT;
        }
        plan->time_scale = o->time_scale;
    }
    plan->shelf_type_names = 1;
    return SHELF_OK;
}

/* Columns may be absent from a file: the plan then says what that means. */
static void plan_settle(shelf__log_plan *plan) {
    if (plan->column[SHELF__ROLE_TIME] < 0) plan->time = SHELF__TIME_LINE_ORDER;
    if (plan->column[SHELF__ROLE_CATEGORY] < 0 && plan->column[SHELF__ROLE_CATEGORY_FALLBACK] >= 0) {
        plan->column[SHELF__ROLE_CATEGORY] = plan->column[SHELF__ROLE_CATEGORY_FALLBACK];
        plan->column[SHELF__ROLE_CATEGORY_FALLBACK] = -1;
        memcpy(plan->names[SHELF__ROLE_CATEGORY], plan->names[SHELF__ROLE_CATEGORY_FALLBACK],
               sizeof plan->names[0]);
    }
}

shelf_status shelf__log_plan_from_options(shelf__log_plan *plan, const shelf_log_options *o, char *message,
                                          size_t size) {
    memset(plan, 0, sizeof *plan);
    for (int r = 0; r < SHELF__ROLE_COUNT; r++) {
        plan->column[r] = -1;
        plan_name(plan, (shelf__log_role)r, role_names[r]);
    }
    if ((unsigned)o->format >= FORMAT_COUNT) {
        snprintf(message, size, "unknown log format %d", (int)o->format);
        return SHELF_E_BAD_ARGUMENT;
    }
    if (!(o->session_gap >= 0)) {
        snprintf(message, size, "session_gap must be a number >= 0");
        return SHELF_E_BAD_ARGUMENT;
    }
    const log_format *f = &formats[o->format];
    plan->delimiter = f->delimiter;
    plan->has_header = f->has_header;
    plan->time = f->time;
    plan->time_scale = 1.0;
    plan->types = f->types;
    plan->type_noun = f->type_noun;
    plan->split_by_gap = f->split_by_gap;
    plan->session_gap = o->session_gap;
    if (o->format == SHELF_LOG_GENERIC) return plan_generic(plan, o, message, size);
    plan->json = o->format == SHELF_LOG_GA4 || o->format == SHELF_LOG_SEGMENT;
    if (!f->has_header && f->columns) {
        /* Columns by position: the whole plan is known now. */
        size_t c = 0;
        for (; f->columns[c].name; c++) {
            plan->column[f->columns[c].role] = (int)c;
            plan_name(plan, f->columns[c].role, f->columns[c].name);
        }
        plan->fields_exact = c;
        plan_settle(plan);
    }
    return SHELF_OK;
}

shelf_status shelf__log_plan_from_header(shelf__log_plan *plan, shelf_log_format format, const shelf__fields *header,
                                         char *message, size_t size) {
    const log_format *f = &formats[format];
    plan->fields_exact = header->count;
    if (!f->columns) {
        /* Generic: the columns are given; the header names them. */
        for (int r = 0; r < SHELF__ROLE_COUNT; r++) {
            int c = plan->column[r];
            if (c < 0) continue;
            if ((size_t)c >= header->count) {
                snprintf(message, size, "the %s column (%d) is beyond the header's %zu fields", role_names[r], c,
                         header->count);
                return SHELF_E_PARSE;
            }
            if (header->size[c]) plan_name(plan, (shelf__log_role)r, header->text[c]);
        }
        return SHELF_OK;
    }
    for (const column *h = f->columns; h->name; h++) {
        for (size_t c = 0; c < header->count; c++) {
            if (strcmp(header->text[c], h->name) == 0) {
                plan->column[h->role] = (int)c;
                plan_name(plan, h->role, h->name);
                break;
            }
        }
        if (h->required && plan->column[h->role] < 0) {
            char first[48];
            shelf__diag_quote(first, sizeof first, header->text[0], header->size[0]);
            snprintf(message, size, "the header has no column '%s' (is this a %s file? its first column is '%s')",
                     h->name, f->name, first);
            return SHELF_E_PARSE;
        }
    }
    plan_settle(plan);
    return SHELF_OK;
}
