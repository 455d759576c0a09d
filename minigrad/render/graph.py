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

The renderer knows nothing about recurrent nets: it reads only the scope
paths, and treats a scope segment matching ``step_pattern`` (``t=<number>``
by default) as a time step.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from .._checks import check_choice, check_count, check_flags, check_str, check_tensor
from ..tensor import Tensor, topological_order
from . import labels
from .output import Drawing

VIEWS = ("op", "cell")


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


class Picture:
    """Passes 2 and 3: the picture nodes and edges of one graph, then ``write_dot`` turns it into DOT text."""

    def __init__(self, root: Tensor, options: Options, find_step: StepFinder) -> None:
        self.root = root
        self.options = options
        self.find_step = find_step
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
            for parent in child.parents:
                self.uses[id(parent)] = self.uses.get(id(parent), 0) + 1
                self._connect(parent, child)

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
            title = tensor.name or "input"
            lines.append(labels.shape_text(tensor.shape))
            attributes = {"shape": "box", "style": "filled", "fillcolor": labels.INPUT_FILL}
        else:
            title = tensor.op
            if tensor.name:
                lines.append(tensor.name)
            lines.append(labels.shape_text(tensor.shape))
            attributes = {"shape": "box", "style": "rounded,filled", "fillcolor": labels.OP_FILL}
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


def draw(root: Tensor, *, view: str = "op", values: bool = False, grads: bool = False,
         contributions: bool = False, flow: bool = False, first_last: Optional[int] = None,
         cell_name: str = "cell", step_pattern: str = r"t=(\d+)", small: int = 6,
         title: Optional[str] = None) -> Drawing:
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

    Returns:
        A ``Drawing``: ``.source`` (DOT), ``.pipe(format="svg")``,
        ``.render("name", format="png")``, and inline display in Jupyter.
    """
    check_picture_arguments("draw", root, view, first_last, cell_name, step_pattern, small, title)
    check_flags("draw", values=values, grads=grads, contributions=contributions, flow=flow)
    options = Options(view, values, grads, contributions, flow, first_last, cell_name, small)
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


# ======================================================================= gradients along edges
def _sum_by_edge(tensors: list[Tensor]) -> dict[tuple[int, int], np.ndarray]:
    """The recorded contributions of ``tensors``, summed per edge (id(tensor), id(user))."""
    found: dict[tuple[int, int], np.ndarray] = {}
    for tensor in tensors:
        for contribution in tensor.contributions or ():
            pair = (id(tensor), id(contribution.user))
            found[pair] = found[pair] + contribution.grad if pair in found else contribution.grad
    return found


def contribution_per_pair(tensors: list[Tensor]) -> dict[tuple[int, int], np.ndarray]:
    """The gradient each use of each parameter contributed, keyed by (id(parameter), id(user)).

    ``backward(keep_contributions=True)`` records, per parameter, one
    ``(scope, gradient)`` pair per use, and on each pair ``.user``: the tensor
    the using op produced, i.e. the head of the edge.
    """
    return _sum_by_edge([t for t in tensors if is_parameter(t)])


def gradient_per_pair(root: Tensor, tensors: list[Tensor]) -> dict[tuple[int, int], np.ndarray]:
    """d(root)/d(parent) through each (parent, child) edge: what flows back along every arrow.

    The engine records it: ``root.backward(keep_contributions="all")`` keeps,
    on every tensor, the gradient that came back through each of its uses.
    """
    recorded = [t for t in tensors if t.requires_grad and t is not root]
    if root.requires_grad and any(t.parents and t.contributions is None for t in recorded):
        raise ValueError("draw(flow=True) draws the gradient along every edge, which the engine records "
                         "when you call root.backward(keep_contributions='all') first")
    return _sum_by_edge(recorded)


def edge_gradient(edge: PictureEdge, per_pair: dict[tuple[int, int], np.ndarray]) -> Optional[np.ndarray]:
    """The gradient along a picture edge: summed over the pairs it stands for that carry the same tensor.

    (An edge out of an ellipsis may carry several tensors; it shows the largest.)
    """
    by_source: dict[int, np.ndarray] = {}
    for parent, child in edge.pairs:
        grad = per_pair.get((id(parent), id(child)))
        if grad is not None:
            by_source[id(parent)] = by_source[id(parent)] + grad if id(parent) in by_source else grad
    if not by_source:
        return None
    return max(by_source.values(), key=lambda grad: float(np.linalg.norm(grad)))


# ======================================================================= pass 4: time steps as columns
@dataclass
class Columns:
    """How the time steps become columns, told to dot by constraints on ranks (no coordinates).

    With ``rankdir=LR`` a rank is a column of the picture, and an edge asks
    for its head at least one rank right of its tail. "Step t left of step
    t+1" is then "every node of step t on a lower rank than every node of
    step t+1", which a few invisible edges say.
    """

    ordering: list[tuple[str, str]]                          # invisible edges (tail key, head key)
    free: set[tuple[str, str, int]]                          # picture edges drawn with constraint=false
    chains: dict[str, str]                                   # node key -> its family, for the state chain


def goes_back_in_time(tail: PictureNode, head: PictureNode) -> bool:
    """An edge from a later to an earlier step of the same family (the backward direction of a BRNN)."""
    return tail.family is not None and tail.family == head.family and head.step < tail.step


def plan_columns(picture: Picture) -> Columns:
    """The ordering edges that make each time index one column, left to right, in every family.

    Within a family (one direction of one layer) the steps are ordered by
    time index. Families share columns where their data allow it (the two
    directions of a BRNN, the layers of a deep net), so that the backward
    net and layer l+1 at time t stand in the column of time t, as in seed
    004's diagrams. If sharing is impossible (a family whose step t reads a
    later step of another family), each family keeps its own columns; a graph
    in which even that is impossible gets no ordering edges.
    """
    if all(node.box is None for node in picture.nodes.values()):
        return Columns([], set(), {})                        # no time steps: an MLP draws as it always did
    free = hoisted_entries(picture)
    edges = constraining_edges(picture, free)
    boxes = step_boxes(picture, edges.inside_steps)
    families = list(dict.fromkeys(box.family for box in boxes.values()))
    chains = state_chains(picture, edges.across_steps)
    for groups in ([families], [[family] for family in families]):
        ordering = [pair for pair in ordering_edges(boxes, groups) if pair not in edges.across_steps]
        between_boxes = ((picture.by_key[tail].box, picture.by_key[head].box) for tail, head in ordering)
        if not ordering or is_acyclic(edges.links.union(between_boxes)):
            return Columns(ordering, free, chains)
    return Columns([], free, chains)


@dataclass
class Box:
    """One time step of one family (a step cluster, a cell, a "..."): the keys of its first and last nodes."""

    family: str
    step: float
    sources: list[str] = field(default_factory=list)         # no parent inside the step
    sinks: list[str] = field(default_factory=list)           # no child inside the step


def step_boxes(picture: Picture, inside_steps: list[tuple[str, str]]) -> dict[str, Box]:
    """Every time step's box, keyed by the box's name; ``inside_steps``: the edges inside boxes."""
    inner_child = {tail for tail, _ in inside_steps}
    inner_parent = {head for _, head in inside_steps}
    boxes: dict[str, Box] = {}
    for node in picture.nodes.values():
        if node.box is not None:
            box = boxes.get(node.box)
            if box is None:
                box = boxes[node.box] = Box(node.family, node.step)
            if node.key not in inner_parent:
                box.sources.append(node.key)
            if node.key not in inner_child:
                box.sinks.append(node.key)
    return boxes


def ordering_edges(boxes: dict[str, Box], groups: list[list[str]]) -> list[tuple[str, str]]:
    """Edges from the last nodes of every box of one column to the first nodes of every box of the next.

    Each group of families shares one sequence of columns. Every node of a
    box reaches one of the box's sinks and is reached from one of its
    sources, so putting the sinks before the next column's sources puts the
    whole box before it.
    """
    ordering: dict[tuple[str, str], None] = {}
    for group in groups:
        columns: dict[float, list[Box]] = {}
        for box in boxes.values():
            if box.family in group:
                columns.setdefault(box.step, []).append(box)
        times = sorted(columns)
        for before, after in zip(times, times[1:]):
            for sink in (key for box in columns[before] for key in box.sinks):
                for source in (key for box in columns[after] for key in box.sources):
                    ordering[(sink, source)] = None
    return list(ordering)


def hoisted_entries(picture: Picture) -> set[tuple[str, str, int]]:
    """Edges into what a family computes before its steps, from tensors computed after some steps.

    A deep net projects the inputs of layer l+1 for all steps at once (one
    ``linear`` over the stacked outputs of layer l, before layer l+1's loop),
    so layer l+1's step 0 depends on layer l's last step. As a constraint,
    that edge would push all of layer l+1 right of all of layer l; drawn
    with ``constraint=false`` it is still an arrow, and layer l+1's steps
    can stand in the columns of layer l's.
    """
    families = {node.family for node in picture.nodes.values() if node.family is not None}
    if len(families) < 2:
        return set()                                         # one family: nothing computed after other steps
    # The families whose steps each tensor was computed from (tensors come parents first).
    # Most tensors have the set of their parents, so a new set is made only where it grows.
    after_steps: dict[int, frozenset[str]] = {}
    for tensor in picture.tensors:
        above: frozenset[str] = frozenset()
        for parent in tensor.parents:
            parent_above = after_steps[id(parent)]
            if not parent_above <= above:
                above = above | parent_above
        family = picture.node_of[id(tensor)].family
        if family is not None and family not in above:
            above = above | {family}
        after_steps[id(tensor)] = above

    def before_steps_of(node: PictureNode) -> Optional[str]:
        """The family in whose scope ``node`` is computed before any of its steps, if any."""
        if node.box is not None or node.kind != "tensor":
            return None
        path = node.cluster
        while path and path not in families:
            path = path.rpartition("/")[0]
        return path if path and path not in after_steps[id(node.tensors[0])] else None

    free = set()
    for key, edge in picture.edges.items():
        tail, head = picture.by_key[edge.tail], picture.by_key[edge.head]
        family = before_steps_of(head)
        if family is not None and before_steps_of(tail) != family and after_steps[id(edge.pairs[0][0])]:
            free.add(key)
    return free


def state_chains(picture: Picture, across_steps: set[tuple[str, str]]) -> dict[str, str]:
    """The nodes at either end of an edge from one step to another of its family: the recurrent chain.

    Graphviz keeps the nodes of one ``group`` on a straight line where it
    can, so each family's state runs as a horizontal line through its columns.
    """
    chains: dict[str, str] = {}
    for tail_key, head_key in across_steps:
        family = picture.by_key[tail_key].family
        if family == picture.by_key[head_key].family:
            chains[tail_key] = chains[head_key] = family
    return chains


@dataclass
class ConstrainingEdges:
    """The picture edges that constrain the layout (all but the freed ones), as the DOT writes them.

    ``links`` joins *units*: a time step's box stands for all its nodes, any
    other node for itself. The check for cycles runs on them (a few hundred
    units instead of thousands of nodes); a cycle of nodes is a cycle of
    units, since inside a box the edges follow the data.
    """

    links: set[tuple[str, str]] = field(default_factory=set)
    across_steps: set[tuple[str, str]] = field(default_factory=set)     # node keys, from one box to another
    inside_steps: list[tuple[str, str]] = field(default_factory=list)   # node keys, inside one box


def constraining_edges(picture: Picture, free: set[tuple[str, str, int]]) -> ConstrainingEdges:
    """Sort the constraining edges into the three kinds of ``ConstrainingEdges``, in one pass."""
    found = ConstrainingEdges()
    for key, edge in picture.edges.items():
        if free and key in free:                             # (most pictures free no edge)
            continue
        tail, head = picture.by_key[edge.tail], picture.by_key[edge.head]
        if tail.box is not None and tail.box == head.box:
            found.inside_steps.append((tail.key, head.key))
            continue
        if goes_back_in_time(tail, head):
            tail, head = head, tail
        found.links.add((tail.box or tail.key, head.box or head.key))
        if tail.box is not None and head.box is not None:
            found.across_steps.add((tail.key, head.key))
    return found


def is_acyclic(edges: set[tuple[str, str]]) -> bool:
    """Do these edges admit a left-to-right order of their ends (no cycle)? Kahn's algorithm."""
    successors: dict[str, list[str]] = {}
    waiting: dict[str, int] = {}                             # number of predecessors not yet taken
    for tail, head in edges:
        successors.setdefault(tail, []).append(head)
        successors.setdefault(head, [])
        waiting[head] = waiting.get(head, 0) + 1
    ready = [unit for unit in successors if unit not in waiting]
    taken = 0
    while ready:
        unit = ready.pop()
        taken += 1
        for head in successors[unit]:
            waiting[head] -= 1
            if waiting[head] == 0:
                ready.append(head)
    return taken == len(successors)


# ======================================================================= pass 5: write DOT
def quote(text: str) -> str:
    """A DOT double-quoted string."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def attribute_text(attributes: dict[str, str], label: Optional[str] = None) -> str:
    """``[label=<...>, shape="box", ...]``; ``label`` is an HTML-like label."""
    parts = [f"label=<{label}>"] if label is not None else []
    parts.extend(f"{name}={quote(value)}" for name, value in attributes.items())
    return "[" + ", ".join(parts) + "]" if parts else ""


def write_dot(picture: Picture, title: Optional[str]) -> str:
    """The DOT text of a picture: graph settings, clusters with their nodes, edges, the column order."""
    columns = plan_columns(picture)
    lines = ["digraph minigrad {"]
    # Time reads left to right: each time step is a column, the recurrent h edge is horizontal.
    # newrank: rank the whole graph at once (dot's older ranking, cluster by
    # cluster, lets the state chain's `group` override the ordering edges).
    ranking = ', newrank="true"' if columns.ordering or columns.chains else ""
    caption = f", label=<{labels.escape(title)}>, labelloc=\"t\"" if title else ""
    lines.append('  graph [rankdir="LR"' + ranking + ', fontname="Helvetica", fontsize="11", nodesep="0.25", '
                 'ranksep="0.35"' + caption + "]")
    lines.append('  node [fontname="Helvetica", fontsize="10", margin="0.08,0.04", height="0.3"]')
    lines.append(f'  edge [fontname="Helvetica", fontsize="8", arrowsize="0.6", color="{labels.PLAIN_EDGE}"]')
    write_clusters(picture, columns, lines)
    write_edges(picture, columns, lines)
    write_ordering(columns, lines)
    lines.append("}")
    return "\n".join(lines) + "\n"


def node_line(picture: Picture, node: PictureNode, columns: Columns, indent: str) -> str:
    """The DOT line declaring one picture node."""
    if node.kind == "tensor":
        label, attributes = picture.tensor_label(node.tensors[0])
    elif node.kind == "ellipsis":
        label, attributes = labels.escape(node.title), node.attributes
    else:
        operations = sum(1 for tensor in node.tensors if tensor.parents)
        label, attributes = labels.html_lines(node.title, [f"{operations} ops"]), node.attributes
    if node.key in columns.chains:
        attributes = dict(attributes, group=columns.chains[node.key])
    return f"{indent}{node.key} {attribute_text(attributes, label)}"


def write_clusters(picture: Picture, columns: Columns, lines: list[str]) -> None:
    """Nodes grouped in nested ``subgraph cluster_*`` blocks, one per scope path, without recursion.

    The tree of scope paths is built first (children in order of first
    appearance); an explicit stack then opens a cluster, writes its nodes,
    pushes its children, and closes it once they are done.
    """
    nodes_in: dict[str, list[PictureNode]] = {}
    children: dict[str, list[str]] = {}
    linked: set[str] = set()
    for node in picture.nodes.values():
        nodes_in.setdefault(node.cluster, []).append(node)
        path = node.cluster
        # Link the path and every ancestor not yet linked: "layer0/fwd/t=1" needs "layer0/fwd", "layer0".
        while path and path not in linked:
            linked.add(path)
            parent = path.rpartition("/")[0]
            children.setdefault(parent, []).append(path)
            path = parent
    cluster_number: dict[str, int] = {}
    stack: list[tuple[str, bool]] = [("", False)]
    while stack:
        path, closing = stack.pop()
        depth = path.count("/") + 1 if path else 0
        indent = "  " * (depth + 1)
        if closing:
            lines.append("  " * depth + "}")
            continue
        if path:
            cluster_number[path] = len(cluster_number)
            lines.append("  " * depth + f"subgraph cluster_{cluster_number[path]} {{")
            lines.append(indent + cluster_style(picture, path))
            stack.append((path, True))
        for node in nodes_in.get(path, []):
            lines.append(node_line(picture, node, columns, indent))
        for child in reversed(children.get(path, [])):
            stack.append((child, False))


def cluster_style(picture: Picture, path: str) -> str:
    """A time step is a filled column; any other scope (layer, direction) a dashed frame."""
    name = path.rpartition("/")[2]
    step = picture.find_step(path)
    if step is not None and step.path == path:
        return (f'graph [label={quote(name)}, style="rounded,filled", fillcolor="{labels.STEP_CLUSTER_FILL}", '
                'color="#9db4d0", fontsize="11"]')
    return f'graph [label={quote(name)}, style="rounded,dashed", color="#888888", fontsize="12"]'


def write_edges(picture: Picture, columns: Columns, lines: list[str]) -> None:
    """One line per picture edge, styled by what it carries."""
    options = picture.options
    by_contribution = contribution_per_pair(picture.tensors) if options.contributions else {}
    by_flow = gradient_per_pair(picture.root, picture.tensors) if options.flow else {}
    flows = {key: edge_gradient(edge, by_flow) for key, edge in picture.edges.items()} if options.flow else {}
    largest = max((float(np.linalg.norm(g)) for g in flows.values() if g is not None), default=0.0)
    for key, edge in picture.edges.items():
        tail, head = picture.by_key[edge.tail], picture.by_key[edge.head]
        source = edge.pairs[0][0]
        attributes: dict[str, str] = {}
        texts: list[str] = []
        if is_parameter(source):
            attributes["color"] = labels.PARAMETER_EDGE
            if options.contributions:
                texts.append(labels.norm_text(edge_gradient(edge, by_contribution)))
        if tail.kind == "cell":
            # An arrow leaving a cell: say what travels on it (the state's name, or its shape).
            texts.append(source.name or labels.shape_text(source.shape))
        if options.flow:
            grad = flows[key]
            norm = float(np.linalg.norm(grad)) if grad is not None else 0.0
            attributes.update(labels.gradient_style(norm, largest))
            if options.view == "cell" and grad is not None:
                texts.append(labels.norm_text(grad))
        if tail.kind == "tensor" and head.kind == "tensor" and tail.cluster == head.cluster and head.step is not None:
            # Inside one time step: pull the step's ops together, so each step is a compact column.
            attributes["weight"] = "4"
        if key in columns.free:
            attributes["constraint"] = "false"
        text = "\n".join(t for t in texts if t)
        if text:
            attributes["label"] = text
        line = draw_edge_line(tail, head, attributes)
        lines.append(line)


def draw_edge_line(tail: PictureNode, head: PictureNode, attributes: dict[str, str]) -> str:
    """``a -> b [...]``, or, for an edge going back in time, ``b -> a [dir=back]``.

    The backward direction of a BRNN runs from t=T-1 down to t=0. Writing its
    state edges reversed (and drawing the arrowhead at the tail) lets dot
    place t=0 on the left in both bands, so the columns of the two
    directions line up, as in the seeds' bidirectional diagrams.
    """
    if goes_back_in_time(tail, head):
        attributes = dict(attributes, dir="back")
        return f"  {head.key} -> {tail.key} {attribute_text(attributes)}"
    return f"  {tail.key} -> {head.key} {attribute_text(attributes)}"


def write_ordering(columns: Columns, lines: list[str]) -> None:
    """The invisible edges that keep the time steps in columns, left to right."""
    for tail, head in columns.ordering:
        lines.append(f'  {tail} -> {head} [style="invis"]')
