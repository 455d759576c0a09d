"""The README's code and the tour it runs do what they say."""
from __future__ import annotations

import contextlib
import io
import re
import runpy
from pathlib import Path

import numpy as np

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


def test_the_tour_runs_and_writes_its_picture(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(ROOT / "examples" / "tour.py"), run_name="__main__")
    text = printed.getvalue()
    differences = [float(v) for v in re.findall(r"max \|engine - hand-written\| = (\S+)", text)]
    assert len(differences) == 4 and max(differences) < 1e-12
    assert (tmp_path / "tour_lstm.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    nrmse = float(re.search(r"NRMSE = (\S+)", text).group(1))
    assert nrmse < 0.05
    assert "predictions: [0, 1, 1, 0]" in text
    assert np.isfinite(nrmse)
