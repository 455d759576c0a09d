"""The import layering of the README's "Layout", read from the source with ``ast`` (nothing is imported).

- the engine, ``minigrad/``, imports none of ``nets``, ``minigrad_cli``,
  ``examples``, ``benchmarks``, ``tools``, ``tests``;
- inside the engine only ``minigrad/__init__.py`` imports the renderer,
  ``minigrad.render``: the ops, the backward pass, ``nn``, ``optim`` and
  ``testing`` do not depend on drawing (``mg.draw`` is there for users);
- ``nets/`` imports the engine but nothing of the renderer (neither
  ``minigrad.render`` nor ``mg.draw`` / ``mg.animate_backward``) and nothing of
  the command-line tools, the examples or the benchmarks;
- ``minigrad_cli/`` and ``benchmarks/`` sit on the engine and ``nets``, not on
  the examples.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIRST_PARTY = {"minigrad", "nets", "minigrad_cli", "examples", "benchmarks", "tools", "tests"}
# folder -> the first-party packages its modules may import
MAY_IMPORT = {
    "minigrad": {"minigrad"},
    "nets": {"minigrad", "nets"},
    "minigrad_cli": {"minigrad", "nets", "minigrad_cli"},
    "benchmarks": {"minigrad", "nets", "benchmarks"},
}
RENDERER = "minigrad.render"


def module_name(path: Path, root: Path) -> str:
    """``minigrad/nn/modules.py`` -> ``minigrad.nn.modules``; a package's ``__init__.py`` -> the package."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the file, relative imports resolved.

    ``from . import x`` counts as importing ``package.x`` as well, since x may be a submodule.
    """
    name = module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
    return found


def renderer_names(root: Path) -> set[str]:
    """The names ``minigrad/__init__.py`` takes from ``minigrad.render`` (``mg.draw`` ...)."""
    init = root / "minigrad" / "__init__.py"
    names = set()
    for node in ast.walk(ast.parse(init.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1 and (node.module or "").startswith("render"):
            names |= {alias.asname or alias.name for alias in node.names}
    return names


def uses_of_renderer_names(path: Path, names: set[str]) -> list[tuple[int, str]]:
    """``mg.draw`` / ``minigrad.draw`` attribute uses and ``from minigrad import draw`` in the file."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if (isinstance(node, ast.Attribute) and node.attr in names
                and isinstance(node.value, ast.Name) and node.value.id in {"mg", "minigrad"}):
            found.append((node.lineno, f"minigrad.{node.attr}"))
        elif isinstance(node, ast.ImportFrom) and node.module == "minigrad" and node.level == 0:
            found += [(node.lineno, f"minigrad.{a.name}") for a in node.names if a.name in names]
    return found


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def violations(root: Path) -> list[str]:
    """Every import under ROOT that breaks the layering, as ``file:line: what``."""
    found = []
    drawing = renderer_names(root) if (root / "minigrad" / "__init__.py").exists() else set()
    for folder, allowed in MAY_IMPORT.items():
        for path in sorted((root / folder).rglob("*.py")):
            where = path.relative_to(root)
            for line, module in imported_modules(path, root):
                top = module.split(".")[0]
                if top in FIRST_PARTY and top not in allowed:
                    found.append(f"{where}:{line}: {folder}/ imports {module}")
                elif within(module, RENDERER) and folder == "nets":
                    found.append(f"{where}:{line}: nets/ imports the renderer, {module}")
                elif (within(module, RENDERER) and folder == "minigrad"
                      and where.parts[:2] != ("minigrad", "render") and where != Path("minigrad/__init__.py")):
                    found.append(f"{where}:{line}: the engine outside minigrad/render imports {module}")
            if folder == "nets":
                found += [f"{where}:{line}: nets/ uses the renderer, {name}"
                          for line, name in uses_of_renderer_names(path, drawing)]
    return found


def test_the_repository_keeps_its_layering() -> None:
    assert renderer_names(ROOT) >= {"draw", "animate_backward"}
    assert violations(ROOT) == []


def write(root: Path, relative: str, text: str) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A small repository that keeps the rules: the engine, its renderer and a net."""
    write(tmp_path, "minigrad/__init__.py", "from .tensor import Tensor\nfrom .render import draw, animate_backward\n")
    write(tmp_path, "minigrad/tensor.py", "import numpy as np\n")
    write(tmp_path, "minigrad/render/__init__.py", "from .graph import draw\nfrom ..tensor import Tensor\n")
    write(tmp_path, "minigrad/render/graph.py", "from minigrad.tensor import Tensor\n")
    write(tmp_path, "minigrad/nn/modules.py", "from ..tensor import Tensor\n")
    write(tmp_path, "nets/cells.py", "import minigrad as mg\nfrom minigrad import nn\n")
    write(tmp_path, "minigrad_cli/draw.py", "import minigrad as mg\nimport nets\n")
    return tmp_path


def test_a_tree_that_keeps_the_rules_passes(tree: Path) -> None:
    assert violations(tree) == []


@pytest.mark.parametrize("relative, text, message", [
    ("minigrad/ops.py", "import nets\n", "minigrad/ops.py:1: minigrad/ imports nets"),
    ("minigrad/nn/modules.py", "from minigrad_cli import draw\n",
     "minigrad/nn/modules.py:1: minigrad/ imports minigrad_cli"),
    ("minigrad/optim.py", "def f():\n    from benchmarks import report\n",
     "minigrad/optim.py:2: minigrad/ imports benchmarks"),
    ("minigrad/nn/modules.py", "from ..render import graph\n",
     "minigrad/nn/modules.py:1: the engine outside minigrad/render imports minigrad.render"),
    ("minigrad/tensor.py", "from . import render\n",
     "minigrad/tensor.py:1: the engine outside minigrad/render imports minigrad.render"),
    ("nets/cells.py", "from minigrad.render.graph import draw\n",
     "nets/cells.py:1: nets/ imports the renderer, minigrad.render.graph"),
    ("nets/cells.py", "import minigrad as mg\ndef show(x):\n    return mg.draw(x)\n",
     "nets/cells.py:3: nets/ uses the renderer, minigrad.draw"),
    ("nets/recurrent.py", "from minigrad import animate_backward\n",
     "nets/recurrent.py:1: nets/ uses the renderer, minigrad.animate_backward"),
    ("nets/recurrent.py", "import minigrad_cli.draw\n", "nets/recurrent.py:1: nets/ imports minigrad_cli.draw"),
    ("minigrad_cli/tour.py", "import examples\n", "minigrad_cli/tour.py:1: minigrad_cli/ imports examples"),
])
def test_a_violating_import_is_reported(tree: Path, relative: str, text: str, message: str) -> None:
    write(tree, relative, text)
    assert message in violations(tree)
