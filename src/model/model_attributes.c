/* Live item attributes: a catalog's stock, prices and categories changed in an open
 * model, without retraining.
 *
 * An open model's attributes are views into the file's bytes, which the model
 * borrows and never writes. So the first update copies them into one block the
 * model owns (for a model trained without a catalog: what such a model reports, no
 * category, no price, in stock) and points the views at the copy. Everything that
 * reads attributes (the filters, the per-category cap, shelf_model_item_attributes)
 * reads the views, and so sees every update. shelf_model_close() frees the block. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model_internal.h"
#include "shelf_common.h"

/* The block: item_count categories (uint32), then prices (float), then flags (one
 * byte each). malloc aligns the block for any type, and 4 * item_count keeps the
 * prices 4-byte aligned. */
typedef struct attribute_arrays {
    uint32_t *category;
    float *price;
    uint8_t *flags;
} attribute_arrays;

static attribute_arrays arrays_of(void *block, size_t n) {
    uint8_t *bytes = block;
    return (attribute_arrays){(uint32_t *)bytes, (float *)(bytes + 4 * n), bytes + 8 * n};
}

static shelf_status own_attributes(shelf_model *m) {
    const size_t n = m->item_count;
    if (n > (SIZE_MAX - 1) / 9) return SHELF_E_OUT_OF_MEMORY; /* the block's size would wrap (wasm32) */
    void *block = malloc(9 * n + 1);
    if (!block) return SHELF_E_OUT_OF_MEMORY;
    attribute_arrays a = arrays_of(block, n);
    if (m->item_category) {
        memcpy(a.category, m->item_category, n * sizeof a.category[0]);
        memcpy(a.price, m->item_price, n * sizeof a.price[0]);
        memcpy(a.flags, m->item_flags, n);
    } else {
        for (size_t i = 0; i < n; i++) {
            a.category[i] = SHELF_NO_CATEGORY;
            a.price[i] = NAN;
            a.flags[i] = SHELF_ITEM_IN_STOCK;
        }
    }
    m->owned_attributes = block;
    m->item_category = a.category;
    m->item_price = a.price;
    m->item_flags = a.flags;
    return SHELF_OK;
}

shelf_status shelf_model_set_item_attributes(shelf_model *model, uint32_t item, uint32_t category, float price,
                                             uint32_t flags) {
    if (!model) return SHELF_E_NULL_ARGUMENT;
    if (item >= model->item_count) return SHELF_E_UNKNOWN_ITEM;
    if (category != SHELF_NO_CATEGORY && category >= model->categories.count) return SHELF_E_UNKNOWN_CATEGORY;
    /* The loader's rules for the file's attributes, so that an update cannot make
     * a model the loader would have refused. */
    if (!isnan(price) && !(price >= 0.0f && isfinite(price))) return SHELF_E_BAD_ARGUMENT;
    if (flags & ~(uint32_t)SHELF__ITEM_FLAGS_KNOWN) return SHELF_E_BAD_ARGUMENT;
    if (!model->owned_attributes) SHELF__TRY(own_attributes(model));
    attribute_arrays a = arrays_of(model->owned_attributes, model->item_count);
    a.category[item] = category;
    a.price[item] = price;
    a.flags[item] = (uint8_t)flags;
    return SHELF_OK;
}
