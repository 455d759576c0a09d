"""The docs that show code output, code links and examples are current with the code.

docs/engine.md is maintained by examples/engine_walkthrough.py and
docs/bptt.md by examples/pooling.py, both through examples/doc_sync.py: their
output blocks must equal what the scripts print now, every ```pycon example
must pass, and every code link's text must still exist in the file it points
into (line numbers are refreshed by ``--write-doc``; the engine's files are
edited often, so they are not pinned here).
"""
from __future__ import annotations

import pytest
from _scripts import load_script as load


@pytest.mark.parametrize("script, tag", [("engine_walkthrough", "walkthrough"), ("pooling", "bptt")])
def test_doc_blocks_examples_and_links_are_current(script, tag) -> None:
    module = load(script)
    import doc_sync

    text = module.DOC.read_text()
    assert doc_sync.refresh_blocks(text, tag, module.SECTIONS) == text, \
        f"run python examples/{script}.py --write-doc"
    failures, tries = doc_sync.run_pycon_examples(text, module.DOC, module.DOC_GLOBALS, module.doctest_context)
    assert tries > 20 and failures == 0
    _, problems = doc_sync.refresh_links(text, module.DOC)
    assert not [p for p in problems if "no line contains" in p], problems
