#include <stdlib.h>
#include <string.h>

#include "session_build.h"

static int span_before(const shelf__session_span *a, const shelf__session_span *b) {
    if (a->first_time != b->first_time) return a->first_time < b->first_time;
    return a->first_row < b->first_row;
}

static int span_compare(const void *a, const void *b) {
    const shelf__session_span *x = a, *y = b;
    return span_before(x, y) ? -1 : span_before(y, x) ? 1 : 0;
}

/* Stable sort of rows[0..n) by event time: rows come in file order, and a stable
 * sort keeps that order among equal times. Insertion sort for the short runs a
 * session usually is, merge sort (through `scratch`) for long ones. */
static void sort_rows_by_time(uint32_t *rows, size_t n, const shelf__event *events, uint32_t *scratch) {
    if (n <= 32) {
        for (size_t i = 1; i < n; i++) {
            uint32_t r = rows[i];
            double t = events[r].time;
            size_t j = i;
            for (; j > 0 && events[rows[j - 1]].time > t; j--) rows[j] = rows[j - 1];
            rows[j] = r;
        }
        return;
    }
    size_t half = n / 2;
    sort_rows_by_time(rows, half, events, scratch);
    sort_rows_by_time(rows + half, n - half, events, scratch);
    memcpy(scratch, rows, half * sizeof *rows);
    size_t i = 0, j = half, k = 0;
    while (i < half && j < n) rows[k++] = events[rows[j]].time < events[scratch[i]].time ? rows[j++] : scratch[i++];
    while (i < half) rows[k++] = scratch[i++];
}

void shelf__sessions_free(shelf__sessions *s) {
    free(s->rows);
    free(s->spans);
    memset(s, 0, sizeof *s);
}

shelf_status shelf__sessions_from_rows(const shelf__event *events, const uint32_t *keys, size_t n,
                                       uint32_t key_count, int split_by_gap, double gap, shelf__sessions *out) {
    memset(out, 0, sizeof *out);
    uint32_t *group = calloc((size_t)key_count + 1, sizeof *group);
    uint32_t *rows = malloc((n ? n : 1) * sizeof *rows);
    uint32_t *scratch = NULL;
    shelf__session_span *spans = NULL;
    size_t count = 0, capacity = 0;
    if (!group || !rows) goto out_of_memory;

    /* Counting sort by key: keys are numbered by first appearance and the sort
     * is stable, so each group lists its rows in file order. */
    for (size_t i = 0; i < n; i++) group[keys[i] + 1]++;
    for (uint32_t k = 0; k < key_count; k++) group[k + 1] += group[k];
    for (size_t i = 0; i < n; i++) rows[group[keys[i]]++] = (uint32_t)i;
    memmove(group + 1, group, (size_t)key_count * sizeof *group);
    group[0] = 0;

    for (uint32_t k = 0; k < key_count; k++) {
        uint32_t begin = group[k], end = group[k + 1];
        int sorted = 1;
        for (uint32_t i = begin + 1; i < end && sorted; i++) sorted = events[rows[i - 1]].time <= events[rows[i]].time;
        if (!sorted) {
            if (!scratch && !(scratch = malloc((n / 2 + 1) * sizeof *scratch))) goto out_of_memory;
            sort_rows_by_time(rows + begin, end - begin, events, scratch);
        }
        /* One session per key, or (users) a new one after every long pause. */
        for (uint32_t i = begin; i < end;) {
            uint32_t j = i + 1, first_row = rows[i];
            while (j < end && !(split_by_gap && events[rows[j]].time - events[rows[j - 1]].time > gap)) {
                if (rows[j] < first_row) first_row = rows[j];
                j++;
            }
            if (count == capacity) {
                size_t grown_capacity = capacity ? capacity * 2 : 1024;
                shelf__session_span *grown = realloc(spans, grown_capacity * sizeof *grown);
                if (!grown) goto out_of_memory;
                spans = grown;
                capacity = grown_capacity;
            }
            spans[count++] = (shelf__session_span){events[rows[i]].time, first_row, i, j};
            i = j;
        }
    }
    int in_order = 1;
    for (size_t s = 1; s < count && in_order; s++) in_order = !span_before(&spans[s], &spans[s - 1]);
    if (!in_order) qsort(spans, count, sizeof *spans, span_compare);
    free(group);
    free(scratch);
    out->rows = rows;
    out->spans = spans;
    out->count = count;
    return SHELF_OK;

out_of_memory:
    free(group);
    free(rows);
    free(scratch);
    free(spans);
    return SHELF_E_OUT_OF_MEMORY;
}
