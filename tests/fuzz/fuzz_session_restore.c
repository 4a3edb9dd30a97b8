/* libFuzzer target: shelf_session_restore() on arbitrary bytes, into a session of
 * the test fixture's model (37 items, every section), as a cookie or a store hands
 * it over. A restore succeeds or is refused with SHELF_E_BAD_STATE or
 * SHELF_E_STATE_MISMATCH, leaving the session as it was; a restored session holds at
 * most SHELF_SESSION_CAPACITY events of the model's items, recommends, and saves to
 * bytes that restore to the same events. Seeds: tests/fuzz/seeds/session_restore.
 *
 * Without libFuzzer, -DSHELF_FUZZ_STANDALONE adds a main() that replays files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SHELF_FUZZ_FIXTURE
#include "fuzz_common.h"

static void restore(const uint8_t *data, size_t size);

/* Each input twice: as it is, and with its last four bytes replaced by the CRC-32 of
 * the rest, so that mutations reach the decoder behind the checksum. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    restore(data, size);
    if (size >= 4 && size <= SHELF_SESSION_STATE_MAX * 2) {
        uint8_t *copy = malloc(size);
        if (!copy) return 0;
        memcpy(copy, data, size);
        shelf__store_u32(copy + size - 4, shelf__crc32(0, copy, size - 4));
        restore(copy, size);
        free(copy);
    }
    return 0;
}

static void restore(const uint8_t *data, size_t size) {
    shelf_model *model = fuzz_fixture_model();
    shelf_session *s = NULL;
    REQUIRE(shelf_session_create(model, &s) == SHELF_OK);
    REQUIRE(shelf_session_track(s, SHELF_EVENT_VIEW, 3, 1e9, 1.0f) == SHELF_OK);
    shelf_status status = shelf_session_restore(s, data, size);
    REQUIRE(status == SHELF_OK || status == SHELF_E_BAD_STATE || status == SHELF_E_STATE_MISMATCH);
    if (status != SHELF_OK) {
        REQUIRE(shelf_session_event_count(s) == 1);
    } else {
        const uint32_t events = shelf_session_event_count(s);
        REQUIRE(events <= SHELF_SESSION_CAPACITY);
        shelf_request r;
        shelf_request_init(&r);
        r.k = 10;
        shelf_result out[10];
        size_t n = 0;
        REQUIRE(shelf_recommend(s, &r, out, 10, &n) == SHELF_OK && n == 10);
        uint8_t state[SHELF_SESSION_STATE_MAX];
        size_t state_size = 0;
        REQUIRE(shelf_session_save(s, state, sizeof state, &state_size) == SHELF_OK);
        shelf_session *t = NULL;
        REQUIRE(shelf_session_create(model, &t) == SHELF_OK);
        REQUIRE(shelf_session_restore(t, state, state_size) == SHELF_OK && shelf_session_event_count(t) == events);
        shelf_session_free(t);
    }
    shelf_session_free(s);
}
