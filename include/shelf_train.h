/*
 * shelf_train.h -- native-only: read event logs, train, quantize and write models.
 *
 * Nothing here is compiled into the WebAssembly build. The runtime API (shelf.h)
 * then opens, scores and evaluates what these functions write. Usage
 * (tests/cli/test_header_examples.sh compiles it):
 *
 *     shelf_dataset *data;
 *     shelf_diagnostic diag;
 *     if (shelf_dataset_create(&data) != SHELF_OK) return;
 *     shelf_log_options log;
 *     shelf_log_options_init(&log, SHELF_LOG_SESSIONS);
 *     if (shelf_dataset_read_log(data, "train_sessions.tsv", &log, NULL, &diag) != SHELF_OK)
 *         fprintf(stderr, "%s:%llu: %s\n", diag.file, (unsigned long long)diag.line, diag.message);
 *     shelf_train_options options;
 *     shelf_train_options_init(&options);
 *     void *model;
 *     size_t size;
 *     if (shelf_train(data, &options, &model, &size, &diag) == SHELF_OK) {
 *         FILE *out = fopen("model.shelf", "wb");
 *         if (out) {
 *             fwrite(model, 1, size, out);
 *             fclose(out);
 *         }
 *         shelf_buffer_free(model);
 *     }
 *     shelf_dataset_free(data);
 *
 * Errors are reported twice: a status, and a diagnostic naming the file, the line
 * (1-based; 0 when the problem is not on one line) and what was wrong. Like the
 * runtime, these functions never print and never abort; progress, when wanted,
 * goes to a callback.
 */
#ifndef SHELF_TRAIN_H
#define SHELF_TRAIN_H

#include "shelf.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct shelf_diagnostic {
    char file[256];
    uint64_t line;
    char message[256];
} shelf_diagnostic;

/* Called now and then during long work with the units done and the units in all
 * (bytes of a file, or steps of training); `stage` names the work. */
typedef void (*shelf_progress_fn)(void *context, const char *stage, uint64_t done, uint64_t total);

/* Frees a buffer returned by this API. NULL is a no-op. */
void shelf_buffer_free(void *buffer);

/* ---------------------------------------------------------------- dataset --- */

/* Sessions of events over items named by their external ids, read from logs. */
typedef struct shelf_dataset shelf_dataset;

shelf_status shelf_dataset_create(shelf_dataset **dataset);
void shelf_dataset_free(shelf_dataset *dataset);

typedef enum shelf_log_format {
    SHELF_LOG_SESSIONS = 0,   /* one session per line, item ids separated by spaces, oldest first */
    SHELF_LOG_DIGINETICA = 1, /* session_id;user_id;item_id;timeframe;eventdate (CIKM Cup 2016), or the
                                 derived session_id;user_id;timeframe;eventdate;event;item_id;category_id;ordernumber
                                 (told apart by the header) */
    SHELF_LOG_TAOBAO = 2,     /* user_id,item_id,category_id,behavior_type,timestamp; no header;
                                 pv -> view, fav -> click, cart -> add_to_cart, buy -> purchase;
                                 a user's events split into sessions at session_gap */
    SHELF_LOG_REES46 = 3,     /* event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session;
                                 cart -> add_to_cart; category = category_code, else category_id;
                                 remove_from_cart rows are skipped */
    SHELF_LOG_SESSIONREC = 4, /* SessionId<TAB>ItemId<TAB>Time with a header line */
    SHELF_LOG_GENERIC = 5,    /* columns given in shelf_log_options */
    SHELF_LOG_GA4 = 6,        /* Google Analytics 4's BigQuery export as JSON Lines: event_name,
                                 event_timestamp (microseconds), user_pseudo_id, event_params[]
                                 (ga_session_id), items[] (item_id, item_category, price) */
    SHELF_LOG_SEGMENT = 7     /* Segment track calls as JSON Lines (its e-commerce spec): event,
                                 timestamp (ISO 8601), anonymousId or userId, properties.product_id,
                                 .category, .price, or properties.products[] */
} shelf_log_format;
/* For GA4 and Segment: one event per item of a line (a purchase of three items is
 * three events); the event names are those shelf_event_type_from_name() takes, and
 * other events (page_view, Checkout Started, ...) are skipped; a user's events split
 * into sessions at session_gap. */

/* "sessions", "diginetica", "taobao", "rees46", "sessionrec", "generic", "ga4", "segment". */
const char *shelf_log_format_name(shelf_log_format format);
shelf_status shelf_log_format_from_name(const char *name, shelf_log_format *format);

typedef struct shelf_log_options {
    shelf_log_format format;
    /* For SHELF_LOG_GENERIC (set by init for the others): */
    char delimiter;           /* ',' ';' '\t' ... */
    int has_header;           /* skip the first line */
    int session_column;       /* 0-based; -1: sessions come from user_column + session_gap */
    int user_column;          /* -1: none */
    int item_column;          /* required */
    int type_column;          /* -1: every event is a view */
    int time_column;          /* -1: line order */
    int category_column;      /* -1: none; categories found here join the catalog */
    int price_column;         /* -1: none */
    double time_scale;        /* multiplies the time column into seconds (0.001 for ms) */
    int time_is_iso8601;      /* the time column is "2019-10-01 00:00:00 UTC"-like text */
    double session_gap;       /* seconds of inactivity that split a user's events into sessions */
    /* Any format: */
    int skip_bad_lines;       /* 0: stop at the first bad line; 1: count it and go on */
    shelf_progress_fn progress;
    void *progress_context;
} shelf_log_options;

void shelf_log_options_init(shelf_log_options *options, shelf_log_format format);

/* Reads a log and appends its sessions. Within a log, each session's events are
 * ordered by time and sessions by their first event (line order for
 * SHELF_LOG_SESSIONS). A category or price column fills the catalog too; the last
 * non-empty value of an item wins. Empty lines are bad lines. On failure the diagnostic names the file,
 * line and problem, and the dataset keeps what it held before this call.
 * With skip_bad_lines the call succeeds; *bad_lines (if not NULL) receives how many
 * lines were skipped and the diagnostic describes the first of them. */
shelf_status shelf_dataset_read_log(shelf_dataset *dataset, const char *path,
                                    const shelf_log_options *options, uint64_t *bad_lines,
                                    shelf_diagnostic *diagnostic);

/* Reads a catalog: JSON Lines, one object per item:
 *   {"id": "sku-1", "category": "shoes", "price": 59.9, "in_stock": true}
 * Only "id" is required, and each id appears once (a second line about an item is
 * SHELF_E_PARSE naming both lines). Items not in any session are added (they can be
 * recommended by popularity only when they appear in sessions later). */
shelf_status shelf_dataset_read_catalog(shelf_dataset *dataset, const char *path,
                                        shelf_diagnostic *diagnostic);

/* A first evaluation, by the protocol of the session-based papers (SR-GNN and
 * GCE-GNN on Diginetica): items seen fewer than min_item_count times in the whole
 * dataset, and sessions left with fewer than 2 events, are dropped; sessions that
 * end in the last test_days days of the data are the test, the others the
 * training; test events of items the training lacks are removed; train_path gets
 * one session per line (SHELF_LOG_SESSIONS, for shelf_train), test_path every prefix
 * of each test session, a tab and the item after it (for shelf eval). The dataset
 * needs real times (a log with a time column). SHELF_E_BAD_ARGUMENT when the data
 * spans no more than test_days, or an id holds a space or a tab; SHELF_E_IO when a
 * file cannot be written. */
typedef struct shelf_split_options {
    double test_days;         /* default 7 */
    uint32_t min_item_count;  /* default 5 */
} shelf_split_options;

typedef struct shelf_split_report {
    uint64_t train_sessions, train_events, test_sessions, test_cases;
    uint64_t dropped_sessions;      /* shorter than 2 after the filters */
    uint64_t dropped_test_events;   /* of items the training lacks */
    uint32_t train_items;
    double first_time, cut_time, last_time; /* unix seconds: the test is what ends at cut_time or later */
} shelf_split_report;

void shelf_split_options_init(shelf_split_options *options);
shelf_status shelf_dataset_split(const shelf_dataset *dataset, const shelf_split_options *options,
                                 const char *train_path, const char *test_path, shelf_split_report *report,
                                 shelf_diagnostic *diagnostic);

uint64_t shelf_dataset_session_count(const shelf_dataset *dataset);
uint64_t shelf_dataset_event_count(const shelf_dataset *dataset);
uint32_t shelf_dataset_item_count(const shelf_dataset *dataset);

/* --------------------------------------------------------------- training --- */

typedef struct shelf_train_options {
    uint64_t seed;                /* every random choice derives from it (default 1) */
    const char *name;             /* stored in the metadata (default "shelf") */
    uint32_t neighbours;          /* top-M neighbours kept per item and table, at most 255 (default 25) */
    float min_weight;             /* a neighbour weighing less than this times its row's strongest
                                     is dropped (default 0.05) */
    uint32_t dims;                /* embedding width, a multiple of 16; 0: no embeddings (default 16) */
    uint32_t epochs;              /* embedding training epochs (default 20) */
    float validation_fraction;    /* last sessions held out to choose blend weights (default 0.1) */
    float drop_tolerance;         /* a neighbour table or the embeddings are left out when they add
                                     less than this to HR@20 + 2 MRR@20 on the held-out sessions,
                                     in points per byte the table takes per item (default 0.03: a
                                     table must earn its bytes; 0 keeps whatever helps at all) */
    int quantize;                 /* 1: int8 parameters (default); 0: float32 (see shelf_quantize_model) */
    int64_t created;              /* unix seconds stored as the creation time; 0: SOURCE_DATE_EPOCH
                                     when set (reproducible builds), else now */
    int keep_unused;              /* 1: keep scorers the blend gives no weight, to evaluate
                                     them alone (default 0: left out of the model) */
    uint32_t ranker_hidden;       /* units of the learned ranker that re-orders the blend's best
                                     candidates, at most 32; 0: no ranker (default 16) */
    uint32_t ranker_candidates;   /* how many of the blend's best it re-orders, at most 1000 (default 100) */
    shelf_progress_fn progress;
    void *progress_context;
} shelf_train_options;

void shelf_train_options_init(shelf_train_options *options);

/* Trains every scorer, chooses the blend weights on the validation split, retrains
 * on all sessions and returns the model file's bytes (free with shelf_buffer_free).
 * Deterministic: the same dataset and options give the same bytes (set `created`
 * for a byte-identical creation time too). */
shelf_status shelf_train(const shelf_dataset *dataset, const shelf_train_options *options,
                         void **model, size_t *size, shelf_diagnostic *diagnostic);

/* ------------------------------------------------------------ quantization --- */

/* Rewrites a model whose parameters are float32 into one with int8 parameters
 * (per-row scales); an int8 model comes back unchanged. */
shelf_status shelf_quantize_model(const void *model, size_t size, void **out, size_t *out_size,
                                  shelf_diagnostic *diagnostic);

/* Builds an embeddings-only model from embeddings trained elsewhere: a float32
 * .npy file of shape [n, d] (C order, little-endian) and a text file of n item ids,
 * one per line. d is padded to a multiple of 16 with zeros. `quantize` as above. */
shelf_status shelf_model_from_embeddings(const char *npy_path, const char *ids_path,
                                         const char *name, int quantize, void **out,
                                         size_t *out_size, shelf_diagnostic *diagnostic);

#ifdef __cplusplus
}
#endif

#endif /* SHELF_TRAIN_H */
