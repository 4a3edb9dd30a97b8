/* Choosing the blend: each scorer's weight and position decay, picked by coordinate
 * ascent on held-out validation sessions, scored with the runtime's own scoring code. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "score.h"
#include "topk/topk.h"
#include "train_blend.h"

/* Items each case ranks: everything the sparse scorers touch, the 20 most popular
 * items, the embedding scorer's best, and the label. Any other item scores only its
 * popularity and similarity: without embeddings it cannot beat the label unless
 * the 20 most popular items all do too (then the label is a miss anyway), so the
 * ranks that count (@20) are exact; with them, nearly so. */
#define POPULAR_CANDIDATES 20
#define EMBEDDING_CANDIDATES 50

/* One column per scorer, in the order coordinate ascent visits them (the strong
 * sparse tables before the repeat and embedding scorers that refine them). */
enum { COL_POP, COL_COVISIT, COL_SEQUENTIAL, COL_REPEAT, COL_EMBEDDING, COLS };
static const int col_scorer[COLS] = {SHELF__SCORER_POPULARITY, SHELF__SCORER_COVISIT, SHELF__SCORER_SEQUENTIAL,
                                     SHELF__SCORER_REPEAT, SHELF__SCORER_EMBEDDING};
_Static_assert((int)COLS == (int)SHELF__SCORER_COUNT, "every scorer has a column in the blend search");

typedef struct tuning {
    const shelf_model *model;
    uint32_t cases;
    uint32_t *prefix_start, *prefix_length, *label;  /* per case, into `events` */
    shelf__session_event *events;
    uint64_t *candidate_start;                      /* per case + 1 */
    uint32_t *candidates;
    uint32_t *label_at;                             /* the label's position among the case's candidates */
    float *column[COLS];                            /* one value per candidate */
    float *dense, *similarity;
} tuning;

static void one_scorer(const shelf__blend *base, int col, float position_decay, shelf__blend *out) {
    *out = *base;
    for (int s = 0; s < SHELF__SCORER_COUNT; s++) out->scorers[s].weight = 0;
    out->scorers[col_scorer[col]].weight = 1;
    out->scorers[col_scorer[col]].position_decay = position_decay;
}

/* Fills one column for every case with the scorer's share at the given decay. */
static void fill_column(tuning *t, const shelf__blend *base, int col, float position_decay, float *values) {
    shelf__blend b;
    one_scorer(base, col, position_decay, &b);
    for (uint32_t c = 0; c < t->cases; c++) {
        shelf__score_items(t->model, &b, 1u << col_scorer[col], t->events + t->prefix_start[c], t->prefix_length[c],
                           t->dense, t->similarity);
        for (uint64_t k = t->candidate_start[c]; k < t->candidate_start[c + 1]; k++)
            values[k] = t->dense[t->candidates[k]];
    }
}

static void evaluate(const tuning *t, const float *w, double *hr, double *mrr) {
    double hits = 0, reciprocal = 0;
    for (uint32_t c = 0; c < t->cases; c++) {
        uint64_t begin = t->candidate_start[c], end = t->candidate_start[c + 1];
        float label_score = 0;
        uint64_t at = begin + t->label_at[c];
        for (int k = 0; k < COLS; k++) label_score += w[k] * t->column[k][at];
        uint32_t rank = 0;
        for (uint64_t e = begin; e < end && rank < 20; e++) {
            float s = 0;
            for (int k = 0; k < COLS; k++) s += w[k] * t->column[k][e];
            if (s > label_score || (s == label_score && t->candidates[e] < t->label[c])) rank++;
        }
        if (rank < 20) {
            hits += 1;
            reciprocal += 1.0 / (rank + 1);
        }
    }
    *hr = t->cases ? 100.0 * hits / t->cases : 0;
    *mrr = t->cases ? 100.0 * reciprocal / t->cases : 0;
}

/* The best blend seen so far, by HR@20 + 2 MRR@20 (both count; MRR's scale is smaller). */
typedef struct search {
    double objective, hr, mrr;
} search;

/* Evaluates the weights; keeps them as the best if they beat it. */
static int improves(search *best, const tuning *t, const float *w) {
    double hr, mrr;
    evaluate(t, w, &hr, &mrr);
    if (hr + 2 * mrr <= best->objective + 1e-9) return 0;
    *best = (search){hr + 2 * mrr, hr, mrr};
    return 1;
}

static void tuning_free(tuning *t) {
    free(t->prefix_start); free(t->prefix_length); free(t->label); free(t->events);
    free(t->candidate_start); free(t->candidates); free(t->label_at);
    for (int k = 0; k < COLS; k++) free(t->column[k]);
    free(t->dense); free(t->similarity);
}

/* Collects the cases (every prefix -> next item of the validation sessions, at
 * most max_cases of them, evenly spread) and their candidates. */
static shelf_status tuning_build(tuning *t, const shelf_model *model, const shelf__item_sessions *v,
                                 const shelf__blend *base, uint32_t max_cases) {
    const uint32_t n = model->item_count;
    uint64_t all = 0;
    for (uint64_t x = 0; x < v->count; x++) {
        uint64_t length = v->start[x + 1] - v->start[x];
        for (uint64_t q = 1; q < length; q++)
            if (model->popularity[v->items[v->start[x] + q]] > 0) all++;
    }
    uint64_t stride = all > max_cases ? (all + max_cases - 1) / max_cases : 1;
    uint32_t cap = (uint32_t)(all / stride + 1);
    t->model = model;
    t->prefix_start = malloc(cap * sizeof(uint32_t));
    t->prefix_length = malloc(cap * sizeof(uint32_t));
    t->label = malloc(cap * sizeof(uint32_t));
    t->events = malloc((size_t)cap * SHELF_SESSION_CAPACITY * sizeof *t->events);
    t->dense = malloc((size_t)n * sizeof(float));
    t->similarity = malloc((size_t)n * sizeof(float));
    t->candidate_start = malloc(((size_t)cap + 1) * sizeof(uint64_t));
    t->label_at = malloc(cap * sizeof(uint32_t));
    float *parts[COLS] = {0};
    for (int k = 0; k < COLS; k++) parts[k] = malloc((size_t)n * sizeof(float));
    shelf__scored top[EMBEDDING_CANDIDATES], popular[POPULAR_CANDIDATES];
    uint8_t *chosen = calloc(n, 1);
    if (!t->prefix_start || !t->prefix_length || !t->label || !t->events || !t->dense || !t->similarity ||
        !t->candidate_start || !t->label_at || !chosen || !parts[0] || !parts[1] || !parts[2] || !parts[3] || !parts[4]) {
        for (int k = 0; k < COLS; k++) free(parts[k]);
        free(chosen);
        return SHELF_E_OUT_OF_MEMORY;
    }
    const uint32_t popular_count = shelf__topk(model->popularity, n, POPULAR_CANDIDATES, popular);
    uint64_t seen = 0, candidate_capacity = 0, candidate_count = 0;
    uint32_t event_at = 0;
    t->cases = 0;
    for (uint64_t x = 0; x < v->count; x++) {
        const uint32_t *items = v->items + v->start[x];
        uint64_t length = v->start[x + 1] - v->start[x];
        for (uint64_t q = 1; q < length; q++) {
            uint32_t label = items[q];
            if (!(model->popularity[label] > 0)) continue;
            if (seen++ % stride != 0 || t->cases >= cap) continue;
            uint32_t c = t->cases++;
            /* The prefix as view events, as `shelf eval` tracks it (the newest 64 kept). */
            uint64_t from = q > SHELF_SESSION_CAPACITY ? q - SHELF_SESSION_CAPACITY : 0;
            t->prefix_start[c] = event_at;
            t->prefix_length[c] = (uint32_t)(q - from);
            t->label[c] = label;
            for (uint64_t p = from; p < q; p++) {
                shelf__session_event *e = &t->events[event_at++];
                e->item = items[p];
                e->time_ms = 0;
                e->weight = 1;
                e->type = SHELF_EVENT_VIEW;
            }
            /* Every column at the starting decays; candidates are the items with a share. */
            for (int k = 0; k < COLS; k++) {
                shelf__blend b;
                one_scorer(base, k, base->scorers[col_scorer[k]].position_decay, &b);
                shelf__score_items(model, &b, 1u << col_scorer[k], t->events + t->prefix_start[c], t->prefix_length[c],
                                   parts[k], t->similarity);
            }
            uint32_t wanted = 0;
            uint32_t *list = (uint32_t *)t->dense; /* reuse as the candidate list of this case */
            /* Sparse shares: any item with a nonzero covisit, sequential or repeat share. */
            for (uint32_t j = 0; j < n; j++)
                if ((parts[COL_COVISIT][j] != 0 || parts[COL_SEQUENTIAL][j] != 0 || parts[COL_REPEAT][j] != 0) && !chosen[j]) {
                    chosen[j] = 1;
                    list[wanted++] = j;
                }
            for (uint32_t e = 0; e < popular_count; e++)
                if (!chosen[popular[e].item]) {
                    chosen[popular[e].item] = 1;
                    list[wanted++] = popular[e].item;
                }
            if (model->embeddings.present) {
                uint32_t got = shelf__topk(parts[COL_EMBEDDING], n, EMBEDDING_CANDIDATES, top);
                for (uint32_t e = 0; e < got; e++)
                    if (!chosen[top[e].item]) {
                        chosen[top[e].item] = 1;
                        list[wanted++] = top[e].item;
                    }
            }
            if (!chosen[label]) {
                chosen[label] = 1;
                list[wanted++] = label;
            }
            if (candidate_count + wanted > candidate_capacity) {
                uint64_t grown = (candidate_capacity + wanted) * 2;
                uint32_t *cands = realloc(t->candidates, (size_t)grown * sizeof *cands);
                if (cands) t->candidates = cands;
                int failed = !cands;
                for (int k = 0; k < COLS && !failed; k++) {
                    float *col = realloc(t->column[k], (size_t)grown * sizeof *col);
                    if (col) t->column[k] = col;
                    failed = !col;
                }
                if (failed) {
                    for (int k = 0; k < COLS; k++) free(parts[k]);
                    free(chosen);
                    return SHELF_E_OUT_OF_MEMORY;
                }
                candidate_capacity = grown;
            }
            t->candidate_start[c] = candidate_count;
            for (uint32_t e = 0; e < wanted; e++) {
                uint32_t j = list[e];
                chosen[j] = 0;
                if (j == label) t->label_at[c] = e;
                t->candidates[candidate_count] = j;
                for (int k = 0; k < COLS; k++) t->column[k][candidate_count] = parts[k][j];
                candidate_count++;
            }
        }
    }
    t->candidate_start[t->cases] = candidate_count;
    for (int k = 0; k < COLS; k++) free(parts[k]);
    free(chosen);
    return SHELF_OK;
}

/* Coordinate ascent from the blend in w[] and `blend`'s position decays: each
 * weight in turn through a few multiples (the covisit weight stays as it is and
 * sets the scale), then each sparse scorer's position decay, for at most
 * four rounds or until a round finds nothing better. Columns in `frozen` (a bit per
 * column) keep their weight and decay. *trial is scratch of one column, swapped
 * with the column it improves on. */
static void ascend(tuning *t, shelf__blend *blend, float *w, uint32_t frozen, search *best, float **trial,
                   shelf_progress_fn progress, void *progress_context, const char *stage) {
    static const float weight_steps[] = {0.0f, 0.25f, 0.5f, 0.8f, 1.25f, 2.0f, 4.0f};
    static const float seed_weights[] = {0.001f, 0.01f, 0.1f, 1.0f};
    static const float decay_steps[] = {0.5f, 0.7f, 1.4f, 2.0f};
    uint64_t round_work = 0;
    for (int round = 0; round < 4; round++) {
        int improved = 0;
        for (int k = 0; k < COLS; k++) {
            if ((frozen >> k & 1) || k == COL_COVISIT) continue;
            float current = w[k];
            const float *steps = current > 0 ? weight_steps : seed_weights;
            size_t count = current > 0 ? sizeof weight_steps / sizeof weight_steps[0] : sizeof seed_weights / sizeof seed_weights[0];
            for (size_t i = 0; i < count; i++) {
                float saved = w[k];
                w[k] = current > 0 ? current * steps[i] : steps[i];
                if (improves(best, t, w))
                    improved = 1;
                else
                    w[k] = saved;
            }
        }
        /* Position decays (the embedding's only while it has weight: each try is a
         * full pass of the int8 kernel over every case). */
        for (int k = COL_COVISIT; k <= COL_EMBEDDING; k++) {
            if (frozen >> k & 1) continue;
            if (k == COL_EMBEDDING && (w[k] == 0 || !t->model->embeddings.present)) continue;
            shelf__scorer_settings *s = &blend->scorers[col_scorer[k]];
            float current = s->position_decay;
            for (size_t i = 0; i < sizeof decay_steps / sizeof decay_steps[0]; i++) {
                float decay = current * decay_steps[i];
                fill_column(t, blend, k, decay, *trial);
                float *saved = t->column[k];
                t->column[k] = *trial;
                if (improves(best, t, w)) {
                    improved = 1;
                    s->position_decay = decay;
                    *trial = saved;  /* the old column becomes the next scratch */
                } else {
                    t->column[k] = saved;
                }
            }
        }
        if (progress) progress(progress_context, stage, ++round_work, 4);
        if (!improved) break;
    }
}

shelf_status shelf__tune_blend(const shelf_model *model, const shelf__item_sessions *validation,
                               uint32_t max_cases, float drop_tolerance, shelf__blend *blend, shelf__tuning_report *report,
                               shelf_progress_fn progress, void *progress_context) {
    tuning t = {0};
    shelf_status status = tuning_build(&t, model, validation, blend, max_cases);
    if (status != SHELF_OK || t.cases == 0) {
        tuning_free(&t);
        return status;
    }
    float w[COLS];
    for (int k = 0; k < COLS; k++) w[k] = blend->scorers[col_scorer[k]].weight;
    search best = {-1, 0, 0};
    improves(&best, &t, w);

    /* Each scorer alone, for the report. */
    for (int k = 0; k < COLS; k++) {
        if (k == COL_EMBEDDING && !model->embeddings.present) continue;
        float alone[COLS] = {0};
        alone[k] = 1;
        /* Popularity breaks ties, as in the runtime where every model keeps it. */
        if (k != COL_POP) alone[COL_POP] = 1e-4f;
        evaluate(&t, alone, &report->alone_hr[col_scorer[k]], &report->alone_mrr[col_scorer[k]]);
    }

    float *trial = malloc((t.candidate_start[t.cases] ? t.candidate_start[t.cases] : 1) * sizeof(float));
    if (!trial) {
        tuning_free(&t);
        return SHELF_E_OUT_OF_MEMORY;
    }
    ascend(&t, blend, w, 0, &best, &trial, progress, progress_context, "choosing blend weights");
    /* A table that adds less than `drop_tolerance` points to the objective per byte
     * it takes per item is not worth its bytes: give it no weight (the trainer then
     * leaves it out of the model). Per item, so that a larger catalog, whose tables
     * are larger for the same use, is judged alike. Each decision is made on the
     * blend left by the last. */
    static const int droppable[] = {COL_EMBEDDING, COL_SEQUENTIAL, COL_COVISIT};
    uint32_t dropped_cols = 0;
    static const char *const sections[] = {"embeddings", "sequential", "covisit"};
    for (size_t i = 0; i < sizeof droppable / sizeof droppable[0]; i++) {
        int k = droppable[i];
        if (w[k] == 0) continue;
        double bytes_per_item = 0;
        for (uint32_t s = 0; s < shelf_model_section_count(model); s++) {
            shelf_section_info info;
            if (shelf_model_section(model, s, &info) == SHELF_OK && strcmp(info.name, sections[i]) == 0)
                bytes_per_item = (double)info.length / shelf_model_item_count(model);
        }
        float saved = w[k];
        w[k] = 0;
        double hr, mrr;
        evaluate(&t, w, &hr, &mrr);
        if (hr + 2 * mrr >= best.objective - drop_tolerance * bytes_per_item) {
            best = (search){hr + 2 * mrr, hr, mrr};
            report->dropped |= 1u << col_scorer[k];
            dropped_cols |= 1u << k;
        } else {
            w[k] = saved;
        }
    }
    /* The other weights were chosen beside what was dropped: choose them again
     * without it. */
    if (dropped_cols)
        ascend(&t, blend, w, dropped_cols, &best, &trial, progress, progress_context,
               "choosing blend weights without the tables left out");
    for (int k = 0; k < COLS; k++) blend->scorers[col_scorer[k]].weight = w[k];
    report->cases = t.cases;
    report->hr = best.hr;
    report->mrr = best.mrr;
    free(trial);
    tuning_free(&t);
    return SHELF_OK;
}
