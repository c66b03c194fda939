// Extending typenet with parts of your own: a layer, an activation and a loss, each a small struct
// that follows a protocol the compiler checks (typenet/layers/layer.hpp, layers/activations.hpp,
// training/losses.hpp), checked against finite differences with typenet/testing/gradient_check.hpp,
// then trained on MNIST, saved, and loaded back.
#include <algorithm>
#include <cmath>
#include <iostream>
#include <stdexcept>

#include <typenet/data.hpp>
#include <typenet/testing/gradient_check.hpp>
#include <typenet/typenet.hpp>

#include "common/lab_example.hpp"

namespace tn = typenet;

// Swish (SiLU), z * sigmoid(z). Its derivative needs z itself, so it is written from the input:
// the layer using it keeps z for the backward pass.
struct Swish : tn::ElementwiseActivation<Swish> {
  static constexpr std::string_view name = "swish";
  static float value(float z) { return z / (1.0f + std::exp(-z)); }
  static float derivative_from_input(float z) {
    const float s = 1.0f / (1.0f + std::exp(-z));
    return s * (1.0f + z * (1.0f - s));
  }
};

// A learned scale per feature, y = x * gamma, gamma starting at 1 (a LayerNormalization without
// the normalisation). bind<In> is the layer bound to the shape it receives; LayerDefaults gives
// everything a layer without special needs leaves as is.
struct Scale {
  template <class In>
  struct bind : tn::LayerDefaults<Scale, In> {
    static constexpr std::size_t features = In::size;
    using output_shape = In;
    static constexpr std::size_t param_count = features;
    static constexpr tn::WeightShape weights[] = {{"gamma", 1, {features}}};  // get_weights() and set_weights()
    static constexpr std::string_view keras_class = "Scale", keras_name = "scale";
    static tn::LayerConfig config() { return {"Scale", {}}; }  // what a saved file checks at load

    static void initialize(float* gamma, tn::Rng&) { std::fill(gamma, gamma + features, 1.0f); }

    static void forward(const tn::ForwardPass& p) {
      for (std::size_t i = 0; i < p.batch; ++i)
        for (std::size_t f = 0; f < features; ++f) p.out[i * features + f] = p.in[i * features + f] * p.params[f];
    }

    // dL/dgamma = sum over the batch of dout * x (written, not added); dL/dx = dout * gamma.
    static void backward(const tn::BackwardPass& p) {
      std::fill(p.grads, p.grads + features, 0.0f);
      for (std::size_t i = 0; i < p.batch; ++i)
        for (std::size_t f = 0; f < features; ++f) {
          p.grads[f] += p.dout[i * features + f] * p.in[i * features + f];
          if (p.din) p.din[i * features + f] = p.dout[i * features + f] * p.params[f];
        }
    }
  };
};

// Focal loss (Lin et al. 2017), cross-entropy that down-weights the examples already right:
// l = -sum(t * (1 - p)^gamma * log p) over one-hot targets t.
struct FocalLoss {
  static constexpr std::string_view name = "categorical_focal_loss";
  float gamma = 2.0f;

  double sample_loss(const float* p, const float* t, std::size_t n) const {
    double loss = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
      const float q = std::clamp(p[c], 1e-7f, 1.0f - 1e-7f);
      loss -= t[c] * std::pow(1.0f - q, gamma) * std::log(q);
    }
    return loss;
  }
  // scale * dl/dp.
  void gradient(const float* p, const float* t, float* g, std::size_t n, float scale) const {
    for (std::size_t c = 0; c < n; ++c) {
      const float q = std::clamp(p[c], 1e-7f, 1.0f - 1e-7f);
      g[c] = -scale * t[c] * (std::pow(1.0f - q, gamma) / q - gamma * std::pow(1.0f - q, gamma - 1.0f) * std::log(q));
    }
  }
  // For the "accuracy" metric: the largest output is the one-hot target's class.
  bool correct(const float* p, const float* t, std::size_t n) const {
    return std::max_element(p, p + n) - p == std::max_element(t, t + n) - t;
  }
};

using Net = tn::Sequential<tn::Input<28, 28>, tn::Flatten, tn::Dense<128, Swish>, Scale, tn::Dense<10, tn::Softmax>>;
static_assert(tn::Layer<Scale, tn::Shape<128>> && tn::ActivationFunction<Swish> && tn::LossFunction<FocalLoss>);
static_assert(Net::param_count == 784 * 128 + 128 + 128 + 128 * 10 + 10);

int main(int argc, char** argv) try {
  const auto options = lab::parse_options(argc, argv, "typenet: a layer, an activation and a loss of one's own",
                                          {"custom"}, TYPENET_DEFAULT_MNIST_DIR, "results/custom_layer");

  // Before training: each new part against finite differences.
  const auto layer = tn::testing::test_layer<Scale, tn::Shape<6>>();
  const auto activation = tn::testing::test_layer<tn::Dense<4, Swish>, tn::Shape<5>>();
  using Tiny = tn::Sequential<tn::Input<5>, tn::Dense<4, Swish>, Scale, tn::Dense<3, tn::Softmax>>;
  const auto loss = tn::testing::check_gradients<Tiny>(FocalLoss{}, xt::xtensor<float, 2>{{0.1f, -0.4f, 0.9f, 0.3f, -1.0f},
                                                                                          {0.7f, 0.2f, -0.5f, 0.0f, 0.4f}},
                                                     xt::xtensor<float, 2>{{0, 1, 0}, {0, 0, 1}});
  for (const auto& [what, check] : {std::pair{"Scale", layer}, {"Swish", activation}, {"FocalLoss", loss}}) {
    std::cout << "gradient check of " << what << ": " << check.checked << " values, " << (check ? "passed" : "FAILED")
              << '\n';
    if (!check) throw std::runtime_error(std::string("gradient check of ") + what + " failed:\n" + check.report);
  }

  const auto mnist = tn::data::load_mnist(options.data_dir);
  const auto y_train = tn::data::to_categorical(mnist.train_labels, 10);
  const auto y_test = tn::data::to_categorical(mnist.test_labels, 10);
  tn::Model<Net> model{options.seed};
  model.compile(tn::Adam{}, FocalLoss{});  // a user's loss goes where the built-in ones go
  lab::run(model, {"extension", "custom", "Flatten → Dense 128 swish → Scale → Dense 10 softmax, focal loss", 128, 5, {}},
           options, mnist.train_images, y_train, {mnist.test_images, y_test, mnist.test_labels}, 10);

  // Loading needs the loss back by name, as Keras's custom_objects; the layer and the activation
  // are in the type. The loaded model predicts exactly what the trained one does.
  auto loaded = tn::Model<Net>::load(options.out_dir / "custom" / "model.typenet", {.losses = {FocalLoss{}}});
  const auto before = model.predict(mnist.test_images), after = loaded.predict(mnist.test_images);
  if (!std::equal(before.begin(), before.end(), after.begin())) throw std::runtime_error("the loaded model predicts otherwise");
  const auto [gamma] = loaded.layer<3>().get_weights();
  std::cout << "loaded back: same predictions on " << before.shape()[0] << " images; Scale's gamma ranges from "
            << *std::min_element(gamma.begin(), gamma.end()) << " to " << *std::max_element(gamma.begin(), gamma.end())
            << '\n';
  return 0;
} catch (const std::exception& e) {
  std::cerr << "custom_layer: " << e.what() << '\n';
  return 1;
}
