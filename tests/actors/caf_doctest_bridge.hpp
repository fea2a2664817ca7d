#pragma once
// Makes CAF's test DSL (expect / allow / disallow / inject) report through
// doctest. CAF's own check macros go to caf::test::engine, which is null
// under doctest (a bare dsl.hpp crashes); they are redefined as doctest
// macros before dsl.hpp is included. Exactly one file of the test binary
// (caf_test_main.cpp) includes unit_test_impl.hpp with CAF_TEST_NO_MAIN.

#include <doctest/doctest.h>

#include <caf/test/unit_test.hpp>

#include <sstream>

#undef CAF_CHECK
#undef CAF_CHECK_EQUAL
#undef CAF_REQUIRE
#undef CAF_REQUIRE_EQUAL
#undef CAF_FAIL
#undef CAF_MESSAGE

#define CAF_CHECK(...) CHECK(__VA_ARGS__)
#define CAF_CHECK_EQUAL(x, y) CHECK_EQ(x, y)
#define CAF_REQUIRE(...) REQUIRE(__VA_ARGS__)
#define CAF_REQUIRE_EQUAL(x, y) REQUIRE_EQ(x, y)
// CAF passes stream expressions: CAF_FAIL("found: " << x).
#define CAF_FAIL(msg)                                                          \
  do {                                                                         \
    std::ostringstream caf_fail_stream;                                        \
    caf_fail_stream << msg;                                                    \
    FAIL(caf_fail_stream.str());                                               \
  } while (false)
#define CAF_MESSAGE(msg)                                                       \
  do {                                                                         \
  } while (false)

#include <caf/test/dsl.hpp>
