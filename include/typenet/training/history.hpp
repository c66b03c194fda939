#pragma once
// What `fit` returns: every metric per epoch, in the order Keras's `history.history` has them
// ("loss", "accuracy", then "val_loss", "val_accuracy").
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/io/file_path.hpp"

namespace typenet {

// Its functions are compiled once, in libtypenet (history-inl.hpp), as the rest of the epoch's
// bookkeeping is: a History is read and appended to once per epoch, never in a batch's loop.
class History {
 public:
  void append(std::string_view metric, double value);

  bool contains(std::string_view metric) const;

  // std::out_of_range for a metric it does not have.
  const std::vector<double>& operator[](std::string_view metric) const;

  std::vector<std::string> metrics() const;

  std::size_t epochs() const;

  // {"loss": [..], "accuracy": [..], ...}; numbers in shortest round-trip form.
  std::string to_json() const;

  // One row per epoch: epoch,loss,accuracy,... (epochs counted from 1).
  std::string to_csv() const;

  // Written atomically (io/atomic_file.hpp): a reader never sees half a file.
  void write_json(const FilePath& path) const;
  void write_csv(const FilePath& path) const;

 private:
  static std::string format(double v);

  const std::vector<double>* find(std::string_view metric) const;
  std::vector<double>& series(std::string_view metric);

  std::vector<std::pair<std::string, std::vector<double>>> series_;
};

}  // namespace typenet

#ifdef TYPENET_HEADER_ONLY
#include "typenet/training/history-inl.hpp"
#endif
