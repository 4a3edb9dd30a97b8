/* Strict parsers of log fields: numbers, dates, and delimited lines (text_parse.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_parse.h"

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

/* ---------------------------------------------------------------- fields --- */

static shelf_status fields_grow(shelf__fields *f) {
    size_t capacity = f->capacity ? f->capacity * 2 : 16;
    char **text = realloc(f->text, capacity * sizeof *text);
    if (!text) return SHELF_E_OUT_OF_MEMORY;
    f->text = text;
    size_t *size = realloc(f->size, capacity * sizeof *size);
    if (!size) return SHELF_E_OUT_OF_MEMORY;
    f->size = size;
    f->capacity = capacity;
    return SHELF_OK;
}

shelf_status shelf__fields_split(shelf__fields *f, char *line, size_t size, char delimiter, char *message,
                                 size_t message_size) {
    char *s = line, *end = line + size;
    f->count = 0;
    for (;;) {
        if (f->count == f->capacity && fields_grow(f) != SHELF_OK) return SHELF_E_OUT_OF_MEMORY;
        char *field = s, *out;
        if (s < end && *s == '"') {
            out = s++;
            for (;;) {
                if (s == end) {
                    snprintf(message, message_size, "field %zu: unterminated quote", f->count + 1);
                    return SHELF_E_PARSE;
                }
                if (*s == '"') {
                    if (s + 1 < end && s[1] == '"') {
                        *out++ = '"';
                        s += 2;
                        continue;
                    }
                    s++;
                    break;
                }
                *out++ = *s++;
            }
            if (s < end && *s != delimiter) {
                snprintf(message, message_size, "field %zu: text after the closing quote", f->count + 1);
                return SHELF_E_PARSE;
            }
        } else {
            char *d = memchr(s, delimiter, (size_t)(end - s));
            s = out = d ? d : end;
        }
        int last = s == end;
        *out = '\0';
        f->text[f->count] = field;
        f->size[f->count] = (size_t)(out - field);
        f->count++;
        if (last) return SHELF_OK;
        s++;
    }
}

void shelf__fields_free(shelf__fields *f) {
    free(f->text);
    free(f->size);
    memset(f, 0, sizeof *f);
}
