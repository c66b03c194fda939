#pragma once
// The loss and accuracy curves of a History as a PNG, like the two matplotlib panels of the lab.
#include "typenet/plot/page.hpp"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "typenet/training/history.hpp"

namespace typenet::plot {

// Two panels side by side, like matplotlib's figsize=(12, 4.6) at 100 dpi.
inline constexpr FigureSize history_size{1200, 460};

namespace detail {

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

}  // namespace typenet::plot
