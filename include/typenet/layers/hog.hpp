#pragma once
// Hog<orientations, pixels_per_cell, cells_per_block = 1, block_norm = L2Hys>: HOG features of a
// grayscale image (Shape<rows, cols> or Shape<rows, cols, 1>) as a parameter-free layer, computed
// exactly as typenet::features::hog (and scikit-image) computes them. The output is flat, so a
// Dense can follow directly; its size is computed at compile time:
//
//   tn::Sequential<tn::Input<28, 28, 1>, tn::Hog<8, 4>, tn::Dense<64, tn::ReLU>, ...>   // 392 features
//
// The layer is `precomputable` (no parameters, the same in training and inference), so when it
// leads a network Model::fit computes its features once per data set instead of every epoch;
// predict and evaluate on raw images run it like any layer.
#include "typenet/features/hog_kernel.hpp"

#include <cstddef>
#include <string_view>

#include "typenet/detail/parallel.hpp"
#include "typenet/layers/layer.hpp"

namespace typenet {

template <std::size_t Orientations, std::size_t PixelsPerCell, std::size_t CellsPerBlock = 1,
          features::BlockNorm Norm = features::L2Hys>
struct Hog {
  template <class In>
  static constexpr bool grayscale = In::rank == 2 || (In::rank == 3 && In::dims[2] == 1);

  template <class In>
  static constexpr features::HogGeometry geometry_of() {
    if constexpr (grayscale<In>)
      return {In::dims[0], In::dims[1], Orientations, PixelsPerCell, CellsPerBlock};
    else
      return {};
  }

  // One message per misfit; the image's shape is the In of at_layer<Index, In> in g++'s context
  // line. (Each condition is named so that g++ prints no "evaluates to false" note under it.)
  template <std::size_t LayerIndex, class In>
  struct at_layer {
    static constexpr bool is_grayscale = grayscale<In>;
    static constexpr bool has_orientations = !is_grayscale || Orientations > 0;
    static constexpr bool has_cell_sizes = !is_grayscale || Orientations == 0 || (PixelsPerCell > 0 && CellsPerBlock > 0);
    static constexpr bool cells_fit = !is_grayscale || Orientations == 0 || PixelsPerCell == 0 || CellsPerBlock == 0 ||
                                      geometry_of<In>().valid();
    static_assert(is_grayscale, "typenet::Hog needs one grayscale image per sample: Shape<rows, cols> or Shape<rows, cols, 1>");
    static_assert(has_orientations, "typenet::Hog needs at least one orientation");
    static_assert(has_cell_sizes, "typenet::Hog: pixels_per_cell and cells_per_block must be at least 1");
    static_assert(cells_fit, "typenet::Hog: the cells do not fit the image: one block (pixels_per_cell * cells_per_block pixels a side) is larger than the image");
  };

  template <class In>
  struct bind : detail::ParameterFree {
    using layer = Hog;
    using input_shape = In;
    static constexpr features::HogGeometry geometry = geometry_of<In>();
    static constexpr bool fits = grayscale<In> && geometry.valid();
    using output_shape = Shape<fits ? geometry.feature_count() : 1>;
    // The cell histograms of each sample, which backward reads.
    static constexpr std::size_t scratch_per_sample = geometry.histogram_size();
    static constexpr bool precomputable = true;
    static constexpr std::string_view keras_class = "Hog";
    static constexpr std::string_view keras_name = "hog";

    // Not a Keras layer: described with scikit-image's hog() arguments.
    static LayerConfig config() {
      return {"Hog",
              {{"orientations", Orientations},
               {"pixels_per_cell", {PixelsPerCell, PixelsPerCell}},
               {"cells_per_block", {CellsPerBlock, CellsPerBlock}},
               {"block_norm", features::name_of(Norm)}}};
    }

    static void forward(const ForwardPass& p) {
      detail::parallel_for(p.batch, 16, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
          features::detail::hog_forward(p.in + i * In::size, geometry, Norm, p.scratch + i * scratch_per_sample,
                                        p.out + i * output_shape::size);
      });
    }

    // Only needed when a trainable layer comes before: then each pixel's bin is held fixed.
    static void backward(const BackwardPass& p) {
      if (!p.din) return;
      detail::parallel_for(p.batch, 16, [&](std::size_t begin, std::size_t end) {
        for (std::size_t i = begin; i < end; ++i)
          features::detail::hog_backward(p.in + i * In::size, geometry, Norm, p.scratch + i * scratch_per_sample,
                                         p.dout + i * output_shape::size, p.din + i * In::size);
      });
    }
  };
};

}  // namespace typenet
