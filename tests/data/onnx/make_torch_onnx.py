"""PyTorch modules exported to ONNX, with their outputs, for typenet's ONNX import test
(tests/unit/io/test_onnx.cpp). Run with Debian's Python (python3-torch, python3-onnx):

    /usr/bin/python3 tests/data/onnx/make_torch_onnx.py tests/data/onnx

Writes mlp.onnx and cnn.onnx (torch.onnx.export, opset 13, a dynamic batch axis, inference
mode) and golden.txt: for each model, its input (channels-first, as PyTorch takes it) and
PyTorch's output, one line per array: `<model>_<input|output> <values...>`. The CNN's
BatchNormalization has Keras's epsilon (1e-3), as typenet's BatchNormalization, and moving
statistics away from 0 and 1; its Flatten reads a channels-first image, so the import must
reorder the first Linear's inputs.

Two more files hold Dense as a MatMul rather than a Gemm:
- mlp_matmul.onnx: the MLP with `Linear(6, 8, bias=False)` first, which PyTorch exports as a
  MatMul by the transposed weight (in, out), with no Add;
- keras_cnn.onnx: a CNN laid out as tf2onnx writes a Keras Sequential model (built here with
  onnx.helper, since Debian has no TensorFlow): the input channels-last (N, H, W, C), a Transpose
  to channels-first around the Conv and MaxPool and one back, Keras's Flatten as a Reshape of the
  channels-last image, Dense as MatMul by the (in, units) kernel then Add of the bias. Its outputs
  are computed by torch.nn.functional from the same weights.
"""
import sys

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from onnx import TensorProto, helper, numpy_helper
from torch import nn

torch.manual_seed(7)
out = sys.argv[1]


class Mlp(nn.Module):  # typenet: Input<6>, Dense<8, ReLU>, Dense<3, Softmax>
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(6, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.layers(x)


class Cnn(nn.Module):
    # typenet: Input<8, 8, 1>, Conv2D<4, 3, 3, ReLU, Same>, MaxPooling2D<2>, BatchNormalization,
    #          Conv2D<5, 3, 3, Tanh>, Flatten, Dense<3, Softmax>
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.BatchNorm2d(4, eps=1e-3),
            nn.Conv2d(4, 5, 3), nn.Tanh(), nn.Flatten(), nn.Linear(5 * 2 * 2, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.layers(x)


class MlpMatMul(nn.Module):  # typenet: Input<6>, Dense<8, ReLU>, Dense<3, Softmax> (first bias 0)
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Linear(6, 8, bias=False), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1))

    def forward(self, x):
        return self.layers(x)


def export(name, model, x):
    model.eval()
    torch.onnx.export(model, x, f"{out}/{name}.onnx", opset_version=13, input_names=["input"],
                      output_names=["output"], dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}},
                      training=torch.onnx.TrainingMode.EVAL)
    with torch.no_grad():
        y = model(x)
    lines = []
    for kind, array in (("input", x), ("output", y)):
        values = " ".join(f"{v:.9g}" for v in array.flatten().tolist())
        lines.append(f"{name}_{kind} {values}")
    return lines


cnn = Cnn()
with torch.no_grad():  # moving statistics as after training
    bn = cnn.layers[3]
    bn.running_mean.uniform_(-0.5, 0.5)
    bn.running_var.uniform_(0.5, 2.0)
    bn.weight.uniform_(0.5, 1.5)
    bn.bias.uniform_(-0.3, 0.3)


def keras_cnn(name, x_nhwc):
    """typenet: Input<6, 6, 2>, Conv2D<3, 3, 3, ReLU, Same>, MaxPooling2D<2>, Flatten, Dense<4, Softmax>"""
    kernel = torch.rand(3, 2, 3, 3) - 0.5  # ONNX's Conv weight (out, in, kh, kw)
    conv_bias = torch.rand(3) - 0.5
    dense_kernel = torch.rand(27, 4) - 0.5  # Keras's (in, units), the in features channels-last
    dense_bias = torch.rand(4) - 0.5
    inits = [numpy_helper.from_array(t.numpy().astype(np.float32), n) for t, n in (
        (kernel, "conv2d/kernel"), (conv_bias, "conv2d/bias"), (dense_kernel, "dense/kernel"),
        (dense_bias, "dense/bias"))]
    inits.append(numpy_helper.from_array(np.array([-1, 27], dtype=np.int64), "flatten/shape"))
    nodes = [
        helper.make_node("Transpose", ["input"], ["nchw"], name="conv2d_transpose_in", perm=[0, 3, 1, 2]),
        helper.make_node("Conv", ["nchw", "conv2d/kernel", "conv2d/bias"], ["conv"], name="conv2d",
                         kernel_shape=[3, 3], strides=[1, 1], pads=[1, 1, 1, 1], dilations=[1, 1]),
        helper.make_node("Relu", ["conv"], ["relu"], name="conv2d/Relu"),
        helper.make_node("MaxPool", ["relu"], ["pool"], name="max_pooling2d", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Transpose", ["pool"], ["pool_nhwc"], name="max_pooling2d_transpose_out", perm=[0, 2, 3, 1]),
        helper.make_node("Reshape", ["pool_nhwc", "flatten/shape"], ["flat"], name="flatten"),
        helper.make_node("MatMul", ["flat", "dense/kernel"], ["matmul"], name="dense/MatMul"),
        helper.make_node("Add", ["matmul", "dense/bias"], ["logits"], name="dense/BiasAdd"),
        helper.make_node("Softmax", ["logits"], ["output"], name="dense/Softmax", axis=-1),
    ]
    graph = helper.make_graph(
        nodes, "keras_cnn", [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 6, 6, 2])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 4])], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="tf2onnx-like")
    onnx.checker.check_model(model, full_check=True)
    onnx.save(model, f"{out}/{name}.onnx")
    with torch.no_grad():
        h = F.max_pool2d(F.relu(F.conv2d(x_nhwc.permute(0, 3, 1, 2), kernel, conv_bias, padding=1)), 2)
        y = torch.softmax(h.permute(0, 2, 3, 1).reshape(-1, 27) @ dense_kernel + dense_bias, dim=1)
    return [f"{name}_{kind} " + " ".join(f"{v:.9g}" for v in a.flatten().tolist()) for kind, a in (("input", x_nhwc), ("output", y))]


golden = export("mlp", Mlp(), torch.rand(4, 6) * 2 - 1) + export("cnn", cnn, torch.rand(3, 1, 8, 8))
golden += export("mlp_matmul", MlpMatMul(), torch.rand(4, 6) * 2 - 1) + keras_cnn("keras_cnn", torch.rand(3, 6, 6, 2))
with open(f"{out}/golden.txt", "w") as f:
    f.write("\n".join(golden) + "\n")
