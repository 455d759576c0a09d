"""RNN, LSTM, GRU unrolled on the engine: BPTT from the generic backward, against four oracles.

1. the hand-written numpy BPTT of seed 004 (nets/reference/), to 1e-10, the GRU included;
2. RTRL (Williams & Zipser) for the Elman RNN;
3. central finite differences (minigrad.testing.gradcheck), including the GRU;
4. PyTorch's own outputs and gradients, stored in tests/fixtures/torch_nets.npz
   by tests/fixtures/make_torch_fixture.py (PyTorch is not needed to run this).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import nets
from minigrad.testing import gradcheck
from nets import reference

NETS = {"rnn": nets.RNN, "lstm": nets.LSTM, "gru": nets.GRU}


def make_net(kind, D, H, layers=1, bidirectional=False, nonlinearity="tanh", seed=0, **options):
    if kind == "rnn":
        return nets.RNN(D, H, layers, nonlinearity=nonlinearity, bidirectional=bidirectional, rng=seed, **options)
    return NETS[kind](D, H, layers, bidirectional=bidirectional, rng=seed, **options)


configurations = st.fixed_dictionaries({
    "kind": st.sampled_from(["rnn-tanh", "rnn-relu", "lstm", "gru"]),
    "T": st.integers(1, 5), "B": st.integers(1, 3), "D": st.integers(1, 4), "H": st.integers(1, 4),
    "layers": st.integers(1, 2), "bidirectional": st.booleans(), "bias": st.booleans(),
    "with_h0": st.booleans(), "seed": st.integers(0, 2 ** 16),
})


def engine_and_reference(c):
    """Run the same configuration through the engine and the reference; return both gradient dicts."""
    kind, _, nonlinearity = c["kind"].partition("-")
    rng = np.random.default_rng(c["seed"])
    net = make_net(kind, c["D"], c["H"], c["layers"], c["bidirectional"], nonlinearity or "tanh",
                   seed=c["seed"], bias=c["bias"])
    nd = 2 if c["bidirectional"] else 1
    x = rng.standard_normal((c["T"], c["B"], c["D"]))
    R = rng.standard_normal((c["T"], c["B"], nd * c["H"]))
    states = [rng.standard_normal((c["layers"] * nd, c["B"], c["H"])) for _ in range(2)] if c["with_h0"] else None
    S = rng.standard_normal((c["layers"] * nd, c["B"], c["H"]))

    x_t = mg.Tensor(x, requires_grad=True)
    state_t = [mg.Tensor(s, requires_grad=True) for s in states] if states else None
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    if kind == "lstm":
        out, (h_n, c_n) = net(x_t, tuple(state_t) if state_t else None)
        loss = (out * R).sum() + (h_n * S).sum() + (c_n * S[::-1]).sum()
        ref_out, (ref_h, ref_c), cache = reference.lstm_forward(
            params, x, tuple(states) if states else None, num_layers=c["layers"], bidirectional=c["bidirectional"])
        ref_grads = reference.lstm_backward(params, cache, R, S, S[::-1])
    elif kind == "gru":
        out, h_n = net(x_t, state_t[0] if state_t else None)
        loss = (out * R).sum() + (h_n * S).sum()
        ref_out, ref_h, cache = reference.gru_forward(
            params, x, states[0] if states else None, num_layers=c["layers"], bidirectional=c["bidirectional"])
        ref_grads = reference.gru_backward(params, cache, R, S)
    else:
        out, h_n = net(x_t, state_t[0] if state_t else None)
        loss = (out * R).sum() + (h_n * S).sum()
        ref_out, ref_h, cache = reference.rnn_forward(
            params, x, states[0] if states else None, num_layers=c["layers"], bidirectional=c["bidirectional"],
            nonlinearity=nonlinearity)
        ref_grads = reference.rnn_backward(params, cache, R, S)
    loss.backward()
    np.testing.assert_allclose(out.data, ref_out, atol=1e-12)
    np.testing.assert_allclose(h_n.data, ref_h, atol=1e-12)
    grads = {name: p.grad for name, p in net.named_parameters()}
    grads["input"] = x_t.grad
    if state_t:
        grads["h0"] = state_t[0].grad
        if kind == "lstm":
            grads["c0"] = state_t[1].grad
    return grads, ref_grads


@settings(max_examples=100)
@given(c=configurations)
def test_engine_bptt_equals_hand_written_bptt(c) -> None:
    grads, ref_grads = engine_and_reference(c)
    for name, grad in grads.items():
        np.testing.assert_allclose(grad, ref_grads[name], atol=1e-10, rtol=0, err_msg=name)


@settings(max_examples=25)
@given(T=st.integers(1, 6), B=st.integers(1, 2), D=st.integers(1, 3), H=st.integers(1, 3),
       nonlinearity=st.sampled_from(["tanh", "relu"]), seed=st.integers(0, 2 ** 16))
def test_engine_bptt_equals_rtrl(T, B, D, H, nonlinearity, seed) -> None:
    rng = np.random.default_rng(seed)
    net = nets.RNN(D, H, nonlinearity=nonlinearity, rng=seed)
    x = rng.standard_normal((T, B, D))
    h0 = mg.Tensor(rng.standard_normal((1, B, H)), requires_grad=True)
    R = rng.standard_normal((T, B, H))
    out, _ = net(mg.Tensor(x), h0)
    (out * R).sum().backward()
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    rtrl = reference.rnn_rtrl(params, x, h0.data, R, nonlinearity=nonlinearity)
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, rtrl[name], atol=1e-10, err_msg=name)
    np.testing.assert_allclose(h0.grad, rtrl["h0"], atol=1e-10)


@settings(max_examples=30)
@given(kind=st.sampled_from(["rnn-tanh", "rnn-relu", "lstm", "gru"]), T=st.integers(1, 3), B=st.integers(1, 2),
       D=st.integers(1, 2), H=st.integers(1, 2), layers=st.integers(1, 2), bidirectional=st.booleans(),
       batch_first=st.booleans(), unbatched=st.booleans(), with_h0=st.booleans(), seed=st.integers(0, 999))
def test_gradients_of_every_parameter_input_and_h0_match_finite_differences(
        kind, T, B, D, H, layers, bidirectional, batch_first, unbatched, with_h0, seed) -> None:
    kind, _, nonlinearity = kind.partition("-")
    net = make_net(kind, D, H, layers, bidirectional, nonlinearity or "tanh", seed=seed, batch_first=batch_first)
    rng = np.random.default_rng(seed)
    nd = 2 if bidirectional else 1
    shape = (T, D) if unbatched else ((B, T, D) if batch_first else (T, B, D))
    # Keep relu pre-activations away from the kink by scaling the input.
    x = mg.Tensor(rng.standard_normal(shape), requires_grad=True, name="input")
    state_shape = (layers * nd, H) if unbatched else (layers * nd, B, H)
    n_states = 2 if kind == "lstm" else 1
    states = [mg.Tensor(rng.standard_normal(state_shape), requires_grad=True, name=f"s{k}")
              for k in range(n_states)] if with_h0 else []
    params = [p for _, p in net.named_parameters()]

    def loss(x, *rest):
        hx = None
        if with_h0:
            hx = tuple(rest[:n_states]) if kind == "lstm" else rest[0]
        out, h_n = net(x, hx)
        finals = h_n if isinstance(h_n, tuple) else (h_n,)
        total = (out * out).sum() * 0.5
        for f in finals:
            total = total + f.sum()
        return total

    assert gradcheck(loss, [x, *states, *params], atol=1e-6, rtol=1e-4)


def load_fixture():
    return np.load(Path(__file__).parent / "fixtures" / "torch_nets.npz")


@pytest.mark.parametrize("index", range(8))
def test_pytorch_state_dict_gives_pytorchs_outputs_and_gradients(index) -> None:
    fixture = load_fixture()
    kind, nonlinearity, layers, bidirectional, bias, batch_first, T, B, D, H = eval(str(fixture["configs"][index]))
    prefix = f"c{index}/"
    net = make_net(kind, D, H, layers, bidirectional, nonlinearity or "tanh", bias=bias, batch_first=batch_first)
    state_dict = {key[len(prefix + "param/"):]: fixture[key] for key in fixture.files
                  if key.startswith(prefix + "param/")}
    assert list(state_dict) == [name for name, _ in net.named_parameters()], "names and order as PyTorch's"
    net.load_state_dict(state_dict)
    x = mg.Tensor(fixture[prefix + "x"], requires_grad=True)
    h0 = mg.Tensor(fixture[prefix + "h0"], requires_grad=True)
    if kind == "lstm":
        c0 = mg.Tensor(fixture[prefix + "c0"], requires_grad=True)
        out, (h_n, c_n) = net(x, (h0, c0))
        loss = (out * fixture[prefix + "R"]).sum() + (h_n * fixture[prefix + "S"]).sum() \
            + (c_n * fixture[prefix + "U"]).sum()
        np.testing.assert_allclose(c_n.data, fixture[prefix + "c_n"], atol=1e-12)
    else:
        out, h_n = net(x, h0)
        loss = (out * fixture[prefix + "R"]).sum() + (h_n * fixture[prefix + "S"]).sum()
    loss.backward()
    np.testing.assert_allclose(out.data, fixture[prefix + "output"], atol=1e-12)
    np.testing.assert_allclose(h_n.data, fixture[prefix + "h_n"], atol=1e-12)
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, fixture[prefix + "grad/" + name], atol=1e-9, err_msg=name)
    np.testing.assert_allclose(x.grad, fixture[prefix + "grad/input"], atol=1e-9)
    np.testing.assert_allclose(h0.grad, fixture[prefix + "grad/h0"], atol=1e-9)
    if kind == "lstm":
        np.testing.assert_allclose(c0.grad, fixture[prefix + "grad/c0"], atol=1e-9)


def test_parameter_names_and_shapes_follow_pytorch() -> None:
    net = nets.LSTM(3, 5, num_layers=2, bidirectional=True)
    shapes = {name: p.shape for name, p in net.named_parameters()}
    assert list(shapes)[:4] == ["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]
    assert shapes["weight_ih_l0"] == (20, 3) and shapes["weight_hh_l0_reverse"] == (20, 5)
    assert shapes["weight_ih_l1"] == (20, 10)       # layer 1 reads [h_f; h_b]
    assert nets.GRU(3, 5, bias=False).weight_ih_l0.shape == (15, 3)
    assert "bias_ih_l0" not in dict(nets.GRU(3, 5, bias=False).named_parameters())


def test_initialisation_is_uniform_in_plus_minus_one_over_sqrt_h_and_seedable() -> None:
    net = nets.RNN(4, 16, rng=3)
    values = np.concatenate([p.data.ravel() for p in net.parameters()])
    assert np.all(np.abs(values) <= 0.25) and values.max() > 0.2 and values.min() < -0.2
    np.testing.assert_array_equal(net.weight_hh_l0.data, nets.RNN(4, 16, rng=3).weight_hh_l0.data)


def test_layouts_agree_batch_first_unbatched_and_time_major() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 2, 3))
    time_major = nets.GRU(3, 2, num_layers=2, bidirectional=True, rng=1)
    batch_first = nets.GRU(3, 2, num_layers=2, bidirectional=True, batch_first=True, rng=1)
    out, h = time_major(x)
    out_bf, h_bf = batch_first(x.transpose(1, 0, 2))
    np.testing.assert_allclose(out_bf.data, out.data.transpose(1, 0, 2))
    np.testing.assert_allclose(h_bf.data, h.data)
    out_single, h_single = time_major(x[:, 1])
    assert out_single.shape == (4, 4) and h_single.shape == (4, 2)
    np.testing.assert_allclose(out_single.data, out.data[:, 1], atol=1e-15)


def test_bidirectional_output_is_forward_then_flipped_backward_run() -> None:
    # Seed 004: the backward net is a forward net run on the input flipped in time.
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 2, 3))
    brnn = nets.BRNN(3, 4, cell="lstm", rng=0)
    forward_net, backward_net = nets.LSTM(3, 4), nets.LSTM(3, 4)
    state = brnn.state_dict()
    forward_net.load_state_dict({k: v for k, v in state.items() if not k.endswith("_reverse")})
    backward_net.load_state_dict({k[:-len("_reverse")]: v for k, v in state.items() if k.endswith("_reverse")})
    out, _ = brnn(x)
    out_f, _ = forward_net(x)
    out_b, _ = backward_net(x[::-1].copy())
    np.testing.assert_allclose(out.data[..., :4], out_f.data, atol=1e-15)
    np.testing.assert_allclose(out.data[..., 4:], out_b.data[::-1], atol=1e-15)


def test_steps_are_scoped_by_layer_direction_and_time() -> None:
    net = nets.RNN(2, 3, num_layers=2, bidirectional=True)
    out, _ = net(np.ones((3, 1, 2)))
    scopes = {t.scope for t in mg.topological_order(out.sum())}
    for layer in (0, 1):
        for direction in ("fwd", "bwd"):
            assert {f"layer{layer}/{direction}/t={t}" for t in range(3)} <= scopes


def test_gradient_pooling_t_contributions_to_weight_hh_sum_to_its_gradient() -> None:
    T = 6
    net = nets.RNN(2, 3, rng=0)
    x = np.random.default_rng(0).standard_normal((T, 2, 2))
    out, _ = net(x)
    (out * out).sum().backward(keep_contributions=True)
    contributions = net.weight_hh_l0.contributions
    assert sorted(scope for scope, _ in contributions) == sorted(f"layer0/fwd/t={t}" for t in range(T))
    np.testing.assert_allclose(sum(g for _, g in contributions), net.weight_hh_l0.grad, atol=1e-14)
    # Each contribution is dz(t)^T h(t-1) of the hand-written BPTT: at t = 0, h(-1) = 0.
    first = dict(contributions)["layer0/fwd/t=0"]
    np.testing.assert_array_equal(first, np.zeros((3, 3)))


def test_walking_parents_through_one_lstm_step_shows_the_gate_equations() -> None:
    net = nets.LSTM(2, 3, rng=0)
    out, _ = net(np.ones((2, 1, 2)))
    assert out.op == "stack"  # the outputs over time; parent 1 is h(1)
    h = out.parents[1]
    assert h.op == "mul"                                   # h = o ⊙ tanh(C)
    o, tanh_c = h.parents
    assert o.op == "getitem" and tanh_c.op == "tanh"
    c = tanh_c.parents[0]
    assert c.op == "add"                                   # C = f ⊙ C(t-1) + i ⊙ C~
    f_c, i_g = c.parents
    assert f_c.op == "mul" and i_g.op == "mul"
    f, c_prev = f_c.parents
    i, g = i_g.parents
    assert (f.op, i.op, g.op) == ("getitem", "getitem", "tanh")   # i, f, o: slices of σ(gates)
    sigma = f.parents[0]
    assert sigma.op == "sigmoid" and i.parents[0] is sigma and o.parents[0] is sigma
    gates = sigma.parents[0]
    assert gates.op == "linear" and g.parents[0].parents[0] is gates   # C~ = tanh(slice of gates)
    h_prev, weight_hh, x_proj_t = gates.parents                    # W_hh h(t-1) + (W_ih x(t) + b)
    assert weight_hh is net.weight_hh_l0 and x_proj_t.op == "getitem"
    assert h_prev is out.parents[0] and c_prev.name == "C"
    # the slices select i, f, o in PyTorch's gate order i, f, g, o
    H = 3
    np.testing.assert_array_equal(f.data, sigma.data[:, H:2 * H])
    np.testing.assert_array_equal(o.data, sigma.data[:, 3 * H:])
    assert all(t.scope == "layer0/fwd/t=1" for t in (h, o, c, f, i, g, gates, sigma))


def test_learnable_initial_state_gets_gradients() -> None:
    net = nets.LSTM(2, 3, num_layers=2, learn_initial_state=True, rng=0)
    assert net.h0.shape == (2, 3) and net.c0.shape == (2, 3)
    x = mg.Tensor(np.random.default_rng(0).standard_normal((3, 2, 2)))

    def loss(h0, c0):
        out, _ = net(x)
        return (out * out).sum()

    assert gradcheck(loss, [net.h0, net.c0])
    net.zero_grad()
    loss(net.h0, net.c0).backward()
    assert np.abs(net.h0.grad).sum() > 0


def test_cells_match_one_step_of_the_sequence_nets() -> None:
    rng = np.random.default_rng(0)
    x, h, c = rng.standard_normal((2, 3)), rng.standard_normal((2, 4)), rng.standard_normal((2, 4))
    for cell_class, net_class in ((nets.RNNCell, nets.RNN), (nets.LSTMCell, nets.LSTM), (nets.GRUCell, nets.GRU)):
        cell, net = cell_class(3, 4, rng=1), net_class(3, 4, rng=1)
        net.load_state_dict({k + "_l0": v for k, v in cell.state_dict().items()})
        if cell_class is nets.LSTMCell:
            h_cell, c_cell = cell(x, (h, c))
            _, (h_net, c_net) = net(x[None], (h[None], c[None]))
            np.testing.assert_allclose(c_cell.data, c_net.data[0], atol=1e-15)
        else:
            h_cell = cell(x, h)
            _, h_net = net(x[None], h[None])
        np.testing.assert_allclose(h_cell.data, h_net.data[0], atol=1e-15)


@pytest.mark.parametrize("call, error, message", [
    (lambda: nets.RNN(3, 4)(np.ones((2, 3, 5))), mg.ShapeError, r"RNN: input has 5 features .* input_size is 3"),
    (lambda: nets.RNN(3, 4)(np.ones(3)), mg.ShapeError, r"RNN: input must be \(T, B, D\).*got shape \(3,\)"),
    (lambda: nets.LSTM(3, 4)(np.ones((2, 1, 3)), np.zeros((1, 1, 4))), TypeError,
     r"LSTM: hx must be a tuple \(h0, c0\), got ndarray"),
    (lambda: nets.LSTM(3, 4)(np.ones((2, 1, 3)), (np.zeros((1, 1, 4)),)), ValueError,
     "LSTM: hx must be h0 and c0, got 1 tensors"),
    (lambda: nets.GRU(3, 4, num_layers=2)(np.ones((2, 5, 3)), np.zeros((1, 5, 4))), mg.ShapeError,
     r"GRU: h0 has shape \(1, 5, 4\), expected \(2, 5, 4\)"),
    (lambda: nets.RNN(3, 4, nonlinearity="sigmoid"), ValueError, "nonlinearity must be 'tanh' or 'relu'"),
    (lambda: nets.RNN(3, 4)(np.ones((0, 1, 3))), mg.ShapeError, "the input sequence is empty"),
    (lambda: nets.LSTMCell(3, 4)(np.ones((2, 4))), mg.ShapeError,
     r"LSTMCell: input has shape \(2, 4\), expected \(B, 3\) or \(3,\)"),
    (lambda: nets.RNNCell(3, 4)(1.0), mg.ShapeError, r"RNNCell: input has shape \(\), expected"),
    (lambda: nets.BRNN(3, 4, cell="elman"), ValueError, "BRNN: cell must be one of"),
    # The caller's layout, not the internal time-major one, is what the message shows.
    (lambda: nets.RNN(3, 4, batch_first=True)(np.ones((2, 5, 4))), mg.ShapeError,
     r"RNN: input has 4 features \(shape \(2, 5, 4\)\)"),
    (lambda: nets.RNN(3, 4)(np.ones((5, 4))), mg.ShapeError, r"RNN: input has 4 features \(shape \(5, 4\)\)"),
    (lambda: nets.RNN(3, 4)([[1.0, 2.0, 3.0], [1.0, 2.0]]), ValueError, "RNN: input must be an array of numbers"),
    (lambda: nets.LSTM(3, 4)(np.ones((2, 1, 3)), (None, np.zeros((1, 1, 4)))), TypeError,
     "LSTM: h0 must be an array of numbers"),
    (lambda: nets.LSTM(3, 4, 1, True, False, 0.5), ValueError,
     r"LSTM: dropout between layers is not implemented; only dropout=0 is accepted, got 0.5"),
    (lambda: nets.LSTM(3, 4, proj_size=2), ValueError, r"LSTM: projections \(proj_size\) are not implemented"),
    (lambda: nets.GRU(3, 4, bidirectional="yes"), TypeError, "GRU: bidirectional must be True or False, got 'yes'"),
    (lambda: nets.RNN(3, 0), ValueError, "RNN: hidden_size must be an integer >= 1, got 0"),
    (lambda: nets.ElmanNet(3, 0, 2), ValueError, "ElmanNet: hidden_size must be an integer >= 1, got 0"),
    (lambda: nets.JordanNet(0, 4, 2), ValueError, "JordanNet: input_size must be an integer >= 1, got 0"),
    (lambda: nets.GRUCell(3, 4, bias=None), TypeError, "GRUCell: bias must be True or False, got None"),
])
def test_bad_input_is_named(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_positional_arguments_follow_pytorchs_order() -> None:
    # torch.nn.LSTM(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional)
    net = nets.LSTM(3, 4, 2, False, True, 0.0, True)
    assert (net.num_layers, net.bias, net.batch_first, net.bidirectional) == (2, False, True, True)
    rnn = nets.RNN(3, 4, 1, "relu", True, False, 0.0, True)
    assert (rnn.nonlinearity, rnn.bidirectional) == ("relu", True)
    assert not rnn.learn_initial_state
    with pytest.raises(TypeError):
        nets.GRU(3, 4, 1, True, False, 0.0, False, True)   # learn_initial_state is keyword-only
