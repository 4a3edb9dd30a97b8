/* What the log and catalog readers share: a line reader that takes lines of any
 * length, diagnostics, and strict parsers for numbers and dates. */
#ifndef SHELF_LOG_INTERNAL_H
#define SHELF_LOG_INTERNAL_H

#include <stdint.h>
#include <stdio.h>

#include "shelf_train.h"

/* A line longer than this is reported instead of being read: a file with no
 * newline at all (a binary file, a wrong path) must not take all memory. */
#define SHELF__LOG_MAX_LINE ((size_t)64 << 20)

typedef enum shelf__line_result {
    SHELF__LINE_END = 0,  /* no more lines */
    SHELF__LINE_OK = 1,   /* *line holds the next line */
    SHELF__LINE_BAD = 2,  /* the line cannot be used (reader->bad_reason says why); go on or stop */
    SHELF__LINE_FAIL = 3  /* reading failed (reader->status, reader->error) */
} shelf__line_result;

typedef struct shelf__log_reader {
    FILE *file;
    const char *path;
    char *buffer;
    size_t capacity;          /* bytes allocated; one is always kept for a NUL */
    size_t begin, end;        /* unread bytes are buffer[begin .. end) */
    int at_eof;
    int discarding;           /* inside a line longer than SHELF__LOG_MAX_LINE */
    uint64_t line;            /* 1-based number of the line last returned */
    uint64_t bytes_read;
    uint64_t file_size;       /* 0 when unknown (a pipe) */
    uint64_t reported;        /* bytes_read at the last progress report */
    shelf_progress_fn progress;
    void *progress_context;
    char stage[96];
    const char *bad_reason;
    shelf_status status;
    char error[160];
} shelf__log_reader;

/* Opens `path`; on failure SHELF_E_IO (or _OUT_OF_MEMORY) with the diagnostic
 * filled (line 0, the system's reason). `progress` may be NULL. */
shelf_status shelf__log_reader_open(shelf__log_reader *reader, const char *path,
                                    shelf_progress_fn progress, void *progress_context,
                                    shelf_diagnostic *diagnostic);
void shelf__log_reader_close(shelf__log_reader *reader);

/* The next line, without its "\n" or "\r\n" and without a UTF-8 BOM on line 1,
 * NUL-terminated and writable until the next call; lines of any length up to
 * SHELF__LOG_MAX_LINE, the last one with or without a final newline. */
shelf__line_result shelf__log_next_line(shelf__log_reader *reader, char **line, size_t *size);

/* Fills a diagnostic (NULL is allowed): the path (its end, if too long), the line
 * and a printf-formatted message. */
void shelf__diag_set(shelf_diagnostic *diagnostic, const char *path, uint64_t line,
                     const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Copies at most 40 bytes of s[0..size) into out for a message, with control bytes
 * as '?' and "..." when cut, so that a message stays one readable line. */
void shelf__diag_quote(char *out, size_t capacity, const char *s, size_t size);

/* Strict number parsing of a whole NUL-terminated field: no blanks, no hex, no
 * "inf"/"nan", nothing after the number, and a finite result. Return 1 on success. */
int shelf__parse_double(const char *s, double *value);
int shelf__parse_int64(const char *s, int64_t *value);

/* Days from 1970-01-01 of a proleptic Gregorian date (negative before 1970). */
int64_t shelf__days_from_civil(int64_t year, unsigned month, unsigned day);
/* "YYYY-MM-DD" exactly; 1 on success. */
int shelf__parse_date(const char *s, size_t size, int64_t *days);
/* "YYYY-MM-DD", optionally followed by "T" or " " and "HH:MM", ":SS", ".fraction",
 * and a zone: "Z", "UTC", "GMT" (after an optional space) or "+HH:MM", "+HHMM",
 * "+HH"; unix seconds. 1 on success. */
int shelf__parse_iso8601(const char *s, size_t size, double *seconds);

#endif
