"""What every experiment script in ``examples/`` shares: ``parser`` (``--quick``, ``--out``,
``--seed``), ``output_folder``, ``progress``, ``pyplot``, ``save_figure``, ``plot_to``, ``progress_write``, ``LearningCurve``, ``run`` and
``record_in_docs``, and the beginning and end of every script's ``main``: ``start`` and ``finish``.

All but the last are defined in ``minigrad_cli/experiment.py`` (its docstring
explains them), which the installed ``minigrad-tour`` command uses too; here
the default ``--out`` is ``docs/img``, where the docs take their figures from,
and a full-size run there also writes its printed numbers into
``docs/experiments.md``.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_IMG = ROOT / "docs" / "img"
EXPERIMENTS_PAGE = ROOT / "docs" / "experiments.md"
sys.path.insert(0, str(ROOT))   # run from a checkout without installing

from minigrad_cli import experiment  # noqa: E402
from minigrad_cli.experiment import LearningCurve, output_folder, plot_to, progress, progress_write, pyplot, run, save_figure  # noqa: E402,F401

_non_negative_int = experiment.non_negative_int


def parser(description: str, default_out: Path = DOCS_IMG, seed: bool = True) -> argparse.ArgumentParser:
    """The options every experiment takes: ``--quick``, ``--out DIR`` and (with ``seed``) ``--seed N``."""
    return experiment.parser(description, default_out, seed=seed)


def record_in_docs(name: str, output: str, quick: bool, out: Path) -> None:
    """Put a full-size run's printed ``output`` into docs/experiments.md, in its ``<!-- output: name -->`` block.

    Only a run that wrote its figure into docs/img (the default ``--out``) at
    full size does, so the page's numbers always come with the figure beside
    them; a ``--quick`` run or one with another ``--out`` leaves the page alone.
    """
    if quick or Path(out).resolve() != DOCS_IMG or not EXPERIMENTS_PAGE.exists():
        return
    # The page's other blocks belong to other scripts: only this one is replaced.
    block = re.compile(rf"(<!-- output: {name} -->\n).*?(<!-- /output -->)", re.S)
    page = EXPERIMENTS_PAGE.read_text()
    if not block.search(page):
        return
    EXPERIMENTS_PAGE.write_text(block.sub(lambda m: f"{m.group(1)}```text\n{output.rstrip()}\n```\n{m.group(2)}",
                                          page))
    print(f"wrote its output into {EXPERIMENTS_PAGE.relative_to(ROOT)}")


def start(description: str, argv: list[str] | None) -> tuple[argparse.Namespace, Path]:
    """Parse an experiment's options and check its ``--out``: returns the options and the output folder.

    ``description`` is the script's ``--help`` line (its docstring's first line).
    """
    arguments = parser(description)
    options = arguments.parse_args(argv)
    return options, output_folder(arguments, options.out)


def finish(name: str, output: str, figure: Path, options: argparse.Namespace, out: Path,
           printed_before: str = "") -> None:
    """Print a run's measured ``output`` and where its figure went.

    A full-size run into docs/img also records it on docs/experiments.md
    (``record_in_docs``), after ``printed_before``: what the run printed while
    it trained (char_rnn.py's samples), which is not printed twice.
    """
    print(output)
    print(f"wrote {figure}")
    record_in_docs(name, f"{printed_before}{output}", options.quick, out)
