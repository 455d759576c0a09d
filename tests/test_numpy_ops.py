"""The numpy-named ops (minigrad/ops/: elementwise, trigonometric, reductions, linalg, shape, ...) where the OPS table of
test_ops.py cannot look: at their kinks and jumps, prod with zeros, std at zero variance, and every
bad argument's message.

The subgradients asserted here are PyTorch's and HIPS autograd's (docs/ops.md lists them); the
expected values are worked out by hand in each test.
"""
from __future__ import annotations

import re
from typing import Any, Callable

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import ShapeError
from minigrad.testing import gradcheck
from minigrad.testing import strategies as mst


def gradient(f: Callable[[mg.Tensor], mg.Tensor], values: Any) -> np.ndarray:
    x = mg.Tensor(np.asarray(values, dtype=np.float64), requires_grad=True)
    f(x).sum().backward()
    return x.grad


# ------------------------------------------------------------------ kinks
def test_abs_sign_floor_ceil_have_gradient_zero_at_their_kinks_and_jumps() -> None:
    assert gradient(mg.abs, [0.0, -2.0, 3.0]).tolist() == [0.0, -1.0, 1.0]
    assert gradient(mg.absolute, [0.0]).tolist() == [0.0]
    for op in (mg.sign, mg.floor, mg.ceil):
        assert gradient(op, [0.0, 1.0, -2.0, 0.5]).tolist() == [0.0, 0.0, 0.0, 0.0]
    assert gradient(lambda t: t // 2.0, [4.0, 3.0]).tolist() == [0.0, 0.0]


def test_maximum_and_minimum_split_the_gradient_at_a_tie() -> None:
    a = mg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.Tensor([1.0, 5.0, 0.0], requires_grad=True)
    (mg.maximum(a, b) + 10 * mg.minimum(a, b)).sum().backward()
    assert a.grad.tolist() == [5.5, 10.0, 1.0]       # tie: 1/2 + 10/2; a smaller; a larger
    assert b.grad.tolist() == [5.5, 1.0, 10.0]


def test_min_shares_the_gradient_among_tied_minima() -> None:
    assert gradient(lambda t: t.min(), [2.0, 1.0, 1.0, 3.0]).tolist() == [0.0, 0.5, 0.5, 0.0]
    assert gradient(lambda t: t.min(axis=1), [[1.0, 1.0], [0.0, 2.0]]).tolist() == [[0.5, 0.5], [1.0, 0.0]]


def test_clip_passes_the_gradient_at_its_bounds_as_pytorch_does() -> None:
    assert gradient(lambda t: t.clip(-1.0, 1.0), [-2.0, -1.0, 0.0, 1.0, 2.0]).tolist() == [0, 1, 1, 1, 0]
    assert gradient(lambda t: mg.clip(t, None, 0.0), [-1.0, 0.0, 1.0]).tolist() == [1, 1, 0]


def test_hypot_and_arctan2_have_gradient_zero_at_the_origin() -> None:
    a = mg.Tensor([0.0, 3.0], requires_grad=True)
    b = mg.Tensor([0.0, 4.0], requires_grad=True)
    (mg.hypot(a, b) + mg.arctan2(a, b)).sum().backward()
    np.testing.assert_allclose(a.grad, [0.0, 3 / 5 + 4 / 25])
    np.testing.assert_allclose(b.grad, [0.0, 4 / 5 - 3 / 25])


def test_mod_gradient_for_the_divisor_is_minus_floor_of_the_quotient() -> None:
    a = mg.Tensor([7.0, -7.0], requires_grad=True)
    b = mg.Tensor([3.0, 3.0], requires_grad=True)
    (a % b).sum().backward()
    assert (a % b).data.tolist() == [1.0, 2.0]       # numpy's sign rule: the divisor's sign
    assert a.grad.tolist() == [1.0, 1.0] and b.grad.tolist() == [-2.0, 3.0]
    assert (7.0 % mg.Tensor(3.0)).item() == 1.0 and (7.0 // mg.Tensor(2.0)).item() == 3.0


def test_where_sends_the_gradient_to_the_chosen_operand_only() -> None:
    x = mg.Tensor([1.0, -1.0, 2.0], requires_grad=True)
    y = mg.Tensor(5.0, requires_grad=True)
    mg.where(x > 0, x * 3, y).sum().backward()
    assert x.grad.tolist() == [3.0, 0.0, 3.0] and y.grad.item() == 1.0


def test_where_does_not_leak_an_infinite_gradient_of_the_unused_branch() -> None:
    x = mg.Tensor([0.0, 4.0], requires_grad=True)
    mg.where(x > 0, mg.sqrt(mg.where(x > 0, x, 1.0)), 0.0).sum().backward()
    assert x.grad.tolist() == [0.0, 0.25]


# ------------------------------------------------------------------ prod and std
@pytest.mark.parametrize("values, expected", [
    ([2.0, 0.0, 3.0], [0.0, 6.0, 0.0]),            # one zero: only its own gradient survives
    ([0.0, 5.0, 0.0], [0.0, 0.0, 0.0]),            # two zeros: every product of the others holds a zero
    ([-2.0, 3.0, -1.0], [-3.0, 2.0, -6.0]),        # negatives: exact signs
    ([4.0], [1.0]),
])
def test_prod_gradient_is_the_product_of_the_others_exactly_with_zeros(values: list, expected: list) -> None:
    assert gradient(lambda t: t.prod(), values).tolist() == expected


@given(mst.arrays(mst.shapes(min_dims=1, max_side=4), -2.0, 2.0), st.data())
def test_prod_gradient_with_zeros_planted_matches_finite_differences(x: np.ndarray, data: Any) -> None:
    flat = x.reshape(-1)
    for position in data.draw(st.lists(st.integers(0, flat.size - 1), max_size=2)):
        flat[position] = 0.0
    axis = data.draw(mst.axis_tuples(x.ndim))
    assert gradcheck(lambda t: t.prod(axis), [mg.Tensor(x, requires_grad=True)], atol=1e-6, rtol=1e-5)


def test_std_at_zero_variance_is_zero_with_gradient_zero() -> None:
    x = mg.Tensor([[2.0, 2.0, 2.0], [1.0, 2.0, 3.0]], requires_grad=True)
    y = x.std(axis=1)
    y.sum().backward()
    assert y.data[0] == 0.0
    assert x.grad[0].tolist() == [0.0, 0.0, 0.0]                 # the subgradient 0, not 0/0 = NaN
    np.testing.assert_allclose(x.grad[1], np.array([-1.0, 0.0, 1.0]) / (3 * np.sqrt(2 / 3)))


def test_var_and_std_with_ddof_one_match_numpy_unbiased_estimates() -> None:
    values = np.array([1.0, 2.0, 4.0, 7.0])
    assert mg.Tensor(values).var(ddof=1).item() == pytest.approx(np.var(values, ddof=1))
    assert mg.Tensor(values).std(ddof=1).item() == pytest.approx(np.std(values, ddof=1))


def test_astype_float32_records_an_op_whose_gradient_comes_back_in_float64() -> None:
    x = mg.Tensor([1.5, 2.5], requires_grad=True)
    y = x.astype(np.float32)
    assert y.dtype == np.float32 and y.op == "astype"
    (y * 2).sum().backward()
    assert x.grad.dtype == np.float64 and x.grad.tolist() == [2.0, 2.0]


def test_split_pieces_pool_their_gradients_into_the_input() -> None:
    x = mg.Tensor(np.arange(5.0), requires_grad=True)
    first, second = mg.array_split(x, 2)
    (first * 2 + 0).sum().backward()
    assert [p.shape for p in (first, second)] == [(3,), (2,)]
    assert x.grad.tolist() == [2.0, 2.0, 2.0, 0.0, 0.0]


def test_fmax_and_fmin_let_the_other_operand_win_over_a_nan() -> None:
    a = mg.Tensor([np.nan, 1.0], requires_grad=True)
    b = mg.Tensor([2.0, np.nan], requires_grad=True)
    (mg.fmax(a, b) + 10 * mg.fmin(a, b)).sum().backward()
    assert (mg.fmax(a, b)).data.tolist() == [2.0, 1.0]
    assert a.grad.tolist() == [0.0, 11.0] and b.grad.tolist() == [11.0, 0.0]


def test_hstack_and_vstack_take_a_tensor_as_the_sequence_of_its_rows_as_numpy_does() -> None:
    x = mg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    np.testing.assert_array_equal(mg.vstack(x).data, np.vstack(np.arange(6.0).reshape(2, 3)))
    np.testing.assert_array_equal(mg.hstack(x).data, np.hstack(np.arange(6.0).reshape(2, 3)))
    (mg.hstack(x) * mg.Tensor(np.arange(6.0))).sum().backward()
    assert x.grad.tolist() == [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]


def test_einsum_numpy_sublist_form_and_implicit_output() -> None:
    a, b = np.arange(6.0).reshape(2, 3), np.arange(12.0).reshape(3, 4)
    np.testing.assert_array_equal(mg.einsum(mg.Tensor(a), [0, 1], mg.Tensor(b), [1, 2], [0, 2]).data, a @ b)
    np.testing.assert_array_equal(mg.einsum("ij,jk", mg.Tensor(a), mg.Tensor(b)).data, a @ b)
    np.testing.assert_array_equal(mg.einsum("ba", mg.Tensor(a)).data, a.T)   # implicit output: alphabetical, 'ab'


def test_new_ops_keep_float32() -> None:
    x = mg.Tensor(np.ones((2, 2), dtype=np.float32))
    for result in (mg.sin(x), x % 3.0, mg.maximum(x, 0.5), x.std(), mg.einsum("ij->", x), mg.clip(x, 0, 1),
                   mg.where(x > 0, x, 0.0), mg.pad(x, 1)):
        assert result.dtype == np.float32, result.op


# ------------------------------------------------------------------ bad input
m = mg.Tensor(np.ones((2, 3)), requires_grad=True)
v = mg.Tensor(np.ones(3))

BAD = [
    (lambda: mg.clip(m, 2, 1), ValueError, "clip: a_min must not exceed a_max, got a_min=2 and a_max=1"),
    (lambda: mg.clip(m, None, None), ValueError, "clip: a_min and a_max are both None"),
    (lambda: mg.clip(m, "a", 1), TypeError, "clip: a_min must be a real number, an array of them or None, got 'a'"),
    (lambda: mg.clip(m, np.zeros(4), None), ShapeError, "clip: bounds of shapes [(4,)] do not broadcast"),
    (lambda: mg.where(m, m, m), TypeError, "where: condition must be boolean (a comparison such as t > 0, or a "
     "numpy bool array), got dtype float64"),
    (lambda: mg.where(np.ones(4, bool), m, m), ShapeError,
     "where: cannot broadcast shapes (4,) (condition), (2, 3) (x) and (2, 3) (y)"),
    (lambda: mg.where(np.ones(3, bool), 1.0, 2.0), TypeError, "where: expected a Tensor, got float"),
    (lambda: mg.var(m, ddof=1.5), TypeError, "var: ddof must be an integer >= 0, got 1.5"),
    (lambda: mg.std(m, axis=0, ddof=2), ValueError, "std: ddof must be an integer with 0 <= ddof < 2 (the number "
     "of elements reduced together in a tensor of shape (2, 3)), got 2"),
    (lambda: mg.var(m, ddof=-1), ValueError, "var: ddof must be an integer with 0 <= ddof < 6"),
    (lambda: mg.einsum("ij,jk", m), ValueError, "einsum: subscripts 'ij,jk' name 2 operand(s), got 1"),
    (lambda: mg.einsum("i1", m), ValueError, "einsum: subscripts must be letters (and '...'), got 'i1' for operand 0"),
    (lambda: mg.einsum("ijk", m), ShapeError, "einsum: operand 0 has 2 axes but its subscripts 'ijk' name 3"),
    (lambda: mg.einsum("ij,ij", m, mg.Tensor(np.ones((2, 4)))), ShapeError,
     "einsum: index 'j' has size 3 in operand 0 and 4 in operand 1"),
    (lambda: mg.einsum("ij->k", m), ValueError, "einsum: output subscript 'k' of 'ij->k' is not an operand's"),
    (lambda: mg.einsum("ij->ii", m), ValueError, "einsum: output subscripts of 'ij->ii' repeat an index"),
    (lambda: mg.einsum("...ij->ij", mg.Tensor(np.ones((4, 2, 3)))), ValueError, "einsum: subscripts '...ij->ij' use '...' in the operands but "
     "not in the output"),
    (lambda: mg.einsum(3, m), TypeError, "einsum: subscripts must be a string such as 'ij,jk->ik'"),
    (lambda: mg.einsum("ij"), ValueError, "einsum: needs at least one operand"),
    (lambda: mg.split(m, 2, axis=1), ShapeError, "split: 2 sections do not divide axis 1 of length 3 equally "
     "(tensor of shape (2, 3)); array_split allows unequal pieces"),
    (lambda: mg.split(m, 0), ValueError, "split: the number of sections must be >= 1, got 0"),
    (lambda: mg.split(m, [1.5]), TypeError, "split: indices_or_sections must be an int or a sequence of ints"),
    (lambda: mg.split(m, [-1]), ValueError, "split: split indices must be >= 0, got [-1]"),
    (lambda: mg.array_split(m, 0), ValueError, "array_split: the number of sections must be >= 1, got 0"),
    (lambda: mg.split(m, 1, axis=2), ShapeError, "split: axis 2 is out of range for a tensor of shape (2, 3)"),
    (lambda: mg.tensordot(m, m, axes=([0], [1])), ShapeError, "tensordot: axis 0 of a (size 2) and axis 1 of b "
     "(size 3) must have the same size"),
    (lambda: mg.tensordot(m, m, 3), ShapeError, "tensordot: axes=3 must be between 0 and 2"),
    (lambda: mg.tensordot(m, m, ([0, 1], [0])), ShapeError, "tensordot: axes ([0, 1], [0]) pair 2 axes of a with 1"),
    (lambda: mg.tensordot(m, m, "x"), TypeError, "tensordot: axes must be an int or a pair of sequences"),
    (lambda: mg.dot(m, m), ShapeError, "dot: shapes (2, 3) and (2, 3) do not match: the last axis of the first "
     "(3) must equal the second-to-last axis of the second (2)"),
    (lambda: mg.inner(m, mg.Tensor(np.ones(2))), ShapeError, "inner: the last axes of shapes (2, 3) and (2,) "
     "must have the same size"),
    (lambda: mg.dot(np.ones(2), [1.0]), TypeError, "dot: expected a Tensor, got list"),
    (lambda: mg.trace(v), ShapeError, "trace: needs a tensor of at least 2 axes, got shape (3,)"),
    (lambda: mg.trace(m, axis1=1, axis2=1), ShapeError, "trace: axis1 and axis2 must differ, got 1 for both"),
    (lambda: mg.trace(m, offset=0.5), TypeError, "trace: offset must be an int"),
    (lambda: mg.diag(m, 1.0), TypeError, "diag: k must be an int (which diagonal: 0 the main one), got 1.0"),
    (lambda: mg.diag(mg.Tensor(np.ones((2, 2, 2)))), ShapeError, "diag: needs a vector or a matrix, got a tensor "
     "of shape (2, 2, 2)"),
    (lambda: mg.tril(v), ShapeError, "tril: needs a tensor of at least 2 axes, got shape (3,)"),
    (lambda: mg.triu(v), ShapeError, "triu: needs a tensor of at least 2 axes, got shape (3,)"),
    (lambda: mg.squeeze(m, 0), ShapeError, "squeeze: axis 0 has size 2, not 1 (tensor of shape (2, 3))"),
    (lambda: mg.expand_dims(m, 5), ShapeError, "expand_dims: axis 5 is out of range for the result's 3 axes "
     "(tensor of shape (2, 3))"),
    (lambda: mg.expand_dims(m, (0, 0)), ShapeError, "expand_dims: repeated axis in (0, 0)"),
    (lambda: mg.expand_dims(m, "0"), ShapeError, "expand_dims: axis must be an int or a tuple of ints, got '0'"),
    (lambda: mg.swapaxes(m, 0, 2), ShapeError, "swapaxes: axis 2 is out of range for a tensor of shape (2, 3)"),
    (lambda: mg.moveaxis(m, [0, 1], [0]), ShapeError, "moveaxis: source (0, 1) and destination (0,) must have "
     "the same number of axes"),
    (lambda: mg.moveaxis(m, 0, 3), ShapeError, "moveaxis: axis 3 is out of range for a tensor of shape (2, 3)"),
    (lambda: mg.repeat(m, -1), ValueError, "repeat: repeats must be >= 0, got -1"),
    (lambda: mg.repeat(m, [1, 2], axis=1), ShapeError, "repeat: 2 repeats for 3 elements along axis 1 (tensor "
     "of shape (2, 3)); give one count, or one per element"),
    (lambda: mg.repeat(m, 1.5), TypeError, "repeat: repeats must be an int or a sequence of ints, got 1.5"),
    (lambda: mg.tile(m, (-1,)), ValueError, "tile: reps must be >= 0, got (-1,)"),
    (lambda: mg.tile(m, 1.5), TypeError, "tile: reps must be an int or a tuple of ints, got 1.5"),
    (lambda: mg.pad(m, 1, mode="edge"), ValueError, "pad: only mode='constant' is supported, got mode='edge'"),
    (lambda: mg.pad(m, -1), ValueError, "pad: pad_width must be >= 0, got -1"),
    (lambda: mg.pad(m, 0.5), TypeError, "pad: pad_width must hold integers, got 0.5"),
    (lambda: mg.pad(m, [(1, 1)] * 3), ShapeError, "pad: pad_width [(1, 1), (1, 1), (1, 1)] does not fit a tensor "
     "of shape (2, 3)"),
    (lambda: mg.pad(mg.Tensor(1.0), 1), ShapeError, "pad: needs a tensor of at least 1 axis, got a 0-d tensor"),
    (lambda: mg.roll(m, (1, 2), axis=0), ShapeError, "roll: 2 shifts for 1 axes; give one shift, or one per axis"),
    (lambda: mg.roll(m, (1, 2)), ShapeError, "roll: 2 shifts need as many axes, got axis=None"),
    (lambda: mg.roll(m, 0.5), TypeError, "roll: shift must be an int or a tuple of ints, got 0.5"),
    (lambda: m.astype(np.int32), TypeError, "astype: dtype must be float64 or float32, got int32"),
    (lambda: mg.cumsum(m, 2), ShapeError, "cumsum: axis 2 is out of range for a tensor of shape (2, 3)"),
    (lambda: mg.min(mg.Tensor(np.ones((0, 2)))), ShapeError, "min: cannot take the minimum over an empty axis"),
    (lambda: mg.logsumexp(mg.Tensor(np.ones((0, 2))), 0), ShapeError, "logsumexp: cannot reduce over an empty axis"),
    (lambda: mg.prod(m, 3), ShapeError, "prod: axis 3 is out of range for a tensor of shape (2, 3)"),
    (lambda: mg.var(m, axis=(0, 0)), ShapeError, "var: repeated axis in (0, 0) for a tensor of shape (2, 3)"),
    (lambda: mg.maximum(m, mg.Tensor(np.ones(4))), ShapeError, "maximum: cannot broadcast shapes (2, 3) and (4,)"),
    (lambda: m % mg.Tensor(np.ones(4)), ShapeError, "mod: cannot broadcast shapes (2, 3) and (4,)"),
    (lambda: mg.hstack(3.0), TypeError, "hstack: expected a sequence (list or tuple) of tensors, got float"),
    (lambda: mg.vstack(mg.Tensor(1.0)), TypeError, "vstack: expected a sequence of tensors, got a 0-d Tensor"),
    (lambda: mg.vstack([m, mg.Tensor(np.ones((2, 2)))]), ShapeError, "vstack: shapes (2, 3), (2, 2) cannot be "
     "joined along axis 0"),
    (lambda: mg.hstack([]), ShapeError, "hstack: needs at least one tensor"),
    (lambda: mg.fliplr(v), ShapeError, "fliplr: needs a tensor of at least 2 axes, got shape (3,)"),
    (lambda: mg.flipud(mg.Tensor(1.0)), ShapeError, "flipud: needs a tensor of at least 1 axis, got a 0-d tensor"),
    (lambda: mg.vsplit(v, 1), ShapeError, "vsplit: needs a tensor of at least 2 axes, got shape (3,)"),
    (lambda: mg.dsplit(m, 1), ShapeError, "dsplit: needs a tensor of at least 3 axes, got shape (2, 3)"),
    (lambda: mg.hsplit(m, 2), ShapeError, "hsplit: 2 sections do not divide axis 1 of length 3 equally"),
    (lambda: mg.append(m, v, axis=0.5), ShapeError, "append: axis must be None or an int, got 0.5"),
    (lambda: mg.append(m, v, axis=0), ShapeError, "append: shapes (2, 3), (3,) cannot be joined along axis 0"),
    (lambda: mg.column_stack([v, mg.Tensor(np.ones(2))]), ShapeError, "column_stack: shapes (3, 1), (2, 1) cannot be "
     "joined along axis 1"),
    (lambda: mg.fmax(m, mg.Tensor(np.ones(4))), ShapeError, "fmax: cannot broadcast shapes (2, 3) and (4,)"),
]


@pytest.mark.parametrize("call, kind, message", BAD, ids=[b[2].split(":")[0] + str(i) for i, b in enumerate(BAD)])
def test_bad_arguments_are_refused_by_name(call: Callable, kind: type, message: str) -> None:
    with pytest.raises(kind, match="^" + re.escape(message)):
        call()


ONE_OPERAND = ["sin", "cos", "tan", "arcsin", "arccos", "arctan", "sinh", "cosh", "arcsinh", "arccosh", "arctanh",
               "abs", "absolute", "sqrt", "square", "sign", "floor", "ceil", "log1p", "expm1", "log2", "log10",
               "exp2", "reciprocal", "min", "prod", "var", "std", "cumsum", "logsumexp", "trace", "diag", "tril",
               "triu", "ravel", "flatten", "squeeze", "swapaxes", "moveaxis", "roll", "repeat", "tile", "split",
               "array_split", "pad", "astype", "clip", "expand_dims", "deg2rad", "radians", "rad2deg", "degrees",
               "atleast_1d", "atleast_2d", "atleast_3d", "fliplr", "flipud", "hsplit", "vsplit", "dsplit"]
EXTRA = {"swapaxes": (0, 0), "moveaxis": (0, 0), "roll": (1,), "repeat": (2,), "tile": (2,), "split": (1,),
         "array_split": (1,), "hsplit": (1,), "vsplit": (1,), "dsplit": (1,), "pad": (1,), "astype": (np.float64,), "clip": (0, 1), "expand_dims": (0,)}


@pytest.mark.parametrize("name", ONE_OPERAND)
def test_one_operand_ops_refuse_a_non_tensor_by_name(name: str) -> None:
    with pytest.raises(TypeError, match=rf"^{name}: expected a Tensor, got ndarray; wrap it first"):
        getattr(mg, name)(np.ones((2, 2)), *EXTRA.get(name, ()))
