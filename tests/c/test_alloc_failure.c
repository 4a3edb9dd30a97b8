/* Every allocation of the runtime's calls failing in turn: shelf_model_open, the
 * session calls (create, track, save, restore) and shelf_recommend / shelf_related
 * must each return SHELF_E_OUT_OF_MEMORY (or succeed, where the allocation was not
 * needed), never crash, and leave nothing allocated behind once closed.
 *
 * malloc, calloc, realloc and free are wrapped at link time (-Wl,--wrap, see
 * tests/CMakeLists.txt): a countdown makes the Nth allocation fail, and a count of
 * live blocks shows leaks. N runs from 0 until a whole pass needs no failure. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "model_fixture.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t count, size_t size);
void *__real_realloc(void *p, size_t size);
void __real_free(void *p);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t count, size_t size);
void *__wrap_realloc(void *p, size_t size);
void __wrap_free(void *p);

static long countdown = -1; /* -1: never fail */
static long live;           /* blocks allocated and not yet freed, while armed */
static int armed;

static int fail_now(void) {
    if (countdown < 0) return 0;
    return countdown-- == 0;
}
void *__wrap_malloc(size_t size) {
    if (armed && fail_now()) return NULL;
    void *p = __real_malloc(size);
    if (armed && p) live++;
    return p;
}
void *__wrap_calloc(size_t count, size_t size) {
    if (armed && fail_now()) return NULL;
    void *p = __real_calloc(count, size);
    if (armed && p) live++;
    return p;
}
void *__wrap_realloc(void *p, size_t size) {
    if (armed && fail_now()) return NULL;
    void *q = __real_realloc(p, size);
    if (armed && q && !p) live++;
    return q;
}
void __wrap_free(void *p) {
    if (armed && p) live--;
    __real_free(p);
}

/* One pass of the runtime's calls; returns whether any call failed for memory. */
static int pass(const uint8_t *file, size_t size, long fail_at) {
    countdown = fail_at;
    live = 0;
    armed = 1;
    int short_of_memory = 0;
    shelf_model *model = NULL;
    shelf_status status = shelf_model_open(file, size, &model);
    if (status != SHELF_OK && status != SHELF_E_OUT_OF_MEMORY)
        fprintf(stderr, "allocation %ld failing: shelf_model_open gave %s\n", fail_at, shelf_status_name(status));
    CHECK(status == SHELF_OK || status == SHELF_E_OUT_OF_MEMORY);
    if (status != SHELF_OK) {
        CHECK(model == NULL);
        short_of_memory = 1;
    } else {
        shelf_session *s = NULL, *t = NULL;
        status = shelf_session_create(model, &s);
        CHECK(status == SHELF_OK || status == SHELF_E_OUT_OF_MEMORY);
        short_of_memory |= status != SHELF_OK;
        if (status == SHELF_OK) {
            for (uint32_t i = 0; i < 6; i++) CHECK_STATUS(shelf_session_track(s, SHELF_EVENT_VIEW, i % N_ITEMS, 1e9 + i, 1.0f), SHELF_OK);
            shelf_request r;
            shelf_request_init(&r);
            r.k = 5;
            r.max_per_category = 1;
            shelf_result out[5];
            size_t n = 0;
            for (int call = 0; call < 3; call++) {
                status = call == 2 ? shelf_related(model, 0, &r, out, 5, &n) : shelf_recommend(s, &r, out, 5, &n);
                CHECK(status == SHELF_OK || status == SHELF_E_OUT_OF_MEMORY);
                short_of_memory |= status != SHELF_OK;
                if (status == SHELF_OK) CHECK(n == 5);
            }
            uint8_t state[SHELF_SESSION_STATE_MAX];
            size_t state_size = 0;
            CHECK_STATUS(shelf_session_save(s, state, sizeof state, &state_size), SHELF_OK);
            status = shelf_session_create(model, &t);
            short_of_memory |= status != SHELF_OK;
            if (status == SHELF_OK) {
                CHECK_STATUS(shelf_session_restore(t, state, state_size), SHELF_OK);
                CHECK(shelf_session_event_count(t) == 6);
            }
        }
        shelf_session_free(t);
        shelf_session_free(s);
        shelf_model_close(model);
    }
    armed = 0;
    countdown = -1;
    if (live != 0) {
        fprintf(stderr, "allocation %ld failing: %ld blocks left allocated\n", fail_at, live);
        CHECK(0 && "nothing leaks");
    }
    return short_of_memory;
}

int main(void) {
    fixture_init();
    size_t size = 0;
    shelf__model_spec spec = fixture_spec(1);
    uint8_t *file = write_spec(&spec, &size);
    if (!file) return 1;
    CHECK(!pass(file, size, -1)); /* nothing fails when nothing is made to */
    long n = 0;
    while (pass(file, size, n) && n < 10000) n++;
    CHECK(n > 5 && n < 10000); /* the calls allocate, and a pass without failures ends it */
    free(file);
    return check_finish("test_alloc_failure");
}
