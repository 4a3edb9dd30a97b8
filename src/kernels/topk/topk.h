/* topk -- the k best of n scores, the last step of every recommendation.
 *
 * Deterministic everywhere: the order is total (score, then optionally a second
 * key, then item index), so native and WebAssembly builds return the same items in
 * the same order.
 */
#ifndef SHELF_TOPK_H
#define SHELF_TOPK_H

#include <stdint.h>

typedef struct shelf__scored {
    float score;
    uint32_t item;
} shelf__scored;

/* Writes the min(k, number of eligible items) best items of scores[0 .. n) to out,
 * best first, and returns how many it wrote.
 *
 * Eligible: score > -INFINITY (callers exclude items by writing -INFINITY; scores
 * are never NaN, and a NaN would simply be skipped). Order: higher score first; of
 * equal scores (0.0 equals -0.0), the smaller item index first. Each out[] entry
 * holds the item's score exactly as read.
 *
 * Uses only out[0 .. k) as working memory (out may be NULL when k is 0) and reads
 * only scores[0 .. n). O(n log k) at worst, close to O(n) when k << n. Never
 * allocates or fails. */
uint32_t shelf__topk(const float *scores, uint32_t n, uint32_t k, shelf__scored *out);

/* As shelf__topk(), but of equal scores the one with the larger ties[item] comes
 * first, then the smaller index: shelf_related() orders what its scorers leave tied
 * (every item they know nothing about) by popularity. `ties` has n values, none
 * NaN; NULL gives shelf__topk()'s order. */
uint32_t shelf__topk_tied(const float *scores, const float *ties, uint32_t n, uint32_t k, shelf__scored *out);

/* shelf__topk_tied()'s result, faster when k is large (a hundred or more): items
 * at or above a running floor are gathered in scratch[0 .. capacity), and when it
 * fills, a selection keeps its best k and raises the floor to their worst score.
 * capacity >= 2k (else this is shelf__topk_tied()); 4k gives few selections.
 * O(n + (number gathered) * capacity / k) comparisons; never allocates. */
uint32_t shelf__topk_buffered(const float *scores, const float *ties, uint32_t n, uint32_t k,
                              shelf__scored *scratch, uint32_t capacity, shelf__scored *out);

#endif
