"""A tour of minigrad: reverse mode, pooling, BPTT that falls out of backward, a picture, an ESN.

Run: python examples/tour.py            (writes tour_lstm.png next to where you run it)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

import minigrad as mg
import nets
from minigrad import nn, optim
from minigrad.nn import functional as F
from nets import reference
from nets.datasets import mackey_glass
from nets.esn import nrmse


def graph_and_gradients() -> None:
    print("1. The engine records a graph as ops run; backward walks it in reverse.")
    x = mg.Tensor([1.0, -2.0], requires_grad=True, name="x")
    w = mg.Tensor([[0.5, 0.1], [-0.3, 0.8]], requires_grad=True, name="W")
    y = (w @ x).tanh().sum()
    print(f"   y = sum(tanh(W x)) = {y.item():.6f}; y.op = {y.op!r}, its parent's op = {y.parents[0].op!r}")
    y.backward()
    print(f"   dy/dx = {np.round(x.grad, 6).tolist()}")
    print(f"   dy/dW = {np.round(w.grad, 6).tolist()}\n")


def pooling() -> None:
    print("2. A weight used at three time steps receives three gradients, summed (pooling).")
    w = mg.Tensor([[0.9, -0.2], [0.3, 0.7]], requires_grad=True, name="W_hh")
    h = mg.Tensor([1.0, 0.5])
    for t in range(3):
        with mg.scope(f"t={t}"):
            h = (w @ h).tanh()
    h.sum().backward(keep_contributions=True)
    for scope, grad in w.contributions:
        print(f"   contribution from {scope}: {np.round(grad, 4).tolist()}")
    total = sum(grad for _, grad in w.contributions)
    print(f"   their sum            = {np.round(total, 4).tolist()}")
    print(f"   W_hh.grad            = {np.round(w.grad, 4).tolist()}\n")


def bptt_is_backward() -> mg.Tensor:
    print("3. An LSTM unrolled on the engine: BPTT is the ordinary backward, and it equals")
    print("   the hand-written BPTT of the lecture notes (nets/reference.py).")
    rng = np.random.default_rng(0)
    net = nets.LSTM(input_size=2, hidden_size=3, rng=0)
    x = rng.standard_normal((4, 1, 2))
    target = rng.standard_normal((4, 1, 3))
    output, _ = net(mg.Tensor(x, name="x"))
    error = output - mg.Tensor(target, name="target")    # named, so the picture says what it is
    error.name = "output − target"
    squared = error * error
    squared.name = "(output − target)²"
    loss = squared.sum()
    loss.name = "loss"
    loss.backward(keep_contributions=True)
    params = {name: p.data for name, p in net.named_parameters()}
    ref_output, _, cache = reference.lstm_forward(params, x)
    ref_grads = reference.lstm_backward(params, cache, 2 * (ref_output - target))
    for name, p in net.named_parameters():
        print(f"   {name:13s} max |engine - hand-written| = {np.abs(p.grad - ref_grads[name]).max():.1e}")
    print()
    return loss


def picture(loss: mg.Tensor) -> None:
    print("4. The unrolled graph, drawn the way the lectures draw it (one column per step).")
    drawing = mg.draw(loss, view="cell", cell_name="LSTM cell", grads=True,
                      title="LSTM unrolled over 4 steps: the shared weights feed every cell")
    Path("tour_lstm.png").write_bytes(drawing.pipe("png"))
    print("   wrote tour_lstm.png (minigrad.draw; op view: view='op')\n")


def echo_state_network() -> None:
    print("5. An echo state network: a fixed random reservoir, a readout solved in closed form.")
    series = mackey_glass(2200, tau=17)                  # (2200, 1)
    inputs, targets = series[:-1], series[1:]
    esn = nets.ESN(1, 300, 1, seed=0)
    esn.fit(inputs[:1500], targets[:1500], washout=100)
    prediction = esn.predict(inputs[1500:])
    print(f"   Mackey-Glass (tau=17), one step ahead, 300 units: NRMSE = "
          f"{nrmse(prediction, targets[1500:]):.2e}\n")


def training() -> None:
    print("6. Training a two-layer net on XOR with Adam.")
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
    lstm_loss = bptt_is_backward()
    picture(lstm_loss)
    echo_state_network()
    training()
