"""Truncated BPTT on the engine, and the Jordan / NARX / Elman nets with blocked gradients."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import nets
from minigrad import optim
from minigrad.testing import gradcheck, numerical_vjp
from nets import reference
from nets.simple import ElmanNet, JordanNet
from nets.training import truncated_bptt, truncation_windows


def linear_loss(R):
    """loss(output_slice, R_slice) = sum(output * R): dE/d(output) = R, as the reference takes it."""
    return lambda output, r: (output * r).sum()


@settings(max_examples=40)
@given(kind=st.sampled_from(["rnn", "lstm"]), T=st.integers(1, 8), k1=st.integers(1, 8), extra=st.integers(0, 4),
       seed=st.integers(0, 999))
def test_truncated_bptt_windows_equal_the_reference(kind, T, k1, extra, seed) -> None:
    k2 = k1 + extra
    rng = np.random.default_rng(seed)
    net = (nets.RNN if kind == "rnn" else nets.LSTM)(2, 3, rng=seed)
    x = rng.standard_normal((T, 2, 2))
    R = rng.standard_normal((T, 2, 3))
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    if kind == "rnn":
        h0 = rng.standard_normal((1, 2, 3))
        expected = reference.rnn_truncated_bptt(params, x, h0, R, k1, k2)
        hx = mg.Tensor(h0, requires_grad=True)
        initial = [hx]
    else:
        h0, c0 = rng.standard_normal((2, 1, 2, 3))
        expected = reference.lstm_truncated_bptt(params, x, (h0, c0), R, k1, k2)
        hx = (mg.Tensor(h0, requires_grad=True), mg.Tensor(c0, requires_grad=True))
        initial = list(hx)
    seen = 0
    # The generator yields after each window's backward, before the next one starts.
    for window, ref in zip(truncated_bptt(net, x, R, linear_loss(R), k1, k2, hx=hx), expected):
        seen += 1
        for name, p in net.named_parameters():
            np.testing.assert_allclose(p.grad, ref[name], atol=1e-10, err_msg=f"{name} {window}")
        for state, name in zip(initial, ("h0", "c0")):
            got = state.grad if state.grad is not None else np.zeros(state.shape)
            np.testing.assert_allclose(got, ref[name], atol=1e-10)
        net.zero_grad()
        for state in initial:
            state.grad = None
    assert seen == len(expected) == len(truncation_windows(T, k1, k2))


def test_truncation_with_k_equal_to_t_is_full_bptt() -> None:
    rng = np.random.default_rng(0)
    net = nets.GRU(2, 3, num_layers=2, rng=0)
    x, y = rng.standard_normal((6, 1, 2)), rng.standard_normal((6, 1, 3))
    out, _ = net(x)
    ((out - y) * (out - y)).sum().backward()
    full = {name: p.grad.copy() for name, p in net.named_parameters()}
    net.zero_grad()
    [window] = truncated_bptt(net, x, y, lambda o, t: ((o - t) * (o - t)).sum(), k1=6)
    assert (window.start, window.first_loss, window.end) == (0, 0, 6)
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, full[name], atol=1e-14)


def test_chunks_start_from_a_detached_state() -> None:
    # With k1 = k2 = k, the window [k, 2k) must not reach back into [0, k):
    # its gradient equals that of a fresh run from the (constant) state at k.
    rng = np.random.default_rng(1)
    net = nets.LSTM(2, 3, rng=1)
    x, R = rng.standard_normal((6, 1, 2)), rng.standard_normal((6, 1, 3))
    windows = truncated_bptt(net, x, R, linear_loss(R), k1=3)
    next(windows)
    net.zero_grad()
    next(windows)
    chunked = {name: p.grad.copy() for name, p in net.named_parameters()}
    with mg.no_grad():
        _, state = net(x[:3])
    net.zero_grad()
    out, _ = net(x[3:], tuple(s.detach() for s in state))
    (out * R[3:]).sum().backward()
    for name, p in net.named_parameters():
        np.testing.assert_allclose(chunked[name], p.grad, atol=1e-14)


def test_truncated_training_with_clipping_learns_a_delayed_copy() -> None:
    # Predict x(t-2) from a long sequence with BPTT(5, 10), seed 001's clipping.
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 1, 1))
    y = np.concatenate([np.zeros((2, 1, 1)), x[:-2]])
    net = nets.RNN(1, 8, rng=0)
    readout = mg.nn.Linear(8, 1, rng=0)
    params = list(net.parameters()) + list(readout.parameters())
    opt = optim.Adam(params, lr=0.02)

    class WithReadout:
        bidirectional, batch_first = False, False

        def __call__(self, x, hx=None):
            out, h = net(x, hx)
            return readout(out), h

    def mse(o, t):
        d = o - t
        return (d * d).mean()

    losses = []
    for epoch in range(8):
        for window in truncated_bptt(WithReadout(), x, y, mse, k1=5, k2=10):
            optim.clip_grad_norm_(params, 1.0)
            opt.step()
            opt.zero_grad()
            losses.append(window.loss.item())
    # The last epoch's error is a small fraction of the target's variance (about 1): a net
    # that had not learned to carry x(t-2) across time steps would score close to 1.
    assert np.mean(losses[-80:]) < 0.1 * np.var(y)
    assert np.mean(losses[-80:]) < 0.25 * np.mean(losses[:80])


def test_truncation_windows_and_errors() -> None:
    assert truncation_windows(5, 2, 2) == [(0, 0, 2), (2, 2, 4), (4, 4, 5)]
    assert truncation_windows(6, 2, 4) == [(0, 0, 2), (0, 2, 4), (2, 4, 6)]
    with pytest.raises(ValueError, match=r"truncated_bptt: k2 must be an integer >= 3, got 2"):
        truncation_windows(5, 3, 2)
    with pytest.raises(ValueError, match="bidirectional net needs the whole sequence"):
        truncated_bptt(nets.RNN(1, 2, bidirectional=True), np.ones((3, 1, 1)), None, None, 1)
    with pytest.raises(ValueError, match=r"truncated_bptt: k1 must be an integer >= 1, got 0"):
        truncated_bptt(nets.RNN(1, 2), np.ones((3, 1, 1)), None, None, 0)
    assert truncation_windows(4, np.int64(2), np.int64(2)) == [(0, 0, 2), (2, 2, 4)]


@pytest.mark.parametrize("x, targets, message", [
    (np.ones((5, 2, 1)), np.ones((3, 2, 2)),
     r"targets of shape \(3, 2, 2\) do not have the 5 steps of x \(shape \(5, 2, 1\)\) along axis 0"),
    (np.ones(5), np.ones((5, 2)), r"x must be \(T, B, D\).*got shape \(5,\)"),
    (np.ones((0, 2, 1)), np.ones((0, 2, 2)), "the input sequence is empty"),
])
def test_truncated_bptt_checks_its_sequences_at_the_call(x, targets, message) -> None:
    # Raised by the call itself, before any window runs.
    with pytest.raises(mg.ShapeError, match=message):
        truncated_bptt(nets.RNN(1, 2), x, targets, None, 2)


# ------------------------------------------------------- Elman and Jordan
def test_blocked_elman_gradient_is_the_sum_of_one_step_nets() -> None:
    # Seed 004: Elman training is "approximated as a set of T independent
    # 1-step history nets". Oracle: each step's loss differentiated with its
    # context h(t-1) held constant, by finite differences, summed over t.
    rng = np.random.default_rng(0)
    net = ElmanNet(2, 3, 1, blocked=True, rng=0)
    x, R = rng.standard_normal((4, 1, 2)), rng.standard_normal((4, 1, 1))
    (net(x) * R).sum().backward()
    with mg.no_grad():
        hidden = []
        h = np.zeros((1, 3))
        for t in range(4):
            h = np.tanh(x[t] @ net.weight_ih.data.T + net.bias_h.data + h @ net.weight_rh.data.T)
            hidden.append(h)
    params = list(net.parameters())
    expected = [np.zeros(p.shape) for p in params]
    for t in range(4):
        context = np.zeros((1, 3)) if t == 0 else hidden[t - 1]

        def one_step(*ps, t=t, context=context):
            h = (mg.Tensor(x[t]) @ net.weight_ih.T + net.bias_h + mg.Tensor(context) @ net.weight_rh.T).tanh()
            return (net.readout(h) * R[t]).sum()

        for k, estimate in enumerate(numerical_vjp(one_step, params, np.ones(()))):
            expected[k] += estimate
    for p, e in zip(params, expected):
        np.testing.assert_allclose(p.grad, e, atol=1e-7)


def test_unblocked_elman_net_is_the_rnn_trained_by_full_bptt() -> None:
    rng = np.random.default_rng(2)
    elman = ElmanNet(2, 3, 2, blocked=False, rng=0)
    x = mg.Tensor(rng.standard_normal((5, 2, 2)))
    assert gradcheck(lambda *ps: (elman(x) ** 2).sum(), list(elman.parameters()))
    rnn = nets.RNN(2, 3, rng=0)
    rnn.load_state_dict({"weight_ih_l0": elman.weight_ih.data, "weight_hh_l0": elman.weight_rh.data,
                         "bias_ih_l0": elman.bias_h.data, "bias_hh_l0": np.zeros(3)})
    out, _ = rnn(x)
    (elman.readout(out) ** 2).sum().backward()
    elman.readout.zero_grad()
    (elman(x) ** 2).sum().backward()
    np.testing.assert_allclose(rnn.weight_hh_l0.grad, elman.weight_rh.grad, atol=1e-13)
    np.testing.assert_allclose(rnn.weight_ih_l0.grad, elman.weight_ih.grad, atol=1e-13)


def test_jordan_memory_is_a_running_average_of_outputs() -> None:
    rng = np.random.default_rng(3)
    net = JordanNet(2, 4, 2, memory_decay=0.5, rng=0)
    x = rng.standard_normal((4, 1, 2))
    y = net(x).data
    W, U, b = net.weight_ih.data, net.weight_rh.data, net.bias_h.data
    V, c = net.readout.weight.data, net.readout.bias.data
    m, previous = np.zeros((1, 2)), np.zeros((1, 2))
    for t in range(4):
        m = 0.5 * m + previous if t else m
        h = np.tanh(x[t] @ W.T + m @ U.T + b)
        previous = h @ V.T + c
        np.testing.assert_allclose(y[t], previous, atol=1e-14)


@pytest.mark.parametrize("blocked", [False, True])
def test_jordan_gradients_match_finite_differences(blocked) -> None:
    rng = np.random.default_rng(4)
    net = JordanNet(2, 3, 2, memory_decay=0.3, blocked=blocked, rng=1)
    x = mg.Tensor(rng.standard_normal((4, 2, 2)))
    params = list(net.parameters())
    if not blocked:
        assert gradcheck(lambda *ps: (net(x) ** 2).sum(), params)
    else:
        # Blocked: the memory is a constant, so the gradient is that of the
        # net whose memory values are frozen at their forward values.
        (net(x) ** 2).sum().backward()
        with_blocking = [p.grad.copy() for p in params]
        assert any(np.abs(g).sum() > 0 for g in with_blocking)
        for p in params:
            p.grad = None
        net.blocked = False
        (net(x) ** 2).sum().backward()
        assert any(np.abs(p.grad - g).max() > 1e-6 for p, g in zip(params, with_blocking))


def test_teacher_forcing_feeds_back_the_target() -> None:
    rng = np.random.default_rng(5)
    net = JordanNet(1, 4, 1, rng=0)
    x, d = rng.standard_normal((5, 1, 1)), rng.standard_normal((5, 1, 1))
    forced = net(x, teacher=d).data
    # Oracle: step t sees d(t-1) through the memory, whatever the net output was.
    W, U, b = net.weight_ih.data, net.weight_rh.data, net.bias_h.data
    V, c = net.readout.weight.data, net.readout.bias.data
    for t in range(5):
        m = d[t - 1] if t else np.zeros((1, 1))
        np.testing.assert_allclose(forced[t], np.tanh(x[t] @ W.T + m @ U.T + b) @ V.T + c, atol=1e-14)
    with pytest.raises(mg.ShapeError, match=r"JordanNet: teacher must have shape \(5, 1, 1\)"):
        net(x, teacher=d[:3])
