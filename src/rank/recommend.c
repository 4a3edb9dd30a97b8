/* recommend(): score every item, apply the request's rules, diversify, take the top k. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

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

/* The business rules: excluded items get -INFINITY, boosted ones move up. */
static void apply_rules(const shelf_model *model, const shelf_session *session,
                        const shelf_request *r, float *scores) {
    const uint32_t n = model->item_count;
    for (uint32_t i = 0; i < session->count; i++) {
        const shelf__session_event *e = &session->events[i];
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

/* Takes results in score order, at most max_per_category of each category.
 * Returns how many were taken; *exhausted says whether all candidates were seen. */
static uint32_t take_diverse(const shelf_model *model, const shelf__scored *ranked, uint32_t ranked_count,
                             uint32_t k, uint32_t cap, uint32_t *per_category, shelf_result *out) {
    uint32_t taken = 0;
    for (uint32_t i = 0; i < ranked_count && taken < k; i++) {
        uint32_t category = model->item_category ? model->item_category[ranked[i].item] : SHELF_NO_CATEGORY;
        if (cap && category != SHELF_NO_CATEGORY) {
            if (per_category[category] >= cap) continue;
            per_category[category]++;
        }
        out[taken].item = ranked[i].item;
        out[taken].score = ranked[i].score;
        taken++;
    }
    return taken;
}

shelf_status shelf_recommend(shelf_session *session, const shelf_request *request,
                             shelf_result *out, size_t capacity, size_t *count) {
    if (!session || !request || !count || (!out && capacity)) return SHELF_E_NULL_ARGUMENT;
    const shelf_model *model = session->model;
    SHELF__TRY(check_request(model, request));
    const uint32_t n = model->item_count;
    uint32_t k = request->k < capacity ? request->k : (uint32_t)(capacity < UINT32_MAX ? capacity : UINT32_MAX);
    if (k > n) k = n;

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
    const uint32_t mask = request->scorers;
    shelf__score_items(model, &model->blend, mask, session->events, session->count, scores, session->similarity);
    apply_rules(model, session, request, scores);

    uint32_t taken = 0;
    if (k > 0) {
        const uint32_t cap = model->item_category ? request->max_per_category : 0;
        /* With a per-category cap some of the best items may be skipped: rank a few
         * times more than k, and more again if the cap left fewer than k. */
        uint32_t want = cap ? (k * 4 + 32 < n ? k * 4 + 32 : n) : k;
        for (;;) {
            shelf__scored *ranked = malloc((size_t)want * sizeof *ranked);
            uint32_t *per_category = cap ? calloc(model->categories.count ? model->categories.count : 1, sizeof(uint32_t)) : NULL;
            if (!ranked || (cap && !per_category)) {
                free(ranked);
                free(per_category);
                return SHELF_E_OUT_OF_MEMORY;
            }
            uint32_t ranked_count = shelf__topk(scores, n, want, ranked);
            taken = take_diverse(model, ranked, ranked_count, k, cap, per_category, out);
            free(ranked);
            free(per_category);
            if (taken == k || ranked_count < want || want == n) break;
            want = want > n / 2 ? n : want * 2;
        }
    }
    for (uint32_t i = 0; i < taken; i++)
        shelf__explain_item(model, &model->blend, mask, session->events, session->count, out[i].item,
                            session->similarity[out[i].item], &out[i].reason, &out[i].reason_item);
    *count = taken;
    return SHELF_OK;
}
