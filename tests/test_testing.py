"""minigrad.testing: gradcheck must catch wrong gradients; the strategies must draw what they promise."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

import minigrad as mg
from minigrad.ops import make_result
from minigrad.testing import GradcheckError, gradcheck
from minigrad.testing import strategies as mst


def square_with_wrong_backward(a: mg.Tensor) -> mg.Tensor:
    """x^2 whose VJP forgets the factor 2 at one element."""
    return make_result(a.data ** 2, (a,), "bad_square", wrong_square_backward)


def wrong_square_backward(g, out):
    (a,) = out.parents
    wrong = 2 * a.data * g
    wrong.reshape(-1)[-1] /= 2
    return (wrong,)


def test_gradcheck_passes_a_correct_gradient() -> None:
    x = mg.Tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)
    assert gradcheck(lambda x: x * x, [x])


def test_gradcheck_names_the_input_and_the_worst_element() -> None:
    x = mg.Tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True, name="weights")
    with pytest.raises(GradcheckError, match=r"input 'weights' \(shape \(2, 2\)\) is wrong at element \(1, 1\): "
                                             r"analytic .*, numeric .*; 1 of 4 elements fail"):
        gradcheck(square_with_wrong_backward, [x])


def test_gradcheck_names_unnamed_inputs_by_position() -> None:
    c = mg.Tensor([1.0])
    x = mg.Tensor([2.0], requires_grad=True)
    with pytest.raises(GradcheckError, match=r"input 1 \(shape \(1,\)\)"):
        gradcheck(lambda c, x: c + square_with_wrong_backward(x), [c, x])


def test_gradcheck_leaves_inputs_and_their_gradients_untouched() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    x.grad = np.array([7.0, 7.0])
    gradcheck(lambda x: x.exp(), [x])
    np.testing.assert_array_equal(x.data, [1.0, 2.0])
    np.testing.assert_array_equal(x.grad, [7.0, 7.0])


def test_gradcheck_warns_on_float32() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True, dtype=np.float32)
    with pytest.warns(UserWarning, match="float32"):
        gradcheck(lambda x: x * 2, [x], atol=1e-2, rtol=1e-2, eps=1e-2)


def test_gradcheck_refuses_nothing_to_check() -> None:
    with pytest.raises(ValueError, match="no input has requires_grad=True"):
        gradcheck(lambda x: x * 2, [mg.Tensor([1.0])])


def test_gradcheck_catches_a_gradient_that_never_arrives() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(GradcheckError, match="analytic 0, numeric"):
        gradcheck(lambda x: mg.Tensor(x.data * 3.0), [x])


@given(shapes=mst.broadcastable_shapes(num_shapes=3))
def test_broadcastable_shapes_broadcast(shapes) -> None:
    assert len(shapes) == 3
    np.broadcast_shapes(*shapes)


@given(x=mst.tensors(shape=mst.shapes(max_dims=2), low=-1.0, high=2.0, min_gap=0.25))
def test_tensors_respect_bounds_and_gap(x) -> None:
    assert x.requires_grad and x.dtype == np.float64
    assert np.all((x.data >= -1.0) & (x.data <= 2.0)) and np.all(np.abs(x.data) >= 0.25)


@given(axis=mst.axes(3, allow_none=False))
def test_axes_are_valid(axis) -> None:
    assert -3 <= axis < 3


# The three-line property test the docs promise a user can write:
@given(mst.tensors(shape=mst.shapes(max_dims=2), low=0.1, high=3.0))
def test_user_property_example(x):
    assert gradcheck(lambda t: (t.log() * t).sum(), [x])


def test_gradcheck_perturbs_inputs_that_are_not_contiguous() -> None:
    # A transposed view as a leaf's data: a flattened copy would not reach the input.
    data = np.arange(6.0).reshape(2, 3).T
    x = mg.Tensor._leaf(data)
    x.requires_grad = True
    assert not x.data.flags.c_contiguous
    assert gradcheck(lambda t: (t * t).sum(), [x])
