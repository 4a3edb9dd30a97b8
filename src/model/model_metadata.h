/* The metadata section: UTF-8 JSON read with cJSON into the model's blend settings. */
#ifndef SHELF_MODEL_METADATA_H
#define SHELF_MODEL_METADATA_H

#include <stddef.h>
#include <stdint.h>

#include "model_internal.h"

/* 1 when p[0..size) is well-formed UTF-8 (RFC 3629: no overlong forms, no
 * surrogates, nothing above U+10FFFF) without NUL bytes; 0 otherwise. The writer
 * uses it too, to refuse names that would make the metadata unreadable. */
int shelf__utf8_valid(const uint8_t *p, size_t size);

/* Parses model->metadata[0..metadata_size) and, on success only, sets model->name
 * (owned) and model->blend. Needs item_count and every other section decoded first:
 * "items" and "dims" are checked against them, and a scorer cannot have a weight
 * without its section. SHELF_E_BAD_METADATA or SHELF_E_OUT_OF_MEMORY otherwise. */
shelf_status shelf__metadata_parse(shelf_model *model);

#endif
