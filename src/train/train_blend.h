#ifndef SHELF_TRAIN_BLEND_H
#define SHELF_TRAIN_BLEND_H

#include "model_internal.h"
#include "train_internal.h"

/* What the blend search saw on the validation cases (percent, @20). */
typedef struct shelf__tuning_report {
    uint32_t cases;
    double hr, mrr;                              /* the chosen blend */
    double alone_hr[SHELF__SCORER_COUNT];        /* each scorer alone, at the starting decays */
    double alone_mrr[SHELF__SCORER_COUNT];
    uint32_t dropped;                            /* 1 << SHELF__SCORER_*: given no weight for its size */
    /* The event types' weights, when the prefixes hold more than views: chosen on
     * the older three quarters of the cases, measured on the newest quarter against
     * counting every event as a view (event_holdout_cases 0: not learned). */
    uint64_t typed_events;
    uint32_t event_holdout_cases;
    double views_hr, views_mrr, learned_hr, learned_mrr;
    int events_kept;                             /* 0: they lost to views, which the blend then uses */
} shelf__tuning_report;

/* Improves `blend` (weights and position decays; starts from its values) on the
 * next-item cases of the validation sessions, scoring with `model` (trained
 * without them). At most max_cases cases, evenly spread. Then a neighbour table or
 * the embeddings whose removal costs less than drop_tolerance points of
 * HR@20 + 2 MRR@20 per byte per item of its section in `model` get weight 0: a
 * table must earn its bytes. */
shelf_status shelf__tune_blend(const shelf_model *model, const shelf__item_sessions *validation,
                               uint32_t max_cases, float drop_tolerance, shelf__blend *blend, shelf__tuning_report *report,
                               shelf_progress_fn progress, void *progress_context);

#endif
