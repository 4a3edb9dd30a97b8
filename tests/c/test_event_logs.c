/* Event logs and catalogs into a dataset: the real files of ../shared/data (counts
 * from its README), and small fixtures written at run time for every edge: line
 * endings, BOM, long lines, bad fields, rollback after a failed read. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "dataset_internal.h"
#include "shelf_train.h"

/* ---------------------------------------------------------------- helpers --- */

static const char *data_path(const char *relative) {
    static char path[4][1024];
    static int next;
    char *p = path[next++ % 4];
    snprintf(p, sizeof path[0], "%s/%s", check_data_dir(), relative);
    return p;
}

/* Writes `size` bytes to a fresh file in the scratch folder; returns its path. */
static const char *write_fixture(const char *name, const char *bytes, size_t size) {
    static char path[8][1024];
    static int next;
    char *p = path[next++ % 8];
    snprintf(p, sizeof path[0], "%s/event_logs_%s", check_tmp_dir(), name);
    FILE *f = fopen(p, "wb");
    if (!f) {
        fprintf(stderr, "cannot write %s: %s\n", p, strerror(errno));
        exit(1);
    }
    fwrite(bytes, 1, size, f);
    fclose(f);
    return p;
}

static const char *write_text(const char *name, const char *text) {
    return write_fixture(name, text, strlen(text));
}

static shelf_dataset *new_dataset(void) {
    shelf_dataset *d = NULL;
    CHECK_STATUS(shelf_dataset_create(&d), SHELF_OK);
    if (!d) exit(1);
    return d;
}

static shelf_status read_format(shelf_dataset *d, const char *path, shelf_log_format format, int skip,
                                uint64_t *bad, shelf_diagnostic *diag) {
    shelf_log_options o;
    shelf_log_options_init(&o, format);
    o.skip_bad_lines = skip;
    return shelf_dataset_read_log(d, path, &o, bad, diag);
}

static const char *item_id(const shelf_dataset *d, uint32_t item) { return shelf__dataset_item_id(d, item); }

static const shelf__event *session_event(const shelf_dataset *d, uint64_t session, uint64_t i) {
    return &d->events[d->session_start[session] + i];
}

static uint64_t session_size(const shelf_dataset *d, uint64_t session) {
    return d->session_start[session + 1] - d->session_start[session];
}

static uint32_t find_item(const shelf_dataset *d, const char *id) {
    uint32_t item = UINT32_MAX;
    if (shelf__dataset_find_item(d, id, strlen(id), &item) != SHELF_OK) return UINT32_MAX;
    return item;
}

static const char *item_category_name(const shelf_dataset *d, const char *id) {
    uint32_t item = find_item(d, id);
    if (item == UINT32_MAX || !d->has_catalog || d->item_category[item] == SHELF_NO_CATEGORY) return NULL;
    return shelf__string_table_get(&d->categories, d->item_category[item]);
}

/* Every session's events in time order, and the sessions by first event time. */
static int sessions_in_time_order(const shelf_dataset *d) {
    for (uint64_t s = 0; s < d->session_count; s++) {
        if (d->session_start[s] >= d->session_start[s + 1]) return 0;
        for (uint64_t e = d->session_start[s] + 1; e < d->session_start[s + 1]; e++)
            if (d->events[e].time < d->events[e - 1].time) return 0;
        if (s > 0 && session_event(d, s, 0)->time < session_event(d, s - 1, 0)->time) return 0;
    }
    return d->session_start[d->session_count] == d->event_count;
}

static int contains(const char *text, const char *part) { return strstr(text, part) != NULL; }

/* Everything observable about a dataset, to prove a failed read changed nothing. */
typedef struct snapshot {
    uint64_t sessions, events;
    uint32_t items, categories;
    int has_catalog;
    uint64_t checksum;
} snapshot;

static snapshot take_snapshot(const shelf_dataset *d) {
    snapshot s = {d->session_count, d->event_count, d->items.count, d->categories.count, d->has_catalog, 0};
    uint64_t h = 1469598103934665603u;
#define MIX(v) (h = (h ^ (uint64_t)(v)) * 1099511628211u)
    for (uint64_t i = 0; i <= d->session_count; i++) MIX(d->session_start[i]);
    for (uint64_t i = 0; i < d->event_count; i++) {
        MIX(d->events[i].item);
        MIX(d->events[i].type);
        MIX((int64_t)(d->events[i].time * 1000));
    }
    for (uint32_t i = 0; i < d->items.count; i++) {
        for (const char *c = shelf__dataset_item_id(d, i); *c; c++) MIX(*c);
        if (d->has_catalog) {
            MIX(d->item_category[i]);
            MIX(isnan(d->item_price[i]) ? -1 : (int64_t)(d->item_price[i] * 100));
            MIX(d->item_flags[i]);
        }
    }
    for (uint32_t i = 0; i < d->categories.count; i++)
        for (const char *c = shelf__string_table_get(&d->categories, i); *c; c++) MIX(*c);
#undef MIX
    s.checksum = h;
    return s;
}

static int same_snapshot(snapshot a, snapshot b) {
    return a.sessions == b.sessions && a.events == b.events && a.items == b.items &&
           a.categories == b.categories && a.has_catalog == b.has_catalog && a.checksum == b.checksum;
}

/* ------------------------------------------------------------------ names --- */

static void test_names(void) {
    static const char *const names[] = {"view", "click", "add_to_cart", "purchase", "search", "dwell"};
    for (int t = 0; t < SHELF_EVENT_TYPE_COUNT; t++) {
        CHECK(strcmp(shelf_event_type_name((shelf_event_type)t), names[t]) == 0);
        shelf_event_type back;
        CHECK_STATUS(shelf_event_type_from_name(names[t], strlen(names[t]), &back), SHELF_OK);
        CHECK(back == (shelf_event_type)t);
    }
    shelf_event_type type = SHELF_EVENT_DWELL;
    CHECK(shelf_event_type_name(SHELF_EVENT_TYPE_COUNT) == NULL);
    CHECK(shelf_event_type_name((shelf_event_type)-1) == NULL);
    CHECK_STATUS(shelf_event_type_from_name("views", 5, &type), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_event_type_from_name("vie", 3, &type), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_event_type_from_name("viewx", 4, &type), SHELF_OK); /* only 4 bytes count */
    CHECK(type == SHELF_EVENT_VIEW);
    CHECK_STATUS(shelf_event_type_from_name("view\0", 5, &type), SHELF_E_BAD_EVENT);
    CHECK_STATUS(shelf_event_type_from_name(NULL, 0, &type), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_event_type_from_name("view", 4, NULL), SHELF_E_NULL_ARGUMENT);

    /* GA4's and Segment's names for the same events, listed by shelf_event_alias. */
    static const struct { const char *name; shelf_event_type type; } aliases[] = {
        {"view_item", SHELF_EVENT_VIEW},          {"select_item", SHELF_EVENT_CLICK},
        {"Product Viewed", SHELF_EVENT_VIEW},     {"Product Clicked", SHELF_EVENT_CLICK},
        {"Product Added", SHELF_EVENT_ADD_TO_CART}, {"Order Completed", SHELF_EVENT_PURCHASE},
    };
    uint32_t listed = 0;
    for (shelf_event_type t; shelf_event_alias(listed, &t); listed++) {
        CHECK(listed < 6 && strcmp(shelf_event_alias(listed, NULL), aliases[listed].name) == 0 && t == aliases[listed].type);
        if (listed >= 6) break;
    }
    CHECK(listed == 6);
    for (int a = 0; a < 6; a++) {
        type = SHELF_EVENT_DWELL;
        CHECK_STATUS(shelf_event_type_from_name(aliases[a].name, strlen(aliases[a].name), &type), SHELF_OK);
        CHECK(type == aliases[a].type);
    }
    CHECK_STATUS(shelf_event_type_from_name("product viewed", 14, &type), SHELF_E_BAD_EVENT); /* case matters */
    CHECK_STATUS(shelf_event_type_from_name("Product Viewed!", 14, &type), SHELF_OK);        /* 14 bytes */

    static const char *const formats[] = {"sessions", "diginetica", "taobao", "rees46", "sessionrec", "generic",
                                          "ga4", "segment"};
    for (int f = 0; f < 8; f++) {
        shelf_log_format back = SHELF_LOG_GENERIC;
        CHECK(strcmp(shelf_log_format_name((shelf_log_format)f), formats[f]) == 0);
        CHECK_STATUS(shelf_log_format_from_name(formats[f], &back), SHELF_OK);
        CHECK(back == (shelf_log_format)f);
    }
    shelf_log_format format;
    CHECK(shelf_log_format_name((shelf_log_format)8) == NULL);
    CHECK_STATUS(shelf_log_format_from_name("csv", &format), SHELF_E_BAD_ARGUMENT);
    CHECK_STATUS(shelf_log_format_from_name(NULL, &format), SHELF_E_NULL_ARGUMENT);

    shelf_log_options o;
    shelf_log_options_init(&o, SHELF_LOG_TAOBAO);
    CHECK(o.format == SHELF_LOG_TAOBAO && o.session_gap == 1800.0 && o.skip_bad_lines == 0 && o.progress == NULL);
    /* The column fields are the generic format's: init gives it a session and an
     * item column, and a named format knows its own columns whatever they say. */
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    CHECK(o.delimiter == ',' && o.has_header && o.session_column == 0 && o.item_column == 1 && o.user_column == -1);
    CHECK(o.type_column == -1 && o.time_column == -1 && o.time_scale == 1.0);
    const char *taobao = write_text("taobao_columns.csv", "1,10,5,pv,100\n1,11,5,cart,110\n2,10,5,buy,120\n");
    shelf_dataset *d = new_dataset();
    shelf_log_options_init(&o, SHELF_LOG_TAOBAO);
    o.delimiter = ';';
    o.has_header = 1;
    o.item_column = 4;
    o.session_column = 2;
    shelf_diagnostic diag;
    CHECK_STATUS(shelf_dataset_read_log(d, taobao, &o, NULL, &diag), SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 2 && shelf_dataset_item_count(d) == 2 && shelf_dataset_event_count(d) == 3);
    shelf_dataset_free(d);
}

static void test_dataset_basics(void) {
    CHECK_STATUS(shelf_dataset_create(NULL), SHELF_E_NULL_ARGUMENT);
    shelf_dataset_free(NULL);
    CHECK(shelf_dataset_session_count(NULL) == 0 && shelf_dataset_event_count(NULL) == 0);
    CHECK(shelf_dataset_item_count(NULL) == 0);
    shelf_dataset *d = new_dataset();
    CHECK(shelf_dataset_session_count(d) == 0 && shelf_dataset_event_count(d) == 0);
    CHECK(shelf_dataset_item_count(d) == 0 && d->session_start[0] == 0 && !d->has_catalog);
    shelf_diagnostic diag;
    shelf_log_options o;
    shelf_log_options_init(&o, SHELF_LOG_SESSIONS);
    CHECK_STATUS(shelf_dataset_read_log(NULL, "x", &o, NULL, &diag), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_dataset_read_log(d, NULL, &o, NULL, &diag), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_dataset_read_log(d, "x", NULL, NULL, &diag), SHELF_E_NULL_ARGUMENT);
    CHECK_STATUS(shelf_dataset_read_catalog(d, NULL, &diag), SHELF_E_NULL_ARGUMENT);

    /* Many interned ids: the hash table grows and every id keeps its index. */
    char id[32];
    for (uint32_t i = 0; i < 100000; i++) {
        uint32_t item;
        snprintf(id, sizeof id, "sku-%u", i);
        if (shelf__dataset_intern_item(d, id, strlen(id), &item) != SHELF_OK || item != i) {
            CHECK(0 && "intern");
            break;
        }
    }
    int all_found = 1;
    for (uint32_t i = 0; i < 100000; i += 7) {
        snprintf(id, sizeof id, "sku-%u", i);
        all_found &= find_item(d, id) == i;
    }
    CHECK(all_found);
    CHECK(find_item(d, "sku-100000") == UINT32_MAX);
    CHECK(find_item(d, "sku-1") == 1 && find_item(d, "sku-") == UINT32_MAX);
    shelf_dataset_free(d);
}

/* --------------------------------------------------------------- real data --- */

typedef struct progress_log {
    int calls;
    uint64_t last_done, last_total;
    int monotonic;
    char stage[128];
} progress_log;

static void on_progress(void *context, const char *stage, uint64_t done, uint64_t total) {
    progress_log *log = context;
    if (done < log->last_done) log->monotonic = 0;
    log->calls++;
    log->last_done = done;
    log->last_total = total;
    snprintf(log->stage, sizeof log->stage, "%s", stage);
}

static void test_diginetica_sessions(void) {
    shelf_dataset *d = new_dataset();
    shelf_diagnostic diag;
    shelf_log_options o;
    progress_log progress = {0, 0, 0, 1, ""};
    uint64_t bad = 99;
    shelf_log_options_init(&o, SHELF_LOG_SESSIONS);
    o.progress = on_progress;
    o.progress_context = &progress;
    CHECK_STATUS(shelf_dataset_read_log(d, data_path("diginetica/train_sessions.tsv"), &o, &bad, &diag), SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 186670);
    CHECK(shelf_dataset_event_count(d) == 906140);
    CHECK(shelf_dataset_item_count(d) == 43097);
    CHECK(bad == 0 && diag.line == 0 && diag.message[0] == '\0');
    /* "1 2" then "3 4 5": line order, time = position, all views. */
    CHECK(session_size(d, 0) == 2 && session_size(d, 1) == 3);
    CHECK(strcmp(item_id(d, session_event(d, 1, 2)->item), "5") == 0);
    CHECK(session_event(d, 1, 2)->time == 2.0 && session_event(d, 1, 0)->type == SHELF_EVENT_VIEW);
    CHECK(strcmp(item_id(d, session_event(d, 186669, 1)->item), "12270") == 0);
    CHECK(strcmp(item_id(d, 0), "1") == 0 && find_item(d, "43097") != UINT32_MAX);
    CHECK(progress.calls >= 5 && progress.monotonic);
    CHECK(progress.last_done == progress.last_total && progress.last_total == 4982878);
    CHECK(strcmp(progress.stage, "reading train_sessions.tsv") == 0);

    /* The test file is prefix<TAB>label: refused, with the reason. */
    snapshot before = take_snapshot(d);
    CHECK_STATUS(read_format(d, data_path("diginetica/test_prefix_label.tsv"), SHELF_LOG_SESSIONS, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 1 && contains(diag.message, "tab in a session line: is this a test file?"));
    CHECK(same_snapshot(before, take_snapshot(d)));
    shelf_dataset_free(d);
}

static void test_diginetica_raw(void) {
    shelf_dataset *d = new_dataset();
    shelf_diagnostic diag;
    const char *path = data_path("diginetica-raw/sample_train-item-views.csv");
    CHECK_STATUS(read_format(d, path, SHELF_LOG_DIGINETICA, 0, NULL, &diag), SHELF_OK);
    CHECK(shelf_dataset_event_count(d) == 12391);
    CHECK(shelf_dataset_session_count(d) == 2986);
    CHECK(shelf_dataset_item_count(d) == 7139);
    CHECK(sessions_in_time_order(d) && !d->has_catalog);
    /* Session 1 (2016-05-09) lists its ten views out of order; by timeframe they
     * are 9654 (75848 ms), 33043, 32118, 12352, 35077, 36118, 81766, 129055,
     * 31331, 32627 (1112408 ms). */
    static const char *const session_1[10] = {"9654",  "33043",  "32118", "12352", "35077",
                                              "36118", "81766", "129055", "31331", "32627"};
    uint32_t first = find_item(d, "9654");
    int found = 0;
    for (uint64_t s = 0; s < d->session_count; s++) {
        if (session_size(d, s) != 10 || session_event(d, s, 0)->item != first) continue;
        int same = fabs(session_event(d, s, 0)->time - (16930.0 * 86400 + 75.848)) < 1e-6 &&
                   fabs(session_event(d, s, 9)->time - (16930.0 * 86400 + 1112.408)) < 1e-6;
        for (uint64_t i = 0; i < 10; i++) same &= strcmp(item_id(d, session_event(d, s, i)->item), session_1[i]) == 0;
        found += same;
    }
    CHECK(found == 1);

    /* Appending the same file again: events double, items do not. */
    CHECK_STATUS(read_format(d, path, SHELF_LOG_DIGINETICA, 0, NULL, &diag), SHELF_OK);
    CHECK(shelf_dataset_event_count(d) == 2 * 12391 && shelf_dataset_session_count(d) == 2 * 2986);
    CHECK(shelf_dataset_item_count(d) == 7139);
    shelf_dataset_free(d);

    /* The derived file (CRLF, other columns): found by its header; purchases, categories. */
    d = new_dataset();
    CHECK_STATUS(read_format(d, data_path("diginetica-raw/derived_views_purchases_categories.csv"),
                             SHELF_LOG_DIGINETICA, 0, NULL, &diag),
                 SHELF_OK);
    uint64_t types[SHELF_EVENT_TYPE_COUNT] = {0};
    for (uint64_t e = 0; e < d->event_count; e++) types[d->events[e].type]++;
    CHECK(types[SHELF_EVENT_VIEW] == 12391 && types[SHELF_EVENT_PURCHASE] == 256);
    CHECK(shelf_dataset_session_count(d) == 2986 && shelf_dataset_item_count(d) == 7223);
    CHECK(d->has_catalog && d->categories.count == 569);
    const char *category = item_category_name(d, "9654");
    CHECK(category && strcmp(category, "1010") == 0);
    CHECK(sessions_in_time_order(d));
    shelf_dataset_free(d);
}

static void test_taobao(void) {
    const char *path = data_path("taobao-userbehavior/UserBehavior_head84k.csv");
    shelf_dataset *d = new_dataset();
    shelf_diagnostic diag;
    uint64_t bad = 99;

    /* Stop at the truncated last line: file, line, reason; nothing kept. */
    CHECK_STATUS(read_format(d, path, SHELF_LOG_TAOBAO, 0, &bad, &diag), SHELF_E_PARSE);
    CHECK(bad == 99);
    CHECK(diag.line == 84476);
    CHECK(strcmp(diag.file, path) == 0);
    CHECK(contains(diag.message, "expected 5 fields, found 4"));
    CHECK(contains(diag.message, "field 5 (timestamp) is missing"));
    CHECK(shelf_dataset_event_count(d) == 0 && shelf_dataset_session_count(d) == 0);
    CHECK(shelf_dataset_item_count(d) == 0 && d->categories.count == 0 && !d->has_catalog);

    /* Skip it: every complete row, one bad line described. */
    CHECK_STATUS(read_format(d, path, SHELF_LOG_TAOBAO, 1, &bad, &diag), SHELF_OK);
    CHECK(bad == 1 && diag.line == 84476 && contains(diag.message, "expected 5 fields, found 4"));
    CHECK(shelf_dataset_event_count(d) == 84475);
    CHECK(shelf_dataset_item_count(d) == 55368 && d->categories.count == 2914 && d->has_catalog);
    uint64_t types[SHELF_EVENT_TYPE_COUNT] = {0};
    for (uint64_t e = 0; e < d->event_count; e++) types[d->events[e].type]++;
    CHECK(types[SHELF_EVENT_VIEW] == 75872);
    CHECK(types[SHELF_EVENT_ADD_TO_CART] == 4497);
    CHECK(types[SHELF_EVENT_CLICK] == 2356); /* fav */
    CHECK(types[SHELF_EVENT_PURCHASE] == 1750);
    /* 815 users cut at 30 minutes of inactivity (counted independently in Python). */
    CHECK(shelf_dataset_session_count(d) == 14122);
    CHECK(sessions_in_time_order(d));
    int gaps_ok = 1;
    for (uint64_t s = 0; s < d->session_count; s++)
        for (uint64_t i = 1; i < session_size(d, s); i++)
            gaps_ok &= session_event(d, s, i)->time - session_event(d, s, i - 1)->time <= 1800;
    CHECK(gaps_ok);
    const char *category = item_category_name(d, "2268318");
    CHECK(category && strcmp(category, "2520377") == 0);
    CHECK(isnan(d->item_price[0]) && d->item_flags[0] == SHELF_ITEM_IN_STOCK);

    /* A longer gap: fewer, longer sessions. */
    shelf_dataset *d2 = new_dataset();
    shelf_log_options o;
    shelf_log_options_init(&o, SHELF_LOG_TAOBAO);
    o.skip_bad_lines = 1;
    o.session_gap = INFINITY;
    CHECK_STATUS(shelf_dataset_read_log(d2, path, &o, NULL, &diag), SHELF_OK);
    CHECK(shelf_dataset_session_count(d2) == 815);
    o.session_gap = -1;
    CHECK_STATUS(shelf_dataset_read_log(d2, path, &o, NULL, &diag), SHELF_E_BAD_ARGUMENT);
    CHECK(contains(diag.message, "session_gap"));
    shelf_dataset_free(d2);
    shelf_dataset_free(d);
}

static void test_rees46(void) {
    shelf_dataset *d = new_dataset();
    shelf_diagnostic diag;
    CHECK_STATUS(read_format(d, data_path("rees46/2019-Oct-sample.csv"), SHELF_LOG_REES46, 0, NULL, &diag),
                 SHELF_OK);
    CHECK(shelf_dataset_event_count(d) == 1000);
    CHECK(shelf_dataset_session_count(d) == 372); /* distinct user_session values */
    CHECK(shelf_dataset_item_count(d) == 534);
    CHECK(d->has_catalog && d->categories.count == 115);
    uint64_t types[SHELF_EVENT_TYPE_COUNT] = {0};
    for (uint64_t e = 0; e < d->event_count; e++) types[d->events[e].type]++;
    CHECK(types[SHELF_EVENT_VIEW] == 987 && types[SHELF_EVENT_ADD_TO_CART] == 3 && types[SHELF_EVENT_PURCHASE] == 10);
    /* 2019-10-01 00:00:00 UTC */
    CHECK(d->events[0].time == 1569888000.0);
    uint32_t item = find_item(d, "44600062");
    CHECK(item != UINT32_MAX && fabsf(d->item_price[item] - 35.79f) < 1e-4f);
    /* category_code, or category_id when the code is empty */
    const char *category = item_category_name(d, "3900821");
    CHECK(category && strcmp(category, "appliances.environment.water_heater") == 0);
    category = item_category_name(d, "44600062");
    CHECK(category && strcmp(category, "2103807459595387724") == 0);
    CHECK(sessions_in_time_order(d));
    shelf_dataset_free(d);
}

/* ------------------------------------------------------------- fixtures --- */

static void test_line_endings(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    /* CRLF, and a missing final newline. */
    CHECK_STATUS(read_format(d, write_text("crlf.txt", "1 2\r\n3  4   5 \r\n6"), SHELF_LOG_SESSIONS, 0, NULL, &diag),
                 SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 3 && shelf_dataset_event_count(d) == 6);
    CHECK(strcmp(item_id(d, 1), "2") == 0 && strcmp(item_id(d, 4), "5") == 0 && strcmp(item_id(d, 5), "6") == 0);
    CHECK(session_size(d, 1) == 3 && session_size(d, 2) == 1);
    shelf_dataset_free(d);

    /* A UTF-8 BOM before the header. */
    d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("bom.tsv", "\xEF\xBB\xBFSessionId\tItemId\tTime\r\ns1\ta\t10\r\ns1\tb\t11\r\n"),
                             SHELF_LOG_SESSIONREC, 0, NULL, &diag),
                 SHELF_OK);
    CHECK(shelf_dataset_event_count(d) == 2 && strcmp(item_id(d, 1), "b") == 0);
    shelf_dataset_free(d);

    /* Taobao rows with CRLF and no final newline. */
    d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("taobao_crlf.csv", "1,10,100,pv,1000\r\n1,11,100,buy,1010"), SHELF_LOG_TAOBAO,
                             0, NULL, &diag),
                 SHELF_OK);
    CHECK(shelf_dataset_event_count(d) == 2 && d->events[1].type == SHELF_EVENT_PURCHASE && d->events[1].time == 1010);
    shelf_dataset_free(d);

    /* Empty lines and tabs in a sessions file. */
    d = new_dataset();
    const char *path = write_text("sessions_bad.txt", "1 2\n\n3\t4\n   \n5\n");
    CHECK_STATUS(read_format(d, path, SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(diag.line == 2 && strcmp(diag.message, "empty session") == 0);
    CHECK(shelf_dataset_session_count(d) == 0 && shelf_dataset_item_count(d) == 0);
    uint64_t bad = 0;
    CHECK_STATUS(read_format(d, path, SHELF_LOG_SESSIONS, 1, &bad, &diag), SHELF_OK);
    CHECK(bad == 3 && diag.line == 2 && shelf_dataset_session_count(d) == 2);
    CHECK(shelf_dataset_item_count(d) == 3); /* the line with a tab left no item */
    shelf_dataset_free(d);

    /* A NUL byte would cut a C string: the line is reported. */
    d = new_dataset();
    CHECK_STATUS(read_format(d, write_fixture("nul.txt", "1 2\n3\0004\n", 8), SHELF_LOG_SESSIONS, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 2 && contains(diag.message, "NUL byte"));
    shelf_dataset_free(d);
}

static void test_long_lines(void) {
    shelf_diagnostic diag;
    /* One session of 1 MB: 131072 ids of 7 bytes, each followed by a space. */
    size_t count = 131072, size = count * 8;
    char *text = malloc(size + 1);
    for (size_t i = 0; i < count; i++) snprintf(text + i * 8, 9, "i%06zu ", i % 100000);
    text[size - 1] = '\n';
    shelf_dataset *d = new_dataset();
    CHECK_STATUS(read_format(d, write_fixture("long.txt", text, size), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 1 && shelf_dataset_event_count(d) == count);
    CHECK(shelf_dataset_item_count(d) == 100000);
    CHECK(strcmp(item_id(d, session_event(d, 0, count - 1)->item), "i031071") == 0);
    shelf_dataset_free(d);

    /* A 1 MB item id in a CSV row, between two ordinary rows. */
    size_t id_size = (size_t)1 << 20;
    char *csv = malloc(id_size + 64);
    strcpy(csv, "s,a,1\ns,");
    size_t n = strlen(csv);
    memset(csv + n, 'x', id_size);
    n += id_size;
    strcpy(csv + n, ",2\ns,b,3\n");
    n += strlen(csv + n);
    d = new_dataset();
    shelf_log_options o;
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.has_header = 0;
    o.time_column = 2;
    CHECK_STATUS(shelf_dataset_read_log(d, write_fixture("long_id.csv", csv, n), &o, NULL, &diag), SHELF_OK);
    CHECK(shelf_dataset_event_count(d) == 3 && strlen(item_id(d, 1)) == id_size);
    CHECK(strcmp(item_id(d, 2), "b") == 0);
    shelf_dataset_free(d);
    free(csv);
    free(text);
}

static void test_bad_rows(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("bad_number.csv", "1,10,100,pv,1000\n1,11,100,pv,abc\n"), SHELF_LOG_TAOBAO,
                             0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 2 && strcmp(diag.message, "field 5 (timestamp): 'abc' is not a number") == 0);
    CHECK_STATUS(read_format(d, write_text("bad_number2.csv", "1,10,100,pv,12e\n"), SHELF_LOG_TAOBAO, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(contains(diag.message, "'12e' is not a number"));
    CHECK_STATUS(read_format(d, write_text("bad_number3.csv", "1,10,100,pv, 12\n"), SHELF_LOG_TAOBAO, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK_STATUS(read_format(d, write_text("bad_number4.csv", "1,10,100,pv,inf\n"), SHELF_LOG_TAOBAO, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK_STATUS(read_format(d, write_text("bad_type.csv", "1,10,100,xyz,1000\n"), SHELF_LOG_TAOBAO, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 1 && strcmp(diag.message, "field 4 (behavior_type): unknown behavior type 'xyz'; one of pv, fav, cart, buy") == 0);
    CHECK_STATUS(read_format(d, write_text("empty_item.csv", "1,10,100,pv,1000\n\n1,,100,pv,1000\n"), SHELF_LOG_TAOBAO,
                             0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 2 && strcmp(diag.message, "empty line") == 0);
    uint64_t bad = 0;
    CHECK_STATUS(read_format(d, write_text("empty_item.csv", "1,10,100,pv,1000\n1,,100,pv,1000\n1,12,100,pv,\n"),
                             SHELF_LOG_TAOBAO, 1, &bad, &diag),
                 SHELF_OK);
    CHECK(bad == 2 && diag.line == 2 && strcmp(diag.message, "field 2 (item_id): empty item id") == 0);
    CHECK(shelf_dataset_event_count(d) == 1 && shelf_dataset_item_count(d) == 1);
    shelf_dataset_free(d);

    d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("empty_time.csv", "1,12,100,pv,\n"), SHELF_LOG_TAOBAO, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(strcmp(diag.message, "field 5 (timestamp): missing") == 0);
    CHECK_STATUS(read_format(d, write_text("too_many.csv", "1,12,100,pv,5,6\n"), SHELF_LOG_TAOBAO, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(strcmp(diag.message, "expected 5 fields, found 6") == 0);

    /* REES46: a bad price names its column; remove_from_cart is known and skipped. */
    const char *header = "event_time,event_type,product_id,category_id,category_code,brand,price,user_id,user_session\n";
    char text[1024];
    snprintf(text, sizeof text, "%s%s", header, "2019-10-01 00:00:00 UTC,view,1,2,,b,abc,3,s\n");
    CHECK_STATUS(read_format(d, write_text("rees_price.csv", text), SHELF_LOG_REES46, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(diag.line == 2 && strcmp(diag.message, "field 7 (price): 'abc' is not a number") == 0);
    snprintf(text, sizeof text, "%s%s", header, "2019-10-01 00:00:00 UTC,view,1,2,,b,-2.5,3,s\n");
    CHECK_STATUS(read_format(d, write_text("rees_price.csv", text), SHELF_LOG_REES46, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(strcmp(diag.message, "field 7 (price): '-2.5' is negative") == 0);
    snprintf(text, sizeof text, "%s%s", header, "2019-10-01 00:00:00 UTC,view,1,2,,b,,3,s\n");
    CHECK_STATUS(read_format(d, write_text("rees_price.csv", text), SHELF_LOG_REES46, 0, NULL, &diag), SHELF_OK);
    CHECK(isnan(d->item_price[0]));
    snprintf(text, sizeof text, "%s%s", header,
             "2019-10-01 00:00:05 UTC,remove_from_cart,1,2,,b,,3,s\n2019-10-01 00:00:0x UTC,view,1,2,,b,,3,s\n");
    CHECK_STATUS(read_format(d, write_text("rees_remove.csv", text), SHELF_LOG_REES46, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(diag.line == 3 && contains(diag.message, "field 1 (event_time): '2019-10-01 00:00:0x UTC' is not a date"));
    CHECK_STATUS(read_format(d, write_text("rees_header.csv", "a,b,c\n1,2,3\n"), SHELF_LOG_REES46, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 1 && contains(diag.message, "no column 'event_time'"));
    CHECK_STATUS(read_format(d, write_text("rees_empty.csv", ""), SHELF_LOG_REES46, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(contains(diag.message, "empty"));
    CHECK(shelf_dataset_event_count(d) == 1);

    /* Diginetica: a bad date and a bad timeframe. */
    CHECK_STATUS(read_format(d, write_text("dig_date.csv", "session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;10;2016-02-30\n"),
                             SHELF_LOG_DIGINETICA, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(strcmp(diag.message, "field 5 (eventdate): '2016-02-30' is not a date YYYY-MM-DD") == 0);
    CHECK_STATUS(read_format(d, write_text("dig_ms.csv", "session_id;user_id;item_id;timeframe;eventdate\n1;NA;5;1.5;2016-02-03\n"),
                             SHELF_LOG_DIGINETICA, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(contains(diag.message, "field 4 (timeframe): '1.5' is not a whole number"));

    /* A missing file: SHELF_E_IO with the system's reason and line 0. */
    const char *missing = write_text("exists.txt", "1\n");
    char path[1100];
    snprintf(path, sizeof path, "%s.missing", missing);
    CHECK_STATUS(read_format(d, path, SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_E_IO);
    CHECK(diag.line == 0 && strcmp(diag.file, path) == 0 && contains(diag.message, strerror(ENOENT)));
    CHECK_STATUS(read_format(d, path, SHELF_LOG_SESSIONS, 0, NULL, NULL), SHELF_E_IO); /* no diagnostic wanted */
    CHECK_STATUS(shelf_dataset_read_catalog(d, path, &diag), SHELF_E_IO);
    CHECK(diag.line == 0 && contains(diag.message, strerror(ENOENT)));
    /* A directory opens but cannot be read. */
    CHECK_STATUS(read_format(d, check_tmp_dir(), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_E_IO);
    CHECK(shelf_dataset_event_count(d) == 1);
    shelf_dataset_free(d);
}

/* GA4's BigQuery export and Segment's track calls as JSON Lines. */
static void test_analytics_exports(void) {
    shelf_diagnostic diag;
    uint64_t bad = 0;
    shelf_dataset *d = new_dataset();
    /* A GA session with a page_view (skipped), two views, a cart add without the
     * session id (another key), then a purchase of two items by another user. */
    const char *ga4 = write_text("ga4.jsonl",
        "{\"event_name\":\"page_view\",\"event_timestamp\":\"1700000000000000\",\"user_pseudo_id\":\"u1\"}\n"
        "{\"event_name\":\"view_item\",\"event_timestamp\":\"1700000001500000\",\"user_pseudo_id\":\"u1\","
        "\"event_params\":[{\"key\":\"ga_session_id\",\"value\":{\"int_value\":\"17\"}}],"
        "\"items\":[{\"item_id\":\"A\",\"item_category\":\"shoes\",\"price\":10.5}]}\n"
        "\n"
        "{\"event_name\":\"select_item\",\"event_timestamp\":1700000005000000,\"user_pseudo_id\":\"u1\","
        "\"event_params\":[{\"key\":\"ga_session_id\",\"value\":{\"int_value\":17}}],\"items\":[{\"item_id\":42}]}\n"
        "{\"event_name\":\"purchase\",\"event_timestamp\":\"1700000010000000\",\"user_pseudo_id\":\"u2\","
        "\"items\":[{\"item_id\":\"A\"},{\"item_id\":\"C\",\"item_category\":\"hats\",\"price\":3}]}\n");
    CHECK_STATUS(read_format(d, ga4, SHELF_LOG_GA4, 0, &bad, &diag), SHELF_OK);
    CHECK(bad == 0 && shelf_dataset_session_count(d) == 2 && shelf_dataset_event_count(d) == 4);
    CHECK(sessions_in_time_order(d));
    CHECK(session_size(d, 0) == 2 && strcmp(item_id(d, session_event(d, 0, 0)->item), "A") == 0);
    CHECK(session_event(d, 0, 0)->type == SHELF_EVENT_VIEW && session_event(d, 0, 0)->time == 1700000001.5);
    CHECK(strcmp(item_id(d, session_event(d, 0, 1)->item), "42") == 0 && session_event(d, 0, 1)->type == SHELF_EVENT_CLICK);
    CHECK(session_size(d, 1) == 2 && session_event(d, 1, 1)->type == SHELF_EVENT_PURCHASE);
    CHECK(strcmp(item_category_name(d, "A"), "shoes") == 0 && strcmp(item_category_name(d, "C"), "hats") == 0);
    CHECK(d->item_price[find_item(d, "A")] == 10.5f && d->item_price[find_item(d, "C")] == 3.0f);
    shelf_dataset_free(d);

    d = new_dataset();
    const char *segment = write_text("segment.jsonl",
        "{\"type\":\"page\",\"anonymousId\":\"a1\",\"timestamp\":\"2024-01-01T10:00:00Z\"}\n"
        "{\"type\":\"track\",\"event\":\"Product Viewed\",\"anonymousId\":\"a1\",\"timestamp\":\"2024-01-01T10:00:05.250Z\","
        "\"properties\":{\"product_id\":\"A\",\"category\":\"shoes\"}}\n"
        "{\"type\":\"track\",\"event\":\"Checkout Started\",\"anonymousId\":\"a1\",\"timestamp\":\"2024-01-01T10:01:00Z\"}\n"
        "{\"type\":\"track\",\"event\":\"Product Added\",\"anonymousId\":\"a1\",\"timestamp\":\"2024-01-01T10:02:00+00:00\","
        "\"properties\":{\"product_id\":\"B\",\"price\":7}}\n"
        "{\"type\":\"track\",\"event\":\"Order Completed\",\"userId\":\"42\",\"timestamp\":\"2024-01-01T11:00:00Z\","
        "\"properties\":{\"products\":[{\"product_id\":\"A\"},{\"product_id\":\"C\"}]}}\n");
    CHECK_STATUS(read_format(d, segment, SHELF_LOG_SEGMENT, 0, &bad, &diag), SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 2 && shelf_dataset_event_count(d) == 4);
    const double day = 19723.0 * 86400; /* 2024-01-01 */
    CHECK(session_event(d, 0, 0)->time == day + 36005.25 && session_event(d, 0, 1)->type == SHELF_EVENT_ADD_TO_CART);
    CHECK(session_event(d, 1, 0)->type == SHELF_EVENT_PURCHASE && strcmp(item_id(d, session_event(d, 1, 1)->item), "C") == 0);
    CHECK(d->item_price[find_item(d, "B")] == 7.0f);

    /* Bad lines name their line and what is wrong, and a failed read changes nothing. */
    snapshot before = take_snapshot(d);
    static const struct { shelf_log_format format; const char *text, *message; } bad_lines[] = {
        {SHELF_LOG_GA4, "{\"event_name\":\"view_item\",\"event_timestamp\":\"1\",\"user_pseudo_id\":\"u\",\"items\":[{\"item_id\":\"A\"}]}\nnot json\n",
         "not a JSON object"},
        {SHELF_LOG_GA4, "{\"event_name\":\"view_item\",\"event_timestamp\":\"soon\",\"user_pseudo_id\":\"u\",\"items\":[{\"item_id\":\"A\"}]}\n",
         "\"event_timestamp\" must be microseconds since 1970"},
        {SHELF_LOG_GA4, "{\"event_name\":\"view_item\",\"event_timestamp\":\"1\",\"items\":[{\"item_id\":\"A\"}]}\n", "no \"user_pseudo_id\""},
        {SHELF_LOG_GA4, "{\"event_name\":\"view_item\",\"event_timestamp\":\"1\",\"user_pseudo_id\":\"u\"}\n",
         "a product event without \"items\""},
        {SHELF_LOG_GA4, "{\"event_timestamp\":\"1\",\"user_pseudo_id\":\"u\"}\n", "no \"event_name\""},
        {SHELF_LOG_SEGMENT, "{\"event\":\"Product Viewed\",\"timestamp\":\"yesterday\",\"anonymousId\":\"a\",\"properties\":{\"product_id\":\"A\"}}\n",
         "\"timestamp\" must be an ISO 8601 time"},
        {SHELF_LOG_SEGMENT, "{\"event\":\"Product Viewed\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"properties\":{\"product_id\":\"A\"}}\n",
         "no \"anonymousId\" or \"userId\""},
        {SHELF_LOG_SEGMENT, "{\"event\":\"Product Viewed\",\"timestamp\":\"2024-01-01T00:00:00Z\",\"anonymousId\":\"a\",\"properties\":{\"product_id\":\"A\",\"price\":-1}}\n",
         "\"price\" must be a number >= 0"},
    };
    for (size_t b = 0; b < sizeof bad_lines / sizeof bad_lines[0]; b++) {
        const char *path = write_text("bad.jsonl", bad_lines[b].text);
        CHECK_STATUS(read_format(d, path, bad_lines[b].format, 0, &bad, &diag), SHELF_E_PARSE);
        uint64_t line = strchr(bad_lines[b].text, '\n')[1] ? 2 : 1;
        CHECK(diag.line == line && strcmp(diag.message, bad_lines[b].message) == 0);
        CHECK(same_snapshot(before, take_snapshot(d)));
    }
    /* Skipped, a line with one bad product adds none of its products. */
    const char *partly = write_text("partly.jsonl",
        "{\"event_name\":\"purchase\",\"event_timestamp\":\"1\",\"user_pseudo_id\":\"u9\",\"items\":[{\"item_id\":\"Z\"},{\"price\":2}]}\n"
        "{\"event_name\":\"view_item\",\"event_timestamp\":\"2\",\"user_pseudo_id\":\"u9\",\"items\":[{\"item_id\":\"Y\"}]}\n");
    CHECK_STATUS(read_format(d, partly, SHELF_LOG_GA4, 1, &bad, &diag), SHELF_OK);
    CHECK(bad == 1 && diag.line == 1 && strcmp(diag.message, "no \"item_id\"") == 0);
    CHECK(find_item(d, "Z") == UINT32_MAX && find_item(d, "Y") != UINT32_MAX);
    shelf_dataset_free(d);
}

/* The whole of a small file, for comparing what split wrote. */
static const char *file_text(const char *path) {
    static char text[4096];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f) fclose(f);
    text[n] = '\0';
    return text;
}

/* shelf_dataset_split: the protocol of the session-based papers on a fixture whose
 * answer is known, and its refusals. */
static void test_split(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    /* Days 1-9: training sessions; day 10: test. Item z is seen once (dropped);
     * item n appears only in the test (removed there). */
    const char *log = write_text("split.csv",
        "session,item,time\n"
        "s1,a,86400\ns1,b,86460\ns1,z,86470\n"
        "s2,a,172800\ns2,b,172860\ns2,c,172900\n"
        "s3,b,259200\ns3,c,259260\n"
        "s4,a,345600\ns4,c,345660\n"
        "s5,c,432000\n"
        "t1,a,864000\nt1,n,864010\nt1,b,864020\nt1,c,864030\n"
        "t2,n,864100\nt2,c,864110\n"
        "t3,b,864200\nt3,a,864210\n");
    shelf_log_options o;
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.time_column = 2;
    CHECK_STATUS(shelf_dataset_read_log(d, log, &o, NULL, &diag), SHELF_OK);
    shelf_split_options options;
    shelf_split_options_init(&options);
    CHECK(options.test_days == 7 && options.min_item_count == 5);
    options.test_days = 2;
    options.min_item_count = 2;
    char train[1024], test[1024];
    snprintf(train, sizeof train, "%s/event_logs_split_train.tsv", check_tmp_dir());
    snprintf(test, sizeof test, "%s/event_logs_split_test.tsv", check_tmp_dir());
    shelf_split_report r;
    CHECK_STATUS(shelf_dataset_split(d, &options, train, test, &r, &diag), SHELF_OK);
    CHECK(strcmp(file_text(train), "a b\na b c\nb c\na c\n") == 0);
    CHECK(strcmp(file_text(test), "a\tb\na b\tc\nb\ta\n") == 0);
    CHECK(r.train_sessions == 4 && r.train_events == 9 && r.train_items == 3);
    CHECK(r.test_sessions == 2 && r.test_cases == 3 && r.dropped_test_events == 2);
    CHECK(r.dropped_sessions == 2); /* s5 (one event) and t2 (c alone once n is removed) */
    CHECK(r.last_time == 864210 && r.cut_time == 864210 - 2 * 86400.0 && r.first_time == 86400);

    /* A span no longer than the test days, a bad option, an id the formats cannot hold. */
    options.test_days = 30;
    CHECK_STATUS(shelf_dataset_split(d, &options, train, test, &r, &diag), SHELF_E_BAD_ARGUMENT);
    CHECK(contains(diag.message, "span 9.0 days, not more than the 30.0 test days"));
    options.test_days = 0;
    CHECK_STATUS(shelf_dataset_split(d, &options, train, test, &r, &diag), SHELF_E_BAD_ARGUMENT);
    CHECK_STATUS(shelf_dataset_split(d, NULL, train, test, &r, &diag), SHELF_E_NULL_ARGUMENT);
    shelf_dataset_free(d);
    d = new_dataset();
    o.delimiter = ';';
    CHECK_STATUS(shelf_dataset_read_log(d, write_text("split_space.csv",
                     "session;item;time\ns1;a b;0\ns1;c;10\ns2;a b;90000\ns2;c;90010\ns3;a b;900000\ns3;c;900010\n"),
                     &o, NULL, &diag), SHELF_OK);
    shelf_split_options_init(&options);
    options.min_item_count = 1;
    CHECK_STATUS(shelf_dataset_split(d, &options, train, test, &r, &diag), SHELF_E_BAD_ARGUMENT);
    CHECK(contains(diag.message, "item id 'a b' holds a space"));
    shelf_dataset_free(d);
}

static void test_generic(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    const char *path = write_text("generic.csv",
                                  "ts;uid;sku;action;cat;price\n"
                                  "2024-01-01T10:00:00Z;u1;A;view;shoes;10.5\n"
                                  "2024-01-01T10:05:00+01:00;u1;B;add-to-cart;shoes;\n"
                                  "2024-01-01 09:10:00 UTC;u1;\"C;1\";transaction;hats;5\n"
                                  "2024-01-02T00:00:00.250Z;u1;A;purchase;;\n"
                                  "2024-01-01T08:00:00Z;u2;B;pv;;\n");
    shelf_log_options o;
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.delimiter = ';';
    o.has_header = 1;
    o.session_column = -1;
    o.user_column = 1;
    o.session_gap = 3600;
    o.item_column = 2;
    o.type_column = 3;
    o.time_column = 0;
    o.time_is_iso8601 = 1;
    o.category_column = 4;
    o.price_column = 5;
    CHECK_STATUS(shelf_dataset_read_log(d, path, &o, NULL, &diag), SHELF_OK);
    double day = 19723.0 * 86400; /* 2024-01-01 */
    /* u2 at 08:00; u1 from 09:05 (10:05+01:00); u1 again after a 14 h pause. */
    CHECK(shelf_dataset_session_count(d) == 3 && shelf_dataset_event_count(d) == 5);
    CHECK(session_size(d, 0) == 1 && session_event(d, 0, 0)->time == day + 8 * 3600);
    CHECK(session_size(d, 1) == 3 && session_size(d, 2) == 1);
    CHECK(strcmp(item_id(d, session_event(d, 1, 0)->item), "B") == 0 &&
          session_event(d, 1, 0)->type == SHELF_EVENT_ADD_TO_CART && session_event(d, 1, 0)->time == day + 9 * 3600 + 300);
    CHECK(strcmp(item_id(d, session_event(d, 1, 1)->item), "C;1") == 0 &&
          session_event(d, 1, 1)->type == SHELF_EVENT_PURCHASE);
    CHECK(strcmp(item_id(d, session_event(d, 1, 2)->item), "A") == 0 && session_event(d, 1, 2)->type == SHELF_EVENT_VIEW);
    CHECK(session_event(d, 2, 0)->type == SHELF_EVENT_PURCHASE && session_event(d, 2, 0)->time == day + 86400.25);
    CHECK(strcmp(item_category_name(d, "A"), "shoes") == 0 && strcmp(item_category_name(d, "C;1"), "hats") == 0);
    CHECK(d->item_price[find_item(d, "A")] == 10.5f && isnan(d->item_price[find_item(d, "B")]));
    CHECK(d->item_price[find_item(d, "C;1")] == 5.0f);

    /* Unknown event type: the message names the value. */
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.has_header = 0;
    o.type_column = 2;
    CHECK_STATUS(shelf_dataset_read_log(d, write_text("generic_type.csv", "s,x,view\ns,y,wishlist\n"), &o, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 2 && strncmp(diag.message, "field 3 (type): unknown event type 'wishlist'; one of view, click, ", 62) == 0);
    /* ... Shelf's names, GA4's and Segment's, then the format's own. */
    CHECK(strstr(diag.message, "dwell, view_item, ") && strstr(diag.message, "Order Completed, pv, ") &&
          strstr(diag.message, ", transaction"));
    /* Those names read, as Shelf's do. */
    {
        shelf_dataset *named = new_dataset();
        CHECK_STATUS(shelf_dataset_read_log(named, write_text("generic_ga4.csv", "s,x,view_item\ns,y,Product Added\ns,y,Order Completed\n"),
                                            &o, NULL, &diag),
                     SHELF_OK);
        CHECK(shelf_dataset_session_count(named) == 1);
        CHECK(session_event(named, 0, 0)->type == SHELF_EVENT_VIEW && session_event(named, 0, 1)->type == SHELF_EVENT_ADD_TO_CART &&
              session_event(named, 0, 2)->type == SHELF_EVENT_PURCHASE);
        shelf_dataset_free(named);
    }
    CHECK_STATUS(shelf_dataset_read_log(d, write_text("generic_few.csv", "s,x,view\ns,y\n"), &o, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(strcmp(diag.message, "expected at least 3 fields, found 2") == 0);
    CHECK_STATUS(shelf_dataset_read_log(d, write_text("generic_quote.csv", "s,\"x,view\n"), &o, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(contains(diag.message, "unterminated quote"));
    /* Milliseconds and time ties: equal times keep file order. */
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.has_header = 0;
    o.time_column = 2;
    o.time_scale = 0.001;
    CHECK_STATUS(shelf_dataset_read_log(d, write_text("generic_ms.csv", "t,q,2000\nt,p,1000\nt,r,1000\n"), &o, NULL, &diag),
                 SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 4); /* appended after the three above */
    CHECK(strcmp(item_id(d, session_event(d, 3, 0)->item), "p") == 0 && session_event(d, 3, 0)->time == 1.0);
    CHECK(strcmp(item_id(d, session_event(d, 3, 1)->item), "r") == 0);
    CHECK(strcmp(item_id(d, session_event(d, 3, 2)->item), "q") == 0);
    /* Bad options. */
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.item_column = -1;
    CHECK_STATUS(shelf_dataset_read_log(d, path, &o, NULL, &diag), SHELF_E_BAD_ARGUMENT);
    CHECK(diag.line == 0 && contains(diag.message, "item_column"));
    shelf_log_options_init(&o, SHELF_LOG_GENERIC);
    o.item_column = 9;
    CHECK_STATUS(shelf_dataset_read_log(d, path, &o, NULL, &diag), SHELF_E_PARSE);
    CHECK(diag.line == 1 && contains(diag.message, "beyond the header"));
    o.format = (shelf_log_format)42;
    CHECK_STATUS(shelf_dataset_read_log(d, path, &o, NULL, &diag), SHELF_E_BAD_ARGUMENT);
    shelf_dataset_free(d);
}

static void test_sessionrec(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("rec.tsv", "Time\tItemId\tSessionId\n1000.5\t7\ts1\n1001\t7\ts2\n999\t8\ts1\n"),
                             SHELF_LOG_SESSIONREC, 0, NULL, &diag),
                 SHELF_OK);
    CHECK(shelf_dataset_session_count(d) == 2 && shelf_dataset_event_count(d) == 3);
    CHECK(session_size(d, 0) == 2 && strcmp(item_id(d, session_event(d, 0, 0)->item), "8") == 0);
    CHECK(session_event(d, 0, 1)->time == 1000.5 && strcmp(item_id(d, session_event(d, 1, 0)->item), "7") == 0);
    CHECK_STATUS(read_format(d, write_text("rec_bad.tsv", "ItemId\tSessionId\tTime\n7\ts1\tsoon\n"), SHELF_LOG_SESSIONREC,
                             0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 2 && strcmp(diag.message, "field 3 (Time): 'soon' is not a number") == 0);
    CHECK_STATUS(read_format(d, write_text("rec_nohead.tsv", "1\t7\t100\n"), SHELF_LOG_SESSIONREC, 0, NULL, &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 1 && contains(diag.message, "no column 'SessionId'"));
    CHECK(shelf_dataset_event_count(d) == 3);
    shelf_dataset_free(d);
}

static void test_rollback(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("base.txt", "1 2\n2 3\n"), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_OK);
    snapshot before = take_snapshot(d);
    /* A second read that interns items and categories, then fails on its last row. */
    const char *failing = write_text("fail.csv", "7,1,900,pv,1000\n7,50,901,cart,1001\n7,51,902,pv,1002\n7,52,903,pv\n");
    CHECK_STATUS(read_format(d, failing, SHELF_LOG_TAOBAO, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(diag.line == 4);
    CHECK(same_snapshot(before, take_snapshot(d)) && !d->has_catalog);
    /* The hash table forgot the dropped items: new ones continue the numbering. */
    CHECK(find_item(d, "50") == UINT32_MAX && find_item(d, "3") == 2);
    CHECK_STATUS(read_format(d, write_text("more.txt", "52 1\n"), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_OK);
    CHECK(find_item(d, "52") == 3 && shelf_dataset_item_count(d) == 4 && shelf_dataset_session_count(d) == 3);

    /* With a catalog: a failing read changes no attribute of an existing item. */
    CHECK_STATUS(shelf_dataset_read_catalog(d, write_text("cat.jsonl", "{\"id\": \"1\", \"category\": \"c1\", \"price\": 3}\n"),
                                            &diag),
                 SHELF_OK);
    before = take_snapshot(d);
    CHECK_STATUS(read_format(d, failing, SHELF_LOG_TAOBAO, 0, NULL, &diag), SHELF_E_PARSE);
    CHECK(same_snapshot(before, take_snapshot(d)));
    CHECK(strcmp(item_category_name(d, "1"), "c1") == 0);
    /* The same file skipping its bad row: item 1 moves to category 900. */
    uint64_t bad = 0;
    CHECK_STATUS(read_format(d, failing, SHELF_LOG_TAOBAO, 1, &bad, &diag), SHELF_OK);
    CHECK(bad == 1 && strcmp(item_category_name(d, "1"), "900") == 0 && d->item_price[find_item(d, "1")] == 3.0f);
    CHECK(d->categories.count == 4 && shelf_dataset_item_count(d) == 6);
    /* Items interned later still get attributes (the arrays follow item_count). */
    CHECK_STATUS(read_format(d, write_text("new.txt", "n1 n2 n3\n"), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_OK);
    uint32_t n3 = find_item(d, "n3");
    CHECK(n3 == 8 && d->item_category[n3] == SHELF_NO_CATEGORY && isnan(d->item_price[n3]) &&
          d->item_flags[n3] == SHELF_ITEM_IN_STOCK);
    before = take_snapshot(d);
    CHECK_STATUS(shelf_dataset_read_catalog(d, write_text("cat_bad.jsonl", "{\"id\": \"n1\", \"category\": \"new\"}\n{\"id\": \"zz\", \"price\": \"cheap\"}\n"),
                                            &diag),
                 SHELF_E_PARSE);
    CHECK(diag.line == 2 && contains(diag.message, "\"price\" must be a number"));
    CHECK(same_snapshot(before, take_snapshot(d)));
    shelf_dataset_free(d);
}

static void test_catalog(void) {
    shelf_diagnostic diag;
    shelf_dataset *d = new_dataset();
    CHECK_STATUS(read_format(d, write_text("cat_sessions.txt", "1 2\n"), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_OK);
    const char *path = write_text("catalog.jsonl",
                                  "{\"id\": \"sku-1\", \"category\": \"shoes\", \"price\": 59.9, \"in_stock\": true}\n"
                                  "\n"
                                  "{\"id\": 42, \"category\": \"hats\", \"brand\": \"x\"}\r\n"
                                  "{\"id\": \"1\", \"in_stock\": false, \"category\": null}\n"
                                  "   \n");
    /* An id given twice is a mistake in the file: named with both lines, nothing read. */
    const char *twice = write_text("catalog_twice.jsonl", "{\"id\": \"sku-1\", \"price\": 59.9}\n{\"id\": \"b\"}\n{\"id\": \"sku-1\", \"price\": 49.5}\n");
    CHECK_STATUS(shelf_dataset_read_catalog(d, twice, &diag), SHELF_E_PARSE);
    CHECK(diag.line == 3 && strcmp(diag.message, "id 'sku-1' was given already, on line 1") == 0);
    CHECK(!d->has_catalog && shelf_dataset_item_count(d) == 2);
    CHECK_STATUS(shelf_dataset_read_catalog(d, path, &diag), SHELF_OK);
    CHECK(diag.line == 0 && diag.message[0] == '\0');
    CHECK(d->has_catalog && shelf_dataset_item_count(d) == 4 && d->categories.count == 2);
    uint32_t sku = find_item(d, "sku-1"), n42 = find_item(d, "42"), one = find_item(d, "1"), two = find_item(d, "2");
    CHECK(sku == 2 && n42 == 3);
    CHECK(strcmp(item_category_name(d, "sku-1"), "shoes") == 0 && d->item_price[sku] == 59.9f);
    CHECK(d->item_flags[sku] == SHELF_ITEM_IN_STOCK);
    CHECK(strcmp(item_category_name(d, "42"), "hats") == 0 && isnan(d->item_price[n42]));
    CHECK(d->item_flags[one] == 0 && d->item_category[one] == SHELF_NO_CATEGORY);
    CHECK(d->item_flags[two] == SHELF_ITEM_IN_STOCK && isnan(d->item_price[two]));

    static const struct {
        const char *text;
        uint64_t line;
        const char *message;
    } bad[] = {
        {"{\"id\": \"a\"}\n\n{\"id\": \"x\", \"price\": }\n", 3, "malformed JSON near column 22"},
        {"{\"category\": \"x\"}\n", 1, "missing \"id\""},
        {"{\"id\": 1.5}\n", 1, "\"id\" must be a string or an integer"},
        {"{\"id\": \"\"}\n", 1, "empty \"id\""},
        {"[1, 2]\n", 1, "expected a JSON object"},
        {"{\"id\": \"a\"} x\n", 1, "malformed JSON"},
        {"{\"id\": \"a\", \"in_stock\": 1}\n", 1, "\"in_stock\" must be true or false"},
        {"{\"id\": \"a\", \"price\": -1}\n", 1, "\"price\" must be a number >= 0"},
        {"{\"id\": \"a\", \"price\": 1e300}\n", 1, "\"price\" is out of range (at most 3.40282e+38)"},
        {"{\"id\": \"a\", \"price\": 1e39}\n", 1, "\"price\" is out of range"},
        {"{\"id\": \"a\"}\n{\"id\": \"b\", \"category\": [1]}\n", 2, "\"category\" must be a string or an integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        snapshot before = take_snapshot(d);
        CHECK_STATUS(shelf_dataset_read_catalog(d, write_text("catalog_bad.jsonl", bad[i].text), &diag), SHELF_E_PARSE);
        if (diag.line != bad[i].line || !contains(diag.message, bad[i].message)) {
            fprintf(stderr, "catalog case %zu: line %llu: %s\n", i, (unsigned long long)diag.line, diag.message);
            CHECK(0 && "catalog diagnostic");
        }
        CHECK(same_snapshot(before, take_snapshot(d)));
    }
    shelf_dataset_free(d);

    /* A catalog alone: every item it names exists, with defaults where not given. */
    d = new_dataset();
    CHECK_STATUS(shelf_dataset_read_catalog(d, write_text("catalog_empty.jsonl", ""), &diag), SHELF_OK);
    CHECK(d->has_catalog && shelf_dataset_item_count(d) == 0);
    CHECK_STATUS(read_format(d, write_text("after_catalog.txt", "p q\n"), SHELF_LOG_SESSIONS, 0, NULL, &diag), SHELF_OK);
    CHECK(d->item_flags[1] == SHELF_ITEM_IN_STOCK && d->item_category[1] == SHELF_NO_CATEGORY);
    shelf_dataset_free(d);
}

int main(void) {
    test_names();
    test_dataset_basics();
    test_diginetica_sessions();
    test_diginetica_raw();
    test_taobao();
    test_rees46();
    test_line_endings();
    test_long_lines();
    test_bad_rows();
    test_generic();
    test_analytics_exports();
    test_split();
    test_sessionrec();
    test_rollback();
    test_catalog();
    return check_finish("test_event_logs");
}
