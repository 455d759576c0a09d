"""The op table of docs/ops.md, read from the ops' own docstrings.

Every op under numpy's name in the op families of ``minigrad/ops/`` (``elementwise.py``,
``trigonometric.py``, ``comparison.py``, ``reductions.py``, ``linalg.py``, ``shape.py``,
``join_split.py``) says in its docstring what it computes
(the first paragraph), its VJP (the ``VJP:`` line) and, where it has a kink or a
jump, the subgradient its backward uses (the ``Subgradient:`` line). This
script turns them into one Markdown table per section, so the page says what the
code does and cannot drift from it (tests/test_op_table.py checks that it is
current).

    python examples/op_table.py              # print the tables
    python examples/op_table.py --check      # is docs/ops.md current?
    python examples/op_table.py --write-doc  # rewrite its tables
"""
from __future__ import annotations

import inspect
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))   # examples/: doc_sync

import doc_sync  # noqa: E402  (examples/doc_sync.py)
import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad import ops  # noqa: E402

DOC = ROOT / "docs" / "ops.md"
DOC_GLOBALS = {"mg": mg, "np": np}
# a section of docs/ops.md -> the op families whose numpy-named ops (their __all__) it lists
MODULES = {"elementwise": (ops.elementwise, ops.trigonometric, ops.comparison), "reductions": (ops.reductions,),
           "linalg": (ops.linalg,), "shape": (ops.shape, ops.join_split)}
FIELDS = ("VJP:", "Subgradient:")


def fields(doc: str) -> dict[str, str]:
    """The docstring's first paragraph ("computes") and its ``VJP:`` and ``Subgradient:`` entries.

    An entry runs from its label to the next label or blank line; the ``Shape(s):`` sentence of the first
    paragraph is left out (the table is about values; the docstring has the shapes).
    """
    paragraphs = inspect.cleandoc(doc).split("\n\n")
    computes = " ".join(paragraphs[0].split())
    for marker in (" Shape: ", " Shapes: "):
        if marker in computes:
            computes = computes[:computes.index(marker)]
    found = {"computes": computes, "VJP:": "", "Subgradient:": ""}
    label = None
    for line in inspect.cleandoc(doc).splitlines():
        line = line.strip()
        starts = [f for f in FIELDS if line.startswith(f)]
        if starts:
            label = starts[0]
            found[label] = line[len(label):].strip()
        elif not line:
            label = None
        elif label:
            found[label] += " " + line
    return found


def cell(text: str) -> str:
    return text.replace("|", "\\|")           # |x| would end the table cell


def methods_of(name: str) -> str:
    """How else the op is reached: a Tensor method of the same name, an operator."""
    operators = {"mod": "`a % b`", "floor_divide": "`a // b`", "abs": "`abs(t)`"}
    ways = [f"`t.{name}()`"] if name in vars(mg.Tensor) else []
    if name in operators:
        ways.append(operators[name])
    return ", ".join(ways)


def table(modules: tuple[ModuleType, ...]) -> str:
    rows = ["| op | computes | VJP | subgradient at a kink | also |", "|---|---|---|---|---|"]
    for name in (name for module in modules for name in module.__all__):
        entry = fields(getattr(ops, name).__doc__)
        rows.append(f"| `{name}` | {cell(entry['computes'])} | {cell(entry['VJP:'])} | "
                    f"{cell(entry['Subgradient:']) or '-'} | {methods_of(name)} |")
    return "\n".join(rows)


SECTIONS = {name: (lambda modules=modules: table(modules)) for name, modules in MODULES.items()}


def check_doc(write: bool) -> int:
    return doc_sync.sync(DOC, "optable", SECTIONS, DOC_GLOBALS, "python examples/op_table.py", write)


if __name__ == "__main__":
    sys.exit(doc_sync.main(sys.argv[1:], check_doc, lambda: print("\n\n".join(t() for t in SECTIONS.values()))))
