/* Diagnostics: what a failed read, training or conversion tells its caller through
 * a shelf_diagnostic (shelf_train.h): which file, which line, what was wrong. The
 * one place every native layer fills them. */
#ifndef SHELF_DIAGNOSTIC_H
#define SHELF_DIAGNOSTIC_H

#include <stddef.h>
#include <stdint.h>

#include "shelf_train.h"

#if defined(__GNUC__)
#define SHELF__PRINTF(format_at, args_at) __attribute__((format(printf, format_at, args_at)))
#else
#define SHELF__PRINTF(format_at, args_at)
#endif

/* Fills a diagnostic (NULL is allowed): the path (its end, if too long), the line
 * (1-based; 0 when the problem is not on one line) and a printf-formatted message. */
void shelf__diag_set(shelf_diagnostic *diagnostic, const char *path, uint64_t line,
                     const char *format, ...) SHELF__PRINTF(4, 5);

/* The same, returning `status`: `return shelf__fail(diag, SHELF_E_PARSE, path, 3, "...")`. */
shelf_status shelf__fail(shelf_diagnostic *diagnostic, shelf_status status, const char *path,
                         uint64_t line, const char *format, ...) SHELF__PRINTF(5, 6);

/* Copies at most 40 bytes of s[0..size) into out for a message, with control bytes
 * as '?' and "..." when cut, so that a message stays one readable line. */
void shelf__diag_quote(char *out, size_t capacity, const char *s, size_t size);

#endif
