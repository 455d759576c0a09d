"""Watch BPTT: ``animate_backward(loss)``, the backward sweep of a graph, one op at a time, as an HTML page.

``loss.backward(keep_contributions="all")`` records, on every tensor, one
``Contribution`` per use: the gradient that came back through that use, the
tensor whose op sent it (``.user``) and its position in the sweep
(``.order``). Sorted by ``order`` and grouped by ``user``, those records *are*
the engine's sweep: step k is the k-th op whose vector-Jacobian product ran
(``Tensor._backward_pass``), with the gradients it sent to its inputs. Nothing
here re-runs or re-orders backward.

The page is the picture ``draw`` makes (the same ``Picture`` and DOT, laid
out to SVG by Graphviz), a slider and step buttons, and a script that, for
step k,

- highlights the picture node of the op just processed (in the cell view, the
  time step's box that holds it) and dims the ones already done;
- writes on every edge already traversed the norm of the gradient that went
  back along it (summed over the graph edges the picture edge stands for);
- shows, for every parameter, the contributions that have arrived so far and
  their sum: a shared weight's pooled gradient grows one time step at a time.

Everything the page needs is inside the one file (no network): the SVG, the
steps as JSON, the script and the style. ``#step=K`` at the end of the
page's address opens it at step K (tests and screenshots use it).
"""
from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Optional

import numpy as np

from ..tensor import Tensor
from . import labels
from .._checks import check_count, check_path
from .collect import Options, Picture, StepFinder, collect, is_parameter
from .dot import draw_edge_line, write_dot
from .graph import check_picture_arguments
from .output import layout, write_file
from .page import write_page

# Beyond this many backward steps a slider stops being something a reader can follow (and dot
# takes long to lay the picture out): refuse, saying what to do, instead of working for minutes.
MAX_STEPS = 2000


class BackwardAnimation:
    """A step-through page of one backward sweep: ``.html`` (the page), ``.save(path)``, Jupyter display.

    Attributes:
        html: the whole page, one self-contained HTML document.
        steps: the number of backward steps the slider walks (ops whose backward ran).
    """

    def __init__(self, page: str, steps: int) -> None:
        self.html = page
        self.steps = steps

    def save(self, filename: str = "bptt.html") -> str:
        """Write the page to ``filename`` (open it in any browser, offline); return the path."""
        check_path("BackwardAnimation.save", "filename", filename)
        path = Path(filename)
        write_file("BackwardAnimation.save", path, self.html)
        return str(path)

    def _repr_html_(self) -> str:
        """Jupyter's hook: the page in an iframe, so that its script and ids stay its own."""
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                'style="width: 100%; height: 720px; border: 1px solid #ccc;"></iframe>')


# ======================================================================= the engine's sweep, as recorded
class SweepStep:
    """One step of the backward sweep: the op that produced ``user`` ran its backward.

    ``sent`` holds, per input that requires grad, the gradient the op sent to it (a ``Contribution``).
    """

    def __init__(self, user: Tensor) -> None:
        self.user = user
        self.sent: list[tuple[Tensor, np.ndarray]] = []


def recorded_sweep(root: Tensor, tensors: list[Tensor], max_steps: int) -> list[SweepStep]:
    """The steps of the last ``root.backward(keep_contributions="all")``, in the engine's order.

    Raises ``ValueError`` saying what to do when that backward was not run,
    could not be run, or was run with less recording.
    """
    if not root.requires_grad:
        raise ValueError("animate_backward: this tensor does not depend on any tensor with requires_grad=True, "
                         "so there is no backward to watch. Create the parameters with requires_grad=True "
                         "(a net's parameters have it), compute the loss from them, then call "
                         "loss.backward(keep_contributions='all') and animate_backward(loss)")
    if not root.parents:
        raise ValueError("animate_backward: this tensor is a leaf (no op produced it), so its backward has no "
                         "step to show; animate the loss computed from it instead")
    recorded = [t for t in tensors if t.requires_grad and t is not root]
    if any(t.contributions is None for t in recorded):
        kept_for_leaves = all(t.contributions is not None for t in recorded if not t.parents)
        what = ("was run with keep_contributions=True, which records only the leaves' gradients"
                if kept_for_leaves else "has not been run on this graph")
        raise ValueError(f"animate_backward: the backward of this tensor {what}; the step-through needs the "
                         "gradient along every edge: call loss.backward(keep_contributions='all') first")
    arrivals = [(contribution.order, id(contribution.user), tensor, contribution)
                for tensor in recorded for contribution in tensor.contributions]
    arrivals.sort(key=lambda arrival: arrival[0])
    if [arrival[0] for arrival in arrivals] != list(range(len(arrivals))):
        raise ValueError("animate_backward: the gradients recorded on this graph come from more than one "
                         "backward call (another backward went through part of it afterwards); call "
                         "loss.backward(keep_contributions='all') once more on this loss, then animate it")
    steps: list[SweepStep] = []
    for _, user_id, tensor, contribution in arrivals:
        if not steps or id(steps[-1].user) != user_id:
            if len(steps) == max_steps:
                raise ValueError(f"animate_backward: the backward of this graph has more than max_steps={max_steps} "
                                 "steps (one per op), too many to follow on a slider. Unroll fewer time steps "
                                 "(4 or 5 show BPTT well) or a smaller net, or pass a larger max_steps")
            steps.append(SweepStep(contribution.user))
        steps[-1].sent.append((tensor, contribution.grad))
    return steps


# ======================================================================= where the picture shows each step
def svg_ids(svg: str) -> tuple[dict[str, str], dict[str, list[str]]]:
    """From Graphviz's SVG: node title (our DOT key) -> element id; edge title -> element ids, in DOT order.

    Graphviz numbers edges in the order they were written (``id="edge7"``),
    so two edges with the same ends (an LSTM cell's h and c) are told apart
    by that number.
    """
    nodes: dict[str, str] = {}
    edges: dict[str, list[str]] = {}
    for match in re.finditer(r'<g id="([^"]+)" class="(node|edge)">\s*<title>(.*?)</title>', svg, re.S):
        element, kind, title = match.group(1), match.group(2), html.unescape(match.group(3))
        if kind == "node":
            nodes[title] = element
        else:
            edges.setdefault(title, []).append(element)
    for elements in edges.values():
        elements.sort(key=lambda element: int(re.sub(r"\D", "", element) or 0))
    if not nodes:
        raise RuntimeError("animate_backward: the SVG renderer wrote no node ids; install Graphviz's dot")
    return nodes, edges


def edge_elements(picture: Picture, svg_edges: dict[str, list[str]]) -> dict[tuple[str, str, int], str]:
    """The SVG element of every picture edge, found by its title as ``draw_edge_line`` writes it."""
    node_by_key = {node.key: node for node in picture.nodes.values()}
    taken: dict[str, int] = {}
    found = {}
    for key, edge in picture.edges.items():
        written = draw_edge_line(node_by_key[edge.tail], node_by_key[edge.head], {})
        title = "->".join(written.split()[0:3:2])         # "  n3 -> n7 [...]" -> "n3->n7"
        position = taken.get(title, 0)
        taken[title] = position + 1
        candidates = svg_edges.get(title, [])
        if position < len(candidates):
            found[key] = candidates[position]
    return found


def tensor_text(tensor: Tensor) -> str:
    """How the status line names a tensor: its name, or its op, with its scope."""
    what = tensor.name or tensor.op or ("parameter" if is_parameter(tensor) else "input")
    if is_parameter(tensor) or not tensor.scope:
        return what
    return f"{what} ({tensor.scope})"


# ======================================================================= the steps as data for the page
def page_data(picture: Picture, steps: list[SweepStep], svg_nodes: dict[str, str],
              svg_edges: dict[str, list[str]], small: int) -> dict:
    """What the page's script needs: per step the node to highlight and the edge and parameter updates."""
    element_of_edge = edge_elements(picture, svg_edges)
    edge_of_pair: dict[tuple[int, int], tuple[str, str, int]] = {}
    for key, edge in picture.edges.items():
        for parent, child in edge.pairs:
            edge_of_pair[(id(parent), id(child))] = key
    parameters = [t for t in picture.tensors if is_parameter(t)]
    parameter_index = {id(t): number for number, t in enumerate(parameters)}
    pooled = [np.zeros_like(t.data) for t in parameters]
    arrivals: list[list[dict]] = [[] for _ in parameters]
    # Per picture edge and per tensor it carries: the gradient gone back along it so far.
    along: dict[tuple[str, str, int], dict[int, np.ndarray]] = {}

    page_steps = []
    for step in steps:
        node = picture.node_of[id(step.user)]
        edge_updates: dict[str, str] = {}
        parameter_updates = []
        sent_text = []
        for parent, grad in step.sent:
            sent_text.append(f"{labels.norm_text(grad)} to {tensor_text(parent)}")
            key = edge_of_pair.get((id(parent), id(step.user)))
            if key is not None and key in element_of_edge:
                by_source = along.setdefault(key, {})
                by_source[id(parent)] = by_source[id(parent)] + grad if id(parent) in by_source else grad
                largest = max(by_source.values(), key=lambda g: float(np.linalg.norm(g)))
                edge_updates[element_of_edge[key]] = labels.norm_text(largest)
            if id(parent) in parameter_index:
                number = parameter_index[id(parent)]
                pooled[number] = pooled[number] + grad
                arrivals[number].append({
                    "scope": step.user.scope or "top level",
                    "norm": labels.norm_text(grad),
                    "pooled": labels.format_array(pooled[number], small) if pooled[number].size <= small else "",
                    "pooled_norm": f"{float(np.linalg.norm(pooled[number])):.4g}",
                })
                parameter_updates.append([number, len(arrivals[number])])
        page_steps.append({
            "node": svg_nodes.get(node.key, ""),
            "text": f"backward of {tensor_text(step.user)}" if step.user.op else tensor_text(step.user),
            "op": step.user.op,
            "sent": sent_text,
            "edges": sorted(edge_updates.items()),
            "parameters": parameter_updates,
        })
    return {
        "steps": page_steps,
        "parameters": [{"name": t.name or "parameter", "node": svg_nodes.get(picture.node_of[id(t)].key, ""),
                        "shape": labels.shape_text(t.shape), "arrivals": arrivals[number]}
                       for number, t in enumerate(parameters)],
    }


def animate_backward(root: Tensor, *, view: str = "op", first_last: Optional[int] = None,
                     cell_name: str = "cell", step_pattern: str = r"t=(\d+)", small: int = 6,
                     title: Optional[str] = None, max_steps: int = MAX_STEPS) -> BackwardAnimation:
    """A page that walks the backward sweep of ``root`` one op at a time: watch BPTT happen.

    Call ``root.backward(keep_contributions="all")`` first: the page replays
    what that call recorded, in the order the engine processed the ops.

    Args:
        root: the loss whose backward to show.
        view: ``"op"`` (one node per tensor) or ``"cell"`` (one box per time
            step), as in ``draw``.
        first_last: as in ``draw``: only the first and last ``first_last``
            time steps are drawn; the sweep through the others plays on the
            "..." node.
        cell_name: the name in the cell view's boxes ("LSTM cell").
        step_pattern: the regular expression of a time-step scope segment, as in ``draw``.
        small: tensors with at most this many numbers (the pooled gradients
            shown) are written in full, others by their norm.
        title: a caption above the page's picture.
        max_steps: refuse graphs whose backward has more steps (ops) than this.

    Returns:
        A ``BackwardAnimation``: ``.save("bptt.html")`` writes one
        self-contained HTML file; in Jupyter it shows inline.

    Raises:
        ValueError: backward was not run with ``keep_contributions="all"``
            (or cannot be: nothing requires grad), or the graph is over ``max_steps``.
    """
    check_picture_arguments("animate_backward", root, view, first_last, cell_name, step_pattern, small, title)
    check_count("animate_backward", "max_steps", max_steps, 1)
    tensors = collect(root)
    steps = recorded_sweep(root, tensors, max_steps)
    options = Options(view, values=False, grads=False, contributions=False, flow=False, first_last=first_last,
                      cell_name=cell_name, small=small)
    picture = Picture(root, options, StepFinder(step_pattern))
    svg = layout(write_dot(picture, title), "svg").decode("utf-8")
    svg = svg[svg.index("<svg"):]                       # drop the XML prolog: the SVG goes inline
    svg_nodes, svg_edges = svg_ids(svg)
    data = page_data(picture, steps, svg_nodes, svg_edges, small)
    return BackwardAnimation(write_page(svg, data, title or "Watch the backward sweep"), len(steps))
