"""The unrolled net laid out as the lectures draw it: one column per time step, left to right.

Checked on the coordinates Graphviz itself computes (``-Tjson`` of the DOT
that ``minigrad.draw`` writes), with Graphviz's ``dot`` and with the
pip-installed graphviz-pure (a port of it), each where it is installed.
A *box* is what stands for one time step of one family (a layer and
direction): a ``t=k`` cluster in the op view, a cell in the cell view, a
"..." node for the steps ``first_last`` leaves out.
"""
from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from typing import Optional

import numpy as np
import pytest

import minigrad as mg
import nets
from minigrad.render import output
from minigrad_cli.draw import make_drawing

PROGRAMS = {"dot": output.find_dot(), "graphviz-pure": output.find_graphviz_pure()}


@pytest.fixture(params=sorted(PROGRAMS))
def program(request) -> str:
    path = PROGRAMS[request.param]
    if path is None:
        pytest.skip(f"{request.param} is not installed")
    return path


# ------------------------------------------------------------------ reading Graphviz's layout
@dataclass
class Box:
    family: str          # "layer0/bwd"
    first: int           # the time steps it stands for: one, or first..last for a "..."
    last: int
    left: float          # its horizontal extent in points
    right: float


@dataclass
class Layout:
    boxes: list[Box]
    x: dict[str, float]              # node id -> x of its centre
    left: dict[str, float]           # node id -> x of its left side
    right: dict[str, float]
    title: dict[str, str]            # node id -> the bold first line of its label
    box_of: dict[str, Box]           # node id -> the box it is drawn in (a cell or "..." is its own box)
    edges: list[tuple[str, str]]     # (tail, head) as data flows (dir=back turned round)


def laid_out(source: str, program: str) -> Layout:
    """Run ``program -Tjson`` on ``source`` and collect boxes, node positions and edges."""
    result = subprocess.run([program, "-Tjson"], input=source.encode(), capture_output=True, check=True)
    data = json.loads(result.stdout)
    objects, clusters = data["objects"], data["_subgraph_cnt"]
    parent = {child: index for index in range(clusters) for child in objects[index].get("subgraphs", [])}

    def path(index: Optional[int]) -> str:
        labels = []
        while index is not None:
            labels.append(objects[index]["label"])
            index = parent.get(index)
        return "/".join(reversed(labels))

    boxes, cluster_of = [], {}
    for index in range(clusters):
        left, _, right, _ = map(float, objects[index]["bb"].split(","))
        if re.fullmatch(r"t=\d+", objects[index]["label"]):
            boxes.append(Box(path(parent.get(index)), *[int(objects[index]["label"][2:])] * 2, left, right))
        for node in objects[index].get("nodes", []):
            # Clusters come outer before inner, so the innermost one is written last.
            cluster_of[objects[node]["name"]] = path(index)
    step_cluster = {f"{box.family}/t={box.first}": box for box in boxes}
    layout = Layout(boxes, {}, {}, {}, {}, {}, [])
    for node in objects[clusters:]:
        name = node["name"]
        x, half = float(node["pos"].split(",")[0]), float(node["width"]) * 72 / 2
        layout.x[name], layout.left[name], layout.right[name] = x, x - half, x + half
        label = node.get("label", "")
        layout.title[name] = re.sub(r"<[^>]+>", "", label.split("<br/>")[0])
        cell = re.search(r"cell, t=(\d+)</b>", label)
        hidden = re.search(r"\(t=(\d+)\.\.(\d+)\)", label)
        steps = cell.group(1, 1) if cell else hidden.group(1, 2) if hidden else None
        if steps is not None:
            layout.box_of[name] = Box(cluster_of[name], int(steps[0]), int(steps[1]), x - half, x + half)
            boxes.append(layout.box_of[name])
        else:
            inside = re.match(r"(.*?/t=\d+)(/|$)", cluster_of.get(name, ""))
            if inside:
                layout.box_of[name] = step_cluster[inside.group(1)]
    names = [node["name"] for node in objects[clusters:]]
    for edge in data.get("edges", []):
        if edge.get("style") == "invis":
            continue
        tail, head = names[edge["tail"] - clusters], names[edge["head"] - clusters]
        layout.edges.append((head, tail) if edge.get("dir") == "back" else (tail, head))
    return layout


# ------------------------------------------------------------------ what the lectures' pictures look like
def assert_columns(layout: Layout, steps: int, families: set[str]) -> None:
    """One column per time step, left to right, every family's box of time t in the column of t."""
    boxes = layout.boxes
    assert {box.family for box in boxes} == families
    for family in families:
        covered = sorted(t for box in boxes if box.family == family for t in range(box.first, box.last + 1))
        assert covered == list(range(steps)), f"{family}: steps {covered}"
    for earlier in boxes:
        for later in boxes:
            if earlier.last < later.first:
                assert earlier.right < later.left, (
                    f"{earlier.family} t={earlier.first}..{earlier.last} ends at x={earlier.right:.0f}, "
                    f"right of "
                    f"{later.family} t={later.first}..{later.last}, which starts at x={later.left:.0f}")
            if (earlier.first, earlier.last) == (later.first, later.last):
                # The same time in another band (the backward net, the next layer): the same column.
                assert max(earlier.left, later.left) < min(earlier.right, later.right), (
                    f"{earlier.family} and {later.family} at t={earlier.first} are not in one column")


def assert_state_runs_along_time(layout: Layout) -> None:
    """Every edge between two steps of a family runs from the column of one to the column of the other."""
    crossing = 0
    for tail, head in layout.edges:
        tail_box, head_box = layout.box_of.get(tail), layout.box_of.get(head)
        if tail_box is None or head_box is None or tail_box is head_box or tail_box.family != head_box.family:
            continue
        crossing += 1
        later, earlier = (tail, head) if tail_box.first > head_box.first else (head, tail)
        assert layout.x[later] > layout.x[earlier], f"edge {tail} -> {head} runs against time"
    assert crossing > 0, "no state edge between steps was found"


def assert_loss_last_and_input_first(layout: Layout) -> None:
    """The input x left of every column, the loss (the final sum) right of every column."""
    x = [name for name, title in layout.title.items() if title == "x"]
    loss = [name for name, title in layout.title.items() if title == "sum"]
    assert len(x) == 1 and len(loss) == 1
    assert layout.right[x[0]] < min(box.left for box in layout.boxes)
    assert layout.left[loss[0]] > max(box.right for box in layout.boxes)


def family_names(kind: str, layers: int) -> set[str]:
    directions = ("fwd", "bwd") if kind == "brnn" else ("fwd",)
    return {f"layer{layer}/{direction}" for layer in range(layers) for direction in directions}


@pytest.mark.parametrize("layers", [1, 2])
@pytest.mark.parametrize("view", ["op", "cell"])
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru", "brnn"])
def test_one_column_per_time_step(program, kind, view, layers):
    steps = 4 if layers == 1 else 3
    layout = laid_out(make_drawing(kind=kind, steps=steps, view=view, layers=layers).source, program)
    assert_columns(layout, steps, family_names(kind, layers))
    assert_state_runs_along_time(layout)
    assert_loss_last_and_input_first(layout)


@pytest.mark.parametrize("view", ["op", "cell"])
@pytest.mark.parametrize("kind", ["lstm", "brnn"])
def test_first_last_puts_the_ellipsis_column_between_the_first_and_last_steps(program, kind, view):
    layout = laid_out(make_drawing(kind=kind, steps=9, view=view, first_last=2).source, program)
    assert_columns(layout, 9, family_names(kind, 1))
    hidden = [box for box in layout.boxes if box.first != box.last]
    assert {(box.first, box.last) for box in hidden} == {(2, 6)}
    assert_state_runs_along_time(layout)


def test_the_recurrent_chain_of_a_long_op_view_runs_left_to_right(program):
    """12 LSTM steps in the op view: the staircase this layout replaced overlapped every pair of steps."""
    layout = laid_out(make_drawing(kind="lstm", steps=12, view="op").source, program)
    assert_columns(layout, 12, {"layer0/fwd"})
    assert_state_runs_along_time(layout)


# ------------------------------------------------------------------ the backward net, by the time it reads
def test_the_backward_step_named_t_holds_h_b_of_t():
    """Seed 004, "Bidirectional RNN block": h(t) = [h_f(t); h_b(t)].

    The backward net's scope t=k computes h_b(k), from x(k)."""
    T, H, D = 4, 3, 2
    rng = np.random.default_rng(3)
    net = nets.BRNN(D, H, rng=rng)
    x = rng.normal(size=(T, 1, D))
    out, _ = net(x)
    tensors = mg.topological_order(out.sum())

    def found(scope: str, op: str) -> mg.Tensor:
        matches = [tensor for tensor in tensors if tensor.scope == scope and tensor.op == op]
        assert len(matches) == 1, f"{len(matches)} {op} in {scope}"
        return matches[0]

    bias = net.bias_ih_l0_reverse.data + net.bias_hh_l0_reverse.data
    projection = x @ net.weight_ih_l0_reverse.data.T + bias
    for t in range(T):
        np.testing.assert_allclose(found(f"layer0/bwd/t={t}", "tanh").data, out.data[t, :, H:], atol=1e-15)
        np.testing.assert_allclose(found(f"layer0/fwd/t={t}", "tanh").data, out.data[t, :, :H], atol=1e-15)
        # The slice of the projected input the step reads: x(t), not x(T-1-t).
        np.testing.assert_allclose(found(f"layer0/bwd/t={t}", "getitem").data, projection[t], atol=1e-14)


# ------------------------------------------------------------------ graphs without time steps
def test_a_graph_without_time_steps_gets_no_column_constraints(program):
    """A plain MLP: no ordering edges, no groups, no freed edges, dot's usual ranking; it still lays out."""
    rng = np.random.default_rng(0)
    with mg.scope("hidden"):
        w1 = mg.Tensor(rng.normal(size=(3, 2)), requires_grad=True, name="w1")
        hidden = (mg.Tensor(rng.normal(size=(4, 3)), name="x") @ w1).tanh()
    with mg.scope("readout"):
        w2 = mg.Tensor(rng.normal(size=(2, 1)), requires_grad=True, name="w2")
        loss = (hidden @ w2).sum()
    source = mg.draw(loss).source
    for attribute in ('style="invis"', "group=", "constraint=", "newrank"):
        assert attribute not in source
    layout = laid_out(source, program)
    assert layout.boxes == []
    assert {"x", "w1", "w2", "sum"} <= set(layout.title.values())


def test_a_family_whose_steps_read_another_familys_later_steps_keeps_its_own_columns(program):
    """An encoder-decoder shape: the decoder's step 0 reads the encoder's last step, so the
    two cannot share columns; each keeps its steps in time order, the decoder after the encoder."""
    rng = np.random.default_rng(0)
    w = mg.Tensor(rng.normal(size=(3, 3)), requires_grad=True, name="w")
    h = mg.Tensor(np.zeros((1, 3)), name="h0")
    for family in ("encoder", "decoder"):
        for t in range(3):
            with mg.scope(family), mg.scope(f"t={t}"):
                h = (h @ w).tanh()
    source = mg.draw(h.sum()).source
    layout = laid_out(source, program)
    encoder = sorted((box.first, box) for box in layout.boxes if box.family == "encoder")
    decoder = sorted((box.first, box) for box in layout.boxes if box.family == "decoder")
    sequence = [box for _, box in encoder] + [box for _, box in decoder]
    assert len(sequence) == 6
    for earlier, later in zip(sequence, sequence[1:]):
        assert earlier.right < later.left


def test_steps_whose_data_contradict_their_time_order_get_no_ordering_edges(program):
    """t=0 computed from t=1 through a tensor outside the steps: no order of columns fits, so
    the picture is drawn as dot ranks the data alone (and still lays out)."""
    w = mg.Tensor(np.ones((2, 2)), requires_grad=True, name="w")
    with mg.scope("net"), mg.scope("t=1"):
        later = (mg.Tensor(np.ones((1, 2)), name="x") @ w).tanh()
    doubled = later * 2.0
    with mg.scope("net"), mg.scope("t=0"):
        earlier = (doubled @ w).tanh()
    source = mg.draw(earlier.sum()).source
    assert 'style="invis"' not in source
    layout = laid_out(source, program)
    assert sorted(box.first for box in layout.boxes) == [0, 1]
