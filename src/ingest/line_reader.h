/* The line reader of the log, catalog and ids readers: lines of any length (up to
 * a bound, so that a file without newlines cannot take all memory), line numbers
 * for diagnostics, and progress reports as the bytes go by. */
#ifndef SHELF_LINE_READER_H
#define SHELF_LINE_READER_H

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

#endif
