/* Files from other tools: a NumPy .npy matrix and a text file of ids (npy_read.c). */
#ifndef SHELF_NPY_READ_H
#define SHELF_NPY_READ_H

#include <stddef.h>
#include <stdint.h>

#include "shelf_train.h"

/* Reads a whole file into a malloc'ed buffer with one spare NUL byte after it.
 * SHELF_E_IO or SHELF_E_OUT_OF_MEMORY with the diagnostic filled. */
shelf_status shelf__read_file(const char *path, char **data, size_t *size, shelf_diagnostic *diagnostic);

/* Reads a float32 [n, d] .npy matrix (C order, little-endian, format 1.0 or 2.0;
 * 1 <= n <= 2^30, 1 <= d <= max_columns, every value finite) into a malloc'ed
 * n x dims array, dims = d rounded up to a multiple of `pad`, zero-padded.
 * SHELF_E_PARSE with a diagnostic naming what was wrong. */
shelf_status shelf__read_npy(const char *path, uint32_t max_columns, uint32_t pad, float **values,
                            uint32_t *rows, uint32_t *dims, shelf_diagnostic *diagnostic);

/* Splits `text` (modified in place) into exactly `expected` lines, each a
 * non-empty, distinct id; a final newline is optional, blank lines at the end are
 * ignored and "\r\n" is accepted. Item i is on line i + 1; ids[i] points into text. */
shelf_status shelf__split_ids(char *text, size_t size, uint32_t expected, const char **ids, const char *path,
                             shelf_diagnostic *diagnostic);

#endif
