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

#endif
