"""MkDocs hooks (mkdocs.yml, ``hooks:``): the site ships the code the pages link to, and the step-through pages.

1. **Code links.** The pages link into the repository the way GitHub shows
   them, e.g. ``[`total += parent_grad`](../minigrad/tensor.py#L265)``
   (examples/doc_sync.py keeps those line numbers current). On the site that
   file is outside ``docs/``, so ``mkdocs build --strict`` would call the link
   broken. ``on_files`` finds every such link and adds to the site one page
   per linked file, ``_source/minigrad/tensor.py.html``: the file highlighted,
   every line with the anchor ``L<number>``, the linked line marked.
   ``on_page_markdown`` points the links there. The Markdown files stay as
   they are, so the links keep working on GitHub and in an editor, and
   doc_sync still checks them.
2. **Watch BPTT.** ``on_files`` also writes the step-through pages that
   docs/watch-bptt.md embeds (``minigrad.animate_backward``), so they are made
   by the code of the checkout being built, never stale.
"""
from __future__ import annotations

import html
import posixpath
import re
import sys
from pathlib import Path

from mkdocs.structure.files import File, Files

SOURCE_DIR = "_source"                 # where the shipped code pages go on the site
# A Markdown link whose target climbs out of docs/: ](../minigrad/tensor.py#L265)
REPO_LINK = re.compile(r"\]\((?P<target>(?:\.\./)+[^)#\s]+)(?P<anchor>#L\d+)?\)")

# The step-through pages animate drawings of docs/make_pictures.py: page -> the picture whose
# options (of minigrad_cli.draw.make_drawing, which make_animation shares) it takes.
ANIMATIONS = {
    "watch/rnn_op.html": "render_rnn_op",
    "watch/rnn_cell.html": "render_rnn_cell",
    "watch/lstm_cell.html": "render_lstm_cell",
    "watch/gru_cell.html": "render_gru_cell",
    "watch/brnn_cell.html": "render_brnn_cell",
    "watch/lstm_op.html": "render_lstm_op",
}


def repository_file(page_path: str, target: str, docs_dir: Path) -> str | None:
    """The path (from the repository root) a page's link points to, if it is a file outside docs/."""
    root = docs_dir.parent.resolve()
    resolved = (docs_dir / posixpath.dirname(page_path) / target).resolve()
    if docs_dir.resolve() in resolved.parents or root not in resolved.parents or not resolved.is_file():
        return None
    return resolved.relative_to(root).as_posix()


def linked_files(docs_dir: Path) -> set[str]:
    """Every repository file outside docs/ that some page links to."""
    found = set()
    for page in docs_dir.rglob("*.md"):
        page_path = page.relative_to(docs_dir).as_posix()
        for match in REPO_LINK.finditer(page.read_text(encoding="utf-8")):
            path = repository_file(page_path, match.group("target"), docs_dir)
            if path is not None:
                found.add(path)
    return found


def source_page(path: str, code: str) -> str:
    """One code file as a standalone HTML page: highlighted, a numbered anchor ``L<n>`` on every line."""
    from pygments import highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_for_filename
    from pygments.util import ClassNotFound

    try:
        lexer = get_lexer_for_filename(path)
    except ClassNotFound:
        from pygments.lexers import TextLexer
        lexer = TextLexer()
    formatter = HtmlFormatter(nowrap=True)       # spans are closed at each line end, so lines split cleanly
    lines = highlight(code, lexer, formatter).splitlines()
    body = "".join(f'<span class="line" id="L{number}"><a class="number" href="#L{number}">{number}</a>{line}</span>'
                     for number, line in enumerate(lines, 1))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(path)} - minigrad</title>
<style>
body {{ margin: 0; font-family: Helvetica, Arial, sans-serif; }}
header {{ padding: 8px 16px; background: #3f51b5; color: white; position: sticky; top: 0; }}
header a {{ color: white; }}
pre {{ margin: 0; padding: 8px 0; font-size: 13px; line-height: 1.45; }}
.line {{ display: block; padding-right: 16px; scroll-margin-top: 40vh; }}   /* the linked line mid-screen */
.line:target {{ background: #fff3b0; }}
.number {{ display: inline-block; width: 4em; margin-right: 1em; text-align: right; color: #999;
  text-decoration: none; user-select: none; }}
{formatter.get_style_defs("pre")}
</style></head>
<body><header><b>{html.escape(path)}</b> &nbsp; <a href="javascript:history.back()">back to the docs</a></header>
<pre>{body}</pre>
</body></html>
"""


def on_files(files: Files, config) -> Files:
    docs_dir = Path(config["docs_dir"])
    root = docs_dir.parent
    for path in sorted(linked_files(docs_dir)):
        code = (root / path).read_text(encoding="utf-8")
        files.append(File.generated(config, f"{SOURCE_DIR}/{path}.html", content=source_page(path, code)))
    sys.path.insert(0, str(docs_dir))                 # make_pictures sits beside this file
    from make_pictures import PICTURES                # here: only the build needs minigrad importable

    from minigrad_cli.draw import make_animation
    for name, picture in ANIMATIONS.items():
        files.append(File.generated(config, name, content=make_animation(**PICTURES[picture]).html))
    return files


def on_page_markdown(markdown: str, page, config, files: Files) -> str:
    """Point each link into the repository at the shipped page of that file (the line anchor kept)."""
    docs_dir = Path(config["docs_dir"])
    page_path = page.file.src_uri

    def rewrite(match: re.Match) -> str:
        path = repository_file(page_path, match.group("target"), docs_dir)
        if path is None:
            return match.group(0)
        shipped = posixpath.relpath(f"{SOURCE_DIR}/{path}.html", posixpath.dirname(page_path) or ".")
        return f"]({shipped}{match.group('anchor') or ''})"

    return REPO_LINK.sub(rewrite, markdown)
