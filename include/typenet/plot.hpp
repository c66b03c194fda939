#pragma once
// PNG figures of a training run: the loss/accuracy curves of a History and the heat map of a
// confusion matrix, drawn with PLplot's cairo PNG device in the look Keras users know from
// matplotlib (white background, black axes, blue "train" and orange "validation" curves).
// Programs that include this header link the CMake target `typenet_plot`.
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

#include "typenet/confusion.hpp"
#include "typenet/history.hpp"
#include "typenet/io/atomic_file.hpp"

namespace typenet::plot {

struct FigureSize {
  int width_px;
  int height_px;
};

// Two panels side by side, like matplotlib's figsize=(12, 4.6) at 100 dpi.
inline constexpr FigureSize history_size{1200, 460};

namespace detail {
// The matrix's side: cells grow with the number of classes until the figure reaches ~1200 px, then
// shrink (and the counts are left out once they would be too small to read).
inline int confusion_matrix_px(std::size_t classes) {
  return static_cast<int>(std::clamp<std::size_t>(classes * 40, 480, 960));
}
// Around the matrix: tick labels and axis title on the left and below, title above, colour bar right.
inline constexpr int confusion_left_px = 90, confusion_right_px = 160, confusion_bottom_px = 80, confusion_top_px = 60;
}  // namespace detail

inline FigureSize confusion_size(std::size_t classes) {
  const int matrix_px = detail::confusion_matrix_px(classes);
  return {detail::confusion_left_px + matrix_px + detail::confusion_right_px,
          detail::confusion_bottom_px + matrix_px + detail::confusion_top_px};
}

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

// ---- History ------------------------------------------------------------------------------------

struct Curve {
  const char* label;
  const std::vector<double>* values;  // one per epoch, epoch 1 first
  Pen pen;
};

inline std::vector<Curve> curves_of(const History& h, const char* train, const char* validation) {
  std::vector<Curve> curves;
  if (h.contains(train)) curves.push_back({"train", &h[train], train_blue});
  if (h.contains(validation)) curves.push_back({"validation", &h[validation], validation_orange});
  return curves;
}

// How many samples along the curves fall inside a box given in fractions of the axes.
inline int samples_inside(std::span<const Curve> curves, Range x, Range y, double x0, double x1, double y0, double y1) {
  auto fraction = [](double v, Range r) { return (v - r.low) / (r.high - r.low); };
  int hits = 0;
  for (const auto& curve : curves) {
    const auto& v = *curve.values;
    for (std::size_t i = 0; i < v.size(); ++i) {
      if (!std::isfinite(v[i])) continue;
      const bool joined = i + 1 < v.size() && std::isfinite(v[i + 1]);
      const int samples = joined ? 24 : 1;
      for (int s = 0; s < samples; ++s) {
        const double t = static_cast<double>(s) / samples;
        const double fx = fraction(static_cast<double>(i + 1) + t, x);
        const double fy = fraction(joined ? v[i] + t * (v[i + 1] - v[i]) : v[i], y);
        if (fx >= x0 && fx <= x1 && fy >= y0 && fy <= y1) ++hits;
      }
    }
  }
  return hits;
}

// Gap between the legend and the frame, in fractions of the axes.
inline constexpr double legend_inset = 0.03;

// matplotlib's loc="best": the corner where the legend box (plus some clearance) covers the fewest
// samples of the curves; ties go to upper right, upper left, lower left, lower right in that order.
inline PLINT best_legend_corner(std::span<const Curve> curves, Range x, Range y, double width, double height) {
  struct Corner {
    PLINT position;
    double x0, y0;
  };
  const std::array<Corner, 4> corners{{
      {PL_POSITION_TOP | PL_POSITION_RIGHT, 1 - legend_inset - width, 1 - legend_inset - height},
      {PL_POSITION_TOP | PL_POSITION_LEFT, legend_inset, 1 - legend_inset - height},
      {PL_POSITION_BOTTOM | PL_POSITION_LEFT, legend_inset, legend_inset},
      {PL_POSITION_BOTTOM | PL_POSITION_RIGHT, 1 - legend_inset - width, legend_inset},
  }};
  const double clearance = 0.03;
  PLINT best = corners[0].position;
  int fewest = -1;
  for (const auto& c : corners) {
    const int hits = samples_inside(curves, x, y, c.x0 - clearance, c.x0 + width + clearance, c.y0 - clearance,
                                    c.y0 + height + clearance);
    if (fewest < 0 || hits < fewest) fewest = hits, best = c.position;
  }
  return best;
}

inline void draw_curve(const std::vector<double>& values) {
  // A non-finite value (a diverged epoch) breaks the line instead of dragging it off the chart.
  std::vector<PLFLT> xs, ys;
  auto flush = [&] {
    if (xs.size() > 1) plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    xs.clear();
    ys.clear();
  };
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) {
      flush();
      continue;
    }
    xs.push_back(static_cast<double>(i + 1));
    ys.push_back(values[i]);
  }
  flush();
}

// Dots on every epoch make a short run readable, above all a single epoch, which has no line.
inline void draw_markers(const std::vector<double>& values, Range x, Range y, double width_px, double height_px) {
  const double radius_px = 3.5;  // plarc wants radii in world units, and x and y scale differently
  const double rx = radius_px * (x.high - x.low) / width_px;
  const double ry = radius_px * (y.high - y.low) / height_px;
  for (std::size_t i = 0; i < values.size(); ++i)
    if (std::isfinite(values[i])) plarc(static_cast<double>(i + 1), values[i], rx, ry, 0, 360, 0, true);
}

inline void draw_legend(std::span<const Curve> curves, Range x, Range y, Viewport vp, bool with_markers) {
  // The box's size is estimated from the text (PLplot only reports it after drawing), so the
  // corner can be chosen before the legend is drawn.
  const double char_px = Page::body_text_px;
  const double line_sample = 0.06;  // fraction of the axes' width
  std::size_t longest = 0;
  for (const auto& c : curves) longest = std::max(longest, std::string_view(c.label).size());
  const double width_px = (vp.x1 - vp.x0) * history_size.width_px;
  const double height_px = (vp.y1 - vp.y0) * history_size.height_px;
  const double box_width = line_sample + char_px * (2.0 + 0.62 * static_cast<double>(longest)) / width_px;
  const double box_height = char_px * (2.0 * static_cast<double>(curves.size()) + 0.4) / height_px;
  const PLINT corner = best_legend_corner(curves, x, y, box_width, box_height);

  const std::size_t n = curves.size();
  std::vector<PLINT> options(n, PL_LEGEND_LINE | (with_markers ? PL_LEGEND_SYMBOL : 0));
  std::vector<PLINT> text_colours(n, ink), line_styles(n, 1), symbol_counts(n, 1), colours;
  std::vector<PLFLT> line_widths(n, 2.0), symbol_scales(n, 0.6);
  std::vector<const char*> labels, symbols(n, "●");
  for (const auto& c : curves) colours.push_back(c.pen), labels.push_back(c.label);

  PLFLT drawn_width, drawn_height;
  plscol0a(paper, 255, 255, 255, 0.8);  // matplotlib's translucent legend face
  pllegend(&drawn_width, &drawn_height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
           corner | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, legend_inset, legend_inset, line_sample, paper,
           frame_grey, 1, 0, 0, static_cast<PLINT>(n), options.data(), 0.6, 0.85, 2.0, 0.0, text_colours.data(),
           labels.data(), nullptr, nullptr, nullptr, nullptr, colours.data(), line_styles.data(), line_widths.data(),
           colours.data(), symbol_scales.data(), symbol_counts.data(), symbols.data());
  plscol0a(paper, 255, 255, 255, 1.0);
}

// One panel in the horizontal band [left, right] of the page; the axes leave room on their left for
// the tick labels and the axis title.
inline void draw_history_panel(double left, double right, const char* metric, std::span<const Curve> curves,
                               std::size_t epochs) {
  std::vector<const std::vector<double>*> series;
  for (const auto& c : curves) series.push_back(c.values);
  const Range y = padded_range(series);
  const double last_epoch = static_cast<double>(std::max<std::size_t>(epochs, 1));
  const double epoch_pad = epochs > 1 ? 0.05 * (last_epoch - 1) : 0.5;
  const Range x{1.0 - epoch_pad, last_epoch + epoch_pad};
  const auto x_labels = TickLabels::integers(nice_step(x.high - x.low, 10));
  const auto y_labels = TickLabels::for_axis(y, nice_step(y.high - y.low, 8));
  const double y_title_offset = title_offset(y_labels.widest(y));
  const double page_width = history_size.width_px;
  const Viewport vp{left + (y_title_offset + 1.0) * Page::body_text_px / page_width, right - 25 / page_width, 0.14,
                    0.80};

  plvpor(vp.x0, vp.x1, vp.y0, vp.y1);
  plwind(x.low, x.high, y.low, y.high);

  plcol0(grid_grey);
  plwidth(1.0);
  plbox("g", x_labels.step, 0, "g", y_labels.step, 0);

  const double width_px = (vp.x1 - vp.x0) * history_size.width_px;
  const double height_px = (vp.y1 - vp.y0) * history_size.height_px;
  const bool with_markers = epochs <= 40;
  for (const auto& c : curves) {
    plcol0(c.pen);
    plwidth(2.0);
    draw_curve(*c.values);
    if (with_markers) draw_markers(*c.values, x, y, width_px, height_px);
  }

  draw_axes(x_labels, y_labels);
  plmtex("b", title_offset(1) + 0.4, 0.5, 0.5, "epoch");
  plmtex("l", y_title_offset, 0.5, 0.5, metric);
  plmtex("t", 1.2, 0.5, 0.5, metric);

  if (curves.empty()) {
    plcol0(hint_grey);
    plmtex("t", -0.5 * (vp.y1 - vp.y0) * history_size.height_px / Page::body_text_px, 0.5, 0.5, "no data");
    return;
  }
  draw_legend(curves, x, y, vp, with_markers);
}

// ---- Confusion matrix ---------------------------------------------------------------------------

inline void draw_confusion(const Page& page, const ConfusionMatrix& m, const std::string& title) {
  const std::size_t n = m.classes();
  const FigureSize size = confusion_size(n);
  std::size_t most = 0;
  for (std::size_t t = 0; t < n; ++t)
    for (std::size_t p = 0; p < n; ++p) most = std::max(most, m(t, p));

  const double matrix_px = confusion_matrix_px(n);
  const double width = size.width_px, height = size.height_px;
  const Viewport vp{confusion_left_px / width, (confusion_left_px + matrix_px) / width, confusion_bottom_px / height,
                    (confusion_bottom_px + matrix_px) / height};
  plvpor(vp.x0, vp.x1, vp.y0, vp.y1);
  const double edge = static_cast<double>(n) - 0.5;
  plwind(-0.5, edge, edge, -0.5);  // row 0 on top, as the matrix is printed

  for (std::size_t t = 0; t < n; ++t) {
    for (std::size_t p = 0; p < n; ++p) {
      const double shade = most ? static_cast<double>(m(t, p)) / static_cast<double>(most) : 0.0;
      const double x = static_cast<double>(p), y = static_cast<double>(t);
      const std::array<PLFLT, 4> xs{x - 0.5, x + 0.5, x + 0.5, x - 0.5};
      const std::array<PLFLT, 4> ys{y - 0.5, y - 0.5, y + 0.5, y + 0.5};
      plcol1(shade);
      plfill(4, xs.data(), ys.data());
    }
  }

  // Counts at most body size, ~0.35 of a cell high and narrower than a cell; left out below 8 px.
  const double cell_px = matrix_px / static_cast<double>(n);
  const double digits = static_cast<double>(std::to_string(most).size());
  const double count_px = std::min({Page::body_text_px, 0.38 * cell_px, 0.8 * cell_px / (0.62 * digits)});
  if (count_px >= 8.0) {
    page.set_text_px(count_px);
    for (std::size_t t = 0; t < n; ++t) {
      for (std::size_t p = 0; p < n; ++p) {
        const double shade = most ? static_cast<double>(m(t, p)) / static_cast<double>(most) : 0.0;
        plcol0(shade > 0.5 ? paper : ink);  // white on the dark half of the ramp, as scikit-learn does
        const std::string count = std::to_string(m(t, p));
        plptex(static_cast<double>(p), static_cast<double>(t), 1, 0, 0.5, count.c_str());
      }
    }
    page.set_text_px(Page::body_text_px);
  }

  const auto class_labels = TickLabels::integers(nice_step(static_cast<double>(n), matrix_px / 40));
  draw_axes(class_labels, class_labels);
  const std::size_t label_chars = std::to_string(n - 1).size();
  plmtex("b", title_offset(1) + 0.4, 0.5, 0.5, "predicted");
  plmtex("l", title_offset(label_chars), 0.5, 0.5, "true");
  page.set_text_px(Page::title_text_px);
  plmtex("t", 1.2, 0.5, 0.5, title.c_str());
  page.set_text_px(Page::body_text_px);

  // The colour bar: the ramp from 0 to the largest count, with integer labels on its right.
  const double top = static_cast<double>(std::max<std::size_t>(most, 1));
  const TickLabels bar_labels = TickLabels::integers(nice_step(top, 6));
  const double matrix_width = vp.x1 - vp.x0;
  const double bar_x0 = vp.x1 + 0.05 * matrix_width;
  plvpor(bar_x0, bar_x0 + 0.045 * matrix_width, vp.y0, vp.y1);
  plwind(0, 1, 0, top);
  // Thin filled strips rather than plgradient, whose cairo pattern PLplot never frees.
  const int strips = 160;
  for (int i = 0; i < strips; ++i) {
    const double y0 = top * i / strips, y1 = top * (i + 1) / strips;
    const std::array<PLFLT, 4> xs{0, 1, 1, 0};
    const std::array<PLFLT, 4> ys{y0, y0, y1, y1};
    plcol1((i + 0.5) / strips);
    plfill(4, xs.data(), ys.data());
  }
  plcol0(ink);
  plbox("bc", 0, 0, "bc", 0, 0);
  plslabelfunc(TickLabels::draw, const_cast<TickLabels*>(&bar_labels));
  plbox("", 0, 0, "cmtivo", bar_labels.step, 0);
  plslabelfunc(nullptr, nullptr);
}

}  // namespace detail

// Two panels side by side: "loss" (train `loss` and validation `val_loss`) and "accuracy"
// (`accuracy` and `val_accuracy`) over epochs 1..E. Series missing from `h` are left out, other
// metrics are ignored. Throws std::runtime_error naming `png` if the file cannot be written.
inline void history(const History& h, const std::filesystem::path& png, std::string_view title) {
  const std::string heading = detail::literal_text(title);
  const auto loss = detail::curves_of(h, "loss", "val_loss");
  const auto accuracy = detail::curves_of(h, "accuracy", "val_accuracy");
  std::size_t epochs = 0;
  for (const auto* curves : {&loss, &accuracy})
    for (const auto& c : *curves) epochs = std::max(epochs, c.values->size());

  detail::write_png(png, history_size, "history", [&](const detail::Page& page) {
    plvpor(0, 1, 0, 1);
    plwind(0, 1, 0, 1);
    plcol0(detail::ink);
    page.set_text_px(detail::Page::title_text_px);
    plptex(0.5, 0.93, 1, 0, 0.5, heading.c_str());
    page.set_text_px(detail::Page::body_text_px);
    detail::draw_history_panel(0.0, 0.5, "loss", loss, epochs);
    detail::draw_history_panel(0.5, 1.0, "accuracy", accuracy, epochs);
  });
}

// A heat map of `m` (rows: true class, columns: predicted class) shaded white to blue by count,
// with the count in each cell, like scikit-learn's ConfusionMatrixDisplay. The image is
// confusion_size(m.classes()). Throws std::runtime_error naming `png` if it cannot be written.
inline void confusion(const ConfusionMatrix& m, const std::filesystem::path& png, std::string_view title) {
  const std::string heading = detail::literal_text(title);
  detail::write_png(png, confusion_size(m.classes()), "confusion",
                    [&](const detail::Page& page) { detail::draw_confusion(page, m, heading); });
}

}  // namespace typenet::plot
