#include <math.h>
#include <stdlib.h>

#include "model_internal.h"
#include "session_internal.h"
#include "shelf_common.h"

shelf_status shelf_session_create(const shelf_model *model, shelf_session **session) {
    if (!model || !session) return SHELF_E_NULL_ARGUMENT;
    shelf_session *s = calloc(1, sizeof *s);
    if (!s) return SHELF_E_OUT_OF_MEMORY;
    s->model = model;
    *session = s;
    return SHELF_OK;
}

void shelf_session_free(shelf_session *session) {
    if (!session) return;
    free(session->scores);
    free(session->similarity);
    free(session);
}

static int event_time_ms(double timestamp, int64_t *ms) {
    /* 2^53 ms is far beyond any real clock; beyond it milliseconds are not exact. */
    if (!isfinite(timestamp) || timestamp < 0 || timestamp * 1000.0 > 9007199254740992.0) return 0;
    *ms = (int64_t)llround(timestamp * 1000.0);
    return 1;
}

shelf_status shelf_session_track(shelf_session *session, shelf_event_type type, uint32_t item,
                                 double timestamp, float weight) {
    if (!session) return SHELF_E_NULL_ARGUMENT;
    if ((unsigned)type >= SHELF_EVENT_TYPE_COUNT) return SHELF_E_BAD_EVENT;
    if (item >= session->model->item_count) return SHELF_E_UNKNOWN_ITEM;
    int64_t ms;
    if (!event_time_ms(timestamp, &ms) || !isfinite(weight) || weight < 0) return SHELF_E_BAD_EVENT;
    if (session->count == SHELF_SESSION_CAPACITY) {
        memmove(session->events, session->events + 1, (SHELF_SESSION_CAPACITY - 1) * sizeof session->events[0]);
        session->count--;
    }
    shelf__session_event *e = &session->events[session->count++];
    e->time_ms = ms;
    e->item = item;
    e->weight = weight;
    e->type = (uint8_t)type;
    return SHELF_OK;
}

void shelf_session_clear(shelf_session *session) {
    if (session) session->count = 0;
}

uint32_t shelf_session_event_count(const shelf_session *session) {
    return session ? session->count : 0;
}

/* Serialized session, version 3:
 *   'S' 3 | count u8 | base_ms varint |
 *   count x ( tag u8: type in bits 0-2, bit 3 = weight follows, bit 4 = time goes back |
 *             item key (6 bytes, little-endian) | |time delta ms| varint | [weight f32le] ) |
 *   CRC-32 (u32le) of every byte before it
 * The checksum catches a damaged state (a cookie cut short, storage gone bad: every
 * error of one or two bits, every burst of up to 32, all but one in 2^32 of the
 * others), so it restores as an error, never as a different history. It proves
 * nothing about who wrote the state: a page can always rewrite its own storage
 * (sealing with a site's secret is for the edge). Version 2 was this without it.
 * Items are named by their key (a hash of the id, model_internal.h), not by index,
 * so a session restores under any model that knows its items: a retrain, a newer
 * catalog. Deltas are from the previous event's time; most events take 8-10 bytes.
 * Version 1 named items by index under one model's identity; it is refused as
 * saved with another model. */
#define STATE_MAGIC 'S'
#define STATE_VERSION 3
#define STATE_HEADER 3
#define STATE_CHECKSUM 4
#define TAG_TYPE_MASK 7u
#define TAG_HAS_WEIGHT 8u
#define TAG_BACKWARDS 16u
_Static_assert(SHELF_SESSION_STATE_MAX == STATE_HEADER + SHELF_VARINT_MAX(54) + 1 +
                   (SHELF_SESSION_CAPACITY - 1) * SHELF_VARINT_MAX(54) +
                   SHELF_SESSION_CAPACITY * (1 + SHELF__ITEM_KEY_BYTES + 4) + STATE_CHECKSUM,
               "shelf.h's bound is this encoding's worst case");

static size_t put_varint(uint8_t *out, size_t at, size_t capacity, uint64_t v) {
    do {
        uint8_t byte = (uint8_t)(v & 0x7F);
        v >>= 7;
        if (v) byte |= 0x80;
        if (at < capacity) out[at] = byte;
        at++;
    } while (v);
    return at;
}

static int get_varint(const uint8_t *in, size_t size, size_t *at, uint64_t *v) {
    uint64_t result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
        if (*at >= size) return 0;
        uint8_t byte = in[(*at)++];
        if (shift == 63 && byte > 1) return 0;
        result |= (uint64_t)(byte & 0x7F) << shift;
        if (!(byte & 0x80)) {
            *v = result;
            return 1;
        }
    }
    return 0;
}

shelf_status shelf_session_save(const shelf_session *session, void *out, size_t capacity, size_t *size) {
    if (!session || !size || (!out && capacity)) return SHELF_E_NULL_ARGUMENT;
    uint8_t *o = out;
    const uint8_t header[STATE_HEADER] = {STATE_MAGIC, STATE_VERSION, (uint8_t)session->count};
    size_t at = 0;
    for (size_t i = 0; i < sizeof header; i++, at++)
        if (at < capacity) o[at] = header[i];
    int64_t previous = session->count ? session->events[0].time_ms : 0;
    at = put_varint(o, at, capacity, (uint64_t)previous);
    for (uint32_t i = 0; i < session->count; i++) {
        const shelf__session_event *e = &session->events[i];
        uint8_t tag = e->type;
        if (e->weight != 1.0f) tag |= TAG_HAS_WEIGHT;
        if (e->time_ms < previous) tag |= TAG_BACKWARDS;
        if (at < capacity) o[at] = tag;
        at++;
        uint64_t key = shelf__model_item_key(session->model, e->item);
        for (uint32_t b = 0; b < SHELF__ITEM_KEY_BYTES; b++, at++)
            if (at < capacity) o[at] = (uint8_t)(key >> (8 * b));
        uint64_t delta = e->time_ms < previous ? (uint64_t)(previous - e->time_ms) : (uint64_t)(e->time_ms - previous);
        at = put_varint(o, at, capacity, delta);
        if (tag & TAG_HAS_WEIGHT) {
            if (at + 4 <= capacity) shelf__store_f32(o + at, e->weight);
            at += 4;
        }
        previous = e->time_ms;
    }
    if (at + STATE_CHECKSUM <= capacity) shelf__store_u32(o + at, shelf__crc32(0, o, at));
    at += STATE_CHECKSUM;
    *size = at;
    return at <= capacity ? SHELF_OK : SHELF_E_BUFFER_TOO_SMALL;
}

shelf_status shelf_session_restore(shelf_session *session, const void *state, size_t size) {
    if (!session || (!state && size)) return SHELF_E_NULL_ARGUMENT;
    const uint8_t *in = state;
    if (size < STATE_HEADER || in[0] != STATE_MAGIC) return SHELF_E_BAD_STATE;
    if (in[1] == 1) return SHELF_E_STATE_MISMATCH;  /* version 1: items by another model's indices */
    if (in[1] != STATE_VERSION || size < STATE_HEADER + STATE_CHECKSUM) return SHELF_E_BAD_STATE;
    size -= STATE_CHECKSUM;
    if (shelf__crc32(0, in, size) != shelf__load_u32(in + size)) return SHELF_E_BAD_STATE;
    uint32_t count = in[2];
    if (count > SHELF_SESSION_CAPACITY) return SHELF_E_BAD_STATE;
    size_t at = STATE_HEADER;
    uint64_t base;
    if (!get_varint(in, size, &at, &base) || base > (uint64_t)INT64_MAX / 2) return SHELF_E_BAD_STATE;
    /* Decode into a copy first: the session changes only if all of it is valid. */
    shelf__session_event events[SHELF_SESSION_CAPACITY];
    uint32_t kept = 0, dropped = 0;
    int64_t previous = (int64_t)base;
    for (uint32_t i = 0; i < count; i++) {
        if (at >= size) return SHELF_E_BAD_STATE;
        uint8_t tag = in[at++];
        if ((tag & TAG_TYPE_MASK) >= SHELF_EVENT_TYPE_COUNT || (tag & ~(TAG_TYPE_MASK | TAG_HAS_WEIGHT | TAG_BACKWARDS)))
            return SHELF_E_BAD_STATE;
        if (size - at < SHELF__ITEM_KEY_BYTES) return SHELF_E_BAD_STATE;
        uint64_t key = 0, delta;
        for (uint32_t b = 0; b < SHELF__ITEM_KEY_BYTES; b++) key |= (uint64_t)in[at++] << (8 * b);
        if (!get_varint(in, size, &at, &delta) || delta > (uint64_t)INT64_MAX / 2) return SHELF_E_BAD_STATE;
        int64_t t = (tag & TAG_BACKWARDS) ? previous - (int64_t)delta : previous + (int64_t)delta;
        if (t < 0 || t > ((int64_t)1 << 53)) return SHELF_E_BAD_STATE;
        float weight = 1.0f;
        if (tag & TAG_HAS_WEIGHT) {
            if (size - at < 4) return SHELF_E_BAD_STATE;
            weight = shelf__load_f32(in + at);
            at += 4;
            if (!isfinite(weight) || weight < 0) return SHELF_E_BAD_STATE;
        }
        previous = t;
        /* An item this model does not know (retired from the catalog) is dropped;
         * the times of the others stay exact, since deltas run over every event. */
        uint32_t item;
        if (shelf__model_find_item_by_key(session->model, key, &item) != SHELF_OK) {
            dropped++;
            continue;
        }
        events[kept].time_ms = t;
        events[kept].item = item;
        events[kept].weight = weight;
        events[kept].type = tag & TAG_TYPE_MASK;
        kept++;
    }
    if (at != size) return SHELF_E_BAD_STATE;
    memcpy(session->events, events, kept * sizeof events[0]);
    session->count = kept;
    session->dropped = dropped;
    return SHELF_OK;
}

uint32_t shelf_session_dropped_events(const shelf_session *session) {
    return session ? session->dropped : 0;
}
