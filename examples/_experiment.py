"""What every experiment script in ``examples/`` shares: its command line, its
progress bars and the way it writes a figure.

Each experiment turns one claim of the lectures into a run anyone can repeat:

    python examples/NAME.py            # full size: the figure in docs/experiments.md
    python examples/NAME.py --quick    # seconds: what tests/ runs
    python examples/NAME.py --out DIR  # where the figure goes

so they all take the same options (``parser``), refuse an unusable ``--out``
in one sentence before any training starts (``output_folder``), show a
``tqdm`` bar on their loops (``progress``) and write a figure so that an
interrupted run leaves no half-written file behind (``save_figure``).

The functions are defined in ``minigrad_cli/experiment.py``, which the
installed ``minigrad-tour`` command uses too; here the default ``--out`` is
``docs/img``, where the docs take their figures from.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS_IMG = ROOT / "docs" / "img"
EXPERIMENTS_PAGE = ROOT / "docs" / "experiments.md"
sys.path.insert(0, str(ROOT))   # run from a checkout without installing

from minigrad_cli import experiment  # noqa: E402
from minigrad_cli.experiment import output_folder, progress, pyplot, save_figure  # noqa: E402,F401

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
    from doc_sync import refresh_blocks   # examples/doc_sync.py, the same blocks docs/bptt.md uses

    if quick or Path(out).resolve() != DOCS_IMG or not EXPERIMENTS_PAGE.exists():
        return
    page = EXPERIMENTS_PAGE.read_text()
    if f"<!-- output: {name} -->" not in page:
        return
    EXPERIMENTS_PAGE.write_text(refresh_blocks(page, "output", {name: lambda: output.rstrip("\n")}))
    print(f"wrote its output into {EXPERIMENTS_PAGE.relative_to(ROOT)}")
