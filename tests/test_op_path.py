"""The lean op path's shortcuts give the same gradients as the plain path (issue 11).

- ``a * a`` sends one product g a to both of its uses (the squared error of every BPTT loss);
- ``add`` and ``sub`` wrap a float numpy operand without copying it, since their backward
  reads only shapes; ``mul`` (whose backward reads its operands' values) still copies.
"""
import numpy as np
import pytest

import minigrad as mg


def test_square_by_mul_gives_twice_g_times_a():
    a = np.array([[1.5, -2.0, 0.25], [3.0, 0.0, -1.0]])
    g = np.array([[1.0, 2.0, -1.0], [0.5, 3.0, 4.0]])
    x = mg.Tensor(a, requires_grad=True)
    (x * x).backward(g)
    np.testing.assert_array_equal(x.grad, 2.0 * g * a)


def test_square_by_mul_of_an_intermediate_through_sum():
    a = np.array([0.5, -1.0, 2.0])
    w = mg.Tensor(a, requires_grad=True)
    e = w - np.array([1.0, 1.0, 1.0])
    (e * e).sum().backward()
    np.testing.assert_array_equal(w.grad, 2.0 * (a - 1.0))


def test_square_by_mul_records_one_contribution_per_use():
    x = mg.Tensor([1.0, -3.0], requires_grad=True)
    (x * x).sum().backward(keep_contributions=True)
    assert len(x.contributions) == 2
    for contribution in x.contributions:
        np.testing.assert_array_equal(contribution.grad, [1.0, -3.0])
    np.testing.assert_array_equal(x.grad, [2.0, -6.0])


@pytest.mark.parametrize("op, sign", [("add", 1.0), ("sub", -1.0)])
def test_add_and_sub_do_not_need_a_copy_of_a_numpy_operand(op, sign):
    target = np.array([1.0, 2.0, 3.0])
    x = mg.Tensor([4.0, 5.0, 6.0], requires_grad=True)
    out = x + target if op == "add" else x - target
    np.testing.assert_array_equal(out.data, [4.0 + sign * 1.0, 5.0 + sign * 2.0, 6.0 + sign * 3.0])
    target[:] = 100.0                # written after the op: the gradient does not read it
    out.backward(np.array([1.0, -1.0, 2.0]))
    np.testing.assert_array_equal(x.grad, [1.0, -1.0, 2.0])
    reflected = target - x if op == "sub" else target + x
    reflected.backward(np.ones(3))
    np.testing.assert_array_equal(x.grad, [1.0, -1.0, 2.0] + np.full(3, -1.0 if op == "sub" else 1.0))


def test_mul_copies_a_numpy_operand_its_backward_reads():
    factor = np.array([2.0, -1.0])
    x = mg.Tensor([3.0, 4.0], requires_grad=True)
    out = x * factor
    factor[:] = 0.0                  # the gradient is d(x * factor)/dx = the factor the forward saw
    out.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0, -1.0])


def test_add_converts_a_non_float_numpy_operand():
    x = mg.Tensor([0.5, 1.5], requires_grad=True)
    out = x + np.array([1, 2])
    assert out.dtype == np.float64
    np.testing.assert_array_equal(out.data, [1.5, 3.5])
    x32 = mg.Tensor(np.zeros(2, np.float32), requires_grad=True)
    assert (x32 - np.ones(2, np.float32)).dtype == np.float32
