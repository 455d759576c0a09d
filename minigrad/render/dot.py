"""Pass 5 of a picture: the DOT text (clusters, nodes, edges, column order) and the gradients the edges carry."""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..tensor import Tensor
from . import labels
from .collect import Picture, PictureEdge, PictureNode, is_parameter
from .columns import Columns, goes_back_in_time, plan_columns


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
