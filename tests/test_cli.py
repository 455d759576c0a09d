"""``minigrad-draw`` answers a bad argument with one sentence on stderr and exit status 2."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from minigrad_cli.draw import main

ROOT = Path(__file__).resolve().parent.parent


def refusal(argv, capsys) -> str:
    """Run the CLI on a bad command line: it must exit 2 with exactly one line on stderr and nothing on stdout."""
    with pytest.raises(SystemExit) as exit_info:
        code = main(argv)
        raise SystemExit(code)      # errors found after parsing return their status instead of exiting
    captured = capsys.readouterr()
    assert exit_info.value.code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and "Traceback" not in captured.err, captured.err
    return lines[0]


def test_an_output_path_in_a_missing_folder(tmp_path, capsys):
    target = tmp_path / "no such folder" / "lstm.svg"
    line = refusal(["lstm", "-o", str(target)], capsys)
    assert line == (f"minigrad-draw: error: argument -o/--output: the folder {str(target.parent)!r} of "
                    f"{str(target)!r} does not exist; create it first (see minigrad-draw --help)")
    assert not target.parent.exists()


def test_a_negative_seed(capsys):
    line = refusal(["rnn", "--seed", "-3"], capsys)
    assert line == ("minigrad-draw: error: argument --seed: expected a non-negative integer, got -3 "
                    "(see minigrad-draw --help)")


def test_a_seed_that_is_not_a_number(capsys):
    assert "argument --seed: expected a non-negative integer, got 'abc'" in refusal(["rnn", "--seed", "abc"], capsys)


def test_an_output_suffix_nothing_can_write(tmp_path, capsys):
    line = refusal(["rnn", "-o", str(tmp_path / "net.jpeg")], capsys)
    assert "should end in one of .svg, .png, .pdf, .gv, .dot, .html, .htm, got .jpeg" in line


def test_an_output_path_without_a_suffix(tmp_path, capsys):
    assert "got no suffix" in refusal(["rnn", "-o", str(tmp_path / "net")], capsys)


def test_an_output_path_that_is_a_folder(tmp_path, capsys):
    folder = tmp_path / "pictures.svg"
    folder.mkdir()
    line = refusal(["rnn", "-o", str(folder)], capsys)
    assert f"{str(folder)!r} is a folder; give a file name in it" in line


def test_an_output_file_the_system_refuses(capsys):
    # /proc refuses new files even to root: the write fails after parsing, and is still one line.
    line = refusal(["rnn", "-o", "/proc/minigrad-draw-test.gv"], capsys)
    assert line.startswith("minigrad-draw: error: cannot write '/proc/minigrad-draw-test.gv': ")


@pytest.mark.parametrize("argv, message", [
    (["tree"], "argument net: invalid choice: 'tree' (choose from"),
    ([], "the following arguments are required: net"),
    (["rnn", "--colour"], "unrecognized arguments: --colour"),
    (["rnn", "--view", "graph"], "argument --view: invalid choice: 'graph' (choose from"),
    (["rnn", "--steps", "0"], "argument --steps: expected a positive integer, got 0"),
    (["rnn", "--loss", "first"], "argument --loss: invalid choice: 'first'"),
])
def test_any_other_bad_argument(argv, message, capsys):
    line = refusal(argv, capsys)
    assert line.startswith("minigrad-draw: error: ") and message in line and line.endswith("(see minigrad-draw --help)")


def test_the_command_itself_prints_one_line_and_no_traceback(tmp_path):
    result = subprocess.run([sys.executable, "-m", "minigrad_cli.draw", "gru", "-o", str(tmp_path / "a" / "b.png")],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.count("\n") == 1 and "does not exist; create it first" in result.stderr
