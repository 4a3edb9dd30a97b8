/* Item embeddings learned to predict the next item of a session.
 *
 * The model is the runtime's embedding scorer itself: a session is the
 * position-decayed mean of its items' unit vectors, and every item scores the
 * cosine of its unit vector with it. One table serves both sides (what an item
 * is as an input is what it is as an answer), so the model file holds d numbers
 * per item and nothing else. Training minimizes the cross-entropy of the next
 * item over the true next item and a shared sample of items drawn by popularity
 * (a sampled softmax, its logits corrected by the log of each item's sampling
 * probability so that it estimates the full softmax), with lazy Adam on the rows
 * a batch touches. Single-threaded, so one seed always gives the same vectors.
 */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "train_internal.h"

#define SAMPLER_SIZE (1u << 22)
#define MAX_PREFIX 32u /* older events weigh under e^-8 at the decays that train well */

typedef struct trainer {
    uint32_t n, dims, negatives;
    float scale, decay;
    float *rows, *m, *v, *grad;   /* n x dims each */
    uint8_t *touched;             /* per item: in this batch's list */
    uint32_t *touched_list, touched_count;
    uint32_t *sampler;            /* SAMPLER_SIZE item indices, by popularity^0.75 */
    float *log_q;                 /* per item: log(negatives x sampling probability) */
    float *unit;                  /* negatives x dims: the sampled items' unit vectors */
    float *unit_grad;             /* negatives x dims: the loss's gradient at them */
    uint32_t *sample;             /* negatives */
    float *logits;                /* negatives + 1 */
    uint64_t step;
} trainer;

static float norm_of(const float *x, uint32_t dims) {
    float s = 0;
    for (uint32_t d = 0; d < dims; d++) s += x[d] * x[d];
    return sqrtf(s);
}

static void touch(trainer *t, uint32_t item) {
    if (t->touched[item]) return;
    t->touched[item] = 1;
    t->touched_list[t->touched_count++] = item;
}

/* Adds the gradient `g` taken at the unit vector of `item` to the item's raw row:
 * through the normalization, (g - (g.u) u) / |row|. */
static void add_unit_grad(trainer *t, uint32_t item, const float *g) {
    const uint32_t dims = t->dims;
    const float *row = t->rows + (size_t)item * dims;
    float norm = norm_of(row, dims);
    if (!(norm > 0)) return;
    float dot = 0;
    for (uint32_t d = 0; d < dims; d++) dot += g[d] * row[d];
    dot /= norm;
    float *out = t->grad + (size_t)item * dims;
    for (uint32_t d = 0; d < dims; d++) out[d] += (g[d] - dot * row[d] / norm) / norm;
    touch(t, item);
}

/* One case: the prefix items[0..length) and the item after it. Returns its loss. */
static double train_case(trainer *t, const uint32_t *items, uint32_t length, uint32_t target) {
    const uint32_t dims = t->dims, S = t->negatives;
    float query[SHELF__TRAIN_MAX_DIMS], query_grad[SHELF__TRAIN_MAX_DIMS], target_unit[SHELF__TRAIN_MAX_DIMS];
    float weight[MAX_PREFIX];
    const uint32_t from = length > MAX_PREFIX ? length - MAX_PREFIX : 0;
    memset(query, 0, dims * sizeof query[0]);
    float total = 0;
    for (uint32_t i = from; i < length; i++) {
        const float *row = t->rows + (size_t)items[i] * dims;
        float norm = norm_of(row, dims);
        float w = expf(-(float)(length - 1 - i) / t->decay);
        weight[i - from] = w;
        total += w;
        if (norm > 0)
            for (uint32_t d = 0; d < dims; d++) query[d] += w * row[d] / norm;
    }
    for (uint32_t d = 0; d < dims; d++) query[d] /= total;
    /* The session vector is normalized too: its length would otherwise say how much
     * the session's items agree, and the blend weighs that on its own. */
    float qnorm = norm_of(query, dims);
    if (!(qnorm > 0)) return 0;
    float qhat[SHELF__TRAIN_MAX_DIMS];
    for (uint32_t d = 0; d < dims; d++) qhat[d] = query[d] / qnorm;

    const float *trow = t->rows + (size_t)target * dims;
    float tnorm = norm_of(trow, dims);
    if (!(tnorm > 0)) return 0;
    for (uint32_t d = 0; d < dims; d++) target_unit[d] = trow[d] / tnorm;

    /* Logits: the target first, then the shared sample (a sampled copy of the target
     * is masked out: it is not a negative). */
    float max = -INFINITY;
    for (uint32_t k = 0; k <= S; k++) {
        const float *u = k == 0 ? target_unit : t->unit + (size_t)(k - 1) * dims;
        uint32_t item = k == 0 ? target : t->sample[k - 1];
        if (k > 0 && item == target) {
            t->logits[k] = -INFINITY;
            continue;
        }
        float dot = 0;
        for (uint32_t d = 0; d < dims; d++) dot += qhat[d] * u[d];
        t->logits[k] = t->scale * dot - t->log_q[item];
        if (t->logits[k] > max) max = t->logits[k];
    }
    /* Each exponential once (they are most of the work): logits[] becomes exp(logit - max). */
    float sum = 0;
    const float target_logit = t->logits[0];
    for (uint32_t k = 0; k <= S; k++) sum += (t->logits[k] = expf(t->logits[k] - max));
    const double loss = log(sum) - (target_logit - max);

    /* dL/dlogit_k = p_k - [k == 0]; dlogit/dqhat = scale u_k; dlogit/du_k = scale qhat. */
    memset(query_grad, 0, dims * sizeof query_grad[0]);
    float tgrad[SHELF__TRAIN_MAX_DIMS];
    const float inverse = 1.0f / sum;
    for (uint32_t k = 0; k <= S; k++) {
        if (k > 0 && t->logits[k] == 0) continue; /* a masked copy of the target, or no weight */
        float g = t->logits[k] * inverse - (k == 0);
        g *= t->scale;
        const float *u = k == 0 ? target_unit : t->unit + (size_t)(k - 1) * dims;
        for (uint32_t d = 0; d < dims; d++) query_grad[d] += g * u[d];
        if (k == 0) {
            for (uint32_t d = 0; d < dims; d++) tgrad[d] = g * qhat[d];
        } else {
            float *ug = t->unit_grad + (size_t)(k - 1) * dims;
            for (uint32_t d = 0; d < dims; d++) ug[d] += g * qhat[d];
        }
    }
    add_unit_grad(t, target, tgrad);
    /* Through the query's normalization, then the mean: each prefix item's unit
     * vector gets w_i / total of it. */
    float dot = 0;
    for (uint32_t d = 0; d < dims; d++) dot += query_grad[d] * qhat[d];
    for (uint32_t d = 0; d < dims; d++) query_grad[d] = (query_grad[d] - dot * qhat[d]) / qnorm / total;
    float g[SHELF__TRAIN_MAX_DIMS];
    for (uint32_t i = from; i < length; i++) {
        float w = weight[i - from];
        for (uint32_t d = 0; d < dims; d++) g[d] = w * query_grad[d];
        add_unit_grad(t, items[i], g);
    }
    return loss;
}

/* Lazy Adam on the rows the batch touched, then their gradients are cleared. */
static void apply_batch(trainer *t, float lr) {
    const uint32_t dims = t->dims, S = t->negatives;
    for (uint32_t k = 0; k < S; k++) add_unit_grad(t, t->sample[k], t->unit_grad + (size_t)k * dims);
    const float b1 = 0.9f, b2 = 0.999f, eps = 1e-8f;
    t->step++;
    const float c1 = 1.0f - powf(b1, (float)t->step), c2 = 1.0f - powf(b2, (float)t->step);
    const float rate = lr * sqrtf(c2) / c1;
    for (uint32_t i = 0; i < t->touched_count; i++) {
        uint32_t item = t->touched_list[i];
        size_t at = (size_t)item * dims;
        for (uint32_t d = 0; d < dims; d++) {
            float g = t->grad[at + d];
            t->m[at + d] = b1 * t->m[at + d] + (1 - b1) * g;
            t->v[at + d] = b2 * t->v[at + d] + (1 - b2) * g * g;
            t->rows[at + d] -= rate * t->m[at + d] / (sqrtf(t->v[at + d]) + eps);
            t->grad[at + d] = 0;
        }
        t->touched[item] = 0;
    }
    t->touched_count = 0;
}

/* Draws the batch's shared sample and their unit vectors. */
static void draw_sample(trainer *t, uint64_t *rng) {
    const uint32_t dims = t->dims;
    for (uint32_t k = 0; k < t->negatives; k++) {
        uint32_t item = t->sampler[shelf__random_next(rng) % SAMPLER_SIZE];
        t->sample[k] = item;
        const float *row = t->rows + (size_t)item * dims;
        float norm = norm_of(row, dims);
        float *u = t->unit + (size_t)k * dims;
        for (uint32_t d = 0; d < dims; d++) u[d] = norm > 0 ? row[d] / norm : 0;
    }
    memset(t->unit_grad, 0, (size_t)t->negatives * dims * sizeof *t->unit_grad);
}

static void trainer_free(trainer *t) {
    free(t->m); free(t->v); free(t->grad); free(t->touched); free(t->touched_list);
    free(t->sampler); free(t->log_q); free(t->unit); free(t->unit_grad); free(t->sample); free(t->logits);
}

shelf_status shelf__train_embeddings(const shelf__item_sessions *s, const shelf__embedding_options *opt,
                                     float **result) {
    const uint32_t n = s->item_count, dims = opt->dims;
    const uint64_t total = s->start[s->count];
    if (dims == 0 || dims > SHELF__TRAIN_MAX_DIMS) return SHELF_E_BAD_ARGUMENT;
    trainer t = {0};
    t.n = n;
    t.dims = dims;
    t.negatives = opt->negatives;
    t.scale = opt->scale;
    t.decay = opt->position_decay;
    const size_t cells = (size_t)n * dims;
    t.rows = malloc(cells * sizeof *t.rows);
    t.m = calloc(cells, sizeof *t.m);
    t.v = calloc(cells, sizeof *t.v);
    t.grad = calloc(cells, sizeof *t.grad);
    t.touched = calloc(n, 1);
    /* A batch touches at most its cases' items and targets and the sample. */
    const size_t touch_cap = (size_t)opt->batch * (MAX_PREFIX + 1) + t.negatives;
    t.touched_list = malloc((touch_cap < n ? touch_cap : n) * sizeof *t.touched_list);
    t.sampler = malloc(SAMPLER_SIZE * sizeof *t.sampler);
    t.log_q = malloc((size_t)n * sizeof *t.log_q);
    t.unit = malloc((size_t)t.negatives * dims * sizeof *t.unit);
    t.unit_grad = malloc((size_t)t.negatives * dims * sizeof *t.unit_grad);
    t.sample = malloc(t.negatives * sizeof *t.sample);
    t.logits = malloc((t.negatives + 1) * sizeof *t.logits);
    double *freq = calloc(n ? n : 1, sizeof *freq);
    if (!t.rows || !t.m || !t.v || !t.grad || !t.touched || !t.touched_list || !t.sampler || !t.log_q || !t.unit ||
        !t.unit_grad || !t.sample || !t.logits || !freq) {
        free(t.rows);
        trainer_free(&t);
        free(freq);
        return SHELF_E_OUT_OF_MEMORY;
    }
    uint64_t rng = opt->seed ^ 0x5348454C46ull;
    for (size_t k = 0; k < cells; k++) t.rows[k] = (float)(shelf__random_next(&rng) >> 40) / (float)(1u << 24) - 0.5f;

    /* The sample is drawn by popularity^0.75 from a table of item indices. */
    double sum = 0;
    for (uint64_t e = 0; e < total; e++) freq[s->items[e]] += 1;
    for (uint32_t i = 0; i < n; i++) sum += (freq[i] = pow(freq[i], 0.75));
    uint32_t item = 0;
    double reach = n ? freq[0] / sum : 1;
    for (uint32_t k = 0; k < SAMPLER_SIZE; k++) {
        t.sampler[k] = item;
        if ((double)(k + 1) / SAMPLER_SIZE > reach && item + 1 < n) reach += freq[++item] / sum;
    }
    for (uint32_t i = 0; i < n; i++) {
        double p = freq[i] / sum;
        t.log_q[i] = p > 0 ? (float)log(p * t.negatives) : 0;
    }
    free(freq);

    /* Cases are every (prefix, next item) of every session, in a shuffled order
     * of sessions per epoch. */
    uint64_t *order = malloc((s->count ? s->count : 1) * sizeof *order);
    if (!order) {
        free(t.rows);
        trainer_free(&t);
        return SHELF_E_OUT_OF_MEMORY;
    }
    for (uint64_t x = 0; x < s->count; x++) order[x] = x;
    const uint64_t cases_per_epoch = total - s->count;
    const uint64_t steps = (uint64_t)opt->epochs * (cases_per_epoch ? cases_per_epoch : 1);
    uint64_t done = 0;
    for (uint32_t epoch = 0; epoch < opt->epochs; epoch++) {
        for (uint64_t x = s->count; x > 1; x--) {
            uint64_t j = shelf__random_next(&rng) % x, swap = order[x - 1];
            order[x - 1] = order[j];
            order[j] = swap;
        }
        uint32_t in_batch = 0;
        draw_sample(&t, &rng);
        for (uint64_t o = 0; o < s->count; o++) {
            const uint64_t x = order[o];
            const uint32_t *items = s->items + s->start[x];
            const uint32_t length = (uint32_t)(s->start[x + 1] - s->start[x]);
            for (uint32_t q = 1; q < length; q++) {
                train_case(&t, items, q, items[q]);
                done++;
                if (++in_batch == opt->batch) {
                    /* Linear decay of the rate to a tenth over the whole run. */
                    float lr = opt->learning_rate * (1.0f - 0.9f * (float)done / (float)steps);
                    apply_batch(&t, lr);
                    in_batch = 0;
                    draw_sample(&t, &rng);
                }
            }
            if (opt->progress && (o & 0x3FFF) == 0)
                opt->progress(opt->progress_context, "training embeddings", done, steps);
        }
        if (in_batch) apply_batch(&t, opt->learning_rate * 0.1f);
    }
    free(order);
    for (uint32_t i = 0; i < n; i++) {
        float *v = t.rows + (size_t)i * dims, norm = norm_of(v, dims);
        for (uint32_t d = 0; d < dims; d++) v[d] = norm > 0 ? v[d] / norm : 0;
    }
    trainer_free(&t);
    *result = t.rows;
    return SHELF_OK;
}
