/* Lines of any length from a file, with progress reports (line_reader.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diagnostic.h"
#include "line_reader.h"

/* Reads come in pieces of this size, and progress is reported about this often. */
#define READ_CHUNK ((size_t)1 << 20)

shelf_status shelf__log_reader_open(shelf__log_reader *reader, const char *path,
                                    shelf_progress_fn progress, void *progress_context,
                                    shelf_diagnostic *diagnostic) {
    memset(reader, 0, sizeof *reader);
    reader->path = path;
    reader->progress = progress;
    reader->progress_context = progress_context;
    errno = 0;
    reader->file = fopen(path, "rb");
    if (!reader->file) {
        int e = errno;
        shelf__diag_set(diagnostic, path, 0, "cannot open: %s", e ? strerror(e) : "unknown reason");
        return SHELF_E_IO;
    }
    /* The size is only for progress reports; a pipe has none, and that is fine. */
    if (fseek(reader->file, 0, SEEK_END) == 0) {
        long size = ftell(reader->file);
        if (size > 0) reader->file_size = (uint64_t)size;
    }
    if (fseek(reader->file, 0, SEEK_SET) != 0) clearerr(reader->file);
    reader->capacity = READ_CHUNK;
    reader->buffer = malloc(reader->capacity);
    if (!reader->buffer) {
        fclose(reader->file);
        reader->file = NULL;
        shelf__diag_set(diagnostic, path, 0, "out of memory");
        return SHELF_E_OUT_OF_MEMORY;
    }
    const char *base = path;
    for (const char *p = path; *p; p++)
        if (*p == '/' || *p == '\\') base = p + 1;
    snprintf(reader->stage, sizeof reader->stage, "reading %s", base);
    return SHELF_OK;
}

void shelf__log_reader_close(shelf__log_reader *reader) {
    if (reader->file) fclose(reader->file);
    free(reader->buffer);
    reader->file = NULL;
    reader->buffer = NULL;
}

static shelf__line_result finish_line(shelf__log_reader *r, size_t start, size_t size, char **line,
                                      size_t *line_size) {
    char *s = r->buffer + start;
    r->line++;
    if (size && s[size - 1] == '\r') size--;
    /* The byte after the line is its '\n' or '\r', or (for a last line with no
     * newline) the byte always kept free at the end of the buffer. */
    s[size] = '\0';
    if (r->line == 1 && size >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
        s += 3;
        size -= 3;
    }
    /* Every parser works on C strings: a NUL inside would silently cut the line. */
    if (memchr(s, '\0', size)) {
        r->bad_reason = "NUL byte in the line (is this a binary file?)";
        return SHELF__LINE_BAD;
    }
    *line = s;
    *line_size = size;
    return SHELF__LINE_OK;
}

static shelf__line_result too_long(shelf__log_reader *r) {
    r->discarding = 0;
    r->line++;
    r->bad_reason = "line longer than 64 MiB";
    return SHELF__LINE_BAD;
}

shelf__line_result shelf__log_next_line(shelf__log_reader *reader, char **line, size_t *size) {
    shelf__log_reader *r = reader;
    for (;;) {
        char *newline = memchr(r->buffer + r->begin, '\n', r->end - r->begin);
        if (newline) {
            size_t start = r->begin;
            r->begin = (size_t)(newline - r->buffer) + 1;
            if (r->discarding) return too_long(r);
            return finish_line(r, start, (size_t)(newline - r->buffer) - start, line, size);
        }
        if (r->at_eof) {
            if (r->discarding) return too_long(r);
            if (r->begin == r->end) return SHELF__LINE_END;
            size_t start = r->begin;
            r->begin = r->end;
            return finish_line(r, start, r->end - start, line, size);
        }
        if (r->discarding) {
            r->begin = r->end = 0;
        } else if (r->begin > 0) {
            memmove(r->buffer, r->buffer + r->begin, r->end - r->begin);
            r->end -= r->begin;
            r->begin = 0;
        }
        if (r->end + 1 >= r->capacity) {
            /* One line fills the buffer: grow it, or give up on this line. */
            if (r->capacity > SHELF__LOG_MAX_LINE) {
                r->discarding = 1;
                r->begin = r->end = 0;
            } else {
                size_t capacity = r->capacity * 2;
                if (capacity > SHELF__LOG_MAX_LINE + 2) capacity = SHELF__LOG_MAX_LINE + 2;
                char *buffer = realloc(r->buffer, capacity);
                if (!buffer) {
                    r->status = SHELF_E_OUT_OF_MEMORY;
                    snprintf(r->error, sizeof r->error, "out of memory for a line of %zu bytes", r->end);
                    return SHELF__LINE_FAIL;
                }
                r->buffer = buffer;
                r->capacity = capacity;
            }
        }
        size_t want = r->capacity - 1 - r->end;
        if (want > READ_CHUNK) want = READ_CHUNK;
        errno = 0;
        size_t got = fread(r->buffer + r->end, 1, want, r->file);
        if (got == 0) {
            if (ferror(r->file)) {
                int e = errno;
                r->status = SHELF_E_IO;
                snprintf(r->error, sizeof r->error, "read failed: %s", e ? strerror(e) : "unknown reason");
                return SHELF__LINE_FAIL;
            }
            r->at_eof = 1;
            /* The last report says "all done", whatever the spacing before it. */
            if (r->progress && r->reported != r->bytes_read)
                r->progress(r->progress_context, r->stage, r->bytes_read, r->file_size);
            continue;
        }
        r->end += got;
        r->bytes_read += got;
        /* Reads are at most a chunk but often a little less (the partial line at
         * the end of the buffer is kept): half a chunk apart gives a report per read. */
        if (r->progress && r->bytes_read - r->reported >= READ_CHUNK / 2) {
            r->progress(r->progress_context, r->stage, r->bytes_read, r->file_size);
            r->reported = r->bytes_read;
        }
    }
}
