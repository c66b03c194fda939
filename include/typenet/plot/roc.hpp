#pragma once
// ROC curves as a PNG, in the look of plot.hpp (and of scikit-learn's RocCurveDisplay): false
// positive rate across, true positive rate up, the chance diagonal dashed, one curve per data set.
#include "typenet/plot.hpp"

#include <string>
#include <string_view>
#include <vector>

#include "typenet/metrics/roc.hpp"

namespace typenet::plot {

struct RocSeries {
  std::string label;  // e.g. "validation (AUC 0.962)"
  metrics::RocCurve curve;
};

inline constexpr FigureSize roc_size{620, 600};

// Throws std::runtime_error naming `png` if it cannot be written.
inline void roc(const std::vector<RocSeries>& series, const std::filesystem::path& png, std::string_view title) {
  const std::string heading = detail::literal_text(title);
  std::vector<std::string> labels;
  for (const auto& s : series) labels.push_back(detail::literal_text(s.label));
  detail::write_png(png, roc_size, "roc", [&](const detail::Page& page) {
    const detail::Range axis{-0.02, 1.02};
    const auto ticks = detail::TickLabels::for_axis(axis, 0.2);
    const double left = (detail::title_offset(3) + 1.5) * detail::Page::body_text_px / roc_size.width_px;
    plvpor(left, 0.95, 0.12, 0.90);
    plwind(axis.low, axis.high, axis.low, axis.high);
    plcol0(detail::grid_grey);
    plwidth(1.0);
    plbox("g", 0.2, 0, "g", 0.2, 0);

    PLFLT diagonal[] = {0.0, 1.0};
    plcol0(detail::hint_grey);
    pllsty(2);  // dashed
    plline(2, diagonal, diagonal);
    pllsty(1);

    const detail::Pen pens[] = {detail::validation_orange, detail::train_blue, detail::ink};
    for (std::size_t i = 0; i < series.size(); ++i) {
      const auto& c = series[i].curve;
      plcol0(pens[i % 3]);
      plwidth(2.0);
      plline(static_cast<PLINT>(c.fpr.size()), const_cast<PLFLT*>(c.fpr.data()), const_cast<PLFLT*>(c.tpr.data()));
    }
    detail::draw_axes(ticks, ticks);
    plcol0(detail::ink);
    plmtex("b", detail::title_offset(1) + 0.4, 0.5, 0.5, "false positive rate (1 - specificity)");
    plmtex("l", detail::title_offset(3), 0.5, 0.5, "true positive rate (sensitivity)");
    page.set_text_px(detail::Page::title_text_px);
    plmtex("t", 1.0, 0.5, 0.5, heading.c_str());
    page.set_text_px(detail::Page::body_text_px);

    // Legend in the lower right, where a useful ROC curve leaves room.
    const std::size_t n = series.size();
    if (n == 0) return;
    std::vector<PLINT> options(n, PL_LEGEND_LINE), text_colours(n, detail::ink), line_styles(n, 1), colours;
    std::vector<PLFLT> line_widths(n, 2.0);
    std::vector<const char*> texts;
    for (std::size_t i = 0; i < n; ++i) colours.push_back(pens[i % 3]), texts.push_back(labels[i].c_str());
    PLFLT width, height;
    pllegend(&width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
             PL_POSITION_RIGHT | PL_POSITION_BOTTOM | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT, 0.03, 0.03, 0.08,
             detail::paper, detail::frame_grey, 1, 0, 0, static_cast<PLINT>(n), options.data(), 0.6, 0.85, 2.0, 0.0,
             text_colours.data(), texts.data(), nullptr, nullptr, nullptr, nullptr, colours.data(), line_styles.data(),
             line_widths.data(), nullptr, nullptr, nullptr, nullptr);
  });
}

}  // namespace typenet::plot
