#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

int cli_error(const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("shelf: ", stderr);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
    va_end(args);
    return 1;
}

int cli_usage_error(const char *usage, const char *format, ...) {
    va_list args;
    va_start(args, format);
    fputs("shelf: ", stderr);
    vfprintf(stderr, format, args);
    fprintf(stderr, "\n%s", usage);
    va_end(args);
    return 2;
}

int cli_diagnostic(const shelf_diagnostic *d) {
    cli_progress_done();
    if (d->line)
        fprintf(stderr, "shelf: %s:%llu: %s\n", d->file, (unsigned long long)d->line, d->message);
    else
        fprintf(stderr, "shelf: %s: %s\n", d->file, d->message);
    return 1;
}

int cli_read_file(const char *path, void **data, size_t *size) { return cli_read_file_max(path, SIZE_MAX, data, size); }

int cli_read_file_max(const char *path, size_t max, void **data, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) return cli_error("%s: cannot open: %s", path, strerror(errno));
    size_t capacity = 1 << 16, length = 0;
    char *buffer = malloc(capacity);
    for (;;) {
        if (!buffer) {
            fclose(f);
            return cli_error("%s: out of memory", path);
        }
        length += fread(buffer + length, 1, capacity - length, f);
        if (length > max) {
            free(buffer);
            fclose(f);
            return cli_error("%s: over %zu bytes", path, max);
        }
        if (length < capacity) break;
        char *grown = realloc(buffer, capacity * 2);
        if (!grown) free(buffer);
        buffer = grown;
        capacity *= 2;
    }
    int failed = ferror(f);
    fclose(f);
    if (failed) {
        free(buffer);
        return cli_error("%s: read error", path);
    }
    *data = buffer;
    *size = length;
    return 0;
}

int cli_write_file(const char *path, const void *data, size_t size) {
    /* Write beside the target, then rename: an existing model is never left half-written. */
    size_t n = strlen(path) + 8;
    char *tmp = malloc(n);
    if (!tmp) return cli_error("out of memory");
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        cli_error("%s: cannot create: %s", tmp, strerror(errno));
        free(tmp);
        return 1;
    }
    int failed = fwrite(data, 1, size, f) != size;
    failed |= fclose(f) != 0;
    if (failed || rename(tmp, path) != 0) {
        cli_error("%s: cannot write: %s", path, strerror(errno));
        remove(tmp);
        free(tmp);
        return 1;
    }
    free(tmp);
    return 0;
}

const char *cli_id_text(const char *id, char *out) {
    size_t n = strlen(id);
    if (n <= 64) snprintf(out, CLI_ID_TEXT, "'%s'", id);
    else snprintf(out, CLI_ID_TEXT, "'%.64s...' (%zu bytes)", id, n);
    return out;
}

shelf_model *cli_open_model(const char *path, void **bytes) {
    size_t size;
    if (cli_read_file(path, bytes, &size)) return NULL;
    shelf_model *model = NULL;
    shelf_status status = shelf_model_open(*bytes, size, &model);
    if (status != SHELF_OK) {
        cli_error("%s: not a valid model: %s (%s)", path, shelf_status_message(status), shelf_status_name(status));
        free(*bytes);
        *bytes = NULL;
        return NULL;
    }
    return model;
}

static int progress_shown;

/* Seconds on a clock that only goes forward. */
static double monotonic_seconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A terminal sees one line that updates in place; a log (CI, a pipe, a file) gets
 * a line at each new stage and then every PROGRESS_LINE_SECONDS, so it is neither
 * silent for minutes nor flooded. */
#define PROGRESS_LINE_SECONDS 10.0

void cli_progress(void *context, const char *stage, uint64_t done, uint64_t total) {
    (void)context;
    /* A copy: a stage's text may live on the caller's stack ("reading FILE"). */
    static char last_stage[256];
    static double start, last_line;
    if (!isatty(STDERR_FILENO)) {
        double now = monotonic_seconds();
        if (!start) start = now;
        int new_stage = strncmp(stage, last_stage, sizeof last_stage - 1) != 0;
        if (!new_stage && now - last_line < PROGRESS_LINE_SECONDS) return;
        snprintf(last_stage, sizeof last_stage, "%s", stage);
        last_line = now;
        if (total)
            fprintf(stderr, "shelf: %s: %.0f%% (%.0f s)\n", stage, 100.0 * (double)done / (double)total, now - start);
        else
            fprintf(stderr, "shelf: %s (%.0f s)\n", stage, now - start);
        return;
    }
    if (total)
        fprintf(stderr, "\r\033[K%s: %3.0f%%", stage, 100.0 * (double)done / (double)total);
    else
        fprintf(stderr, "\r\033[K%s", stage);
    fflush(stderr);
    progress_shown = 1;
}

void cli_progress_done(void) {
    if (progress_shown) fputs("\r\033[K", stderr);
    progress_shown = 0;
}

const char *cli_option(int argc, char **argv, int *i, const char *name) {
    size_t n = strlen(name);
    const char *arg = argv[*i];
    if (strncmp(arg, name, n) != 0) return NULL;
    if (arg[n] == '=') return arg + n + 1;
    if (arg[n] != '\0') return NULL;
    if (*i + 1 >= argc) {
        cli_error("%s needs a value", name);
        exit(2);
    }
    return argv[++*i];
}

int cli_flag(const char *arg, const char *name) { return strcmp(arg, name) == 0; }

int cli_parse_u32(const char *text, const char *what, uint32_t *out) {
    char *end;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end || v > UINT32_MAX || text[0] == '-') {
        cli_error("%s: not a number in 0..4294967295: '%s'", what, text);
        return 1;
    }
    *out = (uint32_t)v;
    return 0;
}

double cli_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}
