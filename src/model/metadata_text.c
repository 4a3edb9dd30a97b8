/* Writing the metadata JSON of a model (model_writer.h): text with printf, JSON
 * strings, and the one rule for the creation time. Native only, like the writer. */
#define _POSIX_C_SOURCE 200809L  /* gmtime_r */

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "model_writer.h"

void shelf__text_add(shelf__text *t, const char *format, ...) {
    if (t->failed) return;
    va_list args, again;
    va_start(args, format);
    va_copy(again, args);
    int need = vsnprintf(NULL, 0, format, args);
    va_end(args);
    if (need >= 0 && t->size + (size_t)need + 1 > t->capacity) {
        size_t grown = (t->size + (size_t)need + 1) * 2;
        char *data = realloc(t->data, grown);
        if (data) {
            t->data = data;
            t->capacity = grown;
        } else {
            need = -1;
        }
    }
    if (need < 0) {
        t->failed = 1;
    } else {
        vsnprintf(t->data + t->size, t->capacity - t->size, format, again);
        t->size += (size_t)need;
    }
    va_end(again);
}

void shelf__text_add_json_string(shelf__text *t, const char *s) {
    shelf__text_add(t, "\"");
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') shelf__text_add(t, "\\%c", c);
        else if (c < 0x20) shelf__text_add(t, "\\u%04x", c);
        else shelf__text_add(t, "%c", c);
    }
    shelf__text_add(t, "\"");
}

char *shelf__text_finish(shelf__text *t) {
    char *data = t->failed ? NULL : t->data;
    if (!data) free(t->data);
    t->data = NULL;
    t->size = t->capacity = 0;
    return data;
}

/* SOURCE_DATE_EPOCH as unix seconds: decimal digits only, else ignored. */
static int source_date_epoch(time_t *out) {
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (!epoch || !*epoch) return 0;
    unsigned long long v = 0;
    for (const char *p = epoch; *p; p++) {
        if (*p < '0' || *p > '9' || v > 922337203685477580ull) return 0;
        v = v * 10 + (unsigned)(*p - '0');
    }
    *out = (time_t)v;
    return 1;
}

void shelf__created_time(int64_t requested, char out[32]) {
    time_t when;
    if (requested > 0) {
        when = (time_t)requested;
    } else if (!source_date_epoch(&when)) {
        when = time(NULL);
    }
    struct tm utc;
    if (gmtime_r(&when, &utc) == NULL || strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &utc) == 0)
        snprintf(out, 32, "1970-01-01T00:00:00Z");
}
