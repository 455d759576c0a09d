"""One table of ops drives one property test: forward equals numpy, backward equals finite differences.

Each row says how to draw the op's inputs (shapes, axes, indices) and how to
compute it with minigrad and with numpy. Adding an op means adding one row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
from minigrad.tensor import differentiate
from minigrad.testing import gradcheck
from minigrad.testing import strategies as mst


@dataclass
class Row:
    name: str
    op: str                                                           # the function in minigrad.ops
    draw: Callable[[st.DataObject], tuple[list[np.ndarray], dict]]   # -> (input arrays, options)
    minigrad: Callable[..., mg.Tensor]                                # (*tensors, **options)
    numpy: Callable[..., np.ndarray]                                  # (*arrays, **options)


# ------------------------------------------------------------------ drawers
def one(low=-3.0, high=3.0, min_gap=0.0, shape=None):
    def draw(data):
        s = data.draw(mst.shapes() if shape is None else shape)
        elements = st.floats(low, high, allow_nan=False, allow_infinity=False)
        if min_gap:
            elements = elements.filter(lambda v: abs(v) >= min_gap)
        return [data.draw(hnp.arrays(np.float64, s, elements=elements))], {}
    return draw


def pair(low_b=-3.0, high_b=3.0, min_gap_b=0.0, low_a=-3.0, high_a=3.0):
    def draw(data):
        shape_a, shape_b = data.draw(mst.broadcastable_shapes())
        a = data.draw(mst.arrays(shape_a, low_a, high_a))
        b = data.draw(mst.arrays(shape_b, low_b, high_b, min_gap=min_gap_b))
        return [a, b], {}
    return draw


def well_separated(data):
    """Values at least 0.4 apart, so that finite differences never cross a tie (for max)."""
    shape = data.draw(mst.shapes())
    size = int(np.prod(shape))
    order = np.array(data.draw(st.permutations(range(size))), dtype=np.float64)
    jitter = data.draw(mst.arrays((size,), 0.0, 0.1))
    return [(0.5 * order + jitter - 0.25 * size).reshape(shape)], {}


def reduction(separated=False):
    def draw(data):
        [x], _ = well_separated(data) if separated else one()(data)
        return [x], {"axis": data.draw(mst.axis_tuples(x.ndim)), "keepdims": data.draw(st.booleans())}
    return draw


def single_axis(allow_none=True, min_dims=0):
    def draw(data):
        [x], _ = one(shape=mst.shapes(min_dims=min_dims))(data)
        return [x], {"axis": data.draw(mst.axes(x.ndim, allow_none=allow_none))}
    return draw


def matmul_operands(data):
    """Vector, matrix and batched operands whose inner dimensions agree."""
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    kind = data.draw(st.sampled_from(["vv", "mv", "vm", "mm", "batched"]))
    if kind == "vv":
        shapes = (k,), (k,)
    elif kind == "mv":
        shapes = (n, k), (k,)
    elif kind == "vm":
        shapes = (k,), (k, m)
    elif kind == "mm":
        shapes = (n, k), (k, m)
    else:
        batch_a, batch_b = data.draw(mst.broadcastable_shapes(min_dims=1, max_dims=2, max_side=3))
        shapes = batch_a + (n, k), batch_b + (k, m)
    return [data.draw(mst.arrays(s)) for s in shapes], {}


def linear_operands(with_bias):
    """x (..., n_in) or (n_in,), weight (n_out, n_in), optionally a bias broadcasting against the output."""
    def draw(data):
        n_in, n_out = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
        batch = data.draw(mst.shapes(min_dims=0, max_dims=2, max_side=3))
        arrays = [data.draw(mst.arrays(batch + (n_in,))), data.draw(mst.arrays((n_out, n_in)))]
        if with_bias:
            bias_shape = data.draw(st.sampled_from([(n_out,), (1, n_out), batch + (n_out,), (2,) + batch + (n_out,)]))
            arrays.append(data.draw(mst.arrays(bias_shape)))
        return arrays, {}
    return draw


def linear_np(x, w, b=None):
    return x @ w.T if b is None else x @ w.T + b


def reshape_target(data):
    [x], _ = one(shape=mst.shapes(min_dims=0, max_dims=3))(data)
    candidates = [(x.size,), (-1,), tuple(reversed(x.shape)), (1,) + x.shape, x.shape + (1,)]
    if x.size % 2 == 0:
        candidates.append((2, -1))
    return [x], {"shape": data.draw(st.sampled_from(candidates))}


def permutation(data):
    [x], _ = one()(data)
    return [x], {"axes": tuple(data.draw(st.permutations(range(x.ndim))))}


def index(data):
    """Integers, slices (any step), Ellipsis, None, integer arrays with repeats, boolean masks."""
    [x], _ = one(shape=mst.shapes(min_dims=1))(data)
    parts = []
    for size in x.shape:
        kind = data.draw(st.sampled_from(["int", "slice", "array", "mask", "all"]))
        if kind == "int":
            parts.append(data.draw(st.integers(-size, size - 1)))
        elif kind == "slice":
            parts.append(slice(data.draw(st.none() | st.integers(-size, size)),
                               data.draw(st.none() | st.integers(-size, size)),
                               data.draw(st.sampled_from([None, 1, 2, -1, -2]))))
        elif kind == "array" and not any(isinstance(p, np.ndarray) for p in parts):
            parts.append(np.array(data.draw(st.lists(st.integers(-size, size - 1), min_size=1, max_size=5))))
        elif kind == "mask" and not any(isinstance(p, np.ndarray) for p in parts):
            parts.append(np.array(data.draw(st.lists(st.booleans(), min_size=size, max_size=size))))
        else:
            parts.append(slice(None))
    if data.draw(st.booleans()):
        parts.insert(data.draw(st.integers(0, len(parts))), None)
    if data.draw(st.booleans()) and len(parts) > 1:
        parts = parts[:1] + [Ellipsis]
    return [x], {"index": tuple(parts)}


def joinable(new_axis: bool):
    def draw(data):
        shape = data.draw(mst.shapes(min_dims=0 if new_axis else 1, max_dims=3))
        count = data.draw(st.integers(1, 3))
        axis = data.draw(st.integers(-len(shape) - new_axis, len(shape) - 1 + new_axis))
        arrays = []
        for _ in range(count):
            own = list(shape)
            if not new_axis:
                own[axis] = data.draw(st.integers(1, 3))
            arrays.append(data.draw(mst.arrays(tuple(own))))
        return arrays, {"axis": axis}
    return draw


def left_constant(draw):
    """The first drawn operand becomes a numpy constant on the left of the op (a reflected form)."""
    def draw_with_constant(data):
        arrays, options = draw(data)
        return arrays[1:], {**options, "left": arrays[0]}
    return draw_with_constant


def masked(data):
    """A tensor and a boolean mask broadcastable to its shape (sometimes smaller, sometimes all True or all False)."""
    [x], _ = one(shape=mst.shapes(min_dims=1))(data)
    mask_shape = tuple(data.draw(st.sampled_from([1, size])) for size in x.shape[data.draw(st.integers(0, x.ndim)):])
    mask = data.draw(hnp.arrays(np.bool_, mask_shape))
    return [x], {"mask": mask, "value": data.draw(st.sampled_from([0.0, -7.5, 1e3]))}


def broadcast_target(data):
    """A tensor and a shape it broadcasts to (new leading axes, stretched axes of size 1)."""
    shape_a, shape_b = data.draw(mst.broadcastable_shapes())
    return [data.draw(mst.arrays(shape_a))], {"shape": np.broadcast_shapes(shape_a, shape_b)}


def scattered(data):
    """Values to put at an index of zeros: the shape of x[index] for the indices ``index`` draws."""
    [x], options = index(data)
    return [data.draw(mst.arrays(x[options["index"]].shape))], {"shape": x.shape, **options}


def add_at_np(values, shape, index):
    out = np.zeros(shape)
    np.add.at(out, index, values)
    return out


def sigmoid_np(x):
    return 1 / (1 + np.exp(-x))


def softmax_np(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


OPS = [
    Row("add", "add", pair(), lambda a, b: a + b, np.add),
    Row("sub", "sub", pair(), lambda a, b: a - b, np.subtract),
    Row("mul", "mul", pair(), lambda a, b: a * b, np.multiply),
    Row("div", "div", pair(min_gap_b=0.5), lambda a, b: a / b, np.divide),
    Row("pow_tensor", "pow", pair(low_a=0.5, high_a=3.0, low_b=-2.0, high_b=2.0), lambda a, b: a ** b, np.power),
    Row("pow_number", "pow", one(low=0.5, high=3.0), lambda a: a ** 2.5, lambda a: a ** 2.5),
    Row("pow_integer_negative_base", "pow", one(), lambda a: a ** 3, lambda a: a ** 3),
    Row("neg", "neg", one(), lambda a: -a, np.negative),
    Row("radd_number", "add", one(), lambda a: 2.5 + a, lambda a: 2.5 + a),
    Row("rsub_number", "sub", one(), lambda a: 1.5 - a, lambda a: 1.5 - a),
    Row("rmul_array", "mul", left_constant(pair()), lambda b, left: left * b, lambda b, left: left * b),
    Row("rtruediv_number", "div", one(min_gap=0.5), lambda a: 3.0 / a, lambda a: 3.0 / a),
    Row("rpow_number", "pow", one(), lambda a: 2.0 ** a, lambda a: 2.0 ** a),
    Row("rmatmul_array", "matmul", left_constant(matmul_operands), lambda b, left: left @ b,
        lambda b, left: left @ b),
    Row("exp", "exp", one(), lambda a: a.exp(), np.exp),
    Row("log", "log", one(low=0.1, high=5.0), lambda a: a.log(), np.log),
    Row("tanh", "tanh", one(), lambda a: a.tanh(), np.tanh),
    Row("sigmoid", "sigmoid", one(low=-8, high=8), lambda a: a.sigmoid(), sigmoid_np),
    Row("relu", "relu", one(min_gap=1e-3), lambda a: a.relu(), lambda a: np.maximum(a, 0)),
    Row("matmul", "matmul", matmul_operands, lambda a, b: a @ b, np.matmul),
    Row("linear", "linear", linear_operands(with_bias=False), lambda x, w: mg.ops.linear(x, w), linear_np),
    Row("linear_bias", "linear", linear_operands(with_bias=True), lambda x, w, b: mg.ops.linear(x, w, b), linear_np),
    Row("sum", "sum", reduction(), lambda a, axis, keepdims: a.sum(axis, keepdims), np.sum),
    Row("mean", "mean", reduction(), lambda a, axis, keepdims: a.mean(axis, keepdims), np.mean),
    Row("max", "max", reduction(separated=True), lambda a, axis, keepdims: a.max(axis, keepdims), np.max),
    Row("reshape", "reshape", reshape_target, lambda a, shape: a.reshape(shape), np.reshape),
    Row("transpose", "transpose", permutation, lambda a, axes: a.transpose(*axes), np.transpose),
    Row("T", "transpose", one(), lambda a: a.T, lambda a: a.T),
    Row("getitem", "getitem", index, lambda a, index: a[index], lambda a, index: a[index]),
    Row("flip", "flip", single_axis(), lambda a, axis: a.flip(axis), lambda a, axis: np.flip(a, axis)),
    Row("concatenate", "concatenate", joinable(new_axis=False), lambda *ts, axis: mg.concatenate(ts, axis),
        lambda *arrays, axis: np.concatenate(arrays, axis)),
    Row("stack", "stack", joinable(new_axis=True), lambda *ts, axis: mg.stack(ts, axis),
        lambda *arrays, axis: np.stack(arrays, axis)),
    Row("softmax", "softmax", single_axis(allow_none=False, min_dims=1), lambda a, axis: a.softmax(axis), softmax_np),
    Row("log_softmax", "log_softmax", single_axis(allow_none=False, min_dims=1), lambda a, axis: a.log_softmax(axis),
        lambda a, axis: np.log(softmax_np(a, axis))),
    Row("broadcast_to", "broadcast_to", broadcast_target, lambda a, shape: mg.broadcast_to(a, shape),
        lambda a, shape: np.broadcast_to(a, shape)),
    Row("add_at", "add_at", scattered, lambda v, shape, index: mg.ops.add_at(shape, index, v), add_at_np),
    Row("masked_fill", "masked_fill", masked, lambda a, mask, value: mg.ops.masked_fill(a, mask, value),
        lambda a, mask, value: np.where(mask, value, a)),
]


@pytest.mark.parametrize("row", OPS, ids=[row.name for row in OPS])
@given(data=st.data())
def test_op_forward_matches_numpy_and_gradient_matches_finite_differences(row: Row, data: Any) -> None:
    arrays, options = row.draw(data)
    tensors = [mg.Tensor(a, requires_grad=True) for a in arrays]
    out = row.minigrad(*tensors, **options)
    expected = row.numpy(*arrays, **options)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda *ts: row.minigrad(*ts, **options), tensors, atol=1e-6, rtol=1e-5)


@pytest.mark.parametrize("row", OPS, ids=[row.name for row in OPS])
@given(data=st.data())
def test_second_derivative_matches_finite_differences_of_the_first(row: Row, data: Any) -> None:
    """Gradients of gradients: d/dx <dL/dx, w> (the backward recorded by create_graph=True, then
    differentiated) against central differences of the first gradient, for every op of the table.

    With L = <op(x), v> for random v and w, this checks w^T H v-style products of every op's VJP; a
    linear op (add, reshape, getitem, ...) has a first gradient that does not depend on x, and both
    sides must then be 0.
    """
    arrays, options = row.draw(data)
    tensors = [mg.Tensor(a, requires_grad=True) for a in arrays]
    rng = np.random.default_rng(len(arrays))
    v = rng.standard_normal(np.shape(row.numpy(*arrays, **options)))
    ws = [rng.standard_normal(a.shape) for a in arrays]

    def first_gradient_against_w(*ts: mg.Tensor) -> mg.Tensor:
        with mg.enable_grad():      # gradcheck evaluates this under no_grad: the gradient needs a graph
            out = row.minigrad(*ts, **options)
            found = differentiate(out, mg.Tensor(v), set(ts), create_graph=True)
            total = mg.Tensor(0.0)
            for t, w in zip(ts, ws):
                if t in found:
                    assert isinstance(found[t], mg.Tensor)
                    total = total + (found[t] * w).sum()
        return total

    assert gradcheck(first_gradient_against_w, tensors, atol=1e-5, rtol=1e-4)


def test_every_public_op_has_a_row() -> None:
    """The table covers every op function defined in minigrad.ops."""
    import inspect

    from minigrad import ops
    public = {name for name, f in vars(ops).items()
              if inspect.isfunction(f) and f.__module__ == ops.__name__ and not name.startswith("_")
              and not name.endswith("_backward")}
    public -= {"as_tensor", "unbroadcast"}   # helpers, not ops
    public -= {"eq", "ne", "lt", "le", "gt", "ge"}   # comparisons have no gradient: tests/test_protocols.py
    assert public - {row.op for row in OPS} == set()
    # ... and every op has its backward right there.
    assert all(callable(getattr(ops, name + "_backward", None)) for name in public)


UNARY_OPS = ["neg", "exp", "log", "tanh", "sigmoid", "relu", "sum", "mean", "max", "reshape",
             "transpose", "flip", "getitem", "softmax", "log_softmax", "masked_fill"]


@pytest.mark.parametrize("name", UNARY_OPS)
@pytest.mark.parametrize("value", [2.0, np.ones(3), [1.0, 2.0]], ids=["float", "ndarray", "list"])
def test_one_operand_ops_refuse_a_non_tensor_by_name(name: str, value: Any) -> None:
    from minigrad import ops
    extra = {"reshape": (3,), "getitem": (0,), "masked_fill": (True, 0.0)}.get(name, ())
    kind = type(value).__name__
    with pytest.raises(TypeError, match=rf"^{name}: expected a Tensor, got {kind}; wrap it first"):
        getattr(ops, name)(value, *extra)


def test_a_binary_op_without_any_tensor_is_refused_by_name() -> None:
    from minigrad import ops
    with pytest.raises(TypeError, match=r"^add: expected a Tensor, got ndarray"):
        ops.add(2.0, np.ones(1))
