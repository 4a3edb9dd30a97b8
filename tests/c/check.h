/* A minimal test harness: CHECK() records a failure with file and line and goes on;
 * a test program returns check_finish(). */
#ifndef SHELF_CHECK_H
#define SHELF_CHECK_H

#include <stdio.h>
#include <stdlib.h>

static int check_failures;
static int check_count;

#define CHECK(cond)                                                           \
    do {                                                                      \
        check_count++;                                                        \
        if (!(cond)) {                                                        \
            check_failures++;                                                 \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
        }                                                                     \
    } while (0)

/* Checks a shelf_status and prints both names when it differs. */
#define CHECK_STATUS(expr, expected)                                          \
    do {                                                                      \
        shelf_status check_s_ = (expr);                                       \
        check_count++;                                                        \
        if (check_s_ != (expected)) {                                         \
            check_failures++;                                                 \
            fprintf(stderr, "%s:%d: %s returned %s, expected %s\n", __FILE__, __LINE__, \
                    #expr, shelf_status_name(check_s_), shelf_status_name(expected)); \
        }                                                                     \
    } while (0)

static inline int check_finish(const char *name) {
    fprintf(stderr, "%s: %d checks, %d failed\n", name, check_count, check_failures);
    return check_failures ? 1 : 0;
}

/* The real data folder: SHELF_DATA_DIR from the environment, else the CMake cache
 * variable of the same name, compiled in (emscripten's getenv cannot see Node's). */
static inline const char *check_data_dir(void) {
    const char *d = getenv("SHELF_DATA_DIR");
    return d ? d : SHELF_TEST_DATA_DIR;
}
static inline const char *check_tmp_dir(void) {
    const char *d = getenv("SHELF_TEST_TMP");
    return d ? d : "/tmp";
}

#endif
