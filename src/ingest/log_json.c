/* Analytics exports as JSON Lines, one event object per line, as shops have them:
 *
 *   ga4      the BigQuery export of Google Analytics 4: event_name, event_timestamp
 *            (microseconds, a string or a number), user_pseudo_id, event_params[]
 *            (ga_session_id, when present, keeps GA's own sessions apart), items[]
 *            (item_id, item_category, price): one event per item;
 *   segment  Segment's e-commerce spec: event ("Product Viewed", ...), timestamp (ISO
 *            8601), anonymousId (else userId), properties.product_id, .category,
 *            .price, or properties.products[] (Order Completed): one event per product.
 *
 * Event names are read as shelf_event_type_from_name() reads them (GA4's and
 * Segment's names included); any other event (page_view, Checkout Started, ...)
 * names no item Shelf learns from and is skipped. A line that is not such an
 * object, or a product event without a user, a time or an item, is a bad line. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cJSON.h"
#include "json_text.h"
#include "log_json.h"
#include "shelf_common.h"
#include "text_parse.h"

#define KEY_MAX 256

static shelf_status bad(char *message, size_t size, const char *format, const char *what) {
    snprintf(message, size, format, what);
    return SHELF_E_PARSE;
}

/* A price member: a number >= 0, or absent (NaN). */
static int price_of(const cJSON *member, double *price) {
    *price = NAN;
    if (!member || cJSON_IsNull(member)) return 1;
    if (!cJSON_IsNumber(member) || !(member->valuedouble >= 0) || !isfinite(member->valuedouble)) return 0;
    *price = member->valuedouble;
    return 1;
}

/* One product (a GA4 item, a Segment properties object or product) into an event. */
static shelf_status emit_product(const cJSON *product, const char *id_name, const char *category_name,
                                 shelf__json_event *event, shelf__json_event_fn emit, void *context, char *message,
                                 size_t size) {
    char id_number[32], category_number[32];
    const cJSON *id = cJSON_GetObjectItemCaseSensitive(product, id_name);
    if (!id || cJSON_IsNull(id)) return bad(message, size, "no \"%s\"", id_name);
    if (!shelf__json_text(id, id_name, id_number, sizeof id_number, &event->item, message, size)) return SHELF_E_PARSE;
    if (!*event->item) return bad(message, size, "empty \"%s\"", id_name);
    event->item_size = strlen(event->item);
    event->category = NULL;
    event->category_size = 0;
    const cJSON *category = cJSON_GetObjectItemCaseSensitive(product, category_name);
    if (category && !cJSON_IsNull(category)) {
        if (!shelf__json_text(category, category_name, category_number, sizeof category_number, &event->category,
                              message, size))
            return SHELF_E_PARSE;
        event->category_size = strlen(event->category);
    }
    if (!price_of(cJSON_GetObjectItemCaseSensitive(product, "price"), &event->price))
        return bad(message, size, "%s", "\"price\" must be a number >= 0");
    return emit ? emit(context, event) : SHELF_OK;
}

/* Each product of an array member ("items", "products"): at least one. */
static shelf_status emit_products(const cJSON *array, const char *array_name, const char *id_name,
                                  const char *category_name, shelf__json_event *event, shelf__json_event_fn emit,
                                  void *context, char *message, size_t size) {
    if (!cJSON_IsArray(array) || cJSON_GetArraySize(array) == 0)
        return bad(message, size, "a product event without \"%s\"", array_name);
    /* Every product checked before any is given: a bad line adds nothing. */
    for (int pass = 0; pass < 2; pass++) {
        const cJSON *product;
        cJSON_ArrayForEach(product, array) {
            if (!cJSON_IsObject(product)) return bad(message, size, "\"%s\" must hold objects", array_name);
            SHELF__TRY(emit_product(product, id_name, category_name, event, pass ? emit : NULL, context, message, size));
        }
    }
    return SHELF_OK;
}

/* The event type a name stands for; 0 for an event Shelf does not learn from. */
static int event_type(const cJSON *name, shelf_event_type *type) {
    return cJSON_IsString(name) && name->valuestring &&
           shelf_event_type_from_name(name->valuestring, strlen(name->valuestring), type) == SHELF_OK;
}

static shelf_status ga4_line(const cJSON *root, shelf__json_event_fn emit, void *context, char *message,
                             size_t size) {
    shelf_event_type type;
    if (!event_type(cJSON_GetObjectItemCaseSensitive(root, "event_name"), &type)) {
        if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(root, "event_name")))
            return bad(message, size, "%s", "no \"event_name\"");
        return SHELF_OK; /* page_view, session_start, ...: no item to learn from */
    }
    shelf__json_event event = {0};
    event.type = (int)type;

    const cJSON *timestamp = cJSON_GetObjectItemCaseSensitive(root, "event_timestamp");
    double micros;
    if (cJSON_IsNumber(timestamp)) micros = timestamp->valuedouble;
    else if (!cJSON_IsString(timestamp) || !shelf__parse_double(timestamp->valuestring, &micros)) micros = NAN;
    if (!(micros >= 0) || !isfinite(micros))
        return bad(message, size, "%s", "\"event_timestamp\" must be microseconds since 1970");
    event.time = micros / 1e6;

    char user_number[32], session_number[32], key[KEY_MAX];
    const char *user, *session = NULL;
    const cJSON *user_member = cJSON_GetObjectItemCaseSensitive(root, "user_pseudo_id");
    if (!user_member || cJSON_IsNull(user_member)) return bad(message, size, "%s", "no \"user_pseudo_id\"");
    if (!shelf__json_text(user_member, "user_pseudo_id", user_number, sizeof user_number, &user, message, size))
        return SHELF_E_PARSE;
    /* event_params: [{ "key": "ga_session_id", "value": { "int_value": ... } }, ...] */
    const cJSON *param;
    cJSON_ArrayForEach(param, cJSON_GetObjectItemCaseSensitive(root, "event_params")) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(param, "key");
        if (!cJSON_IsString(name) || strcmp(name->valuestring, "ga_session_id") != 0) continue;
        const cJSON *value = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(param, "value"), "int_value");
        if (value && !shelf__json_text(value, "ga_session_id", session_number, sizeof session_number, &session,
                                       message, size))
            return SHELF_E_PARSE;
    }
    /* The user and GA's session id together (the unit separator cannot be in either). */
    int n = snprintf(key, sizeof key, "%s\x1f%s", user, session ? session : "");
    if (n < 0 || (size_t)n >= sizeof key) return bad(message, size, "%s", "\"user_pseudo_id\" is too long");
    event.key = key;
    event.key_size = (size_t)n;
    return emit_products(cJSON_GetObjectItemCaseSensitive(root, "items"), "items", "item_id", "item_category", &event,
                         emit, context, message, size);
}

static shelf_status segment_line(const cJSON *root, shelf__json_event_fn emit, void *context, char *message,
                                 size_t size) {
    shelf_event_type type;
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "event");
    /* page, identify and screen calls have no "event"; other track calls name no product. */
    if (!event_type(name, &type)) return SHELF_OK;
    shelf__json_event event = {0};
    event.type = (int)type;

    const cJSON *timestamp = cJSON_GetObjectItemCaseSensitive(root, "timestamp");
    if (!cJSON_IsString(timestamp) ||
        !shelf__parse_iso8601(timestamp->valuestring, strlen(timestamp->valuestring), &event.time))
        return bad(message, size, "%s", "\"timestamp\" must be an ISO 8601 time");

    char user_number[32];
    const char *user;
    const cJSON *user_member = cJSON_GetObjectItemCaseSensitive(root, "anonymousId");
    const char *user_name = "anonymousId";
    if (!user_member || cJSON_IsNull(user_member)) {
        user_member = cJSON_GetObjectItemCaseSensitive(root, "userId");
        user_name = "userId";
    }
    if (!user_member || cJSON_IsNull(user_member)) return bad(message, size, "%s", "no \"anonymousId\" or \"userId\"");
    if (!shelf__json_text(user_member, user_name, user_number, sizeof user_number, &user, message, size))
        return SHELF_E_PARSE;
    if (!*user) return bad(message, size, "empty \"%s\"", user_name);
    event.key = user;
    event.key_size = strlen(user);

    const cJSON *properties = cJSON_GetObjectItemCaseSensitive(root, "properties");
    if (!cJSON_IsObject(properties)) return bad(message, size, "%s", "no \"properties\"");
    const cJSON *products = cJSON_GetObjectItemCaseSensitive(properties, "products");
    if (products) return emit_products(products, "products", "product_id", "category", &event, emit, context, message, size);
    return emit_product(properties, "product_id", "category", &event, emit, context, message, size);
}

shelf_status shelf__json_line_events(shelf_log_format format, const char *line, size_t size,
                                     shelf__json_event_fn emit, void *context, char *message, size_t message_size) {
    cJSON *root = cJSON_ParseWithLength(line, size);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        snprintf(message, message_size, "not a JSON object");
        return SHELF_E_PARSE;
    }
    shelf_status status = format == SHELF_LOG_GA4 ? ga4_line(root, emit, context, message, message_size)
                                                  : segment_line(root, emit, context, message, message_size);
    cJSON_Delete(root);
    return status;
}
