"""The step-through page of a backward sweep (``minigrad.animate_backward``), without a browser.

The page's data (the JSON inside it) is checked against the engine itself:
the order in which ``backward`` really called each op's vector-Jacobian
product (logged by wrapping every node's ``_backward``), the parameters'
``.grad``, and the picture ``draw`` makes. tests/test_animate_browser.py
opens the page in Chromium.
"""
from __future__ import annotations

import json
import re

import numpy as np
import pytest

import minigrad as mg
from minigrad.render.graph import Options, Picture, StepFinder
from minigrad_cli.draw import CELL_NAMES, main as cli_main, run_forward

KINDS = ("rnn", "lstm", "gru", "brnn")


def page_data(animation: mg.render.BackwardAnimation) -> dict:
    found = re.search(r'<script type="application/json" id="mg-data">(.*?)</script>', animation.html, re.S)
    return json.loads(found.group(1))


def svg_node_ids(animation: mg.render.BackwardAnimation) -> dict[str, str]:
    """SVG element id -> the DOT key in its title."""
    return dict(re.findall(r'<g id="([^"]+)" class="node">\s*<title>([^<]*)</title>', animation.html))


def logged_backward(loss: mg.Tensor) -> list[mg.Tensor]:
    """Run ``loss.backward(keep_contributions="all")`` and return the tensors whose backward ran, in order."""
    called: list[mg.Tensor] = []

    def logging(backward):
        def run(g, out):
            called.append(out)
            return backward(g, out)
        return run

    for tensor in mg.topological_order(loss):
        if tensor.parents:
            tensor._backward = logging(tensor._backward)
    loss.backward(keep_contributions="all")
    return called


def picture_of(loss: mg.Tensor, view: str, cell_name: str = "cell") -> Picture:
    return Picture(loss, Options(view, False, False, False, False, None, cell_name, 6), StepFinder(r"t=(\d+)"))


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("view", ("op", "cell"))
def test_steps_follow_the_engines_own_order(kind, view):
    loss = run_forward(kind, 3, 3, 2, 1, "last", seed=0)
    called = logged_backward(loss)
    animation = mg.animate_backward(loss, view=view, cell_name=CELL_NAMES[kind])
    picture = picture_of(loss, view, CELL_NAMES[kind])
    titles = svg_node_ids(animation)
    shown = [titles[step["node"]] for step in page_data(animation)["steps"]]
    assert animation.steps == len(called)
    assert shown == [picture.node_of[id(tensor)].key for tensor in called]


@pytest.mark.parametrize("kind", KINDS)
def test_each_parameter_collects_one_contribution_per_use_summing_to_its_grad(kind):
    loss = run_forward(kind, 4, 3, 2, 1, "all", seed=1)
    loss.backward(keep_contributions="all")
    data = page_data(mg.animate_backward(loss))
    parameters = {t.name: t for t in mg.topological_order(loss) if t.requires_grad and not t.parents}
    assert sorted(p["name"] for p in data["parameters"]) == sorted(parameters)
    for shown in data["parameters"]:
        tensor = parameters[shown["name"]]
        assert len(shown["arrivals"]) == len(tensor.contributions)
        assert float(shown["arrivals"][-1]["pooled_norm"]) == pytest.approx(np.linalg.norm(tensor.grad), rel=1e-3)
    # The recurrent weight is used once per time step: its pooled gradient arrives in 4 parts, last step first.
    recurrent = next(p for p in data["parameters"] if p["name"] == "weight_hh_l0")
    assert [a["scope"] for a in recurrent["arrivals"]] == [f"layer0/fwd/t={t}" for t in (3, 2, 1, 0)]


def test_the_state_edges_of_an_lstm_cell_view_carry_their_own_gradients():
    """h and c travel between two cells on two edges with the same ends: each norm goes on its own edge."""
    loss = run_forward("lstm", 3, 3, 2, 1, "last", seed=0)
    loss.backward(keep_contributions="all")
    animation = mg.animate_backward(loss, view="cell", cell_name="LSTM cell")
    groups = dict(re.findall(r'<g id="(edge\d+)" class="edge">(.*?)</g>', animation.html, re.S))
    picture = picture_of(loss, "cell", "LSTM cell")
    from minigrad.render.animate import edge_elements, svg_ids
    elements = edge_elements(picture, svg_ids(animation.html[animation.html.index("<svg"):])[1])
    cells = {node.key for node in picture.nodes.values() if node.kind == "cell"}
    state_edges = [(key, edge) for key, edge in picture.edges.items() if {edge.tail, edge.head} <= cells]
    assert sorted(edge.pairs[0][0].name for _, edge in state_edges) == ["C", "C", "h", "h"]     # t=0->1, t=1->2 (the LSTM names its cell state C)
    for key, edge in state_edges:
        label = re.findall(r">([^<]*)</text>", groups[elements[key]])
        assert edge.pairs[0][0].name in label


def test_the_page_is_one_file_that_needs_no_network(tmp_path):
    loss = run_forward("rnn", 3, 3, 2, 1, "last", seed=0)
    loss.backward(keep_contributions="all")
    path = mg.animate_backward(loss).save(str(tmp_path / "bptt.html"))
    page = open(path, encoding="utf-8").read()
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and 'id="mg-slider"' in page
    assert not re.search(r"<link|<img|\ssrc=|@import|url\(", page)
    addresses = set(re.findall(r'https?://[^\s"\'<>]+', page))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}, addresses
    assert "<iframe srcdoc=" in mg.animate_backward(loss)._repr_html_()


# ------------------------------------------------------------------ bad input
def test_a_tensor_nothing_requires_grad_for_says_what_to_do():
    loss = (mg.Tensor([1.0, 2.0]) * 3).sum()
    with pytest.raises(ValueError, match=r"does not depend on any tensor with requires_grad=True.*"
                                         r"keep_contributions='all'"):
        mg.animate_backward(loss)


def test_backward_not_run_or_run_without_every_edge_says_what_to_do():
    w = mg.Tensor([[0.5, -0.3], [0.2, 0.8]], requires_grad=True, name="W")
    loss = (w @ mg.Tensor([1.0, 2.0])).tanh().sum()
    with pytest.raises(ValueError, match=r"has not been run on this graph.*call loss.backward\(keep_contributions='all'\) first"):
        mg.animate_backward(loss)
    loss.backward(keep_contributions=True)
    with pytest.raises(ValueError, match=r"was run with keep_contributions=True, which records only the leaves"):
        mg.animate_backward(loss)
    loss.backward(keep_contributions="all")
    assert mg.animate_backward(loss).steps == 3       # sum, tanh, matmul


def test_gradients_left_by_two_different_backward_calls_are_refused():
    w = mg.Tensor([0.5, -0.3], requires_grad=True, name="w")
    h = w * 2.0
    first, second = h.sum(), (h * h).sum()
    second.backward(keep_contributions="all")
    first.backward(keep_contributions="all")          # rewrites what h and w recorded
    with pytest.raises(ValueError, match="more than one backward call"):
        mg.animate_backward(second)


def test_a_leaf_and_a_bad_view_are_refused_by_name():
    with pytest.raises(ValueError, match="is a leaf"):
        mg.animate_backward(mg.Tensor([1.0], requires_grad=True))
    loss = run_forward("rnn", 2, 2, 2, 1, "last", seed=0)
    loss.backward(keep_contributions="all")
    with pytest.raises(ValueError, match=r"animate_backward: view must be one of 'op', 'cell', got 'cells'"):
        mg.animate_backward(loss, view="cells")
    with pytest.raises(ValueError, match="animate_backward: first_last must be an integer >= 1, got 0"):
        mg.animate_backward(loss, first_last=0)


def test_a_graph_too_large_to_follow_is_refused_before_any_layout():
    loss = run_forward("rnn", 4, 3, 2, 1, "last", seed=0)
    loss.backward(keep_contributions="all")
    with pytest.raises(ValueError, match=r"more than max_steps=5 steps \(one per op\).*Unroll fewer time steps"):
        mg.animate_backward(loss, max_steps=5)
    long = run_forward("rnn", 1500, 3, 2, 1, "last", seed=0)   # 4 ops per step: over the default 2000
    long.backward(keep_contributions="all")
    with pytest.raises(ValueError, match="more than max_steps=2000"):
        mg.animate_backward(long)


def test_minigrad_draw_writes_the_page_with_animate(tmp_path, capsys):
    page = tmp_path / "gru.html"
    assert cli_main(["gru", "--steps", "3", "--view", "cell", "--animate", "-o", str(page)]) == 0
    assert 'id="mg-slider"' in page.read_text() and "GRU cell, t=2" in page.read_text()
    assert cli_main(["gru", "--animate", "-o", str(tmp_path / "gru.svg")]) == 2
    assert "--animate writes an HTML page: give -o FILE.html, got" in capsys.readouterr().err
