#pragma once
// The networks predict can run: every lab example's, by the example's name and its --model
// name. A lab example adds its networks here (one line each, types from examples/networks/);
// predict refuses a model file of any other network and prints this list.
#include <tuple>

#include "common/network_registry.hpp"
#include "networks/cnn_mnist.hpp"
#include "networks/mlp_hog_mnist.hpp"
#include "networks/mlp_raw_mnist.hpp"
#include "networks/pneumonia_cnn.hpp"

namespace lab {

inline auto predict_networks() {
  return std::tuple{
      KnownNetwork<mlp_raw_mnist::Starter>{"mlp_raw_mnist/starter", {}},
      KnownNetwork<mlp_raw_mnist::Model1>{"mlp_raw_mnist/model1", {}},
      KnownNetwork<mlp_raw_mnist::Model2>{"mlp_raw_mnist/model2", {}},
      KnownNetwork<mlp_raw_mnist::Model3>{"mlp_raw_mnist/model3", {}},
      KnownNetwork<mlp_hog_mnist::Starter>{"mlp_hog_mnist/starter", {}},
      KnownNetwork<mlp_hog_mnist::Model1>{"mlp_hog_mnist/model1", {}},
      KnownNetwork<mlp_hog_mnist::Model2>{"mlp_hog_mnist/model2", {}},
      KnownNetwork<mlp_hog_mnist::Model3>{"mlp_hog_mnist/model3", {}},
      KnownNetwork<cnn_mnist::Starter>{"cnn_mnist/starter", {}},
      KnownNetwork<cnn_mnist::Small>{"cnn_mnist/small", {}},
      KnownNetwork<cnn_mnist::Deep>{"cnn_mnist/deep", {}},
      KnownNetwork<cnn_mnist::Best>{"cnn_mnist/best", {}},
      KnownNetwork<pneumonia_cnn::Lab28>{"pneumonia_cnn/lab28", {"normal", "pneumonia"}},
      KnownNetwork<pneumonia_cnn::Ours>{"pneumonia_cnn/ours", {"normal", "pneumonia"}},
  };
}

}  // namespace lab
