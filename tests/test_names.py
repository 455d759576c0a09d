"""The unrolled graphs name their gates, states and inputs, and the op view shows those names.

Seed 000 ("LSTM memory cell summary") and seed 001 ("LSTM Equations") draw the forget gate,
the input gate, the candidate C~ and the output gate by name; a picture of the engine's graph
should let a student find them too, instead of four anonymous ``getitem`` nodes.
"""
from __future__ import annotations

import numpy as np

import minigrad as mg
import nets
from minigrad_cli.draw import make_drawing


def names_by_op(root: mg.Tensor) -> dict[str, set[str]]:
    """Walk ``parents`` from root: for each op (or "leaf"), the names of the tensors it made."""
    seen, stack, found = set(), [root], {}
    while stack:
        tensor = stack.pop()
        if id(tensor) in seen:
            continue
        seen.add(id(tensor))
        found.setdefault(tensor.op or "leaf", set()).add(tensor.name)
        stack.extend(tensor.parents)
    return found


def last_step(net, x):
    output, _ = net(x)
    return output[-1].sum()


def test_an_lstm_step_names_its_gates_and_states():
    loss = last_step(nets.LSTM(2, 3, rng=0), np.ones((3, 1, 2)))
    found = names_by_op(loss)
    assert {"i (input gate)", "f (forget gate)", "o (output gate)", "g's share of the gates"} <= found["getitem"]
    assert {"g = C~ (candidate)", "tanh(C)"} <= found["tanh"]
    assert {"C"} == found["add"] - {"b_ih + b_hh"}                       # C(t) = f ⊙ C(t-1) + i ⊙ C~
    assert {"h", "f ⊙ C(t-1)", "i ⊙ g"} <= found["mul"]
    assert {"σ(gates)"} == found["sigmoid"]
    assert {"gates W·[h, x] + b", "W_ih x + b, every t"} <= found["linear"]


def test_the_gates_are_named_where_the_equations_put_them():
    net = nets.LSTM(2, 3, rng=0)
    output, _ = net(np.ones((2, 1, 2)))
    h = output.parents[1]
    o, tanh_c = h.parents
    c = tanh_c.parents[0]
    kept, added = c.parents
    f, c_prev = kept.parents
    i, g = added.parents
    assert (h.name, o.name, tanh_c.name, c.name) == ("h", "o (output gate)", "tanh(C)", "C")
    assert (f.name, c_prev.name, i.name, g.name) == ("f (forget gate)", "C", "i (input gate)", "g = C~ (candidate)")
    H = 3   # PyTorch's gate order i, f, g, o: the names sit on the right slices
    np.testing.assert_array_equal(f.data, f.parents[0].data[:, H:2 * H])
    np.testing.assert_array_equal(o.data, o.parents[0].data[:, 3 * H:])


def test_a_gru_step_names_r_z_n_and_h():
    loss = last_step(nets.GRU(2, 3, rng=0), np.ones((3, 1, 2)))
    found = names_by_op(loss)
    assert {"r (reset gate)", "z (update gate)"} == found["sigmoid"]
    assert {"n (candidate)"} == found["tanh"]
    assert {"h", "r's pre-activation", "z's pre-activation", "n's pre-activation"} <= found["add"]
    assert {"r ⊙ (W_hn h + b_hn)", "(1 − z) ⊙ n", "z ⊙ h(t-1)"} <= found["mul"]
    assert {"1 − z"} == found["sub"]


def test_the_brnn_names_its_reversed_input_and_both_outputs():
    x = mg.Tensor(np.ones((3, 1, 2)), name="x")
    loss = last_step(nets.BRNN(2, 3, rng=0), x)
    found = names_by_op(loss)
    assert {"x", "x reversed in time"} <= found["leaf"]     # the reversed input is a second leaf
    assert {"h, every t", "h, reversed time"} == found["stack"]
    assert {"h, every t"} == found["flip"] and {"[h_f; h_b], every t"} == found["concatenate"]
    # an input that requires grad is reversed by a recorded flip op, named the same way
    x = mg.Tensor(np.ones((3, 1, 2)), requires_grad=True)
    found = names_by_op(last_step(nets.BRNN(2, 3, rng=0), x))
    assert "input reversed in time" in found["flip"]


def test_no_op_of_the_tour_is_anonymous():
    """Every op node of the pictures of docs/rendering.md carries a name, except the loss's own parts."""
    for kind in ("rnn", "brnn", "lstm", "gru"):
        x = mg.Tensor(np.ones((3, 1, 2)), name="x")
        net = {"rnn": nets.RNN, "brnn": nets.BRNN, "lstm": nets.LSTM, "gru": nets.GRU}[kind](2, 3, rng=0)
        output, _ = net(x)
        found = names_by_op(output)
        anonymous = sorted(op for op, names in found.items() if None in names and op != "leaf")
        assert anonymous == [], (kind, anonymous)


def test_the_op_view_shows_the_names():
    lstm = make_drawing("lstm", steps=2, view="op").source
    for name in ("i (input gate)", "f (forget gate)", "g = C~ (candidate)", "o (output gate)", "tanh(C)"):
        assert lstm.count(name) == 2, name                  # once per time step
    gru = make_drawing("gru", steps=2, view="op").source
    for name in ("r (reset gate)", "z (update gate)", "n (candidate)"):
        assert gru.count(name) == 2, name
    brnn = make_drawing("brnn", steps=2, view="op").source
    assert brnn.count("x reversed in time") == 1 and "h, reversed time" in brnn
