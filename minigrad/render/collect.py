"""Passes 1 to 3 of a picture: which tensors it shows, in which picture nodes, joined by which edges.

``Picture`` collects the tensors ``root`` depends on, places each in a
picture node (its own, a time step's box, or the "..." of ``first_last``),
connects them, and writes the label of each tensor. ``graph.py``'s docstring
tells the whole reading order.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from ..tensor import Tensor, topological_order
from . import labels


# ======================================================================= pass 1: collect
def collect(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` was computed from, parents before children, constants included.

    ``topological_order`` follows only parents that require grad; the others
    (inputs, constants, initial states of zeros) are always leaves, since an
    op records no parents unless one of them requires grad. Each such leaf is
    listed just before its first consumer.
    """
    order: list[Tensor] = []
    seen: set[int] = set()
    for tensor in topological_order(root):
        for parent in tensor.parents:
            if not parent.requires_grad and id(parent) not in seen:
                seen.add(id(parent))
                order.append(parent)
        seen.add(id(tensor))
        order.append(tensor)
    return order


def collect_backward(root: Tensor) -> tuple[list[Tensor], set[int]]:
    """For a gradient recorded by ``backward(create_graph=True)``: the ops of that backward pass.

    They are the tensors the engine tagged with ``_grad_of`` (the tensor whose
    gradient each one computes). The tensors of the forward pass that they
    read (``h``, ``W``, ``tanh``'s output) are listed too, before their first
    reader, but not expanded: the second set holds their ids, and the picture
    draws them as inputs of the backward pass.
    """
    order: list[Tensor] = []
    seen: set[int] = set()
    read: set[int] = set()
    for tensor in topological_order(root):
        if getattr(tensor, "_grad_of", None) is None and tensor is not root:
            continue
        for parent in tensor.parents:
            if id(parent) not in seen and getattr(parent, "_grad_of", None) is None:
                seen.add(id(parent))
                order.append(parent)
                if parent.parents:
                    read.add(id(parent))
        seen.add(id(tensor))
        order.append(tensor)
    return order, read


def is_parameter(tensor: Tensor) -> bool:
    """A leaf that requires grad: a weight, drawn once outside every time step."""
    return tensor.requires_grad and not tensor.parents


# ======================================================================= time steps in scope paths
@dataclass(frozen=True)
class Step:
    """Where a scope path names a time step: ``layer0/fwd/t=3`` is step 3 of family ``layer0/fwd``."""

    family: str        # the scope path above the step ("layer0/fwd"), shared by all its steps
    path: str          # the step's own scope path ("layer0/fwd/t=3")
    index: int         # the time index (3)


class StepFinder:
    """Finds the time step in a scope path; remembers answers (an RNN has few distinct scopes)."""

    def __init__(self, step_pattern: str) -> None:
        self.pattern = re.compile(step_pattern)
        self.cache: dict[str, Optional[Step]] = {}

    def __call__(self, scope: str) -> Optional[Step]:
        if scope not in self.cache:
            self.cache[scope] = self._find(scope)
        return self.cache[scope]

    def _find(self, scope: str) -> Optional[Step]:
        segments = scope.split("/") if scope else []
        # The innermost step segment wins, so a step nested in a step is its own step.
        for position in range(len(segments) - 1, -1, -1):
            match = self.pattern.fullmatch(segments[position])
            if match:
                return Step(family="/".join(segments[:position]), path="/".join(segments[:position + 1]),
                            index=int(match.group(1)))
        return None


@dataclass(frozen=True)
class HiddenSteps:
    """The steps of one family that ``first_last`` leaves out, summarised once for the "..." node."""

    indices: frozenset[int]
    label: str          # "... n steps (t=a..b) ..."
    middle: float       # where the "..." node sits in time


def hidden_steps(tensors: list[Tensor], find_step: StepFinder, first_last: Optional[int]) -> dict[str, HiddenSteps]:
    """For each step family, the step indices that ``first_last=k`` leaves out (all but the first and last k)."""
    if first_last is None:
        return {}
    indices: dict[str, set[int]] = {}
    for tensor in tensors:
        step = find_step(tensor.scope)
        if step is not None:
            indices.setdefault(step.family, set()).add(step.index)
    hidden = {}
    for family, family_indices in indices.items():
        ordered = sorted(family_indices)
        middle = ordered[first_last:len(ordered) - first_last]
        if middle:
            hidden[family] = HiddenSteps(frozenset(middle), f"... {len(middle)} steps (t={middle[0]}..{middle[-1]}) ...",
                                         (middle[0] + middle[-1]) / 2)
    return hidden


# ======================================================================= the picture's nodes and edges
@dataclass
class PictureNode:
    """One box (or ellipse, or plain text) of the picture, holding one or more tensors."""

    key: str                                   # the DOT node id
    kind: str                                  # "tensor", "cell" (a time step's box) or "ellipsis"
    cluster: str                               # scope path of the cluster it is drawn in ("" = none)
    title: str                                 # for a cell or an ellipsis, its text
    attributes: dict[str, str]
    step: Optional[float] = None               # time index, for drawing time left to right
    family: Optional[str] = None               # the scope path above its time step ("layer0/fwd")
    box: Optional[str] = None                  # the time step it is drawn in ("layer0/fwd/t=3", or the "...")
    tensors: list[Tensor] = field(default_factory=list)


@dataclass
class PictureEdge:
    """One arrow of the picture: the graph's (parent, child) pairs between two picture nodes."""

    tail: str
    head: str
    pairs: list[tuple[Tensor, Tensor]] = field(default_factory=list)


@dataclass
class Options:
    """What ``draw`` was asked to show (see its docstring)."""

    view: str
    values: bool
    grads: bool
    contributions: bool
    flow: bool
    first_last: Optional[int]
    cell_name: str
    small: int
    forward: bool = False


class Picture:
    """Passes 2 and 3: the picture nodes and edges of one graph, then ``write_dot`` turns it into DOT text."""

    def __init__(self, root: Tensor, options: Options, find_step: StepFinder) -> None:
        self.root = root
        self.options = options
        self.find_step = find_step
        # ids of forward tensors a drawn backward pass reads: drawn as its inputs, their history left out
        self.read: set[int] = set()
        self.backward_pass = getattr(root, "_grad_of", None) is not None and not options.forward
        if self.backward_pass:
            self.tensors, self.read = collect_backward(root)
        else:
            self.tensors = collect(root)
        self.hidden = hidden_steps(self.tensors, find_step, options.first_last)
        self.nodes: dict[str, PictureNode] = {}
        self.node_of: dict[int, PictureNode] = {}            # id(tensor) -> its picture node
        self.uses: dict[int, int] = {}                       # id(tensor) -> number of ops using it
        for tensor in self.tensors:
            self.node_of[id(tensor)] = self._place(tensor)
        self.by_key = {node.key: node for node in self.nodes.values()}
        self.edges: dict[tuple[str, str, int], PictureEdge] = {}
        for child in self.tensors:
            for parent in self.drawn_parents(child):
                self.uses[id(parent)] = self.uses.get(id(parent), 0) + 1
                self._connect(parent, child)

    def drawn_parents(self, tensor: Tensor) -> tuple[Tensor, ...]:
        """The parents drawn for ``tensor``: none for a forward tensor a backward pass reads."""
        return () if self.read and id(tensor) in self.read else tensor.parents

    # ------------------------------------------------------------ pass 2: place
    def _place(self, tensor: Tensor) -> PictureNode:
        """The picture node of ``tensor``, created on first use."""
        step = None if is_parameter(tensor) else self.find_step(tensor.scope)
        hidden = self.hidden.get(step.family) if step is not None else None
        if hidden is not None and step.index in hidden.indices:
            return self._group("ellipsis", step.family, tensor, step.family, hidden.label,
                               {"shape": "plaintext"}, step_index=hidden.middle)
        if step is not None and self.options.view == "cell":
            title = f"{self.options.cell_name}, t={step.index}"
            return self._group("cell", step.path, tensor, step.family, title,
                               {"shape": "box", "style": "rounded,filled", "fillcolor": labels.CELL_FILL},
                               step_index=step.index)
        key = f"n{len(self.nodes)}"
        node = PictureNode(key, "tensor", "" if is_parameter(tensor) else tensor.scope, "", {}, tensors=[tensor])
        if step is not None:
            node.step, node.family, node.box = step.index, step.family, step.path
        self.nodes[key] = node
        return node

    def _group(self, kind: str, path: str, tensor: Tensor, family: str, title: str,
               attributes: dict[str, str], step_index: float) -> PictureNode:
        """The picture node of kind ``kind`` ("cell" or "ellipsis") for scope ``path``, with ``tensor`` added.

        It is drawn in the cluster of its family: a cell box or a "..." is itself the time step.
        """
        name = f"{kind}:{path}"
        node = self.nodes.get(name)
        if node is None:
            node = PictureNode(f"n{len(self.nodes)}", kind, family, title, attributes, step=step_index,
                               family=family, box=name)
            self.nodes[name] = node
        node.tensors.append(tensor)
        return node

    # ------------------------------------------------------------ pass 3: connect
    def _connect(self, parent: Tensor, child: Tensor) -> None:
        tail, head = self.node_of[id(parent)], self.node_of[id(child)]
        if tail is head:
            return                                           # both inside one cell box or ellipsis
        # One arrow per tensor leaving a node (h and c leave an LSTM cell as two arrows),
        # but one arrow for everything leaving an ellipsis.
        carried = 0 if tail.kind == "ellipsis" else id(parent)
        key = (tail.key, head.key, carried)
        edge = self.edges.get(key)
        if edge is None:
            edge = self.edges[key] = PictureEdge(tail.key, head.key)
        edge.pairs.append((parent, child))

    # ------------------------------------------------------------ labels
    def tensor_label(self, tensor: Tensor) -> tuple[str, dict[str, str]]:
        """The label and attributes of a picture node holding one tensor (op view, or outside the cells)."""
        options = self.options
        lines: list[str] = []
        if is_parameter(tensor):
            title = tensor.name or "parameter"
            lines.append(labels.shape_text(tensor.shape))
            uses = self.uses.get(id(tensor), 0)
            lines.append(f"shared by {uses} uses" if uses > 1 else f"{uses} use")
            attributes = {"shape": "box", "style": "rounded,filled,bold", "fillcolor": labels.PARAMETER_FILL}
        elif not tensor.parents:
            if tensor.size == 1 and tensor.name is None:     # a number written in the code, like 1.0 in (1 - z)
                return labels.escape(labels.format_array(tensor.data, options.small)), {
                    "shape": "plaintext", "fontsize": "9"}
            # In a backward pass an unnamed leaf is a gradient that depends on no tensor with
            # requires_grad (the seed, dL/dh(t) from an output the loss does not read).
            title = tensor.name or ("constant" if self.backward_pass else "input")
            lines.append(labels.shape_text(tensor.shape))
            attributes = {"shape": "box", "style": "filled", "fillcolor": labels.INPUT_FILL}
        elif id(tensor) in self.read:
            title = tensor.op
            lines.extend([tensor.name, labels.shape_text(tensor.shape), "from the forward pass"] if tensor.name
                         else [labels.shape_text(tensor.shape), "from the forward pass"])
            attributes = {"shape": "box", "style": "rounded,dashed,filled", "fillcolor": labels.INPUT_FILL}
        else:
            title = tensor.op
            if tensor.name:
                lines.append(tensor.name)
            lines.append(labels.shape_text(tensor.shape))
            fill = labels.BACKWARD_FILL if getattr(tensor, "_grad_of", None) is not None else labels.OP_FILL
            attributes = {"shape": "box", "style": "rounded,filled", "fillcolor": fill}
        if options.values:
            lines.append("value " + labels.format_array(tensor.data, options.small))
        if options.grads and tensor.grad is not None:
            lines.extend(self._grad_lines(tensor))
        return labels.html_lines(title, lines), attributes

    def _grad_lines(self, tensor: Tensor) -> list[str]:
        """``grad ...``; for a parameter used several times, its pooling: the sum of one gradient per use."""
        contributions = tensor.contributions or []
        if len(contributions) > 1:
            pooled = sum(np.asarray(grad) for _, grad in contributions)
            return [f"grad = Σ over {len(contributions)} uses", labels.format_array(pooled, self.options.small)]
        return ["grad " + labels.format_array(tensor.grad, self.options.small)]
