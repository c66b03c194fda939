#pragma once
// The definitions of detail/sparse_rows.hpp's listings (typenet/config.hpp says where they are
// compiled): AVX-512's when the processor has it, else the plain ones (detail/sparse_listing.hpp).
#include <cstddef>

#include "typenet/detail/sparse_listing.hpp"
#include "typenet/detail/sparse_rows.hpp"

namespace typenet::detail::sparse {

TYPENET_INLINE void list_rows(const float* x, std::size_t rows, std::size_t inputs, float* lists) {
#ifdef TYPENET_SPARSE_LISTS_AVX512
  if (listing::has_avx512()) return listing::rows_avx512(x, rows, inputs, lists);
#endif
  listing::rows_plain(x, rows, inputs, lists);
}

namespace listing {
// One group's list, chosen as list_rows chooses.
inline std::size_t group(const float* xg, std::size_t inputs, float* positions, float* values, std::size_t stride,
                         std::size_t& nonzeros) {
#ifdef TYPENET_SPARSE_LISTS_AVX512
  if (has_avx512()) return group_avx512(xg, inputs, positions, values, stride, nonzeros);
#endif
  return group_plain(xg, inputs, positions, values, stride, nonzeros);
}
}  // namespace listing

TYPENET_INLINE void list_groups(const float* x, std::size_t groups_count, std::size_t inputs, float* groups) {
  const std::size_t stride = group_list_stride(inputs);
  for (std::size_t g = 0; g < groups_count; ++g) {
    const float* xg = x + g * group_rows * inputs;
    float* list = groups + g * group_list_size(inputs);
    float* positions = list + 1;
    float* values = positions + stride;  // row r's at values + r * stride
    std::size_t nonzeros = 0;
    const std::size_t count = listing::group(xg, inputs, positions, values, stride, nonzeros);
    list[0] = 2 * count <= nonzeros ? static_cast<float>(count) : -1.0f;
  }
}

}  // namespace typenet::detail::sparse
