"""Screenshots, with headless Chromium: ``python docs/make_screenshots.py [--site SITE_DIR --out DIR]``.

- Always: ``docs/img/watch_bptt.png``, the step-through page of docs/watch-bptt.md
  (an RNN over 4 steps, the same page docs/hooks.py puts on the site) at step 9.
- With ``--site``: the built site's home page and its Watch BPTT page, written
  to ``--out`` (default ``out/``), to look at the site as a new reader does
  (``mkdocs build --strict`` first).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))                   # run from a checkout without installing
sys.path.insert(0, str(ROOT / "examples"))

from headless_chromium import file_url, screenshot  # noqa: E402
from make_pictures import PICTURES  # noqa: E402
from minigrad_cli.draw import make_animation  # noqa: E402

EMBEDDED = PICTURES["render_rnn_op"]     # the net of docs/hooks.py's ANIMATIONS["watch/rnn_op.html"]
STEP = 9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site directory (mkdocs build) to take pictures of")
    parser.add_argument("--out", type=Path, default=ROOT / "out", help="where the site's pictures go")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        page = Path(make_animation(**EMBEDDED).save(str(Path(directory) / "bptt.html")))
        picture = screenshot(file_url(page, f"step={STEP}"), ROOT / "docs" / "img" / "watch_bptt.png", 1400, 820)
        print(f"wrote {picture.relative_to(ROOT)}")
    if arguments.site is not None:
        arguments.out.mkdir(parents=True, exist_ok=True)
        for name, address in (("site_home", "index.html"), ("site_watch_bptt", "watch-bptt/index.html")):
            picture = screenshot(file_url(arguments.site / address), arguments.out / f"{name}.png", 1280, 1000)
            print(f"wrote {picture}")


if __name__ == "__main__":
    main()
