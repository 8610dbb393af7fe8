/*
 * test_btyd.h - helpers shared by the btyd maths tests.
 */
#ifndef TEST_BTYD_H
#define TEST_BTYD_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>

#include <cmocka.h>

#include "btyd.h"

/* cmocka's assert_float_equal goes through float: not enough digits. */
#define assert_near(got, want, eps)                                          \
  do {                                                                       \
    double g_ = (got), w_ = (want), e_ = (eps);                             \
    if(!(fabs(g_ - w_) <= e_))                                               \
      fail_msg("%s = %.12g, want %.12g +- %g", #got, g_, w_, e_);            \
  } while(0)

/* Relative: |got - want| <= rel |want|. */
#define assert_rel(got, want, rel)                                           \
  do {                                                                       \
    double g_ = (got), w_ = (want), r_ = (rel);                             \
    if(!(fabs(g_ - w_) <= r_ * fabs(w_)))                                    \
      fail_msg("%s = %.17g, want %.17g (rel %g, off %.3g)", #got, g_, w_,    \
               r_, fabs(g_ - w_) / fabs(w_));                                \
  } while(0)

#endif
