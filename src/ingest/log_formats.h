/* What each log format is, as data: one row of a table per format (log_formats.c)
 * says how its lines split, which column holds what, how times and event types are
 * written and how sessions are formed. A read turns the row, the caller's options
 * and the file's header into a plan, and log_read.c follows the plan. */
#ifndef SHELF_LOG_FORMATS_H
#define SHELF_LOG_FORMATS_H

#include <stddef.h>

#include "shelf_train.h"
#include "text_parse.h"

/* What a column means; a plan maps each to a 0-based column or -1. */
typedef enum shelf__log_role {
    SHELF__ROLE_SESSION,
    SHELF__ROLE_USER,
    SHELF__ROLE_ITEM,
    SHELF__ROLE_TYPE,
    SHELF__ROLE_TIME,
    SHELF__ROLE_DATE,
    SHELF__ROLE_CATEGORY,
    SHELF__ROLE_CATEGORY_FALLBACK, /* the category where the category column is empty */
    SHELF__ROLE_PRICE,
    SHELF__ROLE_COUNT
} shelf__log_role;

/* The name messages give a role ("user", "time", ...). */
const char *shelf__log_role_name(shelf__log_role role);

/* An event type name of a format; SHELF__SKIP_ROW: a known value with no Shelf event. */
#define SHELF__SKIP_ROW (-1)
typedef struct shelf__type_name {
    const char *name;
    int type;
} shelf__type_name;

typedef enum shelf__time_mode {
    SHELF__TIME_LINE_ORDER,  /* the row's position in the file */
    SHELF__TIME_NUMBER,      /* a number times time_scale */
    SHELF__TIME_ISO8601,     /* "2019-10-01 00:00:00 UTC" */
    SHELF__TIME_DATE_PLUS_MS /* Diginetica: a day (DATE) plus milliseconds since the session's start */
} shelf__time_mode;

typedef struct shelf__log_plan {
    char delimiter;
    int has_header;
    int column[SHELF__ROLE_COUNT];
    size_t fields_exact;            /* > 0: every row has exactly this many fields */
    size_t fields_min;              /* otherwise at least this many */
    shelf__time_mode time;
    double time_scale;
    const shelf__type_name *types;  /* the type column's values (with a type column) */
    int shelf_type_names;           /* also accept "view", "add_to_cart", ... */
    const char *type_noun;          /* "unknown <noun> 'x'" */
    int split_by_gap;               /* USER keys; a session ends after session_gap seconds without events */
    int json;                       /* JSON Lines (GA4, Segment): log_json.c reads the lines */
    double session_gap;
    char names[SHELF__ROLE_COUNT][48]; /* how messages name each column */
} shelf__log_plan;

/* What the options decide (the format's row, or the columns of SHELF_LOG_GENERIC).
 * SHELF_E_BAD_ARGUMENT with `message` when the options make no sense. */
shelf_status shelf__log_plan_from_options(shelf__log_plan *plan, const shelf_log_options *options,
                                          char *message, size_t message_size);

/* Finishes the plan of a file with a header from its fields: the named formats find
 * their columns by name, SHELF_LOG_GENERIC checks its columns against the field count
 * and takes their names for messages. SHELF_E_PARSE with `message`. */
shelf_status shelf__log_plan_from_header(shelf__log_plan *plan, shelf_log_format format,
                                         const shelf__fields *header, char *message, size_t message_size);

#endif
