"""Vanishing and exploding gradients, measured by the engine's own backward pass.

Seed 000 (``000_77918607210de3c5.txt``, "Long-term dependencies problem")
explains the problem with eigenvalues: for the recurrence without a
nonlinearity, h(t) = W^T h(t-1), so h(t) = (W^t)^T h(0), and with
W = Q Λ Q^T the powers W^t = Q Λ^t Q^T shrink or grow like the t-th powers
of the eigenvalues. "Eigenvalues are usually less than 1": the gradient
vanishes. Backward in time the same matrix is applied again: the gradient of
a loss E_T taken at the last step T, with respect to an earlier state h(t), is

    dE_T/dh(t) = dE_T/dh(T) · J(T) J(T-1) ... J(t+1),    J(s) = dh(s)/dh(s-1)

(a row vector times T - t Jacobians; seed 001, "Main Issue:", the product
prod_d dh(d)/dh(d-1); seed 003, "Exploding/Vanishing Gradients": "we are
often multiplying W by itself several times"). For the linear recurrence
every J(s) is W, so the norm of dE_T/dh(t) behaves like ρ^(T-t), ρ the
spectral radius of W (the largest |eigenvalue|). For a tanh recurrence
J(s) = diag(1 - h(s)^2) W: the same W, shrunk by tanh's slope, which is
small wherever the units saturate.

This script measures ||dE_T/dh(t)|| for every t, for both recurrences and
for W rescaled to several spectral radii ρ below, at and above 1. Nothing
here is differentiated by hand: each h(t) asks to keep its gradient
(``Tensor.retain_grad``) and one call to ``E_T.backward()`` fills them all.

Run from the repository root:

    python examples/vanishing_gradients.py           # print the tables, write docs/img/vanishing_gradients.png
    python examples/vanishing_gradients.py --no-plot # tables only
    python examples/vanishing_gradients.py --out DIR # the figure goes into DIR
    python examples/vanishing_gradients.py --quick   # the same run: the full one already takes a second

(``--quick`` is there because every experiment takes it; the measurement is
a dozen 50-step backward passes, so there is nothing to make smaller.)

docs/bptt.md ("Vanishing and exploding gradients") shows the output;
tests/test_vanishing.py checks the measured norms against the algebra.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # run from a checkout without installing
sys.path.insert(0, str(ROOT / "examples"))   # _experiment, also when tests load this file by path

import minigrad as mg          # noqa: E402
import nets                    # noqa: E402
from _experiment import output_folder, parser, pyplot, save_figure  # noqa: E402
from nets.cells import rnn_step  # noqa: E402

RHOS = (0.5, 0.9, 1.0, 1.1, 1.5, 2.0)       # spectral radii: below, at and above 1
NONLINEARITIES = ("linear", "tanh")
STEPS = 50                                   # T: the loss is taken after 50 steps
HIDDEN, INPUTS, BATCH = 32, 4, 16            # H, D, B
SEED = 0
TABLE_LAGS = (0, 1, 2, 5, 10, 20, 30, 40, 50)
FIT_LAGS = (25, 50)                          # the per-step factor is fitted on these lags
PLOT_PATH = ROOT / "docs" / "img" / "vanishing_gradients.png"


# ------------------------------------------------------------------ matrices
def spectral_radius(W: np.ndarray) -> float:
    """The largest modulus of an eigenvalue of the square matrix W."""
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def recurrent_matrix(size: int, rho: float, kind: str = "random",
                     rng: int | np.random.Generator = SEED) -> np.ndarray:
    """A (size, size) matrix with spectral radius exactly ``rho``.

    kind:
        "random": Gaussian entries, rescaled by rho / (its spectral radius);
            the same draw for every rho (same ``rng``), so only the scale
            differs between the curves. Not symmetric, not normal.
        "orthogonal": rho * Q with Q orthogonal. Every eigenvalue has modulus
            rho and ||v (rho Q)|| = rho ||v|| for every row vector v, so each
            step back in time multiplies the gradient norm by exactly rho.
        "symmetric": Q Λ Q^T with random eigenvalues in [-rho, rho], the
            largest in modulus equal to rho: seed 000's W = Q Λ Q^T.
    """
    rng = np.random.default_rng(rng)
    if kind == "random":
        W = rng.standard_normal((size, size))
        return W * (rho / spectral_radius(W))
    Q, _ = np.linalg.qr(rng.standard_normal((size, size)))
    if kind == "orthogonal":
        return rho * Q
    if kind == "symmetric":
        eigenvalues = rng.uniform(-rho, rho, size)
        eigenvalues[0] = rho
        return Q @ np.diag(eigenvalues) @ Q.T
    raise ValueError(f"recurrent_matrix: kind must be 'random', 'orthogonal' or 'symmetric', got {kind!r}")


# ---------------------------------------------------------- the measurement
@dataclass
class Run:
    """One unrolled sequence and its backward pass.

    Attributes:
        states: [h(0), h(1), ..., h(T)], each a Tensor (B, H); h(0) is the
            initial state (zeros), a leaf that requires grad.
        loss: E_T, the scalar loss at the last step only.
        grads: (T + 1, B, H) array; grads[t] = dE_T/dh(t), filled by backward.
    """

    states: list[mg.Tensor]
    loss: mg.Tensor
    grads: np.ndarray

    def norms_by_lag(self) -> np.ndarray:
        """(T + 1,) array: entry k is ||dE_T/dh(T - k)||, the norm over the whole (B, H) batch."""
        T = len(self.states) - 1
        return np.array([np.linalg.norm(self.grads[T - lag]) for lag in range(T + 1)])


def unroll(net: nets.RNN, x: np.ndarray, target: np.ndarray, nonlinearity: str) -> Run:
    """Run the recurrence over x with net's weights, take E_T at the last step, backpropagate.

    Args:
        net: a one-layer ``nets.RNN``; its weight_ih_l0 is U, weight_hh_l0 is
            W, bias_ih_l0 + bias_hh_l0 is b.
        x: (T, B, D) inputs x(1) .. x(T) (x[t - 1] is x(t)).
        target: (B, H) the desired last state d.
        nonlinearity: "tanh": h(t) = tanh(W h(t-1) + U x(t) + b), one step of
            ``nets.cells.rnn_step``, so exactly what ``net(x)`` computes;
            "linear": h(t) = W h(t-1) + U x(t) + b, seed 000's recurrence with
            no nonlinearity, written here with engine ops because nets has no
            identity activation.

    The loss is E_T = 1/2 ||h(T) - d||^2 summed over the batch: only the last
    step has a loss term, so every gradient at h(t), t < T, arrived there
    through T - t recurrent steps and nothing else.

    We run the loop ourselves, rather than call ``net(x)``, to get hold of
    every h(t) and call ``retain_grad()`` on it: intermediate tensors drop
    their gradient after backward unless asked to keep it.
    """
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"unroll: nonlinearity must be 'linear' or 'tanh', got {nonlinearity!r}")
    T, B, _ = x.shape
    W = net.weight_hh_l0
    # U x(t) + b for every t at once, as nets.RNN does: (T, B, D) @ (D, H) -> (T, B, H).
    x_proj = mg.Tensor(x) @ net.weight_ih_l0.T + (net.bias_ih_l0 + net.bias_hh_l0)
    h = mg.Tensor(np.zeros((B, net.hidden_size)), requires_grad=True, name="h(0)")
    states = [h]
    for t in range(1, T + 1):
        with mg.scope(f"t={t}"):
            if nonlinearity == "tanh":
                h = rnn_step(x_proj[t - 1], h, W, "tanh")
            else:
                h = x_proj[t - 1] + h @ W.T          # rows: h @ W^T is W h(t-1) in column notation
        h.retain_grad()
        states.append(h)
    error = h - mg.Tensor(target)
    loss = (error * error).sum() * 0.5                # E_T: the last step only
    loss.backward()
    return Run(states, loss, np.stack([state.grad for state in states]))


def make_net(W: np.ndarray, input_size: int = INPUTS, seed: int = SEED) -> nets.RNN:
    """A one-layer tanh ``nets.RNN`` with PyTorch's initialisation, its weight_hh_l0 replaced by W (H, H)."""
    net = nets.RNN(input_size, W.shape[0], nonlinearity="tanh", rng=seed)
    net.weight_hh_l0.data[...] = W
    return net


def run_for(rho: float, nonlinearity: str, kind: str = "random", steps: int = STEPS,
            hidden: int = HIDDEN, batch: int = BATCH, seed: int = SEED) -> Run:
    """The default experiment for one spectral radius: seeded inputs x, target d, net with W of radius rho."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((steps, batch, INPUTS))
    target = 0.5 * rng.standard_normal((batch, hidden))
    net = make_net(recurrent_matrix(hidden, rho, kind, seed + 1), seed=seed)
    return unroll(net, x, target, nonlinearity)


def gradient_norms(rho: float, nonlinearity: str, **options) -> np.ndarray:
    """||dE_T/dh(T - k)|| / ||dE_T/dh(T)|| for lags k = 0 .. T, shape (T + 1,).

    Dividing by the norm at lag 0 removes the size of the loss itself (which,
    for the linear recurrence with rho > 1, grows with T like the states do)
    and leaves what the T - t backward steps did to the gradient.
    ``options`` are those of ``run_for`` (kind, steps, hidden, batch, seed).
    """
    norms = run_for(rho, nonlinearity, **options).norms_by_lag()
    return norms / norms[0]


def mean_tanh_slope(rho: float, **options) -> float:
    """The mean of tanh'(z(t)) = 1 - h(t)^2 over all units, sequences and steps t = 1 .. T.

    Each backward step through the tanh recurrence multiplies the gradient
    by diag(1 - h(t)^2) before W: this is how much, on average, tanh shrinks it.
    """
    run = run_for(rho, "tanh", **options)
    return float(np.mean([1.0 - state.data ** 2 for state in run.states[1:]]))


def per_step_factor(norms: np.ndarray, lags: tuple[int, int] = FIT_LAGS) -> float:
    """The geometric mean factor by which one more step back multiplied the norm, between two lags."""
    first, last = lags
    return float((norms[last] / norms[first]) ** (1.0 / (last - first)))


def measure(rhos: tuple[float, ...] = RHOS) -> dict[str, dict[float, np.ndarray]]:
    """{nonlinearity: {rho: relative norms by lag}} for the default set-up."""
    return {nl: {rho: gradient_norms(rho, nl) for rho in rhos} for nl in NONLINEARITIES}


# ------------------------------------------------------------------- output
TITLES = {
    "linear": "Linear recurrence h(t) = W h(t-1) + U x(t) + b",
    "tanh": "tanh recurrence h(t) = tanh(W h(t-1) + U x(t) + b)",
}


def table(nonlinearity: str, by_rho: dict[float, np.ndarray]) -> str:
    """The relative norms at a few lags, one column per rho, and the fitted per-step factor."""
    rhos = list(by_rho)
    w = 14                                    # column width
    lines = [TITLES[nonlinearity] + ":",
             "  ||dE_T/dh(t)|| / ||dE_T/dh(T)||, by lag T - t",
             "  lag T-t " + "".join(f"{'rho=' + format(rho, 'g'):>{w}}" for rho in rhos)]
    for lag in TABLE_LAGS:
        lines.append(f"  {lag:7d} " + "".join(f"{by_rho[rho][lag]:{w}.2e}" for rho in rhos))
    lines.append("  largest value (at lag):")
    peaks = [f"{by_rho[rho].max():.3g} ({by_rho[rho].argmax()})" for rho in rhos]
    lines.append("          " + "".join(f"{peak:>{w}}" for peak in peaks))
    first, last = FIT_LAGS
    lines.append(f"  per-step factor, lags {first}-{last}:")
    lines.append("          " + "".join(f"{per_step_factor(by_rho[rho]):{w}.3f}" for rho in rhos))
    if nonlinearity == "tanh":
        lines.append("  mean tanh slope 1 - h(t)^2 over the run:")
        lines.append("          " + "".join(f"{mean_tanh_slope(rho):{w}.3f}" for rho in rhos))
    return "\n".join(lines)


def rho_color(rho: float) -> str:
    """Blues below 1 (vanishing), black at 1, reds above 1 (exploding)."""
    if rho < 1.0:
        return "#08306b" if rho <= 0.5 else "#4292c6"
    if rho == 1.0:
        return "black"
    return {1.1: "#fd8d3c", 1.5: "#e31a1c"}.get(rho, "#800026")


def plot(results: dict[str, dict[float, np.ndarray]], path: Path = PLOT_PATH) -> Path:
    """Two log-scale panels (linear, tanh), one line per rho; dashed rho^k guides on the linear panel."""
    plt = pyplot()

    figure, axes = plt.subplots(1, 2, figsize=(13, 5.2), sharey=True)
    lags = np.arange(STEPS + 1)
    for axis, nonlinearity in zip(axes, NONLINEARITIES):
        for rho, norms in results[nonlinearity].items():
            axis.semilogy(lags, norms, color=rho_color(rho), linewidth=2, label=f"ρ = {rho:g}")
            if nonlinearity == "linear":
                axis.semilogy(lags, float(rho) ** lags, color=rho_color(rho), linewidth=1, linestyle="--")
        axis.axhline(1.0, color="grey", linewidth=0.8)       # lag 0: the norm everything is divided by
        axis.set_title(TITLES[nonlinearity], fontsize=11)
        axis.set_xlabel("lag T − t (steps back from the loss at step T)")
        axis.set_xlim(0, STEPS)
        axis.grid(True, which="major", alpha=0.3)
    axes[0].set_ylabel("‖∂E_T/∂h(t)‖ / ‖∂E_T/∂h(T)‖   (log scale)")
    axes[0].set_ylim(1e-20, 1e16)
    axes[0].set_yticks([10.0 ** power for power in range(-20, 17, 4)])
    axes[0].plot([], [], color="grey", linewidth=1, linestyle="--", label="ρ^(T−t)\n(linear panel)")
    handles, labels = axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, title="spectral radius\nof W", loc="center right", fontsize=10)
    figure.suptitle(f"Gradient of the last step's loss with respect to earlier states, from the engine's backward\n"
                    f"(H = {HIDDEN}, T = {STEPS}, B = {BATCH}; one random W rescaled to each spectral radius ρ)",
                    fontsize=11)
    figure.tight_layout(rect=(0, 0, 0.87, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    save_figure(figure, path)
    plt.close(figure)
    return path


def report(results: dict[str, dict[float, np.ndarray]]) -> str:
    """The set-up and both tables, as printed by this script and shown in docs/bptt.md."""
    lines = [f"H = {HIDDEN} hidden units, D = {INPUTS} inputs, B = {BATCH} sequences, T = {STEPS} steps;",
             f"W: one Gaussian matrix (seed {SEED + 1}) rescaled to each spectral radius rho;",
             "U, b: nets.RNN's initialisation U(-1/sqrt(H), 1/sqrt(H)); x(t) ~ N(0, 1); "
             "E_T = 1/2 ||h(T) - d||^2."]
    for nonlinearity in NONLINEARITIES:
        lines += ["", table(nonlinearity, results[nonlinearity])]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    arguments = parser(__doc__.split("\n")[0], default_out=PLOT_PATH.parent, seed=False)
    arguments.add_argument("--no-plot", action="store_true", help="print the tables only")
    args = arguments.parse_args(argv)
    out = None if args.no_plot else output_folder(arguments, args.out)
    results = measure()
    print(report(results))
    if out is not None:
        path = plot(results, out / PLOT_PATH.name).resolve()
        print()
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


if __name__ == "__main__":
    main()
