"""Keep a docs page in step with the code: output blocks, links to code lines, runnable examples.

A page maintained this way holds

- output blocks ``<!-- TAG: NAME -->`` ... ``<!-- /TAG -->``, filled with
  the text that section NAME of the page's script prints (in a ```text block;
  ``<!-- TAG prose: NAME -->`` ... ``<!-- /TAG prose -->`` takes it as Markdown,
  for prose that quotes the numbers of a table);
- links to code lines whose text is the code on that line, e.g.
  ``[`total += parent_grad`](../minigrad/tensor.py#L265)``: refreshing points
  each link at the line holding its text (the match nearest the old number
  when the text occurs several times);
- ````pycon`` examples, run with doctest.

``sync`` refreshes all three and reports; ``--check`` fails if the page is out
of date, ``--write-doc`` rewrites it. Used by examples/engine_walkthrough.py
(docs/engine.md) and examples/pooling.py (docs/bptt.md).
"""
from __future__ import annotations

import doctest
import re
from contextlib import nullcontext
from pathlib import Path
from typing import Any, Callable, ContextManager

LINK = re.compile(r"\[`([^`]+)`\]\((\.\./[^)#]+)#L(\d+)\)")
PYCON = re.compile(r"```pycon\n(.*?)```", re.S)


def refresh_blocks(text: str, tag: str, sections: dict[str, Callable[[], str]]) -> str:
    """Fill every ``<!-- tag: NAME -->`` block with the output of ``sections[NAME]()``."""
    block = re.compile(rf"(<!-- {tag}: (\w+) -->\n).*?(<!-- /{tag} -->)", re.S)
    text = block.sub(lambda m: f"{m.group(1)}```text\n{sections[m.group(2)]()}\n```\n{m.group(3)}", text)
    prose = re.compile(rf"(<!-- {tag} prose: (\w+) -->\n).*?(<!-- /{tag} prose -->)", re.S)
    return prose.sub(lambda m: f"{m.group(1)}{sections[m.group(2)]()}\n{m.group(3)}", text)


def refresh_links(text: str, doc: Path) -> tuple[str, list[str]]:
    """Point every code link at the line that holds its text; return the new text and what moved or broke."""
    problems = []

    def fix(m: re.Match) -> str:
        code, path, old = m.group(1), m.group(2), int(m.group(3))
        lines = (doc.parent / path).resolve().read_text().splitlines()
        hits = [n for n, line in enumerate(lines, 1) if code in line]
        if not hits:
            problems.append(f"{path}: no line contains {code!r}")
            return m.group(0)
        new = min(hits, key=lambda n: abs(n - old))
        if new != old:
            problems.append(f"{path}#L{old} -> L{new}: {code!r}")
        return f"[`{code}`]({path}#L{new})"

    return LINK.sub(fix, text), problems


def run_pycon_examples(text: str, doc: Path, globs: dict[str, Any],
                       context: Callable[[], ContextManager] = nullcontext) -> tuple[int, int]:
    """Run every ```pycon block of the page with doctest, each in a fresh namespace; (failures, tries)."""
    parser, runner = doctest.DocTestParser(), doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with context():
        for number, block in enumerate(PYCON.findall(text)):
            runner.run(parser.get_doctest(block, dict(globs), f"{doc.name} pycon block {number}", str(doc), 0))
    return runner.failures, runner.tries


def sync(doc: Path, tag: str, sections: dict[str, Callable[[], str]], globs: dict[str, Any],
         command: str, write: bool, context: Callable[[], ContextManager] = nullcontext) -> int:
    """Compare ``doc`` with what the code says now (and rewrite it if ``write``); 0 if it is current."""
    text = doc.read_text()
    new, problems = refresh_links(refresh_blocks(text, tag, sections), doc)
    failures, tries = run_pycon_examples(new, doc, globs, context)
    for problem in problems:
        print("link:", problem)
    print(f"pycon examples: {tries - failures} of {tries} pass")
    broken = any("no line" in p for p in problems)      # a link whose code is gone: fix the doc by hand
    if write:
        doc.write_text(new)
        print(f"wrote {doc.parent.name}/{doc.name}")
        return 1 if failures or broken else 0
    if new != text:
        print(f"{doc.parent.name}/{doc.name} is out of date: run {command} --write-doc")
    return 1 if new != text or failures or broken else 0


def main(argv: list[str], check_doc: Callable[[bool], int], show: Callable[[], None]) -> int:
    """A page script's command line: ``--check``, ``--write-doc``, or (no option) ``show()`` its output."""
    if "--write-doc" in argv or "--check" in argv:
        return check_doc("--write-doc" in argv)
    show()
    return 0
