/* Item embeddings: skip-gram with negative sampling over sessions (item2vec).
 * Items that occur near each other in sessions get nearby vectors. Single-threaded
 * so that one seed always gives the same vectors. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "train_internal.h"

#define NEGATIVE_TABLE_SIZE (1u << 22)

static float sigmoid(float x) {
    if (x > 8) return 1;
    if (x < -8) return 0;
    return 1.0f / (1.0f + expf(-x));
}

/* One (center, context) pair: pull their vectors together, push `negatives` sampled items away. */
static void train_pair(float *in, float *out, float *grad, uint32_t dims, uint32_t center, uint32_t context,
                       const uint32_t *table, uint32_t negatives, float lr, uint64_t *rng) {
    float *v = in + (size_t)center * dims;
    memset(grad, 0, dims * sizeof *grad);
    for (uint32_t n = 0; n <= negatives; n++) {
        uint32_t target = context;
        float label = 1;
        if (n > 0) {
            target = table[shelf__random_next(rng) % NEGATIVE_TABLE_SIZE];
            if (target == context) continue;
            label = 0;
        }
        float *u = out + (size_t)target * dims;
        float dot = 0;
        for (uint32_t d = 0; d < dims; d++) dot += v[d] * u[d];
        float g = (label - sigmoid(dot)) * lr;
        for (uint32_t d = 0; d < dims; d++) grad[d] += g * u[d];
        for (uint32_t d = 0; d < dims; d++) u[d] += g * v[d];
    }
    for (uint32_t d = 0; d < dims; d++) v[d] += grad[d];
}

shelf_status shelf__train_embeddings(const shelf__item_sessions *s, const shelf__embedding_options *opt,
                                     float **result) {
    const uint32_t n = s->item_count, dims = opt->dims;
    const uint64_t total = s->start[s->count];
    float *in = malloc((size_t)n * dims * sizeof *in);
    float *out = calloc((size_t)n * dims, sizeof *out);
    float *grad = malloc(dims * sizeof *grad);
    uint32_t *table = malloc(NEGATIVE_TABLE_SIZE * sizeof *table);
    double *freq = calloc(n ? n : 1, sizeof *freq);
    if (!in || !out || !grad || !table || !freq) {
        free(in); free(out); free(grad); free(table); free(freq);
        return SHELF_E_OUT_OF_MEMORY;
    }
    uint64_t rng = opt->seed ^ 0x5348454C46ull;
    for (size_t k = 0; k < (size_t)n * dims; k++)
        in[k] = ((float)(shelf__random_next(&rng) >> 40) / (float)(1u << 24) - 0.5f) / (float)dims;

    /* Negatives are drawn by frequency^0.75, as word2vec does: a table of item indices. */
    double sum = 0;
    for (uint64_t e = 0; e < total; e++) freq[s->items[e]] += 1;
    for (uint32_t i = 0; i < n; i++) sum += (freq[i] = pow(freq[i], 0.75));
    uint32_t item = 0;
    double reach = n ? freq[0] / sum : 1;
    for (uint32_t k = 0; k < NEGATIVE_TABLE_SIZE; k++) {
        table[k] = item;
        if ((double)(k + 1) / NEGATIVE_TABLE_SIZE > reach && item + 1 < n) reach += freq[++item] / sum;
    }

    const uint64_t steps = (uint64_t)opt->epochs * total;
    uint64_t step = 0;
    for (uint32_t epoch = 0; epoch < opt->epochs; epoch++) {
        for (uint64_t x = 0; x < s->count; x++) {
            const uint32_t *items = s->items + s->start[x];
            uint32_t length = (uint32_t)(s->start[x + 1] - s->start[x]);
            float lr = opt->learning_rate * (1.0f - (float)step / (float)(steps + 1));
            if (lr < opt->learning_rate * 1e-4f) lr = opt->learning_rate * 1e-4f;
            for (uint32_t p = 0; p < length; p++) {
                uint32_t lo = p > opt->window ? p - opt->window : 0;
                uint32_t hi = p + opt->window < length - 1 ? p + opt->window : length - 1;
                for (uint32_t q = lo; q <= hi; q++)
                    if (q != p && items[q] != items[p])
                        train_pair(in, out, grad, dims, items[p], items[q], table, opt->negatives, lr, &rng);
            }
            step += length;
            if (opt->progress && (x & 0x3FFF) == 0)
                opt->progress(opt->progress_context, "training embeddings", step, steps);
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        float *v = in + (size_t)i * dims, norm = 0;
        for (uint32_t d = 0; d < dims; d++) norm += v[d] * v[d];
        norm = sqrtf(norm);
        for (uint32_t d = 0; d < dims; d++) v[d] = norm > 0 ? v[d] / norm : 0;
    }
    free(out); free(grad); free(table); free(freq);
    *result = in;
    return SHELF_OK;
}
