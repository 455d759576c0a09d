"""Fuzz the public API: every argument slot of every public callable, fed bad values.

``TABLE`` lists each public constructor, function and method with a valid set
of arguments and, per argument slot, a strategy of values that are wrong for
that slot: wrong types, NaN, Inf, negative, huge, empty, ragged, None. The one
property: a call with one slot replaced either

- raises one of the documented exception types (docs/errors.md) with a
  message that names the callable, or
- succeeds, only where the value is marked ``Legal`` (an odd value the
  callable is meant to take, such as an empty array), and then its result
  passes the entry's check.

A numpy or Python message from deep inside, or a bad value silently accepted,
fails the test and shows the call. The default profile runs a few dozen
examples per entry (well under a minute); ``MINIGRAD_HYPOTHESIS_PROFILE=thorough``
runs many more.

Sizes stay small on purpose: the "huge" values (2**62, 10**30) are beyond what
can be allocated at all, so they fail at once instead of filling the memory.
"""
from __future__ import annotations

import contextlib
import io
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import nets
from minigrad import nn, optim
from minigrad.nn import functional as F
from minigrad.testing import strategies as mst
from nets import datasets

# The exception types docs/errors.md lists (ShapeError and CheckpointError are ValueErrors).
DOCUMENTED = (TypeError, ValueError, IndexError, KeyError, RuntimeError, MemoryError, OSError)


@dataclass(frozen=True)
class Legal:
    """A value the slot may accept (an edge case, not a mistake); the result is then checked."""

    value: Any


@dataclass
class Entry:
    name: str                                   # how the callable's messages name it
    call: Callable[..., Any]                    # call(**arguments)
    valid: Callable[[], dict]                   # a fresh set of valid arguments
    bad: dict[str, st.SearchStrategy]           # per slot: values to try there
    check: Callable[[Any], bool] = lambda result: True     # what a successful result must satisfy
    names: tuple[str, ...] = field(default=())  # other names a message may use (the op it forwards to)


nan, inf = math.nan, math.inf


def one_of(*values: Any) -> st.SearchStrategy:
    return st.sampled_from(values)


NOT_NUMBERS = [None, "1", b"1", [1.0], (1,), {}, object(), 1j, np.array([1.0, 2.0])]
RAGGED = st.lists(st.lists(st.floats(-5, 5), max_size=3), min_size=2, max_size=4).filter(
    lambda rows: len({len(row) for row in rows}) > 1)
# For slots where None means "the default" (an initial state, a bias, a teacher): everything but None.
BAD_GIVEN_DATA = st.one_of(RAGGED, one_of("abc", ["a", "b"], object(), np.ones(3) * 1j, [1 + 2j, 3.0],
                                          {"a": 1.0}, {1.0, 2.0}, [[1.0, 2.0], [3.0]], [None, 1.0]))
BAD_DATA = st.one_of(BAD_GIVEN_DATA, st.just(None))
NOT_A_TENSOR = one_of(None, [1.0, 2.0], np.ones(2), "x", 3.0, object())
BAD_FLAG = one_of(None, "yes", "no", 1, 0, 1.0, nan, [], [True])
BAD_RNG = one_of(-1, 1.5, "seed", True, nan, object(), [1, 2], np.random.RandomState(0))
BAD_PATH = one_of("/nonexistent-folder/x.npz", "/proc/x.npz", "/", "", None, 3, ["x.npz"])


def count(minimum: int = 1, huge: bool = True, optional: bool = False) -> st.SearchStrategy:
    """Values that are not integers >= minimum (``huge``: also sizes nothing can allocate;
    ``optional``: None is the slot's default, not a mistake)."""
    wrong = [minimum - 1, -1, 1.5, float(minimum + 1), True, False, nan, inf, -inf,
             np.float64(minimum + 2)] + NOT_NUMBERS
    wrong = [v for v in wrong if not (isinstance(v, int) and not isinstance(v, bool) and v >= minimum)
             and not (optional and v is None)]
    strategies = [st.sampled_from(wrong), st.integers(max_value=minimum - 1)]
    if huge:
        strategies.append(one_of(2 ** 62, 10 ** 30))
    return st.one_of(*strategies)


def number(low: float = 0.0, high: float = inf, *, low_open: bool = False, high_open: bool = False,
           allow_inf: bool = False) -> st.SearchStrategy:
    """Values that are not real numbers in the interval: outside it, NaN, infinite, not numbers."""
    outside = st.floats(allow_nan=False, allow_infinity=False).filter(
        lambda v: (v <= low if low_open else v < low) or (v >= high if high_open else v > high))
    fixed = [nan, True] + NOT_NUMBERS + ([] if allow_inf else [inf, -inf])
    if low > -inf:
        fixed.append(low if low_open else low - 1)
    if high < inf:
        fixed.append(high if high_open else high + 1)
    return st.one_of(st.sampled_from(fixed), outside)


def params() -> list[mg.Tensor]:
    return list(nn.Linear(2, 2, rng=0).parameters())


BAD_PARAMS = st.one_of(one_of([], None, 3, "ab", nn.Linear(2, 2), mg.Tensor([1.0], requires_grad=True),
                              [mg.Tensor([1.0])], [np.ones(2)], [None]),
                       st.builds(lambda: [mg.Tensor([1.0], requires_grad=True) * 2]),
                       st.builds(lambda: 2 * [mg.Tensor([1.0], requires_grad=True)]))
AXIS = one_of(1.5, "0", 5, -5, (0, 0), [0.5], object(), True)


def with_grads() -> list[mg.Tensor]:
    ps = params()
    for p in ps:
        p.grad = np.ones_like(p.data)
    return ps


def x2() -> mg.Tensor:
    return mg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)


def is_tensor(result: Any) -> bool:
    return isinstance(result, mg.Tensor)


def is_path(result: Any) -> bool:
    return isinstance(result, str) and Path(result).is_file()


FOLDER = Path()     # set by the `folder` fixture below to a pytest tmp_path folder: nothing is written elsewhere


def small_esn(**options: Any) -> "nets.ESN":
    return nets.ESN(**{"input_size": 1, "reservoir_size": 10, "output_size": 1, "seed": 0, **options})


def fitted_esn() -> "nets.ESN":
    return small_esn().fit(np.sin(np.arange(30.0))[:, None], np.cos(np.arange(30.0))[:, None])


def generator_esn() -> "nets.ESN":
    esn = small_esn(input_size=0, feedback=True)
    series = np.sin(np.arange(40.0) / 3)[:, None]
    return esn.fit(np.zeros((40, 0)), series)


def state_dict_of_linear() -> dict:
    return nn.Linear(2, 2, rng=0).state_dict()


def sequence(steps: int = 4, batch: int = 2, features: int = 3) -> np.ndarray:
    return np.random.default_rng(0).standard_normal((steps, batch, features))


BAD_STATE_DICT = one_of(None, [], "weight", 3, {"weight": "abc", "bias": np.zeros(2)},
                        {"weight": None, "bias": np.zeros(2)}, {"weight": [[1.0], [2.0, 3.0]], "bias": np.zeros(2)},
                        {"weight": np.zeros((3, 3)), "bias": np.zeros(2)}, {1: np.zeros(2)}, {"bias": np.zeros(2)},
                        {"weight": np.ones((2, 2)) * 1j, "bias": np.zeros(2)})

RECURRENT_ARGUMENTS = dict(input_size=count(), hidden_size=count(), num_layers=count(huge=False), bias=BAD_FLAG,
                           batch_first=BAD_FLAG, dropout=one_of(0.5, -1, nan, "0", None, np.zeros(2)),
                           bidirectional=BAD_FLAG, learn_initial_state=BAD_FLAG, rng=BAD_RNG)
CELL_ARGUMENTS = dict(input_size=count(), hidden_size=count(), bias=BAD_FLAG, rng=BAD_RNG)
ESN_ARGUMENTS = dict(input_size=count(0), reservoir_size=count(), output_size=count(),
                     spectral_radius=number(), leak_rate=number(0.0, 1.0, low_open=True),
                     connectivity=number(0.0, 1.0, low_open=True), input_scaling=number(), bias_scaling=number(),
                     ridge=number(), feedback=BAD_FLAG, feedback_scaling=number(), include_input=BAD_FLAG,
                     seed=BAD_RNG)
BAD_SEQUENCE = st.one_of(BAD_DATA, one_of(np.full((5, 1), nan), np.ones(5), np.ones((5, 2)), np.ones((0, 1))))


def mse(output: mg.Tensor, target: Any) -> mg.Tensor:
    return F.mse_loss(output, mg.Tensor(target))


TABLE = [
    # ------------------------------------------------------------------ minigrad
    Entry("Tensor", mg.Tensor, lambda: dict(data=[1.0, 2.0], requires_grad=False, dtype=None, name=None),
          dict(data=st.one_of(BAD_DATA, one_of(Legal([]), Legal([[]]), Legal(nan), Legal([inf, -inf]),
                                               Legal(True), Legal(1e308), Legal(np.ones((2, 0))))),
               requires_grad=BAD_FLAG, dtype=one_of("float16", np.int64, "foo", 3, object(), complex),
               name=one_of(3, object(), ["a"])), is_tensor),
    Entry("Parameter", nn.Parameter, lambda: dict(data=[1.0], requires_grad=True),
          dict(data=BAD_DATA, requires_grad=BAD_FLAG), is_tensor),
    Entry("backward", lambda grad, keep: (x2() * 2).backward(grad, keep),
          lambda: dict(grad=np.ones((2, 2)), keep=False),
          dict(grad=st.one_of(BAD_DATA, one_of(np.ones(3), np.ones((2, 2, 1)), 1.0)),
               keep=one_of("some", 2, None, "ALL", 1.0))),
    *[Entry(op, lambda axis, keepdims, op=op: getattr(x2(), op)(axis, keepdims),
            lambda: dict(axis=0, keepdims=False), dict(axis=AXIS, keepdims=BAD_FLAG), is_tensor)
      for op in ("sum", "mean", "max")],
    Entry("reshape", lambda shape: x2().reshape(shape), lambda: dict(shape=(4,)),
          dict(shape=one_of((-2,), (5,), "a", 1.5, None, (2, 2, 2), [1.5], object()))),
    Entry("transpose", lambda axes: x2().transpose(*axes), lambda: dict(axes=(1, 0)),
          dict(axes=one_of((0, 0), (0,), (0, 1, 2), (1.5, 0), ("a", "b"), (5, 0)))),
    Entry("flip", lambda axis: x2().flip(axis), lambda: dict(axis=0), dict(axis=AXIS)),
    *[Entry(op, lambda axis, op=op: getattr(x2(), op)(axis), lambda: dict(axis=-1),
            dict(axis=one_of(None, 1.5, "0", 5, (0, 1), True))) for op in ("softmax", "log_softmax")],
    Entry("getitem", lambda index: x2()[index], lambda: dict(index=0),
          dict(index=one_of(1.5, "a", 5, (0, 0, 0), [5], np.array([1.5]), {}, object(),
                            mg.Tensor([0.0]), Legal(None), Legal(slice(5, 9))))),
    *[Entry(op, lambda tensors, axis, op=op: getattr(mg, op)(tensors, axis),
            lambda: dict(tensors=[x2(), x2()], axis=0),
            dict(tensors=one_of(None, 3, "ab", [], x2(), [x2(), "x"], [x2(), [[1.0], [2.0, 3.0]]],
                                [x2(), mg.Tensor(np.ones(3))], [x2(), None]),
                 axis=one_of(None, 1.5, "0", 5, -5, (0,))), is_tensor) for op in ("concatenate", "stack")],
    Entry("unbroadcast", mg.unbroadcast, lambda: dict(grad=np.ones((3, 2)), shape=(2,)),
          dict(grad=one_of(None, [1.0, 2.0], "x", np.ones((3, 3)), np.ones(1)),
               shape=one_of(None, 3, "ab", (3,), (2, 2), (1.5,), (-1,)))),
    Entry("topological_order", mg.topological_order, lambda: dict(root=x2() * 2), dict(root=NOT_A_TENSOR)),
    Entry("manual_seed", mg.manual_seed, lambda: dict(seed=0), dict(seed=BAD_RNG)),
    Entry("scope", mg.scope, lambda: dict(name="t=0"), dict(name=one_of(None, 3, "", "a/b", object(), b"x"))),
    Entry("set_grad_enabled", mg.set_grad_enabled, lambda: dict(mode=True), dict(mode=BAD_FLAG)),
    Entry("draw", lambda root, view, values, first_last, cell_name, step_pattern, small, title: mg.draw(
              root, view=view, values=values, first_last=first_last, cell_name=cell_name,
              step_pattern=step_pattern, small=small, title=title).source,
          lambda: dict(root=(x2() * 2).sum(), view="op", values=False, first_last=None, cell_name="cell",
                       step_pattern=r"t=(\d+)", small=6, title=None),
          dict(root=NOT_A_TENSOR, view=one_of("x", None, 3, "OP"), values=BAD_FLAG,
               first_last=st.one_of(count(huge=False, optional=True), one_of(Legal(2 ** 62))),
               cell_name=one_of(None, 3, object()), step_pattern=one_of("(", None, 3, r"t=\d+", "[a-"),
               small=st.one_of(count(0, huge=False), one_of(Legal(2 ** 62))), title=one_of(3, object()))),
    Entry("Drawing.render", lambda filename, directory: mg.draw((x2() * 2).sum()).render(filename, directory),
          lambda: dict(filename="graph", directory=str(FOLDER)),
          dict(filename=one_of("/proc/graph", "/proc/a/graph", 3, ["graph"], object()),
               directory=one_of("/proc/a", "/proc", 3, ["x"], "/dev/null")), is_path),
    Entry("Drawing.save", lambda filename: mg.draw((x2() * 2).sum()).save(filename),
          lambda: dict(filename=str(FOLDER / "graph.gv")),
          dict(filename=one_of("/proc/graph.gv", "/nonexistent-folder/graph.gv", "/", 3, ["x"], object())), is_path),
    Entry("save", mg.save, lambda: dict(obj=nn.Linear(2, 2), path=str(FOLDER / "fuzz.npz")),
          dict(obj=one_of("x", None, [1.0], {"a": "b"}, {"a/b": 1.0}, {"": 1.0}, {"a": object()},
                          {"a": {"b": [[1.0], [2.0, 3.0]]}}, {3: 1.0}, mg.Tensor([1.0])),
               path=BAD_PATH)),
    Entry("load", mg.load, lambda: dict(path=str(FOLDER / "valid.npz")),
          dict(path=one_of("/nonexistent-folder/x.npz", "/", "/proc/self/status", None, 3, "", ["x"]))),
    # ------------------------------------------------------------------ minigrad.testing
    Entry("gradcheck", mg.testing.gradcheck,
          lambda: dict(fn=lambda x: x.tanh(), inputs=[x2()], eps=1e-6, atol=1e-5, rtol=1e-3, seed=0),
          dict(fn=one_of(None, 3, "tanh", lambda x: 3.0), inputs=one_of(None, 3, x2(), [np.ones(2)], [], ["x"]),
               eps=number(0.0, inf, low_open=True), atol=number(), rtol=number(), seed=BAD_RNG)),
    Entry("numerical_vjp", mg.testing.numerical_vjp,
          lambda: dict(fn=lambda x: x.tanh(), inputs=[x2()], upstream=np.ones((2, 2)), eps=1e-6),
          dict(fn=one_of(None, 3), inputs=one_of(None, 3, x2(), [np.ones(2)]),
               upstream=st.one_of(BAD_DATA, one_of(np.ones(3), np.ones((2, 2, 2)))),
               eps=number(0.0, inf, low_open=True))),
    Entry("shapes", mst.shapes, lambda: dict(min_dims=0, max_dims=3, min_side=1, max_side=4),
          dict(min_dims=count(0, huge=False), max_dims=st.one_of(count(0, huge=False), one_of(-1)),
               min_side=count(0, huge=False), max_side=count(0, huge=False))),
    Entry("arrays", mst.arrays, lambda: dict(shape=(2,), low=-3.0, high=3.0, min_gap=0.0),
          dict(shape=one_of(None, "a", (-1,), (1.5,)), low=number(-inf, inf, allow_inf=False),
               high=number(-inf, inf), min_gap=number())),
    Entry("tensors", mst.tensors, lambda: dict(shape=(2,), requires_grad=True),
          dict(shape=one_of("a", (-1,), (1.5,)), requires_grad=BAD_FLAG)),
    Entry("axes", mst.axes, lambda: dict(ndim=2, allow_none=True), dict(ndim=count(0, huge=False),
                                                                         allow_none=BAD_FLAG)),
    Entry("axis_tuples", mst.axis_tuples, lambda: dict(ndim=2), dict(ndim=count(0, huge=False))),
    # ------------------------------------------------------------------ minigrad.nn
    Entry("Linear", nn.Linear, lambda: dict(in_features=2, out_features=3, bias=True, rng=0, dtype=None),
          dict(in_features=count(0), out_features=count(0), bias=BAD_FLAG, rng=BAD_RNG,
               dtype=one_of("float16", "foo", 3, np.int32))),
    Entry("Linear", lambda x: nn.Linear(2, 3, rng=0)(x), lambda: dict(x=np.ones((4, 2))),
          dict(x=st.one_of(BAD_DATA, one_of(np.ones(3), np.ones((4, 3)), 1.0))), is_tensor, ("linear",)),
    Entry("load_state_dict", lambda state_dict, strict: nn.Linear(2, 2).load_state_dict(state_dict, strict),
          lambda: dict(state_dict=state_dict_of_linear(), strict=True),
          dict(state_dict=BAD_STATE_DICT, strict=BAD_FLAG)),
    Entry("zero_grad", lambda set_to_none: nn.Linear(2, 2).zero_grad(set_to_none), lambda: dict(set_to_none=True),
          dict(set_to_none=BAD_FLAG)),
    Entry("train", lambda mode: nn.Linear(2, 2).train(mode), lambda: dict(mode=True), dict(mode=BAD_FLAG)),
    Entry("ModuleList", nn.ModuleList, lambda: dict(modules=[nn.Linear(1, 1)]),
          dict(modules=one_of(None, 3, nn.Linear(1, 1), [nn.Linear(1, 1), "x"], [None]))),
    Entry("ModuleList", lambda index: nn.ModuleList([nn.Linear(1, 1)])[index], lambda: dict(index=0),
          dict(index=one_of(1, -2, 1.5, "0", None, True))),
    *[Entry(loss, lambda input, target, reduction, loss=loss: getattr(F, loss)(input, target, reduction),
            lambda target=target: dict(input=mg.Tensor(np.zeros((2, 3)), requires_grad=True), target=target,
                                       reduction="mean"),
            dict(input=NOT_A_TENSOR, target=st.one_of(BAD_DATA, one_of(*bad_targets)),
                 reduction=one_of("max", None, 3, "MEAN")), is_tensor)
      for loss, target, bad_targets in [
          ("mse_loss", np.zeros((2, 3)), [np.zeros(3), np.zeros((3, 2))]),
          ("nll_loss", np.array([0, 2]), [np.array([0, 3]), np.array([-1, 0]), np.array([0.5, 1]),
                                          np.array([0, 1, 2]), np.array([nan, 0])]),
          ("cross_entropy", np.array([0, 2]), [np.array([0, 3]), np.array([0.5, 1]), np.array([inf, 0])])]],
    *[Entry(op, getattr(F, op), lambda: dict(a=x2()), dict(a=NOT_A_TENSOR), is_tensor)
      for op in ("relu", "sigmoid", "tanh", "softmax", "log_softmax")],
    Entry("linear", F.linear, lambda: dict(x=x2(), weight=mg.Tensor(np.ones((3, 2))), bias=None),
          dict(x=st.one_of(BAD_DATA, one_of(np.ones(3))), weight=one_of(None, np.ones((3, 2)), mg.Tensor(np.ones(3))),
               bias=st.one_of(BAD_GIVEN_DATA, one_of(np.ones(2), np.ones((3, 3))))), is_tensor),
    # ------------------------------------------------------------------ minigrad.optim
    Entry("SGD", optim.SGD, lambda: dict(params=params(), lr=0.1, momentum=0.5, weight_decay=0.0, nesterov=False),
          dict(params=BAD_PARAMS, lr=number(), momentum=number(0.0, 1.0, high_open=True), weight_decay=number(),
               nesterov=BAD_FLAG)),
    Entry("Adagrad", optim.Adagrad, lambda: dict(params=params(), lr=0.1, eps=1e-10, weight_decay=0.0),
          dict(params=BAD_PARAMS, lr=number(), eps=number(), weight_decay=number())),
    Entry("Adam", optim.Adam, lambda: dict(params=params(), lr=0.1, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0),
          dict(params=BAD_PARAMS, lr=number(), eps=number(), weight_decay=number(),
               betas=st.one_of(one_of(None, 0.9, "ab", (0.9,), (0.9, 0.99, 0.9), (1.0, 0.9), (0.9, -0.1),
                                      (nan, 0.9), ("a", 0.9), {0.9, 0.99}),
                               st.tuples(number(0.0, 1.0, high_open=True), st.floats(0, 0.99))))),
    Entry("SGD.zero_grad", lambda set_to_none: optim.SGD(params(), lr=0.1).zero_grad(set_to_none),
          lambda: dict(set_to_none=True), dict(set_to_none=BAD_FLAG)),
    Entry("Adam.load_state_dict", lambda state_dict: optim.Adam(params()).load_state_dict(state_dict),
          lambda: dict(state_dict=optim.Adam(params()).state_dict()),
          dict(state_dict=st.one_of(BAD_STATE_DICT, one_of(
              {"lr": -1.0, "betas": np.array([0.9, 0.99]), "eps": 1e-8, "weight_decay": 0.0},
              {"lr": 0.1, "betas": np.array([0.9, 0.99, 0.9]), "eps": 1e-8, "weight_decay": 0.0},
              {"lr": "x", "betas": np.array([0.9, 0.99]), "eps": 1e-8, "weight_decay": 0.0},
              {"lr": 0.1, "betas": np.array([0.9, 0.99]), "eps": 1e-8, "weight_decay": 0.0,
               "state.0.step": np.array(1), "state.0.m": np.zeros((2, 2)), "state.0.v": np.zeros(3)},
              {"lr": 0.1, "betas": np.array([0.9, 0.99]), "eps": 1e-8, "weight_decay": 0.0,
               "state.0.step": np.array(-1.5), "state.0.m": np.zeros((2, 2)), "state.0.v": np.zeros((2, 2))},
              {"lr": 0.1, "betas": np.array([0.9, 0.99]), "eps": 1e-8, "weight_decay": 0.0,
               "state.7.m": np.zeros(2)})))),
    Entry("clip_grad_norm_", optim.clip_grad_norm_,
          lambda: dict(params=with_grads(), max_norm=1.0, norm_type=2.0, error_if_nonfinite=False),
          dict(params=one_of(None, 3, nn.Linear(1, 1), [None], ["x"], [np.ones(2)]),
               max_norm=number(allow_inf=True), norm_type=one_of("2", None, 0, -1, nan, 1j, [2.0], True),
               error_if_nonfinite=BAD_FLAG)),
    Entry("clip_grad_value_", optim.clip_grad_value_, lambda: dict(params=with_grads(), clip_value=1.0),
          dict(params=one_of(None, 3, nn.Linear(1, 1), [None], ["x"]), clip_value=number(allow_inf=True))),
    # ------------------------------------------------------------------ nets
    *[Entry(cell.__name__, cell, lambda: dict(input_size=3, hidden_size=4, bias=True, rng=0), CELL_ARGUMENTS)
      for cell in (nets.RNNCell, nets.LSTMCell, nets.GRUCell)],
    Entry("RNNCell", lambda nonlinearity: nets.RNNCell(3, 4, nonlinearity=nonlinearity),
          lambda: dict(nonlinearity="tanh"), dict(nonlinearity=one_of("sigmoid", None, 3, ["tanh"]))),
    *[Entry(cell.__name__, lambda x, h, cell=cell: cell(3, 4, rng=0)(x, h), lambda: dict(x=np.ones((2, 3)), h=None),
            dict(x=st.one_of(BAD_DATA, one_of(np.ones((2, 4)), 1.0, np.ones((1, 2, 3)))),
                 h=st.one_of(BAD_GIVEN_DATA, one_of(np.ones((2, 5)), np.ones(4))) if cell is not nets.LSTMCell
                 else one_of(3, (None,), (np.ones((2, 4)),), (np.ones((2, 4)), "x"), (np.ones((2, 3)), np.ones((2, 4))))))
      for cell in (nets.RNNCell, nets.LSTMCell, nets.GRUCell)],
    *[Entry(net.__name__, net, lambda: dict(input_size=3, hidden_size=4, rng=0), RECURRENT_ARGUMENTS)
      for net in (nets.RNN, nets.LSTM, nets.GRU)],
    Entry("RNN", lambda nonlinearity: nets.RNN(3, 4, nonlinearity=nonlinearity), lambda: dict(nonlinearity="relu"),
          dict(nonlinearity=one_of("sigmoid", None, 3))),
    Entry("LSTM", lambda proj_size: nets.LSTM(3, 4, proj_size=proj_size), lambda: dict(proj_size=0),
          dict(proj_size=one_of(2, -1, None, "0", 1.5))),
    *[Entry(net.__name__, lambda x, hx, net=net: net(3, 4, num_layers=2, rng=0)(x, hx),
            lambda: dict(x=sequence(), hx=None),
            dict(x=st.one_of(BAD_DATA, one_of(np.ones(3), np.ones((4, 2, 5)), np.ones((0, 2, 3)),
                                              np.ones((1, 1, 1, 3)))),
                 hx=st.one_of(BAD_GIVEN_DATA, one_of(np.zeros((1, 2, 4)), np.zeros((2, 2, 5)), 3.0))
                 if net is not nets.LSTM else
                 one_of(3, "x", (np.zeros((2, 2, 4)),), (np.zeros((2, 2, 4)), None), (np.zeros((2, 2, 4)), "x"),
                        (np.zeros((2, 2, 4)), np.zeros((1, 2, 4))))))
      for net in (nets.RNN, nets.LSTM, nets.GRU)],
    Entry("BRNN", nets.BRNN, lambda: dict(input_size=3, hidden_size=4, num_layers=1, cell="rnn"),
          dict(input_size=count(), hidden_size=count(), num_layers=count(huge=False),
               cell=one_of("elman", None, 3, nets.RNN))),
    Entry("JordanNet", nets.JordanNet, lambda: dict(input_size=3, hidden_size=4, output_size=2, memory_decay=0.5,
                                                    nonlinearity="tanh", blocked=False, rng=0),
          dict(input_size=count(), hidden_size=count(), output_size=count(),
               memory_decay=number(0.0, 1.0), nonlinearity=one_of("sigmoid", None), blocked=BAD_FLAG, rng=BAD_RNG)),
    Entry("JordanNet", lambda x, teacher: nets.JordanNet(3, 4, 2, rng=0)(x, teacher),
          lambda: dict(x=sequence(), teacher=None),
          dict(x=st.one_of(BAD_DATA, one_of(np.ones((4, 3)), np.ones((4, 2, 5)), np.ones((0, 2, 3)))),
               teacher=st.one_of(BAD_GIVEN_DATA, one_of(np.ones((4, 2, 3)), np.ones((3, 2, 2)), 1.0)))),
    Entry("ElmanNet", nets.ElmanNet, lambda: dict(input_size=3, hidden_size=4, output_size=2, nonlinearity="tanh",
                                                  blocked=True, rng=0),
          dict(input_size=count(), hidden_size=count(), output_size=count(), nonlinearity=one_of("sigmoid", None),
               blocked=BAD_FLAG, rng=BAD_RNG)),
    Entry("ElmanNet", lambda x: nets.ElmanNet(3, 4, 2, rng=0)(x), lambda: dict(x=sequence()),
          dict(x=st.one_of(BAD_DATA, one_of(np.ones((4, 3)), np.ones((4, 2, 5)), np.ones((0, 2, 3)))))),
    Entry("truncated_bptt", lambda net, x, targets, loss_fn, k1, k2: list(nets.truncated_bptt(
              net, x, targets, loss_fn, k1, k2)),
          lambda: dict(net=nets.RNN(3, 4, rng=0), x=sequence(6), targets=np.zeros((6, 2, 4)), loss_fn=mse,
                       k1=2, k2=3),
          dict(net=one_of(None, nn.Linear(3, 4), nets.RNN(3, 4, bidirectional=True), nets.ElmanNet(3, 4, 2)),
               x=st.one_of(BAD_DATA, one_of(np.ones(3), np.ones((0, 2, 3)))),
               targets=st.one_of(BAD_DATA, one_of(np.zeros((5, 2, 4)), np.zeros(3), 1.0)),
               loss_fn=one_of(None, 3, "mse"), k1=count(huge=False),
               k2=st.one_of(one_of(1, 0, -1, 1.5, "3", nan, True), one_of(Legal(2 ** 62), Legal(None))))),
    Entry("ESN", small_esn, lambda: {}, ESN_ARGUMENTS, names=("random_reservoir",)),
    Entry("ESN.fit", lambda X, Y, washout, chunk_size: small_esn().fit(X, Y, washout, chunk_size),
          lambda: dict(X=np.ones((20, 1)), Y=np.ones((20, 1)), washout=2, chunk_size=8),
          dict(X=st.one_of(BAD_SEQUENCE, one_of([], [np.ones((20, 1)), np.ones((5, 1))], np.ones((19, 1)))),
               Y=st.one_of(BAD_SEQUENCE, one_of(np.ones((20, 3)), [np.ones((20, 1))] * 2)),
               washout=st.one_of(count(0, huge=False), one_of(20, 2 ** 62)),
               chunk_size=st.one_of(count(huge=False), one_of(Legal(2 ** 62))))),
    Entry("ESN.predict", lambda X, reset: fitted_esn().predict(X, reset), lambda: dict(X=np.ones((5, 1)), reset=False),
          dict(X=BAD_SEQUENCE, reset=BAD_FLAG)),
    Entry("ESN.generate", lambda n_steps, warmup: generator_esn().generate(n_steps, warmup),
          lambda: dict(n_steps=3, warmup=None),
          dict(n_steps=count(huge=False), warmup=BAD_SEQUENCE.filter(lambda v: v is not None))),
    Entry("ESN.collect_states", lambda X, teacher, initial_state: small_esn().collect_states(X, teacher, initial_state),
          lambda: dict(X=np.ones((5, 1)), teacher=None, initial_state=None),
          dict(X=BAD_SEQUENCE, teacher=one_of(np.ones((5, 1))),
               initial_state=st.one_of(BAD_GIVEN_DATA, one_of(np.ones(3), np.full(10, nan), np.ones((10, 1)))))),
    Entry("mackey_glass", datasets.mackey_glass,
          lambda: dict(n=5, tau=17.0, a=0.2, b=0.1, power=10.0, x0=1.2, dt=0.1, sample_step=1.0, transient=10),
          dict(n=count(huge=False), tau=number(0.0, inf, low_open=True), a=number(-inf, inf), b=number(-inf, inf),
               power=number(-inf, inf), x0=number(-inf, inf), dt=number(0.0, inf, low_open=True),
               sample_step=number(0.0, inf, low_open=True), transient=count(0, huge=False))),
]


def names_in(entry: Entry) -> tuple[str, ...]:
    return (entry.name.split(".")[0],) + entry.names


def _label(entry: Entry) -> str:
    return f"{entry.name}({','.join(sorted(entry.bad))})"


@pytest.fixture(scope="module", autouse=True)
def folder(tmp_path_factory):
    """A tmp_path folder for what the valid calls write, holding the checkpoint ``load`` reads."""
    global FOLDER
    FOLDER = tmp_path_factory.mktemp("fuzz")
    mg.save(nn.Linear(2, 2), str(FOLDER / "valid.npz"))


@pytest.mark.parametrize("entry", TABLE, ids=_label)
def test_the_valid_arguments_work(entry: Entry) -> None:
    """The table's own arguments are valid: each refusal below is about the one bad slot."""
    assert entry.check(entry.call(**entry.valid()))


# Examples per entry. The default profile (tests/conftest.py) runs the same derandomized cases every
# time, few enough for the whole table to take well under a minute; the thorough profile
# (MINIGRAD_HYPOTHESIS_PROFILE=thorough) draws ten times as many, new ones each run.
THOROUGH = os.environ.get("MINIGRAD_HYPOTHESIS_PROFILE") == "thorough"
FUZZ_EXAMPLES = 200 if THOROUGH else 20


@pytest.mark.parametrize("entry", TABLE, ids=_label)
@settings(max_examples=FUZZ_EXAMPLES, derandomize=not THOROUGH)
@given(data=st.data())
def test_a_bad_argument_is_refused_by_name(entry: Entry, data: st.DataObject) -> None:
    slot = data.draw(st.sampled_from(sorted(entry.bad)), label="slot")
    value = data.draw(entry.bad[slot], label=slot)
    legal = isinstance(value, Legal)
    arguments = entry.valid()
    arguments[slot] = value.value if legal else value
    call = f"{entry.name}({slot}={arguments[slot]!r:.80})"
    try:
        with np.errstate(all="ignore"):
            result = entry.call(**arguments)
    except DOCUMENTED as error:
        message = str(error)
        assert any(name.lower() in message.lower() for name in names_in(entry)), \
            f"{call} raised {type(error).__name__} without naming {entry.name}: {message}"
        return
    assert legal, f"{call} was accepted silently (returned {result!r:.80})"
    assert entry.check(result), f"{call} returned an invalid result {result!r:.80}"


# ------------------------------------------------------------------ minigrad_cli
# minigrad-draw's command line (tests/test_cli.py has one example of each refusal; this draws many):
# a bad value in any option is one sentence on stderr, nothing on stdout, exit status 2.
BAD_OPTIONS = {
    "net": one_of("tree", "", "RNN", "-1"),
    **{option: one_of("0", "-1", "1.5", "abc", "", "1e3", "99999999999999999999", "0x10")
       for option in ("--steps", "--hidden", "--inputs", "--layers")},
    "--first-last": one_of("0", "-2", "x", "2.5"),
    "--view": one_of("graph", "", "OP"),
    "--loss": one_of("first", "", "ALL"),
    "--seed": one_of("-1", "x", "1.0", ""),
    "-o": one_of("/nonexistent-folder/x.svg", "x.jpeg", "no-suffix", "/", "/proc/x.gv", "/proc/x.svg", ""),
    "--colour": one_of("red"),       # an option that does not exist
}


@settings(max_examples=FUZZ_EXAMPLES * 2, derandomize=not THOROUGH)
@given(data=st.data())
def test_a_bad_command_line_option_is_one_sentence_and_exit_status_2(data: st.DataObject) -> None:
    from minigrad_cli.draw import main
    option = data.draw(st.sampled_from(sorted(BAD_OPTIONS)), label="option")
    value = data.draw(BAD_OPTIONS[option], label="value")
    argv = [value] if option == "net" else ["rnn", option, value]
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            status = main(argv)
        except SystemExit as stop:      # argparse exits; errors found after parsing return a status
            status = stop.code
    lines = err.getvalue().splitlines()
    assert status == 2 and out.getvalue() == "", (argv, status, err.getvalue())
    assert len(lines) == 1 and lines[0].startswith("minigrad-draw: error: "), (argv, err.getvalue())
