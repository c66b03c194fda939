#pragma once
// Data-parallel training over MPI, opt-in: include this header and link typenet::mpi (CMake's
// typenet_mpi target); nothing else in typenet needs MPI.
//
// Every rank holds the whole model and the whole data set, and shuffles it alike (same seed).
// Each global batch is split across the ranks; after its backward pass every rank's gradient is
// weighted by its share of the batch and summed with one in-place MPI_Allreduce over the model's
// contiguous float32 gradient buffer, so that every rank takes the same optimizer step a single
// process would take on the whole batch. Validation and test figures are scored on shards and
// summed. Started as `mpirun -np N program`; see MpiTeam and the functions at the end.
#include "typenet/model.hpp"

#include <mpi.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>

extern "C" void openblas_set_num_threads(int num_threads);

namespace typenet::distributed {

// True when this process was started by an MPI launcher (mpirun, srun), which is when
// initialising MPI makes sense; a plain `./program` then runs alone without touching MPI.
inline bool launched_by_mpi() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"})
    if (std::getenv(name)) return true;
  return false;
}

// MPI for the whole process: initialised on first use, finalised at exit.
class World {
 public:
  static World& get() {
    static World world;
    return world;
  }

 private:
  World() {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) {
      MPI_Init(nullptr, nullptr);
      owns_mpi_ = true;
    }
    share_cores();
  }

  ~World() {
    int finalized = 0;
    MPI_Finalized(&finalized);
    if (owns_mpi_ && !finalized) MPI_Finalize();
  }

  // N ranks on one machine would each start a thread per core and fight over them, so each
  // rank's OpenBLAS and typenet threads default to cores / N. Variables the user set win. Takes
  // effect only for typenet's thread team if no training ran before MPI started.
  static void share_cores() {
    MPI_Comm node;
    MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, 0, MPI_INFO_NULL, &node);
    int ranks_here = 1;
    MPI_Comm_size(node, &ranks_here);
    MPI_Comm_free(&node);
    // What std::thread::hardware_concurrency() returns, without <thread>'s parse in every program
    // that includes this header.
    const int cores = static_cast<int>(std::max(1L, sysconf(_SC_NPROCESSORS_ONLN)));
    const int threads = std::max(1, cores / ranks_here);
    if (!std::getenv("TYPENET_NUM_THREADS")) setenv("TYPENET_NUM_THREADS", std::to_string(threads).c_str(), 1);
    if (!std::getenv("OPENBLAS_NUM_THREADS") && !std::getenv("OMP_NUM_THREADS")) openblas_set_num_threads(threads);
  }

  bool owns_mpi_ = false;
};

// The ranks of a communicator as a Team (typenet/model/team.hpp) for Model::fit and Model::evaluate.
class MpiTeam {
 public:
  explicit MpiTeam(MPI_Comm comm = MPI_COMM_WORLD) : comm_(comm) {
    World::get();
    MPI_Comm_rank(comm_, &rank_);
    MPI_Comm_size(comm_, &size_);
  }

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm communicator() const { return comm_; }

  // Contiguous, as even as can be: rank r gets rows [n r / N, n (r + 1) / N) of n.
  std::pair<std::size_t, std::size_t> share(std::size_t begin, std::size_t end) const {
    const std::size_t n = end - begin, r = static_cast<std::size_t>(rank_), ranks = static_cast<std::size_t>(size_);
    return {begin + n * r / ranks, begin + n * (r + 1) / ranks};
  }

  // Each rank's mean over its rows, weighted by its share of the batch, summed: the mean over
  // the batch's true sample count, also for the last, smaller batch and uneven shares.
  void average_gradients(std::span<float> gradients, std::size_t rows, std::size_t batch_rows) const {
    const float weight = static_cast<float>(rows) / static_cast<float>(batch_rows);
    for (float& g : gradients) g *= weight;
    const auto start = std::chrono::steady_clock::now();
    MPI_Allreduce(MPI_IN_PLACE, gradients.data(), count_of(gradients.size()), MPI_FLOAT, MPI_SUM, comm_);
    reduce_seconds_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++reduces_;
  }

  // Seconds this rank spent in the gradients' all-reduce, and how many there were: what
  // distribution costs per step. It includes waiting for slower ranks.
  double gradient_reduce_seconds() const { return reduce_seconds_; }
  std::size_t gradient_reduces() const { return reduces_; }

  void sum(std::span<double> values) const {
    MPI_Allreduce(MPI_IN_PLACE, values.data(), count_of(values.size()), MPI_DOUBLE, MPI_SUM, comm_);
  }

  void share_stream(detail::Rng& rng) const {
    detail::Rng::State state = rng.state();
    MPI_Bcast(state.data(), static_cast<int>(state.size()), MPI_UINT64_T, 0, comm_);
    rng.set_state(state);
  }

  // Every rank draws the same word from rank 0's stream and mixes its rank in: the masks differ
  // between ranks, and a run is reproducible for a given seed and number of ranks.
  void split_stream(detail::Rng& rng) const {
    share_stream(rng);
    rng.reseed(rng.next() ^ (0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(rank_ + 1)));
  }

  // BatchNormalization normalises over each rank's share of a batch (as DDP without SyncBatchNorm),
  // so each rank's moving statistics differ: their mean over the ranks replaces them on every rank.
  template <class Net>
  void average_statistics(Model<Net>& model) const {
    if constexpr (requires { model.non_trainable_parameters(); }) {
      const std::span<float> statistics = model.non_trainable_parameters();
      if (statistics.empty()) return;
      MPI_Allreduce(MPI_IN_PLACE, statistics.data(), count_of(statistics.size()), MPI_FLOAT, MPI_SUM, comm_);
      for (float& v : statistics) v /= static_cast<float>(size_);
    }
  }

  // Rank 0's weights (and non-trainable statistics) on every rank.
  template <class Net>
  void broadcast_weights(Model<Net>& model) const {
    broadcast(model.parameters());
    if constexpr (requires { model.non_trainable_parameters(); }) broadcast(model.non_trainable_parameters());
  }

 private:
  static int count_of(std::size_t n) {
    if (n > static_cast<std::size_t>(INT_MAX))
      throw std::length_error("typenet::distributed: " + std::to_string(n) + " values exceed one MPI message");
    return static_cast<int>(n);
  }

  void broadcast(std::span<float> values) const {
    if (!values.empty()) MPI_Bcast(values.data(), count_of(values.size()), MPI_FLOAT, 0, comm_);
  }

  MPI_Comm comm_;
  int rank_ = 0, size_ = 1;
  mutable double reduce_seconds_ = 0.0;  // statistics only: the team's meaning does not change
  mutable std::size_t reduces_ = 0;
};

// Trains `model` on every rank of the team at once: rank 0's weights and random streams are
// shared first, each rank trains on its share of every batch of options.batch_size (the global
// batch), and only rank 0 prints. Every rank calls it with the same data and options, on a model
// compiled alike (optimizer moments are not broadcast: load a checkpoint on every rank).
//
// After every epoch the ranks' BatchNormalization statistics are averaged (average_statistics);
// with a checkpoint path, rank 0 then saves the model there (Model::save: atomic, with the
// optimizer's moments, History and random streams). After a job that ended early, load it on
// every rank and fit the epochs left; the run continues as if it had not stopped.
//
// Callbacks (FitOptions::callbacks) run on every rank and see the team's figures, so they decide
// alike; one that stops training on one rank, or one given to rank 0 only (a ModelCheckpoint, a
// CSVLogger), stops every rank at the same batch (the ranks add up their votes after each batch).
//
// Team is MpiTeam or a type that forwards to one (with is_root, broadcast_weights and
// average_statistics too): examples/common/lab_example.hpp's, which is also a process alone, so
// that a program that can run either way compiles each network's fit once, not once per team.
template <class Net, class Team = MpiTeam>
History fit(Model<Net>& model, Features x, Labels y, FitOptions options, const Team& team = Team{},
            const std::filesystem::path& checkpoint = {}) {
  team.broadcast_weights(model);
  if (!team.is_root()) options.verbose = 0;
  options.on_epoch_end = [&model, &team, &checkpoint, then = std::move(options.on_epoch_end)](std::size_t epoch) {
    team.average_statistics(model);
    if (then) then(epoch);
    if (team.is_root() && !checkpoint.empty()) model.save(checkpoint);
  };
  return model.fit(x, y, options, team);
}

// Loss and accuracy over (x, y), each rank scoring its share: the figures one process computes.
template <class Net, class Team = MpiTeam>
Evaluation evaluate(Model<Net>& model, Features x, Labels y, std::size_t batch_size = 256,
                    const Team& team = Team{}) {
  return model.evaluate(x, y, batch_size, team);
}

// Ends the whole job from one rank: prints one line naming the rank and the cause, then
// MPI_Abort, which makes mpirun stop every rank (those waiting in a collective would hang).
[[noreturn]] inline void abort_job(const std::string& cause, MPI_Comm comm = MPI_COMM_WORLD) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  std::fprintf(stderr, "typenet: rank %d of %d failed: %s; ending the job\n", rank, size, cause.c_str());
  std::fflush(stderr);
  MPI_Abort(comm, 1);
  std::abort();  // MPI_Abort does not return
}

// Runs f() and returns what it returns; an exception ends the job (abort_job) instead of
// leaving the other ranks waiting for this one.
template <class F>
decltype(auto) or_abort(F&& f, MPI_Comm comm = MPI_COMM_WORLD) {
  try {
    return std::forward<F>(f)();
  } catch (const std::exception& e) {
    abort_job(e.what(), comm);
  } catch (...) {
    abort_job("an exception that is not a std::exception", comm);
  }
}

}  // namespace typenet::distributed
