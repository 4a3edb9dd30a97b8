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

/* Prints "shelf: " and the message to stderr; returns the exit status 1 (2 for usage errors). */
int cli_error(const char *format, ...);
int cli_usage_error(const char *usage, const char *format, ...);
/* Prints a diagnostic as "file:line: message". */
int cli_diagnostic(const shelf_diagnostic *d);

/* Whole-file reading; the buffer is malloc'ed (8-byte aligned, as models want). */
int cli_read_file(const char *path, void **data, size_t *size);
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

#endif
