"""docs/ops.md's op table is the ops' docstrings as they are now (examples/op_table.py writes it)."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_script():
    sys.path.insert(0, str(EXAMPLES))
    spec = importlib.util.spec_from_file_location("op_table", EXAMPLES / "op_table.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_op_table_page_is_current() -> None:
    script = load_script()
    import doc_sync

    text = script.DOC.read_text()
    assert doc_sync.refresh_blocks(text, "optable", script.SECTIONS) == text, "run python examples/op_table.py --write-doc"


def test_every_new_op_has_a_vjp_line_and_each_kink_op_a_subgradient_line() -> None:
    script = load_script()
    for module in (module for modules in script.MODULES.values() for module in modules):
        for name in module.__all__:
            entry = script.fields(getattr(module, name).__doc__)
            assert entry["computes"] and entry["VJP:"], f"{module.__name__}.{name}: no 'VJP:' line"
    kinks = ["abs", "absolute", "sign", "floor", "ceil", "clip", "maximum", "minimum", "mod", "floor_divide",
             "hypot", "arctan2"]
    for name in kinks:
        assert script.fields(getattr(script.ops, name).__doc__)["Subgradient:"], name
    for name in ("min", "std"):
        assert script.fields(getattr(script.ops, name).__doc__)["Subgradient:"], name
