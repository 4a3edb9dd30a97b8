/* The learned ranker's two halves that the runtime and the trainer share: the
 * features of a candidate item, and the network's score of them. */
#ifndef SHELF_RANKER_H
#define SHELF_RANKER_H

#include <stdint.h>

#include "model_internal.h"
#include "session_internal.h"
#include "topk/topk.h"

/* Scratch for shelf__ranker_features(): `m` entries. */
typedef struct shelf__ranker_slot {
    uint32_t item, slot;
} shelf__ranker_slot;

/* The features of candidates[0..m), the blend's best for the session, best first
 * (their scores as the blend gave them, `similarity` as shelf__score_items() left
 * it), into x[i * SHELF__RANKER_FEATURES + f]. `mask` is the scorers the blend
 * ran. Deterministic, like the scorers. */
void shelf__ranker_features(const shelf_model *model, const shelf__blend *blend, uint32_t mask,
                            const shelf__session_event *events, uint32_t count, const shelf__scored *candidates,
                            uint32_t m, const float *similarity, shelf__ranker_slot *scratch, float *x);

/* The network's score of one candidate's features. */
float shelf__ranker_score(const shelf__ranker *ranker, const float *x);

#endif
