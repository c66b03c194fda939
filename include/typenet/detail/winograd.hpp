#pragma once
// Winograd's F(4x4, 3x3): a 3x3, stride-1 convolution computed on 6x6 input tiles that each give
// a 4x4 block of outputs, with 36 multiplications per tile and channel pair where the direct
// method takes 144 (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks", 2016).
// Used by Conv2D in inference (predict, evaluate), where it is the bulk of a CNN's time: W3's
// second convolution took 4.46 MFLOP per image as im2col + sgemm and takes 1.33 MFLOP of products
// here, plus the transforms. Training keeps im2col, whose columns backward needs.
//
// Four steps, as in the paper:
//   U = G g G^T    each (channel, filter)'s 3x3 kernel to 6x6, once per kernel (cached)
//   V = B^T d B    each 6x6 input tile to 6x6, per channel
//   M = V . U      for each of the 36 positions xi, a GEMM (tiles x channels) * (channels x filters)
//   Y = A^T M A    each tile's 6x6 back to its 4x4 outputs, per filter
// The points are 0, +-1, +-2 and infinity, the usual choice for fp32. The transforms scale values
// by up to 8 and 1/24 before they cancel, so outputs differ from the exact sum by up to about 4e-6
// of the largest output (tests/unit/detail/test_winograd.cpp), against 1e-7 for im2col + sgemm.
// A NaN or infinity reaches all 16 outputs of every tile whose input it lies in, not only the 3x3
// windows it lies in (an infinity as NaN: inf * 0). predict refuses them in the network's input;
// a layer's output overflowing to infinity is another matter, and rare.
//
// Layouts are channels-last as everywhere in typenet: input (b, y, x, c), kernel
// (ky, kx, c, f) as Keras stores it, output (b, y, x, f) without bias (the layer adds bias and
// activation as after im2col), or the 2x2 max pooling after it (transform_output). Tiles run
// over the flattened (image, tile) index, so a slice of images of any size splits into whole
// blocks of the GEMM's kernel. Vectorised over channels in
// the transforms and over filters in the GEMM, with GCC vector types (float_vector.hpp).
//
// Like im2col, the loops take the geometry at run time and are compiled once per translation
// unit. Their buffers are thread-local and grow once: predict's workers each run their own
// slice of the batch through here.
#include <algorithm>
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <vector>

#include "typenet/config.hpp"
#include "typenet/detail/float_vector.hpp"
#include "typenet/detail/max_pool_rule.hpp"
#include "typenet/detail/parallel.hpp"
#include "typenet/layers/spatial.hpp"

namespace typenet::detail {

namespace winograd {

inline constexpr std::size_t tile = 6, out_tile = 4, positions = tile * tile;
// The GEMM's register block: block_rows<Vectors> tiles by Vectors vectors of filters in
// `accumulators` registers, 24 of AVX-512's 32 (6 x 4, 12 x 2 or 24 x 1), 12 of AVX2's 16 (3 x 4,
// 6 x 2, 12 x 1). SSE's 16 registers take AVX2's blocks, and spill a little.
inline constexpr std::size_t accumulators = vector_lanes == 16 ? 24 : 12;
template <std::size_t Vectors>
inline constexpr std::size_t block_rows = accumulators / Vectors;
// Tiles transformed, multiplied and transformed back together: for W3's 32 -> 64 channels their
// V and M take 330 KB, in L2 (a layer of 512 -> 512 takes 3.6 MB, which is still one pass).
inline constexpr std::size_t group_tiles = block_rows<1>;
static_assert(group_tiles % block_rows<2> == 0 && group_tiles % block_rows<4> == 0,
              "a group is whole blocks of rows whatever the filters");

// 3x3 stride 1, and filters in whole vectors; channels and sides are free.
constexpr bool applies(std::size_t kernel_h, std::size_t kernel_w, std::size_t stride, std::size_t filters) {
  return kernel_h == 3 && kernel_w == 3 && stride == 1 && filters % vector_lanes == 0;
}

inline float_vector load_partial(const float* p, std::size_t n) {
  float_vector v{};
  std::memcpy(&v, p, n * sizeof(float));
  return v;
}
inline void store_partial(float* p, const float_vector& v, std::size_t n) { std::memcpy(p, &v, n * sizeof(float)); }

// out = B^T d over six values with stride `step` (a column or a row of a 6x6 tile).
inline void input_1d(const float_vector* d, std::size_t step, float_vector* out, std::size_t out_step) {
  const float_vector d0 = d[0], d1 = d[step], d2 = d[2 * step], d3 = d[3 * step], d4 = d[4 * step], d5 = d[5 * step];
  out[0] = 4.0f * d0 - 5.0f * d2 + d4;
  out[out_step] = d3 + d4 - 4.0f * (d1 + d2);
  out[2 * out_step] = d4 - d3 + 4.0f * (d1 - d2);
  out[3 * out_step] = d4 - d2 + 2.0f * (d3 - d1);
  out[4 * out_step] = d4 - d2 + 2.0f * (d1 - d3);
  out[5 * out_step] = 4.0f * d1 - 5.0f * d3 + d5;
}

// out = A^T m over six values (four results), m's values `step` apart: float_vectors, or floats
// read as vectors straight from M.
template <class T>
inline void output_1d(const T* m, std::size_t step, float_vector* out, std::size_t out_step) {
  auto at = [&](std::size_t i) {
    if constexpr (std::is_same_v<T, float>)
      return load_vector(m + i * step);
    else
      return m[i * step];
  };
  const float_vector m0 = at(0), m1 = at(1), m2 = at(2), m3 = at(3), m4 = at(4), m5 = at(5);
  const float_vector sum12 = m1 + m2, diff12 = m1 - m2, sum34 = m3 + m4, diff34 = m3 - m4;
  out[0] = m0 + sum12 + sum34;
  out[out_step] = diff12 + 2.0f * diff34;
  out[2 * out_step] = sum12 + 4.0f * sum34;
  out[3 * out_step] = diff12 + 8.0f * diff34 + m5;
}

// out = G g over three values (six results).
inline void kernel_1d(const float_vector* g, std::size_t step, float_vector* out, std::size_t out_step) {
  const float_vector g0 = g[0], g1 = g[step], g2 = g[2 * step];
  out[0] = g0 * 0.25f;
  out[out_step] = (g0 + g1 + g2) * (-1.0f / 6);
  out[2 * out_step] = (g0 - g1 + g2) * (-1.0f / 6);
  out[3 * out_step] = g0 * (1.0f / 24) + g1 * (1.0f / 12) + g2 * (1.0f / 6);
  out[4 * out_step] = g0 * (1.0f / 24) - g1 * (1.0f / 12) + g2 * (1.0f / 6);
  out[5 * out_step] = g2;
}

// U[xi][c][f] from the kernel (ky, kx, c, f); filters in whole vectors.
inline void transform_kernel(const float* kernel, std::size_t channels, std::size_t filters, float* u) {
  for (std::size_t c = 0; c < channels; ++c)
    for (std::size_t f = 0; f < filters; f += vector_lanes) {
      float_vector g[9], t[tile * 3], r[positions];
      for (std::size_t k = 0; k < 9; ++k) g[k] = load_vector(kernel + (k * channels + c) * filters + f);
      for (std::size_t kx = 0; kx < 3; ++kx) kernel_1d(g + kx, 3, t + kx, 3);  // columns: t = G g (6x3)
      for (std::size_t i = 0; i < tile; ++i) kernel_1d(t + i * 3, 1, r + i * tile, 1);  // rows: r = t G^T
      for (std::size_t xi = 0; xi < positions; ++xi) store_vector(u + (xi * channels + c) * filters + f, r[xi]);
    }
}

// Where tile t (over the flattened image x tile index) starts in the input, in rows and columns,
// negative in the padding.
struct TilePlace {
  std::size_t image;
  std::ptrdiff_t y, x;  // the input tile's corner
  std::size_t oy, ox;   // the output block's corner
};
inline TilePlace place(const WindowGeometry& g, std::size_t t) {
  const std::size_t tiles_x = (g.out_width + out_tile - 1) / out_tile;
  const std::size_t tiles_y = (g.out_height + out_tile - 1) / out_tile;
  const std::size_t per_image = tiles_x * tiles_y, in_image = t % per_image;
  const std::size_t oy = in_image / tiles_x * out_tile, ox = in_image % tiles_x * out_tile;
  return {t / per_image, static_cast<std::ptrdiff_t>(oy) - static_cast<std::ptrdiff_t>(g.pad_top),
          static_cast<std::ptrdiff_t>(ox) - static_cast<std::ptrdiff_t>(g.pad_left), oy, ox};
}

// V[xi][row][c] for tiles [first, first + rows) of the group, positions `xi_stride` floats apart;
// rows [rows, group_tiles) zero, so that a short last group's whole blocks multiply zeros.
inline void transform_input(const WindowGeometry& g, const float* images, std::size_t first, std::size_t rows,
                            std::size_t xi_stride, float* v) {
  const std::size_t C = g.channels, H = g.in_height, W = g.in_width;
  if (rows < group_tiles)
    for (std::size_t xi = 0; xi < positions; ++xi)
      std::fill(v + xi * xi_stride + rows * C, v + xi * xi_stride + group_tiles * C, 0.0f);
  for (std::size_t row = 0; row < rows; ++row) {
    const TilePlace p = place(g, first + row);
    const float* image = images + p.image * g.image_size();
    for (std::size_t c = 0; c < C; c += vector_lanes) {
      const std::size_t n = std::min(vector_lanes, C - c);
      float_vector d[positions], t[positions];
      for (std::size_t i = 0; i < tile; ++i)
        for (std::size_t j = 0; j < tile; ++j) {
          const std::ptrdiff_t y = p.y + static_cast<std::ptrdiff_t>(i), x = p.x + static_cast<std::ptrdiff_t>(j);
          const bool inside = y >= 0 && y < static_cast<std::ptrdiff_t>(H) && x >= 0 && x < static_cast<std::ptrdiff_t>(W);
          if (!inside) {
            d[i * tile + j] = float_vector{};
            continue;
          }
          const float* pixel = image + (static_cast<std::size_t>(y) * W + static_cast<std::size_t>(x)) * C + c;
          d[i * tile + j] = n == vector_lanes ? load_vector(pixel) : load_partial(pixel, n);
        }
      for (std::size_t j = 0; j < tile; ++j) input_1d(d + j, tile, t + j, tile);    // columns: t = B^T d
      for (std::size_t i = 0; i < tile; ++i) input_1d(t + i * tile, 1, d + i * tile, 1);  // rows: d = t B
      for (std::size_t xi = 0; xi < positions; ++xi) {
        float* to = v + xi * xi_stride + row * C + c;
        if (n == vector_lanes)
          store_vector(to, d[xi]);
        else
          store_partial(to, d[xi], n);
      }
    }
  }
}

// m (Rows x Vectors vectors, rows `m_stride` apart) = v (Rows x C, row stride C) * u (C x F, at the
// block's first filter).
template <std::size_t Vectors>
inline void multiply_block(const float* v, const float* u, float* m, std::size_t C, std::size_t F,
                           std::size_t m_stride) {
  constexpr std::size_t Rows = block_rows<Vectors>;
  float_vector acc[Rows][Vectors] = {};
  for (std::size_t c = 0; c < C; ++c) {
    float_vector w[Vectors];
    for (std::size_t k = 0; k < Vectors; ++k) w[k] = load_vector(u + c * F + k * vector_lanes);
#pragma GCC unroll 24
    for (std::size_t r = 0; r < Rows; ++r) {
      const float x = v[r * C + c];
      for (std::size_t k = 0; k < Vectors; ++k) acc[r][k] += x * w[k];
    }
  }
  for (std::size_t r = 0; r < Rows; ++r)
    for (std::size_t k = 0; k < Vectors; ++k) store_vector(m + r * m_stride + k * vector_lanes, acc[r][k]);
}

// M[row][xi][f] = V[xi][row][c] U[xi][c][f] for the `rows` tiles of a group, in whole blocks of
// Vectors vectors of filters (a short last group computes whole blocks of rows, of zeros past
// `rows`, which are not written out).
template <std::size_t Vectors>
inline void multiply_group(const float* v, std::size_t v_stride, const float* u, float* m, std::size_t rows,
                           std::size_t C, std::size_t F) {
  constexpr std::size_t Rows = block_rows<Vectors>, filters_per_block = Vectors * vector_lanes;
  for (std::size_t xi = 0; xi < positions; ++xi)
    for (std::size_t r = 0; r < rows; r += Rows)
      for (std::size_t f = 0; f < F; f += filters_per_block)
        multiply_block<Vectors>(v + xi * v_stride + r * C, u + xi * C * F + f, m + (r * positions + xi) * F + f, C, F,
                                positions * F);
}

// The outputs of tiles [first, first + rows) from M[row][xi][f]. With `pool_bias`, the 2x2 max
// pooling that follows the convolution, its bias and ReLU (max_pool_rule.hpp) instead: `out` is
// the pooling's output, and each 4x4 block gives it 2x2 pixels, since blocks start at multiples
// of 4 and windows at multiples of 2. A window cut by the edge is dropped, as the pooling floors.
inline void transform_output(const WindowGeometry& g, std::size_t filters, const float* m, std::size_t first,
                             std::size_t rows, float* out, const float* pool_bias) {
  const std::size_t F = filters, OH = g.out_height, OW = g.out_width, PH = OH / 2, PW = OW / 2;
  for (std::size_t row = 0; row < rows; ++row) {
    const TilePlace p = place(g, first + row);
    float* image_out = out + p.image * (pool_bias ? PH * PW : OH * OW) * F;
    const std::size_t height = std::min(out_tile, OH - p.oy), width = std::min(out_tile, OW - p.ox);
    for (std::size_t f = 0; f < F; f += vector_lanes) {
      float_vector t[out_tile * tile], y[out_tile * out_tile];
      const float* s = m + row * positions * F + f;  // the tile's 6x6 values of filters [f, f + lanes)
      for (std::size_t j = 0; j < tile; ++j) output_1d(s + j * F, tile * F, t + j, tile);  // columns: t = A^T s
      for (std::size_t i = 0; i < out_tile; ++i) output_1d(t + i * tile, 1, y + i * out_tile, 1);  // rows: y = t A
      if (!pool_bias) {
        for (std::size_t i = 0; i < height; ++i)
          for (std::size_t j = 0; j < width; ++j)
            store_vector(image_out + ((p.oy + i) * OW + p.ox + j) * F + f, y[i * out_tile + j]);
        continue;
      }
      const float_vector bias = load_vector(pool_bias + f);
      for (std::size_t i = 0; i < 2 && p.oy / 2 + i < PH; ++i)
        for (std::size_t j = 0; j < 2 && p.ox / 2 + j < PW; ++j) {
          const float_vector* w = y + 2 * i * out_tile + 2 * j;  // the window's top left output
          store_vector(image_out + ((p.oy / 2 + i) * PW + p.ox / 2 + j) * F + f,
                       max_2x2_rectified(w[0], w[1], w[out_tile], w[out_tile + 1], bias));
        }
    }
  }
}

// V's positions are this many floats apart: a whole number of tiles plus one cache line, so that
// the 36 vectors the input transform writes for one tile do not fall in the same few sets of L1.
inline std::size_t padded_stride(std::size_t floats) { return floats + 16; }

// U for a kernel, from a per-thread cache: predict calls forward once per chunk of rows with the
// same kernels, and comparing a kernel with the copy the cache keeps costs a fraction of
// transforming it again (which writes 4 times its size). One entry per kernel address, up to 16
// kernels and 32 MB (a network's worth of typical layers); a kernel beyond that is transformed
// on every call into the last entry, which is then not kept for it.
inline const float* transformed_kernel(const float* kernel, std::size_t channels, std::size_t filters) {
  struct Entry {
    const float* address = nullptr;
    std::vector<float> kernel, u;
  };
  constexpr std::size_t max_entries = 16, max_floats = (std::size_t{32} << 20) / sizeof(float);
  thread_local std::vector<Entry> cache;
  const std::size_t size = 9 * channels * filters, u_size = positions * channels * filters;
  auto transform_into = [&](Entry& e) {
    e.kernel.assign(kernel, kernel + size);
    e.u.resize(u_size);
    transform_kernel(kernel, channels, filters, e.u.data());
    return e.u.data();
  };
  std::size_t held = 0;
  for (Entry& e : cache) {
    if (e.address == kernel) {
      if (e.kernel.size() == size && e.u.size() == u_size && std::memcmp(e.kernel.data(), kernel, size * sizeof(float)) == 0)
        return e.u.data();
      return transform_into(e);  // the same layer with new weights (or another shape there)
    }
    held += e.kernel.size() + e.u.size();
  }
  if (cache.size() < max_entries && held + size + u_size <= max_floats) {
    cache.push_back({kernel, {}, {}});
    return transform_into(cache.back());
  }
  if (cache.empty()) cache.emplace_back();
  cache.back().address = nullptr;  // a scratch entry, which no address hits
  return transform_into(cache.back());
}

// out = conv(images, kernel) without bias, for a 3x3 stride-1 window (applies()); or, given
// pool_bias, the 2x2 max pooling of conv(images, kernel) + pool_bias, rectified (transform_output).
// Groups of tiles are split across typenet's threads; each thread keeps its own V and M.
TYPENET_COMPILED_ONCE inline void forward(const WindowGeometry& g, const float* images, const float* kernel,
                                          std::size_t filters, float* out, std::size_t batch,
                                          const float* pool_bias = nullptr) {
  const std::size_t C = g.channels, F = filters;
  const std::size_t tiles = batch * ((g.out_height + out_tile - 1) / out_tile) * ((g.out_width + out_tile - 1) / out_tile);
  const float* u = transformed_kernel(kernel, C, F);
  const std::size_t v_stride = padded_stride(group_tiles * C);
  const std::size_t groups = (tiles + group_tiles - 1) / group_tiles;
  parallel_for(groups, grain_for(group_tiles * positions * (C + F)), [&](std::size_t g0, std::size_t g1) {
    // Grown on a thread's first call and kept: predict allocates nothing per batch.
    thread_local std::vector<float> v, m;
    v.resize(std::max(v.size(), positions * v_stride));
    m.resize(std::max(m.size(), positions * group_tiles * F));
    for (std::size_t first = g0 * group_tiles; first < std::min(tiles, g1 * group_tiles); first += group_tiles) {
      const std::size_t rows = std::min(group_tiles, tiles - first);
      transform_input(g, images, first, rows, v_stride, v.data());
      if (F % (4 * vector_lanes) == 0)
        multiply_group<4>(v.data(), v_stride, u, m.data(), rows, C, F);
      else if (F % (2 * vector_lanes) == 0)
        multiply_group<2>(v.data(), v_stride, u, m.data(), rows, C, F);
      else
        multiply_group<1>(v.data(), v_stride, u, m.data(), rows, C, F);
      transform_output(g, F, m.data(), first, rows, out, pool_bias);
    }
  });
}

}  // namespace winograd

}  // namespace typenet::detail
