"""Truncated backpropagation through time, in the engine's style: windows and ``detach``.

Seed 000, "Backpropagation through time – online with truncation": when the
network runs continuously, "the number of recursive steps for weight updates
has to be finite" and "beyond the truncation there is no memory effect".
Seed 001: "truncated BPTT with look-back limited to τ steps".

BPTT(k1, k2) (Williams & Peng, 1990): every k1 steps, backpropagate the loss
of those k1 steps through at most the last k2 steps (k2 >= k1). Nothing here
is a hand-written backward: each window is an ordinary forward pass of the
net, starting from a *detached* state (a constant, so the gradient stops
there), followed by the engine's ``backward``.

Also here: ``fit_readout_by_gradient_descent``, the echo state network's
readout (``nets/esn.py``) trained the way every other net is, by gradient
descent, to set beside its closed form.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import numpy as np

import minigrad as mg
import minigrad.nn
import minigrad.optim

from ._checks import as_sequence, check_callable, check_count, check_range, check_same_length
from .cells import as_input
from .recurrent import RecurrentNet


@dataclass
class Window:
    """One update of truncated BPTT: the loss of steps [first_loss, end), backpropagated through [start, end)."""

    start: int
    first_loss: int
    end: int
    loss: mg.Tensor


def truncation_windows(T: int, k1: int, k2: int) -> list[tuple[int, int, int]]:
    """The windows (start, first_loss, end) of BPTT(k1, k2) over steps 0 .. T-1.

    Updates happen at end = k1, 2 k1, ..., and at T. Each backpropagates the
    loss terms since the previous update through a look-back of k2 steps,
    measured from where a full k1-step window ends; so with k1 = k2 = k the
    windows are the chunks [0, k), [k, 2k), ..., and with k1 = k2 >= T there is
    one window, full BPTT.
    """
    check_count("truncated_bptt", "k1", k1, minimum=1)
    check_count("truncated_bptt", "k2", k2, minimum=k1)      # the look-back covers the update window
    windows = []
    for first_loss in range(0, T, k1):
        windows.append((max(0, first_loss + k1 - k2), first_loss, min(first_loss + k1, T)))
    return windows


def _detach(state: Any) -> Any:
    if isinstance(state, tuple):
        return tuple(s.detach() for s in state)
    return state.detach()


def truncated_bptt(net: RecurrentNet, x: Any, targets: Any,
                   loss_fn: Callable[[mg.Tensor, Any], mg.Tensor], k1: int, k2: int | None = None,
                   hx: Any = None) -> Iterator[Window]:
    """Run BPTT(k1, k2) over one long sequence, yielding after each window's backward.

    Args:
        net: a unidirectional ``RNN``, ``LSTM`` or ``GRU``.
        x: the input sequence in the net's layout ((T, B, D), (B, T, D) with
            batch_first, or (T, D)).
        targets: indexable along time like the output ((T, ...) or (B, T, ...)).
        loss_fn: ``loss_fn(output_slice, target_slice) -> scalar Tensor``.
        k1: steps between updates; k2: look-back (default k1).
        hx: initial state; it receives gradient from windows that start at 0.

    The caller updates the parameters between windows, e.g.::

        for window in truncated_bptt(net, x, y, mse, k1=20):
            clip_grad_norm_(net.parameters(), 1.0); opt.step(); opt.zero_grad()

    The state entering a window is a constant (detached). When windows
    overlap (k2 > k1) it is recomputed without a graph from the state that
    entered the previous window, with the current parameters.
    """
    # Checked here, at the call, not when the first window is asked for.
    if not (callable(net) and hasattr(net, "bidirectional") and hasattr(net, "batch_first")):
        raise TypeError(f"truncated_bptt: net must be an RNN, LSTM or GRU (or act like one: net(x, hx) -> "
                        f"(output, state), with .bidirectional and .batch_first), got {type(net).__name__}")
    if net.bidirectional:
        raise ValueError("truncated_bptt: a bidirectional net needs the whole sequence; truncation "
                         "runs forward in time only")
    k2 = k1 if k2 is None else k2
    x = as_input("truncated_bptt", "x", x)
    if x.ndim not in (2, 3):
        raise mg.ShapeError(f"truncated_bptt: x must be (T, B, D), (B, T, D) with batch_first, or "
                            f"unbatched (T, D); got shape {x.shape}")
    time_axis = 1 if (net.batch_first and x.ndim == 3) else 0
    steps = x.shape[time_axis]
    if steps == 0:
        raise mg.ShapeError(f"truncated_bptt: the input sequence is empty (x has shape {x.shape})")
    windows = truncation_windows(steps, k1, k2)
    # A short target would be sliced to fewer steps than the window and broadcast silently.
    try:
        target_shape = targets.shape if isinstance(targets, mg.Tensor) else np.shape(targets)
    except ValueError:      # numpy: ragged nested lists have no shape
        raise ValueError("truncated_bptt: targets must be a rectangular array (nested lists of equal "
                         "lengths)") from None
    if len(target_shape) <= time_axis or target_shape[time_axis] != steps:
        raise mg.ShapeError(f"truncated_bptt: targets of shape {target_shape} do not have the {steps} steps "
                            f"of x (shape {x.shape}) along axis {time_axis}")
    check_callable("truncated_bptt", "loss_fn", loss_fn)
    return _run_windows(net, x, targets, loss_fn, hx, windows, time_axis)


def _run_windows(net: RecurrentNet, x: mg.Tensor, targets: Any, loss_fn: Callable[[mg.Tensor, Any], mg.Tensor],
                 hx: Any, windows: list[tuple[int, int, int]], time_axis: int) -> Iterator[Window]:
    """The generator behind ``truncated_bptt``: one forward and backward per window."""

    def steps(tensor: Any, begin: int, stop: int) -> Any:
        index = (slice(None),) * time_axis + (slice(begin, stop),)
        return tensor[index]

    entering_position, entering_state = 0, hx     # the state entering the previous window
    last_end, last_final = None, None
    for start, first_loss, end in windows:
        if start == last_end:
            state = last_final
        else:
            state = entering_state
            if start > entering_position:
                with mg.no_grad():
                    _, state = net(steps(x, entering_position, start), state)
        entering_position, entering_state = start, state
        output, final = net(steps(x, start, end), state)
        loss = loss_fn(steps(output, first_loss - start, end - start), steps(targets, first_loss, end))
        loss.backward()
        last_end, last_final = end, _detach(final)
        yield Window(start, first_loss, end, loss)


# ------------------------------------------- the same readout, by gradient descent


def fit_readout_by_gradient_descent(
    features: np.ndarray,
    targets: np.ndarray,
    ridge: float,
    steps: int = 3000,
    learning_rate: float | None = None,
    seed: int | None = 0,
) -> np.ndarray:
    """Train the ESN readout as a `minigrad.nn.Linear` layer by gradient descent.

    This is the readout of `ESN.fit`, reached the way every other net in this
    project is trained: a Linear layer over the collected reservoir states,
    mean-squared error, weight decay, full-batch gradient descent (SGD on the
    whole data set at every step). It converges to the closed form; the test
    suite checks that it does.

    Why the weight decay must be 2 beta / (T D): the closed form minimises
    ||Y - W Z||^2 + beta ||W||^2 (seed 000, "Training readouts"). Here the
    loss is the *mean* squared error over the T * D target values, and SGD's
    weight decay lambda adds lambda W to the gradient. At the minimum

        (2 / (T D)) (W Z^T Z - Y^T Z) + lambda W = 0
        <=>  W (Z^T Z + (lambda T D / 2) I) = Y^T Z,

    the ridge solution with beta = lambda T D / 2, i.e. lambda = 2 beta / (T D).
    The decay also shrinks the Linear's bias, as beta I also penalises the
    bias weight in the closed form.

    Why the default learning rate is 1 / L: the loss is quadratic with
    Hessian (2 / (T D)) Z^T Z + lambda I, whose largest eigenvalue L bounds
    the step size (gradient descent diverges above 2 / L); at 1 / L the
    error shrinks by at least (1 - 1/kappa) per step, kappa the Hessian's
    condition number. Reservoir states are often nearly collinear (kappa of
    1e8 and more), so this converges in reasonable time only for a
    well-conditioned problem: a small reservoir or a large beta. That is the
    lesson: the closed form is exact in one shot; gradient descent gets there
    slowly, and only when the problem is well-conditioned.

    Args:
        features: (T, F - 1) the readout's inputs without the constant 1,
            [h(n); x(n)] per row (the Linear's bias plays the 1).
        targets: (T, D) the targets y(n).
        ridge: beta >= 0, in the closed form's units.
        steps: gradient descent steps.
        learning_rate: None for 1 / L.
        seed: initialises the Linear layer's weights.

    Returns:
        W_out of shape (D, F) in the ESN's layout: column 0 is the Linear's
        bias, the rest its weight.
    """
    who = "fit_readout_by_gradient_descent"
    features = as_sequence(who, "features", features, width=None)
    targets = as_sequence(who, "targets", targets, width=None)
    check_same_length(who, "features", features.shape[0], "targets", targets.shape[0])
    check_range("fit_readout_by_gradient_descent", "ridge", ridge, 0.0, np.inf)
    check_count("fit_readout_by_gradient_descent", "steps", steps, minimum=1)
    steps_total, outputs = targets.shape
    weight_decay = 2.0 * ridge / (steps_total * outputs)

    if learning_rate is not None:
        check_range("fit_readout_by_gradient_descent", "learning_rate", learning_rate, 0.0, np.inf, low_open=True)
    else:
        z = np.hstack([np.ones((steps_total, 1)), features])
        curvature = np.linalg.eigvalsh(z.T @ z)[-1] * 2.0 / (steps_total * outputs)
        learning_rate = 1.0 / (curvature + weight_decay)

    readout = minigrad.nn.Linear(features.shape[1], outputs, rng=np.random.default_rng(seed))
    optimizer = minigrad.optim.SGD(
        readout.parameters(), lr=learning_rate, weight_decay=weight_decay
    )
    inputs = minigrad.Tensor(features)
    wanted = minigrad.Tensor(targets)
    for _ in range(steps):
        optimizer.zero_grad()
        loss = minigrad.nn.functional.mse_loss(readout(inputs), wanted)
        loss.backward()
        optimizer.step()
    return np.hstack([readout.bias.data[:, None], readout.weight.data])
