"""The README's code does what it says, and its Quick start runs the tour and the tests."""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_taste_in_the_readme_runs_and_shows_pooling() -> None:
    readme = (ROOT / "README.md").read_text()
    (code,) = re.findall(r"## A taste\n\n```python\n(.*?)```", readme, re.S)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md", "exec"), {})
    lines = printed.getvalue().splitlines()
    assert [line.split()[0] for line in lines[:3]] == ["t=2", "t=1", "t=0"]
    assert lines[-1] == "True"


def test_the_first_quick_start_command_installs_the_examples_and_runs_the_tour() -> None:
    # The tour itself is tested in tests/test_experiments.py; .ci/run runs the second line.
    readme = (ROOT / "README.md").read_text()
    (block,) = re.findall(r"## Quick start\n\n```bash\n(.*?)```", readme, re.S)
    first, second = block.splitlines()[:2]
    assert first.endswith('pip install -q -e ".[examples]" && .venv/bin/minigrad-tour')
    assert second.endswith("-m pytest -q")
