"""Every lecture citation in the repository resolves through docs/sources.md.

The code and docs cite the lecture notes as ``seed NNN, "Slide title"``. The
notes are not in the repository, so what a student can follow is
docs/sources.md: every seed mentioned anywhere (.py, .md, .ipynb) must have its
section there, and every title cited must be listed in its seed's section.
(Whether the titles are in the notes is checked by tools/check_citations.py,
which needs the notes.)
"""
from __future__ import annotations

import json
import re

from _scripts import ROOT, TOOLS, load_script

check_citations = load_script("check_citations", TOOLS)
SOURCES = ROOT / "docs" / "sources.md"


def listed_titles(sources: str) -> dict[str, set[str]]:
    """For each ``## seed NNN`` section of docs/sources.md, the titles of its table's first column."""
    sections = re.split(r"^## seed (\d{3})\s*$", sources, flags=re.MULTILINE)
    return {seed: set(re.findall(r'^\| "([^"]+)" \|', body, flags=re.MULTILINE))
            for seed, body in zip(sections[1::2], sections[2::2])}


def test_the_first_line_defines_the_key() -> None:
    first_line = SOURCES.read_text(encoding="utf-8").splitlines()[0]
    assert first_line.startswith('A citation `seed NNN, "Slide title"`'), first_line


def test_every_seed_mentioned_has_a_section() -> None:
    listed = listed_titles(SOURCES.read_text(encoding="utf-8"))
    assert set(listed) == {"000", "001", "002", "003", "004"}
    undefined = {}
    for path in check_citations.repository_files():
        for seed in check_citations.seed_mentions(check_citations.readable_text(path)) - set(listed):
            undefined.setdefault(seed, []).append(str(path.relative_to(ROOT)))
    assert not undefined, f"seeds mentioned but not defined in docs/sources.md: {undefined}"


def test_every_cited_title_is_listed_under_its_seed() -> None:
    listed = listed_titles(SOURCES.read_text(encoding="utf-8"))
    cited = check_citations.repository_citations()
    assert sum(len(found) for found in cited.values()) > 100     # the scan finds the citations
    unlisted = [f"{path.relative_to(ROOT)}: seed {seed}, {title!r}"
                for path, found in cited.items() for seed, title in found
                if title not in listed.get(seed, set())]
    assert not unlisted, "cited but not listed in docs/sources.md:\n" + "\n".join(unlisted)


SEED = "seed"     # spelled apart, so that the scan of the repository does not read these examples


def test_the_scanner_reads_citations_across_lines_and_in_notebooks(tmp_path) -> None:
    (tmp_path / "module.py").write_text(
        f'x = 1  # as in ({SEED} 004, "Training\n    #   the RNN") and {SEED} 003, slides "Example"\n'
        f'# and "Example: dJ/dV"; {SEED} 001: "a quotation, no title"\n')
    cell = {"cell_type": "markdown", "source": [f'BPTT ({SEED} 000, "Comments")']}
    (tmp_path / "book.ipynb").write_text(json.dumps({"cells": [cell]}))
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "other.py").write_text(f'"""{SEED} 004, "Ignored"."""\n')
    assert check_citations.repository_citations(tmp_path) == {
        tmp_path / "book.ipynb": [("000", "Comments")],
        tmp_path / "module.py": [("004", "Training the RNN"), ("003", "Example"), ("003", "Example: dJ/dV")]}


def test_an_unlisted_title_fails_the_check(tmp_path) -> None:
    (tmp_path / "module.py").write_text(f'"""As in {SEED} 004, "No such slide"."""\n')
    cited = check_citations.repository_citations(tmp_path)
    assert cited == {tmp_path / "module.py": [("004", "No such slide")]}
    assert "No such slide" not in listed_titles(SOURCES.read_text(encoding="utf-8"))["004"]
