/*
 * shelf.h -- on-device recommendations from the current shopping session.
 *
 * Shelf runs a quantized recommendation model inside the shopper's browser or on
 * a CDN edge worker. This header is the whole runtime API; the same functions are
 * compiled natively and to WebAssembly.
 *
 *   - A MODEL is one immutable ".shelf" file (see models/FORMAT.md): the catalog's
 *     item ids and attributes plus the parameters of every scorer. Open it from a
 *     byte buffer; it is validated completely and never trusted. An open model's
 *     item attributes (stock, price, category) can change, for a live catalog.
 *   - A SESSION holds what the shopper did so far: a bounded list of events (view,
 *     click, add to cart, purchase, search, dwell) with timestamps. It serializes
 *     to a few bytes, for localStorage, a cookie or a request header.
 *   - A RECOMMENDATION ranks every item of the model for a session: each scorer
 *     (popularity, session repeat, item-to-item tables, embeddings) adds its share
 *     with the blend weights stored in the model, then business rules filter,
 *     a per-category cap diversifies, and the top k come back with a reason each.
 *   - RELATED ITEMS rank every item for one item, as its product page shows them,
 *     from the model alone: no session, nothing stored.
 *
 * Usage (tests/cli/test_header_examples.sh compiles it), with the model file's
 * bytes at `bytes`:
 *
 *     shelf_model *model;
 *     if (shelf_model_open(bytes, size, &model) != SHELF_OK) return;
 *     shelf_session *session;
 *     if (shelf_session_create(model, &session) != SHELF_OK) return;
 *     uint32_t item;
 *     if (shelf_model_find_item(model, "sku-123", 7, &item) == SHELF_OK)
 *         shelf_session_track(session, SHELF_EVENT_VIEW, item, 1700000000.0, 1.0f);
 *     shelf_request request;
 *     shelf_request_init(&request);
 *     request.k = 10;
 *     shelf_result results[10];
 *     size_t count;
 *     if (shelf_recommend(session, &request, results, 10, &count) == SHELF_OK)
 *         for (size_t i = 0; i < count; i++)
 *             printf("%s\n", shelf_model_item_id(model, results[i].item, NULL));
 *     shelf_session_free(session);
 *     shelf_model_close(model);
 *
 * Ownership. A model borrows the bytes it is opened from: they must stay alive and
 * unchanged until shelf_model_close(); the library never writes them (attribute
 * updates go to a copy). A session refers to its model: free every
 * session before closing the model. Strings returned by the library point into the
 * model's bytes or into static storage; never free them. Every *_free and *_close
 * accepts NULL as a harmless no-op.
 *
 * Errors. Every fallible function returns a shelf_status; SHELF_OK is zero, and
 * shelf_status_name() names every other value. The library never aborts, never
 * prints, keeps no global state of its own beyond the native kernel choice (made
 * once, race-free, and never changed), and never reads or writes outside the
 * buffers it is given. Outputs are written only
 * on success, unless a function says otherwise.
 *
 * Threads. A model may be shared by any number of threads; a session belongs to
 * one thread at a time. shelf_model_set_item_attributes() is the exception: it
 * changes the model, so it must not run while anything else uses that model
 * (shelf_recommend() on any of its sessions, shelf_related(), attribute reads,
 * other updates): apply a stock feed between requests, or behind a lock. Opening
 * models from several threads at once is safe only if cJSON's process globals, the
 * error position of its last parse (which cJSON_Parse writes on every call and
 * Shelf never reads) and its allocator hooks (set to the same functions before each
 * parse, so that an allocation failure is told from bad metadata), may race: that
 * is harmless for Shelf's results, but a data race in C11 terms, which thread
 * sanitizers report. Serialize shelf_model_open() calls if that matters.
 *
 * Memory. Beside the file it borrows, a model keeps what it builds at open: the item
 * index (a power of two of at least 2 slots per item, 4 bytes a slot: 8 to 16 bytes
 * per item), the ids' offsets (4), the row offsets of each compact neighbour table
 * (4 each) and decoded 16-bit popularity and int8 embedding scales (4 each): at most
 * 36 bytes per item. A copy of the file is made only when the bytes are not 8-byte
 * aligned; from its first attribute update a model keeps its own copy of the item
 * attributes (9 bytes per item). A session is about 1.6 KB, plus, from its first shelf_recommend(), scratch of 2 floats per item of
 * its model (8 bytes per item: 8 MB at 1M items), freed with the session.
 * shelf_related() allocates the same scratch for the length of each call.
 */
#ifndef SHELF_H
#define SHELF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version --- */

/* The version lives here only; CMake reads it from these lines. */
#define SHELF_VERSION_MAJOR 0
#define SHELF_VERSION_MINOR 1
#define SHELF_VERSION_PATCH 0
#define SHELF_VERSION_NUMBER \
    (SHELF_VERSION_MAJOR * 10000 + SHELF_VERSION_MINOR * 100 + SHELF_VERSION_PATCH)

/* The library's version at run time, to compare with SHELF_VERSION_NUMBER: a
 * program compiled against one header and linked with another library sees it. */
unsigned shelf_version_number(void);
/* The same as "MAJOR.MINOR.PATCH", static storage. */
const char *shelf_version_string(void);

/* ----------------------------------------------------------------- status --- */

/* Numbered and append-only: a value never changes its meaning. */
typedef enum shelf_status {
    SHELF_OK = 0,
    SHELF_E_NULL_ARGUMENT = 1,      /* a required pointer was NULL */
    SHELF_E_BAD_ARGUMENT = 2,       /* an argument is out of its documented range */
    SHELF_E_OUT_OF_MEMORY = 3,      /* an allocation failed; nothing was changed */
    SHELF_E_BAD_MAGIC = 4,          /* the bytes are not a .shelf model */
    SHELF_E_UNSUPPORTED_VERSION = 5,/* a model format version this library cannot read */
    SHELF_E_TRUNCATED = 6,          /* the model is shorter than its header says */
    SHELF_E_BAD_HEADER = 7,         /* a header field is invalid */
    SHELF_E_BAD_SECTION_TABLE = 8,  /* a section lies outside the file, overlaps another, is misaligned or repeated */
    SHELF_E_CHECKSUM_MISMATCH = 9,  /* a section's or the header's checksum is wrong */
    SHELF_E_MISSING_SECTION = 10,   /* a required section is absent */
    SHELF_E_BAD_SECTION = 11,       /* a section's content is invalid (sizes, indices, values) */
    SHELF_E_BAD_METADATA = 12,      /* the JSON metadata is malformed or has invalid values */
    SHELF_E_UNKNOWN_ITEM = 13,      /* no item has this id, or an item index is out of range */
    SHELF_E_UNKNOWN_CATEGORY = 14,  /* no category has this name */
    SHELF_E_BAD_EVENT = 15,         /* an unknown event type, or a non-finite timestamp or weight */
    SHELF_E_BAD_STATE = 16,         /* serialized session bytes are malformed */
    SHELF_E_STATE_MISMATCH = 17,    /* serialized session bytes belong to another model */
    SHELF_E_BUFFER_TOO_SMALL = 18,  /* an output buffer is too small; the size needed is reported */
    SHELF_E_IO = 19,                /* reading or writing a file failed (native tools only) */
    SHELF_E_PARSE = 20,             /* an input file is malformed (native tools only) */
    SHELF__STATUS_COUNT             /* not a status: one past the last, for the library's tables */
} shelf_status;

/* "SHELF_OK", "SHELF_E_TRUNCATED", ...; "SHELF_E_UNKNOWN_STATUS" for other values. */
const char *shelf_status_name(shelf_status status);
/* A sentence for people: "the model is shorter than its header says". */
const char *shelf_status_message(shelf_status status);

/* ------------------------------------------------------------------ model --- */

typedef struct shelf_model shelf_model;

/* Opens a model from `size` bytes at `data`, validating every field and checksum.
 * The bytes are borrowed (see Ownership). Never reads outside [data, data+size).
 * Fails with SHELF_E_BAD_MAGIC, _UNSUPPORTED_VERSION, _TRUNCATED, _BAD_HEADER,
 * _BAD_SECTION_TABLE, _CHECKSUM_MISMATCH, _MISSING_SECTION, _BAD_SECTION,
 * _BAD_METADATA or _OUT_OF_MEMORY; *model is then left unchanged. */
shelf_status shelf_model_open(const void *data, size_t size, shelf_model **model);
void shelf_model_close(shelf_model *model);

/* The version of the model file format (models/FORMAT.md) this library reads. */
#define SHELF_FORMAT_VERSION 2u

/* No item: an item index that names none (a result's reason_item without one). */
#define SHELF_NO_ITEM UINT32_MAX

/* Number of items; item indices run from 0 to count-1. */
uint32_t shelf_model_item_count(const shelf_model *model);
/* Embedding width (0 when the model has no embeddings). */
uint32_t shelf_model_dims(const shelf_model *model);
/* The model's name from its metadata, NUL-terminated, owned by the model. */
const char *shelf_model_name(const shelf_model *model);
/* The metadata JSON exactly as stored (not NUL-terminated); *size receives its length. */
const char *shelf_model_metadata(const shelf_model *model, size_t *size);

/* Finds an item by its external id (a SKU: any bytes, `id_size` long).
 * SHELF_E_UNKNOWN_ITEM when absent. */
shelf_status shelf_model_find_item(const shelf_model *model, const char *id, size_t id_size,
                                   uint32_t *item);
/* The external id of an item, NUL-terminated; *size (if not NULL) receives its length.
 * NULL when `item` is out of range. */
const char *shelf_model_item_id(const shelf_model *model, uint32_t item, size_t *size);

/* The sections of the model file, for inspection tools. */
typedef struct shelf_section_info {
    const char *name;      /* "metadata", "item_ids", "covisit", ... */
    const char *encoding;  /* "none", "float32", "q8" (embeddings), "q16" (popularity) or "ef4" (neighbours) */
    uint64_t offset;       /* from the start of the file */
    uint64_t length;       /* bytes */
    uint32_t checksum;     /* CRC-32 of the section */
} shelf_section_info;
uint32_t shelf_model_section_count(const shelf_model *model);
/* SHELF_E_BAD_ARGUMENT when index >= shelf_model_section_count(). */
shelf_status shelf_model_section(const shelf_model *model, uint32_t index, shelf_section_info *info);

/* Item attributes, present when the model was trained with a catalog. */
#define SHELF_NO_CATEGORY UINT32_MAX
#define SHELF_ITEM_IN_STOCK 1u
/* Number of categories (0 without a catalog). */
uint32_t shelf_model_category_count(const shelf_model *model);
shelf_status shelf_model_find_category(const shelf_model *model, const char *name, size_t name_size,
                                       uint32_t *category);
/* NULL when out of range. */
const char *shelf_model_category_name(const shelf_model *model, uint32_t category, size_t *size);
/* An item's category (SHELF_NO_CATEGORY when unknown), price (NaN when unknown) and
 * flags (SHELF_ITEM_IN_STOCK; items of a model without a catalog are all in stock).
 * Any output pointer may be NULL. */
shelf_status shelf_model_item_attributes(const shelf_model *model, uint32_t item,
                                         uint32_t *category, float *price, uint32_t *flags);
/* Changes an item's attributes in the open model, without retraining: a live
 * catalog's stock, prices and categories. `category` is SHELF_NO_CATEGORY or one
 * of the model's categories (SHELF_E_UNKNOWN_CATEGORY otherwise: an update cannot
 * add categories); `price` is NaN (unknown) or finite and >= 0, and `flags` holds
 * SHELF_ITEM_* bits only (SHELF_E_BAD_ARGUMENT otherwise); SHELF_E_UNKNOWN_ITEM when
 * item >= the item count. All three are replaced: read the others first with
 * shelf_model_item_attributes() to change one. Every later recommendation, related
 * list and read sees the change. The model's file bytes are never written: the
 * first update copies every item's attributes into the model (9 bytes per item;
 * SHELF_E_OUT_OF_MEMORY if that fails). A model without a catalog starts from no
 * category, no price, in stock. On failure the model is unchanged. The one call
 * that changes a model: see Threads. */
shelf_status shelf_model_set_item_attributes(shelf_model *model, uint32_t item, uint32_t category,
                                             float price, uint32_t flags);

/* ---------------------------------------------------------------- session --- */

typedef enum shelf_event_type {
    SHELF_EVENT_VIEW = 0,
    SHELF_EVENT_CLICK = 1,
    SHELF_EVENT_ADD_TO_CART = 2,
    SHELF_EVENT_PURCHASE = 3,
    SHELF_EVENT_SEARCH = 4,  /* the item the shopper opened from a search */
    SHELF_EVENT_DWELL = 5,   /* weight = seconds spent on the item's page */
    SHELF_EVENT_TYPE_COUNT = 6
} shelf_event_type;

/* "view", "click", "add_to_cart", "purchase", "search", "dwell"; NULL otherwise. */
const char *shelf_event_type_name(shelf_event_type type);
/* The inverse, which also takes the names analytics tools use for the same events
 * (shelf_event_alias); SHELF_E_BAD_EVENT for an unknown name. Case matters. */
shelf_status shelf_event_type_from_name(const char *name, size_t name_size, shelf_event_type *type);
/* The other names shelf_event_type_from_name() accepts, one per index from 0 (NULL
 * past the last), with the type each stands for in *type (if not NULL): GA4's
 * "view_item" (view) and "select_item" (click); Segment's "Product Viewed" (view),
 * "Product Clicked" (click), "Product Added" (add_to_cart) and "Order Completed"
 * (purchase). GA4's add_to_cart and purchase are Shelf's own names. */
const char *shelf_event_alias(uint32_t index, shelf_event_type *type);

/* A session keeps its most recent SHELF_SESSION_CAPACITY events; older ones fall off. */
#define SHELF_SESSION_CAPACITY 64

typedef struct shelf_session shelf_session;

shelf_status shelf_session_create(const shelf_model *model, shelf_session **session);
void shelf_session_free(shelf_session *session);

/* Records one event. `timestamp` is in seconds (any epoch; fractions allowed) and
 * should not decrease. `weight` scales the event type's weight from the model
 * (1 for an ordinary event); for SHELF_EVENT_DWELL it is the dwell in seconds.
 * SHELF_E_UNKNOWN_ITEM if item >= item count, SHELF_E_BAD_EVENT for an unknown
 * type or a non-finite or negative timestamp or weight; the session is then unchanged. */
shelf_status shelf_session_track(shelf_session *session, shelf_event_type type, uint32_t item,
                                 double timestamp, float weight);
/* Forgets every event. */
void shelf_session_clear(shelf_session *session);
/* Number of events held (at most SHELF_SESSION_CAPACITY). */
uint32_t shelf_session_event_count(const shelf_session *session);

/* Serializes the session into out[0..capacity). *size receives the bytes written,
 * or on SHELF_E_BUFFER_TOO_SMALL the bytes needed. Items are named by a 48-bit hash
 * of their id, not by the model's indices, so a saved session restores under
 * another model of the same catalog (a retrain, tomorrow's model). Typically 8-10
 * bytes per event, about 650 for a full session; never more than
 * SHELF_SESSION_STATE_MAX, the worst case of the encoding: a 3-byte header and the
 * first event's time in milliseconds (at most 2^53, a varint of 54 bits); then per
 * event a tag byte, the 6-byte item key, the time since the event before (54 bits;
 * 1 byte, 0, for the first event) and a float weight; and a CRC-32 of it all, so a
 * damaged state is refused rather than restored as another history: 1,224 bytes. */
#define SHELF_VARINT_MAX(bits) (((bits) + 6) / 7) /* bytes of a LEB128 varint of `bits` bits */
#define SHELF_SESSION_STATE_MAX                                                           \
    (3 + SHELF_VARINT_MAX(54) + 1 + (SHELF_SESSION_CAPACITY - 1) * SHELF_VARINT_MAX(54) + \
     SHELF_SESSION_CAPACITY * (1 + 6 + 4) + 4)
shelf_status shelf_session_save(const shelf_session *session, void *out, size_t capacity,
                                size_t *size);
/* Replaces the session's events with serialized ones, saved under this model or any
 * other: events whose item this model does not know are dropped (counted by
 * shelf_session_dropped_events()), the others kept in order with their times.
 * SHELF_E_BAD_STATE when the bytes are malformed or damaged (the checksum), SHELF_E_STATE_MISMATCH for a
 * state of format 1 (which named items by another model's indices); the session
 * is then unchanged. */
shelf_status shelf_session_restore(shelf_session *session, const void *state, size_t size);
/* How many events the last successful shelf_session_restore() dropped (0 before any). */
uint32_t shelf_session_dropped_events(const shelf_session *session);

/* -------------------------------------------------------------- recommend --- */

/* Filter flags of a request. */
#define SHELF_EXCLUDE_PURCHASED  1u  /* items bought in this session */
#define SHELF_EXCLUDE_IN_CART    2u  /* items added to the cart in this session */
#define SHELF_EXCLUDE_SEEN       4u  /* every item of the session */
#define SHELF_IN_STOCK_ONLY      8u  /* items flagged in stock by the catalog */
#define SHELF_BLEND_ONLY        16u  /* skip the model's learned ranker: the blend's order */

/* The scorers a model may hold, listed once: X(NAME, "name") for each, in the
 * order of their bits. Every other list of scorers (the bits below, the library's
 * internal indices, the names, the CLI's and the JS package's) is made from it. */
#define SHELF_SCORER_LIST(X)                                          \
    X(POPULARITY, "popularity") /* popular overall */                 \
    X(REPEAT, "repeat")         /* the session's own items again */   \
    X(COVISIT, "covisit")       /* item-to-item: viewed together */   \
    X(SEQUENTIAL, "sequential") /* item-to-item: viewed next */       \
    X(EMBEDDING, "embedding")   /* similar by item embeddings */

/* Each scorer's position in the list (internal: the bits are the API). */
enum shelf__scorer_index {
#define SHELF__SCORER_INDEX(NAME, name) SHELF__SCORER_##NAME,
    SHELF_SCORER_LIST(SHELF__SCORER_INDEX)
#undef SHELF__SCORER_INDEX
    SHELF__SCORER_COUNT
};

/* The scorers as bits of shelf_request.scorers, SHELF_SCORER_POPULARITY = 1,
 * SHELF_SCORER_REPEAT = 2, ... : a request can switch some off (to measure each
 * alone, or to skip embeddings on slow devices). */
enum shelf_scorer {
#define SHELF__SCORER_BIT(NAME, name) SHELF_SCORER_##NAME = 1 << SHELF__SCORER_##NAME,
    SHELF_SCORER_LIST(SHELF__SCORER_BIT)
#undef SHELF__SCORER_BIT
    SHELF_SCORER_ALL = (1 << SHELF__SCORER_COUNT) - 1
};

/* The name of one scorer bit ("popularity", "repeat", "covisit", "sequential",
 * "embedding"); NULL for anything that is not exactly one SHELF_SCORER_* bit. */
const char *shelf_scorer_name(uint32_t scorer);

/* What a recommendation may contain and how it is shaped. Always initialize with
 * shelf_request_init(): new fields get neutral defaults. The fields are 32-bit
 * numbers and pointers, so the layout differs between 64-bit native builds and
 * wasm32; the JS package reads wasm32's offsets from the module itself. */
typedef struct shelf_request {
    uint32_t k;                      /* how many items to return (default 10) */
    uint32_t flags;                  /* SHELF_EXCLUDE_* | SHELF_IN_STOCK_ONLY (default: purchased + in cart) */
    const uint32_t *allow_categories;/* if allow_count > 0: only these categories */
    uint32_t allow_count;
    const uint32_t *deny_categories; /* never these categories */
    uint32_t deny_count;
    float min_price;                 /* items priced below are dropped; -INFINITY: no bound */
    float max_price;                 /* items priced above are dropped; +INFINITY: no bound */
    uint32_t max_per_category;       /* diversity: at most this many per category; 0: no cap
                                        (but see shelf_recommend() for an empty session) */
    const uint32_t *boost_categories;/* multiply the score of items of these categories ... */
    const float *boost_factors;      /* ... by these factors (> 0) */
    uint32_t boost_count;
    uint32_t scorers;                /* SHELF_SCORER_* bits to use, at the model's blend weights
                                        (default SHELF_SCORER_ALL); a scorer asked for alone counts
                                        with weight 1 if the blend gives it none */
    const uint32_t *exclude_items;   /* if exclude_count > 0: never these items (item indices, */
    uint32_t exclude_count;          /* e.g. what the page shows already); default none */
} shelf_request;

void shelf_request_init(shelf_request *request);

/* Why an item was recommended: the scorer that contributed most to its score, but
 * an item the session holds already is labelled as such, whatever the scorer
 * (never "viewed together" with itself). Append-only, as statuses. */
typedef enum shelf_reason {
    SHELF_REASON_POPULAR = 0,        /* popular overall */
    SHELF_REASON_SEEN_BEFORE = 1,    /* in the session already, not in its cart (reason_item = itself) */
    SHELF_REASON_VIEWED_TOGETHER = 2,/* often viewed together with reason_item */
    SHELF_REASON_VIEWED_AFTER = 3,   /* often viewed next after reason_item */
    SHELF_REASON_SIMILAR = 4,        /* similar to the session's items (embeddings) */
    SHELF_REASON_IN_CART = 5,        /* added to the cart in this session (reason_item = itself) */
    SHELF_REASON_COUNT = 6
} shelf_reason;

/* "popular", "seen_before", "viewed_together", "viewed_after", "similar", "in_cart". */
const char *shelf_reason_name(shelf_reason reason);

typedef struct shelf_result {
    uint32_t item;         /* item index (shelf_model_item_id() gives its id) */
    float score;           /* the blend's score, or the learned ranker's order (see shelf_recommend());
                              larger is better; comparable within one call */
    uint32_t reason;       /* a shelf_reason */
    uint32_t reason_item;  /* the session item behind the reason, or SHELF_NO_ITEM */
} shelf_result;

/* Ranks every item of the session's model and writes the best min(k, capacity)
 * that pass the request's filters to out[], best first; *count receives how many
 * (fewer when filters leave fewer). Equal scores, above all the items nothing in
 * the session links to, come most popular first (by the model's popularity), then
 * by item index, so results are deterministic and identical natively and in wasm
 * (and the "popular" such items are labelled with is true). An empty session (no consent,
 * nothing tracked yet) gets the popular items, by the model's popularity even when
 * its blend gives popularity no weight, spread over the catalog's categories: unless
 * the request sets max_per_category, at most ceil(k / 4) of one category, and where
 * categories run out the next most popular fill the shelf. A model with a learned
 * ranker (models/FORMAT.md, "ranker") re-orders the blend's best candidates of a
 * session that has events, when every scorer is on and SHELF_BLEND_ONLY is not
 * set: they keep the best places, in the ranker's order, and their scores are
 * re-spaced above every other item's so that the filters and boosts that follow
 * act on that order. SHELF_E_BAD_ARGUMENT for NaN prices or non-positive boosts,
 * SHELF_E_UNKNOWN_ITEM for an excluded item index out of range, SHELF_E_NULL_ARGUMENT
 * for a count > 0 with a NULL list. */
shelf_status shelf_recommend(shelf_session *session, const shelf_request *request,
                             shelf_result *out, size_t capacity, size_t *count);

/* Related items for a product page: ranks every item of the model for the one item
 * on the page, with no session and nothing stored, so it needs no consent. The
 * scorers see a session of one view of `item`: its rows of the "viewed together"
 * and "viewed next" tables and its embedding's nearest items count at the model's
 * blend weights (request->scorers picks), popularity at its own; equal scores,
 * above all the many items nothing links to `item`, come most popular first, then
 * by item index. `item` itself is never returned. Every filter of the request
 * applies (exclude_items, SHELF_IN_STOCK_ONLY, prices, categories, boosts,
 * max_per_category); the session flags (SHELF_EXCLUDE_PURCHASED, _IN_CART, _SEEN)
 * have no session to act on. Reasons: SHELF_REASON_VIEWED_TOGETHER, _VIEWED_AFTER
 * or _SIMILAR with reason_item = item, or SHELF_REASON_POPULAR. Each call allocates
 * scratch of 2 floats per item of the model (8 bytes per item) and frees it before
 * returning: SHELF_E_OUT_OF_MEMORY if it cannot. SHELF_E_UNKNOWN_ITEM when item >=
 * the item count; otherwise fails as shelf_recommend(). */
shelf_status shelf_related(const shelf_model *model, uint32_t item, const shelf_request *request,
                           shelf_result *out, size_t capacity, size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* SHELF_H */
