"""PyTorch's side of benchmarks/run: the same workloads as bench_typenet, printed as one JSON object.

An epoch trains on the first 54,000 MNIST images (90% of those used) (batch 128, reshuffled every epoch) and then
evaluates the 6,000 held out, as Keras's fit(validation_split=0.1) does. The optimizer is Keras's
RMSprop, as typenet's is (see KerasRMSprop); --torch-rmsprop uses torch.optim.RMSprop instead.
Run with /usr/bin/python3 (Debian's python3-torch).
"""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn

import mnist_idx


def network(workload):
    if workload in ("W1", "W4-W1"):
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.Sigmoid(), nn.Linear(512, 10))
    if workload == "W2":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.Sigmoid(), nn.Dropout(0.5),
                             nn.Linear(512, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
    if workload in ("W3", "W4-W3"):
        return nn.Sequential(nn.Unflatten(1, (1, 28)), nn.Conv2d(1, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
                             nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(64 * 5 * 5, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    raise SystemExit(f"unknown workload {workload}")


def glorot(model):
    # Keras's initialisation, so that accuracy after the same epochs is comparable.
    for m in model.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d)):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)


class KerasRMSprop(torch.optim.Optimizer):
    """Keras's RMSprop: w -= lr * g / sqrt(v + eps), with v = rho * v + (1 - rho) * g^2.

    torch.optim.RMSprop adds eps outside the square root instead. At eps = 1e-7 that is not a
    detail: Keras's rule never divides by less than sqrt(1e-7) = 3e-4, which damps the steps of
    weights with small gradients, and after one epoch of W1 the two rules differ by about half a
    point of accuracy. The same in-place operations as torch's own step, so it costs the same.
    """

    def __init__(self, params, lr=0.001, rho=0.9, eps=1e-7):
        super().__init__(params, dict(lr=lr, rho=rho, eps=eps))

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            lr, rho, eps = group["lr"], group["rho"], group["eps"]
            for p in group["params"]:
                if p.grad is None:
                    continue
                state = self.state[p]
                if not state:
                    state["square_avg"] = torch.zeros_like(p)
                v = state["square_avg"]
                v.mul_(rho).addcmul_(p.grad, p.grad, value=1 - rho)
                p.addcdiv_(p.grad, v.add(eps).sqrt_(), value=-lr)


def accuracy(model, x, y, batch=1024):
    model.eval()
    correct = 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            correct += (model(x[i:i + batch]).argmax(1) == y[i:i + batch]).sum().item()
    model.train()
    return correct / len(x)


def train_epochs(model, x, y, epochs, batch, torch_rmsprop=False):
    if torch_rmsprop:
        opt = torch.optim.RMSprop(model.parameters(), lr=0.001, alpha=0.9, eps=1e-7)
    else:
        opt = KerasRMSprop(model.parameters())
    loss_fn = nn.CrossEntropyLoss()
    split = len(x) * 9 // 10
    x_train, y_train, x_val, y_val = x[:split], y[:split], x[split:], y[split:]
    seconds = []
    for _ in range(epochs):
        start = time.perf_counter()
        order = torch.randperm(len(x_train))
        for i in range(0, len(x_train), batch):
            idx = order[i:i + batch]
            opt.zero_grad(set_to_none=True)
            loss_fn(model(x_train[idx]), y_train[idx]).backward()
            opt.step()
        accuracy(model, x_val, y_val)
        seconds.append(time.perf_counter() - start)
    return seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--workload", required=True)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=60000, help="use only the first N images (smoke runs)")
    parser.add_argument("--data", required=True)
    parser.add_argument("--seed", type=int, default=42, help="initial weights and shuffling")
    parser.add_argument("--torch-rmsprop", action="store_true", help="torch.optim.RMSprop instead of Keras's rule")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    x_train, y_train, x_test, y_test = (torch.from_numpy(np.ascontiguousarray(a[:args.samples]))
                                        for a in mnist_idx.load(args.data))
    model = network(args.workload)
    glorot(model)
    if args.workload.startswith("W4-"):
        train_epochs(model, x_train, y_train, 1, 128, args.torch_rmsprop)
        model.eval()
        rates = []
        with torch.no_grad():
            for _ in range(5):
                start = time.perf_counter()
                for i in range(0, len(x_test), 256):
                    model(x_test[i:i + 256])
                rates.append(len(x_test) / (time.perf_counter() - start))
        result = {"unit": "img/s", "samples": rates, "test_accuracy": accuracy(model, x_test, y_test)}
    else:
        seconds = train_epochs(model, x_train, y_train, args.epochs, args.batch, args.torch_rmsprop)
        result = {"unit": "s/epoch", "epoch_seconds": seconds, "test_accuracy": accuracy(model, x_test, y_test),
                  "epochs": args.epochs}
    result["workload"] = args.workload
    result["torch"] = torch.__version__
    print(json.dumps(result))


if __name__ == "__main__":
    main()
