#include <assert.h>
#include <math.h>
#include <string.h>

#include "det_math.h"
#include "dot/dot_i8.h"
#include "score.h"

/* The loader caps embedding widths at what the kernels can sum exactly. */
_Static_assert(SHELF__MAX_DIMS <= SHELF__DOT_I8_MAX_DIMS, "the model format's widest row fits the dot kernels");

/* Longest dwell that still adds weight: a tab left open says nothing more. */
#define DWELL_CAP_SECONDS 600.0f

/* How much event i counts for a scorer: position decay (the newest event counts 1),
 * the event type's weight, the caller's factor and the time decay. */
float shelf__event_factor(const shelf__blend *blend, const shelf__scorer_settings *s,
                          const shelf__session_event *events, uint32_t count, uint32_t i) {
    assert(i < count && events[i].type < SHELF_EVENT_TYPE_COUNT && s->position_decay > 0);
    const shelf__session_event *e = &events[i];
    double age = (double)(count - 1 - i);
    double f = shelf__exp_neg(-age / s->position_decay);
    float weight = e->type == SHELF_EVENT_DWELL ? fminf(e->weight, DWELL_CAP_SECONDS) : e->weight;
    f *= (double)blend->event_weights[e->type] * (double)weight;
    if (blend->time_half_life > 0) {
        double elapsed = (double)(events[count - 1].time_ms - e->time_ms) / 1000.0;
        if (elapsed > 0) f *= shelf__exp_neg(-elapsed * 0.69314718055994531 / blend->time_half_life);
    }
    return (float)f;
}

static void add_neighbours(const shelf__neighbours *t, float weight, const shelf__blend *blend,
                           const shelf__scorer_settings *s, const shelf__session_event *events,
                           uint32_t count, float *scores) {
    uint32_t items[SHELF__MAX_NEIGHBOURS];
    float weights[SHELF__MAX_NEIGHBOURS];
    for (uint32_t i = 0; i < count; i++) {
        float c = weight * shelf__event_factor(blend, s, events, count, i);
        if (c == 0) continue;
        uint32_t n = shelf__neighbours_row(t, events[i].item, items, weights);
        for (uint32_t e = 0; e < n; e++) scores[items[e]] += c * weights[e];
    }
}

/* The embedding scorer: the session vector is the decayed mean of its items'
 * vectors; each item scores its dot product with it. */
static void embedding_similarity(const shelf_model *model, const shelf__blend *blend,
                                 const shelf__session_event *events, uint32_t count,
                                 float *similarity) {
    const shelf__embeddings *em = &model->embeddings;
    const shelf__scorer_settings *s = &blend->scorers[SHELF__SCORER_EMBEDDING];
    const uint32_t dims = em->dims, n = model->item_count;
    float query[SHELF__MAX_DIMS];
    memset(query, 0, dims * sizeof query[0]);
    float total = 0;
    for (uint32_t i = 0; i < count; i++) {
        float f = shelf__event_factor(blend, s, events, count, i);
        uint32_t item = events[i].item;
        total += f;
        if (em->encoding == SHELF__ENCODING_Q8) {
            const int8_t *row = em->rows_q8 + (size_t)item * dims;
            float fs = f * em->row_scales[item];
            for (uint32_t d = 0; d < dims; d++) query[d] += fs * (float)row[d];
        } else {
            const float *row = em->rows_f32 + (size_t)item * dims;
            for (uint32_t d = 0; d < dims; d++) query[d] += f * row[d];
        }
    }
    if (!(total > 0)) {
        memset(similarity, 0, n * sizeof similarity[0]);
        return;
    }
    for (uint32_t d = 0; d < dims; d++) query[d] /= total;

    if (em->encoding == SHELF__ENCODING_F32) {
        for (uint32_t j = 0; j < n; j++) {
            const float *row = em->rows_f32 + (size_t)j * dims;
            float dot = 0;
            for (uint32_t d = 0; d < dims; d++) dot += row[d] * query[d];
            similarity[j] = dot;
        }
        return;
    }
    /* int8: quantize the query symmetrically, then one int8 dot product per item. */
    float max_abs = 0;
    for (uint32_t d = 0; d < dims; d++) max_abs = fmaxf(max_abs, fabsf(query[d]));
    if (max_abs == 0) {
        memset(similarity, 0, n * sizeof similarity[0]);
        return;
    }
    float query_scale = max_abs / 127.0f;
    int8_t query_q8[SHELF__MAX_DIMS];
    for (uint32_t d = 0; d < dims; d++) {
        float q = nearbyintf(query[d] / query_scale);
        query_q8[d] = (int8_t)fmaxf(-127.0f, fminf(127.0f, q));
    }
    shelf__dot_i8_best()(em->rows_q8, em->row_scales, n, dims, query_q8, query_scale, similarity);
}

/* A scorer's weight in this request: its blend weight, or 1 when it is the only
 * scorer asked for and the blend gives it none (to see what it knows alone). */
static float scorer_weight(const shelf__blend *blend, uint32_t mask, int scorer) {
    const uint32_t bit = 1u << scorer;
    if (!(mask & bit)) return 0;
    float w = blend->scorers[scorer].weight;
    return (w == 0 && mask == bit) ? 1.0f : w;
}

void shelf__score_items(const shelf_model *model, const shelf__blend *blend, uint32_t mask,
                        const shelf__session_event *events, uint32_t count, float *scores,
                        float *similarity) {
    assert(model && blend && scores && similarity && (count == 0 || events));
    assert(count <= SHELF_SESSION_CAPACITY);
    const uint32_t n = model->item_count;
    const shelf__scorer_settings *s = blend->scorers;

    float w = scorer_weight(blend, mask, SHELF__SCORER_POPULARITY);
    if (w != 0) {
        for (uint32_t j = 0; j < n; j++) scores[j] = w * model->popularity[j];
    } else {
        memset(scores, 0, n * sizeof scores[0]);
    }
    if (count == 0) return;

    w = scorer_weight(blend, mask, SHELF__SCORER_COVISIT);
    if (w != 0 && model->covisit.present)
        add_neighbours(&model->covisit, w, blend, &s[SHELF__SCORER_COVISIT], events, count, scores);
    w = scorer_weight(blend, mask, SHELF__SCORER_SEQUENTIAL);
    if (w != 0 && model->sequential.present)
        add_neighbours(&model->sequential, w, blend, &s[SHELF__SCORER_SEQUENTIAL], events, count, scores);

    w = scorer_weight(blend, mask, SHELF__SCORER_REPEAT);
    if (w != 0)
        for (uint32_t i = 0; i < count; i++)
            scores[events[i].item] += w * shelf__event_factor(blend, &s[SHELF__SCORER_REPEAT], events, count, i);

    w = scorer_weight(blend, mask, SHELF__SCORER_EMBEDDING);
    if (w != 0 && model->embeddings.present) {
        embedding_similarity(model, blend, events, count, similarity);
        for (uint32_t j = 0; j < n; j++) scores[j] += w * similarity[j];
    }
}

/* The share of one neighbour table in `item`'s score, and the session item giving most of it. */
static float neighbour_share(const shelf__neighbours *t, float weight, const shelf__blend *blend,
                             const shelf__scorer_settings *s, const shelf__session_event *events,
                             uint32_t count, uint32_t item, uint32_t *best_item) {
    uint32_t items[SHELF__MAX_NEIGHBOURS];
    float weights[SHELF__MAX_NEIGHBOURS];
    float total = 0, best = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t row = events[i].item, n = shelf__neighbours_row(t, row, items, weights);
        for (uint32_t e = 0; e < n; e++) {
            if (items[e] != item) continue;
            float part = weight * shelf__event_factor(blend, s, events, count, i) * weights[e];
            total += part;
            if (part > best) {
                best = part;
                *best_item = row;
            }
        }
    }
    return total;
}

void shelf__explain_item(const shelf_model *model, const shelf__blend *blend, uint32_t mask,
                         const shelf__session_event *events, uint32_t count, uint32_t item,
                         float similarity, uint32_t *reason, uint32_t *reason_item) {
    assert(item < model->item_count && count <= SHELF_SESSION_CAPACITY);
    const shelf__scorer_settings *s = blend->scorers;
    float best = scorer_weight(blend, mask, SHELF__SCORER_POPULARITY) * model->popularity[item];
    *reason = SHELF_REASON_POPULAR;
    *reason_item = SHELF_NO_ITEM;

    float share = 0, w = scorer_weight(blend, mask, SHELF__SCORER_REPEAT);
    for (uint32_t i = 0; i < count && w != 0; i++)
        if (events[i].item == item) share += w * shelf__event_factor(blend, &s[SHELF__SCORER_REPEAT], events, count, i);
    if (share > best) {
        best = share;
        *reason = SHELF_REASON_SEEN_BEFORE;
        *reason_item = item;
    }
    static const struct { int scorer; uint32_t reason; } tables[] = {
        {SHELF__SCORER_COVISIT, SHELF_REASON_VIEWED_TOGETHER},
        {SHELF__SCORER_SEQUENTIAL, SHELF_REASON_VIEWED_AFTER},
    };
    for (size_t k = 0; k < sizeof tables / sizeof tables[0]; k++) {
        const shelf__neighbours *t = tables[k].scorer == SHELF__SCORER_COVISIT ? &model->covisit : &model->sequential;
        w = scorer_weight(blend, mask, tables[k].scorer);
        if (w == 0 || !t->present) continue;
        uint32_t from = SHELF_NO_ITEM;
        share = neighbour_share(t, w, blend, &s[tables[k].scorer], events, count, item, &from);
        if (share > best) {
            best = share;
            *reason = tables[k].reason;
            *reason_item = from;
        }
    }
    w = scorer_weight(blend, mask, SHELF__SCORER_EMBEDDING);
    if (w != 0 && model->embeddings.present && count > 0) {
        share = w * similarity;
        if (share > best) {
            *reason = SHELF_REASON_SIMILAR;
            *reason_item = events[count - 1].item;
        }
    }
}
