"""Tests of nets/reference/, the hand-written BPTT, against finite differences.

The reference is the oracle for the engine, so it is checked here without
the engine: every gradient against central finite differences of the forward
pass, RTRL against BPTT, and truncated BPTT against finite differences of the
truncated objective, built from scratch in this file.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pytest

from nets.reference import (
    lstm_backward,
    lstm_forward,
    lstm_truncated_bptt,
    rnn_backward,
    rnn_forward,
    rnn_rtrl,
    rnn_truncated_bptt,
)

RTOL = 1e-7
ATOL = 1e-8  # finite differences of an O(1) loss carry ~1e-10 of rounding noise


def numerical_gradient(loss: Callable[[], float], array: np.ndarray,
                       eps: float = 1e-6) -> np.ndarray:
    """Central differences dloss/darray, perturbing ``array`` in place one entry at a time."""
    grad = np.zeros_like(array)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + eps
        plus = loss()
        array[index] = original - eps
        minus = loss()
        array[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


def make_params(rng: np.random.Generator, gates: int, input_size: int, hidden_size: int,
                num_layers: int = 1, bidirectional: bool = False, bias: bool = True) -> dict:
    """Random weights with PyTorch's names and shapes."""
    nd = 2 if bidirectional else 1
    params = {}
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else nd * hidden_size
        for suffix in ("", "_reverse")[:nd]:
            shapes = {"weight_ih": (gates * hidden_size, layer_input),
                      "weight_hh": (gates * hidden_size, hidden_size)}
            if bias:
                shapes["bias_ih"] = (gates * hidden_size,)
                shapes["bias_hh"] = (gates * hidden_size,)
            for short, shape in shapes.items():
                params[f"{short}_l{layer}{suffix}"] = 0.6 * rng.standard_normal(shape)
    return params


def assert_close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    np.testing.assert_allclose(actual, expected, rtol=RTOL, atol=ATOL, err_msg=what)


# --- full BPTT against finite differences ------------------------------------

RNN_CASES = [
    # (num_layers, bidirectional, bias, nonlinearity)
    (1, False, True, "tanh"),
    (1, False, True, "relu"),
    (1, False, False, "tanh"),
    (2, False, True, "tanh"),
    (1, True, True, "tanh"),
    (2, True, True, "relu"),
    (2, True, False, "tanh"),
]


@pytest.mark.parametrize("num_layers, bidirectional, bias, nonlinearity", RNN_CASES)
def test_rnn_backward_matches_finite_differences(num_layers, bidirectional, bias, nonlinearity):
    rng = np.random.default_rng(1)
    T, B, D, H = 4, 2, 3, 3
    nd = 2 if bidirectional else 1
    params = make_params(rng, 1, D, H, num_layers, bidirectional, bias)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((num_layers * nd, B, H))
    # loss = sum(output * R) + sum(h_n * R_n): uses every output and the final states.
    R = rng.standard_normal((T, B, nd * H))
    R_n = rng.standard_normal((num_layers * nd, B, H))

    def loss() -> float:
        output, h_n, _ = rnn_forward(params, x, h0, num_layers=num_layers,
                                     bidirectional=bidirectional, nonlinearity=nonlinearity)
        return float(np.sum(output * R) + np.sum(h_n * R_n))

    _, _, cache = rnn_forward(params, x, h0, num_layers=num_layers,
                              bidirectional=bidirectional, nonlinearity=nonlinearity)
    grads = rnn_backward(params, cache, R, R_n)
    assert set(grads) == set(params) | {"input", "h0"}
    for name, value in params.items():
        assert_close(grads[name], numerical_gradient(loss, value), name)
    assert_close(grads["input"], numerical_gradient(loss, x), "input")
    assert_close(grads["h0"], numerical_gradient(loss, h0), "h0")


LSTM_CASES = [
    # (num_layers, bidirectional, bias)
    (1, False, True),
    (1, False, False),
    (2, False, True),
    (1, True, True),
    (2, True, True),
    (2, True, False),
]


@pytest.mark.parametrize("num_layers, bidirectional, bias", LSTM_CASES)
def test_lstm_backward_matches_finite_differences(num_layers, bidirectional, bias):
    rng = np.random.default_rng(2)
    T, B, D, H = 4, 2, 3, 2
    nd = 2 if bidirectional else 1
    params = make_params(rng, 4, D, H, num_layers, bidirectional, bias)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((num_layers * nd, B, H))
    c0 = rng.standard_normal((num_layers * nd, B, H))
    R = rng.standard_normal((T, B, nd * H))
    R_h = rng.standard_normal((num_layers * nd, B, H))
    R_c = rng.standard_normal((num_layers * nd, B, H))

    def loss() -> float:
        output, (h_n, c_n), _ = lstm_forward(params, x, (h0, c0), num_layers=num_layers,
                                             bidirectional=bidirectional)
        return float(np.sum(output * R) + np.sum(h_n * R_h) + np.sum(c_n * R_c))

    _, _, cache = lstm_forward(params, x, (h0, c0), num_layers=num_layers,
                               bidirectional=bidirectional)
    grads = lstm_backward(params, cache, R, R_h, R_c)
    assert set(grads) == set(params) | {"input", "h0", "c0"}
    for name, value in params.items():
        assert_close(grads[name], numerical_gradient(loss, value), name)
    assert_close(grads["input"], numerical_gradient(loss, x), "input")
    assert_close(grads["h0"], numerical_gradient(loss, h0), "h0")
    assert_close(grads["c0"], numerical_gradient(loss, c0), "c0")


def test_squared_error_loss_through_d_output():
    """Any loss works through d_output: here E = sum (output - target)^2."""
    rng = np.random.default_rng(3)
    T, B, D, H = 5, 2, 3, 3
    params = make_params(rng, 1, D, H)
    x = rng.standard_normal((T, B, D))
    target = rng.standard_normal((T, B, H))

    def loss() -> float:
        output, _, _ = rnn_forward(params, x)
        return float(np.sum((output - target) ** 2))

    output, _, cache = rnn_forward(params, x)
    grads = rnn_backward(params, cache, 2 * (output - target))
    for name, value in params.items():
        assert_close(grads[name], numerical_gradient(loss, value), name)


# --- forward semantics, written out for one step ------------------------------

def test_rnn_forward_first_step_and_final_states():
    rng = np.random.default_rng(4)
    T, B, D, H = 3, 2, 3, 2
    params = make_params(rng, 1, D, H, bidirectional=True)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((2, B, H))
    output, h_n, _ = rnn_forward(params, x, h0, bidirectional=True, nonlinearity="relu")
    assert output.shape == (T, B, 2 * H) and h_n.shape == (2, B, H)

    def step(x_t, h_prev, sfx):
        z = (x_t @ params[f"weight_ih_l0{sfx}"].T + params[f"bias_ih_l0{sfx}"]
             + h_prev @ params[f"weight_hh_l0{sfx}"].T + params[f"bias_hh_l0{sfx}"])
        return np.maximum(z, 0.0)

    # The forward net's first step reads x[0]; the backward net's first step reads x[T-1].
    np.testing.assert_allclose(output[0, :, :H], step(x[0], h0[0], ""), rtol=1e-14)
    np.testing.assert_allclose(output[T - 1, :, H:], step(x[T - 1], h0[1], "_reverse"), rtol=1e-14)
    # h_n: the forward net's state after x[T-1], the backward net's after x[0].
    np.testing.assert_array_equal(h_n[0], output[T - 1, :, :H])
    np.testing.assert_array_equal(h_n[1], output[0, :, H:])


def test_lstm_forward_first_step():
    rng = np.random.default_rng(5)
    T, B, D, H = 2, 2, 3, 2
    params = make_params(rng, 4, D, H)
    x = rng.standard_normal((T, B, D))
    h0, c0 = rng.standard_normal((1, B, H)), rng.standard_normal((1, B, H))
    output, (h_n, c_n), _ = lstm_forward(params, x, (h0, c0))

    def sigmoid(a):
        return 1 / (1 + np.exp(-a))

    a = (x[0] @ params["weight_ih_l0"].T + params["bias_ih_l0"]
         + h0[0] @ params["weight_hh_l0"].T + params["bias_hh_l0"])
    i = sigmoid(a[:, :H])
    f = sigmoid(a[:, H:2 * H])
    g = np.tanh(a[:, 2 * H:3 * H])
    o = sigmoid(a[:, 3 * H:])
    c = f * c0[0] + i * g
    np.testing.assert_allclose(output[0], o * np.tanh(c), rtol=1e-13)
    np.testing.assert_array_equal(h_n[0], output[-1])


def test_none_means_zero_states_and_zero_final_gradients():
    rng = np.random.default_rng(6)
    T, B, D, H = 3, 2, 3, 2
    params = make_params(rng, 4, D, H, num_layers=2)
    x = rng.standard_normal((T, B, D))
    zeros = np.zeros((2, B, H))
    out_none, _, cache_none = lstm_forward(params, x, None, num_layers=2)
    out_zero, _, cache_zero = lstm_forward(params, x, (zeros, zeros), num_layers=2)
    np.testing.assert_array_equal(out_none, out_zero)
    R = rng.standard_normal(out_none.shape)
    g_none = lstm_backward(params, cache_none, R)
    g_zero = lstm_backward(params, cache_zero, R, zeros, zeros)
    for name in g_none:
        np.testing.assert_array_equal(g_none[name], g_zero[name])


# --- RTRL ---------------------------------------------------------------------

@pytest.mark.parametrize("nonlinearity, bias", [("tanh", True), ("relu", True), ("tanh", False)])
def test_rtrl_equals_bptt(nonlinearity, bias):
    rng = np.random.default_rng(7)
    T, B, D, H = 5, 2, 3, 3
    params = make_params(rng, 1, D, H, bias=bias)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((1, B, H))
    R = rng.standard_normal((T, B, H))
    _, _, cache = rnn_forward(params, x, h0, nonlinearity=nonlinearity)
    bptt = rnn_backward(params, cache, R)
    rtrl = rnn_rtrl(params, x, h0, R, nonlinearity=nonlinearity)
    assert set(rtrl) == set(params) | {"h0"}
    for name in rtrl:
        np.testing.assert_allclose(rtrl[name], bptt[name], rtol=1e-10, atol=1e-12, err_msg=name)


# --- truncated BPTT -------------------------------------------------------------

def test_truncated_with_full_window_is_full_bptt():
    rng = np.random.default_rng(8)
    T, B, D, H = 5, 2, 3, 3
    params = make_params(rng, 1, D, H)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((1, B, H))
    R = rng.standard_normal((T, B, H))
    _, _, cache = rnn_forward(params, x, h0)
    full = rnn_backward(params, cache, R)
    (window,) = rnn_truncated_bptt(params, x, h0, R, T, T)
    assert set(window) == set(params) | {"h0"}
    for name in window:
        np.testing.assert_allclose(window[name], full[name], rtol=1e-12, err_msg=name)

    lstm_params = make_params(rng, 4, D, H)
    c0 = rng.standard_normal((1, B, H))
    _, _, cache = lstm_forward(lstm_params, x, (h0, c0))
    full = lstm_backward(lstm_params, cache, R)
    (window,) = lstm_truncated_bptt(lstm_params, x, (h0, c0), R, T, T)
    assert set(window) == set(lstm_params) | {"h0", "c0"}
    for name in window:
        np.testing.assert_allclose(window[name], full[name], rtol=1e-12, err_msg=name)


def expected_windows(T: int, k1: int, k2: int) -> list[tuple[int, int, int]]:
    """(start, first_loss, end) of each update of BPTT(k1, k2), spelled out independently.

    Updates at e = k1, 2 k1, ... and at T; each one takes the loss terms since
    the previous update and looks back k2 steps from where a full k1-window ends.
    """
    ends = list(range(k1, T + 1, k1))
    if T % k1:
        ends.append(T)
    windows, previous = [], 0
    for e in ends:
        windows.append((max(0, previous + k1 - k2), previous, e))
        previous = e
    return windows


def test_expected_windows_examples():
    # The short last window of the chunked scheme k1 = k2 = 2 over T = 5 is its own chunk.
    assert expected_windows(5, 2, 2) == [(0, 0, 2), (2, 2, 4), (4, 4, 5)]
    assert expected_windows(5, 2, 3) == [(0, 0, 2), (1, 2, 4), (3, 4, 5)]


TRUNCATION_CASES = [(1, 1), (1, 3), (2, 2), (2, 3), (2, 5), (3, 4), (5, 5), (4, 6)]


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
@pytest.mark.parametrize("k1, k2", TRUNCATION_CASES)
def test_truncated_windows_match_finite_differences(cell, k1, k2):
    rng = np.random.default_rng(9)
    T, B, D, H = 5, 2, 2, 2
    params = make_params(rng, 1 if cell == "rnn" else 4, D, H)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((1, B, H))
    c0 = rng.standard_normal((1, B, H))
    R = rng.standard_normal((T, B, H))
    if cell == "rnn":
        updates = rnn_truncated_bptt(params, x, h0, R, k1, k2)
        initial = {"h0": h0}
    else:
        updates = lstm_truncated_bptt(params, x, (h0, c0), R, k1, k2)
        initial = {"h0": h0, "c0": c0}

    # The states the net passes through, computed once, with the unperturbed weights.
    frozen_params = {name: value.copy() for name, value in params.items()}
    if cell == "rnn":
        h_seq, _, _ = rnn_forward(frozen_params, x, h0)
        visited = {"h0": h_seq}
    else:
        h_seq, _, cache = lstm_forward(frozen_params, x, (h0, c0))
        visited = {"h0": h_seq, "c0": cache.tapes[0].c}

    windows = expected_windows(T, k1, k2)
    assert len(updates) == len(windows)
    for grads, (start, first_loss, end) in zip(updates, windows):
        # The state entering the window is a constant, unless it is the true initial state.
        if start == 0:
            entering = initial
        else:
            entering = {name: seq[start - 1][None].copy() for name, seq in visited.items()}

        def window_loss() -> float:
            if cell == "rnn":
                out, _, _ = rnn_forward(params, x[start:end], entering["h0"])
            else:
                out, _, _ = lstm_forward(params, x[start:end], (entering["h0"], entering["c0"]))
            return float(np.sum(out[first_loss - start:] * R[first_loss:end]))

        assert set(grads) == set(params) | set(initial)
        for name, value in params.items():
            expected = numerical_gradient(window_loss, value)
            assert_close(grads[name], expected, f"{name}, window {start, first_loss, end}")
        for name in initial:
            if start == 0:
                assert_close(grads[name], numerical_gradient(window_loss, entering[name]), name)
            else:
                np.testing.assert_array_equal(grads[name], 0.0)


# --- argument errors ------------------------------------------------------------

@pytest.fixture
def rnn_setup():
    rng = np.random.default_rng(10)
    T, B, D, H = 3, 2, 3, 2
    return make_params(rng, 1, D, H), rng.standard_normal((T, B, D)), (T, B, D, H)


def test_forward_shape_errors(rnn_setup):
    params, x, (T, B, D, H) = rnn_setup
    with pytest.raises(ValueError, match=r"rnn_forward: x"
                       r" must be 3-D \(T, B, D\), got shape \(3, 3\)"):
        rnn_forward(params, x[:, 0])
    with pytest.raises(ValueError, match=r"rnn_forward: x"
                       r" must have shape .*\(3, 2, 3\), got \(3, 2, 4\)"):
        rnn_forward(params, np.zeros((T, B, D + 1)))
    with pytest.raises(ValueError, match=r"rnn_forward: h0"
                       r" must have shape .*\(1, 2, 2\), got \(2, 2, 2\)"):
        rnn_forward(params, x, np.zeros((2, B, H)))
    with pytest.raises(ValueError, match=r"rnn_forward: h0 .*\(2, 2, 2\), got \(1, 2, 2\)"):
        rnn_forward(make_params(np.random.default_rng(0), 1, D, H, bidirectional=True), x,
                    np.zeros((1, B, H)), bidirectional=True)
    with pytest.raises(ValueError, match=r"lstm_forward: c0"
                       r" must have shape .*\(1, 2, 2\), got \(1, 1, 2\)"):
        lstm_forward(make_params(np.random.default_rng(0), 4, D, H), x,
                     (np.zeros((1, B, H)), np.zeros((1, 1, H))))
    with pytest.raises(ValueError, match="rnn_forward: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        rnn_forward(params, x, nonlinearity="sigmoid")


def test_parameter_errors(rnn_setup):
    params, x, _ = rnn_setup
    missing = {k: v for k, v in params.items() if k != "weight_hh_l0"}
    with pytest.raises(ValueError, match="rnn_forward: params is missing key 'weight_hh_l0'"):
        rnn_forward(missing, x)
    with pytest.raises(ValueError, match="rnn_forward: params is missing key 'weight_ih_l1'"):
        rnn_forward(params, x, num_layers=2)
    with pytest.raises(ValueError, match=r"rnn_forward: params\['bias_hh_l0'\]"
                       r" must have shape .*\(2,\), got \(3,\)"):
        rnn_forward({**params, "bias_hh_l0": np.zeros(3)}, x)
    with pytest.raises(ValueError, match=r"lstm_forward: params\['weight_ih_l0'\]"
                       r" must have shape \(G\*H, D_k\) = \(8, 3\), got \(2, 3\)"):
        lstm_forward({**params, "weight_hh_l0": np.zeros((8, 2))}, x)
    with pytest.raises(ValueError, match=r"rnn_forward: params has unexpected keys"
                       r" \['weight_ih_l0_reverse'\] for num_layers=1, bidirectional=False"):
        rnn_forward({**params, "weight_ih_l0_reverse": params["weight_ih_l0"]}, x)


def test_backward_shape_errors(rnn_setup):
    params, x, (T, B, D, H) = rnn_setup
    _, _, cache = rnn_forward(params, x)
    with pytest.raises(ValueError, match=r"rnn_backward: d_output"
                       r" must have shape .*\(3, 2, 2\), got \(3, 2, 4\)"):
        rnn_backward(params, cache, np.zeros((T, B, 2 * H)))
    with pytest.raises(ValueError, match=r"rnn_backward: d_h_n"
                       r" must have shape .*\(1, 2, 2\), got \(2, 2\)"):
        rnn_backward(params, cache, np.zeros((T, B, H)), np.zeros((B, H)))
    with pytest.raises(ValueError, match="lstm_backward: cache"
                       " must be the Cache returned by lstm_forward"):
        lstm_backward(params, cache, np.zeros((T, B, H)))
    with pytest.raises(ValueError, match=r"rnn_rtrl: d_output"
                       r" must have shape .*\(3, 2, 2\), got \(2, 2, 2\)"):
        rnn_rtrl(params, x, None, np.zeros((T - 1, B, H)))


def test_truncation_errors(rnn_setup):
    params, x, (T, B, D, H) = rnn_setup
    d_output = np.zeros((T, B, H))
    with pytest.raises(ValueError, match=r"rnn_truncated_bptt: truncation needs integers"
                       r" k2 >= k1 >= 1, got k1=3, k2=2"):
        rnn_truncated_bptt(params, x, None, d_output, 3, 2)
    with pytest.raises(ValueError, match="rnn_truncated_bptt: truncation needs .* got k1=0"):
        rnn_truncated_bptt(params, x, None, d_output, 0, 2)
    lstm_params = make_params(np.random.default_rng(0), 4, D, H)
    with pytest.raises(ValueError, match="lstm_truncated_bptt: truncation needs .* got k1=2, k2=1"):
        lstm_truncated_bptt(lstm_params, x, None, d_output, 2, 1)
