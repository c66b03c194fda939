#pragma once
// The parts of a training run a saved model file keeps as JSON, and back: the optimizer's
// config and the names of its variables, the loss, the History and the random generators.
// Readers throw std::invalid_argument saying what is wrong; the model loader adds the file name
// and byte offset.
#include "typenet/io/custom_objects.hpp"

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "typenet/detail/random.hpp"
#include "typenet/metrics/metric.hpp"
#include "typenet/training/history.hpp"
#include "typenet/training/losses.hpp"
#include "typenet/training/optimizers.hpp"

namespace typenet::io {

namespace detail {

template <class O, class T>
struct OptimizerField {
  const char* name;
  T O::*member;
};

// The settings of each optimizer, by Keras's names. A new optimizer in typenet::Optimizer
// needs an entry here (and in optimizer_slot_names) before models using it can be saved.
template <class O>
constexpr auto optimizer_fields() {
  if constexpr (std::is_same_v<O, SGD>)
    return std::tuple{OptimizerField<SGD, LearningRate>{"learning_rate", &SGD::learning_rate},
                      OptimizerField<SGD, double>{"momentum", &SGD::momentum},
                      OptimizerField<SGD, bool>{"nesterov", &SGD::nesterov}};
  else if constexpr (std::is_same_v<O, RMSprop>)
    return std::tuple{OptimizerField<RMSprop, LearningRate>{"learning_rate", &RMSprop::learning_rate},
                      OptimizerField<RMSprop, double>{"rho", &RMSprop::rho},
                      OptimizerField<RMSprop, double>{"momentum", &RMSprop::momentum},
                      OptimizerField<RMSprop, double>{"epsilon", &RMSprop::epsilon}};
  else if constexpr (std::is_same_v<O, Adam>)
    return std::tuple{OptimizerField<Adam, LearningRate>{"learning_rate", &Adam::learning_rate},
                      OptimizerField<Adam, double>{"beta_1", &Adam::beta_1},
                      OptimizerField<Adam, double>{"beta_2", &Adam::beta_2},
                      OptimizerField<Adam, double>{"epsilon", &Adam::epsilon}};
  else
    static_assert(sizeof(O) == 0, "typenet: add this optimizer's fields to io/training_state_json.hpp to save it");
}

// Calls f(alternative{}) for the variant's alternative named `name` (its static `name`); false if
// none is. A user's CustomLoss or CustomOptimizer, which has no static name (nor a default), is
// found in the CustomObjects instead.
template <class Variant, std::size_t I = 0, class F>
bool visit_alternative_named(std::string_view name, F&& f) {
  if constexpr (I == std::variant_size_v<Variant>) {
    return false;
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    if constexpr (std::is_default_constructible_v<T>) {
      if (T::name == name) {
        f(T{});
        return true;
      }
    }
    return visit_alternative_named<Variant, I + 1>(name, std::forward<F>(f));
  }
}

// "RMSprop, Adam, SGD": the names of typenet's own alternatives.
template <class Variant, std::size_t I = 0>
std::string alternative_names() {
  if constexpr (I == std::variant_size_v<Variant>) {
    return "";
  } else {
    using T = std::variant_alternative_t<I, Variant>;
    std::string rest = alternative_names<Variant, I + 1>();
    if constexpr (std::is_default_constructible_v<T>)
      return std::string(T::name) + (rest.empty() ? "" : ", " + rest);
    else
      return rest;
  }
}

inline void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument(what);
}

}  // namespace detail

// A learning rate: a number, or one of the schedules of training/learning_rate.hpp as Keras
// serialises them ({"class_name": "CosineDecay", "config": {...}}). A schedule of the user's own
// cannot be rebuilt by load, so it is refused here rather than saved as something else.
inline nlohmann::ordered_json learning_rate_json(const LearningRate& rate) {
  const LearningRateSchedule* schedule = rate.schedule();
  if (!schedule) return rate.at(0);
  nlohmann::ordered_json config;
  if (const auto* e = dynamic_cast<const ExponentialDecay*>(schedule)) {
    const auto& o = e->options();
    config = {{"initial_learning_rate", o.initial_learning_rate}, {"decay_steps", o.decay_steps},
              {"decay_rate", o.decay_rate}, {"staircase", o.staircase}};
  } else if (const auto* p = dynamic_cast<const PiecewiseConstantDecay*>(schedule)) {
    config = {{"boundaries", p->options().boundaries}, {"values", p->options().values}};
  } else if (const auto* c = dynamic_cast<const CosineDecay*>(schedule)) {
    const auto& o = c->options();
    config = {{"initial_learning_rate", o.initial_learning_rate}, {"decay_steps", o.decay_steps}, {"alpha", o.alpha},
              {"warmup_target", o.warmup_target < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(o.warmup_target)},
              {"warmup_steps", o.warmup_steps}};
  } else {
    throw std::invalid_argument("the learning rate is a schedule of your own (" + std::string(schedule->name()) +
                                "), which a saved model cannot rebuild; save with one of ExponentialDecay, "
                                "PiecewiseConstantDecay, CosineDecay or a number");
  }
  return {{"class_name", schedule->name()}, {"config", std::move(config)}};
}

inline LearningRate learning_rate_from_json(const nlohmann::ordered_json& j, const std::string& optimizer) {
  const std::string where = optimizer + "'s \"learning_rate\"";
  if (j.is_number()) {
    detail::require(std::isfinite(j.get<double>()), where + " is not a finite number");
    return j.get<double>();
  }
  detail::require(j.is_object() && j.contains("class_name") && j["class_name"].is_string() && j.contains("config") &&
                      j["config"].is_object(),
                  where + " is neither a number nor {\"class_name\": ..., \"config\": {...}}");
  const std::string name = j["class_name"].get<std::string>();
  const auto& config = j["config"];
  auto number = [&](const char* key) {
    detail::require(config.contains(key) && config[key].is_number() && std::isfinite(config[key].get<double>()),
                    where + ": " + name + "'s \"" + key + "\" is missing or not a finite number");
    return config[key].get<double>();
  };
  auto numbers = [&](const char* key) {
    detail::require(config.contains(key) && config[key].is_array(), where + ": " + name + "'s \"" + key + "\" is not a list");
    std::vector<double> values;
    for (const auto& v : config[key]) {
      detail::require(v.is_number() && std::isfinite(v.get<double>()),
                      where + ": " + name + "'s \"" + key + "\" holds something other than finite numbers");
      values.push_back(v.get<double>());
    }
    return values;
  };
  auto expect_keys = [&](std::size_t n) {
    detail::require(config.size() == n, where + ": " + name + "'s config has settings this typenet does not know: " + config.dump());
  };
  try {
    if (name == "ExponentialDecay") {
      detail::require(config.contains("staircase") && config["staircase"].is_boolean(),
                      where + ": ExponentialDecay's \"staircase\" is not true or false");
      expect_keys(4);
      return ExponentialDecay({number("initial_learning_rate"), number("decay_steps"), number("decay_rate"),
                               config["staircase"].get<bool>()});
    }
    if (name == "PiecewiseConstantDecay") {
      expect_keys(2);
      return PiecewiseConstantDecay({numbers("boundaries"), numbers("values")});
    }
    if (name == "CosineDecay") {
      expect_keys(5);
      const bool no_warmup = config.contains("warmup_target") && config["warmup_target"].is_null();
      return CosineDecay({number("initial_learning_rate"), number("decay_steps"), number("alpha"),
                          no_warmup ? -1.0 : number("warmup_target"), number("warmup_steps")});
    }
  } catch (const std::invalid_argument& e) {  // a schedule's own check, say boundaries that do not increase
    if (std::string_view(e.what()).starts_with(where)) throw;
    throw std::invalid_argument(where + ": " + e.what());
  }
  throw std::invalid_argument(where + " is an unknown schedule '" + name +
                              "' (this typenet has ExponentialDecay, PiecewiseConstantDecay, CosineDecay)");
}

// {"class_name": "Adam", "config": {"learning_rate": 0.001, ...}}, as Keras serialises optimizers.
inline nlohmann::ordered_json optimizer_json(const Optimizer& optimizer) {
  return std::visit(
      [](const auto& o) {
        using O = std::decay_t<decltype(o)>;
        auto config = nlohmann::ordered_json::object();
        if constexpr (std::is_same_v<O, CustomOptimizer>) {  // its own settings are the object given at load
          config["learning_rate"] = learning_rate_json(o.learning_rate);
          return nlohmann::ordered_json{{"class_name", o.name}, {"config", std::move(config)}};
        } else {
        std::apply(
            [&](const auto&... field) {
              (
                  [&] {
                    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(o.*field.member)>, LearningRate>)
                      config[field.name] = learning_rate_json(o.*field.member);
                    else
                      config[field.name] = o.*field.member;
                  }(),
                  ...);
            },
            detail::optimizer_fields<O>());
        return nlohmann::ordered_json{{"class_name", O::name}, {"config", std::move(config)}};
        }
      },
      optimizer);
}

inline Optimizer optimizer_from_json(const nlohmann::ordered_json& j, const CustomObjects& custom = {}) {
  detail::require(j.is_object() && j.contains("class_name") && j["class_name"].is_string() && j.contains("config") &&
                      j["config"].is_object(),
                  "the optimizer is not {\"class_name\": ..., \"config\": {...}}");
  const std::string name = j["class_name"].get<std::string>();
  const auto& config = j["config"];
  Optimizer result;
  const bool known = detail::visit_alternative_named<Optimizer>(name, [&](auto o) {
    using O = decltype(o);
    std::size_t used = 0;
    std::apply(
        [&](const auto&... field) {
          (
              [&] {
                using T = std::remove_cvref_t<decltype(o.*field.member)>;
                detail::require(config.contains(field.name), name + "'s config has no \"" + field.name + "\"");
                const auto& v = config[field.name];
                if constexpr (std::is_same_v<T, LearningRate>) {
                  o.*field.member = learning_rate_from_json(v, name);
                } else if constexpr (std::is_same_v<T, bool>) {
                  detail::require(v.is_boolean(), name + "'s \"" + field.name + "\" is not true or false");
                  o.*field.member = v.template get<bool>();
                } else {
                  detail::require(v.is_number() && std::isfinite(v.template get<double>()),
                                  name + "'s \"" + field.name + "\" is not a finite number");
                  o.*field.member = v.template get<double>();
                }
                ++used;
              }(),
              ...);
        },
        detail::optimizer_fields<O>());
    detail::require(used == config.size(), name + "'s config has settings this typenet does not know: " + config.dump());
    result = o;
  });
  if (known) return result;
  for (const CustomOptimizer& o : custom.optimizers) {
    if (o.name != name) continue;
    CustomOptimizer found = o;
    detail::require(config.size() == 1 && config.contains("learning_rate"),
                    name + "'s config is not {\"learning_rate\": ...}: " + config.dump());
    found.learning_rate = learning_rate_from_json(config["learning_rate"], name);
    return found;
  }
  detail::require(false, "unknown optimizer '" + name + "' (this typenet has " + detail::alternative_names<Optimizer>() +
                             custom.names(custom.optimizers) + "; pass a user's optimizer to load in CustomObjects)");
  return result;
}

// The names of the optimizer's variables (Keras's), one per OptimizerState slot, in slot order.
inline std::vector<std::string> optimizer_slot_names(const Optimizer& optimizer) {
  return std::visit(
      [](const auto& o) -> std::vector<std::string> {
        using O = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<O, SGD>)
          return o.momentum != 0.0 ? std::vector<std::string>{"momentum"} : std::vector<std::string>{};
        else if constexpr (std::is_same_v<O, RMSprop>)
          return o.momentum != 0.0 ? std::vector<std::string>{"velocity", "momentum"} : std::vector<std::string>{"velocity"};
        else if constexpr (std::is_same_v<O, Adam>)
          return {"momentum", "velocity"};
        else if constexpr (std::is_same_v<O, CustomOptimizer>) {
          std::vector<std::string> names;
          for (std::size_t k = 0; k < o.slot_count; ++k) names.push_back("slot_" + std::to_string(k));
          return names;
        }
        else
          static_assert(sizeof(O) == 0, "typenet: name this optimizer's slots in io/training_state_json.hpp to save it");
      },
      optimizer);
}

inline std::string loss_name(const Loss& loss) {
  return std::visit([](const auto& l) { return std::string(l.name); }, loss);
}

inline Loss loss_from_name(const std::string& name, const CustomObjects& custom = {}) {
  Loss result;
  if (detail::visit_alternative_named<Loss>(name, [&](auto l) { result = l; })) return result;
  for (const CustomLoss& l : custom.losses)
    if (l.name == name) return l;
  detail::require(false, "unknown loss '" + name + "' (this typenet has " + detail::alternative_names<Loss>() +
                             custom.names(custom.losses) + "; pass a user's loss to load in CustomObjects)");
  return result;
}

// compile's metrics: [{"name": "auc", "num_thresholds": 200}, {"name": "acc"}, ...], each by the
// name it logs under and the settings it has.
inline nlohmann::ordered_json metrics_json(std::span<const Metric> metrics) {
  auto list = nlohmann::ordered_json::array();
  for (const Metric& metric : metrics) {
    nlohmann::ordered_json j = {{"name", metric.name()}};
    std::visit(
        [&](const auto& m) {
          if constexpr (requires { m.threshold; }) j["threshold"] = m.threshold;
          if constexpr (requires { m.num_thresholds; }) j["num_thresholds"] = m.num_thresholds;
        },
        metric.kind());
    list.push_back(std::move(j));
  }
  return list;
}

inline std::vector<Metric> metrics_from_json(const nlohmann::ordered_json& j) {
  detail::require(j.is_array(), "the compile's \"metrics\" is not a list");
  std::vector<Metric> metrics;
  for (const auto& entry : j) {
    detail::require(entry.is_object() && entry.contains("name") && entry["name"].is_string(),
                    "a metric is not {\"name\": ..., ...}: " + entry.dump());
    const std::string name = entry["name"].get<std::string>();
    for (const Metric& before : metrics) detail::require(before.name() != name, "the metric \"" + name + "\" is listed twice");
    Metric::Kind kind = Metric(name).kind();  // throws naming an unknown metric
    std::size_t used = 1;
    std::visit(
        [&](auto& m) {
          if constexpr (requires { m.threshold; }) {
            detail::require(entry.contains("threshold") && entry["threshold"].is_number() &&
                                std::isfinite(entry["threshold"].get<double>()),
                            "the metric \"" + name + "\" has no finite \"threshold\"");
            m.threshold = entry["threshold"].get<double>();
            ++used;
          }
          if constexpr (requires { m.num_thresholds; }) {
            detail::require(entry.contains("num_thresholds") && entry["num_thresholds"].is_number_unsigned() &&
                                entry["num_thresholds"].get<std::uint64_t>() >= 2 &&
                                entry["num_thresholds"].get<std::uint64_t>() <= 100000,
                            "the metric \"" + name + "\" has no \"num_thresholds\" from 2 to 100000");
            m.num_thresholds = entry["num_thresholds"].get<std::size_t>();
            ++used;
          }
        },
        kind);
    detail::require(used == entry.size(), "the metric \"" + name + "\" has settings this typenet does not know: " + entry.dump());
    metrics.emplace_back(kind, name);
  }
  return metrics;
}

// {"loss": [...], "accuracy": [...], ...} in the History's order; a value that is not finite
// (JSON has no NaN) is written as null and read back as NaN.
inline nlohmann::ordered_json history_json(const History& history) {
  auto j = nlohmann::ordered_json::object();
  for (const auto& metric : history.metrics()) {
    auto values = nlohmann::ordered_json::array();
    for (double v : history[metric]) values.push_back(std::isfinite(v) ? nlohmann::ordered_json(v) : nlohmann::ordered_json());
    j[metric] = std::move(values);
  }
  return j;
}

inline History history_from_json(const nlohmann::ordered_json& j) {
  detail::require(j.is_object(), "the history is not a JSON object");
  History history;
  for (const auto& [metric, values] : j.items()) {
    detail::require(values.is_array(), "the history's \"" + metric + "\" is not an array");
    for (const auto& v : values) {
      detail::require(v.is_number() || v.is_null(), "the history's \"" + metric + "\" holds " + v.dump() + ", not a number");
      history.append(metric, v.is_null() ? std::numeric_limits<double>::quiet_NaN() : v.get<double>());
    }
  }
  return history;
}

inline nlohmann::ordered_json rng_json(const typenet::detail::Rng& rng) { return rng.state(); }

inline typenet::detail::Rng::State rng_state_from_json(const nlohmann::ordered_json& j, const std::string& which) {
  detail::require(j.is_array() && j.size() == 4, "the " + which + " generator's state is not 4 integers");
  typenet::detail::Rng::State state{};
  bool all_zero = true;
  for (std::size_t i = 0; i < 4; ++i) {
    detail::require(j[i].is_number_unsigned(), "the " + which + " generator's state is not 4 unsigned integers");
    state[i] = j[i].get<std::uint64_t>();
    all_zero = all_zero && state[i] == 0;
  }
  // xoshiro256** never leaves the all-zero state, so no generator can have saved it.
  detail::require(!all_zero, "the " + which + " generator's state is all zeros");
  return state;
}

}  // namespace typenet::io
