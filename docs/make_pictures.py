"""Regenerate every picture of docs/rendering.md: ``python docs/make_pictures.py``.

Each picture is drawn by the same code as the ``minigrad-draw`` command
(``minigrad_cli.draw.make_drawing``) and written to ``docs/img/render_*.png`` (the one too
wide for a page as ``.svg``) with whichever renderer is available (Graphviz's ``dot``, else
graphviz-pure). The pictures of a backward pass (``render_rnn_backward_*``, also in
docs/bptt.md) are drawn by ``backward_pictures`` below: the net of ``render_rnn_op``, its
gradients made with ``backward(create_graph=True)``, then ``draw(h0.grad)`` and
``draw(weight_hh_l0.grad)``.
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))            # run from a checkout without installing

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.render import which_renderer  # noqa: E402
from minigrad_cli.draw import build, make_drawing  # noqa: E402

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
    "attention_op_view": dict(kind="attention", steps=4, hidden=2, view="op", values=True),
    "attention_cell_view": dict(kind="attention", steps=4, view="cell"),
}
# Too wide to read at page width: SVG, whose text stays sharp when the reader zooms in.
SVG_PICTURES = {"render_lstm_op_12"}


def backward_pictures(steps: int = 4) -> dict[str, mg.render.Drawing]:
    """The backward pass of render_rnn_op's net drawn as a graph of its own (create_graph=True).

    The same net, input and loss as ``make_drawing(kind="rnn", steps=4)`` (the last step's
    output summed), with a learnable initial state h0 so that dL/dh0 is the end of the
    backward recurrence delta(t) = J(t+1)^T delta(t+1).
    """
    net = build("rnn", steps, 3, 2, 1, 0)
    x = mg.Tensor(np.random.default_rng(1).normal(size=(steps, 1, 2)), name="x")
    h0 = mg.Tensor(np.zeros((1, 1, 3)), requires_grad=True, name="h0")
    output = net(x, h0)[0]
    output[steps - 1].sum().backward(create_graph=True)
    return {
        "render_rnn_backward_h0": mg.draw(h0.grad, title=f"RNN, {steps} steps: the backward pass that makes "
                                                         f"h0.grad (create_graph=True)"),
        "render_rnn_backward_weight": mg.draw(net.weight_hh_l0.grad, title=f"RNN, {steps} steps: the backward "
                                                                           f"pass that makes weight_hh_l0.grad"),
    }


def main() -> None:
    IMAGES.mkdir(parents=True, exist_ok=True)
    print(f"renderer: {which_renderer()}")
    drawings = {name: make_drawing(**options) for name, options in PICTURES.items()}
    for name, drawing in {**drawings, **backward_pictures()}.items():
        format = "svg" if name in SVG_PICTURES else "png"
        path = IMAGES / f"{name}.{format}"
        path.write_bytes(drawing.pipe(format=format))
        print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
