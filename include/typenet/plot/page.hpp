#pragma once
// One PLplot PNG page and the axes drawn on it: what every typenet figure shares (history.hpp,
// confusion.hpp, plot_roc.hpp), in the look Keras users know from matplotlib (white background,
// black axes, blue "train" and orange "validation" curves). Programs that include a plot header
// link the CMake target `typenet_plot`.
#include "typenet/io/atomic_file.hpp"

#include <plplot/plplot.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace typenet::plot {

struct FigureSize {
  int width_px;
  int height_px;
};

namespace detail {

// ---- One PLplot page --------------------------------------------------------------------------

// Colour map 0; entry 0 is the page background in PLplot.
enum Pen : PLINT { paper = 0, ink = 1, train_blue = 2, validation_orange = 3, grid_grey = 4, frame_grey = 5, hint_grey = 6 };

inline void use_matplotlib_palette() {
  // matplotlib's "tab:blue" and "tab:orange", the first two colours of its default cycle.
  const std::array<PLINT, 7> r{255, 0, 31, 255, 232, 204, 150};
  const std::array<PLINT, 7> g{255, 0, 119, 127, 232, 204, 150};
  const std::array<PLINT, 7> b{255, 0, 180, 14, 232, 204, 150};
  plscmap0(r.data(), g.data(), b.data(), static_cast<PLINT>(r.size()));
}

// A ramp like matplotlib's "Blues", which scikit-learn uses for confusion matrices.
inline void use_blues_ramp() {
  const std::array<PLFLT, 3> position{0.0, 0.5, 1.0};
  const std::array<PLFLT, 3> r{247 / 255.0, 107 / 255.0, 8 / 255.0};
  const std::array<PLFLT, 3> g{251 / 255.0, 174 / 255.0, 48 / 255.0};
  const std::array<PLFLT, 3> b{255 / 255.0, 214 / 255.0, 107 / 255.0};
  plscmap1n(256);
  plscmap1l(true, static_cast<PLINT>(position.size()), position.data(), r.data(), g.data(), b.data(), nullptr);
}

struct PlplotFatalError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// PLplot answers a fatal error with exit(); a figure that cannot be drawn must not end a training
// run, so the exit handler throws instead (Debian builds PLplot's C code with unwind tables).
inline int throw_instead_of_exit(const char* message) { throw PlplotFatalError(message ? message : "fatal error"); }

// Without its driver PLplot would prompt on stdin for another device, so look before asking.
inline bool pngcairo_available() {
  static const bool available = [] {
    std::array<const char*, 128> menu{}, names{};
    const char** menu_ptr = menu.data();
    const char** names_ptr = names.data();
    int count = static_cast<int>(names.size());
    plgDevs(&menu_ptr, &names_ptr, &count);
    for (int i = 0; i < count; ++i)
      if (names_ptr[i] && std::string_view(names_ptr[i]) == "pngcairo") return true;
    return false;
  }();
  return available;
}

// PLplot has one current stream and one exit handler per process: draw one figure at a time.
inline std::mutex& plplot_mutex() {
  static std::mutex mutex;
  return mutex;
}

// A PNG page on a stream of its own, so the caller's current stream (if any) is left alone and the
// stream is always ended: figures can be drawn any number of times in one process.
class Page {
 public:
  Page(const std::filesystem::path& file, FigureSize size) {
    plgstrm(&previous_stream_);
    plmkstrm(&stream_);
    if (stream_ < 0) {
      plsstrm(previous_stream_);
      throw std::runtime_error("PLplot has no free stream");
    }
    // Recoverable errors (plabort) are recorded here instead of being printed on stderr.
    plsError(&error_code_, error_message_);
    plsexit(throw_instead_of_exit);
    try {
      plsdev("pngcairo");
      plsfnam(file.c_str());
      plspage(0, 0, size.width_px, size.height_px, 0, 0);
      use_matplotlib_palette();
      use_blues_ramp();
      plinit();
      throw_if_failed("plinit");
      pladv(0);
      PLFLT x0, x1, y0, y1;
      plgspa(&x0, &x1, &y0, &y1);
      px_per_mm_ = size.width_px / (x1 - x0);
      set_text_px(body_text_px);
    } catch (...) {
      abandon();
      throw;
    }
  }

  Page(const Page&) = delete;
  Page& operator=(const Page&) = delete;
  ~Page() { abandon(); }

  // Ends the stream, which is when the cairo driver encodes and writes the PNG.
  void finish() {
    throw_if_failed("drawing");
    ended_ = true;
    plend1();
    restore();
    throw_if_failed("plend1");
  }

  static constexpr double body_text_px = 14.0;   // matplotlib's 10 pt at 100 dpi
  static constexpr double title_text_px = 17.0;  // matplotlib's "large"

  // Text height in pixels (PLplot measures it in mm of its page).
  void set_text_px(double px) const {
    PLFLT default_mm, current_mm;
    plgchr(&default_mm, &current_mm);
    plschr(0, px / px_per_mm_ / default_mm);
  }

 private:
  void throw_if_failed(const char* stage) const {
    if (error_code_ != 0) throw std::runtime_error(std::string("PLplot failed in ") + stage + ": " + error_message_);
  }

  void abandon() noexcept {
    if (!ended_) {
      ended_ = true;
      try {
        plend1();
      } catch (...) {
        // PLplot gave up while cleaning up after an earlier failure; that failure is what matters.
      }
    }
    restore();
  }

  void restore() noexcept {
    if (restored_) return;
    restored_ = true;
    plsexit(nullptr);
    plsstrm(previous_stream_);
  }

  PLINT previous_stream_ = 0;
  PLINT stream_ = -1;
  PLINT error_code_ = 0;
  char error_message_[1024] = {};
  double px_per_mm_ = 72 / 25.4;
  bool ended_ = false;
  bool restored_ = false;
};

// Draws into a temporary file next to `png` and renames it over `png` once PLplot is done, so a
// reader never sees half a picture. Every failure comes out as one runtime_error naming `png`.
template <class Draw>
void write_png(const std::filesystem::path& png, FigureSize size, const char* figure, Draw&& draw) {
  try {
    std::lock_guard lock(plplot_mutex());
    if (!pngcairo_available())
      throw std::runtime_error("PLplot's pngcairo device is missing (install plplot-driver-cairo)");
    io::replace_atomically(png, [&](const std::filesystem::path& temp) {
      // PLplot retries a file it cannot open and then exits the process; find out first.
      if (std::FILE* probe = std::fopen(temp.c_str(), "wb"))
        std::fclose(probe);
      else
        throw io::detail::os_error("cannot create", temp);
      Page page(temp, size);
      draw(page);
      page.finish();
      std::error_code ec;
      const auto bytes = std::filesystem::file_size(temp, ec);
      if (ec || bytes == 0) throw std::runtime_error("PLplot wrote no PNG data");
    });
  } catch (const std::exception& e) {
    throw std::runtime_error(std::string("typenet::plot::") + figure + ": cannot write '" + png.string() +
                             "': " + e.what());
  }
}

// PLplot reads '#' as the start of an escape sequence ("#u" superscript, ...); "##" is a literal '#'.
inline std::string literal_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    out += c;
    if (c == '#') out += '#';
  }
  return out;
}

// ---- Axes -------------------------------------------------------------------------------------

struct Range {
  double low, high;
};

// 1, 2 or 5 times a power of ten, giving at most `max_ticks` ticks over `span`.
inline double nice_step(double span, double max_ticks) {
  if (!(span > 0) || !(max_ticks > 0)) return 1.0;
  const double raw = span / max_ticks;
  const double power = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0})
    if (m * power >= raw * (1 - 1e-9)) return m * power;
  return 10.0 * power;
}

// The finite values' span with matplotlib's 5% margins; a flat series still gets some height.
inline Range padded_range(std::span<const std::vector<double>* const> series) {
  double low = INFINITY, high = -INFINITY;
  for (const auto* values : series)
    for (double v : *values)
      if (std::isfinite(v)) low = std::min(low, v), high = std::max(high, v);
  if (!(low <= high)) return {0.0, 1.0};
  double pad = 0.05 * (high - low);
  if (pad == 0) pad = std::max(0.05 * std::abs(low), 0.05);
  return {low - pad, high + pad};
}

// Tick labels are written here rather than by PLplot, whose automatic labels switch to a detached
// "(x10^-5)" factor, and whose width we could not know when placing the axis title next to them.
struct TickLabels {
  double step;
  int decimals;     // fixed notation with this many decimals...
  bool scientific;  // ...or %.2g for very small or very large values

  static TickLabels for_axis(Range r, double step) {
    const double magnitude = std::max(std::abs(r.low), std::abs(r.high));
    if (step < 1e-4 || magnitude >= 1e6) return {step, 0, true};
    return {step, std::max(0, static_cast<int>(-std::floor(std::log10(step) + 1e-9))), false};
  }

  // Integer labels only: ticks every `step` >= 1 classes or epochs.
  static TickLabels integers(double step) { return {std::max(1.0, std::round(step)), 0, false}; }

  std::string text(double value) const {
    // Ticks are multiples of the step; snapping removes "-0.00" and 0.30000000000000004.
    const double snapped = std::round(value / step) * step;
    char buf[32];
    if (!scientific) {
      std::snprintf(buf, sizeof buf, "%.*f", decimals, snapped == 0 ? 0.0 : snapped);
      return buf;
    }
    std::snprintf(buf, sizeof buf, "%.2g", snapped);
    std::string text = buf;  // "2.5e-05" -> "2.5e-5", "1e+06" -> "1e6"
    if (const auto e = text.find('e'); e != std::string::npos) {
      std::string exponent = text.substr(e + 1);
      const bool negative = exponent[0] == '-';
      exponent.erase(0, exponent.find_first_not_of("+-0"));
      text = text.substr(0, e + 1) + (negative ? "-" : "") + (exponent.empty() ? "0" : exponent);
    }
    return text;
  }

  std::size_t widest(Range r) const {
    std::size_t chars = 1;
    for (double v = std::ceil(std::min(r.low, r.high) / step) * step; v <= std::max(r.low, r.high); v += step)
      chars = std::max(chars, text(v).size());
    return chars;
  }

  // PLplot's label callback ("o" in plbox options).
  static void draw(PLINT, PLFLT value, char* label, PLINT length, PLPointer self) {
    const auto& labels = *static_cast<const TickLabels*>(self);
    const std::string s = labels.text(value);
    std::snprintf(label, static_cast<std::size_t>(length), "%s", s.c_str());
  }
};

// Space, in character heights, between an axis and its title so that the title clears tick labels
// of `chars` characters (ticks point outwards, as in matplotlib).
inline double title_offset(std::size_t chars) { return 2.4 + 0.62 * static_cast<double>(chars); }

// matplotlib's axes: a closed frame, outward ticks ("i") and labels on the bottom and left only.
inline void draw_axes(const TickLabels& x, const TickLabels& y) {
  plcol0(ink);
  plwidth(1.0);
  plbox("bc", 0, 0, "bc", 0, 0);
  plslabelfunc(TickLabels::draw, const_cast<TickLabels*>(&x));
  plbox("bnoti", x.step, 0, "", 0, 0);
  plslabelfunc(TickLabels::draw, const_cast<TickLabels*>(&y));
  plbox("", 0, 0, "bnotiv", y.step, 0);
  plslabelfunc(nullptr, nullptr);
}

struct Viewport {
  double x0, x1, y0, y1;  // fractions of the page
};

}  // namespace detail

}  // namespace typenet::plot
