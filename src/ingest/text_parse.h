/* Strict parsers for the text of logs and catalogs: numbers, dates, times, and
 * lines split into delimited fields. Strict, because a lenient parser turns a
 * wrong column into plausible numbers instead of a named error. */
#ifndef SHELF_TEXT_PARSE_H
#define SHELF_TEXT_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "shelf.h"

/* A whole NUL-terminated field: no blanks, no hex, no "inf"/"nan", nothing after
 * the number, and a finite result. Return 1 on success. */
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

/* The fields of one line, pointing into it (NUL-terminated in place). */
typedef struct shelf__fields {
    char **text;
    size_t *size;
    size_t count, capacity;
} shelf__fields;

/* Splits line[0..size) at `delimiter`, unquoting RFC 4180 fields ("a,b" and
 * "say ""hi""") in place; a record is one line (no quoted newlines).
 * SHELF_E_PARSE with `message` filled for a bad quote, SHELF_E_OUT_OF_MEMORY. */
shelf_status shelf__fields_split(shelf__fields *fields, char *line, size_t size, char delimiter,
                                 char *message, size_t message_size);
void shelf__fields_free(shelf__fields *fields);

#endif
