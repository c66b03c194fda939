#pragma once
// Keras 2's training progress bar (keras.utils.Progbar with verbose=1), character for character:
//   469/469 [==============================] - 1s 2ms/step - loss: 0.2813 - accuracy: 0.9187
// On a terminal the line is redrawn in place while the epoch runs:
//   100/469 [=====>........................] - ETA: 3s - loss: 0.3127 - accuracy: 0.9071
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <ostream>
#include <span>
#include <string>
#include <string_view>

#include <unistd.h>

namespace typenet {

struct MetricValue {
  std::string_view name;
  double value;
};

// Whether a progress bar on stdout can be redrawn in place (Keras checks the same: isatty).
inline bool stdout_is_terminal() { return ::isatty(STDOUT_FILENO) == 1; }

namespace detail {

// printf into the end of `out`, reusing its capacity.
template <class... Args>
void append_printf(std::string& out, const char* format, Args... args) {
  char buf[64];
  const int n = std::snprintf(buf, sizeof buf, format, args...);
  if (n > 0) out.append(buf, std::min<std::size_t>(static_cast<std::size_t>(n), sizeof buf - 1));
}

// Keras: "%.4f" unless |value| <= 1e-3, then "%.4e" (so a tiny loss does not print as 0.0000).
inline void append_metric_value(std::string& out, double value) {
  if (std::isnan(value))
    out += "nan";  // what Python prints, whatever the NaN's sign bit
  else
    append_printf(out, std::abs(value) > 1e-3 ? "%.4f" : "%.4e", value);
}

// Keras's time per step: "2s/step", "2ms/step" or "21us/step"; 0 prints as "0s/step".
inline void append_step_time(std::string& out, double seconds_per_step) {
  if (seconds_per_step >= 1 || seconds_per_step == 0)
    append_printf(out, "%.0fs/step", seconds_per_step);
  else if (seconds_per_step >= 1e-3)
    append_printf(out, "%.0fms/step", seconds_per_step * 1e3);
  else
    append_printf(out, "%.0fus/step", seconds_per_step * 1e6);
}

// Keras's ETA: "3s", "1:15" past a minute, "1:02:05" past an hour (always rounded down).
inline void append_eta(std::string& out, double seconds) {
  const auto s = static_cast<long long>(std::max(0.0, seconds));
  if (seconds > 3600)
    append_printf(out, "%lld:%02lld:%02lld", s / 3600, (s % 3600) / 60, s % 60);
  else if (seconds > 60)
    append_printf(out, "%lld:%02lld", s / 60, s % 60);
  else
    append_printf(out, "%llds", s);
}

// Milliseconds on a clock that is cheap to read (the vDSO's coarse monotonic clock, a few ns, no
// system call); its 1-4 ms resolution is plenty to limit redraws to one per 50 ms.
inline std::int64_t coarse_milliseconds() {
#ifdef CLOCK_MONOTONIC_COARSE
  timespec now;
  ::clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
  return static_cast<std::int64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1000000;
#else
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
#endif
}

}  // namespace detail

// One epoch's progress bar. The line is formatted in a buffer owned by the bar, so after the first
// draw a redraw allocates nothing, and an update that does not redraw only reads the coarse clock.
class ProgressBar {
 public:
  // interactive: redraw one line in place with '\r' (a terminal); otherwise print only the final line.
  ProgressBar(std::ostream& out, std::size_t total_steps, bool interactive)
      : out_(out), total_(total_steps), interactive_(interactive), start_(Clock::now()) {
    for (std::size_t t = std::max<std::size_t>(total_steps, 1); t >= 10; t /= 10) ++step_digits_;
    line_.reserve(256);
  }

  // After each step (1-based). When interactive, redraws at most every 50 ms (Keras's interval)
  // and always at the last step.
  void update(std::size_t step, std::span<const MetricValue> metrics) {
    if (step == 1) note_first_step();
    if (!interactive_) return;
    const std::int64_t now_ms = detail::coarse_milliseconds();
    if (drawn_ && step < total_ && now_ms - last_draw_ms_ < redraw_interval_ms) return;
    last_draw_ms_ = now_ms;
    drawn_ = true;
    draw(step, metrics, false);
  }

  // The epoch's final line (with the time taken), ending with '\n'.
  void finish(std::span<const MetricValue> metrics) { draw(total_, metrics, true); }

 private:
  using Clock = std::chrono::steady_clock;
  static constexpr std::int64_t redraw_interval_ms = 50;
  static constexpr std::size_t bar_width = 30;

  void note_first_step() {
    after_first_step_ = Clock::now();
    first_step_seen_ = true;
  }

  // Keras leaves the first step out of the average: it carries one-off setup costs.
  double seconds_per_step(std::size_t current, Clock::time_point now) const {
    if (current == 0) return 0;
    if (first_step_seen_ && current > 1)
      return std::chrono::duration<double>(now - after_first_step_).count() / static_cast<double>(current - 1);
    return std::chrono::duration<double>(now - start_).count() / static_cast<double>(current);
  }

  void draw(std::size_t step, std::span<const MetricValue> metrics, bool final_line) {
    const auto now = Clock::now();
    line_.clear();
    if (interactive_) line_ += '\r';
    const std::size_t line_start = line_.size();

    detail::append_printf(line_, "%*zu/%zu [", step_digits_, step, total_);  // "  9/469"
    const double done = total_ ? static_cast<double>(std::min(step, total_)) / static_cast<double>(total_) : 1.0;
    const auto filled = static_cast<std::size_t>(static_cast<double>(bar_width) * done);
    if (filled > 0) {
      line_.append(filled - 1, '=');
      line_ += step < total_ ? '>' : '=';
    }
    line_.append(bar_width - filled, '.');
    line_ += ']';

    const double per_step = seconds_per_step(step, now);
    if (final_line) {
      detail::append_printf(line_, " - %.0fs ", std::chrono::duration<double>(now - start_).count());
      detail::append_step_time(line_, per_step);
    } else {
      line_ += " - ETA: ";
      detail::append_eta(line_, per_step * static_cast<double>(total_ > step ? total_ - step : 0));
    }
    for (const auto& metric : metrics) {
      line_ += " - ";
      line_ += metric.name;
      line_ += ": ";
      detail::append_metric_value(line_, metric.value);
    }

    // Blank out what is left of a longer previous line.
    const std::size_t width = line_.size() - line_start;
    if (interactive_ && drawn_width_ > width) line_.append(drawn_width_ - width, ' ');
    drawn_width_ = width;
    if (final_line) line_ += '\n';
    out_.write(line_.data(), static_cast<std::streamsize>(line_.size()));
    out_.flush();
  }

  std::ostream& out_;
  std::size_t total_;
  bool interactive_;
  int step_digits_ = 1;  // digits of total_: the step count is right-aligned to it
  Clock::time_point start_;
  Clock::time_point after_first_step_{};
  bool first_step_seen_ = false;
  bool drawn_ = false;
  std::int64_t last_draw_ms_ = 0;
  std::size_t drawn_width_ = 0;
  std::string line_;
};

}  // namespace typenet
