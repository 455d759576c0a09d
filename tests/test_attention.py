"""nets/attention.py: scaled_dot_product_attention, AttentionRNN, SelfAttention.

Oracles: PyTorch's values and gradients stored by
tests/fixtures/make_attention_fixture.py (F.scaled_dot_product_attention,
nn.MultiheadAttention with one head, and the AttentionRNN's equations written
in torch), central finite differences (gradcheck), and the algebra of
attention (causal rows that sum to 1, a one-hot weight row picks one value).
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import nets
from minigrad.testing import gradcheck

FIXTURE = np.load(Path(__file__).resolve().parent / "fixtures" / "torch_attention.npz")
SDPA_COUNT, MHA_COUNT, ARNN_COUNT = (int(n) for n in FIXTURE["counts"])


def close(actual, expected) -> None:
    np.testing.assert_allclose(actual, expected, rtol=1e-10, atol=1e-10)


# ---------------------------------------------------------------- against PyTorch
@pytest.mark.parametrize("index", range(SDPA_COUNT))
def test_scaled_dot_product_attention_matches_pytorch_in_values_and_gradients(index) -> None:
    prefix = f"sdpa{index}/"
    options = ast.literal_eval(str(FIXTURE[prefix + "options"]))
    q, k, v = (mg.Tensor(FIXTURE[prefix + name], requires_grad=True) for name in ("query", "key", "value"))
    mask = FIXTURE[prefix + "mask"] if prefix + "mask" in FIXTURE else None
    if mask is not None and mask.dtype != bool:
        mask = mg.Tensor(mask, requires_grad=True)
    out = nets.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=options["is_causal"],
                                            scale=options["scale"])
    close(out.data, FIXTURE[prefix + "output"])
    (out * mg.Tensor(FIXTURE[prefix + "R"])).sum().backward()
    for name, tensor in (("query", q), ("key", k), ("value", v)):
        close(tensor.grad, FIXTURE[prefix + "grad/" + name])
    if isinstance(mask, mg.Tensor):
        close(mask.grad, FIXTURE[prefix + "grad/mask"])


def test_the_fixture_covers_what_the_issue_asks() -> None:
    names = {ast.literal_eval(str(FIXTURE[f"sdpa{i}/options"]))["name"] for i in range(SDPA_COUNT)}
    assert {"unbatched", "batch", "heads", "heads_causal", "unbatched_causal", "fully_masked_row",
            "bool_mask", "float_mask"} <= names


@pytest.mark.parametrize("index", range(MHA_COUNT))
def test_self_attention_is_pytorch_multihead_attention_with_one_head_and_a_causal_mask(index) -> None:
    prefix = f"mha{index}/"
    x = mg.Tensor(FIXTURE[prefix + "x"], requires_grad=True)
    layer = nets.SelfAttention(x.shape[-1])
    state = {key[len(prefix + "param/"):]: FIXTURE[key] for key in FIXTURE.files if key.startswith(prefix + "param/")}
    assert list(state) == list(layer.state_dict())          # the same names, in the same order
    layer.load_state_dict(state)
    out = layer(x)
    close(out.data, FIXTURE[prefix + "output"])
    (out * mg.Tensor(FIXTURE[prefix + "R"])).sum().backward()
    close(x.grad, FIXTURE[prefix + "grad/input"])
    for name, parameter in layer.named_parameters():
        close(parameter.grad, FIXTURE[prefix + "grad/" + name])


@pytest.mark.parametrize("index", range(ARNN_COUNT))
def test_attention_rnn_matches_its_equations_written_in_pytorch(index) -> None:
    prefix = f"arnn{index}/"
    cell, score, T, B, D, H = ast.literal_eval(str(FIXTURE[prefix + "config"]))
    net = nets.AttentionRNN(D, H, cell=cell, score=score)
    net.load_state_dict({key[len(prefix + "param/"):]: FIXTURE[key] for key in FIXTURE.files
                         if key.startswith(prefix + "param/")})
    x = mg.Tensor(FIXTURE[prefix + "x"], requires_grad=True)
    output, state, weights = net(x)
    h_n = state[0] if cell == "lstm" else state
    close(output.data, FIXTURE[prefix + "output"])
    close(h_n.data, FIXTURE[prefix + "h_n"])
    close(weights.data, FIXTURE[prefix + "weights"])
    loss = (output * mg.Tensor(FIXTURE[prefix + "R"])).sum() + (weights * mg.Tensor(FIXTURE[prefix + "Q"])).sum()
    loss.backward()
    close(x.grad, FIXTURE[prefix + "grad/input"])
    for name, parameter in net.named_parameters():
        close(parameter.grad, FIXTURE[prefix + "grad/" + name])


# ---------------------------------------------------------------- finite differences
@pytest.mark.parametrize("shapes, options", [
    (((3, 2), (4, 2), (4, 3)), {}),
    (((2, 4, 3), (2, 4, 3), (2, 4, 2)), {"is_causal": True}),
    (((2, 2, 3, 2), (2, 2, 5, 2), (2, 2, 5, 2)), {"attn_mask": np.array([True, False, True, True, False])}),
    (((1, 3, 2), (2, 3, 2), (2, 3, 2)), {"scale": 0.3}),
], ids=["plain", "causal", "heads_bool_mask", "broadcast_scale"])
def test_scaled_dot_product_attention_passes_gradcheck(shapes, options) -> None:
    rng = np.random.default_rng(1)
    inputs = [mg.Tensor(rng.standard_normal(shape), requires_grad=True) for shape in shapes]
    assert gradcheck(lambda q, k, v: nets.scaled_dot_product_attention(q, k, v, **options), inputs,
                     atol=1e-7, rtol=1e-6)


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("score", ["dot", "general", "additive"])
def test_attention_rnn_passes_gradcheck_for_every_parameter_and_the_input(cell, score) -> None:
    net = nets.AttentionRNN(2, 3, cell=cell, score=score, rng=4)
    x = mg.Tensor(np.random.default_rng(5).standard_normal((4, 2, 2)), requires_grad=True)
    parameters = list(net.parameters())

    def run(x, *_):
        output, _, weights = net(x)
        return output.sum(axis=-1) + weights.sum(axis=0)[:, :1]      # both outputs reach the loss

    assert gradcheck(run, [x] + parameters, atol=1e-7, rtol=1e-5)


def test_self_attention_passes_gradcheck() -> None:
    layer = nets.SelfAttention(3, rng=2)
    layer.in_proj_bias.data[...] = np.random.default_rng(3).standard_normal(9)
    x = mg.Tensor(np.random.default_rng(4).standard_normal((2, 4, 3)), requires_grad=True)
    assert gradcheck(lambda x, *_: layer(x), [x] + list(layer.parameters()), atol=1e-7, rtol=1e-5)


# ---------------------------------------------------------------- the algebra of attention
def test_a_one_hot_weight_row_picks_one_value() -> None:
    key = np.eye(4) * 50.0                                     # query i matches key i overwhelmingly
    value = np.arange(8.0).reshape(4, 2)
    out = nets.scaled_dot_product_attention(mg.Tensor(key), mg.Tensor(key), mg.Tensor(value), scale=1.0)
    np.testing.assert_allclose(out.data, value, atol=1e-12)


def test_causal_query_t_sees_only_keys_up_to_t() -> None:
    rng = np.random.default_rng(0)
    q, k = rng.standard_normal((5, 3)), rng.standard_normal((5, 3))
    weights = nets.attention_weights(q, k, is_causal=True).data
    assert np.all(np.triu(weights, 1) == 0)
    np.testing.assert_allclose(weights.sum(-1), 1.0, rtol=1e-14)
    assert weights[0, 0] == 1.0                                # the first query has one key


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("score", ["dot", "general", "additive"])
def test_attention_rnn_weights_are_causal_rows_summing_to_one_and_the_context_is_their_average(cell, score) -> None:
    net = nets.AttentionRNN(3, 4, cell=cell, score=score, rng=0)
    x = np.random.default_rng(1).standard_normal((6, 2, 3))
    output, _, weights = net(x)
    assert output.shape == (6, 2, 4) and weights.shape == (2, 6, 6)
    w = weights.data
    assert np.all(np.triu(w, 1) == 0) and np.all(w >= 0)
    np.testing.assert_allclose(w.sum(-1), 1.0, rtol=1e-14)
    # h~(t) = tanh(W_c [h(t); c(t)]), c(t) = sum_s alpha(t, s) h(s), with h(t) from nets' own net.
    hidden, _ = net.rnn(x)
    h = hidden.data.transpose(1, 0, 2)                         # (B, T, H)
    context = w @ h
    expected = np.tanh(np.concatenate([h, context], -1) @ net.combine.weight.data.T)
    np.testing.assert_allclose(output.data.transpose(1, 0, 2), expected, atol=1e-13)


def test_attention_rnn_layouts_agree_and_its_final_state_is_the_recurrent_nets() -> None:
    rng = np.random.default_rng(2)
    x = rng.standard_normal((5, 3, 2))
    net = nets.AttentionRNN(2, 3, rng=1)
    output, (h_n, c_n), weights = net(x)
    lstm = nets.LSTM(2, 3)
    lstm.load_state_dict({name[len("rnn."):]: value for name, value in net.state_dict().items()
                          if name.startswith("rnn.")})
    _, (lstm_h, lstm_c) = lstm(x)
    np.testing.assert_array_equal(h_n.data, lstm_h.data)
    np.testing.assert_array_equal(c_n.data, lstm_c.data)
    first = nets.AttentionRNN(2, 3, batch_first=True)
    first.load_state_dict(net.state_dict())
    output_bf, _, weights_bf = first(x.transpose(1, 0, 2))
    np.testing.assert_array_equal(output_bf.data, output.data.transpose(1, 0, 2))
    np.testing.assert_array_equal(weights_bf.data, weights.data)
    alone, (h_alone, _), weights_alone = net(x[:, 1])
    assert alone.shape == (5, 3) and h_alone.shape == (1, 3) and weights_alone.shape == (5, 5)
    np.testing.assert_allclose(alone.data, output.data[:, 1], atol=1e-15)
    np.testing.assert_allclose(weights_alone.data, weights.data[1], atol=1e-15)


def test_attention_rnn_state_dict_round_trips_and_names_follow_pytorch() -> None:
    net = nets.AttentionRNN(2, 3, cell="gru", score="additive", rng=0)
    assert list(net.state_dict()) == ["rnn.weight_ih_l0", "rnn.weight_hh_l0", "rnn.bias_ih_l0", "rnn.bias_hh_l0",
                                      "attn_query.weight", "attn_key.weight", "attn_v.weight", "combine.weight"]
    other = nets.AttentionRNN(2, 3, cell="gru", score="additive", rng=9)
    other.load_state_dict(net.state_dict())
    x = np.random.default_rng(0).standard_normal((4, 1, 2))
    np.testing.assert_array_equal(other(x)[0].data, net(x)[0].data)
    assert net.state_dict()["combine.weight"].shape == (3, 6)


def test_initialisation_is_seedable_and_the_recurrent_part_is_the_nets_own() -> None:
    first, again, other = (nets.AttentionRNN(2, 4, rng=seed) for seed in (3, 3, 4))
    for name, value in first.state_dict().items():
        np.testing.assert_array_equal(value, again.state_dict()[name])
        assert not np.array_equal(value, other.state_dict()[name])
    bound = 1 / np.sqrt(4)                   # PyTorch's U(-1/sqrt(H), 1/sqrt(H)) for the recurrent weights
    assert all(np.abs(p.data).max() <= bound for p in first.rnn.parameters())
    layer = nets.SelfAttention(4, rng=0)
    assert np.abs(layer.in_proj_weight.data).max() <= np.sqrt(6 / 16)
    assert np.all(layer.in_proj_bias.data == 0) and np.all(layer.out_proj.bias.data == 0)


def test_each_step_of_the_attention_rnn_sits_in_its_time_step_scope() -> None:
    net = nets.AttentionRNN(2, 3, rng=0)
    output, _, _ = net(np.ones((3, 1, 2)))
    loss = output[2].sum()
    by_name = {}
    for tensor in mg.topological_order(loss):
        if tensor.name in ("h", "alpha", "context", "h~"):
            by_name.setdefault(tensor.name, set()).add(tensor.scope)
    steps = {f"layer0/fwd/t={t}" for t in range(3)}
    assert all(by_name[name] == steps for name in ("h", "alpha", "context", "h~"))
    # The loss at t=2 reaches every h(s) directly: the stack of h(0..2) is one op away from each.
    stacked = [t for t in mg.topological_order(loss) if t.op == "stack" and t.scope == "layer0/fwd/t=2"]
    assert any(sum(parent.name == "h" for parent in t.parents) == 3 for t in stacked)


# ---------------------------------------------------------------- a fully masked row
def test_a_fully_masked_row_gives_zeros_and_passes_no_gradient_as_in_pytorch() -> None:
    rng = np.random.default_rng(0)
    q, k, v = (mg.Tensor(rng.standard_normal(s), requires_grad=True) for s in ((3, 2), (4, 2), (4, 2)))
    mask = np.ones((3, 4), dtype=bool)
    mask[1] = False
    with np.errstate(all="raise"):             # no 0/0 or inf - inf anywhere, forward or backward
        out = nets.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        out.sum().backward()
    assert np.all(out.data[1] == 0) and np.all(np.isfinite(out.data))
    assert np.all(q.grad[1] == 0) and np.all(np.isfinite(k.grad)) and np.all(np.isfinite(v.grad))
    assert np.all(np.isfinite(q.grad))
    float_mask = np.where(mask, 0.0, -np.inf)
    again = nets.scaled_dot_product_attention(q, k, v, attn_mask=float_mask)
    np.testing.assert_array_equal(again.data, out.data)
    weights = nets.attention_weights(q, k, attn_mask=mask).data
    assert np.all(weights[1] == 0) and np.allclose(weights[[0, 2]].sum(-1), 1.0)


# ---------------------------------------------------------------- bad input
Q, K, V = np.zeros((2, 3, 4)), np.zeros((2, 5, 4)), np.zeros((2, 5, 6))
SDPA = "scaled_dot_product_attention"


@pytest.mark.parametrize("arguments, error, message", [
    ((np.zeros((2, 3, 4)), np.zeros((2, 5, 3)), V), mg.ShapeError,
     r"query \(\.\.\., L, E\) and key \(\.\.\., S, E\) must have the same E, got shapes \(2, 3, 4\) and \(2, 5, 3\)"),
    ((Q, K, np.zeros((2, 4, 6))), mg.ShapeError,
     r"key \(\.\.\., S, E\) and value \(\.\.\., S, Ev\) must have the same S, got shapes \(2, 5, 4\) and \(2, 4, 6\)"),
    ((np.zeros(4), K, V), mg.ShapeError, r"query must have at least 2 dimensions .* got shape \(4,\)"),
    ((np.zeros((3, 3, 4)), K, V), mg.ShapeError,
     r"the batch dimensions \(all but the last two\) must broadcast, got query \(3, 3, 4\), key \(2, 5, 4\)"),
    ((Q, K, V, np.ones((3, 4), dtype=bool)), mg.ShapeError,
     r"attn_mask of shape \(3, 4\) does not broadcast to the attention scores' shape \(2, 3, 5\)"),
    ((Q, K, V, np.ones((3, 5), dtype=np.int64)), TypeError,
     r"attn_mask must be boolean \(True = takes part in attention\) or float \(added to the scores\), got dtype int64"),
    (([[1.0], [2.0, 3.0]], K, V), ValueError, r"query must be an array of numbers"),
])
def test_bad_attention_input_is_refused_by_name(arguments, error, message) -> None:
    with pytest.raises(error, match=rf"^{SDPA}: {message}"):
        nets.scaled_dot_product_attention(*arguments)


def test_bad_attention_options_are_refused_by_name() -> None:
    with pytest.raises(ValueError, match=rf"^{SDPA}: give attn_mask or is_causal=True, not both"):
        nets.scaled_dot_product_attention(Q, K, V, np.ones((3, 5), dtype=bool), is_causal=True)
    with pytest.raises(ValueError, match=rf"^{SDPA}: dropout .* only dropout_p=0 is accepted, got 0.1"):
        nets.scaled_dot_product_attention(Q, K, V, dropout_p=0.1)
    with pytest.raises(TypeError, match=rf"^{SDPA}: is_causal must be True or False, got 'yes'"):
        nets.scaled_dot_product_attention(Q, K, V, is_causal="yes")


@pytest.mark.parametrize("options, error, message", [
    ({"cell": "transformer"}, ValueError, r"cell must be one of \['gru', 'lstm', 'rnn'\], got 'transformer'"),
    ({"score": "cosine"}, ValueError, r"score must be one of \['dot', 'general', 'additive'\], got 'cosine'"),
    ({"hidden_size": 0}, ValueError, r"hidden_size must be an integer >= 1, got 0"),
    ({"input_size": -2}, ValueError, r"input_size must be an integer >= 1, got -2"),
    ({"batch_first": "no"}, TypeError, r"batch_first must be True or False, got 'no'"),
])
def test_bad_attention_rnn_options_are_refused_by_name(options, error, message) -> None:
    arguments = {"input_size": 2, "hidden_size": 3, **options}
    with pytest.raises(error, match=rf"^AttentionRNN: {message}"):
        nets.AttentionRNN(**arguments)


def test_bad_attention_rnn_and_self_attention_input_is_refused_by_name() -> None:
    net = nets.AttentionRNN(2, 3)
    with pytest.raises(mg.ShapeError, match=r"^AttentionRNN: input has 4 features \(shape \(5, 1, 4\)\) but "
                                            r"input_size is 2"):
        net(np.zeros((5, 1, 4)))
    with pytest.raises(mg.ShapeError, match=r"^AttentionRNN: input must be \(T, B, D\).* got shape \(2,\)"):
        net(np.zeros(2))
    with pytest.raises(mg.ShapeError, match=r"^AttentionRNN: the input sequence is empty \(shape \(0, 1, 2\)\)"):
        net(np.zeros((0, 1, 2)))
    with pytest.raises(ValueError, match=r"^SelfAttention: d_model must be an integer >= 1, got 0"):
        nets.SelfAttention(0)
    with pytest.raises(mg.ShapeError, match=r"^SelfAttention: input must be \(\.\.\., T, 4\), got shape \(2, 5, 3\)"):
        nets.SelfAttention(4)(np.zeros((2, 5, 3)))


@pytest.mark.parametrize("mask, value, error, message", [
    (np.ones((2, 3)), 0.0, TypeError, r"mask must hold booleans, got dtype float64"),
    (mg.Tensor([1.0]), 0.0, TypeError, r"mask must be a numpy boolean array \(or a list of bools\), not a Tensor"),
    (np.ones((2, 4), dtype=bool), 0.0, mg.ShapeError,
     r"mask of shape \(2, 4\) does not broadcast to the tensor's shape \(2, 3\)"),
    (np.ones((2, 2, 3), dtype=bool), 0.0, mg.ShapeError,
     r"mask of shape \(2, 2, 3\) does not broadcast to the tensor's shape \(2, 3\)"),
    (np.ones(3, dtype=bool), "-inf", TypeError, r"value must be a number, got str"),
])
def test_masked_fill_refuses_bad_masks_by_name(mask, value, error, message) -> None:
    with pytest.raises(error, match=rf"^masked_fill: {message}"):
        mg.ops.masked_fill(mg.Tensor(np.zeros((2, 3))), mask, value)


def test_masked_fill_with_minus_infinity_passes_no_gradient_to_the_filled_positions() -> None:
    a = mg.Tensor([[1.0, 2.0, 3.0]], requires_grad=True)
    out = mg.ops.masked_fill(a, np.array([False, True, False]), -np.inf).softmax(-1)
    assert out.data[0, 1] == 0.0
    out[0, 0].backward()
    assert a.grad[0, 1] == 0.0 and np.all(np.isfinite(a.grad))


# ---------------------------------------------------------------- pictures
def test_the_cell_view_draws_an_arrow_from_every_earlier_step_into_each_step() -> None:
    from minigrad_cli.draw import make_drawing

    source = make_drawing(kind="attention", steps=4, view="cell").source
    cells = dict((int(t), key) for key, t in re.findall(r"^\s*(n\d+) \[label=<<b>RNN cell \+ attention, t=(\d)</b>",
                                                         source, re.M))
    assert sorted(cells) == [0, 1, 2, 3]
    for t in range(4):
        for s in range(t):
            assert re.search(rf"^\s*{cells[s]} -> {cells[t]} \[", source, re.M), (s, t)


def test_the_op_view_with_values_shows_the_softmax_weights() -> None:
    from minigrad_cli.draw import make_drawing

    source = make_drawing(kind="attention", steps=2, hidden=2, view="op", values=True).source
    shown = re.findall(r"<b>softmax</b>.*?alpha.*?value \[\[\[([^\]]*)\]\]\]", source)
    assert len(shown) == 2                          # one per step, named alpha, with its value
    assert sorted(len(values.split(",")) for values in shown) == [1, 2]
    assert all(abs(sum(float(v) for v in values.split(",")) - 1) < 2e-3 for values in shown)


def test_minigrad_draw_refuses_layers_for_the_attention_net(capsys) -> None:
    from minigrad_cli.draw import main

    assert main(["attention", "--layers", "2"]) == 2
    assert capsys.readouterr().err.strip() == "minigrad-draw: the attention net has one layer, got --layers 2"
