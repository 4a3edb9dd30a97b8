/* The `shelf` command-line tool: one file per subcommand, sharing these helpers.
 * It uses the public headers only, as any program of our users would. */
#ifndef SHELF_CLI_H
#define SHELF_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "shelf.h"
#include "shelf_train.h"

int cli_train(int argc, char **argv);
int cli_quantize(int argc, char **argv);
int cli_eval(int argc, char **argv);
int cli_inspect(int argc, char **argv);
int cli_recommend(int argc, char **argv);
int cli_related(int argc, char **argv);
int cli_split(int argc, char **argv);

/* Prints "shelf: " and the message to stderr; returns the exit status 1 (2 for usage errors). */
int cli_error(const char *format, ...);
int cli_usage_error(const char *usage, const char *format, ...);
/* Prints a diagnostic as "file:line: message". */
int cli_diagnostic(const shelf_diagnostic *d);

/* Whole-file reading; the buffer is malloc'ed (8-byte aligned, as models want). */
int cli_read_file(const char *path, void **data, size_t *size);
/* The same, refusing a file over `max` bytes (input a command only needs a little of). */
int cli_read_file_max(const char *path, size_t max, void **data, size_t *size);
/* An id as messages show it: quoted, and cut to its first 64 bytes (an id of 100 MB
 * must not be echoed whole). `out` holds at least CLI_ID_TEXT bytes. */
#define CLI_ID_TEXT 112
const char *cli_id_text(const char *id, char *out);
int cli_write_file(const char *path, const void *data, size_t size);

/* Opens a model file; prints a named error and returns NULL on failure. */
shelf_model *cli_open_model(const char *path, void **bytes);

/* Progress on a terminal only: a single rewritten line on stderr. */
void cli_progress(void *context, const char *stage, uint64_t done, uint64_t total);
void cli_progress_done(void);

/* Option parsing: "--name value" or "--name=value". Returns the value when argv[*i]
 * is that option (advancing *i past its value), NULL otherwise. */
const char *cli_option(int argc, char **argv, int *i, const char *name);
int cli_flag(const char *arg, const char *name);
int cli_parse_u32(const char *text, const char *what, uint32_t *out);
double cli_seconds(void);

/* The events of `shelf recommend --events` (cli_events.c): a JSON array of { type,
 * item, ts?, weight? } of at most CLI_EVENTS_MAX_BYTES (a session holds 64 events),
 * checked and tracked into `session`; 0, or 1 after printing the problem. */
#define CLI_EVENTS_MAX_BYTES (1 << 20)
int cli_track_events(shelf_session *session, const shelf_model *model, const char *model_path, const char *text,
                     size_t size, const char *source);

/* A line of a test file (its end of line removed), `length` bytes: the prefix is
 * cut at the tab, in place, and the label is returned; NULL unless the line is
 * space-separated prefix ids, a tab and one label id. */
char *cli_case_split(char *line, size_t length);

/* The input options train and split share (cli_input.c). */
#define CLI_INPUTS_MAX 64
#define CLI_INPUT_HELP                                                                                    \
    "  --sessions FILE      one session per line, item ids separated by spaces, oldest first\n"             \
    "  --events FILE        a raw event log, read as --format says\n"                                        \
    "  --format NAME        diginetica | taobao | rees46 | sessionrec | generic | ga4 | segment\n"           \
    "  --columns SPEC       generic logs: session=N,user=N,item=N,type=N,time=N,category=N,price=N\n"        \
    "                       (0-based columns; item is required)\n"                                           \
    "  --delimiter C        generic logs: field separator (default ','; 'tab' for a tab)\n"                  \
    "  --header             generic logs: skip the first line\n"                                             \
    "  --time-scale X       generic logs: multiply times by X to get seconds (0.001 for ms)\n"               \
    "  --iso-time           generic logs: times are text like 2019-10-01 00:00:00 UTC\n"                     \
    "  --session-gap S      seconds of inactivity that split a user's events (default 1800)\n"               \
    "  --skip-bad-lines     report malformed lines and go on (default: stop at the first)\n"                 \
    "  --catalog FILE       JSON Lines of item attributes: id, category, price, in_stock\n"
typedef struct cli_input {
    const char *files[CLI_INPUTS_MAX];
    int is_log[CLI_INPUTS_MAX], count;
    const char *format, *columns, *delimiter, *catalog;
    int header, iso_time, skip_bad;
    double time_scale, session_gap;
} cli_input;
void cli_input_init(cli_input *in);
/* 1 when argv[*i] is an input option (consumed, with its value); 0 when it is not;
 * -1 for a bad one (reported: exit with status 2). */
int cli_input_option(cli_input *in, int argc, char **argv, int *i, const char *usage);
/* Reads every input into a new dataset (*out); 0, or the exit status after
 * reporting the problem. Prints what was read. */
int cli_input_read(const cli_input *in, const char *command, const char *usage, shelf_dataset **out);

/* What `shelf eval` measures in one pass over a test file (cli_eval.c), and the
 * HTML report made of several (cli_report.c). */
#define CLI_REPORT_K 50
#define CLI_REPORT_SERIES 8
typedef struct cli_figures {
    uint32_t scorers, k;
    uint64_t cases, unknown_labels, unknown_prefix_items;
    double hr, mrr, ndcg, p50, p99;   /* percent at k; microseconds */
    uint64_t *at_rank;                /* k counts: labels found at each rank (report passes only) */
    double *latency_us;               /* every call, sorted (report passes only) */
    size_t latency_count;
} cli_figures;
void cli_figures_free(cli_figures *f);
/* Whether the model holds what the scorer needs (popularity and repeat always). */
int cli_model_has_scorer(const shelf_model *model, uint32_t scorer);
/* Writes the report; 0, or 1 after printing why. */
int cli_write_report(const char *path, const char *model_path, const char *test_path, const shelf_model *model,
                     const char *const *names, const cli_figures *series, uint32_t count);

/* The options recommend and related share (cli_request.c): --k, the filters, --json. */
#define CLI_LIST_MAX 32
#define CLI_REQUEST_HELP                                                           \
    "  --k K                 how many (default 10)\n"                              \
    "  --exclude ID[,ID...]  never these items (repeatable; unknown ids are ignored)\n" \
    "  --in-stock            only items the catalog marks in stock\n"               \
    "  --category NAME       only this category (repeatable)\n"                     \
    "  --deny-category NAME  never this category (repeatable)\n"                    \
    "  --min-price X, --max-price X\n"                                              \
    "  --per-category N      at most N items of one category\n"                     \
    "  --json                print JSON\n"
typedef struct cli_request {
    shelf_request request;
    int json;
    const char *allow_names[CLI_LIST_MAX], *deny_names[CLI_LIST_MAX], *exclude_lists[CLI_LIST_MAX];
    uint32_t allow_count, deny_count, exclude_list_count;
    uint32_t allow[CLI_LIST_MAX], deny[CLI_LIST_MAX];
    uint32_t *exclude;  /* malloc'ed by cli_request_resolve() */
} cli_request;
void cli_request_init(cli_request *r);
void cli_request_free(cli_request *r);
/* 1 when argv[*i] is one of the shared options (consumed, with its value); 0 when it
 * is not; -1 for a bad value (reported: exit with status 2). */
int cli_request_option(cli_request *r, int argc, char **argv, int *i, const char *usage);
/* Category names and item ids to indices; reports the problem and returns 1 on failure. */
int cli_request_resolve(cli_request *r, const shelf_model *model, const char *model_path);
/* One line per result ("  1. id  score  reason (because)"), or a JSON array. */
void cli_print_results(const shelf_model *model, const shelf_result *results, size_t count, int json);

#endif
