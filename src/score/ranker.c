/* The learned ranker's features and network (see ranker.h; trained by
 * src/train/train_ranker.c). The features say what the linear blend cannot: how
 * much of a candidate's score comes from the newest event and how much from
 * older ones, how many of the session's items point at it, how its share of each
 * scorer compares with its popularity, how long and how varied the session is.
 * Only additions, multiplications, divisions and square roots, all exactly
 * rounded: the same bits on every target. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ranker.h"
#include "score.h"

enum {
    F_BLEND,            /* the blend's score */
    F_BLEND_RANK,       /* 1 / (1 + its place in the blend's order) */
    F_COVISIT,          /* "viewed together" share, decayed as in the blend */
    F_COVISIT_LAST,     /* its weight in the newest event's row */
    F_COVISIT_ROWS,     /* the share of the session's events whose row holds it */
    F_COVISIT_PREVIOUS, /* its weight in the row of the event before the newest */
    F_COVISIT_BACK,     /* the newest event's item's weight in its own row */
    F_SEQUENTIAL,       /* the same three for "viewed next" */
    F_SEQUENTIAL_LAST,
    F_SEQUENTIAL_ROWS,
    F_REPEAT,           /* its events' decayed share */
    F_IS_LAST,          /* it is the newest event's item */
    F_REPEAT_RECENT,    /* 1 / (1 + how many events ago it was last seen); 0: never */
    F_EMBEDDING,        /* the embedding scorer's similarity */
    F_EMBEDDING_LAST,   /* cosine with the newest event's item */
    F_POPULARITY,       /* popularity^(1/4) */
    F_SHORT,            /* 1 / session length */
    F_DISTINCT,         /* distinct items / session length */
    F_COUNT
};
_Static_assert(F_COUNT == SHELF__RANKER_FEATURES, "the model format's feature count is this list's");

static int by_item(const void *a, const void *b) {
    uint32_t x = ((const shelf__ranker_slot *)a)->item, y = ((const shelf__ranker_slot *)b)->item;
    return (x > y) - (x < y);
}

static const shelf__ranker_slot *find_slot(const shelf__ranker_slot *slots, uint32_t m, uint32_t item) {
    uint32_t lo = 0, hi = m;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (slots[mid].item < item) lo = mid + 1;
        else hi = mid;
    }
    return lo < m && slots[lo].item == item ? &slots[lo] : NULL;
}

/* One neighbour table's three features for every candidate. */
static void neighbour_features(const shelf__neighbours *t, const shelf__blend *blend, int scorer,
                               const shelf__session_event *events, uint32_t count, const shelf__ranker_slot *slots,
                               uint32_t m, float *x, int share, int last, int rows, int previous, int back) {
    uint32_t items[SHELF__MAX_NEIGHBOURS];
    float weights[SHELF__MAX_NEIGHBOURS];
    for (uint32_t i = 0; i < count; i++) {
        float f = shelf__event_factor(blend, &blend->scorers[scorer], events, count, i);
        uint32_t n = shelf__neighbours_row(t, events[i].item, items, weights);
        for (uint32_t e = 0; e < n; e++) {
            const shelf__ranker_slot *s = find_slot(slots, m, items[e]);
            if (!s) continue;
            float *row = x + (size_t)s->slot * F_COUNT;
            row[share] += f * weights[e];
            row[rows] += 1.0f / (float)count;
            if (i == count - 1) row[last] = weights[e];
            if (previous && i + 2 == count) row[previous] = weights[e];
        }
    }
    if (!back || count == 0) return;
    const uint32_t newest = events[count - 1].item;
    for (uint32_t i = 0; i < m; i++) {
        uint32_t n = shelf__neighbours_row(t, slots[i].item, items, weights);
        for (uint32_t e = 0; e < n; e++)
            if (items[e] == newest) x[(size_t)slots[i].slot * F_COUNT + back] = weights[e];
    }
}

static float row_value(const shelf__embeddings *em, uint32_t item, uint32_t d) {
    return em->encoding == SHELF__ENCODING_Q8 ? (float)em->rows_q8[(size_t)item * em->dims + d] * em->row_scales[item]
                                              : em->rows_f32[(size_t)item * em->dims + d];
}

void shelf__ranker_features(const shelf_model *model, const shelf__blend *blend, uint32_t mask,
                            const shelf__session_event *events, uint32_t count, const shelf__scored *candidates,
                            uint32_t m, const float *similarity, shelf__ranker_slot *slots, float *x) {
    memset(x, 0, (size_t)m * F_COUNT * sizeof *x);
    for (uint32_t i = 0; i < m; i++) slots[i] = (shelf__ranker_slot){candidates[i].item, i};
    qsort(slots, m, sizeof *slots, by_item);
    const shelf__scorer_settings *s = blend->scorers;
    if ((mask & SHELF_SCORER_COVISIT) && s[SHELF__SCORER_COVISIT].weight != 0 && model->covisit.present)
        neighbour_features(&model->covisit, blend, SHELF__SCORER_COVISIT, events, count, slots, m, x, F_COVISIT,
                           F_COVISIT_LAST, F_COVISIT_ROWS, F_COVISIT_PREVIOUS, F_COVISIT_BACK);
    if ((mask & SHELF_SCORER_SEQUENTIAL) && s[SHELF__SCORER_SEQUENTIAL].weight != 0 && model->sequential.present)
        neighbour_features(&model->sequential, blend, SHELF__SCORER_SEQUENTIAL, events, count, slots, m, x,
                           F_SEQUENTIAL, F_SEQUENTIAL_LAST, F_SEQUENTIAL_ROWS, 0, 0);
    uint32_t distinct = 0;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t seen = 0;
        for (uint32_t p = 0; p < i && !seen; p++) seen = events[p].item == events[i].item;
        distinct += !seen;
        const shelf__ranker_slot *slot = find_slot(slots, m, events[i].item);
        if (!slot) continue;
        float *row = x + (size_t)slot->slot * F_COUNT;
        row[F_REPEAT] += shelf__event_factor(blend, &s[SHELF__SCORER_REPEAT], events, count, i);
        row[F_REPEAT_RECENT] = 1.0f / (float)(count - i); /* the newest occurrence is written last */
    }
    const int embedding = (mask & SHELF_SCORER_EMBEDDING) && s[SHELF__SCORER_EMBEDDING].weight != 0 && model->embeddings.present;
    const shelf__embeddings *em = &model->embeddings;
    const uint32_t last = count ? events[count - 1].item : 0;
    for (uint32_t i = 0; i < m; i++) {
        float *row = x + (size_t)i * F_COUNT;
        const uint32_t item = candidates[i].item;
        row[F_BLEND] = candidates[i].score;
        row[F_BLEND_RANK] = 1.0f / (float)(i + 1);
        row[F_IS_LAST] = count && item == last;
        row[F_POPULARITY] = sqrtf(sqrtf(model->popularity[item]));
        row[F_SHORT] = count ? 1.0f / (float)count : 0;
        row[F_DISTINCT] = count ? (float)distinct / (float)count : 0;
        if (embedding && count) {
            row[F_EMBEDDING] = similarity[item];
            float dot = 0;
            for (uint32_t d = 0; d < em->dims; d++) dot += row_value(em, item, d) * row_value(em, last, d);
            row[F_EMBEDDING_LAST] = dot;
        }
    }
}

float shelf__ranker_score(const shelf__ranker *r, const float *x) {
    float a[SHELF__RANKER_MAX_HIDDEN];
    const uint32_t hidden = r->hidden;
    memcpy(a, r->input_bias, sizeof a);
    for (uint32_t f = 0; f < F_COUNT; f++) {
        const float v = x[f];
        /* Most features of most candidates are 0 (no link, no repeat, no sequential
         * table): adding w * 0 would change at most the sign of a zero sum, which
         * the ReLU maps to 0 either way. */
        if (v == 0) continue;
        for (uint32_t h = 0; h < hidden; h++) a[h] += r->input_weights[f][h] * v;
    }
    float out = 0;
    for (uint32_t h = 0; h < hidden; h++)
        if (a[h] > 0) out += r->output_weights[h] * a[h];
    return out;
}
