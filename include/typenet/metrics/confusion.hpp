#pragma once
// Confusion matrix: rows are true classes, columns predicted classes (scikit-learn's layout).
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <iomanip>
#include <ostream>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace typenet {

class ConfusionMatrix {
 public:
  explicit ConfusionMatrix(std::size_t classes) : classes_(classes), counts_(classes * classes, 0) {
    if (classes == 0) throw std::invalid_argument("confusion_matrix: number of classes must be > 0");
  }

  std::size_t classes() const { return classes_; }
  std::size_t operator()(std::size_t truth, std::size_t predicted) const { return counts_[truth * classes_ + predicted]; }

  void add(std::size_t truth, std::size_t predicted) {
    if (truth >= classes_ || predicted >= classes_)
      throw std::out_of_range("confusion_matrix: label " + std::to_string(std::max(truth, predicted)) +
                              " is outside [0, " + std::to_string(classes_) + ")");
    ++counts_[truth * classes_ + predicted];
  }

  std::size_t total() const {
    std::size_t n = 0;
    for (auto c : counts_) n += c;
    return n;
  }

  std::size_t correct() const {
    std::size_t n = 0;
    for (std::size_t k = 0; k < classes_; ++k) n += (*this)(k, k);
    return n;
  }

  // A table with a header row of predicted classes and one row per true class.
  std::string to_string() const {
    std::size_t width = 4;
    for (auto c : counts_) width = std::max(width, std::to_string(c).size() + 1);
    std::ostringstream out;
    out << "true\\pred";
    for (std::size_t p = 0; p < classes_; ++p) out << std::setw(static_cast<int>(width)) << p;
    out << '\n';
    for (std::size_t t = 0; t < classes_; ++t) {
      out << std::setw(9) << t;
      for (std::size_t p = 0; p < classes_; ++p) out << std::setw(static_cast<int>(width)) << (*this)(t, p);
      out << '\n';
    }
    return out.str();
  }

  friend std::ostream& operator<<(std::ostream& os, const ConfusionMatrix& m) { return os << m.to_string(); }

 private:
  std::size_t classes_;
  std::vector<std::size_t> counts_;
};

// Class labels in, matrix out. The number of classes is the larger of `classes` and
// 1 + the largest label seen.
template <std::integral Int>
ConfusionMatrix confusion_matrix(std::span<const Int> y_true, std::span<const Int> y_pred, std::size_t classes = 0) {
  if (y_true.size() != y_pred.size())
    throw std::invalid_argument("confusion_matrix: y_true has " + std::to_string(y_true.size()) +
                                " labels but y_pred has " + std::to_string(y_pred.size()));
  for (std::size_t i = 0; i < y_true.size(); ++i) {
    if constexpr (std::is_signed_v<Int>)
      if (y_true[i] < 0 || y_pred[i] < 0)
        throw std::out_of_range("confusion_matrix: negative label at position " + std::to_string(i));
    classes = std::max<std::size_t>(classes, std::max<std::size_t>(y_true[i], y_pred[i]) + 1);
  }
  ConfusionMatrix m(classes);
  for (std::size_t i = 0; i < y_true.size(); ++i) m.add(y_true[i], y_pred[i]);
  return m;
}

template <class Container>
ConfusionMatrix confusion_matrix(const Container& y_true, const Container& y_pred, std::size_t classes = 0) {
  using T = std::remove_cvref_t<decltype(*std::data(y_true))>;
  return confusion_matrix(std::span<const T>(std::data(y_true), std::size(y_true)),
                          std::span<const T>(std::data(y_pred), std::size(y_pred)), classes);
}

}  // namespace typenet
