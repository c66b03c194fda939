#pragma once
// A confusion matrix as a PNG heat map, like scikit-learn's ConfusionMatrixDisplay.
#include "typenet/metrics/confusion.hpp"

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "typenet/plot/page.hpp"

namespace typenet::plot {

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

// A heat map of `m` (rows: true class, columns: predicted class) shaded white to blue by count,
// with the count in each cell, like scikit-learn's ConfusionMatrixDisplay. The image is
// confusion_size(m.classes()). Throws std::runtime_error naming `png` if it cannot be written.
inline void confusion(const ConfusionMatrix& m, const std::filesystem::path& png, std::string_view title) {
  const std::string heading = detail::literal_text(title);
  detail::write_png(png, confusion_size(m.classes()), "confusion",
                    [&](const detail::Page& page) { detail::draw_confusion(page, m, heading); });
}

}  // namespace typenet::plot
