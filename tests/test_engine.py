"""The Tensor and reverse mode: construction, accumulation, deep graphs, grad modes, scopes, pooling, errors."""
from __future__ import annotations

import sys

import numpy as np
import pytest
from hypothesis import given

import minigrad as mg
from minigrad.testing import gradcheck
from minigrad.testing import strategies as mst


# ------------------------------------------------------------ construction
def test_numbers_lists_and_integer_arrays_become_float64() -> None:
    assert mg.Tensor(3).dtype == np.float64
    assert mg.Tensor([1, 2]).dtype == np.float64
    assert mg.Tensor(np.arange(3)).dtype == np.float64
    assert mg.Tensor(np.array([True, False])).data.tolist() == [1.0, 0.0]


def test_float32_is_kept_and_can_be_requested() -> None:
    assert mg.Tensor(np.ones(2, dtype=np.float32)).dtype == np.float32
    assert mg.Tensor([1, 2], dtype=np.float32).dtype == np.float32
    x = mg.Tensor([1.0, 2.0], dtype=np.float32)
    assert (x * 2.0 + 1).dtype == np.float32, "a Python number must not promote float32"
    assert (x * True).dtype == np.float32, "nor a Python bool, as in numpy"


@pytest.mark.parametrize("data, kind", [(["a", "b"], "string"), ([1 + 2j], "complex"),
                                        (np.array([object()]), "object")])
def test_non_real_data_is_refused_with_a_clear_error(data, kind) -> None:
    with pytest.raises(TypeError, match=f"Tensor: data must be real numbers, got {kind}"):
        mg.Tensor(data)


def test_unsupported_dtype_is_refused() -> None:
    with pytest.raises(TypeError, match="dtype must be float64 or float32, got float16"):
        mg.Tensor([1.0], dtype=np.float16)


def test_tensor_copies_its_data() -> None:
    source = np.zeros(3)
    t = mg.Tensor(source)
    t.data += 1
    assert source.tolist() == [0.0, 0.0, 0.0]


def test_graph_is_recorded_as_public_attributes() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True, name="x")
    y = (x * 3).sum()
    assert y.op == "sum" and y.parents[0].op == "mul"
    assert y.parents[0].parents[0] is x
    assert x.op == "" and x.parents == () and x.is_leaf
    assert x.grad is None


# ------------------------------------------------------------ accumulation
def test_gradient_accumulates_when_a_tensor_is_used_twice() -> None:
    a = mg.Tensor([1.0, -2.0], requires_grad=True)
    (a + a).sum().backward()
    np.testing.assert_array_equal(a.grad, [2.0, 2.0])


def test_x_times_x_gives_2x() -> None:
    x = mg.Tensor([3.0, -1.5], requires_grad=True)
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad, [6.0, -3.0])


def test_diamond_graph_sums_both_paths() -> None:
    # x -> a = 2x, b = x^2 -> y = a * b = 2 x^3, dy/dx = 6 x^2
    x = mg.Tensor(1.5, requires_grad=True)
    a, b = x * 2, x * x
    (a * b).backward()
    assert x.grad == pytest.approx(6 * 1.5 ** 2)


def test_leaf_gradients_accumulate_across_backward_calls_until_zeroed() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    (x * 2).sum().backward()
    (x * 3).sum().backward()
    np.testing.assert_array_equal(x.grad, [5.0, 5.0])
    x.zero_grad()
    assert x.grad is None


def test_intermediate_gradients_are_dropped_unless_retained() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    kept = (x * 3).retain_grad()
    (h * kept).sum().backward()
    assert h.grad is None
    np.testing.assert_array_equal(kept.grad, h.data)


def test_repeated_index_scatter_accumulates() -> None:
    x = mg.Tensor(np.arange(4.0), requires_grad=True)
    x[np.array([0, 2, 0, 0])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0, 0.0])


def test_many_slices_of_one_tensor_pool_into_its_gradient() -> None:
    # The per-time-step slices of an RNN's input projection: gradients of
    # slices land at their positions and sum where slices overlap.
    x = mg.Tensor(np.arange(12.0).reshape(4, 3), requires_grad=True)
    loss = x[0].sum() + (x[1] * 2).sum() + x[1:3].sum() + x[3, 1]
    loss.backward()
    np.testing.assert_array_equal(x.grad, [[1, 1, 1], [3, 3, 3], [1, 1, 1], [0, 1, 0]])


def test_broadcast_gradients_are_reduced_to_the_operand_shape() -> None:
    x = mg.Tensor(np.ones((4, 3)), requires_grad=True)
    bias = mg.Tensor(np.zeros(3), requires_grad=True)
    column = mg.Tensor(np.zeros((4, 1)), requires_grad=True)
    (x + bias + column).sum().backward()
    np.testing.assert_array_equal(bias.grad, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(column.grad, [[3.0]] * 4)


@given(shapes=mst.broadcastable_shapes(num_shapes=2))
def test_unbroadcast_equals_summing_over_the_broadcast_copies(shapes) -> None:
    shape_a, shape_b = shapes
    full = np.broadcast_shapes(shape_a, shape_b)
    g = np.random.default_rng(0).standard_normal(full)
    # The oracle: d/da of sum(g * broadcast(a)) is, by linearity, g summed over
    # every position of the broadcast result that a's element was copied to.
    expected = np.zeros(shape_a)
    for position in np.ndindex(*full):
        source = tuple(0 if size == 1 else p for p, size in zip(position[len(full) - len(shape_a):], shape_a))
        expected[source] += g[position]
    np.testing.assert_allclose(mg.unbroadcast(g, shape_a), expected, atol=1e-12)


# ------------------------------------------------------------- deep graphs
def test_deep_chain_of_100000_ops_backprops_without_recursion_error() -> None:
    assert sys.getrecursionlimit() <= 10_000
    x = mg.Tensor(1.0, requires_grad=True)
    h = x
    for _ in range(100_000):
        h = h * 1.0
    h.backward()
    assert x.grad == 1.0


def test_million_node_rnn_unrolled_over_100000_steps() -> None:
    # h_t = tanh(w h_{t-1} + u x_t + b), y_t = v h_t, E = sum_t (y_t - 0.1)^2:
    # scalar weights, ten recorded ops a step.
    rng = np.random.default_rng(0)
    w, u, b, v = (mg.Tensor(value, requires_grad=True) for value in (0.5, 0.1, 0.05, 1.5))
    xs = rng.standard_normal(100_000)
    h = mg.Tensor(0.0)
    loss = mg.Tensor(0.0)
    for x in xs:
        h = (w * h + u * x + b).tanh()
        y = v * h
        loss = loss + (y - 0.1) * (y - 0.1)
    assert len(mg.topological_order(loss)) >= 1_000_000
    loss.backward()
    # Oracle: the hand-written scalar BPTT of the same recurrence.
    hs = np.zeros(len(xs) + 1)
    for t, x in enumerate(xs):
        hs[t + 1] = np.tanh(0.5 * hs[t] + 0.1 * x + 0.05)
    dw = du = db = dv = dh_next = 0.0
    for t in reversed(range(len(xs))):
        dy = 2 * (1.5 * hs[t + 1] - 0.1)
        dv += dy * hs[t + 1]
        dpre = (dy * 1.5 + dh_next) * (1 - hs[t + 1] ** 2)
        dw += dpre * hs[t]
        du += dpre * xs[t]
        db += dpre
        dh_next = dpre * 0.5
    for tensor, expected in ((w, dw), (u, du), (b, db), (v, dv)):
        assert tensor.grad == pytest.approx(expected, rel=1e-9)


# -------------------------------------------------------------- grad modes
def test_no_grad_records_nothing() -> None:
    x = mg.Tensor([1.0], requires_grad=True)
    with mg.no_grad():
        y = x * 2
    assert not y.requires_grad and y.op == "" and y.parents == ()
    assert mg.is_grad_enabled()


def test_enable_grad_inside_no_grad() -> None:
    x = mg.Tensor([1.0], requires_grad=True)
    with mg.no_grad(), mg.enable_grad():
        assert (x * 2).requires_grad


def test_detach_cuts_the_gradient_path() -> None:
    x = mg.Tensor([2.0], requires_grad=True)
    y = x * x.detach()        # d/dx = x (only the first factor), not 2x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [2.0])
    assert not x.detach().requires_grad


def test_tensors_without_grad_are_leaves() -> None:
    a, b = mg.Tensor([1.0]), mg.Tensor([2.0])
    c = a + b
    assert c.is_leaf and not c.requires_grad


# ------------------------------------------------------------------ scopes
def test_scopes_nest_and_tag_tensors() -> None:
    x = mg.Tensor([1.0], requires_grad=True)
    with mg.scope("layer0"):
        with mg.scope("t=3"):
            y = x * 2
        z = y + 1
    w = z * 1
    assert (y.scope, z.scope, w.scope, x.scope) == ("layer0/t=3", "layer0", "", "")


def test_scope_names_are_validated() -> None:
    with pytest.raises(ValueError, match="non-empty and contain no '/'"):
        with mg.scope("a/b"):
            pass


# ----------------------------------------------------------- contributions
def test_contributions_list_one_gradient_per_use_and_sum_to_the_gradient() -> None:
    # w is used at three "time steps"; dE/dw = sum_t dE/dw_t.
    w = mg.Tensor([[0.5, -0.2], [0.1, 0.3]], requires_grad=True)
    h = mg.Tensor([1.0, -1.0])
    for t in range(3):
        with mg.scope(f"t={t}"):
            h = (w @ h).tanh()
    h.sum().backward(keep_contributions=True)
    assert [scope for scope, _ in w.contributions] == ["t=2", "t=1", "t=0"]
    np.testing.assert_allclose(sum(g for _, g in w.contributions), w.grad, atol=1e-15)
    assert all(g.shape == w.shape for _, g in w.contributions)


def test_contributions_of_a_second_backward_sum_to_what_it_added() -> None:
    w = mg.Tensor([1.0, 2.0], requires_grad=True)
    (w * w).sum().backward()
    first = w.grad.copy()
    (w * 3).sum().backward(keep_contributions=True)
    np.testing.assert_allclose(sum(g for _, g in w.contributions), w.grad - first)


def test_contributions_are_not_recorded_by_default() -> None:
    w = mg.Tensor([1.0], requires_grad=True)
    (w * w).sum().backward()
    assert w.contributions is None


def test_contributions_of_slices_are_full_shaped() -> None:
    w = mg.Tensor(np.ones((2, 3)), requires_grad=True)
    (w[0] * 2 + w[1]).sum().backward(keep_contributions=True)
    assert [g.shape for _, g in w.contributions] == [(2, 3), (2, 3)]
    np.testing.assert_array_equal(sum(g for _, g in w.contributions), w.grad)


# ----------------------------------------------------------------- errors
@pytest.mark.parametrize("expression, message", [
    (lambda a, b: a + b, r"add: cannot broadcast shapes \(2, 3\) and \(4,\)"),
    (lambda a, b: a - b, r"sub: cannot broadcast shapes \(2, 3\) and \(4,\)"),
    (lambda a, b: a * b, r"mul: cannot broadcast shapes \(2, 3\) and \(4,\)"),
    (lambda a, b: a / b, r"div: cannot broadcast shapes \(2, 3\) and \(4,\)"),
    (lambda a, b: a ** b, r"pow: cannot broadcast shapes \(2, 3\) and \(4,\)"),
    (lambda a, b: a @ b, r"matmul: shapes \(2, 3\) and \(4,\) do not match"),
    (lambda a, b: mg.concatenate([a, b]), r"concatenate: shapes \(2, 3\), \(4,\) cannot be joined"),
    (lambda a, b: mg.stack([a, b]), r"stack: shapes \(2, 3\), \(4,\) cannot be stacked"),
])
def test_shape_mismatch_names_the_op_and_both_shapes(expression, message) -> None:
    a, b = mg.Tensor(np.ones((2, 3))), mg.Tensor(np.ones(4))
    with pytest.raises(mg.ShapeError, match=message):
        expression(a, b)


@pytest.mark.parametrize("expression, message", [
    (lambda a: a.reshape(4, 2), r"reshape: cannot reshape a tensor of shape \(2, 3\) \(6 elements\) into shape \(4, 2\)"),
    (lambda a: a.transpose(0, 0), r"transpose: axes \(0, 0\) are not a permutation of the 2 axes of a tensor of shape \(2, 3\)"),
    (lambda a: a.sum(axis=2), r"sum: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    (lambda a: a.mean(axis=-3), r"mean: axis -3 is out of range for a tensor of shape \(2, 3\)"),
    (lambda a: a.max(axis=5), r"max: axis 5 is out of range for a tensor of shape \(2, 3\)"),
    (lambda a: a.softmax(axis=2), r"softmax: axis 2 is out of range for a tensor of shape \(2, 3\)"),
    (lambda a: a.flip(axis=3), r"flip: axis 3 is out of range for a tensor of shape \(2, 3\)"),
    (lambda a: a.transpose(0, 3), r"transpose: axes \(0, 3\) are not a permutation of the 2 axes"),
    (lambda a: a.softmax(axis=None), r"softmax: axis must be a single int, got None \(tensor of shape \(2, 3\)\)"),
    (lambda a: a.log_softmax(axis=(0, 1)), r"log_softmax: axis must be a single int, got \(0, 1\)"),
    (lambda a: a @ mg.Tensor(2.0), r"matmul: operands must have at least one dimension, got shapes \(2, 3\) and \(\)"),
])
def test_bad_shape_arguments_name_the_op_and_the_shape(expression, message) -> None:
    with pytest.raises(mg.ShapeError, match=message):
        expression(mg.Tensor(np.ones((2, 3))))


def test_bad_index_names_the_shape() -> None:
    with pytest.raises(IndexError, match=r"getitem: index .* does not fit a tensor of shape \(2, 3\)"):
        mg.Tensor(np.ones((2, 3)))[5]


def test_backward_of_a_non_scalar_needs_a_gradient() -> None:
    y = mg.Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(RuntimeError, match=r"non-scalar tensor of shape \(2,\) needs an explicit grad"):
        y.backward()


def test_backward_with_a_gradient_of_the_wrong_shape_names_both_shapes() -> None:
    y = mg.Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(mg.ShapeError, match=r"backward: grad has shape \(3,\) but the tensor has shape \(2,\)"):
        y.backward(np.ones(3))


def test_backward_without_a_graph_says_why() -> None:
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.Tensor([1.0]).sum().backward()


def test_detect_anomaly_names_the_op_and_scope_in_the_forward() -> None:
    x = mg.Tensor([-1.0, 1.0], requires_grad=True)
    with mg.detect_anomaly(), mg.scope("t=7"), np.errstate(invalid="ignore"):
        with pytest.raises(mg.AnomalyError, match=r"op 'log' in scope 't=7' produced NaN or Inf in its forward"):
            x.log()


def test_detect_anomaly_names_the_op_in_the_backward() -> None:
    x = mg.Tensor([0.0, 1.0], requires_grad=True)
    y = (x ** 0.5).sum()       # the forward is finite; d sqrt(x)/dx at 0 is inf
    with mg.detect_anomaly(), np.errstate(divide="ignore"):
        with pytest.raises(mg.AnomalyError, match=r"op 'pow' produced NaN or Inf in its backward"):
            y.backward()


def test_without_detect_anomaly_nan_passes_silently_as_in_numpy() -> None:
    with np.errstate(invalid="ignore"):
        assert np.isnan(mg.Tensor([-1.0]).log().data[0])


# --------------------------------------------------------------- misc API
def test_item_and_repr() -> None:
    assert mg.Tensor([[2.5]]).item() == 2.5
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        mg.Tensor([1.0, 2.0]).item()
    assert "op='add'" in repr(mg.Tensor([1.0], requires_grad=True) + 1)


def test_numpy_array_on_the_left_is_handled_by_the_tensor() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    y = np.array([3.0, 4.0]) * x
    assert isinstance(y, mg.Tensor)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])


@given(x=mst.tensors(shape=mst.shapes(min_dims=1, max_dims=2)))
def test_gradcheck_of_a_composite_function(x) -> None:
    assert gradcheck(lambda t: (t.tanh() * t.sigmoid() + t.exp().mean()).softmax(-1), [x])


def test_linear_names_mismatched_shapes() -> None:
    with pytest.raises(mg.ShapeError, match=r"linear: input of shape \(2, 4\) does not fit a weight of shape \(5, 3\)"):
        mg.ops.linear(mg.Tensor(np.ones((2, 4))), mg.Tensor(np.ones((5, 3))))
    with pytest.raises(mg.ShapeError, match=r"linear: bias of shape \(4,\) does not broadcast against the output shape \(2, 5\)"):
        mg.ops.linear(mg.Tensor(np.ones((2, 3))), mg.Tensor(np.ones((5, 3))), np.ones(4))


def test_a_leaf_gradient_is_its_own_array() -> None:
    # The leaf may take over an array the backward allocated, but never one
    # that another node's gradient still refers to.
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 1.0
    y.retain_grad()
    (y + y).sum().backward()
    x.grad += 100.0
    np.testing.assert_array_equal(y.grad, [2.0, 2.0])


@pytest.mark.parametrize("keep_contributions", [False, True, "all"])
def test_the_graph_has_no_reference_cycles_and_is_freed_by_reference_counting(keep_contributions) -> None:
    # gc_paused() relies on this: the cyclic collector has nothing to find in a graph.
    import gc
    import weakref

    import nets

    net = nets.LSTM(2, 3, rng=0)
    gc.disable()
    try:
        out, final = net(np.ones((4, 1, 2)))
        loss = (out * out).sum()
        loss.backward(keep_contributions=keep_contributions)
        probes = [weakref.ref(t) for t in mg.topological_order(loss) if t.parents]
        del out, final, loss
        assert all(probe() is None for probe in probes)
    finally:
        gc.enable()
    if keep_contributions:
        # the parameters keep their per-use gradients, but not the graph
        assert all(c.user is None for c in net.weight_hh_l0.contributions)
        assert len(net.weight_hh_l0.contributions) == 4


def test_backward_refuses_an_unknown_keep_contributions() -> None:
    with pytest.raises(ValueError, match="keep_contributions must be False, True or 'all', got 'some'"):
        (mg.Tensor([1.0], requires_grad=True) * 2).sum().backward(keep_contributions="some")


def test_the_gradient_of_a_power_with_respect_to_its_exponent_at_a_zero_base_is_zero() -> None:
    # d(a^b)/db = a^b log(a) -> 0 as a -> 0 for b > 0 (PyTorch's convention), not 0 * log(0) = NaN.
    a = mg.Tensor([0.0, 2.0])
    b = mg.Tensor([1.5, 1.5], requires_grad=True)
    (a ** b).sum().backward()
    np.testing.assert_allclose(b.grad, [0.0, 2.0 ** 1.5 * np.log(2.0)])


# ------------------------------------------------ 0-d tensors, empty tensors, odd arguments
def test_a_zero_dimensional_parameter_used_twice_gets_an_array_gradient() -> None:
    # numpy returns 0-d results as scalars; a scalar .grad cannot be updated in place.
    p = mg.Tensor(2.0, requires_grad=True)
    (p * 3 + p * 4).backward()
    assert type(p.grad) is np.ndarray and p.grad.shape == () and p.grad == 7.0
    assert mg.optim.clip_grad_norm_([p], 1.0) == pytest.approx(7.0)
    assert float(p.grad) == pytest.approx(1.0, rel=1e-5)       # clipped in place
    p.grad = None
    (p[()] + p * 3 + p * 4).backward()                           # a slice's gradient adds in too
    assert float(p.grad) == 8.0
    assert isinstance((p * 2).data, np.ndarray) and (p * 2).data.shape == ()


def test_power_zero_has_zero_gradient_even_at_zero() -> None:
    x = mg.Tensor([0.0, 1.0], requires_grad=True)
    (x ** 0).sum().backward()
    np.testing.assert_array_equal(x.grad, [0.0, 0.0])


def test_gradcheck_fails_on_a_non_finite_gradient() -> None:
    # sqrt has no derivative at 0: both the analytic and the numeric values are not finite there.
    x = mg.Tensor([0.0, 1.0], requires_grad=True)
    with np.errstate(divide="ignore", invalid="ignore"), pytest.raises(mg.testing.GradcheckError):
        gradcheck(lambda t: (t ** 0.5).sum(), [x])


def test_empty_tensors_reduce_where_numpy_does() -> None:
    empty = mg.Tensor(np.ones((0, 3)))
    assert empty.max(1).shape == (0,)
    assert empty.softmax(0).shape == (0, 3) and empty.log_softmax(1).shape == (0, 3)
    with pytest.raises(mg.ShapeError, match=r"max: cannot take the maximum over an empty axis"):
        empty.max(0)


@pytest.mark.parametrize("call, error, message", [
    (lambda x: x.sum(axis=1.5), mg.ShapeError, r"sum: axis must be None, an int or a tuple of ints, got 1.5"),
    (lambda x: x.sum(axis=("0",)), mg.ShapeError, r"sum: an axis must be an int, got '0'"),
    (lambda x: mg.concatenate([x, x], axis=None), mg.ShapeError, r"concatenate: axis must be an int, got None"),
    (lambda x: x[mg.Tensor(np.array([True, False]))], IndexError, r"getitem: index with a boolean Tensor .* not a float Tensor"),
    (lambda x: (x * 2).sum().backward(), None, None),
    (lambda x: (x * 2).backward(np.ones(2) * 1j), TypeError,
     r"backward: grad must be real numbers, got complex data of dtype complex128"),
])
def test_odd_arguments_are_named(call, error, message) -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    if error is None:
        call(x)         # the valid call next to the invalid ones works
        return
    with pytest.raises(error, match=message):
        call(x)
