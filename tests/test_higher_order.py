"""Gradients of gradients (create_graph=True, mg.grad) and numpy's functions on Tensors.

Oracles: algebra (tanh's derivatives), central finite differences of first
gradients (the Hessian-vector product of an RNN loss, a gradient penalty),
``minigrad.testing.gradcheck``. The second derivative of every op of the op
table is checked in tests/test_ops.py.
"""
from __future__ import annotations

import re

import numpy as np
import pytest

import minigrad as mg
import nets
from minigrad.testing import gradcheck


# ------------------------------------------------------------------ mg.grad
@pytest.mark.parametrize("x", [-1.7, -0.3, 0.0, 0.4, 2.1])
def test_grad_of_grad_of_tanh_is_its_second_derivative_and_nests_once_more(x: float) -> None:
    t = np.tanh(x)
    first = 1 - t * t                                   # tanh' = 1 - tanh^2
    second = -2 * t * first                             # tanh'' = -2 tanh (1 - tanh^2)
    third = -2 * first * first + 4 * t * t * first      # d/dx of tanh'', by the product rule
    np.testing.assert_allclose(mg.grad(mg.tanh)(x).item(), first, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mg.grad(mg.grad(mg.tanh))(x).item(), second, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(mg.grad(mg.grad(mg.grad(mg.tanh)))(x).item(), third, rtol=1e-12, atol=1e-15)


def test_grad_differentiates_the_argument_at_argnum_and_leaves_other_grads_alone() -> None:
    w = mg.Tensor([1.5, -2.0], requires_grad=True)

    def f(a, b):
        return (a * a * b + w * b).sum()

    a, b = np.array([0.5, 3.0]), np.array([2.0, -1.0])
    np.testing.assert_allclose(mg.grad(f, argnum=0)(a, b).numpy(), 2 * a * b)
    np.testing.assert_allclose(mg.grad(f, argnum=1)(a, b).numpy(), a * a + w.numpy())
    assert w.grad is None
    # An argument the result does not depend on has gradient zero (as in HIPS autograd).
    np.testing.assert_array_equal(mg.grad(lambda a, b: (mg.Tensor(a) * 2).sum(), argnum=1)(a, b).numpy(), [0.0, 0.0])


def test_grad_works_inside_no_grad() -> None:
    with mg.no_grad():
        assert mg.grad(lambda x: (x * x).sum())(np.array([3.0])).tolist() == [6.0]


def test_grad_refuses_bad_input_by_name() -> None:
    with pytest.raises(TypeError, match=r"^grad: fun must be a function returning a scalar Tensor, got int"):
        mg.grad(3)
    with pytest.raises(TypeError, match=r"^grad: argnum must be a non-negative int .* got -1"):
        mg.grad(mg.tanh, argnum=-1)
    with pytest.raises(TypeError, match=r"^grad: argnum must be a non-negative int .* got 'x'"):
        mg.grad(mg.tanh, argnum="x")
    with pytest.raises(ValueError, match=r"^grad: argnum=1 is out of range: grad\(tanh\) was called with 1 "
                                         r"positional argument"):
        mg.grad(mg.tanh, argnum=1)(0.5)
    with pytest.raises(ValueError, match=r"^grad: tanh must return a scalar Tensor \(one element\), got one "
                                         r"of shape \(2,\); differentiate a scalar of it"):
        mg.grad(mg.tanh)(np.array([0.5, 1.0]))
    with pytest.raises(TypeError, match=r"^grad: <lambda> must return a scalar Tensor, got float"):
        mg.grad(lambda x: 2.0)(0.5)


# --------------------------------------------------------- backward(create_graph=True)
def test_create_graph_makes_grad_a_tensor_with_a_graph_as_pytorch() -> None:
    x = mg.Tensor([0.5, -1.0, 2.0], requires_grad=True)
    (x ** 3).sum().backward(create_graph=True)
    assert isinstance(x.grad, mg.Tensor) and x.grad.requires_grad and x.grad.op
    np.testing.assert_allclose(x.grad.numpy(), 3 * x.numpy() ** 2)
    first = x.grad
    x.grad = None
    first.sum().backward()                            # d/dx sum(3 x^2) = 6 x
    np.testing.assert_allclose(x.grad, 6 * x.numpy())


def test_inputs_sets_only_the_listed_grads() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    w = mg.Tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    h.retain_grad()
    (h * h).sum().backward(inputs=[x])
    np.testing.assert_allclose(x.grad, 2 * h.numpy() * w.numpy())
    assert w.grad is None and h.grad is None


def test_backward_refuses_bad_create_graph_arguments_by_name() -> None:
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    loss = (x * x).sum()
    with pytest.raises(TypeError, match=r"^backward: create_graph must be True or False, got 'yes'"):
        loss.backward(create_graph="yes")
    with pytest.raises(ValueError, match=r"^backward: keep_contributions is recorded by the default backward "
                                         r"only; it cannot be combined with create_graph=True or inputs="):
        loss.backward(create_graph=True, keep_contributions=True)
    with pytest.raises(TypeError, match=r"^backward: inputs\[0\] must be a Tensor, got ndarray"):
        loss.backward(inputs=[np.ones(2)])
    with pytest.raises(ValueError, match=r"^backward: inputs\[0\] \(shape \(2,\)\) does not require grad"):
        loss.backward(inputs=[mg.Tensor([1.0, 2.0])])
    with pytest.raises(TypeError, match=r"^backward: inputs must be a Tensor or a non-empty list of Tensors"):
        loss.backward(inputs=[])


def test_non_differentiable_ops_give_zero_second_derivatives_not_errors() -> None:
    """relu's mask, max's tie mask and comparisons are constants of the recorded backward."""
    x = mg.Tensor([-1.0, 0.5, 2.0, 2.0], requires_grad=True)
    loss = (x.relu() * x.relu()).sum() + x.max() * 3.0 + ((x > 0) * x).sum()
    loss.backward(create_graph=True)
    # d/dx: 2 relu(x) [x > 0] + 3 (the tie 2.0, 2.0 shares the max's gradient) + [x > 0]
    np.testing.assert_allclose(x.grad.numpy(), [0.0, 1.0 + 1.0, 4.0 + 1.5 + 1.0, 4.0 + 1.5 + 1.0])
    g = x.grad
    x.grad = None
    g.sum().backward()                                 # d2/dx2: 2 [x > 0], the masks contribute 0
    np.testing.assert_allclose(x.grad, [0.0, 2.0, 2.0, 2.0])


def _rnn_loss(net: nets.RNN, x: np.ndarray, target: np.ndarray) -> mg.Tensor:
    output, h_n = net(x)
    return ((output - target) ** 2).mean() + (h_n * h_n).sum()


def test_hessian_vector_product_of_an_rnn_loss_matches_finite_differences_of_gradients() -> None:
    """H v = d/dtheta <grad L(theta), v> against (grad L(theta + eps v) - grad L(theta - eps v)) / (2 eps)."""
    rng = np.random.default_rng(5)
    net = nets.RNN(3, 4, rng=rng)
    params = list(net.parameters())
    x, target = rng.standard_normal((4, 2, 3)), rng.standard_normal((4, 2, 4))
    vs = [rng.standard_normal(p.shape) for p in params]

    loss = _rnn_loss(net, x, target)
    loss.backward(create_graph=True, inputs=params)
    grads = [p.grad for p in params]
    assert all(isinstance(g, mg.Tensor) for g in grads)
    for p in params:
        p.grad = None
    sum((g * v).sum() for g, v in zip(grads, vs)).backward(inputs=params)
    hvp = [p.grad for p in params]

    def gradient_at(eps: float) -> list[np.ndarray]:
        for p, v in zip(params, vs):
            p.data += eps * v
        for p in params:
            p.grad = None
        _rnn_loss(net, x, target).backward()
        found = [p.grad.copy() for p in params]
        for p, v in zip(params, vs):
            p.data -= eps * v
        return found

    eps = 1e-5
    numeric = [(plus - minus) / (2 * eps) for plus, minus in zip(gradient_at(eps), gradient_at(-eps))]
    for analytic, estimate in zip(hvp, numeric):
        np.testing.assert_allclose(analytic, estimate, rtol=1e-5, atol=1e-7)


def test_a_gradient_penalty_trains_and_its_gradient_matches_finite_differences() -> None:
    """L = mse(tanh(x W^T + b)) + lam * ||dL_data/dx||^2, the input-gradient penalty, minimised by Adam."""
    rng = np.random.default_rng(3)
    layer = mg.nn.Linear(3, 2, rng=rng)
    x_values, target = rng.standard_normal((8, 3)), rng.standard_normal((8, 2)) * 0.5

    def penalised_loss(weight: mg.Tensor, bias: mg.Tensor) -> mg.Tensor:
        with mg.enable_grad():      # gradcheck evaluates under no_grad: the penalty needs a graph
            x = mg.Tensor(x_values, requires_grad=True)
            data_loss = ((mg.ops.linear(x, weight, bias).tanh() - target) ** 2).mean()
            data_loss.backward(create_graph=True, inputs=[x])
            return data_loss + 10.0 * (x.grad * x.grad).sum()

    assert gradcheck(penalised_loss, [layer.weight, layer.bias], atol=1e-6, rtol=1e-5)

    optimizer = mg.optim.Adam(layer.parameters(), lr=0.05)
    losses = []
    for _ in range(60):
        optimizer.zero_grad()
        loss = penalised_loss(layer.weight, layer.bias)
        loss.backward()
        losses.append(loss.item())
        optimizer.step()
    assert losses[-1] < 0.6 * losses[0]
    assert all(isinstance(p.grad, np.ndarray) for p in layer.parameters())


# ------------------------------------------------------------------ numpy interop
def test_numpy_functions_on_tensors_run_the_op_recorded_and_differentiable() -> None:
    rng = np.random.default_rng(0)
    a = mg.Tensor(rng.standard_normal((2, 3)), requires_grad=True)
    b = mg.Tensor(rng.standard_normal((3, 2)), requires_grad=True)
    for result, op in [(np.sum(a), "sum"), (np.exp(a), "exp"), (np.matmul(a, b), "matmul"),
                       (np.sum(a, axis=1, keepdims=True), "sum"), (np.ones(3) + a, "add"),
                       (np.float64(2.0) * a, "mul"), (np.ones((4, 2)) @ a, "matmul")]:
        assert isinstance(result, mg.Tensor) and result.op == op
    np.testing.assert_allclose(np.sum(a, axis=0).numpy(), a.numpy().sum(axis=0))
    assert gradcheck(lambda a, b: np.sum(np.exp(np.matmul(a, b)), axis=1), [a, b])
    assert gradcheck(lambda a: np.concatenate([np.tanh(a), np.transpose(a) @ a], axis=0), [a])


def test_numpy_functions_without_an_op_are_refused_by_name() -> None:
    t = mg.Tensor([1.0, 2.0, 3.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"^np\.median on a Tensor: minigrad has no op for it, so it cannot be "
                                         r"recorded or differentiated; .* np\.median\(np\.asarray\(t\)\)"):
        np.median(t)
    with pytest.raises(TypeError, match=r"^np\.exp\(\.\.\., out=\.\.\.\) on a Tensor: minigrad\.exp makes a new "
                                         r"Tensor and cannot write into out"):
        np.exp(t, out=np.empty(3))
    with pytest.raises(TypeError, match=r"^np\.add\.reduce on a Tensor: minigrad records no ufunc method "
                                         r"'reduce'; call Tensor\.sum instead"):
        np.add.reduce(t)
    with pytest.raises(TypeError, match=r"^np\.sum on a Tensor runs minigrad\.sum\(a, axis.*\), which does not "
                                         r"take these arguments"):
        np.sum(t, dtype=np.float32)


def test_questions_about_values_are_answered_and_data_views_still_count_writes() -> None:
    t = mg.Tensor([1.0, np.inf, 3.0], requires_grad=True)
    assert np.shape(t) == (3,) and np.ndim(t) == 1
    assert np.isfinite(t).tolist() == [True, False, True]
    assert np.argmax(np.asarray(t)) == 1 and np.allclose(t, [1.0, np.inf, 3.0])
    # Tensor.data is still the counted view, with its own __array_ufunc__.
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    np.add(x.data, 1.0, out=x.data)
    with pytest.raises(RuntimeError, match="was modified"):
        y.backward()
    assert isinstance(x.data * x, mg.Tensor)


# ------------------------------------------------------------------ the backward pass drawn
def _step_clusters_and_edges(source: str) -> tuple[dict[str, str], list[str], list[tuple[str, str, str]]]:
    """From DOT text: node key -> innermost cluster label, the cluster labels in order, and the edges."""
    stack: list[str] = []
    where: dict[str, str] = {}
    order: list[str] = []
    for line in source.splitlines():
        text = line.strip()
        if text.startswith("subgraph cluster_"):
            stack.append("")
        elif text.startswith("graph [label=") and stack:
            stack[-1] = re.match(r'graph \[label="([^"]*)"', text).group(1)
            order.append(stack[-1])
        elif text == "}" and stack:
            stack.pop()
        elif re.match(r"n\d+ \[", text):
            where[text.split()[0]] = stack[-1] if stack else ""
    edges = re.findall(r"(n\d+) -> (n\d+) \[([^\]]*)\]", source)
    return where, order, edges


def _unrolled_rnn_gradients(steps: int = 4) -> tuple[mg.Tensor, mg.Tensor]:
    rng = np.random.default_rng(0)
    net = nets.RNN(2, 3, rng=rng)
    h0 = mg.Tensor(np.zeros((1, 1, 3)), requires_grad=True, name="h0")
    output, _ = net(rng.standard_normal((steps, 1, 2)), h0)
    output[steps - 1].sum().backward(create_graph=True)
    return h0.grad, net.weight_hh_l0.grad


def test_the_recorded_backward_carries_the_scope_of_the_forward_op_it_differentiates() -> None:
    h0_grad, _ = _unrolled_rnn_gradients()
    recorded = [t for t in mg.topological_order(h0_grad) if getattr(t, "_grad_of", None) is not None]
    assert len(recorded) > 4 * 4
    assert all(t.scope == t._grad_of.scope for t in recorded)
    assert {t.scope for t in recorded} >= {f"layer0/fwd/t={t}" for t in range(4)}


def test_draw_of_h0_grad_shows_the_backward_recurrence_right_to_left_through_the_step_clusters() -> None:
    h0_grad, _ = _unrolled_rnn_gradients()
    source = mg.draw(h0_grad).source
    where, order, edges = _step_clusters_and_edges(source)
    assert [label for label in order if label.startswith("t=")] == ["t=0", "t=1", "t=2", "t=3"]
    index = {f"t={t}": t for t in range(4)}
    across = [(where[a], where[b], attributes) for a, b, attributes in edges
              if where[a] in index and where[b] in index and where[a] != where[b]]
    # The columns: invisible ordering edges put step t left of step t + 1 ...
    columns = [(a, b) for a, b, attributes in across if "invis" in attributes]
    assert columns and all(index[b] == index[a] + 1 for a, b in columns)
    # ... and delta(t) = J^T delta(t+1) flows from step t + 1 to step t: each such edge is written
    # from t to t + 1 with the arrowhead at its tail (dir="back"), an arrow pointing left.
    recurrence = [(a, b) for a, b, attributes in across if "invis" not in attributes]
    assert sorted(recurrence) == [("t=0", "t=1"), ("t=1", "t=2"), ("t=2", "t=3")]
    assert all('dir="back"' in attributes for a, b, attributes in across if "invis" not in attributes)
    # Only the backward computation is expanded; the forward values it reads are its inputs.
    assert source.count("from the forward pass") == 4          # h(t) = tanh(...) at each step
    assert "linear" not in source


def test_draw_of_a_pooled_weight_gradient_shows_the_sum_over_the_steps() -> None:
    _, w_grad = _unrolled_rnn_gradients()
    where, _, edges = _step_clusters_and_edges(mg.draw(w_grad).source)
    source = mg.draw(w_grad).source
    pooling = [key for key, cluster in where.items() if cluster == ""
               and re.search(rf"{key} \[label=<<b>add</b><br/><font point-size=\"9\">\(3, 3\)", source)]
    assert len(pooling) == 3                # sum_t dL/dW_t over 4 steps: three additions, outside the steps
    per_step = [key for key, cluster in where.items() if cluster.startswith("t=")
                and re.search(rf"{key} \[label=<<b>matmul</b><br/><font point-size=\"9\">\(3, 3\)", source)]
    assert sorted(where[key] for key in per_step) == ["t=0", "t=1", "t=2", "t=3"]


def test_draw_with_forward_expands_the_forward_graph_too() -> None:
    h0_grad, _ = _unrolled_rnn_gradients()
    source = mg.draw(h0_grad, forward=True).source
    assert "from the forward pass" not in source and "linear" in source


def test_optimizers_and_clipping_use_the_values_of_a_gradient_made_with_create_graph() -> None:
    w = mg.Tensor([1.0, -2.0], requires_grad=True)
    (w * w).sum().backward(create_graph=True)
    assert isinstance(w.grad, mg.Tensor)
    assert mg.optim.clip_grad_norm_([w], 1.0) == pytest.approx(np.sqrt(20.0))
    np.testing.assert_allclose(w.grad.numpy(), np.array([2.0, -4.0]) / np.sqrt(20.0), rtol=1e-5)
    mg.optim.SGD([w], lr=0.5).step()
    np.testing.assert_allclose(w.numpy(), [1.0 - 0.5 * 2 / np.sqrt(20.0), -2.0 + 0.5 * 4 / np.sqrt(20.0)], rtol=1e-5)
    w.zero_grad(set_to_none=False)
    assert type(w.grad) is np.ndarray and w.grad.tolist() == [0.0, 0.0]
