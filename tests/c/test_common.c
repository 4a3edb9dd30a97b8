/* The common layer: CRC-32 and FNV-1a against published check values and a
 * bit-at-a-time reference, and the deterministic exp against libm. */
#include <math.h>
#include <string.h>

#include "check.h"
#include "det_math.h"
#include "shelf_common.h"

/* The definition of CRC-32, one bit at a time: slow and obviously right. */
static uint32_t crc32_bitwise(const uint8_t *p, size_t n) {
    uint32_t crc = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int bit = 0; bit < 8; bit++) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
    }
    return ~crc;
}

/* Every entry of the constant tables, recomputed from the polynomial. */
static void test_crc32_tables(void) {
    int wrong = 0;
    for (uint32_t i = 0; i < 256; i++) {
        /* Table t maps byte i followed by t zero bytes: the register after them. */
        for (int t = 0; t < 8; t++) {
            uint32_t crc = i;
            for (int n = 0; n <= t; n++) {
                for (int bit = 0; bit < 8; bit++) crc = (crc & 1) ? (crc >> 1) ^ 0xEDB88320u : crc >> 1;
            }
            wrong += shelf__crc32_tables[t][i] != crc;
        }
    }
    CHECK(wrong == 0);
}

int main(void) {
    test_crc32_tables();
    CHECK(shelf__crc32(0, "123456789", 9) == 0xCBF43926u);
    CHECK(shelf__crc32(0, "", 0) == 0);
    uint8_t buffer[1000];
    uint64_t state = 12345;
    for (size_t i = 0; i < sizeof buffer; i++) {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        buffer[i] = (uint8_t)(state >> 56);
    }
    /* Every length and every start offset (alignment) below 24, and split points. */
    for (size_t start = 0; start < 24; start++)
        for (size_t length = 0; start + length <= sizeof buffer; length += (length < 40 ? 1 : 97))
            CHECK(shelf__crc32(0, buffer + start, length) == crc32_bitwise(buffer + start, length));
    for (size_t split = 0; split <= 64; split++)
        CHECK(shelf__crc32(shelf__crc32(0, buffer, split), buffer + split, 64 - split) == crc32_bitwise(buffer, 64));

    CHECK(shelf__fnv1a32("", 0) == 0x811C9DC5u);
    CHECK(shelf__fnv1a32("a", 1) == 0xE40C292Cu);
    CHECK(shelf__fnv1a32("foobar", 6) == 0xBF9CF968u);

    double worst = 0;
    for (double x = 0; x > -700; x -= 0.0371) {
        double relative = fabs(shelf__exp_neg(x) - exp(x)) / exp(x);
        if (relative > worst) worst = relative;
    }
    CHECK(worst < 1e-14);
    CHECK(shelf__exp_neg(0) == 1.0);
    CHECK(shelf__exp_neg(-800) == 0.0);
    CHECK(shelf__exp_neg(5) == 1.0);
    CHECK(shelf__exp_neg(NAN) == 1.0);
    return check_finish("test_common");
}
