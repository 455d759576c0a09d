"""Tests for nets.esn (echo state networks) and nets.datasets.mackey_glass.

The numerical tests compare against oracles written here: numpy's least
squares on the augmented system, the seed's ridge formula with an explicit
inverse (fine in a test, never in the library), dense eigenvalues, and the
state update and closed-loop generation written out as plain loops.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nets.reservoir as reservoir_module
from nets.datasets import mackey_glass
from nets.esn import (
    ESN,
    fit_readout_by_gradient_descent,
    nrmse,
    random_reservoir,
    spectral_radius,
)


def small_esn(**overrides) -> ESN:
    """A 30-unit ESN with one input and one output; keyword arguments override."""
    arguments = {
        "input_size": 1, "reservoir_size": 30, "output_size": 1, "spectral_radius": 0.9,
        "leak_rate": 0.5, "connectivity": 0.2, "ridge": 1e-6, "seed": 0,
    }
    arguments.update(overrides)
    return ESN(**arguments)


def random_task(steps: int, input_size: int = 1, output_size: int = 1, seed: int = 1):
    """Uniform random inputs and a non-linear target of recent inputs."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1.0, 1.0, size=(steps, input_size))
    delayed = np.roll(X, 2, axis=0)
    Y = np.tanh(X[:, :1] * delayed[:, :1]) + 0.1 * rng.standard_normal((steps, 1))
    return X, np.repeat(Y, output_size, axis=1)


def loop_states(esn: ESN, X: np.ndarray, teacher=None, initial_state=None) -> np.ndarray:
    """Oracle: the seed's update written out step by step with dense matrices."""
    W = esn.W.toarray()
    h = np.zeros(esn.reservoir_size) if initial_state is None else initial_state
    y_previous = np.zeros(esn.output_size)
    states = []
    for n in range(X.shape[0]):
        pre = esn.W_in @ np.concatenate([[1.0], X[n]]) + W @ h
        if teacher is not None:
            pre += esn.W_fb @ y_previous
            y_previous = teacher[n]
        h = (1 - esn.leak_rate) * h + esn.leak_rate * np.tanh(pre)
        states.append(h)
    return np.array(states)


def augmented(states: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Oracle's design matrix: rows [1, h(n), x(n)]."""
    return np.hstack([np.ones((states.shape[0], 1)), states, X])


def ridge_formula(Z: np.ndarray, Y: np.ndarray, beta: float) -> np.ndarray:
    """Seed 000, "Training readouts": W_out = Y H^T (H H^T + beta I)^-1, H = Z^T."""
    H = Z.T
    return Y.T @ H.T @ np.linalg.inv(H @ H.T + beta * np.eye(H.shape[0]))


# ------------------------------------------------------------ the reservoir


def test_state_update_matches_the_seed_equations():
    esn = small_esn(leak_rate=0.3)
    X, _ = random_task(50)
    np.testing.assert_allclose(esn.collect_states(X), loop_states(esn, X), rtol=1e-12, atol=1e-14)


def test_leak_rate_one_is_the_plain_esn():
    esn = small_esn(leak_rate=1.0)
    X, _ = random_task(40)
    W = esn.W.toarray()
    h = np.zeros(esn.reservoir_size)
    plain = []
    for x in X:
        h = np.tanh(esn.W_in @ np.concatenate([[1.0], x]) + W @ h)
        plain.append(h)
    np.testing.assert_allclose(esn.collect_states(X), np.array(plain), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("dense_limit", [1000, 100])  # dense eigenvalues, then ARPACK
def test_requested_spectral_radius_is_reached(seed, dense_limit, monkeypatch):
    # Lowering the limit sends a 400-unit reservoir down the ARPACK path
    # (used for N > 1000 by default) while the dense oracle stays cheap.
    monkeypatch.setattr(reservoir_module, "DENSE_EIGENVALUE_LIMIT", dense_limit)
    W = random_reservoir(400, connectivity=5 / 400, radius=1.25, rng=np.random.default_rng(seed))
    exact = np.max(np.abs(np.linalg.eigvals(W.toarray())))
    assert abs(exact - 1.25) < 1e-6
    assert abs(spectral_radius(W) - exact) < 1e-9


def test_every_unit_gets_the_same_number_of_uniform_links():
    W = random_reservoir(200, connectivity=0.05, radius=0.9, rng=np.random.default_rng(0))
    assert np.all(np.diff(W.indptr) == 10)
    raw = random_reservoir(200, connectivity=0.05, radius=0.0, rng=np.random.default_rng(0))
    assert raw.nnz == 0 or np.all(raw.data == 0)


def test_same_seed_same_weights_other_seed_other_weights():
    a, b, c = small_esn(seed=7), small_esn(seed=7), small_esn(seed=8)
    assert (a.W != b.W).nnz == 0 and np.array_equal(a.W_in, b.W_in)
    assert not np.array_equal(a.W_in, c.W_in)


def test_echo_state_property_forgets_the_initial_state():
    esn = small_esn(spectral_radius=0.8, leak_rate=0.5)
    X, _ = random_task(300)
    start_a = np.random.default_rng(0).uniform(-1, 1, esn.reservoir_size)
    start_b = -start_a
    distance = np.linalg.norm(
        esn.collect_states(X, initial_state=start_a) - esn.collect_states(X, initial_state=start_b),
        axis=1,
    )
    assert distance[0] > 0.1
    assert distance[-1] < 1e-8


# -------------------------------------------------------------- the readout


def test_closed_form_is_least_squares_as_ridge_goes_to_zero():
    esn = small_esn(ridge=0.0)
    X, Y = random_task(600)
    esn.fit(X, Y, washout=20)
    Z = augmented(esn.collect_states(X), X)[20:]
    expected, *_ = np.linalg.lstsq(Z, Y[20:], rcond=None)
    np.testing.assert_allclose(Z @ esn.W_out.T, Z @ expected, rtol=0, atol=1e-8)
    np.testing.assert_allclose(esn.W_out, expected.T, rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("beta", [1e-4, 1e-1, 10.0])
def test_closed_form_matches_the_ridge_formula(beta):
    esn = small_esn(ridge=beta, output_size=2)
    X, Y = random_task(400, output_size=2)
    esn.fit(X, Y, washout=10)
    Z = augmented(esn.collect_states(X), X)[10:]
    np.testing.assert_allclose(esn.W_out, ridge_formula(Z, Y[10:], beta), rtol=1e-7, atol=1e-9)


def test_readout_without_the_input_uses_only_bias_and_states():
    esn = small_esn(include_input=False, ridge=1e-3)
    X, Y = random_task(300)
    esn.fit(X, Y)
    states = esn.collect_states(X)
    Z = np.hstack([np.ones((300, 1)), states])
    assert esn.W_out.shape == (1, 1 + esn.reservoir_size)
    np.testing.assert_allclose(esn.W_out, ridge_formula(Z, Y, 1e-3), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("options", [{}, {"feedback": True}, {"feedback": True, "include_input": False}],
                         ids=["plain", "feedback", "feedback-no-input"])
def test_chunked_accumulation_gives_the_ridge_formula(options):
    X, Y = random_task(500)
    teacher = Y if options.get("feedback") else None
    for chunk_size in (7, 64, 10_000):
        esn = small_esn(**options).fit(X, Y, washout=13, chunk_size=chunk_size)
        states = loop_states(esn, X, teacher=teacher)
        Z = augmented(states, X)[13:]
        if not esn.include_input:
            Z = Z[:, :-1]
        np.testing.assert_allclose(esn.W_out, ridge_formula(Z, Y[13:], 1e-6), rtol=1e-6, atol=1e-8)
        np.testing.assert_allclose(esn.state, states[-1], rtol=1e-12, atol=1e-14)


@settings(max_examples=25, deadline=None)
@given(chunk_size=st.integers(1, 80), washout=st.integers(0, 60))
def test_any_chunking_and_washout_give_the_ridge_formula(chunk_size, washout):
    X, Y = random_task(120)
    esn = small_esn(ridge=1e-2).fit(X, Y, washout=washout, chunk_size=chunk_size)
    Z = augmented(loop_states(esn, X), X)[washout:]
    np.testing.assert_allclose(esn.W_out, ridge_formula(Z, Y[washout:], 1e-2), rtol=1e-7, atol=1e-9)


def test_a_list_of_sequences_is_the_concatenated_fit_with_washout_per_sequence():
    X1, Y1 = random_task(200, seed=1)
    X2, Y2 = random_task(150, seed=2)
    esn = small_esn(ridge=1e-3).fit([X1, X2], [Y1, Y2], washout=25)
    # Oracle: each sequence from the zero state, its own washout dropped.
    Z = np.vstack([
        augmented(loop_states(esn, X1), X1)[25:],
        augmented(loop_states(esn, X2), X2)[25:],
    ])
    Y = np.vstack([Y1[25:], Y2[25:]])
    np.testing.assert_allclose(esn.W_out, ridge_formula(Z, Y, 1e-3), rtol=1e-7, atol=1e-9)


def test_feedback_training_uses_teacher_forcing():
    esn = small_esn(feedback=True, feedback_scaling=0.5, ridge=1e-3)
    X, Y = random_task(300)
    esn.fit(X, Y, washout=10)
    # Oracle: y(n-1) = y_target(n-1) fed back through W_fb, y(-1) = 0.
    states = loop_states(esn, X, teacher=Y)
    np.testing.assert_allclose(esn.collect_states(X, teacher=Y), states, rtol=1e-12, atol=1e-14)
    Z = augmented(states, X)[10:]
    np.testing.assert_allclose(esn.W_out, ridge_formula(Z, Y[10:], 1e-3), rtol=1e-7, atol=1e-9)
    np.testing.assert_array_equal(esn.last_output, Y[-1])


# --------------------------------------------------------------- prediction


def test_predict_continues_from_the_current_state_or_resets():
    X, Y = random_task(400)
    esn = small_esn().fit(X[:300], Y[:300])
    continued = esn.predict(X[300:])
    states = esn.collect_states(X)  # the same run, from zero, without splitting
    np.testing.assert_allclose(
        continued, augmented(states, X)[300:] @ esn.W_out.T, rtol=1e-10, atol=1e-12
    )
    from_zero = esn.predict(X[300:], reset=True)
    np.testing.assert_allclose(
        from_zero, augmented(esn.collect_states(X[300:]), X[300:]) @ esn.W_out.T,
        rtol=1e-10, atol=1e-12,
    )


def test_predict_with_feedback_feeds_back_its_own_outputs():
    X, Y = random_task(200)
    esn = small_esn(feedback=True, feedback_scaling=0.3).fit(X, Y)
    h, y = esn.state, esn.last_output
    outputs = esn.predict(X[:20])
    W = esn.W.toarray()
    for n in range(20):  # oracle loop
        pre = esn.W_in @ np.concatenate([[1.0], X[n]]) + W @ h + esn.W_fb @ y
        h = (1 - esn.leak_rate) * h + esn.leak_rate * np.tanh(pre)
        y = esn.W_out @ np.concatenate([[1.0], h, X[n]])
        np.testing.assert_allclose(outputs[n], y, rtol=1e-10, atol=1e-12)


def closed_loop_oracle(esn: ESN, warmup: np.ndarray, n_steps: int) -> np.ndarray:
    """Oracle for input-driven generation, with dense matrices and a plain loop.

    Drive the reservoir with the warmup series; the readout of its last
    state predicts the next value, which is then fed back as the input.
    """
    W = esn.W.toarray()
    h = loop_states(esn, warmup)[-1]
    x = warmup[-1]
    outputs = []
    for _ in range(n_steps):
        y = esn.W_out @ np.concatenate([[1.0], h, x])
        outputs.append(y)
        x = y
        pre = esn.W_in @ np.concatenate([[1.0], x]) + W @ h
        h = (1 - esn.leak_rate) * h + esn.leak_rate * np.tanh(pre)
    return np.array(outputs)


def mackey_glass_esn() -> tuple[ESN, np.ndarray]:
    series = mackey_glass(700)
    esn = small_esn(reservoir_size=60, spectral_radius=1.25, leak_rate=0.3, ridge=1e-7)
    esn.fit(series[:499], series[1:500], washout=50)
    return esn, series


def test_generate_from_inputs_feeds_each_output_back_as_the_next_input():
    esn, series = mackey_glass_esn()
    generated = esn.generate(5, warmup=series[:500])
    expected = closed_loop_oracle(esn, series[:500], 5)
    np.testing.assert_allclose(generated, expected, rtol=1e-10, atol=1e-12)


def test_generate_without_warmup_continues_after_the_last_output():
    esn, series = mackey_glass_esn()
    expected = closed_loop_oracle(esn, series[:500], 7)
    # In pieces: each call picks up after the value the previous one ended on.
    pieces = [esn.generate(3, warmup=series[:500]), esn.generate(3), esn.generate(1)]
    np.testing.assert_allclose(np.vstack(pieces), expected, rtol=1e-10, atol=1e-12)
    # After predict, the first generated value is the one after predict's last.
    last_prediction = esn.predict(series[:500], reset=True)[-1]
    np.testing.assert_allclose(last_prediction, expected[0], rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(esn.generate(2), expected[1:3], rtol=1e-10, atol=1e-12)
    esn.reset()
    with pytest.raises(ValueError, match=r"generate\(\) without warmup .* none since .* reset\(\)"):
        esn.generate(3)


def sine_generator(units: int, train: int, washout: int) -> tuple[ESN, np.ndarray]:
    """Jaeger's generative set-up: no input, output feedback, trained on a sine."""
    sine = 0.5 * np.sin(2 * np.pi * np.arange(train + 200) / 25)[:, None]
    esn = ESN(0, units, 1, spectral_radius=0.9, leak_rate=1.0, feedback=True, ridge=1e-8, seed=0)
    esn.fit(np.zeros((train, 0)), sine[:train], washout=washout)
    return esn, sine


def test_generate_with_output_feedback_continues_without_repeating():
    esn, sine = sine_generator(units=40, train=300, washout=50)
    whole = esn.generate(6, warmup=sine[200:300])
    pieces = np.vstack([esn.generate(2, warmup=sine[200:300]), esn.generate(4)])
    np.testing.assert_array_equal(pieces, whole)


def test_generate_with_output_feedback_learns_a_sine():
    esn, sine = sine_generator(units=100, train=1000, washout=100)
    generated = esn.generate(200, warmup=sine[800:1000])
    assert nrmse(generated, sine[1000:1200]) < 1e-2


def test_mackey_glass_one_step_prediction_is_accurate():
    series = mackey_glass(2500)
    esn = ESN(1, 200, 1, spectral_radius=1.25, leak_rate=0.3, ridge=1e-7, seed=0)
    esn.fit(series[:1999], series[1:2000], washout=100)
    prediction = esn.predict(series[1999:2499])
    assert nrmse(prediction, series[2000:2500]) < 1e-2


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_nan_or_inf_in_X_or_Y_is_refused(bad):
    X, Y = random_task(50)
    X_bad, Y_bad = X.copy(), Y.copy()
    X_bad[7, 0] = bad
    Y_bad[9, 0] = bad
    with pytest.raises(ValueError, match=r"X contains NaN or Inf \(first at step 7"):
        small_esn().fit(X_bad, Y)
    with pytest.raises(ValueError, match=r"Y contains NaN or Inf \(first at step 9"):
        small_esn().fit(X, Y_bad)
    with pytest.raises(ValueError, match=r"Y\[1\] contains NaN or Inf"):
        small_esn().fit([X, X], [Y, Y_bad])


def test_mismatched_lengths_are_refused():
    X, Y = random_task(50)
    same_steps = "X and Y must have the same number of steps, got 50 and 49"
    with pytest.raises(ValueError, match=same_steps):
        small_esn().fit(X, Y[:-1])
    with pytest.raises(ValueError, match="X in sequence 1 and Y in sequence 1 .* 50 and 40"):
        small_esn().fit([X, X], [Y, Y[:40]])
    with pytest.raises(ValueError, match="same number of sequences, got 2 and 1"):
        small_esn().fit([X, X], [Y])


def test_washout_longer_than_the_data_is_refused():
    X, Y = random_task(50)
    too_long = "washout=50 leaves no training step: it has only 50 steps"
    with pytest.raises(ValueError, match=too_long):
        small_esn().fit(X, Y, washout=50)
    with pytest.raises(ValueError, match="washout=-1|washout must be an integer >= 0"):
        small_esn().fit(X, Y, washout=-1)


def test_predict_or_generate_before_fit_is_refused():
    X, _ = random_task(10)
    with pytest.raises(RuntimeError, match=r"predict\(\) called before fit\(\)"):
        small_esn().predict(X)
    with pytest.raises(RuntimeError, match=r"generate\(\) called before fit\(\)"):
        small_esn().generate(3)


def test_wrong_input_width_is_refused():
    X, Y = random_task(50, input_size=2)
    with pytest.raises(ValueError, match="X has 2 columns but the ESN has input_size=1"):
        small_esn().fit(X, Y)
    esn = small_esn().fit(*random_task(50))
    with pytest.raises(ValueError, match="X has 2 columns but the ESN has input_size=1"):
        esn.predict(X)
    one_dimensional = r"must be a 2-D array \(T, 1\), got shape \(50,\).*reshape"
    with pytest.raises(ValueError, match=one_dimensional):
        esn.predict(X[:, 0])
    with pytest.raises(ValueError, match="Y has 3 columns but the ESN has output_size=1"):
        small_esn().fit(X[:, :1], np.zeros((50, 3)))


def test_bad_hyperparameters_are_refused():
    leak = r"leak_rate must be a finite number in \(0.0, 1.0\], got 1.5"
    with pytest.raises(ValueError, match=leak):
        small_esn(leak_rate=1.5)
    with pytest.raises(ValueError, match="spectral_radius must be a finite number"):
        small_esn(spectral_radius=-1.0)
    with pytest.raises(ValueError, match="reservoir_size must be an integer >= 1, got 0"):
        small_esn(reservoir_size=0)
    with pytest.raises(TypeError, match="ESN: ridge must be a number, got None"):
        small_esn(ridge=None)
    with pytest.raises(TypeError, match="ESN: feedback must be True or False, got 'no'"):
        small_esn(feedback="no")
    with pytest.raises(TypeError, match="ESN: include_input must be True or False, got 1"):
        small_esn(include_input=1)


def test_reservoir_helpers_refuse_bad_arguments():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"connectivity must be a finite number in \(0.0, 1.0\], got 2"):
        random_reservoir(10, 2, 0.9, rng)
    with pytest.raises(ValueError, match="size must be an integer >= 1, got 0"):
        random_reservoir(0, 0.5, 0.9, rng)
    with pytest.raises(ValueError, match=r"radius must be a finite number in \[0.0, inf\], got -1.0"):
        random_reservoir(10, 0.5, -1.0, rng)
    with pytest.raises(ValueError, match=r"must be square, got shape \(2, 3\)"):
        spectral_radius(np.ones((2, 3)))


def test_a_nested_list_of_numbers_is_one_sequence():
    X, Y = random_task(60)
    from_arrays = small_esn().fit(X, Y)
    from_lists = small_esn().fit(X.tolist(), Y.tolist())
    np.testing.assert_array_equal(from_lists.W_out, from_arrays.W_out)


def test_a_nan_initial_state_is_refused():
    X, _ = random_task(10)
    with pytest.raises(ValueError, match="initial_state contains NaN or Inf"):
        small_esn().collect_states(X, initial_state=np.full(30, np.nan))


def test_generate_needs_an_autonomous_setup():
    esn = small_esn(output_size=2).fit(*random_task(50, output_size=2))
    needs = r"generate\(\) needs an ESN with feedback=True and input_size=0"
    with pytest.raises(ValueError, match=needs):
        esn.generate(3)


def test_singular_normal_equations_without_ridge_are_refused():
    esn = small_esn(ridge=0.0)
    X = np.zeros((50, 1))
    # 10 kept steps for 32 features: fewer equations than unknowns.
    with pytest.raises(ValueError, match="normal equations .* singular with beta=0.0.*positive"):
        esn.fit(X, np.ones((50, 1)), washout=40)
    # A ridge far below rounding error does not help, and the advice says so.
    with pytest.raises(ValueError, match=r"singular with beta=1e-30 .* use a larger ridge"):
        small_esn(ridge=1e-30).fit(X, np.ones((50, 1)), washout=40)


# ------------------------------------------------------------ the data set


def test_mackey_glass_is_deterministic_and_converges_with_the_step():
    series = mackey_glass(300, transient=0)
    assert series.shape == (300, 1)
    np.testing.assert_array_equal(series, mackey_glass(300, transient=0))
    # Oracle: a ten times finer Runge-Kutta step agrees closely before chaos
    # amplifies the difference.
    finer = mackey_glass(100, transient=0, dt=0.01)
    np.testing.assert_allclose(series[:100], finer, atol=1e-4)
    # On the attractor, MG17 stays within its known range.
    attractor = mackey_glass(3000)
    assert 0.2 < attractor.min() and attractor.max() < 1.5


@pytest.mark.parametrize("arguments, error, message", [
    ({"n": 2.5}, TypeError, r"mackey_glass: n must be an integer >= 1, got 2.5"),
    ({"n": 10, "transient": -1}, ValueError, r"mackey_glass: transient must be an integer >= 0, got -1"),
    ({"n": 10, "dt": 0.0}, ValueError, r"mackey_glass: dt must be a finite number in \(0.0, inf\], got 0.0"),
])
def test_mackey_glass_refuses_bad_arguments_by_name(arguments, error, message):
    with pytest.raises(error, match=message):
        mackey_glass(**arguments)


def test_mackey_glass_refuses_a_delay_off_the_grid():
    with pytest.raises(ValueError, match="tau=17.05 must be a whole multiple of dt=0.1"):
        mackey_glass(10, tau=17.05)


def test_nrmse_is_zero_for_a_perfect_and_one_for_the_mean_prediction():
    target = np.sin(np.arange(100.0))[:, None]
    assert nrmse(target, target) == 0.0
    assert nrmse(np.full_like(target, target.mean()), target) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="same shape"):
        nrmse(target[:50], target)
    with pytest.raises(ValueError, match="must be positive and finite, got nan"):
        nrmse(target, target, target_std=float("nan"))
    with pytest.raises(ValueError, match="nrmse: prediction and target are empty"):
        nrmse(np.zeros(0), np.zeros(0))


# ------------------------------------------- the readout by gradient descent


def test_gradient_descent_on_the_engine_converges_to_the_closed_form():
    # A small, well-conditioned problem: gradient descent's speed depends on
    # the condition number, the closed form's does not.
    esn = ESN(1, 8, 2, spectral_radius=0.5, leak_rate=1.0, input_scaling=0.5, ridge=2.0, seed=0)
    X, Y = random_task(200, output_size=2)
    Y[:, 1] = -Y[:, 1]
    esn.fit(X, Y)
    states = esn.collect_states(X)
    trained = fit_readout_by_gradient_descent(np.hstack([states, X]), Y, ridge=2.0, steps=3000)
    np.testing.assert_allclose(trained, esn.W_out, rtol=1e-6, atol=1e-8)
    # The scaling lambda = 2 beta / (T D) matters: a weight decay of beta
    # itself would minimise the ridge problem with beta' = beta T D / 2.
    Z = augmented(states, X)
    naive = ridge_formula(Z, Y, 2.0 * 200 * 2 / 2)
    assert np.max(np.abs(naive - esn.W_out)) > 1e-2


@pytest.mark.parametrize(
    "features, targets, message",
    [
        (np.zeros(10), np.zeros((10, 1)), r"features must be a 2-D array \(T, width\), got shape"),
        (np.zeros((10, 3)), np.zeros((10, 0)), r"targets has no columns, got shape \(10, 0\)"),
        (np.full((10, 3), np.nan), np.zeros((10, 1)), "features contains NaN or Inf"),
    ],
)
def test_gradient_descent_readout_refuses_bad_shapes(features, targets, message):
    with pytest.raises(ValueError, match=message):
        fit_readout_by_gradient_descent(features, targets, ridge=1.0)


def test_gradient_descent_readout_refuses_a_bad_learning_rate():
    with pytest.raises(ValueError, match="learning_rate must be a finite number"):
        fit_readout_by_gradient_descent(np.zeros((10, 3)), np.zeros((10, 1)), ridge=1.0,
                                        learning_rate=float("nan"))


def test_gradient_descent_readout_refuses_mismatched_lengths():
    with pytest.raises(ValueError, match="features and targets must have the same number of steps"):
        fit_readout_by_gradient_descent(np.zeros((10, 3)), np.zeros((9, 1)), ridge=1.0)

