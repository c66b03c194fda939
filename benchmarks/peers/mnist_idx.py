"""MNIST from the IDX files for the Python peers (plain or .gz), pixels scaled to [0, 1]."""
import gzip
import os

import numpy as np


def _read(path):
    if not os.path.exists(path) and os.path.exists(path + ".gz"):
        path += ".gz"
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load(folder):
    """(x_train, y_train, x_test, y_test): images as float32 (N, 28, 28), labels as int64."""
    x_train = _read(os.path.join(folder, "train-images-idx3-ubyte")).astype(np.float32) / 255.0
    y_train = _read(os.path.join(folder, "train-labels-idx1-ubyte")).astype(np.int64)
    x_test = _read(os.path.join(folder, "t10k-images-idx3-ubyte")).astype(np.float32) / 255.0
    y_test = _read(os.path.join(folder, "t10k-labels-idx1-ubyte")).astype(np.int64)
    return x_train, y_train, x_test, y_test
