/* recommend() for a session and related() for one item: score every item, apply
 * the request's rules, diversify, take the top k, explain each. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "ranker.h"
#include "score.h"
#include "shelf_common.h"
#include "topk/topk.h"

void shelf_request_init(shelf_request *request) {
    if (!request) return;
    memset(request, 0, sizeof *request);
    request->k = 10;
    request->flags = SHELF_EXCLUDE_PURCHASED | SHELF_EXCLUDE_IN_CART;
    request->min_price = -INFINITY;
    request->max_price = INFINITY;
    request->scorers = SHELF_SCORER_ALL;
}

const char *shelf_reason_name(shelf_reason reason) {
    static const char *const names[SHELF_REASON_COUNT] = {
        [SHELF_REASON_POPULAR] = "popular",
        [SHELF_REASON_SEEN_BEFORE] = "seen_before",
        [SHELF_REASON_VIEWED_TOGETHER] = "viewed_together",
        [SHELF_REASON_VIEWED_AFTER] = "viewed_after",
        [SHELF_REASON_SIMILAR] = "similar",
        [SHELF_REASON_IN_CART] = "in_cart",
    };
    return (unsigned)reason < SHELF_REASON_COUNT ? names[reason] : NULL;
}

static int contains(const uint32_t *list, uint32_t count, uint32_t value) {
    for (uint32_t i = 0; i < count; i++)
        if (list[i] == value) return 1;
    return 0;
}

static shelf_status check_request(const shelf_model *model, const shelf_request *r) {
    if ((r->allow_count && !r->allow_categories) || (r->deny_count && !r->deny_categories) ||
        (r->boost_count && (!r->boost_categories || !r->boost_factors)) ||
        (r->exclude_count && !r->exclude_items))
        return SHELF_E_NULL_ARGUMENT;
    if (isnan(r->min_price) || isnan(r->max_price)) return SHELF_E_BAD_ARGUMENT;
    if (r->scorers & ~SHELF_SCORER_ALL) return SHELF_E_BAD_ARGUMENT;
    for (uint32_t i = 0; i < r->boost_count; i++)
        if (!(r->boost_factors[i] > 0) || !isfinite(r->boost_factors[i])) return SHELF_E_BAD_ARGUMENT;
    const uint32_t categories = model->categories.count;
    for (uint32_t i = 0; i < r->allow_count; i++)
        if (r->allow_categories[i] >= categories) return SHELF_E_UNKNOWN_CATEGORY;
    for (uint32_t i = 0; i < r->deny_count; i++)
        if (r->deny_categories[i] >= categories) return SHELF_E_UNKNOWN_CATEGORY;
    for (uint32_t i = 0; i < r->boost_count; i++)
        if (r->boost_categories[i] >= categories) return SHELF_E_UNKNOWN_CATEGORY;
    for (uint32_t i = 0; i < r->exclude_count; i++)
        if (r->exclude_items[i] >= model->item_count) return SHELF_E_UNKNOWN_ITEM;
    return SHELF_OK;
}

/* The business rules: excluded items get -INFINITY, boosted ones move up. The
 * session's events (none for related items) are what the session flags act on. */
static void apply_rules(const shelf_model *model, const shelf__session_event *events, uint32_t count,
                        const shelf_request *r, float *scores) {
    const uint32_t n = model->item_count;
    for (uint32_t i = 0; i < count; i++) {
        const shelf__session_event *e = &events[i];
        if ((r->flags & SHELF_EXCLUDE_SEEN) ||
            ((r->flags & SHELF_EXCLUDE_PURCHASED) && e->type == SHELF_EVENT_PURCHASE) ||
            ((r->flags & SHELF_EXCLUDE_IN_CART) && e->type == SHELF_EVENT_ADD_TO_CART))
            scores[e->item] = -INFINITY;
    }
    for (uint32_t i = 0; i < r->exclude_count; i++) scores[r->exclude_items[i]] = -INFINITY;
    const int by_category = r->allow_count || r->deny_count || r->boost_count;
    const int by_price = r->min_price > -INFINITY || r->max_price < INFINITY;
    const int by_stock = (r->flags & SHELF_IN_STOCK_ONLY) != 0;
    if (!model->item_category || !(by_category || by_price || by_stock)) {
        /* Without a catalog no item has a category or a price: an allow list or a
         * price range then leaves nothing, and every item is in stock. */
        if (r->allow_count || by_price)
            for (uint32_t j = 0; j < n; j++) scores[j] = -INFINITY;
        return;
    }
    for (uint32_t j = 0; j < n; j++) {
        if (scores[j] == -INFINITY) continue;
        uint32_t category = model->item_category[j];
        float price = model->item_price[j];
        int drop = (by_stock && !(model->item_flags[j] & SHELF_ITEM_IN_STOCK)) ||
                   (by_price && !(price >= r->min_price && price <= r->max_price)) ||
                   (r->allow_count && !contains(r->allow_categories, r->allow_count, category)) ||
                   (r->deny_count && contains(r->deny_categories, r->deny_count, category));
        if (drop) {
            scores[j] = -INFINITY;
            continue;
        }
        for (uint32_t b = 0; b < r->boost_count; b++) {
            if (r->boost_categories[b] != category) continue;
            /* A factor above 1 always moves an item up, whatever the score's sign. */
            float f = r->boost_factors[b];
            scores[j] = scores[j] >= 0 ? scores[j] * f : scores[j] / f;
        }
    }
}

/* The best k of scores[] into out[], at most `cap` of each category (0: no cap),
 * ranked by score, then by ties[] (NULL: none), then by item index; with `fill`,
 * the best of the items the cap passed over take the places it would leave empty.
 * *taken receives how many. out[] is written only on success. */
static shelf_status take_best(const shelf_model *model, const float *scores, const float *ties, uint32_t k,
                              uint32_t cap, int fill, shelf_result *out, uint32_t *taken) {
    const uint32_t n = model->item_count;
    *taken = 0;
    if (k == 0) return SHELF_OK;
    if (!model->item_category) cap = 0; /* without a catalog no item has a category */
    /* With a cap some of the best items may be skipped: rank a few times more than
     * k, and more again if the cap left fewer than k. */
    uint64_t want = cap ? (uint64_t)k * 4 + 32 : k;
    if (want > n) want = n;
    for (;;) {
        shelf__scored *ranked = malloc((size_t)want * sizeof *ranked);
        uint8_t *chosen = calloc((size_t)want, 1);
        uint32_t *per_category = calloc(model->categories.count ? model->categories.count : 1, sizeof(uint32_t));
        if (!ranked || !chosen || !per_category) {
            free(ranked);
            free(chosen);
            free(per_category);
            return SHELF_E_OUT_OF_MEMORY;
        }
        const uint32_t ranked_count = shelf__topk_tied(scores, ties, n, (uint32_t)want, ranked);
        uint32_t count = 0;
        for (uint32_t i = 0; i < ranked_count && count < k; i++) {
            const uint32_t category = cap ? model->item_category[ranked[i].item] : SHELF_NO_CATEGORY;
            if (category != SHELF_NO_CATEGORY && per_category[category]++ >= cap) continue;
            chosen[i] = 1;
            count++;
        }
        /* Done when k are chosen or every candidate was ranked: then the ones passed
         * over are all in ranked[], best first. */
        const int done = count == k || ranked_count < want || want == n;
        if (done) {
            for (uint32_t i = 0; fill && i < ranked_count && count < k; i++) {
                if (chosen[i]) continue;
                chosen[i] = 1;
                count++;
            }
            for (uint32_t i = 0, j = 0; j < count; i++) {
                if (!chosen[i]) continue;
                out[j].item = ranked[i].item;
                out[j].score = ranked[i].score;
                j++;
            }
            *taken = count;
        }
        free(ranked);
        free(chosen);
        free(per_category);
        if (done) return SHELF_OK;
        want = want > n / 2 ? n : want * 2;
    }
}

/* The learned ranker re-orders the blend's best candidates: they keep their places
 * above every other item (each is raised above the best item left out, in the
 * ranker's order), so the rules and the top k that follow act on its order. */
static shelf_status rerank(const shelf_model *model, uint32_t mask, const shelf__session_event *events,
                           uint32_t count, float *scores, const float *similarity) {
    const shelf__ranker *r = &model->ranker;
    const uint32_t n = model->item_count;
    const uint32_t m = r->candidates < n ? r->candidates : n;
    /* The candidates and the best item left out: the buffered selection is much
     * faster than a heap for a hundred of them. */
    const uint32_t capacity = 4 * (m + 1);
    shelf__scored *ranked = malloc(((size_t)m + 1 + capacity) * sizeof *ranked);
    shelf__ranker_slot *slots = malloc((size_t)m * sizeof *slots);
    float *x = malloc((size_t)m * SHELF__RANKER_FEATURES * sizeof *x), *order = malloc((size_t)m * sizeof *order);
    if (!ranked || !slots || !x || !order) {
        free(ranked);
        free(slots);
        free(x);
        free(order);
        return SHELF_E_OUT_OF_MEMORY;
    }
    const uint32_t got = shelf__topk_buffered(scores, model->popularity, n, m + 1, ranked + m + 1, capacity, ranked);
    const uint32_t c = got < m ? got : m;
    shelf__ranker_features(model, &model->blend, mask, events, count, ranked, c, similarity, slots, x);
    float low = INFINITY, high = -INFINITY;
    for (uint32_t i = 0; i < c; i++) {
        float v = order[i] = shelf__ranker_score(r, x + (size_t)i * SHELF__RANKER_FEATURES);
        low = fminf(low, v);
        high = fmaxf(high, v);
    }
    /* The floor is the best score left out (or the lowest candidate's); the
     * candidates go above it in [floor + step, floor + 2 step]. */
    const float floor = got > m ? ranked[m].score : (c ? ranked[c - 1].score : 0);
    const float step = fabsf(floor) + 1.0f, span = high - low > 0 ? high - low : 1.0f;
    for (uint32_t i = 0; i < c; i++) scores[ranked[i].item] = floor + step * (1.0f + (order[i] - low) / span);
    free(ranked);
    free(slots);
    free(x);
    free(order);
    return SHELF_OK;
}

/* An item the session holds already is labelled as such, whatever scorer gave it
 * most: the tables may well link it to another session item, but "viewed together
 * with X" would hide that the shopper has it in the cart, or has seen it. */
static void label_session_item(const shelf_session *session, shelf_result *result) {
    int held = 0, in_cart = 0;
    for (uint32_t i = 0; i < session->count; i++) {
        if (session->events[i].item != result->item) continue;
        held = 1;
        in_cart |= session->events[i].type == SHELF_EVENT_ADD_TO_CART;
    }
    if (!held) return;
    result->reason = in_cart ? SHELF_REASON_IN_CART : SHELF_REASON_SEEN_BEFORE;
    result->reason_item = result->item;
}

/* How many results a call may give: k, within the caller's buffer and the model. */
static uint32_t results_wanted(const shelf_request *request, size_t capacity, uint32_t item_count) {
    uint32_t k = request->k < capacity ? request->k : (uint32_t)(capacity < UINT32_MAX ? capacity : UINT32_MAX);
    return k < item_count ? k : item_count;
}

shelf_status shelf_recommend(shelf_session *session, const shelf_request *request,
                             shelf_result *out, size_t capacity, size_t *count) {
    if (!session || !request || !count || (!out && capacity)) return SHELF_E_NULL_ARGUMENT;
    const shelf_model *model = session->model;
    SHELF__TRY(check_request(model, request));
    const uint32_t n = model->item_count;
    const uint32_t k = results_wanted(request, capacity, n);

    if (!session->scores) {
        session->scores = malloc((size_t)n * sizeof(float));
        session->similarity = malloc((size_t)n * sizeof(float));
        if (!session->scores || !session->similarity) {
            free(session->scores);
            free(session->similarity);
            session->scores = session->similarity = NULL;
            return SHELF_E_OUT_OF_MEMORY;
        }
    }
    float *scores = session->scores;
    /* An empty session has nothing but popularity to go on: it counts alone, and so
     * at weight 1 where the blend gives it none (left alone, every score would be 0
     * and the "popular" items would come in index order). */
    const uint32_t mask = session->count ? request->scorers : request->scorers & SHELF_SCORER_POPULARITY;
    shelf__score_items(model, &model->blend, mask, session->events, session->count, scores, session->similarity);
    /* The ranker learned to re-order the whole blend: it runs only with every scorer on. */
    if (model->ranker.hidden && session->count && request->scorers == SHELF_SCORER_ALL &&
        !(request->flags & SHELF_BLEND_ONLY))
        SHELF__TRY(rerank(model, mask, session->events, session->count, scores, session->similarity));
    apply_rules(model, session->events, session->count, request, scores);

    /* The cold-start shelf spans categories: the most popular items often crowd
     * into one (a department's best sellers), so unless the request sets its own
     * cap, a category gets at most a quarter of the places, and, if categories run
     * out, the best of the rest fill the places left. */
    uint32_t cap = request->max_per_category;
    int fill = 0;
    if (session->count == 0 && cap == 0 && model->categories.count > 0) {
        cap = k / 4 + (k % 4 != 0); /* ceil(k / 4), at least 1 as k > 0 whenever it matters */
        fill = 1;
    }
    /* Popularity breaks ties, as for related items: the items nothing in the
     * session links to then come most popular first, not in index order, and the
     * "popular" they are labelled with is true. */
    uint32_t taken;
    SHELF__TRY(take_best(model, scores, model->popularity, k, cap, fill, out, &taken));
    for (uint32_t i = 0; i < taken; i++) {
        shelf__explain_item(model, &model->blend, mask, session->events, session->count, out[i].item,
                            session->similarity[out[i].item], &out[i].reason, &out[i].reason_item);
        label_session_item(session, &out[i]);
    }
    *count = taken;
    return SHELF_OK;
}

shelf_status shelf_related(const shelf_model *model, uint32_t item, const shelf_request *request,
                           shelf_result *out, size_t capacity, size_t *count) {
    if (!model || !request || !count || (!out && capacity)) return SHELF_E_NULL_ARGUMENT;
    if (item >= model->item_count) return SHELF_E_UNKNOWN_ITEM;
    SHELF__TRY(check_request(model, request));
    const uint32_t n = model->item_count;
    const uint32_t k = results_wanted(request, capacity, n);

    /* The product page as a session of one view: the scorers then give what they
     * know of the item (its rows of the neighbour tables, its embedding) through
     * the code that scores sessions, and explain it the same way. */
    const shelf__session_event page = {.time_ms = 0, .item = item, .weight = 1.0f, .type = SHELF_EVENT_VIEW};
    const size_t items = n; /* 2 floats each must fit a size_t (wasm32's is 32 bits) */
    if (items > SIZE_MAX / (2 * sizeof(float))) return SHELF_E_OUT_OF_MEMORY;
    float *scores = malloc(2 * items * sizeof(float));
    if (!scores) return SHELF_E_OUT_OF_MEMORY;
    float *similarity = scores + n;
    const uint32_t mask = request->scorers;
    shelf__score_items(model, &model->blend, mask, &page, 1, scores, similarity);
    scores[item] = -INFINITY;
    apply_rules(model, NULL, 0, request, scores);

    /* Popularity breaks the ties, above all among the items the tables and the
     * embeddings say nothing about, which would otherwise come in index order when
     * the blend gives popularity no weight. */
    uint32_t taken;
    shelf_status status = take_best(model, scores, model->popularity, k, request->max_per_category, 0, out, &taken);
    if (status == SHELF_OK) {
        for (uint32_t i = 0; i < taken; i++)
            shelf__explain_item(model, &model->blend, mask, &page, 1, out[i].item, similarity[out[i].item],
                                &out[i].reason, &out[i].reason_item);
        *count = taken;
    }
    free(scores);
    return status;
}
