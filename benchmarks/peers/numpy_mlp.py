"""A hand-written NumPy MLP: the sanity floor of benchmarks/run (W1, W2 and W4-W1).

Forward, backward and RMSprop written out with NumPy's matmul (which calls the BLAS NumPy was
built with: in Debian, the system's OpenBLAS through libblas.so.3). Same data split, batch size,
initialisation and RMSprop (Keras's rule) as the other peers. Run with /usr/bin/python3.
"""
import argparse
import json
import time

import numpy as np

import mnist_idx

LAYERS = {"W1": [(784, 512, "sigmoid"), (512, 10, "softmax")],
          "W2": [(784, 512, "sigmoid"), (512, 256, "relu"), (256, 10, "softmax")]}


def glorot(rng, fan_in, fan_out):
    limit = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-limit, limit, (fan_in, fan_out)).astype(np.float32)


class Mlp:
    def __init__(self, workload, rng):
        self.spec = LAYERS["W1" if workload == "W4-W1" else workload]
        self.dropout = 0.5 if workload == "W2" else 0.0
        self.rng = rng
        self.w = [glorot(rng, i, o) for i, o, _ in self.spec]
        self.b = [np.zeros(o, np.float32) for _, o, _ in self.spec]
        self.ms = [np.zeros_like(p) for p in self.w + self.b]

    def forward(self, x, training):
        acts, masks = [x], []
        for i, (w, b, (_, _, f)) in enumerate(zip(self.w, self.b, self.spec)):
            z = acts[-1] @ w + b
            if f == "sigmoid":
                a = 1.0 / (1.0 + np.exp(-z))
            elif f == "relu":
                a = np.maximum(z, 0.0)
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                a = e / e.sum(axis=1, keepdims=True)
            if training and self.dropout and i + 1 < len(self.spec):
                mask = (self.rng.random(a.shape, dtype=np.float32) >= self.dropout) / np.float32(1.0 - self.dropout)
                a = a * mask
                masks.append(mask)
            else:
                masks.append(None)
            acts.append(a)
        return acts, masks

    def step(self, x, y, lr=0.001, rho=0.9, eps=1e-7):
        acts, masks = self.forward(x, True)
        delta = acts[-1].copy()
        delta[np.arange(len(y)), y] -= 1.0
        delta /= len(y)
        grads_w, grads_b = [None] * len(self.w), [None] * len(self.w)
        for i in reversed(range(len(self.w))):
            grads_w[i] = acts[i].T @ delta
            grads_b[i] = delta.sum(axis=0)
            if i == 0:
                break
            delta = delta @ self.w[i].T
            if masks[i - 1] is not None:
                delta *= masks[i - 1]
            a = acts[i] if masks[i - 1] is None else acts[i] / np.where(masks[i - 1] > 0, masks[i - 1], 1.0)
            f = self.spec[i - 1][2]
            delta *= a * (1.0 - a) if f == "sigmoid" else (a > 0)
        for p, g, m in zip(self.w + self.b, grads_w + grads_b, self.ms):
            m *= rho
            m += (1.0 - rho) * g * g
            p -= lr * g / np.sqrt(m + eps)  # Keras puts eps inside the square root, as typenet does

    def predict(self, x, batch=256):
        return np.concatenate([self.forward(x[i:i + batch], False)[0][-1].argmax(1) for i in range(0, len(x), batch)])


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workload", required=True, choices=["W1", "W2", "W4-W1"])
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--samples", type=int, default=60000)
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=42, help="initial weights, shuffling and dropout")
    args = parser.parse_args()

    x_train, y_train, x_test, y_test = mnist_idx.load(args.data)
    x_train, y_train = x_train[:args.samples].reshape(-1, 784), y_train[:args.samples]
    x_test, y_test = x_test[:args.samples].reshape(-1, 784), y_test[:args.samples]
    split = len(x_train) * 9 // 10
    rng = np.random.default_rng(args.seed)
    model = Mlp(args.workload, rng)
    epochs = 1 if args.workload.startswith("W4-") else args.epochs
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = rng.permutation(split)
        for i in range(0, split, args.batch):
            idx = order[i:i + args.batch]
            model.step(x_train[idx], y_train[idx])
        model.predict(x_train[split:])
        seconds.append(time.perf_counter() - start)
    if args.workload.startswith("W4-"):
        rates = []
        for _ in range(5):
            start = time.perf_counter()
            model.predict(x_test)
            rates.append(len(x_test) / (time.perf_counter() - start))
        result = {"unit": "img/s", "samples": rates}
    else:
        result = {"unit": "s/epoch", "epoch_seconds": seconds, "epochs": epochs}
    result.update(workload=args.workload, test_accuracy=float((model.predict(x_test) == y_test).mean()),
                  numpy=np.__version__)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
