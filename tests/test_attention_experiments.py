"""The three attention experiments of examples/, at --quick size: each one's qualitative result.

- attention_recall.py: the AttentionRNN recalls the marked symbol at long lags, the LSTM and the RNN do not;
  its weights at the query peak at the marked step.
- attention_gradient_path.py: ||dE_T/dh(t)|| of the LSTM vanishes geometrically with the lag, the
  AttentionRNN's does not (one hop through the attention), and the fewest ops between h(t) and E_T
  grow with the lag for the LSTM only.
- attention_parallel.py: the longest path grows linearly with T for the LSTM and is the same at every T
  for SelfAttention.
(Wall times are measured there but not asserted: timing targets belong in benchmarks.)
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from test_docs import load            # loads an examples/ script by path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_recall_attention_solves_long_lags_where_the_lstm_and_rnn_stay_near_chance(tmp_path, capsys) -> None:
    recall = load("attention_recall")
    result = recall.main(["--quick", "--out", str(tmp_path)])
    chance = 1.0 / result.config.symbols
    assert result.long_accuracy["AttentionRNN"] >= 0.9
    assert result.long_accuracy["LSTM"] < chance + 0.15
    assert result.long_accuracy["RNN"] < chance + 0.15
    # The query's weights (last row) peak at the marked step of the example sequence.
    marked = result.config.steps - 1 - result.example_lag
    assert int(np.argmax(result.example_weights[-1])) == marked
    assert result.example_weights[-1, marked] > 0.5
    assert (tmp_path / "attention_recall.png").stat().st_size > 10_000
    assert capsys.readouterr().out.strip().splitlines()[-1] == result.closing_line()


def test_recall_batches_mark_one_step_and_ask_at_the_last() -> None:
    recall = load("attention_recall")
    x, target, lags = recall.make_batch(np.random.default_rng(0), 64, 12, 5)
    assert x.shape == (12, 64, 7)
    assert np.all(x[:, :, 5].sum(0) == 1) and np.all(x[-1, :, 6] == 1) and np.all(x[:-1, :, 6] == 0)
    marked = 11 - lags
    assert np.all((lags >= 1) & (lags <= 11))
    np.testing.assert_array_equal(np.argmax(x[marked, np.arange(64), :5], axis=-1), target)


def test_gradient_path_vanishes_for_the_lstm_and_not_through_attention(tmp_path) -> None:
    path = load("attention_gradient_path")
    result = path.main(["--quick", "--out", str(tmp_path)])
    lstm, attention = result.lstm, result.attention
    T = result.steps
    assert lstm.norms[-1] < 1e-5 * lstm.norms[0]                     # geometric decay over T - 1 steps
    far = attention.norms[T // 2:]
    assert far.min() > 0.5 * far.max() and far.min() > 1e-3 * attention.norms[0]   # flat: one hop
    assert attention.norms[-1] > 1e4 * lstm.norms[-1]
    assert np.all(np.diff(lstm.hops[1:]) > 0)                        # each step back is more ops away
    assert attention.hops[1:].max() == attention.hops[1:].min() < 10
    assert (tmp_path / "attention_gradient_path.png").exists()


def test_gradient_path_finds_every_hidden_state_of_both_nets() -> None:
    path = load("attention_gradient_path")
    import nets
    for net, name in ((nets.LSTM(2, 3), "h"), (nets.AttentionRNN(2, 3), "h~")):
        output = net(np.ones((5, 1, 2)))[0]
        assert sorted(path.by_step(output, name)) == list(range(5))


def test_depth_is_linear_in_t_for_the_lstm_and_constant_for_self_attention(tmp_path) -> None:
    parallel = load("attention_parallel")
    result = parallel.main(["--quick", "--out", str(tmp_path)])
    lstm, attention = np.array(result.depth["LSTM"]), np.array(result.depth["SelfAttention"])
    lengths = np.array(result.lengths)
    per_step = np.diff(lstm) / np.diff(lengths)
    assert np.all(per_step == per_step[0]) and per_step[0] >= 1      # exactly linear
    assert np.all(attention == attention[0]) and attention[0] < lstm[0]
    assert (tmp_path / "attention_parallel.png").exists()


def test_longest_path_counts_ops_on_the_longest_chain() -> None:
    parallel = load("attention_parallel")
    import minigrad as mg
    x = mg.Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2.0
    loss = ((y.exp() + x) * y).sum()           # x -> mul -> exp -> add -> mul -> sum: 5 ops
    assert parallel.longest_path(x, loss) == 5


@pytest.mark.parametrize("script", ["attention_recall", "attention_gradient_path", "attention_parallel"])
def test_an_unusable_out_is_refused_before_any_work(script, tmp_path, capsys) -> None:
    module = load(script)
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        module.main(["--quick", "--out", str(blocker)])
    assert exit_info.value.code == 2
    assert "argument --out" in capsys.readouterr().err


def test_every_python_block_of_docs_attention_runs_and_prints_what_its_comments_say(capsys) -> None:
    """The page's ```python blocks, in order in one namespace (as in a notebook).

    A line ``print(...)  # expected`` must print exactly ``expected``.
    """
    import re

    text = (EXAMPLES.parent / "docs" / "attention.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, re.S)
    assert len(blocks) >= 4
    namespace: dict = {}
    for block in blocks:
        capsys.readouterr()
        exec(compile(block, "docs/attention.md", "exec"), namespace)
        printed = capsys.readouterr().out.splitlines()
        expected = [line.split("#", 1)[1].strip() for line in block.splitlines()
                    if line.startswith("print(") and "#" in line]
        claimed = [line for line, code in zip(printed, [c for c in block.splitlines() if c.startswith("print(")])
                   if "#" in code]
        assert claimed == expected
