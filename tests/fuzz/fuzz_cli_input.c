/* libFuzzer target: what the command line reads of a session. The first byte picks
 * the parser: `shelf recommend --events` JSON, tracked into a session of the test
 * fixture's model (then a recommend), or a line of a `shelf eval` test file (split,
 * then its ids looked up). Either accepts or reports, never faults; a session keeps
 * at most SHELF_SESSION_CAPACITY events. The CLI's messages go to stderr, which
 * tools/fuzz.sh closes for this target (-close_fd_mask=2).
 *
 * Without libFuzzer, -DSHELF_FUZZ_STANDALONE adds a main() that replays files. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#define SHELF_FUZZ_FIXTURE
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    shelf_model *model = fuzz_fixture_model();
    if (size < 1) return 0;
    char *text = malloc(size); /* NUL-terminated copy of the rest */
    if (!text) return 0;
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    if (data[0] & 1) {
        shelf_session *s = NULL;
        REQUIRE(shelf_session_create(model, &s) == SHELF_OK);
        if (cli_track_events(s, model, "fixture", text, size - 1, "--events") == 0) {
            REQUIRE(shelf_session_event_count(s) <= SHELF_SESSION_CAPACITY);
            shelf_request r;
            shelf_request_init(&r);
            shelf_result out[10];
            size_t n = 0;
            REQUIRE(shelf_recommend(s, &r, out, 10, &n) == SHELF_OK && n == 10);
        }
        shelf_session_free(s);
    } else {
        const char *label = cli_case_split(text, size - 1);
        if (label) {
            REQUIRE(*label && !strchr(label, '\t') && !strchr(label, ' ') && strlen(text) > 0);
            uint32_t item;
            (void)shelf_model_find_item(model, label, strlen(label), &item);
            for (char *id = strtok(text, " "); id; id = strtok(NULL, " "))
                (void)shelf_model_find_item(model, id, strlen(id), &item);
        }
    }
    free(text);
    return 0;
}
