"""``minigrad-tour``: what minigrad does, in one command and about a minute.

    minigrad-tour                  # the whole tour; pictures and plots go into ./minigrad-tour/
    minigrad-tour --out DIR        # somewhere else
    minigrad-tour --quick          # shorter training runs (what CI runs)
    python -m minigrad_cli.tour    # the same, without the installed script

Seven stops: the graph the engine records and its backward pass; pooling of
the gradients of a weight used at several time steps; an RNN, a BRNN, an LSTM
and a GRU whose BPTT, the engine's ordinary backward, agrees with the
hand-written BPTT of ``nets/reference/``; pictures of unrolled graphs; an
echo state network; a feedforward net trained on XOR; and a recurrent net
trained to remember, with a progress bar. Each stop prints what it measured.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, Callable, Optional, Sequence

import numpy as np

import minigrad as mg
import nets
from minigrad import nn, optim
from minigrad.nn import functional as F
from nets import reference
from nets.datasets import mackey_glass
from nets.esn import nrmse

from . import experiment

DEFAULT_OUT = Path("minigrad-tour")
NO_MATPLOTLIB = f"   (no plot: matplotlib is not installed; {experiment.INSTALL_EXAMPLES} adds it)"


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


# Each net of stop 3, with the hand-written forward and BPTT of nets/reference/ that computes the same.
CHECKED_NETS = {
    "RNN": (lambda: nets.RNN(2, 3, rng=0), reference.rnn_forward, reference.rnn_backward),
    "BRNN": (lambda: nets.BRNN(2, 3, rng=0), reference.rnn_forward, reference.rnn_backward),
    "LSTM": (lambda: nets.LSTM(2, 3, rng=0), reference.lstm_forward, reference.lstm_backward),
    "GRU": (lambda: nets.GRU(2, 3, rng=0), reference.gru_forward, reference.gru_backward),
}


def engine_against_hand_written(kind: str) -> tuple[float, int, mg.Tensor]:
    """Run one net of ``CHECKED_NETS`` through the engine and through the reference, on 4 steps.

    Returns the largest |engine - hand-written| over the outputs, every
    parameter's gradient and the input's gradient; the number of parameter
    tensors; and the engine's loss.
    """
    make, forward, backward = CHECKED_NETS[kind]
    net = make()
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 1, 2))                               # (T, B, D)
    target = rng.standard_normal((4, 1, net.num_directions * 3))      # (T, B, nd * H)
    x_tensor = mg.Tensor(x, requires_grad=True, name="x")
    output, _ = net(x_tensor)
    error = output - mg.Tensor(target, name="target")    # named, so the picture says what it is
    error.name = "output − target"
    squared = error * error
    squared.name = "(output − target)²"
    loss = squared.sum()
    loss.name = "loss"
    loss.backward(keep_contributions=True)

    params = {name: p.data for name, p in net.named_parameters()}
    ref_output, _, cache = forward(params, x, bidirectional=net.bidirectional)
    ref_grads = backward(params, cache, 2 * (ref_output - target))   # dE/d(output) of the squared error
    differences = [np.abs(output.data - ref_output).max(), np.abs(x_tensor.grad - ref_grads["input"]).max()]
    differences += [np.abs(p.grad - ref_grads[name]).max() for name, p in net.named_parameters()]
    return float(max(differences)), len(params), loss


def bptt_is_backward() -> mg.Tensor:
    print("3. Recurrent nets unrolled on the engine: BPTT is the ordinary backward, and it equals")
    print("   the hand-written BPTT of the lecture notes (nets/reference/), net by net.")
    losses = {}
    for kind in CHECKED_NETS:
        difference, parameters, losses[kind] = engine_against_hand_written(kind)
        print(f"   {kind:5s} output and gradients of x and of its {parameters} weights: "
              f"max |engine - hand-written| = {difference:.1e}")
    print()
    return losses["LSTM"]


def pictures(lstm_loss: mg.Tensor, out: Path) -> list[Path]:
    print("4. Unrolled graphs, drawn the way the lectures draw them (one column per step).")
    drawing = mg.draw(lstm_loss, view="cell", cell_name="LSTM cell", grads=True,
                      title="LSTM unrolled over 4 steps: the shared weights feed every cell")
    lstm_path = experiment.write_bytes(out / "lstm_unrolled.png", drawing.pipe("png"))
    print(f"   {lstm_path.name}: the LSTM of stop 3, one box per step, with its gradients")

    net = nets.RNN(2, 3, rng=0)
    output, _ = net(mg.Tensor(np.random.default_rng(1).standard_normal((8, 1, 2)), name="x"))
    loss = output[-1].sum()
    loss.backward(keep_contributions="all")            # the gradient along every edge, for flow=True
    drawing = mg.draw(loss, view="cell", flow=True, cell_name="RNN cell",
                      title="RNN, 8 steps: the gradient of the last step's output, fading back in time")
    flow_path = experiment.write_bytes(out / "rnn_gradient_flow.png", drawing.pipe("png"))
    print(f"   {flow_path.name}: edges coloured by the gradient flowing back along them\n")
    return [lstm_path, flow_path]


def echo_state_network(out: Path) -> list[Path]:
    print("5. An echo state network: a fixed random reservoir, a readout solved in closed form.")
    series = mackey_glass(2200, tau=17)                  # (2200, 1)
    inputs, targets = series[:-1], series[1:]
    esn = nets.ESN(1, 300, 1, seed=0)
    esn.fit(inputs[:1500], targets[:1500], washout=100)
    prediction = esn.predict(inputs[1500:])
    print(f"   Mackey-Glass (tau=17), one step ahead, 300 units: NRMSE = "
          f"{nrmse(prediction, targets[1500:]):.2e}")
    return plotted(lambda plt: esn_figure(plt, targets, prediction), out / "esn_mackey_glass.png",
                   "the prediction over the target")


def esn_figure(plt, targets: np.ndarray, prediction: np.ndarray):
    """The first 300 predicted steps over the series (both (N, 1), from step 1501)."""
    figure, axis = plt.subplots(figsize=(9, 3.2))
    steps = np.arange(1501, 1801)
    axis.plot(steps, targets[1500:1800, 0], color="black", linewidth=2.5, label="Mackey-Glass s(n+1)")
    axis.plot(steps, prediction[:300, 0], color="#e31a1c", linewidth=1.2, linestyle="--", label="ESN prediction")
    axis.set_xlabel("step n (after the 1,500 training steps)")
    axis.set_title("Echo state network, 300 units, one step ahead on data it was not fitted on", fontsize=10)
    axis.set_ylim(0.3, 1.6)
    axis.legend(loc="upper left", ncol=2, fontsize=9)
    return figure


def plotted(draw: Callable[[Any], Any], path: Path, what: str) -> list[Path]:
    """Save the matplotlib figure ``draw(pyplot)`` to ``path`` and say so; without matplotlib, say how to get it."""
    if not experiment.have_matplotlib():
        print(NO_MATPLOTLIB + "\n")
        return []
    plt = experiment.pyplot()
    figure = draw(plt)
    figure.tight_layout()
    experiment.save_figure(figure, path)
    plt.close(figure)
    print(f"   {path.name}: {what}\n")
    return [path]


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
    print(f"   predictions: {logits.data.argmax(axis=1).tolist()} (targets {target.tolist()})\n")


def recall_batch(rng: np.random.Generator, steps: int, batch: int, delay: int) -> tuple[np.ndarray, np.ndarray]:
    """Random bits x (steps, batch, 1) and the target y(t) = x(t - delay) (0 for t < delay)."""
    x = rng.integers(0, 2, (steps, batch, 1)).astype(float)
    y = np.zeros_like(x)
    y[delay:] = x[:-delay]
    return x, y


def train_to_remember(out: Path, quick: bool) -> list[Path]:
    delay = 4 if quick else 8           # the longer the delay, the longer the LSTM sits at the 0.25 plateau
    print(f"7. Training a recurrent net: an LSTM learns to output, at every step, the bit it read {delay} steps ago.")
    updates = 200 if quick else 1000
    steps, batch, hidden = 24, 32, 16
    net = nets.LSTM(1, hidden, rng=0)
    readout = nn.Linear(hidden, 1, rng=1)
    opt = optim.Adam(list(net.parameters()) + list(readout.parameters()), lr=0.02)
    rng = np.random.default_rng(0)
    losses = []
    for _ in experiment.progress(range(updates), "   training the LSTM"):
        x, y = recall_batch(rng, steps, batch, delay)
        output, _ = net(x)
        error = (readout(output) - mg.Tensor(y))[delay:]     # the first steps have nothing to recall
        loss = (error * error).mean()
        opt.zero_grad()
        loss.backward()                                    # BPTT through all 24 steps
        opt.step()
        losses.append(loss.item())
    x, y = recall_batch(np.random.default_rng(1), steps, 256, delay)     # fresh sequences
    with mg.no_grad():
        recalled = readout(net(x)[0]).data[delay:] > 0.5
    accuracy = float((recalled == (y[delay:] > 0.5)).mean())
    print(f"   {updates} Adam updates on batches of {batch} sequences of {steps} steps, hidden size {hidden}:")
    print(f"   mean squared error {losses[0]:.3f} -> {losses[-1]:.2e}; "
          f"bits recalled on 256 new sequences: {100 * accuracy:.1f}%")
    return plotted(lambda plt: recall_figure(plt, losses, hidden, delay), out / "lstm_recall_training.png",
                   "the training loss")


def recall_figure(plt, losses: list[float], hidden: int, delay: int):
    """The loss of every update, on a log scale, against the 0.25 of guessing."""
    figure, axis = plt.subplots(figsize=(7, 3.8))
    axis.semilogy(np.arange(1, len(losses) + 1), losses, color="#08306b")
    axis.axhline(0.25, color="grey", linestyle="--", linewidth=1, label="guessing 0.5 for every bit (0.25)")
    axis.set_xlabel("Adam update")
    axis.set_ylabel("mean squared error (log scale)")
    axis.set_title(f"LSTM, hidden size {hidden}: output the bit read {delay} steps ago", fontsize=10)
    axis.legend(fontsize=9)
    axis.grid(True, alpha=0.3)
    return figure


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = experiment.parser(__doc__.split("\n\n")[0].strip("`: "), DEFAULT_OUT, prog="minigrad-tour",
                                  seed=False)
    options = arguments.parse_args(argv)
    out = experiment.output_folder(arguments, options.out)
    try:
        graph_and_gradients()
        pooling()
        lstm_loss = bptt_is_backward()
        written = pictures(lstm_loss, out)
        written += echo_state_network(out)
        training()
        written += train_to_remember(out, options.quick)
    except KeyboardInterrupt:
        print("\nminigrad-tour: interrupted (every picture written so far is complete)", file=sys.stderr)
        return 130
    print(f"The tour's {len(written)} pictures are in {out}{'' if str(out).endswith('/') else '/'}: "
          + ", ".join(path.name for path in written))
    return 0


if __name__ == "__main__":
    sys.exit(main())
