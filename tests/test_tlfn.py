"""nets.TLFN, the focused time-lagged feedforward net (seed 000, "Tapped delay line memory").

Oracles: the net written out in numpy (algebra), central finite differences,
and, for the finite window, the gradients themselves: dy(t)/dx(s) is zero
exactly when s < t - delays or s > t.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
import nets
from minigrad.testing import gradcheck


def numpy_tlfn(net: nets.TLFN, x: np.ndarray) -> np.ndarray:
    """The same net by its definition: y(t) = W_y f(W_h [x(t), ..., x(t-d)] + b_h) + b_y, x(s < 0) = 0."""
    T, B, D = x.shape
    f = np.tanh if net.nonlinearity == "tanh" else (lambda z: np.maximum(z, 0.0))
    y = np.zeros((T, B, net.output_size))
    for t in range(T):
        u = np.concatenate([x[t - k] if t - k >= 0 else np.zeros((B, D)) for k in range(net.delays + 1)], axis=1)
        h = f(u @ net.hidden.weight.data.T + net.hidden.bias.data)
        y[t] = h @ net.readout.weight.data.T + net.readout.bias.data
    return y


@given(T=st.integers(1, 6), B=st.integers(1, 3), D=st.integers(1, 3), H=st.integers(1, 4), O=st.integers(1, 2),
       delays=st.integers(0, 7), nonlinearity=st.sampled_from(["tanh", "relu"]), seed=st.integers(0, 999))
def test_output_is_the_mlp_of_the_delay_line(T, B, D, H, O, delays, nonlinearity, seed) -> None:
    net = nets.TLFN(D, H, O, delays, nonlinearity=nonlinearity, rng=seed)
    x = np.random.default_rng(seed).standard_normal((T, B, D))
    y = net(x)
    assert y.shape == (T, B, O)
    np.testing.assert_allclose(y.data, numpy_tlfn(net, x), atol=1e-12)


@given(T=st.integers(1, 5), B=st.integers(1, 2), D=st.integers(1, 2), delays=st.integers(0, 6),
       seed=st.integers(0, 999))
def test_gradients_of_input_and_every_parameter_match_finite_differences(T, B, D, delays, seed) -> None:
    net = nets.TLFN(D, 3, 2, delays, rng=seed)
    x = mg.Tensor(np.random.default_rng(seed).standard_normal((T, B, D)), requires_grad=True)
    weights = np.random.default_rng(seed + 1).standard_normal((T, B, 2))

    def loss(x, *params):
        return (net(x) * mg.Tensor(weights)).sum()

    assert gradcheck(loss, [x, *net.parameters()], atol=1e-6, rtol=1e-4)


@pytest.mark.parametrize("delays", [0, 1, 3, 9])
def test_output_at_t_has_no_gradient_from_inputs_older_than_its_window(delays) -> None:
    T, B, D = 8, 2, 3
    net = nets.TLFN(D, 4, 1, delays, rng=1)
    x_data = np.random.default_rng(2).standard_normal((T, B, D))
    for t in range(T):
        x = mg.Tensor(x_data, requires_grad=True)
        net(x)[t].sum().backward()
        reach = np.abs(x.grad).sum(axis=(1, 2))          # (T,): how much x(s) moved y(t), by gradient
        inside = [s for s in range(T) if t - delays <= s <= t]
        outside = [s for s in range(T) if s not in inside]
        assert np.all(reach[outside] == 0.0), (t, reach)
        assert np.all(reach[inside] > 0.0), (t, reach)   # and every step inside the window does count


def test_the_delay_line_holds_the_shifted_inputs() -> None:
    x = mg.Tensor(np.arange(1.0, 5.0).reshape(4, 1, 1))        # x(0..3) = 1, 2, 3, 4
    taps = nets.tlfn.tapped_delay_line(x, 2)
    assert taps.data[:, 0, :].tolist() == [[1, 0, 0], [2, 1, 0], [3, 2, 1], [4, 3, 2]]


# A value of the wrong kind is a TypeError, one out of range a ValueError (minigrad/_checks.py).
@pytest.mark.parametrize("arguments, error, message", [
    ((2, 3, 1, -1), ValueError, "TLFN: delays must be an integer >= 0, got -1"),
    ((2, 3, 1, 2.0), TypeError, "TLFN: delays must be an integer >= 0, got 2.0"),
    ((2, 3, 1, True), TypeError, "TLFN: delays must be an integer >= 0, got True"),
    ((2, 3, 1, "2"), TypeError, "TLFN: delays must be an integer >= 0, got '2'"),
    ((0, 3, 1, 2), ValueError, "TLFN: input_size must be an integer >= 1, got 0"),
    ((2, 2.5, 1, 2), TypeError, "TLFN: hidden_size must be an integer >= 1, got 2.5"),
    ((2, 3, False, 2), TypeError, "TLFN: output_size must be an integer >= 1, got False"),
])
def test_bad_sizes_and_delays_are_named(arguments, error, message) -> None:
    with pytest.raises(error) as raised:
        nets.TLFN(*arguments)
    assert str(raised.value) == message


def test_bad_nonlinearity_and_input_shape_are_named() -> None:
    with pytest.raises(ValueError, match="TLFN: nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        nets.TLFN(2, 3, 1, 2, nonlinearity="sigmoid")
    with pytest.raises(mg.ShapeError, match=r"TLFN: input must have shape \(T, B, 2\) with T >= 1, got \(5, 3\)"):
        nets.TLFN(2, 3, 1, 2)(np.zeros((5, 3)))
