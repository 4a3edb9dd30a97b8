/* Training the learned ranker (src/score/ranker.c): for every next-item case of
 * the validation sessions, the blend's best candidates and their features; then
 * a one-hidden-layer network fitted by Adam to a listwise softmax loss (the true
 * next item against the case's other candidates). Its epochs are chosen on the
 * newest quarter of the cases, held out from the fitting, and it is kept only if
 * it beats the blend's order there; the network is then fitted again on every
 * case for that many epochs. Single-threaded and seeded: deterministic. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ranker.h"
#include "score.h"
#include "train_ranker.h"

#define F SHELF__RANKER_FEATURES
#define MAX_EPOCHS 40u
#define PATIENCE 4u
#define BATCH 32u
#define LEARNING_RATE 0.002f

typedef struct cases {
    uint32_t count, m;
    uint32_t *size;      /* candidates per case */
    int32_t *label;      /* the next item's slot, -1 when it is not a candidate */
    float *x;            /* count x m x F (standardized after building) */
} cases;

typedef struct net {
    uint32_t hidden;
    float w[SHELF__RANKER_MAX_HIDDEN * F + 2 * SHELF__RANKER_MAX_HIDDEN]; /* input weights, biases, output weights */
} net;

static float *in_w(net *n) { return n->w; }
static float *in_b(net *n) { return n->w + SHELF__RANKER_MAX_HIDDEN * F; }
static float *out_w(net *n) { return n->w + SHELF__RANKER_MAX_HIDDEN * F + SHELF__RANKER_MAX_HIDDEN; }

static float forward(net *n, const float *x, float *act) {
    float out = 0;
    for (uint32_t h = 0; h < n->hidden; h++) {
        float a = in_b(n)[h];
        for (uint32_t f = 0; f < F; f++) a += in_w(n)[h * F + f] * x[f];
        act[h] = a > 0 ? a : 0;
        out += out_w(n)[h] * act[h];
    }
    return out;
}

static shelf_status build_cases(cases *c, const shelf_model *model, const shelf__blend *blend,
                                const shelf__item_sessions *v, uint32_t max_cases, uint32_t m) {
    const uint32_t n = model->item_count;
    if (m > n) m = n;
    uint64_t all = 0;
    for (uint64_t s = 0; s < v->count; s++)
        for (uint64_t q = v->start[s] + 1; q < v->start[s + 1]; q++) all += model->popularity[v->items[q]] > 0;
    const uint64_t stride = all > max_cases ? (all + max_cases - 1) / max_cases : 1;
    const uint32_t cap = (uint32_t)(all / stride + 1);
    c->m = m;
    c->count = 0;
    c->size = malloc(cap * sizeof *c->size);
    c->label = malloc(cap * sizeof *c->label);
    c->x = malloc((size_t)cap * m * F * sizeof *c->x);
    float *scores = malloc((size_t)n * sizeof *scores), *similarity = malloc((size_t)n * sizeof *similarity);
    shelf__scored *ranked = malloc((size_t)m * 5 * sizeof *ranked); /* and 4m of scratch */
    shelf__ranker_slot *slots = malloc((size_t)m * sizeof *slots);
    shelf__session_event *events = malloc(SHELF_SESSION_CAPACITY * sizeof *events);
    shelf_status status = SHELF_OK;
    if (!c->size || !c->label || !c->x || !scores || !similarity || !ranked || !slots || !events) {
        status = SHELF_E_OUT_OF_MEMORY;
        goto done;
    }
    uint64_t seen = 0;
    for (uint64_t s = 0; s < v->count; s++) {
        const uint32_t *items = v->items + v->start[s];
        const uint64_t length = v->start[s + 1] - v->start[s];
        for (uint64_t q = 1; q < length; q++) {
            if (!(model->popularity[items[q]] > 0) || seen++ % stride != 0 || c->count >= cap) continue;
            const uint32_t count = shelf__prefix_events(v, s, q, events);
            shelf__score_items(model, blend, SHELF_SCORER_ALL, events, count, scores, similarity);
            const uint32_t got = shelf__topk_buffered(scores, model->popularity, n, m, ranked + m, 4 * m, ranked);
            const uint32_t k = c->count++;
            c->size[k] = got;
            c->label[k] = -1;
            for (uint32_t i = 0; i < got; i++)
                if (ranked[i].item == items[q]) c->label[k] = (int32_t)i;
            shelf__ranker_features(model, blend, SHELF_SCORER_ALL, events, count, ranked, got, similarity, slots,
                                   c->x + (size_t)k * m * F);
        }
    }
done:
    free(scores);
    free(similarity);
    free(ranked);
    free(slots);
    free(events);
    return status;
}

/* Each feature to mean 0 and deviation 1 over the cases' candidates. */
static void standardize(cases *c, float *mean, float *scale) {
    double sum[F] = {0}, squares[F] = {0}, total = 0;
    for (uint32_t k = 0; k < c->count; k++)
        for (uint32_t i = 0; i < c->size[k]; i++) {
            const float *x = c->x + ((size_t)k * c->m + i) * F;
            for (uint32_t f = 0; f < F; f++) {
                sum[f] += x[f];
                squares[f] += (double)x[f] * x[f];
            }
            total++;
        }
    for (uint32_t f = 0; f < F; f++) {
        double mu = total ? sum[f] / total : 0, var = total ? squares[f] / total - mu * mu : 0;
        mean[f] = (float)mu;
        scale[f] = var > 1e-12 ? (float)(1.0 / sqrt(var)) : 1.0f;
    }
    for (uint32_t k = 0; k < c->count; k++)
        for (uint32_t i = 0; i < c->size[k]; i++) {
            float *x = c->x + ((size_t)k * c->m + i) * F;
            for (uint32_t f = 0; f < F; f++) x[f] = (x[f] - mean[f]) * scale[f];
        }
}

/* HR@20 and MRR@20 of cases [from, to): by the network, or (n == NULL) by the blend.
 * out (m floats) is scratch. */
static void measure(const cases *c, uint32_t from, uint32_t to, net *n, float *out, double *hr, double *mrr) {
    double hits = 0, reciprocal = 0;
    float act[SHELF__RANKER_MAX_HIDDEN];
    for (uint32_t k = from; k < to; k++) {
        const int32_t label = c->label[k];
        if (label < 0) continue;
        uint32_t rank = (uint32_t)label;
        if (n) {
            for (uint32_t i = 0; i < c->size[k]; i++) out[i] = forward(n, c->x + ((size_t)k * c->m + i) * F, act);
            rank = 0;
            for (uint32_t i = 0; i < c->size[k]; i++)
                rank += out[i] > out[label] || (out[i] == out[label] && i < (uint32_t)label);
        }
        if (rank < 20) {
            hits++;
            reciprocal += 1.0 / (rank + 1);
        }
    }
    *hr = to > from ? 100.0 * hits / (to - from) : 0;
    *mrr = to > from ? 100.0 * reciprocal / (to - from) : 0;
}

typedef struct adam {
    float m[sizeof(((net *)0)->w) / sizeof(float)], v[sizeof(((net *)0)->w) / sizeof(float)];
    uint64_t step;
} adam;

/* One epoch of Adam over cases [0, fit) in a shuffled order. out (m) and acts
 * (m x SHELF__RANKER_MAX_HIDDEN) are scratch. */
static void epoch(const cases *c, uint32_t fit, uint32_t *order, net *n, adam *opt, float lr, uint64_t *rng,
                  float *out, float *acts) {
    const uint32_t params = sizeof n->w / sizeof n->w[0];
    for (uint32_t i = fit; i > 1; i--) {
        uint32_t j = (uint32_t)(shelf__random_next(rng) % i), t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    float grad[sizeof n->w / sizeof n->w[0]];
    uint32_t in_batch = 0;
    memset(grad, 0, sizeof grad);
    for (uint32_t o = 0; o < fit; o++) {
        const uint32_t k = order[o];
        const int32_t label = c->label[k];
        if (label >= 0) {
            const uint32_t size = c->size[k];
            float max = -INFINITY;
            for (uint32_t i = 0; i < size; i++) {
                out[i] = forward(n, c->x + ((size_t)k * c->m + i) * F, acts + (size_t)i * SHELF__RANKER_MAX_HIDDEN);
                max = fmaxf(max, out[i]);
            }
            double sum = 0;
            for (uint32_t i = 0; i < size; i++) sum += exp(out[i] - max);
            for (uint32_t i = 0; i < size; i++) {
                /* d loss / d out_i = p_i - [i is the label] */
                const float g = (float)(exp(out[i] - max) / sum) - (i == (uint32_t)label);
                const float *x = c->x + ((size_t)k * c->m + i) * F, *act = acts + (size_t)i * SHELF__RANKER_MAX_HIDDEN;
                for (uint32_t h = 0; h < n->hidden; h++) {
                    grad[SHELF__RANKER_MAX_HIDDEN * F + SHELF__RANKER_MAX_HIDDEN + h] += g * act[h];
                    if (act[h] <= 0) continue;
                    const float gh = g * out_w(n)[h];
                    grad[SHELF__RANKER_MAX_HIDDEN * F + h] += gh;
                    for (uint32_t f = 0; f < F; f++) grad[h * F + f] += gh * x[f];
                }
            }
        }
        if (++in_batch == BATCH || o + 1 == fit) {
            const float b1 = 0.9f, b2 = 0.999f;
            opt->step++;
            const float rate = lr * sqrtf(1.0f - powf(b2, (float)opt->step)) / (1.0f - powf(b1, (float)opt->step));
            for (uint32_t p = 0; p < params; p++) {
                const float g = grad[p] / (float)in_batch;
                opt->m[p] = b1 * opt->m[p] + (1 - b1) * g;
                opt->v[p] = b2 * opt->v[p] + (1 - b2) * g * g;
                n->w[p] -= rate * opt->m[p] / (sqrtf(opt->v[p]) + 1e-8f);
            }
            memset(grad, 0, sizeof grad);
            in_batch = 0;
        }
    }
}

static void init_net(net *n, uint32_t hidden, uint64_t seed) {
    memset(n, 0, sizeof *n);
    n->hidden = hidden;
    uint64_t rng = seed ^ 0x52414E4Bull;
    const float a = sqrtf(6.0f / (float)(F + hidden)), b = sqrtf(6.0f / (float)(hidden + 1));
    for (uint32_t h = 0; h < hidden; h++) {
        for (uint32_t f = 0; f < F; f++)
            in_w(n)[h * F + f] = a * ((float)(shelf__random_next(&rng) >> 40) / (float)(1u << 23) - 1.0f);
        in_b(n)[h] = 0.1f;
        out_w(n)[h] = b * ((float)(shelf__random_next(&rng) >> 40) / (float)(1u << 23) - 1.0f);
    }
}

shelf_status shelf__train_ranker(const shelf_model *model, const shelf__blend *blend,
                                 const shelf__item_sessions *validation, uint32_t max_cases, uint32_t hidden,
                                 uint32_t candidates, uint64_t seed, shelf__ranker *out,
                                 shelf__ranker_report *report, shelf_progress_fn progress, void *progress_context) {
    memset(out, 0, sizeof *out);
    memset(report, 0, sizeof *report);
    if (hidden == 0 || hidden > SHELF__RANKER_MAX_HIDDEN || candidates == 0 ||
        candidates > SHELF__RANKER_MAX_CANDIDATES)
        return hidden == 0 ? SHELF_OK : SHELF_E_BAD_ARGUMENT;
    cases c = {0};
    shelf_status status = build_cases(&c, model, blend, validation, max_cases, candidates);
    uint32_t *order = status == SHELF_OK ? malloc((c.count ? c.count : 1) * sizeof *order) : NULL;
    net *n = malloc(sizeof *n), *best = malloc(sizeof *best);
    adam *opt = calloc(1, sizeof *opt);
    float *out_scratch = malloc(((size_t)candidates + 1) * sizeof *out_scratch);
    float *acts = malloc(((size_t)candidates + 1) * SHELF__RANKER_MAX_HIDDEN * sizeof *acts);
    if (status == SHELF_OK && (!order || !n || !best || !opt || !out_scratch || !acts)) status = SHELF_E_OUT_OF_MEMORY;
    if (status != SHELF_OK || c.count < 100) goto done;

    float mean[F], scale[F];
    standardize(&c, mean, scale);
    const uint32_t fit = c.count - c.count / 4;
    report->cases = c.count;
    report->holdout_cases = c.count - fit;
    measure(&c, fit, c.count, NULL, out_scratch, &report->blend_hr, &report->blend_mrr);
    const double blend_objective = report->blend_hr + 2 * report->blend_mrr;

    /* The epochs, by the held-out quarter. */
    uint64_t rng = seed ^ 0x4550ull;
    init_net(n, hidden, seed);
    double best_objective = -1;
    uint32_t best_epochs = 0;
    for (uint32_t e = 1; e <= MAX_EPOCHS && e <= best_epochs + PATIENCE; e++) {
        for (uint32_t k = 0; k < fit; k++) order[k] = k;
        epoch(&c, fit, order, n, opt, LEARNING_RATE, &rng, out_scratch, acts);
        double hr, mrr;
        measure(&c, fit, c.count, n, out_scratch, &hr, &mrr);
        if (hr + 2 * mrr > best_objective) {
            best_objective = hr + 2 * mrr;
            best_epochs = e;
            report->ranker_hr = hr;
            report->ranker_mrr = mrr;
        }
        if (progress) progress(progress_context, "learning the ranker", e, MAX_EPOCHS);
    }
    report->epochs = best_epochs;
    if (!(best_objective > blend_objective)) goto done;
    report->kept = 1;

    /* Again on every case, for as many epochs. */
    init_net(best, hidden, seed);
    memset(opt, 0, sizeof *opt);
    rng = seed ^ 0x4550ull;
    for (uint32_t e = 1; e <= best_epochs; e++) {
        for (uint32_t k = 0; k < c.count; k++) order[k] = k;
        epoch(&c, c.count, order, best, opt, LEARNING_RATE, &rng, out_scratch, acts);
    }
    /* The standardization folded into the input layer: w (x - mean) scale + b. */
    out->hidden = hidden;
    out->candidates = candidates;
    for (uint32_t h = 0; h < hidden; h++) {
        float bias = in_b(best)[h];
        for (uint32_t f = 0; f < F; f++) {
            const float w = in_w(best)[h * F + f] * scale[f];
            out->input_weights[f][h] = w;
            bias -= w * mean[f];
        }
        out->input_bias[h] = bias;
        out->output_weights[h] = out_w(best)[h];
    }
done:
    free(c.size);
    free(c.label);
    free(c.x);
    free(order);
    free(n);
    free(best);
    free(opt);
    free(out_scratch);
    free(acts);
    return status;
}
