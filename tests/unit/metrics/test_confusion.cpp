#include <doctest/doctest.h>

#include <cstdint>
#include <vector>

#include "typenet/metrics/confusion.hpp"

namespace test_confusion {

namespace tn = typenet;

TEST_CASE("confusion_matrix counts (true, predicted) pairs and prints a table") {
  const std::vector<int> truth = {0, 0, 1, 2, 2, 2};
  const std::vector<int> predicted = {0, 1, 1, 2, 0, 2};
  const auto m = tn::confusion_matrix(truth, predicted);
  REQUIRE(m.classes() == 3);
  CHECK(m(0, 0) == 1);
  CHECK(m(0, 1) == 1);
  CHECK(m(1, 1) == 1);
  CHECK(m(2, 0) == 1);
  CHECK(m(2, 2) == 2);
  CHECK(m(1, 0) == 0);
  CHECK(m.total() == 6);
  CHECK(m.correct() == 4);
  CHECK(m.to_string() ==
        "true\\pred   0   1   2\n"
        "        0   1   1   0\n"
        "        1   0   1   0\n"
        "        2   1   0   2\n");
}

TEST_CASE("confusion_matrix: classes beyond the labels seen, and bad input") {
  const std::vector<std::uint8_t> truth = {0, 1}, predicted = {1, 1};
  CHECK(tn::confusion_matrix(truth, predicted, 10).classes() == 10);
  const std::vector<int> short_pred = {1};
  const std::vector<int> t = {0, 1};
  CHECK_THROWS_WITH(tn::confusion_matrix(t, short_pred), "confusion_matrix: y_true has 2 labels but y_pred has 1");
  const std::vector<int> negative = {0, -1};
  CHECK_THROWS_WITH(tn::confusion_matrix(t, negative), "confusion_matrix: negative label at position 1");
}

}  // namespace test_confusion
