#!/usr/bin/python3
"""Golden values for a tiny fixed CNN, computed with PyTorch, for tests/unit/test_cnn_golden.cpp.

Run with Debian's Python, which has python3-torch (1.13):

    /usr/bin/python3 tests/data/cnn/make_golden.py > tests/data/cnn/golden.txt

The network, as typenet writes it (channels-last, Keras layouts):

    Input<21, 21, 2>
    Conv2D<4, 3, 3, ReLU, Same>        21x21x4   'same', stride 1: pad 1 on every side
    MaxPooling2D<2>                    10x10x4   floors 21 -> 10: the last row and column are dropped
    Conv2D<3, 3, 3, ReLU, Same, 2>      5x5x3    'same', stride 2: pad 0 before, 1 after (Keras)
    Conv2D<5, 2, 2, Tanh, Valid>        4x4x5
    AveragePooling2D<2>                 2x2x5
    Flatten                            20        (h, w, c) order: 2x2 pixels, so the order matters
    Dense<4, ReLU>                      4
    Dense<3, Softmax>                   3

PyTorch is channels-first and pads symmetrically, so the script converts, and that conversion is
what the test checks against typenet's own:
  - Keras/typenet conv kernels are (kh, kw, in, filters); PyTorch's are (filters, in, kh, kw).
  - Keras's 'same' pads ceil/floor: out = ceil(in / stride), total = max((out - 1) * stride + k
    - in, 0), `total // 2` before (top/left) and the rest after (bottom/right); applied here with
    F.pad before an unpadded convolution. The padding is computed from that formula here, not
    taken from typenet.
  - Flatten reads channels-last (h, w, c): the tensor is permuted to NHWC before flattening.
  - Dense kernels are (inputs, units); torch.nn.functional.linear takes (units, inputs).
Everything is computed in float64; typenet computes in float32, hence the test's tolerances.

Output (whitespace-separated text):
    params <n>             then n values: typenet's parameter buffer (each layer's kernel, then bias)
    input <batch> <size>   then batch*size values: the images, (b, h, w, c) row-major
    target <batch> <k>     then one-hot rows
    output <batch> <k>     then the softmax outputs
    loss 1                 then the categorical cross-entropy, mean over the batch (Keras)
    gradient <n>           then dLoss/dparameter in the order of params
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

BATCH, H, W, C = 3, 21, 21, 2
CLASSES = 3


def same_padding(side, k, stride):
    """Keras/TensorFlow 'same': (before, after)."""
    out = math.ceil(side / stride)
    total = max((out - 1) * stride + k - side, 0)
    return total // 2, total - total // 2


def conv(x, kernel_hwio, bias, stride, padding):
    """x is NCHW; kernel in Keras's (kh, kw, in, out) layout."""
    kh, kw = kernel_hwio.shape[0], kernel_hwio.shape[1]
    if padding == "same":
        top, bottom = same_padding(x.shape[2], kh, stride)
        left, right = same_padding(x.shape[3], kw, stride)
        x = F.pad(x, (left, right, top, bottom))
    return F.conv2d(x, kernel_hwio.permute(3, 2, 0, 1), bias, stride=stride)


rng = np.random.default_rng(20261125)
# (name, shape) of every parameter in typenet's order.
layout = [
    ("conv1.kernel", (3, 3, 2, 4)), ("conv1.bias", (4,)),
    ("conv2.kernel", (3, 3, 4, 3)), ("conv2.bias", (3,)),
    ("conv3.kernel", (2, 2, 3, 5)), ("conv3.bias", (5,)),
    ("dense1.kernel", (20, 4)), ("dense1.bias", (4,)),
    ("dense2.kernel", (4, 3)), ("dense2.bias", (3,)),
]
params = {name: torch.tensor(rng.uniform(-0.6, 0.6, shape), dtype=torch.float64, requires_grad=True) for name, shape in layout}
# Positive biases on the first layers keep most ReLUs active, so their gradients are not all zero.
with torch.no_grad():
    params["conv1.bias"].copy_(torch.tensor([0.1, 0.2, 0.3, 0.15], dtype=torch.float64))
    params["conv2.bias"].copy_(torch.tensor([0.3, 0.2, 0.25], dtype=torch.float64))
    params["dense1.bias"].copy_(torch.tensor([0.8, 1.5, 0.6, 0.5], dtype=torch.float64))

x_nhwc = torch.tensor(rng.uniform(0.0, 1.0, (BATCH, H, W, C)), dtype=torch.float64)
labels = [0, 2, 1]
target = F.one_hot(torch.tensor(labels), CLASSES).to(torch.float64)

x = x_nhwc.permute(0, 3, 1, 2)
x = F.relu(conv(x, params["conv1.kernel"], params["conv1.bias"], 1, "same"))
assert x.shape[2:] == (21, 21)
x = F.max_pool2d(x, 2)  # floors 21 -> 10, as Keras's valid pooling
assert x.shape[2:] == (10, 10)
x = F.relu(conv(x, params["conv2.kernel"], params["conv2.bias"], 2, "same"))
assert x.shape[2:] == (5, 5) and same_padding(10, 3, 2) == (0, 1)
x = torch.tanh(conv(x, params["conv3.kernel"], params["conv3.bias"], 1, "valid"))
assert x.shape[2:] == (4, 4)
x = F.avg_pool2d(x, 2)
assert x.shape[2:] == (2, 2)
x = x.permute(0, 2, 3, 1).reshape(BATCH, -1)  # Flatten, channels-last
x = F.relu(F.linear(x, params["dense1.kernel"].T, params["dense1.bias"]))
output = F.softmax(F.linear(x, params["dense2.kernel"].T, params["dense2.bias"]), dim=1)
loss = -(target * torch.log(output)).sum(dim=1).mean()
loss.backward()


def emit(tag, dims, values):
    print(tag, *dims)
    print(" ".join(f"{v:.17g}" for v in np.asarray(values, dtype=np.float64).ravel()))


print(f"# CNN golden values: PyTorch {torch.__version__}, numpy {np.__version__}; "
      "made by tests/data/cnn/make_golden.py (see its docstring)")
flat = lambda f: np.concatenate([f(params[name]).ravel() for name, _ in layout])
emit("params", [sum(int(np.prod(s)) for _, s in layout)], flat(lambda p: p.detach().numpy()))
emit("input", [BATCH, H * W * C], x_nhwc.numpy())
emit("target", [BATCH, CLASSES], target.numpy())
emit("output", [BATCH, CLASSES], output.detach().numpy())
emit("loss", [1], [loss.item()])
emit("gradient", [sum(int(np.prod(s)) for _, s in layout)], flat(lambda p: p.grad.numpy()))
