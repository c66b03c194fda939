"""PyTorch modules exported to ONNX, with their outputs, for typenet's ONNX import test
(tests/unit/io/test_onnx.cpp). Run with Debian's Python (python3-torch, python3-onnx):

    /usr/bin/python3 tests/data/onnx/make_torch_onnx.py tests/data/onnx

Writes mlp.onnx and cnn.onnx (torch.onnx.export, opset 13, a dynamic batch axis, inference
mode) and golden.txt: for each model, its input (channels-first, as PyTorch takes it) and
PyTorch's output, one line per array: `<model>_<input|output> <values...>`. The CNN's
BatchNormalization has Keras's epsilon (1e-3), as typenet's BatchNormalization, and moving
statistics away from 0 and 1; its Flatten reads a channels-first image, so the import must
reorder the first Linear's inputs.
"""
import sys

import torch
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

golden = export("mlp", Mlp(), torch.rand(4, 6) * 2 - 1) + export("cnn", cnn, torch.rand(3, 1, 8, 8))
with open(f"{out}/golden.txt", "w") as f:
    f.write("\n".join(golden) + "\n")
