/* Math that gives the same bits on every target. libm's exp() differs in its last
 * bit between glibc and the wasm libc, and scores must match natively and in wasm
 * exactly; these use only IEEE double additions and multiplications (and the
 * build forbids fused multiply-adds), so every compiler computes the same value. */
#ifndef SHELF_DET_MATH_H
#define SHELF_DET_MATH_H

/* e^x for x <= 0 (decay factors); 0 below -700. Relative error under 1e-15. */
double shelf__exp_neg(double x);

#endif
