"""The deferred pooled product: a shared weight's gradient G^T X, formed once over all its uses.

linear and matmul send their weight gradient as two factors (ProductGrad); backward
stacks the factors of every use and multiplies them when the weight's last use is
processed. The oracle is the per-use sum written out by hand, sum_t g_t^T x_t, with the
g_t read off the graph through retain_grad (or finite differences via gradcheck).
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.tensor as engine
import nets
from minigrad.ops import linear
from minigrad.tensor import ProductGrad, make_result
from minigrad.testing import gradcheck


def unrolled(W: mg.Tensor, xs: np.ndarray, b: mg.Tensor | None = None) -> tuple[mg.Tensor, list[mg.Tensor], list]:
    """h(t) = tanh(linear(h(t-1), W, x(t) [+ b])), each step in scope t=k.

    Returns E = sum_t ||h(t)||^2, the pre-activations z(t) (retaining their gradient) and the h(t-1).
    """
    h = mg.Tensor(np.zeros((xs.shape[1], W.shape[1])))
    pre, inputs = [], []
    loss = mg.Tensor(0.0)
    for t, x in enumerate(xs):
        with mg.scope(f"t={t}"):
            inputs.append(h.data.copy())
            z = linear(h, W, mg.Tensor(x) if b is None else mg.Tensor(x) + b).retain_grad()
            pre.append(z)
            h = z.tanh()
            loss = loss + (h * h).sum()
    return loss, pre, inputs


def test_a_shared_weight_gets_the_sum_over_its_uses_of_g_transposed_x() -> None:
    rng = np.random.default_rng(0)
    W = mg.Tensor(rng.standard_normal((3, 3)) * 0.5, requires_grad=True)
    loss, pre, inputs = unrolled(W, rng.standard_normal((6, 2, 3)))
    loss.backward()
    expected = sum(z.grad.T @ x for z, x in zip(pre, inputs))         # sum_t g_t^T x_t, term by term
    np.testing.assert_allclose(W.grad, expected, rtol=1e-12, atol=1e-14)


def test_the_product_is_formed_once_after_the_last_use(monkeypatch) -> None:
    # Count the products the engine forms for W: one, with every use's rows stacked.
    calls = []
    original = engine.stacked_product

    def counting(lefts, rights, users, like):
        calls.append((like, len(lefts), sum(len(left) for left in lefts)))
        return original(lefts, rights, users, like)

    monkeypatch.setattr(engine, "stacked_product", counting)
    rng = np.random.default_rng(1)
    W = mg.Tensor(rng.standard_normal((4, 4)) * 0.5, requires_grad=True)
    loss, _, _ = unrolled(W, rng.standard_normal((7, 3, 4)))
    loss.backward()
    assert [(uses, rows) for like, uses, rows in calls if like is W] == [(7, 7 * 3)]


def test_keep_contributions_gives_each_use_its_own_product_labelled_by_scope() -> None:
    rng = np.random.default_rng(2)
    W = mg.Tensor(rng.standard_normal((3, 3)) * 0.5, requires_grad=True)
    loss, pre, inputs = unrolled(W, rng.standard_normal((4, 2, 3)))
    loss.backward(keep_contributions=True)
    assert [scope for scope, _ in W.contributions] == ["t=3", "t=2", "t=1", "t=0"]
    for (scope, grad), z, x in zip(W.contributions, reversed(pre), reversed(inputs)):
        np.testing.assert_allclose(grad, z.grad.T @ x, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sum(g for _, g in W.contributions), W.grad, rtol=1e-12, atol=1e-14)


def test_factors_flushed_in_blocks_give_the_same_gradient(monkeypatch) -> None:
    rng = np.random.default_rng(3)
    xs = rng.standard_normal((9, 2, 3))
    W0 = rng.standard_normal((3, 3)) * 0.5
    results = []
    for limit in (engine.POOL_BYTES, 1):          # one product; a product after every use
        monkeypatch.setattr(engine, "POOL_BYTES", limit)
        W = mg.Tensor(W0, requires_grad=True)
        unrolled(W, xs)[0].backward()
        results.append(W.grad)
    np.testing.assert_allclose(results[0], results[1], rtol=1e-12, atol=1e-14)


def test_a_weight_used_by_linear_matmul_and_a_slice_pools_all_three_kinds_of_gradient() -> None:
    # Deferred factors (linear, W @ v, v @ W, x @ W, W @ x^T, W @ W: both operands), a slice's
    # sparse gradient and a dense one, all into one tensor.
    rng = np.random.default_rng(4)
    W = mg.Tensor(rng.standard_normal((3, 3)), requires_grad=True)
    x = mg.Tensor(rng.standard_normal((2, 3)))
    v = mg.Tensor(rng.standard_normal(3))

    def f(W):
        return ((linear(x, W).tanh() ** 2).sum() + (W @ v).sum() + (v @ W).sum()
                + (x @ W).sum() + (W @ x.T).sum() + (W @ W).sum() + W[0].sum() * 2.0 + (W * W).sum())

    assert gradcheck(f, [W])


def test_a_shared_tensor_that_is_not_a_leaf_gets_its_pooled_gradient_before_its_own_backward() -> None:
    rng = np.random.default_rng(5)
    W0 = mg.Tensor(rng.standard_normal((3, 3)) * 0.5, requires_grad=True)

    def f(W0):
        W = (W0 * 2.0).retain_grad()                  # W is made by an op, then used at every step
        return unrolled(W, rng_xs)[0]

    rng_xs = rng.standard_normal((5, 2, 3))
    assert gradcheck(f, [W0])


def test_float32_weights_keep_float32_gradients() -> None:
    rng = np.random.default_rng(6)
    W = mg.Tensor(rng.standard_normal((3, 3)).astype(np.float32), requires_grad=True)
    h = mg.Tensor(np.ones((2, 3), dtype=np.float32))
    for _ in range(3):
        h = linear(h, W).tanh()
    h.sum().backward()
    assert W.grad.dtype == np.float32 and W.grad.shape == (3, 3)


def test_the_engines_nets_match_the_reference_with_the_pooled_product() -> None:
    # An LSTM over 30 steps: W_hh is pooled over 30 uses, W_ih has one (the hoisted projection).
    from nets import reference
    rng = np.random.default_rng(7)
    net = nets.LSTM(3, 5, rng=0)
    x, d = rng.standard_normal((30, 2, 3)), rng.standard_normal((30, 2, 5))
    out, _ = net(x)
    ((out - d) * (out - d)).sum().backward()
    params = {name: p.data for name, p in net.named_parameters()}
    output, _, cache = reference.lstm_forward(params, x)
    expected = reference.lstm_backward(params, cache, 2 * (output - d))
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, expected[name], rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_anomaly_mode_checks_a_deferred_gradient() -> None:
    # A finite forward whose weight gradient g^T x overflows: 1e200 * 1e200.
    W = mg.Tensor([[1e-200, 1e-200]], requires_grad=True)
    loss = (linear(mg.Tensor([[1e200, 1e200]]), W) * 1e200).sum()
    message = r"op 'linear' produced NaN or Inf in its backward \(gradient for input 1, shape \(1, 2\)\)"
    with mg.detect_anomaly(), pytest.raises(mg.AnomalyError, match=message):
        loss.backward()


# ------------------------------------------------------------------ bad input
def wrong_factors(a: mg.Tensor) -> mg.Tensor:
    """An op that sends its input a ProductGrad whose factors multiply to the wrong shape."""
    return make_result(a.data * 2.0, (a,), "wrong_factors", wrong_factors_backward)


def wrong_factors_backward(g, out):
    (a,) = out.parents
    return (ProductGrad(np.ones((1, a.shape[0] + 1)), np.ones((1, a.shape[1]))),)


@pytest.mark.parametrize("uses", [1, 3])
def test_factors_of_the_wrong_shape_are_named_by_op_and_shape(uses) -> None:
    W = mg.Tensor(np.ones((2, 3)), requires_grad=True)
    with mg.scope("layer0"):
        total = sum((wrong_factors(W).sum() for _ in range(uses)), mg.Tensor(0.0))
    with pytest.raises(mg.ShapeError, match=r"op 'wrong_factors' in scope 'layer0' sent its input of "
                                            r"shape \(2, 3\) a gradient left\^T right with factors of "
                                            r"shapes \(1, 3\) and \(1, 3\)"):
        total.backward()


def test_factors_with_different_row_counts_are_named() -> None:
    def rows_mismatch_backward(g, out):
        (a,) = out.parents
        return (ProductGrad(np.ones((2, a.shape[0])), np.ones((3, a.shape[1]))),)

    W = mg.Tensor(np.ones((2, 2)), requires_grad=True)
    y = make_result(W.data.copy(), (W,), "rows_mismatch", rows_mismatch_backward)
    with pytest.raises(mg.ShapeError, match=r"op 'rows_mismatch' sent its input of shape \(2, 2\).*"
                                            r"\(2, 2\) and \(3, 2\)"):
        y.sum().backward()


# ------------------------------------------------------------- the leaner op path
def test_a_seed_passed_to_backward_is_never_a_leafs_gradient_nor_written_into() -> None:
    # backward uses the caller's float array as its seed without a copy: it must stay the caller's.
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    seed = np.array([3.0, 4.0])
    (x + 0.0).backward(seed)                  # add hands the seed itself to x
    assert x.grad is not seed
    np.testing.assert_array_equal(x.grad, [3.0, 4.0])
    x.grad += 1.0                             # an optimizer's in-place update
    np.testing.assert_array_equal(seed, [3.0, 4.0])
    (x + 0.0).backward(seed)                  # and a second backward adds, not aliases
    np.testing.assert_array_equal(x.grad, [7.0, 9.0])
    np.testing.assert_array_equal(seed, [3.0, 4.0])


def test_a_leafs_gradient_from_a_transposed_view_keeps_its_values() -> None:
    x = mg.Tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    g = np.arange(6.0).reshape(3, 2) * 10
    x.T.backward(g)
    np.testing.assert_array_equal(x.grad, g.T)
    assert x.grad.shape == (2, 3)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sigmoid_keeps_its_lower_tail_and_never_warns(dtype) -> None:
    # The exp form with a clamped exponent: sigma(x) ~ e^x far below 0 (the tanh form rounds
    # to 0 below x = -37), no overflow warning at any size of x, exactly 0.5 at 0.
    x = np.array([-1e6, -80.0, -50.0, -37.5, -5.0, 0.0, 5.0, 50.0, 1e6], dtype=dtype)
    with np.errstate(over="raise", divide="raise", invalid="raise"):      # (underflow to 0 is fine)
        s = mg.Tensor(x).sigmoid().data
    assert s.dtype == dtype
    moderate = np.abs(x) <= (50 if dtype == np.float64 else 20)
    exact = 1.0 / (1.0 + np.exp(-x[moderate].astype(np.longdouble)))
    np.testing.assert_allclose(s[moderate], exact.astype(dtype), rtol=1e-6 if dtype == np.float32 else 1e-13)
    assert s[5] == 0.5 and s[-1] == 1.0 and 0.0 <= s[0] < 1e-37
