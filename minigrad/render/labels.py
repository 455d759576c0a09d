"""Text and colours of the picture: how a tensor, a number and a gradient norm are shown.

Labels are Graphviz "HTML-like" labels (``label=<...>``), which both Graphviz
and graphviz-pure understand; they let the op name be bold above its shape.
"""
from __future__ import annotations

import html
import math
from typing import Optional

import numpy as np

# Fill colours, one per kind of node, so that a reader tells them apart at a glance.
PARAMETER_FILL = "#fde3c2"     # shared weights: warm orange, as the seeds' diagrams highlight W
INPUT_FILL = "#e6e6e6"         # data fed in: grey
OP_FILL = "#ffffff"            # computed tensors: white
BACKWARD_FILL = "#fbe4e6"      # ops a backward pass recorded (create_graph=True): pale red, the gradient's colour
CELL_FILL = "#d7e6f7"          # a collapsed time step: blue
STEP_CLUSTER_FILL = "#f1f6fc"  # the background of one time step in the op view
PARAMETER_EDGE = "#c46a12"     # edges out of shared parameters
PLAIN_EDGE = "#444444"

# The gradient-flow view maps a norm to a colour between these two, on a log scale.
FAINT_GRADIENT = (0xd0, 0xd0, 0xd0)
STRONG_GRADIENT = (0xb2, 0x18, 0x2b)
GRADIENT_DECADES = 3           # norms below 1e-3 of the largest are drawn faintest


def escape(text: str) -> str:
    """Text made safe inside an HTML-like label (``&``, ``<``, ``>`` and quotes escaped)."""
    return html.escape(text, quote=True)


def shape_text(shape: tuple[int, ...]) -> str:
    """``(1, 3)``; a 0-d tensor is a ``scalar``."""
    return str(tuple(shape)) if shape else "scalar"


def format_array(values: np.ndarray, small: int) -> str:
    """A tensor's numbers: all of them when there are at most ``small``, otherwise the norm."""
    values = np.asarray(values)
    if values.ndim == 0:
        return f"{float(values):.3g}"
    if values.size <= small:
        text = np.array2string(values, precision=3, separator=", ", max_line_width=10**6,
                               threshold=small + 1, suppress_small=True)
        return text.replace("\n", "")
    return f"‖·‖ = {float(np.linalg.norm(values)):.3g}"


def html_lines(title: str, lines: list[str], bold_title: bool = True) -> str:
    """An HTML-like label: a (bold) title line, then smaller plain lines."""
    head = f"<b>{escape(title)}</b>" if bold_title else escape(title)
    body = "".join(f'<br/><font point-size="9">{escape(line)}</font>' for line in lines)
    return head + body


def gradient_strength(norm: float, largest: float) -> float:
    """Where ``norm`` sits between 0 (faint) and 1 (the largest gradient), on a log scale."""
    if not largest > 0 or not norm > 0 or not math.isfinite(norm):
        return 0.0
    decades_below = math.log10(largest / norm)
    return max(0.0, 1.0 - decades_below / GRADIENT_DECADES)


def gradient_style(norm: float, largest: float) -> dict[str, str]:
    """Edge attributes of the gradient-flow view: wide and red when strong, thin and grey when vanishing."""
    strength = gradient_strength(norm, largest)
    rgb = [round(faint + strength * (strong - faint)) for faint, strong in zip(FAINT_GRADIENT, STRONG_GRADIENT)]
    style = {"color": "#{:02x}{:02x}{:02x}".format(*rgb), "penwidth": f"{0.5 + 4.5 * strength:.2f}"}
    if norm == 0:
        style["style"] = "dotted"
    return style


def norm_text(values: Optional[np.ndarray]) -> str:
    """``‖g‖ 0.0123``: the label put on an edge for the gradient flowing along it."""
    if values is None:
        return ""
    return f"‖g‖ {float(np.linalg.norm(values)):.3g}"
