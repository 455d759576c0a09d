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
from benchmarks import bptt_step, draw_speed, esn_fit, handwritten, op_overhead
from nets import reference


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
@pytest.mark.parametrize("floor", ["per_step", "careful"])
def test_both_hand_written_floors_compute_the_engines_gradients(kind, floor) -> None:
    # The engine is checked against nets/reference/ elsewhere; here each floor the
    # benchmark times is checked against the engine, so that the ratios compare like with like.
    rng = np.random.default_rng(0)
    net = bptt_step.NETS[kind](3, 4, rng=0)
    params = {name: p.data.copy() for name, p in net.named_parameters()}
    x, y = rng.standard_normal((5, 2, 3)), rng.standard_normal((5, 2, 4))
    bptt_step.engine_step(net, x, y)()
    d_output_of = lambda output: 2.0 * (output - y)       # noqa: E731  (d/dout of the summed squared error)
    if floor == "careful":
        expected = handwritten.CAREFUL[kind](params, x, d_output_of)
    elif kind == "gru":
        expected = handwritten.gru_per_step(params, x, d_output_of)
    else:
        forward = reference.rnn_forward if kind == "rnn" else reference.lstm_forward
        backward = reference.rnn_backward if kind == "rnn" else reference.lstm_backward
        output, _, cache = forward(params, x)
        expected = backward(params, cache, d_output_of(output))
    for name, p in net.named_parameters():
        np.testing.assert_allclose(p.grad, expected[name], atol=1e-12, err_msg=f"{kind} {floor} {name}")


def test_bptt_step_measures_ratios_to_both_floors_and_memory_on_a_tiny_net() -> None:
    result = bptt_step.measure("gru", 1, 4, 2, 3, repeats=2, others=False)
    assert set(result["times"]) == {"engine", "per_step", "careful"}
    assert set(result["ratios"]) == {"per_step", "careful"} and all(r > 0 for r in result["ratios"].values())
    assert all(result["memory"][name] > 0 for name in ("engine", "per_step", "careful"))


def test_bptt_step_scaling_child_reports_time_and_memory() -> None:
    result = bptt_step.scaling_child("engine", 200)
    assert result["seconds"] > 0 and result["traced_mb"] > 0 and result["rss_mb"] >= 0


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


def test_choices_nets_measures_the_in_place_gram_update_without_a_temporary() -> None:
    from benchmarks import choices_nets
    # gram + z.T @ z allocates an (F, F) float64 temporary; _add_gram writes into gram.
    assert choices_nets.gram_peak_mb(200, in_place=False) >= 8 * 200**2 / 1e6
    assert choices_nets.gram_peak_mb(200, in_place=True) < 8 * 200**2 / 1e6 / 10
    assert choices_nets.gram_update_seconds(20, 1, 128, numpy_drive=False) > 0
    assert choices_nets.shortfall(60, 1)[1] < 1e-9      # the 10-eigenvalue setting finds the dense radius
