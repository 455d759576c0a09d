"""A Tensor edited after the forward pass, and a Tensor spoken to through Python's and numpy's protocols.

The first half: writes through ``t.data`` are counted, and ``backward`` refuses a graph whose
saved values changed after an op used them (PyTorch's version counter), naming the tensor, the
op and what to do. The second half: ``float``, ``int``, ``bool``, ``format``, ``tolist``,
``np.asarray``, comparisons, ``len`` and iteration behave as PyTorch defines them.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import minigrad as mg
import nets

MODIFIED = r"was modified \(written through \.data, or \.data reassigned\) after the op used it"


def squared_norm_graph():
    w = mg.Tensor([1.0, 2.0], requires_grad=True, name="w")
    return w, (w * w).sum()


# ------------------------------------------------------------- writes after the forward pass
@pytest.mark.parametrize("edit", [
    lambda w: w.data.__setitem__(0, 10.0),               # w.data[0] = 10.
    lambda w: setattr(w, "data", np.array([10.0, 2.0])),  # w.data = ...
    lambda w: w.data.__iadd__(1.0),                      # w.data += 1 (an in-place operator)
    lambda w: np.multiply(w.data, 2.0, out=w.data),      # a ufunc writing into it
    lambda w: w.data[:1].fill(0.0),                      # through a slice of it
    lambda w: w.data.T.__setitem__(1, 0.0),              # through a transposed view
    lambda w: np.copyto(w.data, [5.0, 5.0]),
    lambda w: w.data.sort(),
    lambda w: np.add.at(w.data, [0], 1.0),
], ids=["setitem", "rebind", "iadd", "ufunc-out", "slice-fill", "view-setitem", "copyto", "sort", "ufunc-at"])
def test_backward_refuses_values_written_after_the_op_used_them(edit):
    w, loss = squared_norm_graph()
    w.data[...] = [3.0, 1.0]        # written before the op ran: harmless ...
    w, loss = squared_norm_graph()
    edit(w)                          # ... written after it: the gradient would be wrong
    with pytest.raises(RuntimeError, match=MODIFIED) as error:
        loss.backward()
    message = str(error.value)
    assert "'w'" in message and "op 'mul'" in message           # the tensor and the op that saved it
    assert "t.data.copy()" in message and "after backward()" in message and "mg.no_grad()" in message
    assert w.grad is None


def test_the_error_names_an_unnamed_tensor_by_its_shape_and_the_scope():
    a = mg.Tensor(np.ones((2, 3)), requires_grad=True)
    with mg.scope("layer0"):
        y = a.tanh()
    y.data[0, 0] = 5.0              # tanh's backward reads its own output
    with pytest.raises(RuntimeError, match=r"the tensor of shape \(2, 3\) \(its output of op 'tanh' "
                                           r"in scope 'layer0'\) was modified"):
        y.backward(np.ones((2, 3)))
    loss = (a * 2.0).sum()
    a.data = np.zeros((2, 3))
    with pytest.raises(RuntimeError, match=r"the tensor of shape \(2, 3\) \(input 0 of op 'mul'\) was modified"):
        loss.backward()


def test_a_write_through_a_detached_copy_counts_for_the_original():
    w, loss = squared_norm_graph()
    w.detach().data[1] = 0.0        # detach() shares memory
    with pytest.raises(RuntimeError, match=MODIFIED):
        loss.backward()


def test_edits_before_the_op_after_backward_or_on_copies_are_fine():
    w = mg.Tensor([1.0, 2.0], requires_grad=True)
    y = (w * 3.0).sum()
    w.data[0] = 5.0                 # w is used again below, after this edit
    loss = y + (w * w).sum()
    copy = w.data.copy()
    copy[0] = 100.0                 # a copy belongs to nobody
    (w.data * 2)[0] = 7.0           # so does the result of arithmetic
    # y's op (mul by 3) saw the old w; its gradient does not depend on w's value, but the engine
    # does not know which ops read which inputs: only ops built before the edit are refused.
    with pytest.raises(RuntimeError, match=r"input 0 of op 'mul'"):
        loss.backward()
    w.grad = None
    loss = (w * w).sum()
    copy[1] = -1.0
    loss.backward()
    np.testing.assert_allclose(w.grad, [10.0, 4.0])
    w.data -= 0.1 * w.grad          # an optimizer's step, after backward
    (w * w).sum().backward()        # a new graph sees the new values
    np.testing.assert_allclose(w.grad, [10.0, 4.0] + 2 * w.data)


def test_optimizers_and_a_training_loop_keep_working():
    rng = np.random.default_rng(0)
    net = nets.LSTM(3, 4, rng=rng)
    x = rng.normal(size=(5, 2, 3))
    target = rng.normal(size=(5, 2, 4))
    for optimizer in (mg.optim.SGD(net.parameters(), lr=0.05, momentum=0.9),
                      mg.optim.Adam(net.parameters(), lr=0.01)):
        losses = []
        for _ in range(5):
            optimizer.zero_grad()
            output, _ = net(x)
            loss = ((output - target) ** 2).mean()
            loss.backward()
            optimizer.step()
            losses.append(float(loss))
        assert losses[-1] < losses[0]
    state = net.state_dict()
    net.load_state_dict(state)      # writes through .data, before any forward: fine
    output, _ = net(x)
    output.sum().backward()


def test_gradcheck_perturbs_its_inputs_and_still_passes():
    a = mg.Tensor(np.array([0.3, -1.2, 2.0]), requires_grad=True)
    assert mg.testing.gradcheck(lambda t: (t * t).tanh(), [a])


def test_reassigning_data_copies_and_checks_the_values():
    w = mg.Tensor([1.0, 2.0])
    source = np.array([4, 5])
    w.data = source
    source[0] = 0
    assert w.dtype == np.float64 and w.tolist() == [4.0, 5.0]
    with pytest.raises(TypeError, match="Tensor.data must be real numbers, got string data"):
        w.data = ["a", "b"]


def test_data_looks_like_a_plain_array():
    w = mg.Tensor([1.0, 2.0])
    assert repr(w.data) == "array([1., 2.])"
    assert type(w.data * 2) is np.ndarray and type(w.data.copy()) is np.ndarray
    assert isinstance(w.data, np.ndarray) and np.shares_memory(w.data, w.numpy())


# ------------------------------------------------------------------ Python's number protocols
def test_one_element_tensors_convert_to_python_numbers():
    loss = (mg.Tensor([1.25, 2.0], requires_grad=True) ** 2).sum()
    assert float(loss) == 5.5625 and isinstance(float(loss), float)
    assert int(mg.Tensor(-2.7)) == -2 and int(mg.Tensor([[3.9]])) == 3
    assert bool(mg.Tensor(0.0)) is False and bool(mg.Tensor([[2.0]])) is True
    assert f"{loss:.3f}" == "5.562" and format(loss, "8.2e") == "5.56e+00"
    assert f"{loss}" == str(loss)
    assert mg.Tensor(3.5).tolist() == 3.5 and mg.Tensor([[1, 2], [3, 4]]).tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert loss.item() == 5.5625


@pytest.mark.parametrize("convert, name", [(float, "float()"), (int, "int()"),
                                           (lambda t: format(t, ".3f"), "format(tensor, '.3f')")])
def test_a_many_element_tensor_does_not_convert_to_one_number(convert, name):
    with pytest.raises(TypeError, match=re.escape(name) + r": only a tensor with one element converts to a Python "
                                        r"number, this one has shape \(2, 3\) \(6 elements\); use \.tolist\(\)"):
        convert(mg.Tensor(np.zeros((2, 3))))


@pytest.mark.parametrize("shape, count", [((2,), 2), ((0,), 0)])
def test_the_truth_of_a_many_element_tensor_is_ambiguous(shape, count):
    with pytest.raises(ValueError, match=rf"bool\(\): the truth value of a tensor of shape "
                                         rf"\({shape[0]},\) \({count} elements\) is ambiguous"):
        bool(mg.Tensor(np.ones(shape)))


def test_a_0d_tensor_has_no_length_and_no_iteration():
    scalar = mg.Tensor(1.0)
    with pytest.raises(TypeError, match=r"len\(\) of a 0-d tensor"):
        len(scalar)
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        iter(scalar)
    with pytest.raises(TypeError, match="iteration over a 0-d tensor"):
        list(scalar)


def test_iterating_gives_the_rows_as_ops_of_the_graph():
    m = mg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    rows = list(m)
    assert len(m) == 2 and [r.tolist() for r in rows] == [[1.0, 2.0], [3.0, 4.0]]
    assert all(r.op == "getitem" for r in rows)
    (rows[1] * 2).sum().backward()
    np.testing.assert_array_equal(m.grad, [[0, 0], [2, 2]])
    assert 3.0 in m and 5.0 not in m


# ------------------------------------------------------------------ numpy's array protocol
def test_asarray_is_the_float_array_and_honours_copy_and_dtype():
    t = mg.Tensor([1.0, 2.0], requires_grad=True)
    array = np.asarray(t)
    assert array.dtype == np.float64 and array.tolist() == [1.0, 2.0]
    assert np.shares_memory(array, t.data) and not array.flags.writeable   # writes go through t.data
    copied = np.array(t)
    assert not np.shares_memory(copied, t.data) and copied.flags.writeable
    assert np.asarray(t, dtype=np.float32).dtype == np.float32
    assert np.asarray(t, copy=False) is not None
    with pytest.raises(ValueError, match=r"dtype=float32, copy=False\): the tensor holds float64, so a "
                                         r"conversion cannot avoid a copy"):
        np.asarray(t, dtype=np.float32, copy=False)
    assert np.mean(np.asarray(mg.Tensor(np.arange(4.0)))) == 1.5
    assert np.asarray([mg.Tensor(1.0), mg.Tensor(2.0)]).dtype == np.float64   # not an object array


# ------------------------------------------------------------------ comparisons
@pytest.mark.parametrize("compare, expected", [
    (lambda a, b: a < b, [True, False, False]), (lambda a, b: a <= b, [True, True, False]),
    (lambda a, b: a > b, [False, False, True]), (lambda a, b: a >= b, [False, True, True]),
    (lambda a, b: a == b, [False, True, False]), (lambda a, b: a != b, [True, False, True]),
])
def test_comparisons_are_elementwise_boolean_tensors_without_grad(compare, expected):
    a = mg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = mg.Tensor([2.0, 2.0, 2.0], requires_grad=True)
    for left, right in ((a, b), (a, 2.0), (a, np.full(3, 2.0)), (a.data, b), (np.array([1.0, 2.0, 3.0]), b)):
        result = compare(left, right)
        assert isinstance(result, mg.Tensor) and result.dtype == np.bool_
        assert result.tolist() == expected and not result.requires_grad and result.is_leaf


def test_comparisons_broadcast_and_name_the_shapes_that_do_not():
    a = mg.Tensor(np.arange(6.0).reshape(2, 3))
    assert (a > mg.Tensor([[2.0], [4.0]])).tolist() == [[False, False, False], [False, False, True]]
    with pytest.raises(mg.ShapeError, match=r"lt: cannot broadcast shapes \(2, 3\) and \(2,\)"):
        a < mg.Tensor([1.0, 2.0])


def test_a_boolean_tensor_masks_and_multiplies():
    x = mg.Tensor([-1.0, 2.0, -3.0, 4.0], requires_grad=True)
    positive = x[x > 0]
    assert positive.tolist() == [2.0, 4.0]
    (positive.sum() + (x * (x < 0)).sum()).backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0, 1.0, 1.0])


def test_tensors_keep_identity_hashing_in_sets_dicts_and_lists():
    a, b = mg.Tensor([1.0, 2.0]), mg.Tensor([1.0, 2.0])
    assert len({a, b}) == 2 and {a: 1, b: 2}[b] == 2 and hash(a) != hash(b)
    assert (a == None) is False and (a != "text") is True   # noqa: E711 (what == does with a non-number)
    assert a in [a, b] and a not in {(a * b).sum()}


def test_gradcheck_names_a_failing_input_by_position_among_equal_valued_inputs():
    # Finding the position with list.index would compare the inputs with ==, elementwise.
    a = mg.Tensor([1.0, 2.0], requires_grad=True)
    b = mg.Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(mg.testing.GradcheckError, match=r"gradient of input 1 \(shape \(2,\)\) is wrong"):
        mg.testing.gradcheck(lambda x, y: x * y.detach(), [a, b])
