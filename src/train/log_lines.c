/* Lines, diagnostics, numbers and dates for the log and catalog readers. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "log_internal.h"

/* Reads come in pieces of this size, and progress is reported about this often. */
#define READ_CHUNK ((size_t)1 << 20)

/* ------------------------------------------------------------ diagnostics --- */

void shelf__diag_set(shelf_diagnostic *diagnostic, const char *path, uint64_t line,
                     const char *format, ...) {
    if (!diagnostic) return;
    const char *p = path ? path : "";
    size_t n = strlen(p);
    /* The end of a long path (the file's name) says more than its beginning. */
    if (n >= sizeof diagnostic->file) {
        size_t keep = sizeof diagnostic->file - 4;
        memcpy(diagnostic->file, "...", 3);
        memcpy(diagnostic->file + 3, p + n - keep, keep + 1);
    } else {
        memcpy(diagnostic->file, p, n + 1);
    }
    diagnostic->line = line;
    va_list args;
    va_start(args, format);
    vsnprintf(diagnostic->message, sizeof diagnostic->message, format, args);
    va_end(args);
}

void shelf__diag_quote(char *out, size_t capacity, const char *s, size_t size) {
    const size_t limit = 40;
    size_t n = size < limit ? size : limit;
    if (capacity < 4) {
        if (capacity) out[0] = '\0';
        return;
    }
    if (n > capacity - 4) n = capacity - 4;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        out[i] = (c < 0x20 || c == 0x7F) ? '?' : (char)c;
    }
    if (n < size) {
        memcpy(out + n, "...", 4);
    } else {
        out[n] = '\0';
    }
}

/* ----------------------------------------------------------------- lines --- */

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

/* --------------------------------------------------------------- numbers --- */

int shelf__parse_double(const char *s, double *value) {
    if (!*s) return 0;
    /* strtod also takes blanks, hex, "inf" and "nan": none is a number in a log. */
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '+' || *p == 'e' || *p == 'E'))
            return 0;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v)) return 0;
    *value = v;
    return 1;
}

int shelf__parse_int64(const char *s, int64_t *value) {
    const char *p = s;
    if (*p == '-' || *p == '+') p++;
    if (!*p) return 0;
    for (const char *q = p; *q; q++)
        if (*q < '0' || *q > '9') return 0;
    errno = 0;
    char *end;
    long long v = strtoll(s, &end, 10);
    if (errno == ERANGE || *end != '\0') return 0;
    *value = (int64_t)v;
    return 1;
}

/* ----------------------------------------------------------------- dates --- */

int64_t shelf__days_from_civil(int64_t year, unsigned month, unsigned day) {
    /* Howard Hinnant's algorithm: years start in March, so the leap day is last;
     * eras of 400 years repeat exactly. */
    int64_t y = year - (month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (int64_t)(month > 2 ? month - 3 : month + 9) + 2) / 5 + (int64_t)day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t count, unsigned *value) {
    unsigned v = 0;
    for (size_t i = 0; i < count; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    *value = v;
    return 1;
}

int shelf__parse_date(const char *s, size_t size, int64_t *days) {
    static const unsigned month_days[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    unsigned year, month, day;
    if (size != 10 || s[4] != '-' || s[7] != '-') return 0;
    if (!digits(s, 4, &year) || !digits(s + 5, 2, &month) || !digits(s + 8, 2, &day)) return 0;
    if (month < 1 || month > 12 || day < 1 || day > month_days[month - 1]) return 0;
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    if (month == 2 && day == 29 && !leap) return 0;
    *days = shelf__days_from_civil(year, month, day);
    return 1;
}

int shelf__parse_iso8601(const char *s, size_t size, double *seconds) {
    int64_t days;
    if (size < 10 || !shelf__parse_date(s, 10, &days)) return 0;
    double t = (double)days * 86400.0;
    size_t i = 10;
    if (i < size && (s[i] == 'T' || s[i] == ' ') && i + 1 < size && s[i + 1] >= '0' && s[i + 1] <= '9') {
        unsigned hour, minute, second = 0;
        i++;
        if (i + 5 > size || !digits(s + i, 2, &hour) || s[i + 2] != ':' || !digits(s + i + 3, 2, &minute))
            return 0;
        i += 5;
        if (i < size && s[i] == ':') {
            if (i + 3 > size || !digits(s + i + 1, 2, &second)) return 0;
            i += 3;
        }
        if (hour > 23 || minute > 59 || second > 60) return 0;
        t += hour * 3600.0 + minute * 60.0 + second;
        if (i < size && (s[i] == '.' || s[i] == ',')) {
            double scale = 0.1, fraction = 0;
            size_t first = ++i;
            for (; i < size && s[i] >= '0' && s[i] <= '9'; i++, scale *= 0.1) fraction += (s[i] - '0') * scale;
            if (i == first) return 0;
            t += fraction;
        }
    }
    if (i == size) {
        *seconds = t;
        return 1;
    }
    /* One blank may separate the zone ("... 00:00:00 UTC"), but cannot end the text. */
    if (s[i] == ' ' && ++i == size) return 0;
    if (size - i == 1 && s[i] == 'Z') {
        *seconds = t;
        return 1;
    }
    if (size - i == 3 && (memcmp(s + i, "UTC", 3) == 0 || memcmp(s + i, "GMT", 3) == 0)) {
        *seconds = t;
        return 1;
    }
    if (s[i] == '+' || s[i] == '-') {
        double sign = s[i] == '-' ? -1.0 : 1.0;
        unsigned hours, minutes = 0;
        const char *z = s + i + 1;
        size_t n = size - i - 1;
        if (n == 2 && digits(z, 2, &hours)) {
        } else if (n == 4 && digits(z, 2, &hours) && digits(z + 2, 2, &minutes)) {
        } else if (n == 5 && z[2] == ':' && digits(z, 2, &hours) && digits(z + 3, 2, &minutes)) {
        } else {
            return 0;
        }
        if (hours > 23 || minutes > 59) return 0;
        /* 10:00+02:00 is 08:00 UTC. */
        *seconds = t - sign * (hours * 3600.0 + minutes * 60.0);
        return 1;
    }
    return 0;
}
