"""What the tour (``minigrad-tour``) and every experiment script in ``examples/`` share:
their command line, their progress bars and the way they write a figure.

Each experiment turns one claim of the lectures into a run anyone can repeat:

    python examples/NAME.py            # full size: the figure in docs/experiments.md
    python examples/NAME.py --quick    # seconds: what tests/ runs
    python examples/NAME.py --out DIR  # where the figure goes

so they all take the same options (``parser``), refuse an unusable ``--out``
in one sentence before any training starts (``output_folder``), show a
``tqdm`` bar on their loops (``progress``) and write a figure so that an
interrupted run leaves no half-written file behind (``save_figure``).

It lives in the installed package, not in ``examples/``, because the tour is
an installed command; ``examples/_experiment.py`` is the same interface for
the scripts.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from .options import non_negative_int

T = TypeVar("T")

INSTALL_EXAMPLES = 'pip install -e ".[examples]"'


def parser(description: str, default_out: Path, prog: str | None = None,
           seed: bool = True) -> argparse.ArgumentParser:
    """The options every experiment takes: ``--quick``, ``--out DIR`` and (with ``seed``) ``--seed N``."""
    arguments = argparse.ArgumentParser(prog=prog, description=description)
    arguments.add_argument("--quick", action="store_true",
                           help="a small run of a few seconds (what the tests run)")
    arguments.add_argument("--out", type=Path, default=default_out,
                           help=f"folder for the figures (default: {default_out})")
    if seed:
        arguments.add_argument("--seed", type=non_negative_int, default=0, help="random seed (default: 0)")
    return arguments


@dataclass
class LearningCurve:
    """What an experiment measures every few training steps: ``values[k]`` after ``steps[k]`` steps."""

    name: str
    steps: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)

    def add(self, step: int, value: float) -> None:
        self.steps.append(step)
        self.values.append(value)

    @property
    def final(self) -> float:
        """The mean of the last three measurements (one measurement alone is noisy)."""
        return sum(self.values[-3:]) / len(self.values[-3:])


def output_folder(arguments: argparse.ArgumentParser, out: Path) -> Path:
    """Create ``out`` if needed and check it can be written, or exit 2 with one sentence.

    Called before the experiment runs, so a bad ``--out`` costs no training time.
    The check is an actual write (``os.access`` says yes to root even on a
    read-only file system).
    """
    try:
        out.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        arguments.error(f"argument --out: {str(out)!r} is not a folder")
    except OSError as error:
        arguments.error(f"argument --out: cannot create folder {str(out)!r} ({error.strerror})")
    if not out.is_dir():
        arguments.error(f"argument --out: {str(out)!r} is not a folder")
    try:
        with tempfile.TemporaryFile(dir=out):
            pass
    except OSError as error:
        arguments.error(f"argument --out: folder {str(out)!r} is not writable ({error.strerror})")
    return out


def progress(items: Iterable[T], description: str, total: int | None = None, **options: Any) -> Iterator[T]:
    """A ``tqdm`` progress bar over ``items`` (on stderr, so the printed results stay plain)."""
    from tqdm import tqdm

    bar = tqdm(items, desc=description, total=total, leave=False, dynamic_ncols=True, file=sys.stderr, **options)
    return _stopping_on_ctrl_c(bar)


# Ctrl-C, remembered. Python drops (prints and ignores) a KeyboardInterrupt raised inside a
# finalizer, a ``__del__`` or weakref callback that the garbage collector happens to be running
# when the signal arrives; so ``run``'s handler also notes the signal and ``progress`` raises it
# again at the next item, and an experiment stops within one step whatever Ctrl-C interrupted.
_ctrl_c = {"pressed": False}


def _on_ctrl_c(signum: int, frame: Any) -> None:
    _ctrl_c["pressed"] = True
    raise KeyboardInterrupt


def _stopping_on_ctrl_c(items: Iterable[T]) -> Iterator[T]:
    for item in items:
        if _ctrl_c["pressed"]:
            raise KeyboardInterrupt
        yield item


def progress_write(text: str) -> None:
    """Print ``text`` on stdout while a ``progress`` bar runs, without breaking the bar."""
    from tqdm import tqdm

    tqdm.write(text, file=sys.stdout)


def run(main: Callable[[], Any], name: str) -> None:
    """``main()``, but Ctrl-C prints one line instead of a traceback and exits with status 130.

    Nothing to clean up: ``save_figure`` writes a figure whole or not at all.
    """
    _ctrl_c["pressed"] = False
    previous = signal.signal(signal.SIGINT, _on_ctrl_c)
    try:
        main()
    except KeyboardInterrupt:
        print(f"\n{name}: interrupted; every figure written so far is complete", file=sys.stderr)
        sys.exit(130)
    finally:
        signal.signal(signal.SIGINT, previous)
        _ctrl_c["pressed"] = False      # a later loop outside run() must not stop for this Ctrl-C


def have_matplotlib() -> bool:
    """Whether matplotlib (the ``examples`` extra) is installed."""
    import importlib.util

    return importlib.util.find_spec("matplotlib") is not None


def pyplot():
    """matplotlib's pyplot on the file-only Agg backend, or one sentence saying how to install it."""
    if not have_matplotlib():
        sys.exit(f"this experiment draws its figure with matplotlib: {INSTALL_EXAMPLES}")
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


@contextmanager
def plot_to(path: Path, figsize: tuple[float, float] = (7, 4.2), **subplots: Any) -> Iterator[Any]:
    """``with plot_to(path) as axes: axes.plot(...)``: draw on ``pyplot.subplots``, then save it to ``path``.

    On leaving the block the figure is laid out and written with
    ``save_figure`` (so whole or not at all); if the block raised, nothing is
    written. Either way the figure is closed. ``subplots`` goes to
    ``plt.subplots`` (e.g. ``nrows=1, ncols=3``), and ``axes`` is what it returns.
    """
    plt = pyplot()
    drawing, axes = plt.subplots(figsize=figsize, **subplots)
    try:
        yield axes
        drawing.tight_layout()
        save_figure(drawing, path)
    finally:
        plt.close(drawing)


def save_figure(figure: Any, path: Path, dpi: int = 110) -> Path:
    """Write ``figure`` to ``path`` atomically: a temporary file in the same folder, then a rename.

    A run interrupted while saving (Ctrl-C) leaves the previous figure, or none, never half of one.
    ``figure`` is a matplotlib figure, or anything with a ``savefig(path, dpi=, format=)``.
    """
    return write_atomically(path, lambda temporary: figure.savefig(
        temporary, dpi=dpi, format=Path(path).suffix.lstrip(".") or "png"))


def write_bytes(path: Path, data: bytes) -> Path:
    """``path.write_bytes(data)``, atomically like ``save_figure`` (for pictures rendered by Graphviz)."""
    return write_atomically(path, lambda temporary: Path(temporary).write_bytes(data))


def write_atomically(path: Path, write: Any) -> Path:
    """Call ``write(temporary)`` on a temporary file next to ``path``, then rename it to ``path``."""
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}-", suffix=path.suffix)
    os.close(handle)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
