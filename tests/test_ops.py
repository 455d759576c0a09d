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


# ------------------------------------------- drawers for the numpy-named ops (ops_*.py)
def off_grid(values):
    """Each value moved to k/4 + 1/8: at least 1/8 from every integer and every quarter, where floor,
    ceil, sign, abs, clip(-1, 1) and mod have their jumps and kinks (finite differences must not cross one)."""
    return np.floor(values * 4) / 4 + 0.125


def one_off_grid(data):
    [x], _ = one()(data)
    return [off_grid(x)], {}


def apart(data):
    """Two broadcastable operands never equal (a at k + 1/4, b at m + 3/4): maximum and minimum have no tie."""
    [a, b], _ = pair()(data)
    return [np.floor(a) + 0.25, np.floor(b) + 0.75], {}


def divisible(data):
    """a and b with a / b at least 0.1 from an integer, where mod and floor_divide jump."""
    shape_a, shape_b = data.draw(mst.broadcastable_shapes())
    b = data.draw(mst.arrays(shape_b, 0.5, 3.0)) * data.draw(st.sampled_from([1.0, -1.0]))
    whole = data.draw(mst.arrays(shape_a, -3.0, 3.0)).round()
    fraction = data.draw(mst.arrays(shape_a, 0.1, 0.9))
    return [(whole + fraction) * b, b], {}


def clipped(data):
    [x], _ = one_off_grid(data)
    a_min, a_max = data.draw(st.sampled_from([(-1.0, 1.0), (None, 0.5), (-0.5, None), (1.5, 1.5)]))
    return [x], {"a_min": a_min, "a_max": a_max}


def chosen(data):
    """A boolean condition and two operands, all three broadcasting together."""
    shape_c, shape_x, shape_y = data.draw(mst.broadcastable_shapes(num_shapes=3))
    condition = data.draw(hnp.arrays(np.bool_, shape_c))
    return [data.draw(mst.arrays(shape_x)), data.draw(mst.arrays(shape_y))], {"condition": condition}


def with_ddof(separated=False):
    def draw(data):
        [x], options = reduction(separated)(data)
        axes = range(x.ndim) if options["axis"] is None else options["axis"]
        count = int(np.prod([x.shape[ax] for ax in axes]))
        return [x], {**options, "ddof": data.draw(st.integers(0, count - 1))}
    return draw


EINSUM_CASES = ["ij,jk->ik", "ii->i", "ii", "ij->", "i,i", "i,j->ij", "ij->ji", "ij", "...ij,...jk->...ik",
                "ijk,lji,lli->lki", "bij,bjk->bik", "iij->ij", "ij,j"]


def einsum_operands(data):
    subscripts = data.draw(st.sampled_from(EINSUM_CASES))
    sizes = {letter: data.draw(st.integers(1, 3)) for letter in "ijklb"}
    batch = data.draw(mst.shapes(max_dims=2, max_side=2))
    arrays = []
    for spec in subscripts.split("->")[0].split(","):
        shape = (batch if "..." in spec else ()) + tuple(sizes[c] for c in spec.replace("...", ""))
        arrays.append(data.draw(mst.arrays(shape)))
    return arrays, {"subscripts": subscripts}


def dot_operands(data):
    """numpy's dot: any a (..., n) with b (n,) or (..., n, p), or a 0-d operand."""
    n = data.draw(st.integers(1, 3))
    shape_a = data.draw(mst.shapes(max_dims=2, max_side=3)) + (n,)
    kind = data.draw(st.sampled_from(["vector", "stack", "scalar"]))
    if kind == "vector":
        shape_b = (n,)
    elif kind == "stack":
        shape_b = data.draw(mst.shapes(max_dims=1, max_side=3)) + (n, data.draw(st.integers(1, 3)))
    else:
        shape_a, shape_b = data.draw(st.sampled_from([((), shape_a), (shape_a, ())]))
    return [data.draw(mst.arrays(shape_a)), data.draw(mst.arrays(shape_b))], {}


def inner_operands(data):
    n = data.draw(st.integers(1, 3))
    return [data.draw(mst.arrays(data.draw(mst.shapes(max_dims=2, max_side=3)) + (n,))) for _ in range(2)], {}


def any_two(data):
    return [data.draw(mst.arrays(data.draw(mst.shapes(max_dims=2, max_side=3)))) for _ in range(2)], {}


def tensordot_operands(data):
    paired = data.draw(st.integers(0, 2))
    shared = data.draw(mst.shapes(min_dims=paired, max_dims=paired, max_side=3))
    a = data.draw(mst.arrays(data.draw(mst.shapes(max_dims=2, max_side=3)) + shared))
    b = data.draw(mst.arrays(shared + data.draw(mst.shapes(max_dims=2, max_side=3))))
    if data.draw(st.booleans()):
        return [a, b], {"axes": paired}
    first = list(range(a.ndim - paired, a.ndim))
    return [a, b], {"axes": (first, list(range(paired)))}


def traced(data):
    [x], _ = one(shape=mst.shapes(min_dims=2, max_dims=3))(data)
    axis1, axis2 = data.draw(st.permutations(range(x.ndim)))[:2]
    return [x], {"offset": data.draw(st.integers(-2, 2)), "axis1": axis1, "axis2": axis2}


def diagonal_source(data):
    [x], _ = one(shape=mst.shapes(min_dims=1, max_dims=2))(data)
    return [x], {"k": data.draw(st.integers(-2, 2))}


def triangle(data):
    [x], _ = one(shape=mst.shapes(min_dims=2, max_dims=3))(data)
    return [x], {"k": data.draw(st.integers(-2, 2))}


def squeezable(data):
    [x], _ = one(shape=mst.shapes(max_side=2))(data)
    ones = [ax for ax, size in enumerate(x.shape) if size == 1]
    return [x], {"axis": data.draw(st.sampled_from([None] + ones + [tuple(ones)]))}


def expandable(data):
    [x], _ = one(shape=mst.shapes(max_dims=2))(data)
    count = data.draw(st.integers(1, 2))
    positions = data.draw(st.permutations(range(x.ndim + count)))[:count]
    return [x], {"axis": tuple(positions) if data.draw(st.booleans()) or count > 1 else positions[0]}


def two_axes(data):
    [x], _ = one(shape=mst.shapes(min_dims=1))(data)
    return [x], {"axis1": data.draw(mst.axes(x.ndim, False)), "axis2": data.draw(mst.axes(x.ndim, False))}


def moved(data):
    [x], _ = one(shape=mst.shapes(min_dims=1))(data)
    count = data.draw(st.integers(1, x.ndim))
    return [x], {"source": data.draw(st.permutations(range(x.ndim)))[:count],
                 "destination": data.draw(st.permutations(range(x.ndim)))[:count]}


def rolled(data):
    [x], _ = one()(data)
    axis = data.draw(mst.axes(x.ndim))
    return [x], {"shift": data.draw(st.integers(-5, 5)), "axis": axis}


def repeated(data):
    [x], _ = one(shape=mst.shapes(min_dims=0))(data)
    axis = data.draw(mst.axes(x.ndim))
    length = x.size if axis is None else x.shape[axis]
    repeats = data.draw(st.integers(0, 3) | st.lists(st.integers(0, 3), min_size=length, max_size=length))
    return [x], {"repeats": repeats, "axis": axis}


def tiled(data):
    [x], _ = one(shape=mst.shapes(max_dims=2))(data)
    return [x], {"reps": tuple(data.draw(st.lists(st.integers(1, 3), min_size=0, max_size=3)))}


def sectioned(equal: bool):
    def draw(data):
        [x], _ = one(shape=mst.shapes(min_dims=1))(data)
        axis = data.draw(mst.axes(x.ndim, False))
        length = x.shape[axis]
        if data.draw(st.booleans()):
            sections = data.draw(st.sampled_from([k for k in range(1, length + 1) if length % k == 0]) if equal
                                 else st.integers(1, length + 2))
        else:
            sections = sorted(data.draw(st.lists(st.integers(0, length + 1), max_size=3)))
        return [x], {"sections": sections, "axis": axis}
    return draw


def stackable(axis_of_join):
    """Tensors that numpy's hstack (axis_of_join 1) or vstack (0) can join: equal but for that axis."""
    def draw(data):
        shape = list(data.draw(mst.shapes(max_dims=3)))
        arrays = []
        for _ in range(data.draw(st.integers(1, 3))):
            own = list(shape)
            axis = 0 if len(own) <= 1 and axis_of_join == 1 else axis_of_join
            if axis < len(own) and not (axis_of_join == 0 and len(own) == 1):    # vstack makes (n,) a row
                own[axis] = data.draw(st.integers(1, 3))
            arrays.append(data.draw(mst.arrays(tuple(own))))
        return arrays, {}
    return draw


def padded(data):
    [x], _ = one(shape=mst.shapes(min_dims=1, max_dims=3))(data)
    width = data.draw(st.integers(0, 2) | st.lists(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                                                      min_size=x.ndim, max_size=x.ndim))
    return [x], {"pad_width": width, "constant_values": data.draw(st.sampled_from([0.0, -1.5]))}


def logsumexp_np(x, axis, keepdims):
    top = x.max(axis=axis, keepdims=True)
    out = np.log(np.exp(x - top).sum(axis=axis, keepdims=True)) + top
    return out if keepdims else np.squeeze(out, axis=axis)


def joined_pieces(pieces):
    """The pieces of a split as one flat row, so one gradient check covers them all."""
    return mg.concatenate([p.ravel() for p in pieces]) if pieces else mg.Tensor(np.zeros(0))


def sectioned_along(axis: int):
    """hsplit (axis 1; axis 0 for 1-d), vsplit (axis 0, 2-d and up) and dsplit (axis 2, 3-d and up)."""
    def draw(data):
        [x], _ = one(shape=mst.shapes(min_dims=1 if axis == 1 else axis + 1 if axis else 2))(data)
        length = x.shape[0 if x.ndim == 1 else axis]
        if data.draw(st.booleans()):
            return [x], {"sections": data.draw(st.sampled_from([k for k in range(1, length + 1) if length % k == 0]))}
        return [x], {"sections": sorted(data.draw(st.lists(st.integers(0, length + 1), max_size=3)))}
    return draw


def columns(data):
    """1-d tensors of one length, or 2-d ones of one height (column_stack)."""
    n = data.draw(st.integers(1, 3))
    shapes = data.draw(st.lists(st.sampled_from([(n,), (n, 1), (n, 2)]), min_size=1, max_size=3))
    return [data.draw(mst.arrays(shape)) for shape in shapes], {}


def appendable(data):
    """Two tensors of any shapes (append flattens them), or two that join along an axis."""
    if data.draw(st.booleans()):
        return [data.draw(mst.arrays(data.draw(mst.shapes()))) for _ in range(2)], {"axis": None}
    shape = list(data.draw(mst.shapes(min_dims=1)))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    arrays = []
    for _ in range(2):
        shape[axis] = data.draw(st.integers(1, 3))
        arrays.append(data.draw(mst.arrays(tuple(shape))))
    return arrays, {"axis": axis}


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
    # ------------------------- the numpy-named ops of the families in minigrad/ops/
    Row("sin", "sin", one(), mg.sin, np.sin),
    Row("cos", "cos", one(), mg.cos, np.cos),
    Row("tan", "tan", one(-1.2, 1.2), mg.tan, np.tan),
    Row("arcsin", "arcsin", one(-0.9, 0.9), mg.arcsin, np.arcsin),
    Row("arccos", "arccos", one(-0.9, 0.9), mg.arccos, np.arccos),
    Row("arctan", "arctan", one(), mg.arctan, np.arctan),
    # b > 0: away from the branch cut on the negative b axis, where arctan2 jumps by 2π
    Row("arctan2", "arctan2", pair(low_b=0.5, high_b=3.0), mg.arctan2, np.arctan2),
    Row("sinh", "sinh", one(), mg.sinh, np.sinh),
    Row("cosh", "cosh", one(), mg.cosh, np.cosh),
    Row("arcsinh", "arcsinh", one(), mg.arcsinh, np.arcsinh),
    Row("arccosh", "arccosh", one(1.1, 4.0), mg.arccosh, np.arccosh),
    Row("arctanh", "arctanh", one(-0.9, 0.9), mg.arctanh, np.arctanh),
    Row("abs", "abs", one_off_grid, mg.abs, np.abs),
    Row("abs_builtin", "abs", one_off_grid, lambda a: abs(a), np.abs),
    Row("absolute", "absolute", one_off_grid, mg.absolute, np.absolute),
    Row("sqrt", "sqrt", one(0.1, 5.0), mg.sqrt, np.sqrt),
    Row("square", "square", one(), mg.square, np.square),
    Row("sign", "sign", one_off_grid, mg.sign, np.sign),
    Row("floor", "floor", one_off_grid, mg.floor, np.floor),
    Row("ceil", "ceil", one_off_grid, mg.ceil, np.ceil),
    Row("log1p", "log1p", one(-0.9, 3.0), mg.log1p, np.log1p),
    Row("expm1", "expm1", one(), mg.expm1, np.expm1),
    Row("log2", "log2", one(0.1, 5.0), mg.log2, np.log2),
    Row("log10", "log10", one(0.1, 5.0), mg.log10, np.log10),
    Row("exp2", "exp2", one(), mg.exp2, np.exp2),
    Row("reciprocal", "reciprocal", one(min_gap=0.5), mg.reciprocal, np.reciprocal),
    Row("clip", "clip", clipped, lambda a, a_min, a_max: a.clip(a_min, a_max), np.clip),
    Row("maximum", "maximum", apart, mg.maximum, np.maximum),
    Row("minimum", "minimum", apart, mg.minimum, np.minimum),
    Row("where", "where", chosen, lambda x, y, condition: mg.where(condition, x, y),
        lambda x, y, condition: np.where(condition, x, y)),
    Row("logaddexp", "logaddexp", pair(), mg.logaddexp, np.logaddexp),
    Row("hypot", "hypot", pair(min_gap_b=0.5), mg.hypot, np.hypot),
    Row("mod", "mod", divisible, lambda a, b: a % b, np.mod),
    Row("rmod_number", "mod", one(min_gap=0.5), lambda a: 2.3 % mg.abs(a), lambda a: 2.3 % np.abs(a)),
    Row("floor_divide", "floor_divide", divisible, lambda a, b: a // b, np.floor_divide),
    Row("rfloordiv_number", "floor_divide", one(min_gap=0.5), lambda a: 2.3 // a, lambda a: 2.3 // a),
    Row("min", "min", reduction(separated=True), lambda a, axis, keepdims: a.min(axis, keepdims), np.min),
    Row("prod", "prod", reduction(), lambda a, axis, keepdims: a.prod(axis, keepdims), np.prod),
    Row("var", "var", with_ddof(), lambda a, axis, keepdims, ddof: a.var(axis, ddof, keepdims),
        lambda a, axis, keepdims, ddof: np.var(a, axis=axis, keepdims=keepdims, ddof=ddof)),
    Row("std", "std", with_ddof(separated=True), lambda a, axis, keepdims, ddof: a.std(axis, ddof, keepdims),
        lambda a, axis, keepdims, ddof: np.std(a, axis=axis, keepdims=keepdims, ddof=ddof)),
    Row("cumsum", "cumsum", single_axis(), lambda a, axis: a.cumsum(axis), lambda a, axis: np.cumsum(a, axis)),
    Row("logsumexp", "logsumexp", reduction(), mg.logsumexp, logsumexp_np),
    Row("einsum", "einsum", einsum_operands, lambda *ts, subscripts: mg.einsum(subscripts, *ts),
        lambda *arrays, subscripts: np.einsum(subscripts, *arrays)),
    Row("dot", "dot", dot_operands, mg.dot, np.dot),
    Row("dot_method", "dot", dot_operands, lambda a, b: a.dot(b), np.dot),
    Row("inner", "inner", inner_operands, mg.inner, np.inner),
    Row("outer", "outer", any_two, mg.outer, np.outer),
    Row("tensordot", "tensordot", tensordot_operands, mg.tensordot, np.tensordot),
    Row("trace", "trace", traced, lambda a, **o: a.trace(**o), lambda a, **o: np.trace(a, **o)),
    Row("diag", "diag", diagonal_source, mg.diag, np.diag),
    Row("tril", "tril", triangle, mg.tril, np.tril),
    Row("triu", "triu", triangle, mg.triu, np.triu),
    Row("ravel", "ravel", one(), mg.ravel, np.ravel),
    Row("flatten", "flatten", one(), lambda a: a.flatten(), lambda a: a.flatten()),
    Row("squeeze", "squeeze", squeezable, lambda a, axis: a.squeeze(axis), np.squeeze),
    Row("expand_dims", "expand_dims", expandable, mg.expand_dims, np.expand_dims),
    Row("swapaxes", "swapaxes", two_axes, lambda a, **o: a.swapaxes(**o), np.swapaxes),
    Row("moveaxis", "moveaxis", moved, mg.moveaxis, np.moveaxis),
    Row("roll", "roll", rolled, mg.roll, np.roll),
    Row("repeat", "repeat", repeated, lambda a, repeats, axis: a.repeat(repeats, axis), np.repeat),
    Row("tile", "tile", tiled, mg.tile, np.tile),
    Row("split", "split", sectioned(equal=True), lambda a, sections, axis: joined_pieces(mg.split(a, sections, axis)),
        lambda a, sections, axis: np.concatenate([p.ravel() for p in np.split(a, sections, axis)])),
    Row("array_split", "array_split", sectioned(equal=False),
        lambda a, sections, axis: joined_pieces(mg.array_split(a, sections, axis)),
        lambda a, sections, axis: np.concatenate([p.ravel() for p in np.array_split(a, sections, axis)])),
    Row("hstack", "hstack", stackable(1), lambda *ts: mg.hstack(ts), lambda *arrays: np.hstack(arrays)),
    Row("vstack", "vstack", stackable(0), lambda *ts: mg.vstack(ts), lambda *arrays: np.vstack(arrays)),
    Row("pad", "pad", padded, mg.pad, np.pad),
    Row("astype", "astype", one(), lambda a: a.astype(np.float64), lambda a: a.astype(np.float64)),
    Row("deg2rad", "deg2rad", one(-200.0, 200.0), mg.deg2rad, np.deg2rad),
    Row("radians", "radians", one(-200.0, 200.0), mg.radians, np.radians),
    Row("rad2deg", "rad2deg", one(), mg.rad2deg, np.rad2deg),
    Row("degrees", "degrees", one(), mg.degrees, np.degrees),
    Row("logaddexp2", "logaddexp2", pair(), mg.logaddexp2, np.logaddexp2),
    Row("fmax", "fmax", apart, mg.fmax, np.fmax),
    Row("fmin", "fmin", apart, mg.fmin, np.fmin),
    Row("atleast_1d", "atleast_1d", one(), mg.atleast_1d, np.atleast_1d),
    Row("atleast_2d", "atleast_2d", one(), mg.atleast_2d, np.atleast_2d),
    Row("atleast_3d", "atleast_3d", one(), mg.atleast_3d, np.atleast_3d),
    Row("fliplr", "fliplr", one(shape=mst.shapes(min_dims=2)), mg.fliplr, np.fliplr),
    Row("flipud", "flipud", one(shape=mst.shapes(min_dims=1)), mg.flipud, np.flipud),
    Row("hsplit", "hsplit", sectioned_along(1), lambda a, sections: joined_pieces(mg.hsplit(a, sections)),
        lambda a, sections: np.concatenate([p.ravel() for p in np.hsplit(a, sections)])),
    Row("vsplit", "vsplit", sectioned_along(0), lambda a, sections: joined_pieces(mg.vsplit(a, sections)),
        lambda a, sections: np.concatenate([p.ravel() for p in np.vsplit(a, sections)])),
    Row("dsplit", "dsplit", sectioned_along(2), lambda a, sections: joined_pieces(mg.dsplit(a, sections)),
        lambda a, sections: np.concatenate([p.ravel() for p in np.dsplit(a, sections)])),
    Row("column_stack", "column_stack", columns, lambda *ts: mg.column_stack(ts), lambda *arrays: np.column_stack(arrays)),
    Row("append", "append", appendable, lambda a, b, axis: mg.append(a, b, axis), np.append),
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
    """The table covers every op function defined in the op families of minigrad.ops."""
    import inspect

    from minigrad import ops
    for module in ops.FAMILIES:
        public = {name for name, f in vars(module).items()
                  if inspect.isfunction(f) and f.__module__ == module.__name__ and not name.startswith("_")
                  and not name.endswith("_backward")}
        public -= {"as_tensor", "unbroadcast"}   # helpers, not ops
        public -= {"eq", "ne", "lt", "le", "gt", "ge"}   # comparisons have no gradient: tests/test_protocols.py
        assert public - {row.op for row in OPS} == set(), module.__name__
        # ... and every op has its backward right there.
        assert all(callable(getattr(module, name + "_backward", None)) for name in public), module.__name__
    assert public, "the join_split module defines ops"


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
