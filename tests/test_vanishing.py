"""examples/vanishing_gradients.py: the engine's dE_T/dh(t) against the algebra of seed 000.

Seed 000 ("Long-term dependencies problem"): for h(t) = W^T h(t-1) with
W = Q Λ Q^T, powers of W act through powers of its eigenvalues. Backward in
time, dE_T/dh(t) = dE_T/dh(T) W^(T-t) (row vectors) for the linear recurrence,
and dE_T/dh(t-1) = (dE_T/dh(t) ⊙ (1 - h(t)^2)) W for the tanh recurrence.
The oracles:

- W = rho Q, Q orthogonal: every backward step multiplies the norm by exactly rho;
- W symmetric (seed 000's Q Λ Q^T): the ratio of successive norms never
  decreases and never exceeds rho, and approaches rho;
- any W: one backward step multiplies the norm by at most ||W||_2 (and tanh'
  <= 1 keeps the tanh recurrence under the same bound);
- the engine's gradients equal the matrix products above, computed in numpy.
"""
import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

_PATH = Path(__file__).resolve().parent.parent / "examples" / "vanishing_gradients.py"
# examples/ is not a package: load the script by path (registered in sys.modules
# first, as dataclasses look their module up there).
_spec = importlib.util.spec_from_file_location("examples_vanishing_gradients", _PATH)
vg = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = vg
_spec.loader.exec_module(vg)

RHOS = (0.5, 0.9, 1.0, 1.1, 1.5)


@pytest.fixture(scope="module")
def headline():
    """The measurements behind the table and plot of docs/bptt.md."""
    return vg.measure()


def test_matrices_have_the_requested_spectral_radius() -> None:
    for kind in ("random", "orthogonal", "symmetric"):
        for rho in RHOS:
            W = vg.recurrent_matrix(12, rho, kind, rng=3)
            assert vg.spectral_radius(W) == pytest.approx(rho, rel=1e-12)
    W = vg.recurrent_matrix(12, 0.7, "symmetric", rng=3)
    np.testing.assert_allclose(W, W.T, atol=1e-15)


@pytest.mark.parametrize("rho", RHOS)
def test_orthogonal_w_multiplies_the_gradient_norm_by_exactly_rho_per_step(rho) -> None:
    norms = vg.gradient_norms(rho, "linear", kind="orthogonal", steps=30, hidden=8, batch=3)
    np.testing.assert_allclose(norms, rho ** np.arange(31), rtol=1e-10)


@pytest.mark.parametrize("rho", RHOS)
def test_symmetric_w_successive_ratios_rise_towards_rho_and_never_pass_it(rho) -> None:
    # n(k)^2 = sum_i lambda_i^(2k) c_i^2: a positive sum of exponentials in k, so
    # log n(k) is convex (the ratios n(k+1)/n(k) never decrease) and the ratios
    # are bounded by max |lambda_i| = rho, which they approach.
    norms = vg.gradient_norms(rho, "linear", kind="symmetric", steps=40, hidden=10, batch=4)
    ratios = norms[1:] / norms[:-1]
    assert np.all(np.diff(ratios) >= -1e-12)
    assert np.all(ratios <= rho * (1 + 1e-12))
    assert ratios[-1] == pytest.approx(rho, rel=0.01)     # within 0.4% after 40 steps here
    if rho < 1:
        assert np.all(np.diff(norms) < 0)


@pytest.mark.parametrize("nonlinearity", ["linear", "tanh"])
def test_one_step_back_multiplies_the_norm_by_at_most_the_spectral_norm_of_w(nonlinearity) -> None:
    W = vg.recurrent_matrix(vg.HIDDEN, 1.5, "random", vg.SEED + 1)
    bound = np.linalg.norm(W, 2)          # largest singular value; tanh' <= 1 cannot raise it
    norms = vg.gradient_norms(1.5, nonlinearity)
    assert np.all(norms[1:] / norms[:-1] <= bound * (1 + 1e-12))


@pytest.mark.parametrize("nonlinearity", ["linear", "tanh"])
def test_engine_gradients_are_the_products_of_jacobians(nonlinearity) -> None:
    T, B, H = 12, 3, 6
    rng = np.random.default_rng(7)
    x, target = rng.standard_normal((T, B, vg.INPUTS)), rng.standard_normal((B, H))
    W = vg.recurrent_matrix(H, 1.2, "random", rng=8)
    run = vg.unroll(vg.make_net(W), x, target, nonlinearity)
    states = [state.data for state in run.states]
    # dE_T/dh(T) for E_T = 1/2 ||h(T) - d||^2:
    g = states[T] - target
    np.testing.assert_allclose(run.grads[T], g, atol=1e-15)
    for t in range(T, 0, -1):
        if nonlinearity == "linear":
            # dE_T/dh(t-1) = dE_T/dh(T) W^(T-t+1), rows times powers of W
            expected = run.grads[T] @ np.linalg.matrix_power(W, T - t + 1)
        else:
            # seed 004, "BPTT": dz(t) = dh(t) f'(z(t)), then dh(t-1) = dz(t) W_r
            g = (g * (1.0 - states[t] ** 2)) @ W
            expected = g
        np.testing.assert_allclose(run.grads[t - 1], expected, rtol=1e-12, atol=1e-12)


def test_the_tanh_loop_computes_what_nets_rnn_computes() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((7, 2, vg.INPUTS))
    net = vg.make_net(vg.recurrent_matrix(5, 1.1, "random", 1))
    run = vg.unroll(net, x, np.zeros((2, 5)), "tanh")
    output, _ = net(x)
    np.testing.assert_allclose(np.stack([s.data for s in run.states[1:]]), output.data, atol=1e-15)


def test_headline_linear_norms_fall_below_one_and_grow_above_one(headline) -> None:
    for rho, norms in headline["linear"].items():
        steps = np.diff(norms)
        if rho < 1:
            assert np.all(steps < 0), rho
        elif rho > 1:
            assert np.all(steps > 0), rho
        # Far from the loss, the per-step factor is the spectral radius (within 3%).
        assert vg.per_step_factor(norms) == pytest.approx(rho, rel=0.03)


def test_headline_tanh_vanishes_faster_and_explodes_far_slower_than_linear(headline) -> None:
    for rho in vg.RHOS:
        linear, tanh = headline["linear"][rho], headline["tanh"][rho]
        assert vg.per_step_factor(tanh) < vg.per_step_factor(linear)
        if rho <= 1:
            assert np.all(np.diff(tanh) < 0)
    # Saturation tames the explosion but does not remove it at rho = 1.5 and 2:
    assert headline["tanh"][1.5][-1] < 1e-6 * headline["linear"][1.5][-1]
    assert headline["tanh"][2.0][-1] > 1.0 and headline["tanh"][1.5][-1] > 1.0
    assert headline["tanh"][1.1][-1] < 0.1          # at rho = 1.1 tanh's gradient already vanishes
