"""Every Python block of README.md and docs/*.md runs as written.

The blocks of one file run in order in one namespace, as a reader pasting them one after
the other into a fresh interpreter would, in a scratch folder (a block may write files).
A block that cannot run alone, and is not meant to, is marked in its fence with the
attribute syntax both GitHub and mkdocs accept: ```` ```{.python .fragment} ````.
It is skipped here; keep such blocks rare. ``pycon`` blocks (``>>>`` sessions) are
doctests, run by tests/test_docs.py.
"""
from __future__ import annotations

import contextlib
import io
import re
import traceback
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))

# A fence opening: ```python, ```py, or ```{.python ...} with attributes (.fragment among them).
FENCE = re.compile(r"^```\s*(?:(python|py)\b[^\n]*|\{([^}\n]*)\})\s*$")


def python_blocks(text: str) -> list[tuple[int, str, bool]]:
    """(line of the opening fence, code, is_fragment) for each Python block, in order."""
    blocks, lines, number = [], text.splitlines(), 0
    while number < len(lines):
        opening = FENCE.match(lines[number])
        if opening is None or (opening.group(2) is not None and ".python" not in opening.group(2).split()
                               and ".py" not in opening.group(2).split()):
            number += 1
            continue
        fragment = opening.group(2) is not None and ".fragment" in opening.group(2).split()
        end = number + 1
        while end < len(lines) and not lines[end].startswith("```"):
            end += 1
        if end == len(lines):
            raise AssertionError(f"line {number + 1}: a ``` block that is never closed")
        blocks.append((number + 1, "\n".join(lines[number + 1:end]) + "\n", fragment))
        number = end + 1
    return blocks


def test_blocks_are_found_and_fragments_marked_as_such():
    text = ("```python\na = 1\n```\n\n```pycon\n>>> 1\n```\n\n```{.python .fragment}\nnot run\n```\n"
            "```bash\nls\n```\n```py\nb = 2\n```\n")
    assert python_blocks(text) == [(1, "a = 1\n", False), (9, "not run\n", True), (15, "b = 2\n", False)]


@pytest.mark.parametrize("page", PAGES, ids=[str(p.relative_to(ROOT)) for p in PAGES])
def test_every_python_block_runs_as_written(page: Path, tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    namespace: dict = {"__name__": "__doc_block__"}
    where = page.relative_to(ROOT)
    for position, (line, code, fragment) in enumerate(python_blocks(page.read_text()), start=1):
        if fragment:
            continue
        try:
            with contextlib.redirect_stdout(io.StringIO()):
                exec(compile(code, f"{where}:{line}", "exec"), namespace)
        except Exception:           # noqa: BLE001 (any error of a block is the failure to report)
            pytest.fail(f"{where}, Python block {position} (the fence on line {line}) fails when the "
                        f"page's blocks run in order:\n{traceback.format_exc(limit=-3)}", pytrace=False)
