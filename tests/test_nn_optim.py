"""minigrad.nn (modules, losses) and minigrad.optim (update rules, clipping)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn, optim
from minigrad.nn import functional as F
from minigrad.testing import gradcheck
from minigrad.testing import strategies as mst


class TwoLayer(nn.Module):
    def __init__(self) -> None:
        self.encoder = nn.Linear(3, 4, rng=0)
        self.layers = nn.ModuleList([nn.Linear(4, 4, rng=1), nn.Linear(4, 2, bias=False, rng=2)])
        self.scale = nn.Parameter(np.ones(2))

    def forward(self, x):
        h = self.encoder(x).tanh()
        for layer in self.layers:
            h = layer(h)
        return h * self.scale


# ------------------------------------------------------------------ modules
def test_named_parameters_are_dotted_and_ordered_as_in_pytorch() -> None:
    # PyTorch's order: a module's own parameters first, then each submodule's, depth first.
    names = [name for name, _ in TwoLayer().named_parameters()]
    assert names == ["scale", "encoder.weight", "encoder.bias", "layers.0.weight", "layers.0.bias",
                     "layers.1.weight"]


def test_shared_parameter_is_listed_once() -> None:
    model = TwoLayer()
    model.alias = model.scale
    assert sum(p is model.scale for p in model.parameters()) == 1


def test_zero_grad_clears_every_parameter() -> None:
    model = TwoLayer()
    model(mg.Tensor(np.ones((2, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_restores_outputs() -> None:
    source, target = TwoLayer(), TwoLayer()
    target.layers[0].weight.data += 1.0
    x = mg.Tensor(np.random.default_rng(0).standard_normal((5, 3)))
    target.load_state_dict(source.state_dict())
    np.testing.assert_array_equal(source(x).data, target(x).data)


def test_state_dict_is_a_copy() -> None:
    model = TwoLayer()
    state = model.state_dict()
    state["scale"][:] = 5.0
    assert model.scale.data.tolist() == [1.0, 1.0]


def test_load_state_dict_names_missing_and_unexpected_keys() -> None:
    model = TwoLayer()
    state = model.state_dict()
    del state["scale"]
    state["bogus"] = np.zeros(1)
    with pytest.raises(KeyError, match=r"missing keys \['scale'\], unexpected keys \['bogus'\]"):
        model.load_state_dict(state)


def test_load_state_dict_names_a_wrong_shape_and_changes_nothing() -> None:
    model = TwoLayer()
    before = model.state_dict()
    state = model.state_dict()
    state["encoder.bias"] = np.zeros(5)
    state["scale"] = np.full(2, 9.0)
    with pytest.raises(ValueError, match=r"'encoder.bias' has shape \(5,\) in the state dict but \(4,\) in the module"):
        model.load_state_dict(state)
    for name, value in model.state_dict().items():
        np.testing.assert_array_equal(value, before[name])


def test_linear_computes_x_w_transpose_plus_b_and_initialises_like_pytorch() -> None:
    layer = nn.Linear(16, 5, rng=0)
    assert layer.weight.shape == (5, 16) and layer.bias.shape == (5,)
    assert np.all(np.abs(layer.weight.data) <= 0.25) and np.all(np.abs(layer.bias.data) <= 0.25)
    x = np.random.default_rng(1).standard_normal((2, 7, 16))
    np.testing.assert_allclose(layer(mg.Tensor(x)).data, x @ layer.weight.data.T + layer.bias.data)


def test_linear_is_reproducible_from_a_seed() -> None:
    np.testing.assert_array_equal(nn.Linear(3, 2, rng=7).weight.data, nn.Linear(3, 2, rng=7).weight.data)
    mg.manual_seed(3)
    first = nn.Linear(3, 2).weight.data
    mg.manual_seed(3)
    np.testing.assert_array_equal(first, nn.Linear(3, 2).weight.data)


def test_linear_names_a_wrong_input_width() -> None:
    with pytest.raises(mg.ShapeError, match=r"linear: input of shape \(2, 4\) does not fit a weight of shape \(5, 3\)"):
        nn.Linear(3, 5)(mg.Tensor(np.ones((2, 4))))


def test_linear_gradients() -> None:
    layer = nn.Linear(3, 2, rng=0)
    x = mg.Tensor(np.random.default_rng(0).standard_normal((4, 3)), requires_grad=True)
    assert gradcheck(lambda x, w, b: F.linear(x, w, b), [x, layer.weight, layer.bias])


# ------------------------------------------------------------------- losses
@given(shape=mst.shapes(), reduction=st.sampled_from(["mean", "sum", "none"]), data=st.data())
def test_mse_loss_matches_numpy_and_finite_differences(shape, reduction, data) -> None:
    x = data.draw(mst.tensors(shape=shape))
    target = data.draw(mst.arrays(shape))
    expected = {"mean": np.mean, "sum": np.sum, "none": lambda a: a}[reduction]((x.data - target) ** 2)
    np.testing.assert_allclose(F.mse_loss(x, target, reduction).data, expected, atol=1e-12)
    assert gradcheck(lambda x: F.mse_loss(x, target, reduction), [x])


def test_cross_entropy_matches_the_formula_and_finite_differences() -> None:
    rng = np.random.default_rng(0)
    logits = mg.Tensor(rng.standard_normal((5, 4)) * 3, requires_grad=True)
    target = np.array([0, 3, 1, 1, 2])
    z = logits.data
    expected = np.mean(np.log(np.exp(z).sum(1)) - z[np.arange(5), target])
    assert F.cross_entropy(logits, target).item() == pytest.approx(expected, rel=1e-12)
    assert gradcheck(lambda z: F.cross_entropy(z, target, reduction="sum"), [logits])
    # Algebra: d CE / d logits = softmax - one_hot (for the sum reduction).
    logits.grad = None
    F.cross_entropy(logits, target, reduction="sum").backward()
    softmax = np.exp(z) / np.exp(z).sum(1, keepdims=True)
    np.testing.assert_allclose(logits.grad, softmax - np.eye(4)[target], atol=1e-12)


def test_cross_entropy_is_stable_for_huge_logits() -> None:
    logits = mg.Tensor([[1000.0, 0.0], [-1000.0, 0.0]], requires_grad=True)
    loss = F.cross_entropy(logits, [0, 1])
    loss.backward()
    assert np.isfinite(loss.item()) and np.all(np.isfinite(logits.grad))


def test_cross_entropy_of_a_single_sample() -> None:
    logits = mg.Tensor([2.0, 1.0, 0.1], requires_grad=True)
    assert F.cross_entropy(logits, 0).item() == pytest.approx(-np.log(np.exp(2) / np.exp([2, 1, 0.1]).sum()))


@pytest.mark.parametrize("target, error, message", [
    (np.array([0.5, 1.0]), TypeError, "cross_entropy|nll_loss: target must hold integer class indices"),
    (np.array([0, 3]), ValueError, r"class indices must be in \[0, 3\), got values from 0 to 3"),
    (np.array([0, 1, 2]), mg.ShapeError, r"target has shape \(3,\) but the input's batch shape is \(2,\)"),
])
def test_cross_entropy_names_bad_targets(target, error, message) -> None:
    with pytest.raises(error, match=message):
        F.cross_entropy(mg.Tensor(np.zeros((2, 3))), target)


def test_losses_name_a_bad_reduction_and_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none', got 'max'"):
        F.mse_loss(mg.Tensor([1.0]), [1.0], reduction="max")
    with pytest.raises(mg.ShapeError, match=r"mse_loss: input has shape \(2,\) but target has shape \(3,\)"):
        F.mse_loss(mg.Tensor([1.0, 2.0]), [1.0, 2.0, 3.0])


# ---------------------------------------------------------------- optimizers
def quadratic_step(optimizer_factory, steps):
    """Run an optimizer on E(p) = 0.5 |p - c|^2 (gradient p - c) and return the trajectory."""
    p = nn.Parameter([1.0, -2.0])
    c = np.array([0.5, 0.5])
    opt = optimizer_factory([p])
    path = []
    for _ in range(steps):
        opt.zero_grad()
        diff = p - c
        (diff * diff).sum().__mul__(0.5).backward()
        opt.step()
        path.append(p.data.copy())
    return np.array(path), c


def test_sgd_with_momentum_follows_its_recurrence() -> None:
    path, c = quadratic_step(lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9), 3)
    p, v = np.array([1.0, -2.0]), np.zeros(2)
    for step in range(3):
        v = 0.9 * v + (p - c)
        p = p - 0.1 * v
        np.testing.assert_allclose(path[step], p, atol=1e-14)


def test_adagrad_follows_its_recurrence() -> None:
    path, c = quadratic_step(lambda ps: optim.Adagrad(ps, lr=0.5), 3)
    p, total = np.array([1.0, -2.0]), np.zeros(2)
    for step in range(3):
        g = p - c
        total += g * g
        p = p - 0.5 * g / (np.sqrt(total) + 1e-10)
        np.testing.assert_allclose(path[step], p, atol=1e-14)


def test_adam_first_step_moves_each_coordinate_by_lr() -> None:
    # After one step m_hat = g and v_hat = g^2, so the update is lr * g / |g|.
    path, c = quadratic_step(lambda ps: optim.Adam(ps, lr=0.01), 1)
    np.testing.assert_allclose(path[0], np.array([1.0, -2.0]) - 0.01 * np.sign(np.array([1.0, -2.0]) - c), atol=1e-9)


@pytest.mark.parametrize("factory", [
    lambda ps: optim.SGD(ps, lr=0.1), lambda ps: optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True),
    lambda ps: optim.Adagrad(ps, lr=0.5), lambda ps: optim.Adam(ps, lr=0.05),
], ids=["sgd", "nesterov", "adagrad", "adam"])
def test_optimizers_converge_on_a_quadratic(factory) -> None:
    path, c = quadratic_step(factory, 500)
    np.testing.assert_allclose(path[-1], c, atol=1e-3)


def test_weight_decay_adds_lambda_p_to_the_gradient() -> None:
    p = nn.Parameter([2.0])
    p.grad = np.array([0.0])
    optim.SGD([p], lr=0.1, weight_decay=0.5).step()
    assert p.data[0] == pytest.approx(2.0 - 0.1 * 0.5 * 2.0)


def test_optimizers_refuse_bad_parameter_lists() -> None:
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="Adam: every parameter must be a Tensor with requires_grad=True"):
        optim.Adam([mg.Tensor([1.0])])
    with pytest.raises(ValueError, match=r"SGD: lr must be a finite number in \[0.0, inf\], got -1"):
        optim.SGD([nn.Parameter([1.0])], lr=-1)


# ------------------------------------------------------------------ clipping
def test_clip_grad_norm_returns_the_norm_before_and_rescales_to_max_norm() -> None:
    a, b = nn.Parameter(np.zeros(2)), nn.Parameter(np.zeros(1))
    a.grad, b.grad = np.array([3.0, 0.0]), np.array([4.0])
    total = optim.clip_grad_norm_([a, b], max_norm=1.0)
    assert total == pytest.approx(5.0)
    assert np.sqrt(np.sum(a.grad ** 2) + np.sum(b.grad ** 2)) == pytest.approx(1.0, rel=1e-5)
    np.testing.assert_allclose(a.grad / b.grad[0], [0.75, 0.0])   # direction kept


def test_clip_grad_norm_leaves_small_gradients_alone() -> None:
    a = nn.Parameter(np.zeros(2))
    a.grad = np.array([0.3, 0.4])
    assert optim.clip_grad_norm_([a], max_norm=1.0) == pytest.approx(0.5)
    np.testing.assert_array_equal(a.grad, [0.3, 0.4])


def test_clip_grad_value_clips_elementwise() -> None:
    a = nn.Parameter(np.zeros(3))
    a.grad = np.array([-5.0, 0.2, 3.0])
    optim.clip_grad_value_([a], 1.0)
    np.testing.assert_array_equal(a.grad, [-1.0, 0.2, 1.0])


def test_zero_grad_in_place_keeps_the_arrays_and_zeroes_them() -> None:
    model = TwoLayer()
    model(mg.Tensor(np.ones((2, 3)))).sum().backward()
    before = {name: p.grad for name, p in model.named_parameters()}
    model.zero_grad(set_to_none=False)
    for name, p in model.named_parameters():
        assert p.grad is before[name] and not p.grad.any()
    model(mg.Tensor(np.ones((2, 3)))).sum().backward()
    fresh = TwoLayer()
    fresh(mg.Tensor(np.ones((2, 3)))).sum().backward()
    for (_, p), (_, q) in zip(model.named_parameters(), fresh.named_parameters()):
        np.testing.assert_allclose(p.grad, q.grad)


def test_a_seed_gives_one_generator_for_all_parameters() -> None:
    # Weight and bias must not be copies of the same first draws of a reseeded generator.
    layer = nn.Linear(3, 2, rng=0)
    assert not np.allclose(layer.bias.data, layer.weight.data.ravel()[:2])
    import nets
    rnn = nets.RNN(2, 2, rng=0)
    assert not np.allclose(rnn.weight_ih_l0.data.ravel()[:4], rnn.weight_hh_l0.data.ravel()[:4])


def test_module_list_index_out_of_range_is_an_index_error() -> None:
    layers = nn.ModuleList([nn.Linear(1, 1), nn.Linear(1, 1)])
    assert layers[-1] is layers[1]
    with pytest.raises(IndexError, match="ModuleList: index 5 is out of range for 2 modules"):
        layers[5]


def test_clip_grad_norm_minus_inf_is_the_smallest_entry_and_zero_is_refused() -> None:
    p = mg.Tensor([1.0, 1.0], requires_grad=True)
    p.grad = np.array([3.0, -4.0])
    assert optim.clip_grad_norm_([p], 100.0, norm_type=-np.inf) == 3.0     # as torch
    with pytest.raises(ValueError, match="norm_type must be positive, inf or -inf, got 0"):
        optim.clip_grad_norm_([p], 1.0, norm_type=0)


def test_an_optimizer_refuses_a_non_leaf_parameter() -> None:
    x = mg.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="SGD: every parameter must be a leaf tensor, got the output of op 'mul'"):
        optim.SGD([x * 2], lr=0.1)


def test_load_state_dict_refuses_complex_values() -> None:
    layer = nn.Linear(2, 1)
    with pytest.raises(TypeError, match="load_state_dict: 'weight' must be real numbers, got complex data"):
        layer.load_state_dict({"weight": np.ones((1, 2)) * 1j, "bias": np.zeros(1)})
