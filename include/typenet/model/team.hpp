#pragma once
// The processes among which Model::fit and Model::evaluate share their work. Everything a
// data-parallel run does differently from a process alone goes through a team: which rows of a
// batch are this process's, the sums across processes, and the dropout stream of each process.
//
// Solo, the default, is a process alone: it keeps every row and sums over nobody, so the
// single-process loops are the same code and the rest of the library never needs MPI.
// typenet/distributed.hpp's MpiTeam is the team of an MPI communicator's ranks.
#include <cstddef>
#include <span>
#include <utility>

#include "typenet/detail/random.hpp"

namespace typenet {

struct Solo {
  // Whether average_gradients does anything: alone, the workers' gradient shares can go straight
  // to the optimizer (a team without this member is taken to average).
  static constexpr bool averages_gradients() { return false; }
  // This process's rows of the global rows [begin, end).
  std::pair<std::size_t, std::size_t> share(std::size_t begin, std::size_t end) const { return {begin, end}; }

  // On entry each process holds the gradient averaged over its `rows` rows of a global batch of
  // `batch_rows`; on return every process holds the gradient averaged over the whole batch.
  void average_gradients(std::span<float> /*gradients*/, std::size_t /*rows*/, std::size_t /*batch_rows*/) const {}

  // Replaces each value by its sum over the team.
  void sum(std::span<double> /*values*/) const {}

  // Makes `rng` the first process's generator on every process (the shuffle: all alike).
  void share_stream(detail::Rng& /*rng*/) const {}

  // Gives each process a stream of its own, forked from the first process's (dropout masks).
  void split_stream(detail::Rng& /*rng*/) const {}
};

namespace detail {
template <class Team>
constexpr bool averages_gradients(const Team& team) {
  if constexpr (requires { team.averages_gradients(); })
    return team.averages_gradients();
  else
    return true;
}
}  // namespace detail

}  // namespace typenet
