/* What the libFuzzer targets share: a promise that traps when broken, the test
 * fixture's model opened once (for the targets that need a model), and, without
 * libFuzzer (-DSHELF_FUZZ_STANDALONE), a main() that replays the files it is given,
 * to reproduce a crash with any compiler. */
#ifndef SHELF_FUZZ_COMMON_H
#define SHELF_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define REQUIRE(cond) \
    do {              \
        if (!(cond)) __builtin_trap(); \
    } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef SHELF_FUZZ_FIXTURE
#include "check.h"
#include "model_fixture.h"
/* The fixture of the C tests (37 items, every section), opened on first use. */
static inline shelf_model *fuzz_fixture_model(void) {
    static shelf_model *model;
    if (!model) {
        fixture_init();
        size_t size = 0;
        shelf__model_spec spec = fixture_spec(1);
        uint8_t *file = write_spec(&spec, &size); /* kept: the model borrows it */
        REQUIRE(file && shelf_model_open(file, size, &model) == SHELF_OK);
    }
    return model;
}
#endif

#ifdef SHELF_FUZZ_STANDALONE
int main(int argc, char **argv) {
    static uint8_t buffer[1 << 20];
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            fprintf(stderr, "%s: cannot open\n", argv[i]);
            return 1;
        }
        size_t got = fread(buffer, 1, sizeof buffer, f);
        fclose(f);
        LLVMFuzzerTestOneInput(buffer, got);
        fprintf(stderr, "%s: ok\n", argv[i]);
    }
    return 0;
}
#endif

#endif
