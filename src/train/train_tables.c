/* Item-to-item neighbour tables and popularity, counted from training sessions. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "train_internal.h"

void shelf__table_free(shelf__table *table) {
    if (!table) return;
    free(table->row_start);
    free(table->items);
    free(table->weights);
    memset(table, 0, sizeof *table);
}

/* Where each item occurs: occurrences of item i are entries [first[i], first[i+1])
 * of (session, position), in session order. */
typedef struct occurrences {
    uint64_t *first;
    uint64_t *session;
    uint32_t *position;
} occurrences;

static void occurrences_free(occurrences *o) {
    free(o->first);
    free(o->session);
    free(o->position);
}

static shelf_status occurrences_build(const shelf__item_sessions *s, occurrences *o) {
    const uint64_t total = s->start[s->count];
    o->first = calloc((size_t)s->item_count + 1, sizeof *o->first);
    o->session = malloc((size_t)(total ? total : 1) * sizeof *o->session);
    o->position = malloc((size_t)(total ? total : 1) * sizeof *o->position);
    uint64_t *fill = calloc((size_t)s->item_count + 1, sizeof *fill);
    if (!o->first || !o->session || !o->position || !fill) {
        free(fill);
        occurrences_free(o);
        return SHELF_E_OUT_OF_MEMORY;
    }
    for (uint64_t e = 0; e < total; e++) o->first[s->items[e] + 1]++;
    for (uint32_t i = 0; i < s->item_count; i++) o->first[i + 1] += o->first[i];
    for (uint64_t x = 0; x < s->count; x++)
        for (uint64_t e = s->start[x]; e < s->start[x + 1]; e++) {
            uint32_t i = s->items[e];
            uint64_t k = o->first[i] + fill[i]++;
            o->session[k] = x;
            o->position[k] = (uint32_t)(e - s->start[x]);
        }
    free(fill);
    return SHELF_OK;
}

/* Accumulates one row at a time: a dense weight per item plus the list of items
 * touched. `in_row` marks the touched items: a weight of 0 cannot, since far
 * distances in one long session underflow to exactly 0 and would list an item
 * twice, past the end of `touched`. */
typedef struct row_builder {
    double *weight;
    uint8_t *in_row;
    uint32_t *touched;
    uint32_t touched_count;
    struct { float w; uint32_t item; } *sorted;
} row_builder;

static void row_add(row_builder *b, uint32_t item, double w) {
    if (!b->in_row[item]) {
        b->in_row[item] = 1;
        b->touched[b->touched_count++] = item;
    }
    b->weight[item] += w;
}

static int by_weight_then_item(const void *a, const void *b) {
    const struct { float w; uint32_t item; } *x = a, *y = b;
    if (x->w != y->w) return x->w < y->w ? 1 : -1;
    return x->item < y->item ? -1 : (x->item > y->item);
}

/* Keeps the heaviest entries of the row (times factor[item] if given) within the
 * limits, scaled to a maximum of 1. */
static shelf_status row_finish(row_builder *b, shelf__table *t, uint32_t row, shelf__row_limits limits,
                               const double *factor, uint64_t *nnz, uint64_t *capacity) {
    uint32_t n = 0;
    for (uint32_t k = 0; k < b->touched_count; k++) {
        uint32_t j = b->touched[k];
        double w = b->weight[j] * (factor ? factor[j] : 1.0);
        b->weight[j] = 0;
        b->in_row[j] = 0;
        if (w > 0) {
            b->sorted[n].w = (float)w;
            b->sorted[n].item = j;
            n++;
        }
    }
    b->touched_count = 0;
    qsort(b->sorted, n, sizeof b->sorted[0], by_weight_then_item);
    if (n > limits.neighbours) n = limits.neighbours;
    while (n > 0 && b->sorted[n - 1].w < limits.min_weight * b->sorted[0].w) n--;
    if (*nnz + n > *capacity) {
        uint64_t grown = (*capacity + n) * 2;
        uint32_t *items = realloc(t->items, (size_t)grown * sizeof *items);
        if (items) t->items = items;
        float *weights = realloc(t->weights, (size_t)grown * sizeof *weights);
        if (weights) t->weights = weights;
        if (!items || !weights) return SHELF_E_OUT_OF_MEMORY;
        *capacity = grown;
    }
    for (uint32_t k = 0; k < n; k++) {
        t->items[*nnz] = b->sorted[k].item;
        t->weights[*nnz] = b->sorted[k].w / b->sorted[0].w;
        (*nnz)++;
    }
    t->row_start[row + 1] = (uint32_t)*nnz;
    return SHELF_OK;
}

static shelf_status builder_init(row_builder *b, shelf__table *t, uint32_t item_count) {
    memset(t, 0, sizeof *t);
    b->weight = calloc(item_count ? item_count : 1, sizeof *b->weight);
    b->in_row = calloc(item_count ? item_count : 1, sizeof *b->in_row);
    b->touched = malloc((item_count ? item_count : 1) * sizeof *b->touched);
    b->sorted = malloc((item_count ? item_count : 1) * sizeof *b->sorted);
    b->touched_count = 0;
    t->row_start = calloc((size_t)item_count + 1, sizeof *t->row_start);
    if (!b->weight || !b->in_row || !b->touched || !b->sorted || !t->row_start) return SHELF_E_OUT_OF_MEMORY;
    return SHELF_OK;
}

static void builder_free(row_builder *b) {
    free(b->weight);
    free(b->in_row);
    free(b->touched);
    free(b->sorted);
}

/* Fills item `item`'s row with row_add(), one call per neighbour occurrence. */
typedef void (*row_filler)(const shelf__item_sessions *s, const occurrences *occ, uint32_t item,
                           row_builder *b, const void *context);

/* The frame both tables share: index the occurrences, fill and finish one row per
 * item. With idf_power > 0 each neighbour's weight is multiplied by its idf to
 * that power (rare items say more about a session than everywhere-items). */
static shelf_status build_table(const shelf__item_sessions *s, shelf__row_limits limits, double idf_power,
                                row_filler fill, const void *context, shelf__table *out) {
    occurrences occ = {0};
    row_builder b = {0};
    shelf__table t;
    double *idf = NULL;
    shelf_status status = builder_init(&b, &t, s->item_count);
    if (status == SHELF_OK) status = occurrences_build(s, &occ);
    if (status == SHELF_OK && idf_power > 0) {
        idf = malloc((s->item_count ? s->item_count : 1) * sizeof *idf);
        if (!idf) status = SHELF_E_OUT_OF_MEMORY;
        for (uint32_t j = 0; idf && j < s->item_count; j++) {
            double df = (double)(occ.first[j + 1] - occ.first[j]);
            double v = log((double)s->count / (df + 1.0));
            idf[j] = pow(v < 0.1 ? 0.1 : v, idf_power);  /* floored: a tiny idf would erase a row */
        }
    }
    uint64_t nnz = 0, capacity = 0;
    for (uint32_t i = 0; i < s->item_count && status == SHELF_OK; i++) {
        fill(s, &occ, i, &b, context);
        status = row_finish(&b, &t, i, limits, idf, &nnz, &capacity);
    }
    free(idf);
    builder_free(&b);
    occurrences_free(&occ);
    if (status == SHELF_OK) {
        *out = t;
    } else {
        shelf__table_free(&t);
    }
    return status;
}

static void fill_covisit(const shelf__item_sessions *s, const occurrences *occ, uint32_t i, row_builder *b,
                         const void *context) {
    const shelf__covisit_options *opt = context;
    uint64_t begin = occ->first[i], k = occ->first[i + 1];
    uint64_t last_session = UINT64_MAX;
    uint32_t rank = 0;
    /* Newest sessions first; an item seen twice in a session counts once, at its last position. */
    while (k-- > begin && rank < opt->recent_sessions) {
        uint64_t x = occ->session[k];
        if (x == last_session) continue;
        last_session = x;
        double recency = opt->recency_decay > 0 ? exp(-(double)rank / opt->recency_decay) : 1.0;
        rank++;
        uint32_t p = occ->position[k], length = (uint32_t)(s->start[x + 1] - s->start[x]);
        for (uint32_t q = 0; q < length; q++) {
            uint32_t j = s->items[s->start[x] + q];
            if (j == i) continue;
            double distance = q > p ? q - p : p - q;
            row_add(b, j, recency * exp(-(distance - 1.0) / opt->distance_decay));
        }
    }
}

shelf_status shelf__train_covisit(const shelf__item_sessions *s, const shelf__covisit_options *opt,
                                  shelf__table *out) {
    return build_table(s, opt->limits, opt->idf_power, fill_covisit, opt, out);
}

static void fill_sequential(const shelf__item_sessions *s, const occurrences *occ, uint32_t i, row_builder *b,
                            const void *context) {
    const uint32_t max_distance = *(const uint32_t *)context;
    for (uint64_t k = occ->first[i]; k < occ->first[i + 1]; k++) {
        uint64_t x = occ->session[k];
        uint32_t p = occ->position[k], length = (uint32_t)(s->start[x + 1] - s->start[x]);
        for (uint32_t q = p + 1; q < length && q - p <= max_distance; q++) {
            uint32_t j = s->items[s->start[x] + q];
            if (j != i) row_add(b, j, 1.0 / (q - p));
        }
    }
}

shelf_status shelf__train_sequential(const shelf__item_sessions *s, shelf__row_limits limits,
                                     uint32_t max_distance, shelf__table *out) {
    return build_table(s, limits, 0.0, fill_sequential, &max_distance, out);
}

void shelf__train_popularity(const shelf__item_sessions *s, float *popularity) {
    double *count = calloc(s->item_count ? s->item_count : 1, sizeof *count);
    if (!count) {
        /* Popularity is a tie-breaker: plain zeros are a safe fallback. */
        memset(popularity, 0, s->item_count * sizeof *popularity);
        return;
    }
    double horizon = s->count > 4 ? (double)s->count / 4.0 : 1.0, best = 0;
    for (uint64_t x = 0; x < s->count; x++) {
        double w = exp(-(double)(s->count - 1 - x) / horizon);
        for (uint64_t e = s->start[x]; e < s->start[x + 1]; e++) count[s->items[e]] += w;
    }
    for (uint32_t i = 0; i < s->item_count; i++) best = count[i] > best ? count[i] : best;
    for (uint32_t i = 0; i < s->item_count; i++) popularity[i] = best > 0 ? (float)(count[i] / best) : 0.0f;
    free(count);
}
