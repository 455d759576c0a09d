"""``draw``: the graph that produced a tensor, as DOT, grouped by ``minigrad.scope``.

How a picture is made, in five passes over the graph (none recursive, so an
RNN unrolled over thousands of steps is no problem):

1. **Collect** every tensor ``root`` depends on: ``topological_order``
   (parents before children) plus the constants and inputs it reads, which
   ``topological_order`` skips because they need no gradient.
2. **Place** each tensor in a *picture node*. In the op view every tensor is
   its own node. In the cell view every tensor created inside a time-step
   scope (a scope segment such as ``t=3``) joins one box for that step. With
   ``first_last=k`` the steps in the middle join one "..." node. Each picture
   node sits in the nested cluster of its scope path (layer -> direction ->
   time step); parameters always sit at the top level, outside every
   cluster, because they belong to no single step.
3. **Connect**: every (parent, child) pair of the graph becomes an edge
   between the picture nodes holding them; pairs inside one node vanish and
   repeated pairs merge.
4. **Order** the time steps as columns, left to right, by constraints that
   dot lays out itself (``plan_columns``): invisible edges from each step to
   the next, shared by the bands (layers, directions) of one time where the
   data allow; backward-in-time edges written reversed.
5. **Write** the DOT: clusters, nodes, edges, and for the gradient views the
   numbers the engine's backward recorded (``grad``, and ``contributions``:
   per use of a parameter, or with ``keep_contributions="all"`` per edge for
   the gradient flow).

Each pass is a file of this package, read in this order: ``collect.py``
(passes 1 to 3, the ``Picture``), ``columns.py`` (pass 4), ``dot.py``
(pass 5); this file holds ``draw`` and the checks of its arguments.

The renderer knows nothing about recurrent nets: it reads only the scope
paths, and treats a scope segment matching ``step_pattern`` (``t=<number>``
by default) as a time step.
"""
from __future__ import annotations

import re
from typing import Optional

from .._checks import check_choice, check_count, check_flags, check_str, check_tensor
from ..tensor import Tensor, topological_order
from .collect import (HiddenSteps, Options, Picture, PictureEdge, PictureNode, Step, StepFinder,  # noqa: F401
                      collect, collect_backward, hidden_steps, is_parameter)
from .columns import Columns, plan_columns  # noqa: F401
from .dot import draw_edge_line, write_dot  # noqa: F401
from .output import Drawing

VIEWS = ("op", "cell")


def draw(root: Tensor, *, view: str = "op", values: bool = False, grads: bool = False,
         contributions: bool = False, flow: bool = False, first_last: Optional[int] = None,
         cell_name: str = "cell", step_pattern: str = r"t=(\d+)", small: int = 6,
         title: Optional[str] = None, forward: bool = False) -> Drawing:
    """Draw the graph that produced ``root``.

    Args:
        root: the output (a loss, a net's output) whose history to draw.
        view: ``"op"``, one node per tensor (op, name, shape); or ``"cell"``,
            one box per time step ("LSTM cell, t=3") with the state edges
            between the boxes and the shared weights feeding every box.
        values: show every tensor's values (in full up to ``small`` numbers,
            otherwise the norm).
        grads: show ``.grad`` where the engine kept one (parameters, and
            tensors that called ``retain_grad``). After
            ``backward(keep_contributions=True)`` a shared parameter shows its
            pooled gradient, the sum over its uses.
        contributions: label each edge out of a parameter with the norm of
            the gradient that use contributed (needs
            ``backward(keep_contributions=True)``): pooling as a picture.
        flow: colour and widen every edge by the norm of the gradient of
            ``root`` flowing back along it, as recorded by
            ``root.backward(keep_contributions="all")`` (call it first): a
            vanishing gradient fades out along the recurrent chain.
        first_last: draw only the first and last ``first_last`` time steps of
            each sequence, with one "..." node standing for the rest.
        cell_name: the name in the cell view's boxes ("LSTM cell").
        step_pattern: a regular expression matching a time-step scope segment,
            whose group 1 is the time index.
        small: tensors with at most this many numbers are shown in full.
        title: a caption above the picture.
        forward: for a gradient made by ``backward(create_graph=True)``
            (``draw(h0.grad)``), whose graph is the backward pass itself: also
            draw the forward graph that pass reads. By default its tensors are
            drawn as inputs ("from the forward pass") and only the backward
            computation is expanded, each op in the time-step cluster of the
            forward op it differentiates, so the recurrence
            delta(t) = J(t+1)^T delta(t+1) runs right to left through the steps.

    Returns:
        A ``Drawing``: ``.source`` (DOT), ``.pipe(format="svg")``,
        ``.render("name", format="png")``, and inline display in Jupyter.
    """
    check_picture_arguments("draw", root, view, first_last, cell_name, step_pattern, small, title)
    check_flags("draw", values=values, grads=grads, contributions=contributions, flow=flow,
                forward=forward)
    options = Options(view, values, grads, contributions, flow, first_last, cell_name, small, forward)
    picture = Picture(root, options, StepFinder(step_pattern))
    return Drawing(write_dot(picture, title))


def check_picture_arguments(who: str, root: Tensor, view: str, first_last: Optional[int], cell_name: str,
                            step_pattern: str, small: int, title: Optional[str]) -> None:
    """The arguments ``draw`` and ``animate_backward`` share, refused by name before any drawing."""
    check_tensor(who, "root", root)
    check_choice(who, "view", view, VIEWS)
    if first_last is not None:
        check_count(who, "first_last", first_last, 1)
    check_str(who, "cell_name", cell_name)
    check_str(who, "step_pattern", step_pattern)
    try:
        groups = re.compile(step_pattern).groups
    except re.error as error:
        raise ValueError(f"{who}: step_pattern {step_pattern!r} is not a regular expression ({error})") from None
    if groups < 1:
        raise ValueError(f"{who}: step_pattern must have a group that captures the time index, "
                         f"as r't=(\\d+)' does, got {step_pattern!r}")
    check_count(who, "small", small, 0)
    check_str(who, "title", title, optional=True)
