"""Pass 4 of a picture: the time steps as columns, left to right, by constraints dot lays out itself."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

from .collect import Picture, PictureNode


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
        for parent in picture.drawn_parents(tensor):
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
