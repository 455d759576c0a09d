"""The benchmark scripts still run, on tiny sizes, and compare like with like.

No timing is asserted here (timings belong in docs/benchmarks.md); these
tests keep the scripts that produce those figures from rotting, and check
that a benchmark's two contestants compute the same thing.
"""
from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import nets
from benchmarks import bptt_step, draw_speed, esn_fit, op_overhead
from nets import reference


@pytest.mark.parametrize("kind", ["rnn", "lstm"])
def test_bptt_step_times_the_same_gradients_for_engine_and_reference(kind) -> None:
    rng = np.random.default_rng(0)
    net = (nets.RNN if kind == "rnn" else nets.LSTM)(3, 4, rng=0)
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    x, y = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 4))
    bptt_step.engine_step(net, x, y)()
    forward = reference.rnn_forward if kind == "rnn" else reference.lstm_forward
    backward = reference.rnn_backward if kind == "rnn" else reference.lstm_backward
    output, _, cache = forward(params, x)
    expected = backward(params, cache, 2.0 * (output - y))
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, expected[name], atol=1e-12)


def test_bptt_step_measures_ratios_and_memory_on_a_tiny_net() -> None:
    result = bptt_step.measure("lstm", 1, 4, 2, 3, repeats=2, others=False)
    assert set(result["times"]) == {"engine", "reference"}
    assert result["ratios"]["reference"] == 1.0 and result["ratios"]["engine"] > 0
    assert result["memory"]["engine"] > 0 and result["memory"]["reference"] > 0


def test_op_overhead_cases_run() -> None:
    for case in op_overhead.cases(4, np.random.default_rng(0)):
        for run in (case.numpy_fwd, case.numpy_fwd_bwd, case.minigrad_fwd, case.minigrad_fwd_bwd):
            run()


def test_draw_speed_draws_every_case() -> None:
    loss = draw_speed.unrolled_lstm(4)
    for options in ({}, {"grads": True, "contributions": True}, {"flow": True}, {"view": "cell"},
                    {"first_last": 1}):
        assert "digraph" in mg.draw(loss, **options).source


def test_esn_fit_child_fits_a_small_reservoir() -> None:
    result = esn_fit.child_fit("minigrad", 50, 300, seed=0)
    assert result["fit_s"] > 0 and result["build_s"] > 0
