"""The experiments of examples/ at --quick size reach the lectures' claims; the tour writes its pictures.

Each experiment script is loaded by path (examples/ is not a package) and its
``main`` run with ``--quick --out tmp``: the numbers it returns are asserted
against the qualitative result it exists to show, and its figure must be a
PNG. The command-line tests run the scripts in a subprocess, as a user does.
"""
from __future__ import annotations

import contextlib
import io
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from _scripts import load_script as load

from minigrad_cli import experiment, tour

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
PNG = b"\x89PNG\r\n\x1a\n"


def run_quietly(main, argv):
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        result = main(argv)
    return result, printed.getvalue()


def test_tlfn_recalls_exactly_within_its_window_and_not_at_all_beyond_it(tmp_path) -> None:
    tlfn_memory = load("tlfn_memory")
    errors, text = run_quietly(tlfn_memory.main, ["--quick", "--out", str(tmp_path)])
    setup = tlfn_memory.QUICK
    assert max(setup.lags) > setup.delays >= min(setup.lags)     # the quick run tries both sides of the edge
    for lag, tlfn, rnn in zip(setup.lags, errors["tlfn"], errors["rnn"]):
        if lag <= setup.delays:
            assert tlfn < 0.01, (lag, tlfn)          # the bit is in the delay line: recalled exactly
        else:
            assert tlfn > 0.95, (lag, tlfn)          # independent of all it sees: no better than the mean
        assert rnn < 0.05, (lag, rnn)                # the recurrent state has no edge at d
    assert (tmp_path / "tlfn_memory.png").read_bytes()[:8] == PNG
    assert text.strip().splitlines()[-2].startswith(f"TLFN (d = {setup.delays}): NMSE at most")


def test_truncation_limits_the_memory_and_clipping_prevents_the_explosion(tmp_path) -> None:
    truncation_clipping = load("truncation_clipping")
    (truncated, clipping), text = run_quietly(truncation_clipping.main, ["--quick", "--out", str(tmp_path)])
    short_look_backs, longest = truncated[:-1], truncated[-1]
    assert longest.nmse < 0.05                                        # look-back 12..15 covers the lag of 8
    assert all(run.nmse > 0.8 for run in short_look_backs)             # look-back < 8: nothing learned
    unclipped, clipped = clipping
    assert unclipped.blew_up and len(unclipped.losses) < 20            # NaN within a few updates
    assert max(n for n in unclipped.norms if np.isfinite(n)) > 1e10
    assert np.all(np.isfinite(clipped.losses)) and np.all(np.isfinite(clipped.norms))
    assert np.mean(clipped.losses[-50:]) < clipped.losses[0] / 10
    assert clipped.nmse < 0.2
    assert (tmp_path / "truncation_clipping.png").read_bytes()[:8] == PNG
    assert "turned NaN at update" in text.strip().splitlines()[-2]


def test_vanishing_gradients_takes_quick_and_out_and_keeps_its_tables(tmp_path) -> None:
    vanishing = load("vanishing_gradients")
    _, text = run_quietly(vanishing.main, ["--quick", "--out", str(tmp_path / "figures")])
    assert (tmp_path / "figures" / "vanishing_gradients.png").read_bytes()[:8] == PNG
    assert text.startswith("H = 32 hidden units")
    assert f"wrote {tmp_path / 'figures' / 'vanishing_gradients.png'}" in text
    _, tables_only = run_quietly(vanishing.main, ["--no-plot"])
    assert "wrote" not in tables_only and tables_only.strip() == text.split("\n\nwrote")[0].strip()


TOUR_PICTURES = ["lstm_unrolled.png", "rnn_gradient_flow.png", "esn_mackey_glass.png", "lstm_recall_training.png"]


def test_the_tour_runs_quick_and_writes_its_pictures(tmp_path) -> None:
    out = tmp_path / "tour"
    status, text = run_quietly(tour.main, ["--quick", "--out", str(out)])
    assert status == 0
    agreements = re.findall(r"^   (\w+) +output and gradients .*max \|engine - hand-written\| = (\S+)$", text, re.M)
    assert [kind for kind, _ in agreements] == ["RNN", "BRNN", "LSTM", "GRU"]
    assert max(float(value) for _, value in agreements) < 1e-12
    assert float(re.search(r"NRMSE = (\S+)", text).group(1)) < 0.05
    assert "predictions: [0, 1, 1, 0]" in text
    first, last = map(float, re.search(r"mean squared error (\S+) -> (\S+);", text).groups())
    assert last < first / 5                                   # the LSTM learned, even at --quick size
    for name in TOUR_PICTURES:
        assert (out / name).read_bytes()[:8] == PNG, name
    assert sorted(p.name for p in out.iterdir()) == sorted(TOUR_PICTURES)   # no temporary files left
    assert text.strip().splitlines()[-1] == f"The tour's 4 pictures are in {out}/: " + ", ".join(TOUR_PICTURES)


def test_the_tour_without_matplotlib_still_draws_its_graphs_and_says_how_to_get_the_plots(
        tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(experiment, "have_matplotlib", lambda: False)
    status, text = run_quietly(tour.main, ["--quick", "--out", str(tmp_path)])
    assert status == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lstm_unrolled.png", "rnn_gradient_flow.png"]
    assert text.count('pip install -e ".[examples]" adds it') == 2


def run_command(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=ROOT, timeout=120)


LEARNING = [["examples/adding_problem.py"], ["examples/char_rnn.py"], ["examples/brnn_labelling.py"]]
COMMANDS = [["-m", "minigrad_cli.tour"], ["examples/tour.py"], ["examples/tlfn_memory.py"],
            ["examples/truncation_clipping.py"], ["examples/vanishing_gradients.py"], *LEARNING]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[-1])
@pytest.mark.parametrize("bad, message", [
    (["--quick", "--bogus"], "error: unrecognized arguments: --bogus"),
    (["--out", "{file}"], "error: argument --out: '{file}' is not a folder"),
    (["--out", "{file}/figures"], "error: argument --out: cannot create folder '{file}/figures' (Not a directory)"),
])
def test_bad_options_get_one_sentence_and_exit_status_2(command, bad, message, tmp_path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("not a folder")
    result = run_command(*command, *[part.format(file=a_file) for part in bad])
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines()[-1].endswith(message.format(file=a_file))
    assert result.stdout == ""                          # refused before anything ran


def test_an_unwritable_out_folder_is_refused(tmp_path) -> None:
    # As root os.access says every folder is writable; a read-only file system is not.
    result = run_command("-m", "minigrad_cli.tour", "--out", "/sys/kernel")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "error: argument --out: folder '/sys/kernel' is not writable" in result.stderr


@pytest.mark.parametrize("command", [["examples/tlfn_memory.py"], ["examples/truncation_clipping.py"], *LEARNING],
                         ids=lambda c: c[-1])
def test_a_negative_seed_is_refused(command) -> None:
    result = run_command(*command, "--seed", "-1")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "argument --seed: expected a non-negative integer, got -1" in result.stderr


class InterruptedWhileSaving:
    """A figure whose savefig writes half a file, then is interrupted (Ctrl-C)."""

    def savefig(self, path, dpi, format):
        Path(path).write_bytes(PNG + b"half a pict")
        raise KeyboardInterrupt


def test_ctrl_c_while_saving_leaves_no_half_written_figure(tmp_path) -> None:
    with pytest.raises(KeyboardInterrupt):
        experiment.save_figure(InterruptedWhileSaving(), tmp_path / "figure.png")
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "figure.png").write_bytes(b"the previous figure")
    with pytest.raises(KeyboardInterrupt):
        experiment.save_figure(InterruptedWhileSaving(), tmp_path / "figure.png")
    assert [p.name for p in tmp_path.iterdir()] == ["figure.png"]
    assert (tmp_path / "figure.png").read_bytes() == b"the previous figure"


def test_plot_to_writes_the_figure_on_leaving_the_block_and_nothing_if_the_block_raised(tmp_path) -> None:
    import matplotlib.pyplot as plt

    with experiment.plot_to(tmp_path / "drawn.png") as axes:
        axes.plot([0, 1], [1, 0])
    assert (tmp_path / "drawn.png").read_bytes().startswith(PNG)
    with pytest.raises(KeyboardInterrupt):
        with experiment.plot_to(tmp_path / "interrupted.png") as axes:
            axes.plot([0, 1], [1, 0])
            raise KeyboardInterrupt
    assert sorted(p.name for p in tmp_path.iterdir()) == ["drawn.png"]
    assert plt.get_fignums() == []                     # both figures closed


def test_ctrl_c_during_the_tour_is_one_line_and_exit_status_130(tmp_path, monkeypatch) -> None:
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(tour, "echo_state_network", interrupted)
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors):
        status, _ = run_quietly(tour.main, ["--quick", "--out", str(tmp_path)])
    assert status == 130
    assert errors.getvalue().strip() == "minigrad-tour: interrupted (every picture written so far is complete)"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lstm_unrolled.png", "rnn_gradient_flow.png"]


def test_a_full_size_run_into_docs_img_rewrites_only_its_own_block_of_the_page(tmp_path, monkeypatch) -> None:
    _experiment = load("_experiment")
    page, img = tmp_path / "experiments.md", tmp_path / "img"
    img.mkdir()
    before = ("# page\n<!-- output: mine -->\nold numbers\n<!-- /output -->\ntext\n"
              "<!-- output: other -->\n```text\ntheirs\n```\n<!-- /output -->\n")
    page.write_text(before)
    monkeypatch.setattr(_experiment, "EXPERIMENTS_PAGE", page)
    monkeypatch.setattr(_experiment, "DOCS_IMG", img)
    monkeypatch.setattr(_experiment, "ROOT", tmp_path)
    run_quietly(lambda argv: _experiment.record_in_docs("mine", "new numbers\n", *argv), [True, img])
    run_quietly(lambda argv: _experiment.record_in_docs("mine", "new numbers\n", *argv), [False, tmp_path])
    assert page.read_text() == before                      # --quick, or another --out: the page is left alone
    run_quietly(lambda argv: _experiment.record_in_docs("mine", "new numbers\n", *argv), [False, img])
    assert page.read_text() == before.replace("old numbers\n", "```text\nnew numbers\n```\n")


def test_ctrl_c_that_a_finalizer_swallowed_still_stops_the_experiment_at_its_next_step() -> None:
    import signal

    steps = []

    def main() -> None:
        for step in experiment.progress(range(5), "training"):
            steps.append(step)
            if step == 1:
                # Ctrl-C while a finalizer (__del__, a weakref callback) runs: Python prints the
                # KeyboardInterrupt raised there and drops it, as this except clause does.
                try:
                    signal.raise_signal(signal.SIGINT)
                except KeyboardInterrupt:
                    pass

    errors = io.StringIO()
    before = signal.getsignal(signal.SIGINT)
    with contextlib.redirect_stderr(errors), pytest.raises(SystemExit) as stopped:
        experiment.run(main, "an experiment")
    assert stopped.value.code == 130
    assert steps == [0, 1]                                   # stopped at the next step, not after all five
    assert "an experiment: interrupted" in errors.getvalue()
    assert signal.getsignal(signal.SIGINT) is before         # run() puts Python's handler back
    assert list(experiment.progress(range(3), "a later loop")) == [0, 1, 2]   # and forgets the Ctrl-C


@pytest.mark.parametrize("script, bar", [("tlfn_memory.py", b"training a TLFN"), ("brnn_labelling.py", b"BRNN H=16")])
def test_ctrl_c_during_an_experiment_is_one_line_exit_130_and_no_figure(script, bar, tmp_path) -> None:
    import os
    import signal

    process = subprocess.Popen([sys.executable, f"examples/{script}", "--out", str(tmp_path)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    seen = b""
    while bar not in seen:                            # its progress bar: training has started
        chunk = os.read(process.stderr.fileno(), 4096)
        assert chunk, seen
        seen += chunk
    process.send_signal(signal.SIGINT)
    _, rest = process.communicate(timeout=60)
    stderr = (seen + rest).decode()
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert stderr.rstrip().endswith(f"{script}: interrupted; every figure written so far is complete")
    assert list(tmp_path.iterdir()) == []
