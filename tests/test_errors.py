"""The wording of the errors that issue 12 added: each names the callable, the argument, what it
expected and what it got (tests/test_fuzz_api.py checks only that the callable is named, over many
more values). Also clip_grad_norm_ with NaN and Inf gradients."""
from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
import nets
from minigrad import nn, optim
from minigrad.nn import functional as F
from minigrad.testing import strategies as mst
from nets import datasets


def x2() -> mg.Tensor:
    return mg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)


def graph() -> mg.Tensor:
    return (x2() * 2).sum()


def small_esn(**options) -> nets.ESN:
    return nets.ESN(**{"input_size": 1, "reservoir_size": 10, "output_size": 1, "seed": 0, **options})


def fitted_esn() -> nets.ESN:
    return small_esn().fit(np.sin(np.arange(30.0))[:, None], np.cos(np.arange(30.0))[:, None])


def generator_esn() -> nets.ESN:
    return small_esn(input_size=0, feedback=True).fit(np.zeros((40, 0)), np.sin(np.arange(40.0))[:, None])


RAGGED = [[1.0], []]

CASES = [
    # ------------------------------------------------------------------ the engine
    (lambda: graph().backward(keep_contributions=1.0), TypeError,
     "backward: keep_contributions must be False, True or 'all', got 1.0"),
    (lambda: x2().sum(0, keepdims="no"), TypeError, "sum: keepdims must be True or False, got 'no'"),
    (lambda: x2().mean(0, keepdims=None), TypeError, "mean: keepdims must be True or False, got None"),
    (lambda: x2().max(0, keepdims=1), TypeError, "max: keepdims must be True or False, got 1"),
    (lambda: x2().reshape((-2,)), mg.ShapeError,
     r"reshape: sizes must be >= 0, or -1 for one inferred size, got shape \(-2,\)"),
    (lambda: mg.concatenate(x2()), TypeError, "concatenate: tensors must be a list or tuple of Tensors, got Tensor"),
    (lambda: mg.stack([x2(), [[1.0, 2.0], [3.0, 4.0]]]), TypeError,
     r"stack: tensors\[1\] must be a minigrad.Tensor, got list; wrap it first"),
    (lambda: mg.unbroadcast([1.0], (1,)), TypeError, "unbroadcast: grad must be a numpy array, got list"),
    (lambda: mg.unbroadcast(np.ones((3, 2)), (3,)), mg.ShapeError,
     r"unbroadcast: a gradient of shape \(2,\) cannot be summed down to shape \(3,\)"),
    (lambda: mg.unbroadcast(np.ones((3, 2)), 2), mg.ShapeError,
     r"unbroadcast: a gradient of shape \(3, 2\) cannot be summed down to shape 2 \(shape must be a tuple"),
    (lambda: x2() + RAGGED, ValueError,
     "add: an operand is not an array of numbers .*nested lists must have the same length"),
    (lambda: F.linear(x2(), np.ones((3, 2))), TypeError, "linear: expected a Tensor, got ndarray"),
    (lambda: F.linear("abc", mg.Tensor(np.ones((3, 2)))), TypeError,
     "linear: an operand is not an array of numbers .*got string data"),
    (lambda: F.linear(x2(), mg.Tensor(np.ones((3, 2))), RAGGED), ValueError,
     "linear: an operand is not an array of numbers"),
    (lambda: mg.topological_order(np.ones(2)), TypeError,
     "topological_order: root must be a minigrad.Tensor, got ndarray"),
    (lambda: mg.scope(3), TypeError, "scope: name must be a string, got 3"),
    (lambda: mg.set_grad_enabled(None), TypeError, "set_grad_enabled: mode must be True or False, got None"),
    # ------------------------------------------------------------------ drawing
    (lambda: mg.draw([1.0]), TypeError, "draw: root must be a minigrad.Tensor, got list"),
    (lambda: mg.draw(graph(), view="OP"), ValueError, "draw: view must be one of 'op', 'cell', got 'OP'"),
    (lambda: mg.draw(graph(), first_last=1.5), TypeError, "draw: first_last must be an integer >= 1, got 1.5"),
    (lambda: mg.draw(graph(), cell_name=None), TypeError, "draw: cell_name must be a string, got None"),
    (lambda: mg.draw(graph(), step_pattern="("), ValueError,
     r"draw: step_pattern '\(' is not a regular expression \(missing \)"),
    (lambda: mg.draw(graph(), step_pattern=r"t=\d+"), ValueError,
     "draw: step_pattern must have a group that captures the time index"),
    (lambda: mg.draw(graph(), small=-1), ValueError, "draw: small must be an integer >= 0, got -1"),
    (lambda: mg.draw(graph(), title=3), TypeError, "draw: title must be a string or None, got 3"),
    (lambda: mg.draw(graph(), values="no"), TypeError, "draw: values must be True or False, got 'no'"),
    (lambda: mg.animate_backward(graph(), max_steps=0), ValueError,
     "animate_backward: max_steps must be an integer >= 1, got 0"),
    (lambda: mg.draw(graph()).render("/proc/graph"), FileNotFoundError,
     r"Drawing.render: cannot write '/proc/graph' \(No such file or directory\)"),
    (lambda: mg.draw(graph()).render("graph", directory="/proc/a"), FileNotFoundError,
     "Drawing.render: cannot create the folder '/proc/a'"),
    (lambda: mg.draw(graph()).render(3), TypeError, "Drawing.render: filename must be a str or a pathlib.Path, got int"),
    (lambda: mg.draw(graph()).save("/proc/graph.gv"), FileNotFoundError, "Drawing.save: cannot write '/proc/graph.gv'"),
    # ------------------------------------------------------------------ minigrad.testing
    (lambda: mg.testing.gradcheck("tanh", [x2()]), TypeError, "gradcheck: fn must be callable, got 'tanh'"),
    (lambda: mg.testing.gradcheck(lambda x: x.tanh(), x2()), TypeError,
     "gradcheck: inputs must be a list or tuple of Tensors, got Tensor"),
    (lambda: mg.testing.gradcheck(lambda x: x.tanh(), [np.ones(2)]), TypeError,
     r"gradcheck: inputs\[0\] must be a minigrad.Tensor, got ndarray"),
    (lambda: mg.testing.gradcheck(lambda x: x.tanh(), [x2()], eps=0.0), ValueError,
     r"gradcheck: eps must be a finite number in \(0.0, inf\], got 0.0"),
    (lambda: mg.testing.gradcheck(lambda x: x.tanh(), [x2()], atol=math.nan), ValueError,
     "gradcheck: atol must be a finite number in .*, got nan"),
    (lambda: mg.testing.gradcheck(lambda x: x.tanh(), [x2()], rtol="1"), TypeError,
     "gradcheck: rtol must be a number, got '1'"),
    (lambda: mg.testing.gradcheck(lambda x: x.tanh(), [x2()], seed=-1), ValueError,
     "gradcheck: seed must be an integer >= 0, got -1"),
    (lambda: mg.testing.numerical_vjp(lambda x: 3.0, [x2()], np.ones(2)), TypeError,
     "numerical_vjp: fn must return a Tensor, got float"),
    (lambda: mg.testing.numerical_vjp(lambda x: x.tanh(), [x2()], np.ones(3)), mg.ShapeError,
     r"numerical_vjp: upstream has shape \(3,\) but fn's output has shape \(2, 2\)"),
    (lambda: mg.testing.numerical_vjp(lambda x: x.tanh(), [x2()], np.ones((2, 2)) * 1j), TypeError,
     "numerical_vjp: upstream must be real numbers, got complex data"),
    (lambda: mst.shapes(min_dims=2, max_dims=1), ValueError,
     "shapes: max_dims must be >= min_dims, got min_dims=2, max_dims=1"),
    (lambda: mst.shapes(max_side=-1), ValueError, "shapes: max_side must be an integer >= 0, got -1"),
    (lambda: mst.arrays((-1,)), ValueError, r"arrays: shape\[0\] must be an integer >= 0, got -1"),
    (lambda: mst.arrays("a"), TypeError, "arrays: shape must be a tuple of sizes or a strategy of tuples, got 'a'"),
    (lambda: mst.arrays((2,), low=3.0, high=-3.0), ValueError, "arrays: high must be >= low, got low=3.0, high=-3.0"),
    (lambda: mst.arrays((2,), min_gap=5.0), ValueError, r"arrays: min_gap=5.0 leaves no value in \[-3.0, 3.0\]"),
    (lambda: mst.tensors((2,), requires_grad=1), TypeError, "tensors: requires_grad must be True or False, got 1"),
    (lambda: mst.tensors((1.5,)), TypeError, r"tensors: shape\[0\] must be an integer >= 0, got 1.5"),
    (lambda: mst.axes(-1), ValueError, "axes: ndim must be an integer >= 0, got -1"),
    (lambda: mst.axis_tuples("2"), TypeError, "axis_tuples: ndim must be an integer >= 0, got '2'"),
    # ------------------------------------------------------------------ losses
    (lambda: F.mse_loss(np.zeros(2), np.zeros(2)), TypeError, "mse_loss: input must be a minigrad.Tensor, got ndarray"),
    (lambda: F.mse_loss(mg.Tensor(np.zeros(2)), RAGGED), ValueError, "mse_loss: target must be an array of numbers"),
    (lambda: F.nll_loss([[0.0, 1.0]], np.array([0])), TypeError, "nll_loss: input must be a minigrad.Tensor, got list"),
    (lambda: F.nll_loss(mg.Tensor(np.zeros((2, 3))), [[0], []]), ValueError,
     r"nll_loss: target must be a rectangular array of class indices, got \[\[0\], \[\]\]"),
    (lambda: F.cross_entropy(None, np.array([0])), TypeError,
     "cross_entropy: input must be a minigrad.Tensor, got NoneType"),
    (lambda: F.cross_entropy(mg.Tensor(np.zeros((2, 3))), np.array([0, 3])), ValueError,
     r"cross_entropy: class indices must be in \[0, 3\), got values from 0 to 3"),
    (lambda: F.cross_entropy(mg.Tensor(np.zeros((2, 3))), np.array([0, 1]), "max"), ValueError,
     "cross_entropy: reduction must be 'mean', 'sum' or 'none', got 'max'"),
    # ------------------------------------------------------------------ nets
    (lambda: nets.LSTMCell(3, 4)(np.ones((2, 3)), 3), TypeError, r"LSTMCell: hx must be a tuple \(h, c\), got int"),
    (lambda: nets.LSTMCell(3, 4)(np.ones((2, 3)), (None,)), ValueError, "LSTMCell: hx must be h and c, got 1 tensors"),
    (lambda: nets.LSTM(3, 4)(np.ones((2, 1, 3)), 3), TypeError, r"LSTM: hx must be a tuple \(h0, c0\), got int"),
    (lambda: nets.BRNN(3, 0), ValueError, "BRNN: RNN: hidden_size must be an integer >= 1, got 0"),
    (lambda: nets.BRNN(3, 4, cell="gru", rng="seed"), TypeError, "BRNN: GRU: rng must be None, an integer seed"),
    (lambda: nets.JordanNet(3, 4, 2, memory_decay=math.nan), ValueError,
     r"JordanNet: memory_decay must be a finite number in \[0.0, 1.0\], got nan"),
    (lambda: nets.ElmanNet(3, 4, 2 ** 62), MemoryError,
     r"ElmanNet: the readout \(hidden_size, output_size\) cannot be allocated"),
    (lambda: nets.truncated_bptt(nn.Linear(3, 4), np.ones((4, 2, 3)), np.zeros((4, 2, 4)), F.mse_loss, 2), TypeError,
     "truncated_bptt: net must be an RNN, LSTM or GRU .*got Linear"),
    (lambda: nets.truncated_bptt(nets.RNN(3, 4), np.ones((4, 2, 3)), np.zeros((4, 2, 4)), "mse", 2), TypeError,
     "truncated_bptt: loss_fn must be callable, got 'mse'"),
    (lambda: nets.truncated_bptt(nets.RNN(3, 4), np.ones((4, 2, 3)), RAGGED, F.mse_loss, 2), ValueError,
     r"truncated_bptt: targets must be a rectangular array \(nested lists of equal lengths\)"),
    (lambda: small_esn().fit("abc", np.ones((5, 1))), TypeError, "ESN.fit: X must be real numbers, got string data"),
    (lambda: small_esn().fit(np.full((5, 1), math.nan), np.ones((5, 1))), ValueError,
     r"ESN.fit: X contains NaN or Inf \(first at step 0, column 0: nan\)"),
    (lambda: small_esn().fit(np.ones((5, 1)), np.ones((4, 1))), ValueError,
     "ESN.fit: X and Y must have the same number of steps, got 5 and 4"),
    (lambda: fitted_esn().predict(np.full((5, 1), math.nan)), ValueError, "ESN.predict: X contains NaN or Inf"),
    (lambda: fitted_esn().predict(np.ones((5, 1)), reset="no"), TypeError,
     "ESN.predict: reset must be True or False, got 'no'"),
    (lambda: generator_esn().generate(3, RAGGED), ValueError,
     "ESN.generate: warmup must be a rectangular array of real numbers"),
    (lambda: generator_esn().generate(0), ValueError, "ESN.generate: n_steps must be an integer >= 1, got 0"),
    (lambda: small_esn().collect_states(np.ones((5, 1)), initial_state=np.full(10, math.nan)), ValueError,
     "ESN.collect_states: initial_state contains NaN or Inf"),
    (lambda: small_esn().collect_states(np.ones((5, 1)), initial_state="abc"), TypeError,
     "ESN.collect_states: initial_state must be real numbers, got string data"),
    (lambda: small_esn(seed=-1), ValueError, "ESN: seed must be an integer >= 0, got -1"),
    (lambda: small_esn(seed=1.5), TypeError, "ESN: seed must be an integer >= 0, got 1.5"),
    (lambda: small_esn(input_size=2 ** 62), MemoryError, r"ESN: a parameter of shape \(10, 4611686018427387905\)"),
    (lambda: small_esn(output_size=2 ** 62), MemoryError,
     "ESN: an output of output_size=4611686018427387904 numbers cannot be allocated"),
    (lambda: small_esn(reservoir_size=2 ** 62), MemoryError,
     "random_reservoir: 4611686018427387904 units with .* links each cannot be allocated"),
    (lambda: datasets.mackey_glass(5, tau=math.nan), ValueError,
     r"mackey_glass: tau must be a finite number in \(0.0, inf\], got nan"),
    (lambda: datasets.mackey_glass(5, a="1"), TypeError, "mackey_glass: a must be a number, got '1'"),
    (lambda: datasets.mackey_glass(5, x0=math.inf), ValueError, "mackey_glass: x0 must be a finite number in .*got inf"),
]


@pytest.mark.parametrize("call, error, message", CASES, ids=lambda case: case if isinstance(case, str) else "")
def test_the_message_names_the_callable_the_argument_and_the_value(call, error, message) -> None:
    with pytest.raises(error, match=message):
        call()


def test_a_bad_value_leaves_nothing_behind(tmp_path) -> None:
    # numerical_vjp and gradcheck refuse before perturbing anything; unbroadcast's fast path is unchanged.
    x = x2()
    with pytest.raises(TypeError):
        mg.testing.gradcheck(lambda t: t.tanh(), [x], seed="0")
    assert x.grad is None and np.array_equal(x.data, [[1.0, 2.0], [3.0, 4.0]])
    grad = np.ones((2, 3))
    assert mg.unbroadcast(grad, (2, 3)) is grad
    np.testing.assert_array_equal(mg.unbroadcast(grad, (1, 3)), [[2.0, 2.0, 2.0]])


def test_the_draw_command_refuses_a_net_too_large_to_draw(capsys) -> None:
    from minigrad_cli.draw import main
    with pytest.raises(SystemExit) as stop:
        main(["rnn", "--layers", "100000000000000000000"])
    assert stop.value.code == 2
    assert capsys.readouterr().err == ("minigrad-draw: error: argument --layers: expected at most 16 (a picture "
                                       "of more is unreadable), got 100000000000000000000 (see minigrad-draw --help)\n")


# ------------------------------------------------------------------ clip_grad_norm_ and nonfinite gradients
def parameters_with(bad: float) -> list[mg.Tensor]:
    a, b = nn.Parameter(np.zeros(3)), nn.Parameter(np.zeros(2))
    a.grad, b.grad = np.array([1.0, bad, 2.0]), np.array([3.0, 4.0])
    return [a, b]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_error_if_nonfinite_true_raises_naming_the_norm_and_leaves_the_gradients(bad) -> None:
    params = parameters_with(bad)
    norm = "nan" if math.isnan(bad) else "inf"
    with pytest.raises(RuntimeError, match=rf"clip_grad_norm_: the total norm of order 2.0 of the gradients of "
                                           rf"2 parameters is {norm}, so they cannot be clipped"):
        optim.clip_grad_norm_(params, 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(params[0].grad, [1.0, bad, 2.0])
    np.testing.assert_array_equal(params[1].grad, [3.0, 4.0])


def test_error_if_nonfinite_false_scales_a_nan_norm_into_nan_gradients() -> None:
    # PyTorch's rule: scale by max_norm / (norm + 1e-6) = NaN, so every gradient becomes NaN.
    params = parameters_with(math.nan)
    assert math.isnan(optim.clip_grad_norm_(params, 1.0, error_if_nonfinite=False))
    assert np.isnan(params[0].grad).all() and np.isnan(params[1].grad).all()


def test_error_if_nonfinite_false_scales_an_inf_norm_to_zero() -> None:
    # max_norm / (inf + 1e-6) = 0: the finite entries become 0, the infinite one inf * 0 = NaN (as PyTorch).
    params = parameters_with(math.inf)
    with np.errstate(invalid="ignore"):                          # numpy warns of the inf * 0
        assert optim.clip_grad_norm_(params, 1.0) == math.inf    # False is the default
    np.testing.assert_array_equal(params[0].grad, [0.0, math.nan, 0.0])
    np.testing.assert_array_equal(params[1].grad, [0.0, 0.0])


def test_a_finite_norm_is_clipped_the_same_with_either_setting() -> None:
    # ||(1, 2, 2, 3, 4)|| = sqrt(34): both settings scale by 1 / (sqrt(34) + 1e-6).
    for flag in (True, False):
        params = parameters_with(2.0)
        assert optim.clip_grad_norm_(params, 1.0, error_if_nonfinite=flag) == pytest.approx(math.sqrt(34))
        np.testing.assert_allclose(params[0].grad, np.array([1.0, 2.0, 2.0]) / (math.sqrt(34) + 1e-6))
