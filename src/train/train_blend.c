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

/* HR@20 and MRR@20 of the weights w over cases [from, to). */
static void evaluate_range(const tuning *t, const float *w, uint32_t from, uint32_t to, double *hr, double *mrr) {
    double hits = 0, reciprocal = 0;
    for (uint32_t c = from; c < to; c++) {
        uint64_t begin = t->candidate_start[c], end = t->candidate_start[c + 1];
        float label_score = 0;
        if (t->label_at[c] == UINT32_MAX) continue;
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
    *hr = to > from ? 100.0 * hits / (to - from) : 0;
    *mrr = to > from ? 100.0 * reciprocal / (to - from) : 0;
}

static void evaluate(const tuning *t, const float *w, double *hr, double *mrr) {
    evaluate_range(t, w, 0, t->cases, hr, mrr);
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
            t->label_at[c] = 0;
            t->prefix_start[c] = event_at;
            t->prefix_length[c] = shelf__prefix_events(v, x, q, t->events + event_at);
            t->label[c] = label;
            event_at += t->prefix_length[c];
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
            /* A label none of the scorers put among the candidates scores only its
             * popularity and similarity, like the thousands of items outside them,
             * and is neither among the 20 most popular nor the 50 most similar: it
             * (nearly) always ranks below those, so it counts as a miss. Ranked
             * among the candidates alone, it would count as a hit whenever they
             * are few (sparse data), though the runtime ranks it among them all. */
            if (!chosen[label]) {
                chosen[label] = 1;
                list[wanted++] = label;
                t->label_at[c] = UINT32_MAX;
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
                if (j == label && t->label_at[c] != UINT32_MAX) t->label_at[c] = e;
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

/* Fills every column but popularity's (which no event weight changes) at the
 * blend's decays into cols[]. */
static void fill_columns(tuning *t, const shelf__blend *blend, float **cols) {
    for (int k = COL_COVISIT; k < COLS; k++) {
        if (k == COL_EMBEDDING && !t->model->embeddings.present) continue;
        fill_column(t, blend, k, blend->scorers[col_scorer[k]].position_decay, cols[k]);
    }
}

static void swap_columns(tuning *t, float **cols) {
    for (int k = COL_COVISIT; k < COLS; k++) {
        if (k == COL_EMBEDDING && !t->model->embeddings.present) continue;
        float *c = t->column[k];
        t->column[k] = cols[k];
        cols[k] = c;
    }
}

/* The weights of the event types the validation prefixes hold (views stay at 1
 * and set the scale), by coordinate ascent on the older three quarters of the
 * cases; the newest quarter, held out, measures them against counting every
 * event as a view, and they are kept only if they beat it there. `trial` holds a
 * column buffer per scorer. */
static void choose_event_weights(tuning *t, shelf__blend *blend, const float *w, float **trial,
                                 shelf__tuning_report *report, shelf_progress_fn progress, void *progress_context) {
    uint64_t seen[SHELF_EVENT_TYPE_COUNT] = {0};
    for (uint32_t c = 0; c < t->cases; c++)
        for (uint32_t i = 0; i < t->prefix_length[c]; i++) seen[t->events[t->prefix_start[c] + i].type]++;
    uint32_t types = 0;
    for (int e = 0; e < SHELF_EVENT_TYPE_COUNT; e++)
        if (e != SHELF_EVENT_VIEW && seen[e] >= 20) types |= 1u << e;
    if (!types || t->cases < 40) return;
    const uint32_t fit = t->cases - t->cases / 4;
    report->typed_events = 0;
    for (int e = 0; e < SHELF_EVENT_TYPE_COUNT; e++)
        if (e != SHELF_EVENT_VIEW) report->typed_events += seen[e];
    report->event_holdout_cases = t->cases - fit;

    /* Every event as a view (dwell, weighed per second, keeps its weight). */
    shelf__blend views = *blend;
    for (int e = 0; e < SHELF_EVENT_TYPE_COUNT; e++)
        if (e != SHELF_EVENT_DWELL) views.event_weights[e] = 1;
    fill_columns(t, &views, trial);
    swap_columns(t, trial);
    evaluate_range(t, w, fit, t->cases, &report->views_hr, &report->views_mrr);
    swap_columns(t, trial);

    static const float steps[] = {0.0f, 0.25f, 0.5f, 2.0f, 4.0f};
    static const float seeds[] = {0.25f, 1.0f, 4.0f};
    double hr, mrr;
    evaluate_range(t, w, 0, fit, &hr, &mrr);
    double best = hr + 2 * mrr;
    uint64_t work = 0;
    for (int round = 0; round < 3; round++) {
        int improved = 0;
        for (int e = 0; e < SHELF_EVENT_TYPE_COUNT; e++) {
            if (!(types >> e & 1)) continue;
            const float current = blend->event_weights[e];
            const float *try = current > 0 ? steps : seeds;
            const size_t count = current > 0 ? sizeof steps / sizeof steps[0] : sizeof seeds / sizeof seeds[0];
            for (size_t i = 0; i < count; i++) {
                shelf__blend b = *blend;
                b.event_weights[e] = current > 0 ? current * try[i] : try[i];
                if (b.event_weights[e] == blend->event_weights[e]) continue;
                fill_columns(t, &b, trial);
                swap_columns(t, trial);
                evaluate_range(t, w, 0, fit, &hr, &mrr);
                if (hr + 2 * mrr > best + 1e-9) {
                    best = hr + 2 * mrr;
                    *blend = b;
                    improved = 1;
                } else {
                    swap_columns(t, trial);
                }
            }
        }
        if (progress) progress(progress_context, "choosing event weights", ++work, 3);
        if (!improved) break;
    }
    evaluate_range(t, w, fit, t->cases, &report->learned_hr, &report->learned_mrr);
    /* Kept only if they beat views where they were not chosen: on small logs the
     * ascent can fit the older cases' noise. */
    report->events_kept = report->learned_hr + 2 * report->learned_mrr > report->views_hr + 2 * report->views_mrr;
    if (!report->events_kept) *blend = views;
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
    /* The event types' weights, then the blend again around them. */
    float *columns[COLS] = {0};
    int columns_ok = 1;
    for (int k = COL_COVISIT; k < COLS; k++)
        columns_ok &= (columns[k] = malloc((t.candidate_start[t.cases] ? t.candidate_start[t.cases] : 1) * sizeof(float))) != NULL;
    if (!columns_ok) {
        for (int k = 0; k < COLS; k++) free(columns[k]);
        free(trial);
        tuning_free(&t);
        return SHELF_E_OUT_OF_MEMORY;
    }
    shelf__blend before = *blend;
    choose_event_weights(&t, blend, w, columns, report, progress, progress_context);
    for (int k = 0; k < COLS; k++) free(columns[k]);
    if (memcmp(before.event_weights, blend->event_weights, sizeof before.event_weights) != 0) {
        best.objective = -1;
        improves(&best, &t, w);
        ascend(&t, blend, w, 0, &best, &trial, progress, progress_context, "choosing blend weights again");
    }
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
