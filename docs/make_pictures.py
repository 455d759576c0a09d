"""Regenerate every picture of docs/rendering.md: ``python docs/make_pictures.py``.

Each picture is drawn by the same code as the ``minigrad-draw`` command
(``minigrad_cli.draw.make_drawing``) and written to ``docs/img/render_*.png`` (the one too
wide for a page as ``.svg``) with whichever renderer is available (Graphviz's ``dot``, else
graphviz-pure).
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))            # run from a checkout without installing

from minigrad.render import which_renderer  # noqa: E402
from minigrad_cli.draw import make_drawing  # noqa: E402

IMAGES = ROOT / "docs" / "img"

# name -> the options of make_drawing (the same as minigrad-draw's flags)
PICTURES = {
    "render_rnn_op": dict(kind="rnn", steps=4, view="op"),
    "render_rnn_cell": dict(kind="rnn", steps=5, view="cell"),
    "render_brnn_op": dict(kind="brnn", steps=3, view="op"),
    "render_brnn_cell": dict(kind="brnn", steps=4, view="cell"),
    "render_lstm_op": dict(kind="lstm", steps=3, view="op"),
    "render_lstm_cell": dict(kind="lstm", steps=4, view="cell"),
    "render_gru_op": dict(kind="gru", steps=3, view="op"),
    "render_gru_cell": dict(kind="gru", steps=4, view="cell"),
    "render_rnn_pooling": dict(kind="rnn", steps=4, view="op", grads=True, contributions=True),
    "render_rnn_flow": dict(kind="rnn", steps=8, view="cell", flow=True),
    "render_lstm_long": dict(kind="lstm", steps=200, view="cell", flow=True, first_last=3),
    "render_rnn_deep_cell": dict(kind="rnn", steps=4, view="cell", layers=2),
    "render_lstm_op_12": dict(kind="lstm", steps=12, view="op"),
}
# Too wide to read at page width: SVG, whose text stays sharp when the reader zooms in.
SVG_PICTURES = {"render_lstm_op_12"}


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    print(f"renderer: {which_renderer()}")
    for name, options in PICTURES.items():
        format = "svg" if name in SVG_PICTURES else "png"
        path = IMAGES / f"{name}.{format}"
        path.write_bytes(make_drawing(**options).pipe(format=format))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
