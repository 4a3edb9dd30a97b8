/* A user's first evaluation, by the protocol of the session-based papers (SR-GNN,
 * GCE-GNN on Diginetica): items seen fewer than min_item_count times and sessions
 * left shorter than 2 are dropped; the sessions that end in the last test_days days
 * are the test, the others the training; test events of items the training never
 * has are removed (a model cannot recommend an item it never saw), and every prefix
 * of a test session becomes a case: the prefix, then the next item. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dataset_internal.h"
#include "diagnostic.h"

#define DAY 86400.0

/* An id the sessions format cannot hold: it splits lines at spaces, cases at tabs. */
static int writable_id(const char *id) { return !strpbrk(id, " \t\r\n"); }

static shelf_status write_error(shelf_diagnostic *diag, const char *path, FILE *f) {
    if (f) fclose(f);
    return shelf__fail(diag, SHELF_E_IO, path, 0, "cannot write the file");
}

/* Each output is written beside its target and renamed over it only once both are
 * whole: a failed split leaves the files that were there as they were. */
#define TMP_SUFFIX ".split.tmp"
static char *temporary_name(const char *path) {
    size_t n = strlen(path) + sizeof TMP_SUFFIX;
    char *tmp = malloc(n);
    if (tmp) snprintf(tmp, n, "%s%s", path, TMP_SUFFIX);
    return tmp;
}

/* The items session s keeps after the item filter, into kept[] (their count is
 * returned), and the time of its last event into *end. */
static uint64_t keep_session(const shelf_dataset *d, uint64_t s, const uint32_t *count, uint32_t min_count,
                             uint32_t *kept, double *end) {
    uint64_t n = 0;
    *end = -INFINITY;
    for (uint64_t e = d->session_start[s]; e < d->session_start[s + 1]; e++) {
        if (d->events[e].time > *end) *end = d->events[e].time;
        if (count[d->events[e].item] >= min_count) kept[n++] = d->events[e].item;
    }
    return n;
}

void shelf_split_options_init(shelf_split_options *options) {
    if (!options) return;
    options->test_days = 7;
    options->min_item_count = 5;
}

shelf_status shelf_dataset_split(const shelf_dataset *d, const shelf_split_options *options, const char *train_path,
                                 const char *test_path, shelf_split_report *report, shelf_diagnostic *diag) {
    if (!d || !options || !train_path || !test_path || !report) {
        shelf__diag_set(diag, NULL, 0, "the dataset, the options, both paths and the report are required");
        return SHELF_E_NULL_ARGUMENT;
    }
    if (!(options->test_days > 0) || !isfinite(options->test_days))
        return shelf__fail(diag, SHELF_E_BAD_ARGUMENT, NULL, 0, "test_days must be a number of days > 0");
    memset(report, 0, sizeof *report);
    const uint32_t items = shelf__dataset_items(d);
    if (d->event_count == 0) return shelf__fail(diag, SHELF_E_BAD_ARGUMENT, NULL, 0, "the dataset holds no events");

    uint32_t *count = calloc(items ? items : 1, sizeof *count);
    uint8_t *in_train = calloc(items ? items : 1, 1);
    uint32_t *kept = malloc((d->event_count ? d->event_count : 1) * sizeof *kept);
    if (!count || !in_train || !kept) {
        free(count);
        free(in_train);
        free(kept);
        return shelf__fail(diag, SHELF_E_OUT_OF_MEMORY, NULL, 0, "out of memory");
    }
    double first = INFINITY, last = -INFINITY;
    for (uint64_t e = 0; e < d->event_count; e++) {
        if (count[d->events[e].item] < UINT32_MAX) count[d->events[e].item]++;
        if (d->events[e].time < first) first = d->events[e].time;
        if (d->events[e].time > last) last = d->events[e].time;
    }
    const double cut = last - options->test_days * DAY;
    shelf_status status = SHELF_OK;
    if (!(cut > first)) {
        status = shelf__fail(diag, SHELF_E_BAD_ARGUMENT, NULL, 0,
                             "the events span %.1f days, not more than the %.1f test days (a log without times "
                             "spans none: give one with a time column)",
                             (last - first) / DAY, options->test_days);
    }
    /* Training first: which items it has decides what the test keeps. */
    char *train_tmp = temporary_name(train_path), *test_tmp = temporary_name(test_path);
    if (status == SHELF_OK && (!train_tmp || !test_tmp)) status = shelf__fail(diag, SHELF_E_OUT_OF_MEMORY, NULL, 0, "out of memory");
    FILE *f = NULL;
    if (status == SHELF_OK && !(f = fopen(train_tmp, "w"))) status = write_error(diag, train_path, NULL);
    for (uint64_t s = 0; status == SHELF_OK && s < d->session_count; s++) {
        double end;
        uint64_t n = keep_session(d, s, count, options->min_item_count, kept, &end);
        if (end >= cut) continue;
        if (n < 2) {
            report->dropped_sessions++;
            continue;
        }
        for (uint64_t i = 0; i < n; i++) {
            const char *id = shelf__dataset_item_id(d, kept[i]);
            if (!writable_id(id)) {
                status = shelf__fail(diag, SHELF_E_BAD_ARGUMENT, NULL, 0,
                                     "item id '%s' holds a space or a tab, which the sessions format cannot", id);
                break;
            }
            in_train[kept[i]] = 1;
            if (fprintf(f, "%s%s", i ? " " : "", id) < 0) status = write_error(diag, train_path, NULL);
        }
        if (status == SHELF_OK && fputc('\n', f) == EOF) status = write_error(diag, train_path, NULL);
        report->train_sessions++;
        report->train_events += n;
    }
    if (f && fclose(f) != 0 && status == SHELF_OK) status = write_error(diag, train_path, NULL);
    f = NULL;

    if (status == SHELF_OK && !(f = fopen(test_tmp, "w"))) status = write_error(diag, test_path, NULL);
    for (uint64_t s = 0; status == SHELF_OK && s < d->session_count; s++) {
        uint64_t m = 0;
        double end;
        uint64_t n = keep_session(d, s, count, options->min_item_count, kept, &end);
        if (end < cut) continue;
        for (uint64_t i = 0; i < n; i++) {
            if (in_train[kept[i]]) kept[m++] = kept[i];
            else report->dropped_test_events++;
        }
        if (m < 2) {
            report->dropped_sessions++;
            continue;
        }
        for (uint64_t i = 0; i < m; i++) {
            if (!writable_id(shelf__dataset_item_id(d, kept[i]))) {
                status = shelf__fail(diag, SHELF_E_BAD_ARGUMENT, NULL, 0,
                                     "item id '%s' holds a space or a tab, which the test format cannot",
                                     shelf__dataset_item_id(d, kept[i]));
                break;
            }
        }
        /* Every prefix, then the item after it. */
        for (uint64_t p = 1; status == SHELF_OK && p < m; p++) {
            for (uint64_t i = 0; i < p; i++)
                if (fprintf(f, "%s%s", i ? " " : "", shelf__dataset_item_id(d, kept[i])) < 0) status = SHELF_E_IO;
            if (fprintf(f, "\t%s\n", shelf__dataset_item_id(d, kept[p])) < 0) status = SHELF_E_IO;
            report->test_cases++;
        }
        if (status == SHELF_E_IO) status = write_error(diag, test_path, NULL);
        report->test_sessions++;
    }
    if (f && fclose(f) != 0 && status == SHELF_OK) status = write_error(diag, test_path, NULL);
    if (status == SHELF_OK && rename(train_tmp, train_path) != 0) status = write_error(diag, train_path, NULL);
    if (status == SHELF_OK && rename(test_tmp, test_path) != 0) status = write_error(diag, test_path, NULL);
    if (train_tmp) remove(train_tmp); /* after a failure; gone already after the renames */
    if (test_tmp) remove(test_tmp);
    free(train_tmp);
    free(test_tmp);
    for (uint32_t i = 0; i < items; i++) report->train_items += in_train[i];
    report->first_time = first;
    report->cut_time = cut;
    report->last_time = last;
    free(count);
    free(in_train);
    free(kept);
    return status;
}
