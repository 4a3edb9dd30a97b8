#ifndef SHELF_TRAIN_RANKER_H
#define SHELF_TRAIN_RANKER_H

#include "model_internal.h"
#include "train_internal.h"

/* What the ranker's training saw (percent, @20): on the newest quarter of the
 * validation cases, held out from its fitting, the blend's order and the
 * ranker's. `kept` is 0 when the ranker did not beat the blend there. */
typedef struct shelf__ranker_report {
    uint32_t cases, holdout_cases, epochs;
    double blend_hr, blend_mrr, ranker_hr, ranker_mrr;
    int kept;
} shelf__ranker_report;

/* Learns a ranker of `hidden` units (at most SHELF__RANKER_MAX_HIDDEN) that
 * re-orders the `candidates` best items of `blend` on the next-item cases of the
 * validation sessions, scored with `model` (trained without them). At most
 * max_cases cases, evenly spread. out->hidden is 0 when it was not kept. */
shelf_status shelf__train_ranker(const shelf_model *model, const shelf__blend *blend,
                                 const shelf__item_sessions *validation, uint32_t max_cases, uint32_t hidden,
                                 uint32_t candidates, uint64_t seed, shelf__ranker *out,
                                 shelf__ranker_report *report, shelf_progress_fn progress, void *progress_context);

#endif
