// The definitions CAF's test engine needs (argc/argv for the DSL's config
// parsing), without CAF's main: doctest owns main.
#define CAF_TEST_NO_MAIN
#include <caf/test/unit_test_impl.hpp>
