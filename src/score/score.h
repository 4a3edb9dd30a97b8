/* Scoring: every scorer's share of every item's score, for one session. */
#ifndef SHELF_SCORE_H
#define SHELF_SCORE_H

#include <stdint.h>

#include "model_internal.h"
#include "session_internal.h"

/* Writes the blended score of every item into scores[0..item_count), using the
 * scorers in `mask` (SHELF_SCORER_* bits) with the settings in `blend` (usually
 * &model->blend; the trainer passes others to choose them). `similarity` is
 * scratch of item_count floats, used when the embedding scorer runs.
 * Deterministic: the same inputs give the same bits on every target. */
void shelf__score_items(const shelf_model *model, const shelf__blend *blend, uint32_t mask,
                        const shelf__session_event *events, uint32_t count, float *scores,
                        float *similarity);

/* How much event i of the session counts for a scorer: its position decay (the
 * newest event counts 1), its type's weight, its own weight and the time decay. */
float shelf__event_factor(const shelf__blend *blend, const shelf__scorer_settings *s,
                          const shelf__session_event *events, uint32_t count, uint32_t i);

/* Why `item` scored: the scorer with the largest share of its score and the
 * session item behind that share (UINT32_MAX for popularity). `similarity` is
 * the embedding score that shelf__score_items() left for the item. */
void shelf__explain_item(const shelf_model *model, const shelf__blend *blend, uint32_t mask,
                         const shelf__session_event *events, uint32_t count, uint32_t item,
                         float similarity, uint32_t *reason, uint32_t *reason_item);

#endif
