"""Pictures of computation graphs: ``minigrad.draw(loss)``.

- ``graph.py``: ``draw``, from a tensor's history to DOT, grouped by scope
  (one cluster per layer, direction and time step), in an op view and a
  cell view, with values, gradients and gradient flow. Its passes, in
  reading order: ``collect.py`` (which tensors, picture nodes and edges),
  ``columns.py`` (time steps as columns), ``dot.py`` (the DOT text).
- ``labels.py``: how tensors, numbers and gradient norms are written and coloured.
- ``output.py``: ``Drawing`` (the ``graphviz.Digraph`` interface: ``.source``,
  ``.pipe``, ``.render``, Jupyter display) and the two programs that turn DOT
  into pictures, Graphviz's ``dot`` or, without it, the pip-installed
  ``graphviz-pure``.
- ``animate.py``: ``animate_backward(loss)``, the backward sweep step by step
  as one self-contained HTML page (watch BPTT happen); ``page.py``: that
  page's HTML, style and script.

This package knows nothing about recurrent nets: it reads scope paths only.
"""
from .animate import BackwardAnimation, animate_backward
from .graph import draw
from .output import Drawing, RendererNotFound, which_renderer

__all__ = ["draw", "Drawing", "RendererNotFound", "which_renderer", "animate_backward", "BackwardAnimation"]
