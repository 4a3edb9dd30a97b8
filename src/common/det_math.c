#include "det_math.h"

double shelf__exp_neg(double x) {
    if (!(x <= 0.0)) return 1.0; /* also catches NaN */
    if (x < -700.0) return 0.0;
    /* e^x = 2^k * e^r with r = x - k ln2 in [-ln2/2, ln2/2]. ln2 is split in two
     * parts so that k*ln2_hi is exact for |k| < 2^11. */
    const double ln2_hi = 6.93147180369123816490e-01, ln2_lo = 1.90821492927058770002e-10;
    const double inv_ln2 = 1.44269504088896338700e+00;
    double kf = x * inv_ln2;
    int k = (int)(kf - 0.5); /* round to nearest for negative kf */
    double r = (x - k * ln2_hi) - k * ln2_lo;
    /* Taylor series to r^13: |r| < 0.35, so the remainder is below 1e-17. */
    double term = 1.0, sum = 1.0;
    for (int i = 1; i <= 13; i++) {
        term = term * r / i;
        sum = sum + term;
    }
    /* Scale by 2^k with exact multiplications (k >= -1010 here). */
    while (k < -60) { sum *= 0x1p-60; k += 60; }
    double scale = 1.0;
    for (int i = 0; i < -k; i++) scale *= 0.5;
    return sum * scale;
}
