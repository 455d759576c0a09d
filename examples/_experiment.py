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
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
DOCS_IMG = ROOT / "docs" / "img"

T = TypeVar("T")


def parser(description: str, default_out: Path = DOCS_IMG) -> argparse.ArgumentParser:
    """The options every experiment takes: ``--quick``, ``--out DIR``, ``--seed N``."""
    arguments = argparse.ArgumentParser(description=description)
    arguments.add_argument("--quick", action="store_true",
                           help="a small run of a few seconds (what the tests run)")
    arguments.add_argument("--out", type=Path, default=default_out,
                           help=f"folder for the figure (default: {default_out})")
    arguments.add_argument("--seed", type=_non_negative_int, default=0, help="random seed (default: 0)")
    return arguments


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a non-negative integer, got {text!r}")
    return value


def output_folder(arguments: argparse.ArgumentParser, out: Path) -> Path:
    """Create ``out`` if needed and check it can be written, or exit 2 with one sentence.

    Called before the experiment runs, so a bad ``--out`` costs no training time.
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        arguments.error(f"argument --out: cannot create folder {str(out)!r} ({error.strerror})")
    if not out.is_dir():
        arguments.error(f"argument --out: {str(out)!r} is not a folder")
    if not os.access(out, os.W_OK | os.X_OK):
        arguments.error(f"argument --out: folder {str(out)!r} is not writable")
    return out


def progress(items: Iterable[T], description: str, total: int | None = None, **options: Any) -> Iterator[T]:
    """A ``tqdm`` progress bar over ``items`` (on stderr, so the printed results stay plain)."""
    from tqdm import tqdm

    return iter(tqdm(items, desc=description, total=total, leave=False, dynamic_ncols=True,
                     file=sys.stderr, **options))


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or one sentence saying how to install it."""
    try:
        import matplotlib
    except ImportError:
        sys.exit('this experiment draws its figure with matplotlib: pip install -e ".[examples]"')
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def save_figure(figure: Any, path: Path, dpi: int = 110) -> Path:
    """Write ``figure`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    A run interrupted while saving (Ctrl-C) leaves the previous figure, or none, never half of one.
    """
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(handle)
    try:
        figure.savefig(temporary, dpi=dpi, format=path.suffix.lstrip(".") or "png")
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
