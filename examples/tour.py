"""A short tour of minigrad: the graph, reverse mode, pooling of a shared weight, training.

Run: python examples/tour.py
"""
import numpy as np

import minigrad as mg
from minigrad import nn, optim
from minigrad.nn import functional as F


def graph_and_gradients() -> None:
    print("1. A graph is recorded as ops run, and backward walks it in reverse.")
    x = mg.Tensor([1.0, -2.0], requires_grad=True, name="x")
    w = mg.Tensor([[0.5, 0.1], [-0.3, 0.8]], requires_grad=True, name="W")
    y = (w @ x).tanh().sum()
    print(f"   y = sum(tanh(W x)) = {y.item():.6f}; y.op = {y.op!r}, its parent's op = {y.parents[0].op!r}")
    y.backward()
    print(f"   dy/dx = {x.grad}\n   dy/dW =\n{w.grad}\n")


def pooling() -> None:
    print("2. A weight used at three time steps gets the sum of three gradients (pooling).")
    w = mg.Tensor([[0.9, -0.2], [0.3, 0.7]], requires_grad=True, name="W_hh")
    h = mg.Tensor([1.0, 0.5])
    for t in range(3):
        with mg.scope(f"t={t}"):
            h = (w @ h).tanh()
    h.sum().backward(keep_contributions=True)
    for scope, grad in w.contributions:
        print(f"   contribution from {scope}: {np.round(grad, 4).tolist()}")
    total = sum(g for _, g in w.contributions)
    print(f"   sum of contributions = {np.round(total, 4).tolist()}")
    print(f"   W_hh.grad            = {np.round(w.grad, 4).tolist()}\n")


def training() -> None:
    print("3. Training a two-layer net on XOR with Adam.")
    mg.manual_seed(0)
    x = mg.Tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
    target = np.array([0, 1, 1, 0])
    first, second = nn.Linear(2, 8), nn.Linear(8, 2)
    opt = optim.Adam(list(first.parameters()) + list(second.parameters()), lr=0.05)
    for step in range(301):
        logits = second(first(x).tanh())
        loss = F.cross_entropy(logits, target)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 100 == 0:
            print(f"   step {step:3d}: loss {loss.item():.4f}")
    print(f"   predictions: {logits.data.argmax(axis=1).tolist()} (targets {target.tolist()})")


if __name__ == "__main__":
    graph_and_gradients()
    pooling()
    training()
