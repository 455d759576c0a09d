"""Seed 003's counting example, reproduced on the engine: forward, gradients, training.

Seed ``003_2d0bb0a675b13982.txt`` (Drexel CS 615, "Recurrent Neural Networks")
works one small RNN through by hand, in the slides' row-vector notation
("Forward Propagation"):

    neth(t) = h(t-1) W + x(t) U,    h(t) = g_h(neth(t)),    y_hat(t) = g_o(h(t) V)

with linear g_h and g_o, hidden size 2, one-hot inputs and outputs of size 3,
and the squared error J = sum_t (y(t) - y_hat(t))(y(t) - y_hat(t))^T
("Example: Backpropagate"). The net gets "1" and should count on: output 2,
then 3 ("Counting Example"): x(1) = [1 0 0], x(2) = [0 0 0] (no input),
targets y(1) = [0 1 0], y(2) = [0 0 1].

This script

1. runs the two steps on the engine and prints h(1), y_hat(1), h(2), y_hat(2),
   J and dJ/dV next to the slide's numbers (they agree);
2. prints the slide's dJ/dW and dJ/dU next to the engine's and central finite
   differences' (the engine and finite differences agree; the slide does not),
   and reproduces the slide's numbers with the slide's own product formula to
   show exactly where it goes wrong;
3. shows the pooling of gradients (seed 004, "Training the RNN": "pooling of
   gradients (for parameter sharing)"): each use of a shared weight contributes
   one term, and the terms add up to the gradient;
4. trains with SGD, eta = 0.1, until |RMSE(end) - RMSE(end-1)| < 1e-4 (slide
   "Example", the last one before "Exploding/Vanishing Gradients"), with the
   true gradient and, for comparison, with the slide's formula.

Run: python examples/counting.py, after the README's ``pip install -e .`` (or
with PYTHONPATH=. from a checkout); docs/counting.md shows and explains its output.
Every number printed comes from a function below that returns it, so the tests
(tests/test_counting.py) check the same numbers.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import minigrad as mg
from minigrad.nn import Parameter
from minigrad.optim import SGD
from minigrad.testing import numerical_vjp

# ------------------------------------------------------------ the slide's data
# Initial weights, slide "Example" ("Let's imagine that our weight matrices are").
# Shapes follow the row-vector convention: x (1, 3) @ U (3, 2) -> (1, 2);
# h (1, 2) @ W (2, 2) -> (1, 2); h (1, 2) @ V (2, 3) -> (1, 3).
U0 = np.array([[-0.1565, 0.9190],
               [0.8315, 0.3115],
               [0.5844, -0.9286]])
V0 = np.array([[0.6983, 0.3575, 0.4863],
               [0.8680, 0.5155, -0.2155]])
W0 = np.array([[0.3110, 0.4121],
               [-0.6576, -0.9363]])

# Slide "Counting Example": input "1" one-hot at t=1, then no input ("Now we
# don't have any input x, so let's just set it to x(2) = [0 0 0]"); targets
# "2" then "3", one-hot. Row t-1 holds time step t.
XS = np.array([[1.0, 0.0, 0.0],
               [0.0, 0.0, 0.0]])
YS = np.array([[0.0, 1.0, 0.0],
               [0.0, 0.0, 1.0]])
H0 = np.zeros((1, 2))        # "initialize h(0) to [0 0]"
LEARNING_RATE = 0.1          # slide "Example" (training): "Using learning rate eta = 0.1"
TOLERANCE = 1e-4             # "Terminated if |RMSE(end) - RMSE(end-1)| < 10^-4"

# The slide's numbers, as the slide prints them (4 decimals), by slide title.
# The seed is text extracted from the slides and lost some minus signs; the
# three restored below (marked "restored") are forced by the slide's own other
# numbers, which tests/test_counting.py checks:
#   * the slide's dJ(2)/dV = h(2)^T delta_o(2) has second row [2.3287 1.3139 2.0685],
#     = h(2)[2] * [-2.5176 -1.4205 -2.2363], so h(2)[2] = -0.9250, not +0.9250;
#   * delta_o(2) = 2(y_hat(2) - y(2)) is printed as [-2.5176 -1.4205 -0.2363]:
#     -1.4205 = 2 * (-0.7102), so y_hat(2)[2] = -0.7102; the third entry lost a
#     digit (-2.2363 = 2 * (-0.1182 - 1), and 1.4603 = -0.6530 * -2.2363 in dJ(2)/dV);
#   * the slide reads the sequence (1, 3) off argmax y_hat(2) = 3rd entry, which
#     holds for [-1.2588 -0.7102 -0.1182] and not for [-1.2588 0.7102 0.1182].
SLIDE = {
    # slide "Example" (forward, t=1)
    "h(1)": np.array([[-0.1565, 0.9190]]),
    "y_hat(1)": np.array([[0.6884, 0.4178, -0.2742]]),
    # slide "Example" (forward, t=2); signs restored, see above
    "h(2)": np.array([[-0.6530, -0.9250]]),
    "y_hat(2)": np.array([[-1.2588, -0.7102, -0.1182]]),
    # slide "Example: dJ/dV" ("Plugging in numbers")
    "delta_o(1)": np.array([[1.3768, -1.1644, -0.5483]]),
    "delta_o(2)": np.array([[-2.5176, -1.4205, -2.2363]]),     # third entry restored
    "dJ(1)/dV": np.array([[-0.2154, 0.1822, 0.0858],
                          [1.2653, -1.0701, -0.5039]]),
    "dJ(2)/dV": np.array([[1.6440, 0.9276, 1.4603],
                          [2.3287, 1.3139, 2.0685]]),
    "dJ/dV": np.array([[1.4286, 1.1098, 1.5461],
                       [3.5940, 0.2438, 1.5646]]),
    # slide "Example: dJ/dW" and "Example: dJ/dU": NOT the gradient of J (see slide_formula_gradients)
    "dJ/dW": np.array([[0.3203, -0.7019],
                       [-1.8805, 4.1222]]),
    "dJ/dU": np.array([[0.2785, 0.7130],
                       [0.0, 0.0],
                       [0.0, 0.0]]),
    # slide "Example" (training result): the sequence, the iteration count, the final model
    "sequence before training": (1, 3),
    "iterations": 56,
    "final V": np.array([[0.0007, -0.9555, -0.4747],
                         [-0.0001, 0.3239, -0.4533]]),
    "final W": np.array([[0.2870, 0.4962],
                         [-0.4082, -1.5386]]),
    "final U": np.array([[-0.7724, 0.8089],
                         [0.8315, 0.3115],
                         [0.5844, -0.9286]]),
    "final y_hat(1)": np.array([[-0.0007, 1.0001, -0.0001]]),
    "final y_hat(2)": np.array([[-0.0003, 0.0001, 0.9999]]),
}


# ----------------------------------------------------------------- the model
def make_parameters(U=U0, V=V0, W=W0) -> dict[str, Parameter]:
    """Fresh float64 leaf Parameters U (3, 2), V (2, 3), W (2, 2), copies of the given arrays."""
    return {"U": Parameter(U, name="U"), "V": Parameter(V, name="V"), "W": Parameter(W, name="W")}


def forward(U: mg.Tensor, V: mg.Tensor, W: mg.Tensor, xs=XS, ys=YS):
    """Unroll the RNN over the rows of ``xs``: a plain Python loop, one scope per step.

    Args:
        U (3, 2), V (2, 3), W (2, 2): the weights (Tensors).
        xs (T, 3): inputs, row t-1 is x(t); ys (T, 3): targets.

    Returns ``(hs, y_hats, J)``: lists of T Tensors of shape (1, 2) and (1, 3),
    and the scalar Tensor J = sum_t (y(t) - y_hat(t))(y(t) - y_hat(t))^T.
    """
    h = mg.Tensor(H0)                                   # h(0) = [0 0], a constant
    hs, y_hats, J = [], [], None
    for t in range(1, len(xs) + 1):
        with mg.scope(f"t={t}"):
            x = mg.Tensor(xs[t - 1:t])                  # (1, 3), a constant
            y = mg.Tensor(ys[t - 1:t])
            h = h @ W + x @ U                           # neth(t) = h(t-1) W + x(t) U; g_h linear
            y_hat = h @ V                               # neto(t) = h(t) V; g_o linear
            J_t = ((y - y_hat) ** 2).sum()              # J(t), slide "Example: Backpropagate"
            J = J_t if J is None else J + J_t           # J = sum_t J(t)
        hs.append(h)
        y_hats.append(y_hat)
    return hs, y_hats, J


def loss(U: mg.Tensor, V: mg.Tensor, W: mg.Tensor) -> mg.Tensor:
    """J(U, V, W) for the slide's sequence: the function finite differences probe."""
    return forward(U, V, W)[2]


def rmse(J: float, steps: int = len(XS)) -> float:
    """sqrt(J / T): the root of the mean over time steps of ||y(t) - y_hat(t)||^2.

    The slide does not define its RMSE. With this one (and the slide's gradient,
    see ``train``) the stopping rule fires after the slide's 56 iterations.
    """
    return float(np.sqrt(J / steps))


def sequence(y_hats) -> tuple[int, ...]:
    """The numbers the outputs encode: argmax of each y_hat(t), 1-based (1 -> [1 0 0])."""
    return tuple(int(np.argmax(np.asarray(getattr(y, "data", y)))) + 1 for y in y_hats)


# ------------------------------------------------------------------ gradients
def engine_results() -> dict:
    """One forward and backward pass on the slide's weights.

    Returns a dict of numpy arrays: "h(1)", "y_hat(1)", "h(2)", "y_hat(2)" (row
    vectors), "J" (float), "dJ/dV", "dJ/dW", "dJ/dU" (the engine's gradients),
    and "contributions": {name: [(scope, grad), ...]}, one pair per use of
    that weight in the graph (``backward(keep_contributions=True)``).
    """
    params = make_parameters()
    hs, y_hats, J = forward(**params)
    J.backward(keep_contributions=True)
    out = {"h(1)": hs[0].data, "y_hat(1)": y_hats[0].data,
           "h(2)": hs[1].data, "y_hat(2)": y_hats[1].data, "J": J.item()}
    for name, p in params.items():
        out[f"dJ/d{name}"] = p.grad
    out["contributions"] = {name: list(p.contributions) for name, p in params.items()}
    return out


def finite_difference_gradients(eps: float = 1e-6) -> dict[str, np.ndarray]:
    """dJ/dU, dJ/dV, dJ/dW by central differences in float64, independent of backward.

    (J(w + eps) - J(w - eps)) / (2 eps) for each weight entry w; error O(eps^2)
    (``minigrad.testing.numerical_vjp`` with upstream gradient 1 on the scalar J).
    """
    params = make_parameters()
    inputs = [params["U"], params["V"], params["W"]]
    grads = numerical_vjp(loss, inputs, np.ones(()), eps=eps)
    return {f"dJ/d{name}": g for name, g in zip("UVW", grads)}


def _numpy_forward(U, V, W, xs, ys) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """The example's forward pass in plain numpy: h(0..T) and delta_o(t) = dJ/dy_hat(t) = 2(y_hat(t) - y(t))."""
    h = [H0]
    y_hat = []
    for t in range(1, len(xs) + 1):
        h.append(h[t - 1] @ W + xs[t - 1:t] @ U)
        y_hat.append(h[t] @ V)
    delta = [2 * (y_hat[t - 1] - ys[t - 1:t]) for t in range(1, len(xs) + 1)]
    return h, delta


def bptt_sum_over_paths(U=U0, V=V0, W=W0, xs=XS, ys=YS) -> dict[str, np.ndarray]:
    """The correct BPTT formula written out in numpy, for linear g_h, g_o.

    Every use k <= t of a shared weight is one path to J(t), and the paths add
    (seed 004, "Training the RNN": "pooling of gradients"; seed 001, "Main Issue:":
    "Must be summed over all paths"):

        dJ/dW = sum_t sum_{k=1..t} h(k-1)^T delta_o(t) V^T (W^T)^(t-k)
        dJ/dU = sum_t sum_{k=1..t} x(k)^T   delta_o(t) V^T (W^T)^(t-k)

    with delta_o(t) = 2(y_hat(t) - y(t)) (1, 3). (A nonlinear g_h would put a
    diag(g_h'(neth(z))) after each factor.) Shapes: h^T (2, 1) @ (1, 3) @ (3, 2) @ (2, 2).
    """
    T = len(xs)
    h, delta = _numpy_forward(U, V, W, xs, ys)
    dW, dU, dV = np.zeros_like(W), np.zeros_like(U), np.zeros_like(V)
    for t in range(1, T + 1):
        dV += h[t].T @ delta[t - 1]
        for k in range(1, t + 1):
            back = delta[t - 1] @ V.T @ np.linalg.matrix_power(W.T, t - k)   # dJ(t)/dneth(k), (1, 2)
            dW += h[k - 1].T @ back
            dU += xs[k - 1:k].T @ back
    return {"dJ/dU": dU, "dJ/dV": dV, "dJ/dW": dW}


def slide_formula_gradients(U=U0, V=V0, W=W0, xs=XS, ys=YS) -> dict[str, np.ndarray]:
    """The slide's dJ/dW and dJ/dU formulas, literally (slides "Example: dJ/dW", "Example: dJ/dU").

        dJ/dW = sum_t h(t-1)^T delta_o(t) V^T prod_{z=2..t} (dh(z-1)/dneth(z-1) W^T)
        dJ/dU = sum_t x(t)^T   delta_o(t) V^T prod_{z=2..t} (dh(z-1)/dneth(z-1) W^T)

    with dh/dneth = I (linear g_h). For each t this keeps ONE term where BPTT
    has t of them: the input of the last use, h(t-1) or x(t), multiplied by
    the chain (W^T)^(t-1) of the first use. Compare ``bptt_sum_over_paths``.
    Returns the slide's (wrong) dJ/dW, dJ/dU, and dJ/dV (which the slide gets right).
    """
    T = len(xs)
    h, delta = _numpy_forward(U, V, W, xs, ys)
    dW, dU, dV = np.zeros_like(W), np.zeros_like(U), np.zeros_like(V)
    for t in range(1, T + 1):
        product = np.linalg.matrix_power(W.T, t - 1)       # prod_{z=2..t} W^T; identity for t = 1
        dV += h[t].T @ delta[t - 1]
        dW += h[t - 1].T @ delta[t - 1] @ V.T @ product
        dU += xs[t - 1:t].T @ delta[t - 1] @ V.T @ product
    return {"dJ/dU": dU, "dJ/dV": dV, "dJ/dW": dW}


def inner_products_with_true_gradient() -> dict[str, float]:
    """<true gradient, slide's formula> at the slide's weights, per weight and in total.

    Positive: a small step against the slide's "gradient" still lowers J.
    """
    true, wrong = engine_results(), slide_formula_gradients()
    out = {name: float(np.sum(true[f"dJ/d{name}"] * wrong[f"dJ/d{name}"])) for name in "UVW"}
    out["total"] = sum(out.values())
    return out


# ------------------------------------------------------------------- training
@dataclass
class TrainResult:
    """What ``train`` returns.

    epochs: forward passes run, the last one being the one whose RMSE met the
        stopping rule (the slide's "iterations"); updates = epochs - 1.
    rmse: RMSE of every epoch, before that epoch's update.
    y_hats: the final model's outputs [y_hat(1), y_hat(2)], each (1, 3).
    U, V, W: the final weights.
    """
    epochs: int
    updates: int
    rmse: list[float] = field(repr=False)
    y_hats: list[np.ndarray]
    U: np.ndarray
    V: np.ndarray
    W: np.ndarray

    @property
    def sequence(self) -> tuple[int, ...]:
        return sequence(self.y_hats)


def train(gradient: str = "engine", lr: float = LEARNING_RATE, tol: float = TOLERANCE,
          max_epochs: int = 10_000) -> TrainResult:
    """Full-batch SGD from the slide's weights until |RMSE(end) - RMSE(end-1)| < tol.

    Each epoch: forward (RMSE of the current weights); stop if the change from
    the previous epoch's RMSE is below ``tol``; else backward and one SGD step.

    gradient: "engine" uses ``J.backward()``, the true gradient; "slide" uses
        ``slide_formula_gradients``, to show what the slide itself trained with.
    """
    if gradient not in ("engine", "slide"):
        raise ValueError(f"train: gradient must be 'engine' or 'slide', got {gradient!r}")
    params = make_parameters()
    optimizer = SGD(params.values(), lr=lr)
    history: list[float] = []
    for epoch in range(1, max_epochs + 1):
        hs, y_hats, J = forward(**params)
        history.append(rmse(J.item()))
        if len(history) > 1 and abs(history[-1] - history[-2]) < tol:
            break
        optimizer.zero_grad()
        if gradient == "engine":
            J.backward()
        else:
            grads = slide_formula_gradients(*(params[n].data for n in "UVW"))
            for name, p in params.items():
                p.grad = grads[f"dJ/d{name}"]
        optimizer.step()
    else:
        raise RuntimeError(f"train: |delta RMSE| still >= {tol} after {max_epochs} epochs")
    return TrainResult(epochs=epoch, updates=epoch - 1, rmse=history,
                       y_hats=[y.data.copy() for y in y_hats],
                       U=params["U"].data.copy(), V=params["V"].data.copy(), W=params["W"].data.copy())


# ------------------------------------------------------------------- printing
def _entries(array):
    """(label, value) per entry: "[i,j]" 1-based (row, column), as one reads the slide's matrices."""
    array = np.atleast_2d(array)
    if array.shape[0] == 1:
        return [(f"[{j + 1}]", array[0, j]) for j in range(array.shape[1])]
    return [(f"[{i + 1},{j + 1}]", array[i, j]) for i in range(array.shape[0]) for j in range(array.shape[1])]


def _fmt(value) -> str:
    return f"{value:+.4f}" if isinstance(value, (float, np.floating)) else str(value)


def _matrix(array) -> str:
    """A small matrix on one line, 4 decimals, rows in brackets: [[+0.1 -0.2] [...]]."""
    rows = ["[" + " ".join(f"{v:+.4f}" for v in row) + "]" for row in np.atleast_2d(array)]
    return rows[0] if len(rows) == 1 else "[" + " ".join(rows) + "]"


def print_table(title: str, headers: list[str], rows: list[tuple]) -> None:
    widths = [max(len(str(r[i])) for r in [headers] + rows) for i in range(len(headers))]
    print(title)
    for row in [headers] + rows:
        print(("  " + "  ".join(str(c).rjust(w) if i > 1 else str(c).ljust(w)
                                for i, (c, w) in enumerate(zip(row, widths)))).rstrip())
    print()


def main() -> None:
    engine = engine_results()
    fd = finite_difference_gradients()
    wrong = slide_formula_gradients()
    paths = bptt_sum_over_paths()

    # 1. forward values and dJ/dV
    slide_J = float(sum(np.sum((YS[t] - SLIDE[f"y_hat({t + 1})"]) ** 2) for t in range(2)))
    rows = []
    for key in ["h(1)", "y_hat(1)", "h(2)", "y_hat(2)"]:
        for label, s in _entries(SLIDE[key]):
            e = dict(_entries(engine[key]))[label]
            rows.append((key, label, _fmt(s), f"{e:+.6f}", f"{abs(e - s):.1e}"))
    rows.append(("J", "", f"({slide_J:.4f})", f"{engine['J']:.6f}", f"{abs(engine['J'] - slide_J):.1e}"))
    for label, s in _entries(SLIDE["dJ/dV"]):
        e, n = dict(_entries(engine["dJ/dV"]))[label], dict(_entries(fd["dJ/dV"]))[label]
        rows.append(("dJ/dV", label, _fmt(s), f"{e:+.6f}", f"{abs(e - s):.1e}", f"{n:+.6f}"))
    rows = [r + ("",) * (6 - len(r)) for r in rows]
    print_table('1. Forward pass and dJ/dV: seed 003, slides "Example" and "Example: dJ/dV"',
                ["quantity", "entry", "slide", "engine", "|diff|", "finite diff."], rows)
    print("  The slide prints 4 decimals and rounds as it goes, so |diff| up to ~1e-4 is rounding.")
    print("  J is not printed on the slide; (in brackets) is J computed from the slide's y_hat.")
    print("  The minus signs of h(2)[2], y_hat(2)[2], y_hat(2)[3] are lost in the seed's text; the")
    print("  slide's own dJ(2)/dV and its argmax sequence (1, 3) force them (see SLIDE in the source).\n")

    # 2. dJ/dW and dJ/dU
    rows = []
    for name in ["dJ/dW", "dJ/dU"]:
        for label, s in _entries(SLIDE[name]):
            rows.append((name, label, _fmt(s), f"{dict(_entries(wrong[name]))[label]:+.4f}",
                         f"{dict(_entries(engine[name]))[label]:+.6f}",
                         f"{dict(_entries(fd[name]))[label]:+.6f}"))
    print_table('2. dJ/dW and dJ/dU: seed 003, slides "Example: dJ/dW" and "Example: dJ/dU"',
                ["gradient", "entry", "slide", "slide formula", "engine (true)", "finite diff."], rows)
    print("  Engine vs finite differences: max |diff| = "
          f"{max(np.max(np.abs(engine[k] - fd[k])) for k in ['dJ/dU', 'dJ/dV', 'dJ/dW']):.1e}.")
    print("  Engine vs the correct BPTT sum over paths (numpy): max |diff| = "
          f"{max(np.max(np.abs(engine[k] - paths[k])) for k in ['dJ/dU', 'dJ/dV', 'dJ/dW']):.1e}.")
    print("  Slide vs the engine (the true gradient): max |diff| = "
          f"{max(np.max(np.abs(SLIDE[k] - engine[k])) for k in ['dJ/dU', 'dJ/dW']):.2g}.")
    print("  Slide vs the slide's formula (in numpy): max |diff| = "
          f"{max(np.max(np.abs(SLIDE[k] - wrong[k])) for k in ['dJ/dU', 'dJ/dW']):.1e} "
          "(the slide rounds; it prints its weights to 4 decimals).")
    print("  Why the slide differs. Each use k = 1..t of a shared weight is one path to J(t), and")
    print("  BPTT sums the paths (seed 001, \"Main Issue:\": \"Must be summed over all paths\"):")
    print("      dJ/dW = sum_t sum_{k<=t} h(k-1)^T delta_o(t) V^T (W^T)^(t-k)    (x(k)^T for h(k-1)^T: dJ/dU)")
    print("  The slide keeps ONE product per t:")
    print("      dJ/dW = sum_t h(t-1)^T delta_o(t) V^T (W^T)^(t-1)               (x(t)^T for h(t-1)^T: dJ/dU)")
    print("  the input of the last use (k = t) times the chain of the first use (k = 1).")
    print("  Here T = 2, h(0) = 0 and x(2) = 0, so")
    print("      true  dJ/dW = h(1)^T delta_o(2) V^T")
    print("      slide dJ/dW = h(1)^T delta_o(2) V^T W^T    (an extra W^T)")
    print("      true  dJ/dU = x(1)^T delta_o(1) V^T + x(1)^T delta_o(2) V^T W^T")
    print("      slide dJ/dU = x(1)^T delta_o(1) V^T        (the path x(1) -> h(1) -> h(2) -> y_hat(2) dropped)\n")

    # 3. pooling
    print('3. Pooling (seed 004, "Training the RNN"): one gradient per use of a shared weight; they add up.')
    for name in ["V", "W", "U"]:
        contributions = sorted(engine["contributions"][name], key=lambda pair: pair[0])
        for scope, grad in contributions:
            print(f"  {f'{name}, use at {scope}':<15}: {_matrix(grad)}")
        total = sum(g for _, g in contributions)
        print(f"  {'sum of the uses':<15}: {_matrix(total)}")
        print(f"  {f'{name}.grad':<15}: {_matrix(engine[f'dJ/d{name}'])}\n")
    print("  V's uses at t=1, t=2 are the slide's dJ(1)/dV and dJ(2)/dV. W's use at t=1 multiplies")
    print("  h(0) = 0 and U's use at t=2 multiplies x(2) = 0: those contributions are zero. U's use at")
    print("  t=1 carries the errors of BOTH outputs, since x(1) reaches y_hat(2) through h(1) W.\n")

    # 4. training
    before = sequence([engine["y_hat(1)"], engine["y_hat(2)"]])
    print(f"4. Training: SGD, eta = {LEARNING_RATE}, stop when |RMSE(end) - RMSE(end-1)| < {TOLERANCE},")
    print(f"   RMSE = sqrt(J / T). Before training the argmax sequence is {before} (slide: (1, 3)).")
    for gradient, label in [("engine", "true gradient (engine)"), ("slide", "slide's formula")]:
        result = train(gradient)
        print(f"   {label}: stopped after {result.epochs} epochs ({result.updates} updates), "
              f"RMSE {result.rmse[-1]:.2e}, last |delta RMSE| {abs(result.rmse[-1] - result.rmse[-2]):.1e}")
        print(f"      y_hat(1) = {_matrix(result.y_hats[0])}, y_hat(2) = {_matrix(result.y_hats[1])}, "
              f"argmax sequence {result.sequence}")
        print(f"      V = {_matrix(result.V)}\n      W = {_matrix(result.W)}\n      U = {_matrix(result.U)}")
        if gradient == "slide":
            gap = max(np.max(np.abs(getattr(result, n) - SLIDE[f"final {n}"])) for n in "UVW")
            print(f"      The slide reports 56 iterations and a final model within {gap:.1e} of this one:")
            print("      the slide evidently trained with its own formula, and still reached (2, 3).")
    inner = inner_products_with_true_gradient()
    print("   Why the slide's formula still trains: at the start, <true gradient, slide's> = "
          f"{inner['total']:.2f} > 0")
    print(f"   (U: {inner['U']:.2f}, V: {inner['V']:.2f}, W: {inner['W']:.2f}): its exact dJ/dV outweighs "
          "its W part, which points uphill.")
    print("   And both vanish when every error delta_o(t) does, so both can end at zero error;")
    print("   they get there by different paths, to different weights.")


if __name__ == "__main__":
    main()
