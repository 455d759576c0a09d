"""Chapter 6: truncated BPTT, Williams & Peng's BPTT(k1, k2) (seed 000, "Backpropagation through time –
online with truncation"; seed 001, "truncated BPTT with look-back limited to tau").
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .checks import _check_input, _check_nonlinearity, _check_params, _initial_state, _output_gradient
from .common import Grads, Params
from .stack import _stack_backward, _stack_forward


def _truncation_windows(T: int, k1: int, k2: int) -> list[tuple[int, int, int]]:
    """The windows of BPTT(k1, k2) over steps 0 .. T-1, as (start, first_loss, end).

    An update happens every k1 steps (at end = k1, 2 k1, ...) and once more at
    end = T if T is not a multiple of k1. It backpropagates the loss terms of
    steps [first_loss, end), the ones since the previous update, through the
    steps [start, end), a look-back of k2 steps (seed 001: "look-back limited
    to tau"). The look-back is measured from where a full window of k1 steps
    would end, so the short last window keeps the same start-relative layout:
    with k1 = k2 = k the windows are the consecutive chunks [0, k), [k, 2k), ...
    """
    windows = []
    for first_loss in range(0, T, k1):
        end = min(first_loss + k1, T)
        start = max(0, first_loss + k1 - k2)
        windows.append((start, first_loss, end))
    return windows


def _check_truncation(fn: str, k1: int, k2: int) -> None:
    if not (isinstance(k1, (int, np.integer)) and isinstance(k2, (int, np.integer))
            and 1 <= k1 <= k2):
        raise ValueError(f"{fn}: truncation needs integers k2 >= k1 >= 1, got k1={k1!r}, k2={k2!r}")


def _truncated_bptt(cell: str, params: Params, x: np.ndarray,
                    initial: tuple[np.ndarray, ...], d_output: np.ndarray, k1: int, k2: int,
                    nonlinearity: str, initial_names: tuple[str, ...]) -> list[Grads]:
    """BPTT(k1, k2) for a single-layer, unidirectional net; see ``rnn_truncated_bptt``.

    Args:
        initial: checked initial states, each (1, B, H).
        d_output: checked (T, B, H) dE/dh(t).
        initial_names: ("h0",) or ("h0", "c0").

    Returns:
        One gradient dict per update point (params and initial states).
    """
    T = x.shape[0]
    # The states the network passes through while it processes the sequence.
    # The parameters stay fixed, so these are just the forward pass.
    _, _, full_cache = _stack_forward(cell, params, x, initial, 1, False, nonlinearity)
    visited = full_cache.tapes[0].state_sequences  # (h,) or (h, c), each (T, B, H)

    updates = []
    for start, first_loss, end in _truncation_windows(T, k1, k2):
        # The state entering the window: beyond the truncation there is no
        # memory effect (seed 000), so it is a constant, not a function of
        # the parameters; no gradient flows through it.
        if start == 0:
            entering = initial
        else:
            entering = tuple(sequence[start - 1][None] for sequence in visited)
        _, _, cache = _stack_forward(cell, params, x[start:end], entering, 1, False, nonlinearity)
        # Only the loss terms since the previous update enter this update.
        d_window = np.zeros((end - start,) + d_output.shape[1:])
        d_window[first_loss - start:] = d_output[first_loss:end]
        d_finals = tuple(np.zeros_like(state) for state in entering)
        grads = _stack_backward(params, cache, d_window, d_finals, initial_names)
        del grads["input"]
        if start > 0:
            # The window does not reach back to the true initial state.
            for name in initial_names:
                grads[name] = np.zeros_like(grads[name])
        updates.append(grads)
    return updates


def rnn_truncated_bptt(params: Params, x: np.ndarray, h0: Optional[np.ndarray],
                       d_output: np.ndarray, k1: int, k2: int, *,
                       nonlinearity: str = "tanh") -> list[Grads]:
    """Truncated BPTT(k1, k2) for a single-layer Elman RNN (Williams & Peng).

    Seed 000, "Backpropagation through time – online with truncation": when the
    network runs continuously, "the number of recursive steps for weight
    updates has to be finite" and "beyond the truncation there is no memory
    effect"; seed 001 calls it "truncated BPTT with look-back limited to tau".

    The parameters are held fixed over the sequence. Every k1 steps (and at the
    end of the sequence) there is an update: the loss terms of the steps since
    the previous update, sum_s <d_output[s], h(s)>, are backpropagated through
    the last k2 steps only; the state entering that window is a constant.
    With k1 = k2 = T this is full BPTT; with k1 = k2 = k it is the chunked
    scheme that cuts the graph ("detaches" the state) every k steps.

    Args:
        params: "weight_ih_l0" (H, D), "weight_hh_l0" (H, H), optional biases (H,).
        x: (T, B, D) input sequence.
        h0: (1, B, H) initial state, or None for zeros.
        d_output: (T, B, H) dE/dh(t) for every step.
        k1: steps between updates, k1 >= 1.
        k2: look-back of each update, k2 >= k1.
        nonlinearity: "tanh" or "relu".

    Returns:
        One dict per update point, in time order: dE_window/d(name) for every
        key of params, and "h0" (1, B, H), which is zero unless the window
        starts at step 0.
    """
    fn = "rnn_truncated_bptt"
    _check_truncation(fn, k1, k2)
    _check_nonlinearity(fn, nonlinearity)
    input_size, hidden_size = _check_params(fn, params, 1, 1, False)
    x = _check_input(fn, x, input_size)
    T, B, _ = x.shape
    h0 = _initial_state(fn, "h0", h0, (1, B, hidden_size))
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, hidden_size), "(T, B, H)")
    return _truncated_bptt("rnn", params, x, (h0,), d_output, k1, k2, nonlinearity, ("h0",))


def lstm_truncated_bptt(params: Params, x: np.ndarray,
                        hx: Optional[tuple[np.ndarray, np.ndarray]], d_output: np.ndarray,
                        k1: int, k2: int) -> list[Grads]:
    """Truncated BPTT(k1, k2) for a single-layer LSTM; see ``rnn_truncated_bptt``.

    The state entering a window is the pair (h, C), both held constant.

    Args:
        params: "weight_ih_l0" (4H, D), "weight_hh_l0" (4H, H), optional biases (4H,).
        x: (T, B, D) input sequence.
        hx: (h0, c0), each (1, B, H) or None; None means zeros.
        d_output: (T, B, H) dE/dh(t) for every step.
        k1: steps between updates, k1 >= 1.
        k2: steps of look-back, k2 >= k1.

    Returns:
        One dict per update point: every key of params, "h0" and "c0" (1, B, H).
    """
    fn = "lstm_truncated_bptt"
    _check_truncation(fn, k1, k2)
    input_size, hidden_size = _check_params(fn, params, 4, 1, False)
    x = _check_input(fn, x, input_size)
    T, B, _ = x.shape
    h0, c0 = (None, None) if hx is None else hx
    h0 = _initial_state(fn, "h0", h0, (1, B, hidden_size))
    c0 = _initial_state(fn, "c0", c0, (1, B, hidden_size))
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, hidden_size), "(T, B, H)")
    return _truncated_bptt("lstm", params, x, (h0, c0), d_output, k1, k2, "tanh",
                           ("h0", "c0"))
