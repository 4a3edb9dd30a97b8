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

/* Whether any of scores[0 .. 8) is >= floor (NaN never is). */
static inline int any_reaches(const float *scores, float floor) {
    int any = 0;
    for (int j = 0; j < 8; j++) any |= scores[j] >= floor;
    return any;
}

uint32_t shelf__topk(const float *scores, uint32_t n, uint32_t k, shelf__scored *out) {
    return shelf__topk_tied(scores, NULL, n, k, out);
}

uint32_t shelf__topk_tied(const float *scores, const float *ties, uint32_t n, uint32_t k, shelf__scored *out) {
    assert(k == 0 || out != NULL);
    assert(n == 0 || scores != NULL);
    uint32_t size = 0;
    if (k == 0) return 0;
    /* Once the heap is full, most items fall below its worst score: one
     * comparison with a copy of that score rejects them (exactly: a lower score
     * always ranks below). */
    float floor = -INFINITY;
    for (uint32_t i = 0; i < n; i++) {
        /* Eight at a time while none reaches the floor (a loop compilers vectorize). */
        if ((i & 7) == 0 && size == k) {
            while (i + 8 <= n && !any_reaches(scores + i, floor)) i += 8;
            if (i >= n) break;
        }
        const float s = scores[i];
        if (s < floor) continue;
        /* Also false for NaN: a NaN score never enters the heap. */
        if (!(s > -INFINITY)) continue;
        const shelf__scored candidate = {s, i};
        if (size < k) {
            out[size] = candidate;
            shelf__sift_up(out, size, ties);
            size++;
            if (size == k) floor = out[0].score;
        } else if (shelf__worse(out[0], candidate, ties)) {
            out[0] = candidate;
            shelf__sift_down(out, size, 0, ties);
            floor = out[0].score;
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

static inline void swap_scored(shelf__scored *a, shelf__scored *b) {
    const shelf__scored t = *a;
    *a = *b;
    *b = t;
}

/* Moves the best k of a[0 .. count) to a[0 .. k), in no order (quickselect; the
 * order is total, so no two entries tie). */
static void select_best(shelf__scored *a, uint32_t count, uint32_t k, const float *ties) {
    uint32_t lo = 0, hi = count;
    while (hi - lo > 1) {
        swap_scored(&a[lo + (hi - lo) / 2], &a[hi - 1]);
        const shelf__scored pivot = a[hi - 1];
        uint32_t store = lo;
        for (uint32_t i = lo; i + 1 < hi; i++)
            if (shelf__worse(pivot, a[i], ties)) swap_scored(&a[i], &a[store++]);
        swap_scored(&a[store], &a[hi - 1]);
        if (store == k) return;
        if (store > k) hi = store;
        else lo = store + 1;
    }
}

uint32_t shelf__topk_buffered(const float *scores, const float *ties, uint32_t n, uint32_t k,
                              shelf__scored *scratch, uint32_t capacity, shelf__scored *out) {
    if (k == 0) return 0;
    if (capacity < 2 * (uint64_t)k) return shelf__topk_tied(scores, ties, n, k, out);
    uint32_t count = 0;
    float floor = -INFINITY;
    for (uint32_t i = 0; i < n; i++) {
        if ((i & 7) == 0) {
            while (i + 8 <= n && !any_reaches(scores + i, floor)) i += 8;
            if (i >= n) break;
        }
        const float s = scores[i];
        /* Also false for NaN and -INFINITY, which never rank. */
        if (!(s >= floor) || !(s > -INFINITY)) continue;
        scratch[count++] = (shelf__scored){s, i};
        if (count < capacity) continue;
        /* Full: keep the best k; nothing below the worst of them can rank. */
        select_best(scratch, count, k, ties);
        count = k;
        floor = scratch[0].score;
        for (uint32_t j = 1; j < k; j++) floor = fminf(floor, scratch[j].score);
    }
    if (count > k) {
        select_best(scratch, count, k, ties);
        count = k;
    }
    /* Best first, by insertion: k is small next to n. */
    for (uint32_t i = 0; i < count; i++) {
        const shelf__scored moving = scratch[i];
        uint32_t j = i;
        while (j > 0 && shelf__worse(out[j - 1], moving, ties)) {
            out[j] = out[j - 1];
            j--;
        }
        out[j] = moving;
    }
    return count;
}
