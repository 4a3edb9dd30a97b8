/* shelf_train(): every scorer learned from the sessions, the blend chosen on the
 * newest sessions held out, then everything learned again from all sessions. */
#include <math.h>
#include <string.h>
#include <stdlib.h>

#include "dataset_internal.h"
#include "diagnostic.h"
#include "model_writer.h"
#include "train_blend.h"
#include "train_internal.h"
#include "train_ranker.h"

#define TUNING_CASES 25000u
#define RANKER_CASES 100000u

void shelf_train_options_init(shelf_train_options *o) {
    if (!o) return;
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->name = "shelf";
    o->neighbours = 25;
    o->min_weight = 0.05f;
    o->drop_tolerance = 0.03f;
    o->dims = 16;
    o->epochs = 20;
    o->validation_fraction = 0.1f;
    o->quantize = 1;
    o->ranker_hidden = 16;
    o->ranker_candidates = 100;
}

void shelf_buffer_free(void *buffer) { free(buffer); }

/* Training problems are not on a line of a file. */
#define fail(diagnostic, status, ...) shelf__fail(diagnostic, status, "<training>", 0, __VA_ARGS__)

/* The starting blend; the search on validation sessions moves it. */
static void default_blend(shelf__blend *b, int with_embeddings) {
    memset(b, 0, sizeof *b);
    const float weights[SHELF__SCORER_COUNT] = {0.001f, 1.0f, 1.0f, 0.5f, with_embeddings ? 0.1f : 0.0f};
    const float decays[SHELF__SCORER_COUNT] = {4.0f, 4.0f, 2.0f, 1.0f, 4.0f};
    for (int s = 0; s < SHELF__SCORER_COUNT; s++) {
        b->scorers[s].weight = weights[s];
        b->scorers[s].position_decay = decays[s];
    }
    const float events[SHELF_EVENT_TYPE_COUNT] = {1.0f, 1.0f, 3.0f, 4.0f, 1.0f, 0.02f};
    memcpy(b->event_weights, events, sizeof events);
    b->time_half_life = 1800.0f;
}

typedef struct train_facts {
    uint64_t sessions, events, train_sessions, validation_sessions;
    const shelf__covisit_options *covisit;
    uint32_t sequential_distance;
    const shelf__tuning_report *report;  /* NULL when no blend search ran */
    const shelf__ranker_report *ranker_report;  /* NULL when no ranker was learned */
    const shelf__ranker *ranker;         /* NULL or hidden == 0: none */
    uint32_t left_out;                   /* SHELF_SCORER_* bits not in the model */
} train_facts;

static char *metadata_json(const shelf_train_options *o, uint32_t items, uint32_t dims, const shelf__blend *b,
                           const train_facts *f) {
    shelf__text t = {0};
    char created[32];
    shelf__created_time(o->created, created);
    shelf__text_add(&t, "{\n  \"name\": ");
    shelf__text_add_json_string(&t, o->name);
    shelf__text_add(&t, ",\n  \"created\": \"%s\",\n  \"items\": %u,\n  \"dims\": %u,\n", created, items, dims);
    shelf__text_add(&t, "  \"event_weights\": {");
    for (int e = 0; e < SHELF_EVENT_TYPE_COUNT; e++)
        shelf__text_add(&t, "%s\"%s\": %.9g", e ? ", " : "", shelf_event_type_name((shelf_event_type)e), b->event_weights[e]);
    shelf__text_add(&t, "},\n  \"time_half_life\": %.9g,\n  \"scorers\": {\n", b->time_half_life);
    int first = 1;
    for (int s = 0; s < SHELF__SCORER_COUNT; s++) {
        if (s == SHELF__SCORER_EMBEDDING && dims == 0) continue;
        shelf__text_add(&t, "%s    \"%s\": {\"weight\": %.9g, \"position_decay\": %.9g}", first ? "" : ",\n", shelf_scorer_name(1u << s),
                 b->scorers[s].weight, b->scorers[s].position_decay);
        first = 0;
    }
    shelf__text_add(&t, "\n  },\n");
    if (f->ranker && f->ranker->hidden) {
        const shelf__ranker *r = f->ranker;
        shelf__text_add(&t, "  \"ranker\": {\"features\": %u, \"hidden\": %u, \"candidates\": %u,\n    \"input_weights\": [",
                        (unsigned)SHELF__RANKER_FEATURES, r->hidden, r->candidates);
        for (uint32_t h = 0; h < r->hidden; h++) {
            shelf__text_add(&t, "%s[", h ? ",\n      " : "");
            for (uint32_t i = 0; i < SHELF__RANKER_FEATURES; i++) shelf__text_add(&t, "%s%.9g", i ? ", " : "", r->input_weights[i][h]);
            shelf__text_add(&t, "]");
        }
        shelf__text_add(&t, "],\n    \"input_bias\": [");
        for (uint32_t h = 0; h < r->hidden; h++) shelf__text_add(&t, "%s%.9g", h ? ", " : "", r->input_bias[h]);
        shelf__text_add(&t, "],\n    \"output_weights\": [");
        for (uint32_t h = 0; h < r->hidden; h++) shelf__text_add(&t, "%s%.9g", h ? ", " : "", r->output_weights[h]);
        shelf__text_add(&t, "]\n  },\n");
    }
    shelf__text_add(&t, "  \"trainer\": {\n    \"program\": \"shelf %s\", \"seed\": %llu, \"quantize\": %s,\n",
             shelf_version_string(), (unsigned long long)o->seed, o->quantize ? "\"int8\"" : "\"float32\"");
    shelf__text_add(&t, "    \"sessions\": %llu, \"events\": %llu, \"train_sessions\": %llu, \"validation_sessions\": %llu,\n",
             (unsigned long long)f->sessions, (unsigned long long)f->events, (unsigned long long)f->train_sessions,
             (unsigned long long)f->validation_sessions);
    shelf__text_add(&t, "    \"neighbours\": %u, \"min_weight\": %.9g, \"covisit\": {\"recent_sessions\": %u, \"distance_decay\": %.9g, \"recency_decay\": %.9g, \"idf_power\": %.9g},\n",
             o->neighbours, o->min_weight, f->covisit->recent_sessions, f->covisit->distance_decay, f->covisit->recency_decay, f->covisit->idf_power);
    shelf__text_add(&t, "    \"sequential\": {\"max_distance\": %u}, \"embedding\": {\"dims\": %u, \"epochs\": %u},\n",
             f->sequential_distance, o->dims, o->epochs);
    shelf__text_add(&t, "    \"left_out\": [");
    for (int s = 0, n = 0; s < SHELF__SCORER_COUNT; s++)
        if (f->left_out & (1u << s)) shelf__text_add(&t, "%s\"%s\"", n++ ? ", " : "", shelf_scorer_name(1u << s));
    shelf__text_add(&t, "]");
    if (f->report) {
        const shelf__tuning_report *r = f->report;
        /* What the figures are, in the file itself: they are not a test of the user's. */
        shelf__text_add(&t, ",\n    \"validation\": {\"measured\": \"the blend chosen, on every prefix of the newest "
                            "validation_sessions of the training data (at most %u cases), held out while the tables "
                            "were learned; the same period as the training, so a test of later sessions usually scores lower\",\n"
                            "      \"cases\": %u, \"hr@20\": %.2f, \"mrr@20\": %.2f, \"alone\": {",
                        (unsigned)TUNING_CASES, r->cases, r->hr, r->mrr);
        for (int s = 0; s < SHELF__SCORER_COUNT; s++)
            shelf__text_add(&t, "%s\"%s\": [%.2f, %.2f]", s ? ", " : "", shelf_scorer_name(1u << s), r->alone_hr[s], r->alone_mrr[s]);
        shelf__text_add(&t, "}, \"dropped_for_size\": [");
        for (int s = 0, n = 0; s < SHELF__SCORER_COUNT; s++)
            if (r->dropped & (1u << s)) shelf__text_add(&t, "%s\"%s\"", n++ ? ", " : "", shelf_scorer_name(1u << s));
        shelf__text_add(&t, "]");
        if (r->event_holdout_cases)
            shelf__text_add(&t, ",\n      \"event_weights\": {\"typed_events\": %llu, \"holdout_cases\": %u, "
                                "\"all_as_views\": [%.2f, %.2f], \"learned\": [%.2f, %.2f], \"kept\": %s}",
                            (unsigned long long)r->typed_events, r->event_holdout_cases, r->views_hr, r->views_mrr,
                            r->learned_hr, r->learned_mrr, r->events_kept ? "true" : "false");
        if (f->ranker_report) {
            const shelf__ranker_report *q = f->ranker_report;
            shelf__text_add(&t, ",\n      \"ranker\": {\"cases\": %u, \"holdout_cases\": %u, \"epochs\": %u, "
                                "\"blend\": [%.2f, %.2f], \"ranker\": [%.2f, %.2f], \"kept\": %s}",
                            q->cases, q->holdout_cases, q->epochs, q->blend_hr, q->blend_mrr, q->ranker_hr,
                            q->ranker_mrr, q->kept ? "true" : "false");
        }
        shelf__text_add(&t, "}");
    }
    shelf__text_add(&t, "\n  }\n}\n");
    return shelf__text_finish(&t);
}

/* Everything learned from one set of sessions. */
typedef struct learned {
    float *popularity;
    shelf__table covisit, sequential;
    float *embeddings;
} learned;

static void learned_free(learned *l) {
    free(l->popularity);
    shelf__table_free(&l->covisit);
    shelf__table_free(&l->sequential);
    free(l->embeddings);
}

/* Learns the scorers in `wanted` (SHELF_SCORER_* bits; popularity always). */
static shelf_status learn(const shelf__item_sessions *s, const shelf_train_options *o, uint32_t wanted,
                          const shelf__covisit_options *covisit, uint32_t max_distance, learned *out) {
    memset(out, 0, sizeof *out);
    out->popularity = malloc((size_t)s->item_count * sizeof(float));
    if (!out->popularity) return SHELF_E_OUT_OF_MEMORY;
    shelf__train_popularity(s, out->popularity);
    shelf_status status = SHELF_OK;
    if (o->progress) o->progress(o->progress_context, "counting neighbours", 0, 2);
    if (wanted & SHELF_SCORER_COVISIT) status = shelf__train_covisit(s, covisit, &out->covisit);
    if (o->progress) o->progress(o->progress_context, "counting neighbours", 1, 2);
    if (status == SHELF_OK && (wanted & SHELF_SCORER_SEQUENTIAL))
        status = shelf__train_sequential(s, covisit->limits, max_distance, &out->sequential);
    if (o->progress) o->progress(o->progress_context, "counting neighbours", 2, 2);
    if (status == SHELF_OK && o->dims && (wanted & SHELF_SCORER_EMBEDDING)) {
        /* Batches of 256 cases against 1,024 sampled items; logits 12 x cosine (12 and 16
         * scored alike on the validation split); prefix decay 3; Adam at 0.003. */
        shelf__embedding_options e = {o->dims, o->epochs, 256, 1024, 12.0f, 3.0f, 0.003f, o->seed, o->progress, o->progress_context};
        status = shelf__train_embeddings(s, &e, &out->embeddings);
    }
    if (status != SHELF_OK) learned_free(out);
    return status;
}

/* `names` as the array of C strings a model spec takes (malloc'ed; NULL when out of memory). */
static const char **string_list(const shelf__string_table *names) {
    const char **list = malloc((names->count ? names->count : 1) * sizeof *list);
    for (uint32_t i = 0; list && i < names->count; i++) list[i] = shelf__string_table_get(names, i);
    return list;
}

static shelf_status write_model(const shelf_dataset *d, const learned *l, uint32_t dims, int quantize,
                                const char *metadata, uint8_t **bytes, size_t *size) {
    const char **ids = string_list(&d->items), **categories = string_list(&d->categories);
    shelf__model_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.metadata_json = metadata;
    spec.item_count = shelf__dataset_items(d);
    spec.item_ids = ids;
    if (d->has_catalog) {
        spec.category_count = d->categories.count;
        spec.category_names = categories;
        spec.item_category = d->item_category;
        spec.item_price = d->item_price;
        spec.item_flags = d->item_flags;
    }
    spec.popularity = l->popularity;
    spec.covisit = (shelf__neighbour_spec){l->covisit.row_start, l->covisit.items, l->covisit.weights};
    spec.sequential = (shelf__neighbour_spec){l->sequential.row_start, l->sequential.items, l->sequential.weights};
    spec.dims = dims;
    spec.embeddings = l->embeddings;
    spec.quantize = quantize;
    shelf_status status = ids && categories ? shelf__model_write(&spec, bytes, size) : SHELF_E_OUT_OF_MEMORY;
    free(ids);
    free(categories);
    return status;
}

shelf_status shelf_train(const shelf_dataset *d, const shelf_train_options *o, void **model, size_t *size,
                         shelf_diagnostic *diag) {
    if (!d || !o || !model || !size) return fail(diag, SHELF_E_NULL_ARGUMENT, "a required argument is NULL");
    if (o->dims % 16 || o->dims > 1024) return fail(diag, SHELF_E_BAD_ARGUMENT, "dims must be a multiple of 16 up to 1024, not %u", o->dims);
    if (o->neighbours < 1 || o->neighbours > SHELF__MAX_NEIGHBOURS)
        return fail(diag, SHELF_E_BAD_ARGUMENT, "neighbours must be in 1..%u, not %u", SHELF__MAX_NEIGHBOURS, o->neighbours);
    if (!(o->drop_tolerance >= 0 && o->drop_tolerance <= 100000))
        return fail(diag, SHELF_E_BAD_ARGUMENT, "the drop tolerance must be in [0, 100000] points per byte per item");
    if (!(o->min_weight >= 0 && o->min_weight < 1))
        return fail(diag, SHELF_E_BAD_ARGUMENT, "the minimum neighbour weight must be in [0, 1)");
    if (!(o->validation_fraction >= 0 && o->validation_fraction <= 0.5f))
        return fail(diag, SHELF_E_BAD_ARGUMENT, "validation fraction must be in [0, 0.5]");
    if (o->ranker_hidden > SHELF__RANKER_MAX_HIDDEN)
        return fail(diag, SHELF_E_BAD_ARGUMENT, "the ranker has at most %u hidden units, not %u", SHELF__RANKER_MAX_HIDDEN, o->ranker_hidden);
    if (o->ranker_hidden && (o->ranker_candidates < 1 || o->ranker_candidates > SHELF__RANKER_MAX_CANDIDATES))
        return fail(diag, SHELF_E_BAD_ARGUMENT, "the ranker re-orders 1..%u candidates, not %u", SHELF__RANKER_MAX_CANDIDATES, o->ranker_candidates);
    if (o->dims && o->epochs == 0) return fail(diag, SHELF_E_BAD_ARGUMENT, "epochs must be at least 1 with embeddings");
    if (d->session_count == 0 || shelf__dataset_items(d) == 0) return fail(diag, SHELF_E_BAD_ARGUMENT, "the dataset holds no sessions");
    if (!o->name || !*o->name) return fail(diag, SHELF_E_BAD_ARGUMENT, "the model needs a name");

    /* The scorers see item sequences; event types and times shape only the runtime's weights. */
    uint32_t *items = malloc((size_t)d->event_count * sizeof *items);
    if (!items) return fail(diag, SHELF_E_OUT_OF_MEMORY, "out of memory");
    for (uint64_t e = 0; e < d->event_count; e++) items[e] = d->events[e].item;
    /* The types, when there is more than views: the blend search learns their weights. */
    int typed = 0;
    for (uint64_t e = 0; e < d->event_count && !typed; e++) typed = d->events[e].type != SHELF_EVENT_VIEW;
    uint8_t *types = typed ? malloc((size_t)d->event_count) : NULL;
    if (typed && !types) {
        free(items);
        return fail(diag, SHELF_E_OUT_OF_MEMORY, "out of memory");
    }
    for (uint64_t e = 0; types && e < d->event_count; e++) types[e] = d->events[e].type;
    shelf__item_sessions all = {shelf__dataset_items(d), d->session_count, d->session_start, items, types};

    const shelf__covisit_options covisit = {{o->neighbours, o->min_weight}, 500, 2.0f, 200.0f, 1.0f};
    const uint32_t max_distance = 10;
    shelf__blend blend;
    default_blend(&blend, o->dims != 0);
    shelf__tuning_report report;
    memset(&report, 0, sizeof report);
    shelf__ranker ranker;
    memset(&ranker, 0, sizeof ranker);
    shelf__ranker_report ranker_report;
    train_facts facts = {d->session_count, d->event_count, d->session_count, 0, &covisit, max_distance, NULL, NULL, NULL, 0};

    shelf_status status = SHELF_OK;
    uint64_t cut = (uint64_t)((double)d->session_count * (1.0 - o->validation_fraction));
    if (o->validation_fraction > 0 && cut > 0 && cut < d->session_count) {
        /* Learn from the older sessions, choose the blend on the newer ones. */
        shelf__item_sessions older = all, newer = all;
        older.count = cut;
        newer.count = d->session_count - cut;
        newer.start = d->session_start + cut;
        learned part;
        status = learn(&older, o, SHELF_SCORER_ALL, &covisit, max_distance, &part);
        if (status != SHELF_OK) {
            free(items);
    free(types);
            return fail(diag, status, "training on the older sessions failed: %s", shelf_status_message(status));
        }
        char *meta = metadata_json(o, shelf__dataset_items(d), o->dims, &blend, &facts);
        uint8_t *bytes = NULL;
        size_t length = 0;
        /* Always int8 here: the search scores each case many times, and the int8
         * kernel is many times faster than the float loop; the weights it finds
         * serve a float32 model as well (their HR@20 differ by 0.1). */
        status = meta ? write_model(d, &part, o->dims, 1, meta, &bytes, &length) : SHELF_E_OUT_OF_MEMORY;
        learned_free(&part);
        free(meta);
        shelf_model *validation_model = NULL;
        if (status == SHELF_OK) status = shelf_model_open(bytes, length, &validation_model);
        if (status == SHELF_OK) {
            status = shelf__tune_blend(validation_model, &newer, TUNING_CASES, o->drop_tolerance, &blend, &report,
                                       o->progress, o->progress_context);
            if (report.cases) facts.report = &report;
        }
        if (status == SHELF_OK && o->ranker_hidden) {
            status = shelf__train_ranker(validation_model, &blend, &newer, RANKER_CASES, o->ranker_hidden,
                                         o->ranker_candidates, o->seed, &ranker, &ranker_report, o->progress,
                                         o->progress_context);
            if (ranker_report.cases) facts.ranker_report = &ranker_report;
            facts.ranker = &ranker;
        }
        shelf_model_close(validation_model);
        free(bytes);
        if (status != SHELF_OK) {
            free(items);
    free(types);
            return fail(diag, status, "choosing the blend failed: %s", shelf_status_message(status));
        }
        facts.train_sessions = cut;
        facts.validation_sessions = d->session_count - cut;
    }

    /* A scorer the blend gives no weight would only cost bytes and time: it is left
     * out, unless asked for (to evaluate it alone). */
    uint32_t wanted = SHELF_SCORER_ALL;
    if (!o->keep_unused) {
        if (blend.scorers[SHELF__SCORER_COVISIT].weight == 0) wanted &= ~SHELF_SCORER_COVISIT;
        if (blend.scorers[SHELF__SCORER_SEQUENTIAL].weight == 0) wanted &= ~SHELF_SCORER_SEQUENTIAL;
        if (blend.scorers[SHELF__SCORER_EMBEDDING].weight == 0) wanted &= ~SHELF_SCORER_EMBEDDING;
    }
    const uint32_t dims = (wanted & SHELF_SCORER_EMBEDDING) ? o->dims : 0;
    facts.left_out = SHELF_SCORER_ALL & ~wanted;
    learned full;
    status = learn(&all, o, wanted, &covisit, max_distance, &full);
    free(items);
    free(types);
    if (status != SHELF_OK) return fail(diag, status, "training failed: %s", shelf_status_message(status));
    char *meta = metadata_json(o, shelf__dataset_items(d), dims, &blend, &facts);
    uint8_t *bytes = NULL;
    size_t length = 0;
    status = meta ? write_model(d, &full, dims, o->quantize, meta, &bytes, &length) : SHELF_E_OUT_OF_MEMORY;
    learned_free(&full);
    free(meta);
    if (status != SHELF_OK) return fail(diag, status, "writing the model failed: %s", shelf_status_message(status));
    *model = bytes;
    *size = length;
    return SHELF_OK;
}
