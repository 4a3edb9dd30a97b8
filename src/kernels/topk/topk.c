/* Bounded top-k: a min-heap of the k best so far, its worst entry at the root, so one
 * comparison rejects most items; then an in-place heap sort, best first. */
#include <assert.h>
#include <math.h>
#include <stddef.h>

#include "topk.h"

/* The total order of results: a ranks below b. */
static inline int shelf__worse(shelf__scored a, shelf__scored b, const float *ties) {
    if (a.score != b.score) return a.score < b.score;
    if (ties && ties[a.item] != ties[b.item]) return ties[a.item] < ties[b.item];
    return a.item > b.item;
}

/* Restores the heap below `i` within heap[0 .. size). i < size / 2 keeps 2*i + 2
 * below 2^32 for any size. */
static void shelf__sift_down(shelf__scored *heap, uint32_t size, uint32_t i, const float *ties) {
    const shelf__scored moving = heap[i];
    while (i < size / 2) {
        uint32_t child = 2 * i + 1;
        if (child + 1 < size && shelf__worse(heap[child + 1], heap[child], ties)) child++;
        if (!shelf__worse(heap[child], moving, ties)) break;
        heap[i] = heap[child];
        i = child;
    }
    heap[i] = moving;
}

static void shelf__sift_up(shelf__scored *heap, uint32_t i, const float *ties) {
    const shelf__scored moving = heap[i];
    while (i > 0) {
        const uint32_t parent = (i - 1) / 2;
        if (!shelf__worse(moving, heap[parent], ties)) break;
        heap[i] = heap[parent];
        i = parent;
    }
    heap[i] = moving;
}

uint32_t shelf__topk(const float *scores, uint32_t n, uint32_t k, shelf__scored *out) {
    return shelf__topk_tied(scores, NULL, n, k, out);
}

uint32_t shelf__topk_tied(const float *scores, const float *ties, uint32_t n, uint32_t k, shelf__scored *out) {
    assert(k == 0 || out != NULL);
    assert(n == 0 || scores != NULL);
    uint32_t size = 0;
    if (k == 0) return 0;
    for (uint32_t i = 0; i < n; i++) {
        const float s = scores[i];
        /* Also false for NaN: a NaN score never enters the heap. */
        if (!(s > -INFINITY)) continue;
        const shelf__scored candidate = {s, i};
        if (size < k) {
            out[size] = candidate;
            shelf__sift_up(out, size, ties);
            size++;
        } else if (shelf__worse(out[0], candidate, ties)) {
            out[0] = candidate;
            shelf__sift_down(out, size, 0, ties);
        }
    }
    /* Heap sort: moving the worst to the end, then the next worst before it, ...
     * leaves the best first. */
    for (uint32_t end = size; end > 1; end--) {
        const shelf__scored worst = out[0];
        out[0] = out[end - 1];
        out[end - 1] = worst;
        shelf__sift_down(out, end - 1, 0, ties);
    }
    return size;
}
