#pragma once
// A small, fast, seedable generator (xoshiro256**, seeded through splitmix64) so that weight
// initialisation, shuffling and dropout masks are reproducible from one seed on every platform
// (std::uniform_real_distribution is implementation-defined, so we do not use it).
#include <array>
#include <cstddef>
#include <cstdint>

namespace typenet::detail {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

  void reseed(std::uint64_t seed) {
    for (auto& word : state_) word = splitmix64(seed);
  }

  // The generator's position in its stream, so a saved training run resumes with the same
  // shuffles and dropout masks it would have drawn without stopping.
  using State = std::array<std::uint64_t, 4>;
  State state() const { return {state_[0], state_[1], state_[2], state_[3]}; }
  void set_state(const State& s) {
    for (std::size_t i = 0; i < 4; ++i) state_[i] = s[i];
  }

  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 24 random bits: exactly representable as float.
  float uniform() { return static_cast<float>(next() >> 40) * 0x1.0p-24f; }
  float uniform(float low, float high) { return low + (high - low) * uniform(); }

  // Uniform integer in [0, n), unbiased (Lemire's method without the rejection fast path).
  std::uint64_t below(std::uint64_t n) {
    const std::uint64_t limit = -n % n;
    for (;;) {
      std::uint64_t x = next();
      if (x >= limit) return x % n;
    }
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  static std::uint64_t splitmix64(std::uint64_t& x) {
    std::uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t state_[4];
};

}  // namespace typenet::detail
