// The one translation unit that provides the test runner's main.
#define CAF_TEST_NO_MAIN
#define FAIL CAF_FAIL
#include <caf/test/unit_test_impl.hpp>

int main(int argc, char** argv) {
  return caf::test::main(argc, argv);
}
