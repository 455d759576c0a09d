"""Check the repository's lecture citations against the lecture notes themselves.

The code and docs cite the lecture notes minigrad was specified from as
``seed NNN, "Slide title"`` (the key is defined in ``docs/sources.md``). The
notes are not in the repository, so this is a developer's script, not a test:
given the folder that holds them, it prints every cited title that does not
occur in its seed's text and exits 1 if there is one::

    python tools/check_citations.py /work/shared/seeds

``tests/test_citations.py`` uses ``citations`` below to check the other half:
every seed and every cited title is listed in ``docs/sources.md``.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIPPED_DIRS = {".venv", "site", "build", "__pycache__", "node_modules"}
SUFFIXES = {".py", ".md", ".ipynb"}

SEED = re.compile(r"\bseed (\d{3})\b", re.IGNORECASE)
# seed NNN, "Title" | seed NNN "Title" | seed NNN ("Title" | seed NNN's "Title"
# | seed NNN, slides "Title"; seed NNN: "..." quotes the slide's text and is no title.
CITATION = re.compile(r"""\bseed (\d{3})(?:'s)?(?:,\s*|\s\(|\s+)(?:slides?\s+)?"([^"]+)\"""", re.IGNORECASE)
# a second title after the first: , "Title" | and "Title"
NEXT_TITLE = re.compile(r"""\s*(?:,|,?\s+and)\s+"([^"]+)\"""")


def repository_files(root: Path = ROOT) -> Iterator[Path]:
    """The .py, .md and .ipynb files of the repository, without venvs, built sites or hidden folders."""
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if path.suffix in SUFFIXES and path.is_file() and not any(
                part in SKIPPED_DIRS or part.startswith(".") for part in parts[:-1]):
            yield path


def readable_text(path: Path) -> str:
    """A file's text as one line: a notebook's cell sources, comment markers and line breaks removed.

    A citation wraps across lines of a docstring or a comment block; joining the
    lines (and dropping each line's leading ``#``) makes it one string again.
    """
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".ipynb":
        text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    lines = (re.sub(r"^\s*#*\s*", "", line) for line in text.splitlines())
    return normalise(" ".join(lines).replace('\\"', '"'))


def normalise(text: str) -> str:
    """One space for any run of white space; dashes as "-" (the notes' OCR mixes them)."""
    return re.sub(r"\s+", " ", text.replace("\u2013", "-").replace("\u2014", "-"))


def seed_mentions(text: str) -> set[str]:
    """Every seed number ``seed NNN`` names in ``text``."""
    return {number for number in SEED.findall(text)}


def citations(text: str) -> list[tuple[str, str]]:
    """Every (seed, title) that ``text`` cites as ``seed NNN, "Title"`` (and its following titles)."""
    found = []
    for match in CITATION.finditer(text):
        found.append((match.group(1), match.group(2).strip()))
        position = match.end()
        while (more := NEXT_TITLE.match(text, position)) is not None:
            found.append((match.group(1), more.group(1).strip()))
            position = more.end()
    return found


def repository_citations(root: Path = ROOT) -> dict[Path, list[tuple[str, str]]]:
    """For each file of the repository that cites a title, its (seed, title) citations."""
    by_file = {}
    for path in repository_files(root):
        found = citations(readable_text(path))
        if found:
            by_file[path] = found
    return by_file


def notes_text(seeds_dir: Path, seed: str) -> str:
    """The lecture notes of one seed, lower case, as one line, markdown and TeX read as plain text.

    The repository writes the notes' TeX in plain text: ``$\\partial J/\\partial V$`` is cited
    as dJ/dV and ``$\\tau$`` as τ.
    """
    (path,) = seeds_dir.glob(f"{seed}_*.txt")
    text = path.read_text(encoding="utf-8").replace("*", "").replace("$", "")
    text = re.sub(r"\\partial\s*", "d", text).replace("\\tau", "τ")
    return normalise(text).lower()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("seeds_dir", type=Path, help="the folder holding the seed NNN_*.txt notes")
    args = parser.parse_args(argv)
    notes: dict[str, str] = {}
    missing = 0
    total = 0
    for path, found in repository_citations().items():
        for seed, title in found:
            total += 1
            if seed not in notes:
                notes[seed] = notes_text(args.seeds_dir, seed)
            if title.lower() not in notes[seed]:
                missing += 1
                print(f"{path.relative_to(ROOT)}: seed {seed}, {title!r} is not in the notes")
    print(f"{total} citations, {missing} titles not found in the notes")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
