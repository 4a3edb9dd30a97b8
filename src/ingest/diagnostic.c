#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "diagnostic.h"

static void diag_vset(shelf_diagnostic *diagnostic, const char *path, uint64_t line, const char *format,
                      va_list args) {
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
    vsnprintf(diagnostic->message, sizeof diagnostic->message, format, args);
}

void shelf__diag_set(shelf_diagnostic *diagnostic, const char *path, uint64_t line, const char *format, ...) {
    va_list args;
    va_start(args, format);
    diag_vset(diagnostic, path, line, format, args);
    va_end(args);
}

shelf_status shelf__fail(shelf_diagnostic *diagnostic, shelf_status status, const char *path, uint64_t line,
                         const char *format, ...) {
    va_list args;
    va_start(args, format);
    diag_vset(diagnostic, path, line, format, args);
    va_end(args);
    return status;
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
