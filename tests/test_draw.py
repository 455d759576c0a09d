"""The graph renderer: structure of the DOT it writes, gradients on it, and both ways of rendering it.

Structure is checked on the DOT source (clusters, nodes, edges, labels),
parsed with the small helpers below, not by looking at pictures.
"""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import nets
from minigrad.render import RendererNotFound, labels, output
from minigrad_cli.draw import main as cli_main

H, D = 3, 2


# ------------------------------------------------------------------ parsing the DOT we write
def clusters(source: str) -> list[str]:
    """The labels of every cluster, in order."""
    return re.findall(r'subgraph cluster_\d+ \{\n\s*graph \[label="([^"]*)"', source)


def step_clusters(source: str) -> list[str]:
    return [name for name in clusters(source) if re.fullmatch(r"t=\d+", name)]


def nodes(source: str) -> dict[str, str]:
    """node id -> its label (HTML-like, tags included)."""
    return dict(re.findall(r"^\s*(n\d+) \[label=<(.*)>, shape=", source, flags=re.MULTILINE))


def edges(source: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) in the direction data flows (edges written reversed are turned back).

    The invisible edges that keep time steps in columns carry no data and are left out.
    """
    found = []
    for tail, head, attributes in re.findall(r"^\s*(n\d+) -> (n\d+) ?(.*)$", source, flags=re.MULTILINE):
        if 'style="invis"' in attributes:
            continue
        if 'dir="back"' in attributes:
            tail, head = head, tail
        found.append((tail, head, attributes))
    return found


def node_named(source: str, title: str) -> str:
    """The id of the one node whose bold title is ``title``."""
    matches = [key for key, label in nodes(source).items() if label.startswith(f"<b>{title}</b>")]
    assert len(matches) == 1, f"{title!r} appears {len(matches)} times"
    return matches[0]


def out_edges(source: str, key: str) -> list[tuple[str, str, str]]:
    return [edge for edge in edges(source) if edge[0] == key]


def unrolled(kind: str, steps: int, backward: bool = False) -> tuple[nets.RecurrentNet, mg.Tensor]:
    rng = np.random.default_rng(0)
    net = nets.BRNN(D, H, rng=rng) if kind == "brnn" else {"rnn": nets.RNN, "lstm": nets.LSTM,
                                                              "gru": nets.GRU}[kind](D, H, rng=rng)
    output_, _ = net(rng.normal(size=(steps, 1, D)))
    loss = output_[steps - 1].sum()
    if backward:
        loss.backward(keep_contributions=True)
    return net, loss


# ------------------------------------------------------------------ the op view
@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_one_cluster_per_time_step(kind):
    _, loss = unrolled(kind, 5)
    source = mg.draw(loss).source
    assert sorted(step_clusters(source)) == [f"t={t}" for t in range(5)]
    assert {"layer0", "fwd"} <= set(clusters(source))


@pytest.mark.parametrize("kind", ["rnn", "lstm", "gru"])
def test_shared_parameter_drawn_once_with_one_edge_per_use(kind):
    steps = 4
    _, loss = unrolled(kind, steps)
    source = mg.draw(loss).source
    weight_hh = node_named(source, "weight_hh_l0")
    assert len(out_edges(source, weight_hh)) == steps
    assert f"shared by {steps} uses" in nodes(source)[weight_hh]
    assert len(out_edges(source, node_named(source, "weight_ih_l0"))) == 1


def test_parameters_sit_outside_every_cluster():
    _, loss = unrolled("lstm", 3)
    source = mg.draw(loss).source
    top_level = re.findall(r"^  (n\d+) \[", source, flags=re.MULTILINE)   # indented once: not in a cluster
    assert node_named(source, "weight_hh_l0") in top_level
    assert node_named(source, "bias_ih_l0") in top_level


def test_brnn_has_both_directions_in_separate_bands():
    _, loss = unrolled("brnn", 3)
    source = mg.draw(loss).source
    names = clusters(source)
    assert "fwd" in names and "bwd" in names
    assert len(step_clusters(source)) == 6
    assert len(out_edges(source, node_named(source, "weight_hh_l0_reverse"))) == 3


def test_labels_carry_ops_and_shapes():
    _, loss = unrolled("lstm", 2)
    labels_ = list(nodes(source := mg.draw(loss).source).values())
    assert any(label.startswith("<b>sigmoid</b>") and "(1, 12)" in label for label in labels_)
    assert any(label.startswith("<b>tanh</b>") and "(1, 3)" in label for label in labels_)
    assert any(label.startswith("<b>weight_hh_l0</b>") and "(12, 3)" in label for label in labels_)
    assert "scalar" in nodes(source)[re.findall(r"(n\d+) \[label=<<b>sum</b>", source)[0]]


def test_parameters_inputs_and_ops_are_styled_apart():
    _, loss = unrolled("rnn", 2)
    source = mg.draw(loss).source
    parameter = re.search(r'weight_hh_l0</b>.*fillcolor="([^"]+)"', source).group(1)
    operation = re.search(r'<b>tanh</b>.*fillcolor="([^"]+)"', source).group(1)
    given = re.search(r'<b>input</b>.*fillcolor="([^"]+)"', source).group(1)
    assert len({parameter, operation, given}) == 3


def test_values_small_in_full_large_as_a_norm():
    W = mg.Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, name="W")
    big = mg.Tensor(np.ones(10), requires_grad=True, name="big")
    source = mg.draw((W.sum() + big.sum()), values=True).source
    assert "value [[1., 2.], [3., 4.]]" in source
    assert f"value ‖·‖ = {np.sqrt(10):.3g}" in source


def test_a_graph_without_scopes_and_a_lone_tensor():
    W = mg.Tensor([[0.9, -0.2], [0.3, 0.7]], requires_grad=True, name="W_hh")
    h = mg.Tensor([1.0, 0.5])
    for t in range(3):
        with mg.scope(f"t={t}"):
            h = (W @ h).tanh()
    source = mg.draw(h.sum()).source
    assert sorted(step_clusters(source)) == ["t=0", "t=1", "t=2"]
    assert len(out_edges(source, node_named(source, "W_hh"))) == 3
    assert "digraph" in mg.draw(mg.Tensor([1.0])).source


# ------------------------------------------------------------------ gradients on the picture
def test_pooled_gradient_label_equals_the_parameter_gradient():
    steps = 4
    net, loss = unrolled("rnn", steps, backward=True)
    source = mg.draw(loss, grads=True, small=100).source
    label = nodes(source)[node_named(source, "weight_hh_l0")]
    expected = labels.escape(labels.format_array(net.weight_hh_l0.grad, 100))
    assert f"grad = Σ over {steps} uses</font><br/><font point-size=\"9\">{expected}</font>" in label


def test_each_edge_out_of_a_parameter_is_labelled_with_its_contribution():
    steps = 4
    net, loss = unrolled("rnn", steps, backward=True)
    source = mg.draw(loss, contributions=True).source
    drawn = sorted(float(re.search(r"‖g‖ ([0-9.e+-]+)", attributes).group(1))
                   for _, _, attributes in out_edges(source, node_named(source, "weight_hh_l0")))
    recorded = sorted(float(f"{np.linalg.norm(grad):.3g}") for _, grad in net.weight_hh_l0.contributions)
    assert drawn == recorded
    assert np.allclose(sum(grad for _, grad in net.weight_hh_l0.contributions), net.weight_hh_l0.grad)


def test_gradient_flow_fades_back_along_the_recurrent_chain():
    # tanh RNN with small recurrent weights and the loss on the last step: dL/dh(t) shrinks going back.
    steps = 6
    _, loss = unrolled("rnn", steps)
    loss.backward(keep_contributions="all")
    source = mg.draw(loss, view="cell", flow=True).source
    cell = {int(m.group(2)): m.group(1) for m in re.finditer(r"(n\d+) \[label=<<b>cell, t=(\d+)</b>", source)}
    widths = []
    for t in range(steps - 1):
        (attributes,) = [a for tail, head, a in edges(source) if tail == cell[t] and head == cell[t + 1]]
        widths.append(float(re.search(r'penwidth="([0-9.]+)"', attributes).group(1)))
    assert widths == sorted(widths) and widths[0] < widths[-1]


def test_flow_needs_the_gradients_along_edges_and_says_how_to_get_them():
    net, loss = unrolled("gru", 3)
    with pytest.raises(ValueError, match=r"call root.backward\(keep_contributions='all'\) first"):
        mg.draw(loss, flow=True)
    assert all(parameter.grad is None for parameter in net.parameters())


# ------------------------------------------------------------------ cell view and long sequences
@pytest.mark.parametrize("kind, cell", [("lstm", "LSTM cell"), ("gru", "GRU cell"), ("rnn", "RNN cell")])
def test_cell_view_has_one_box_per_step_fed_by_the_shared_weights(kind, cell):
    steps = 5
    _, loss = unrolled(kind, steps)
    source = mg.draw(loss, view="cell", cell_name=cell).source
    boxes = re.findall(rf"(n\d+) \[label=<<b>{cell}, t=(\d+)</b>", source)
    assert sorted(int(t) for _, t in boxes) == list(range(steps))
    assert step_clusters(source) == []
    weight_hh = node_named(source, "weight_hh_l0")
    assert {head for _, head, _ in out_edges(source, weight_hh)} == {key for key, _ in boxes}
    # The state goes from each box to the next: (h, c) for the LSTM, h otherwise.
    by_step = {int(t): key for key, t in boxes}
    chained = [edge for edge in edges(source) if (edge[0], edge[1]) == (by_step[1], by_step[2])]
    assert len(chained) == (2 if kind == "lstm" else 1)


def test_cell_view_of_a_brnn_has_both_bands_of_boxes():
    _, loss = unrolled("brnn", 4)
    source = mg.draw(loss, view="cell").source
    assert len(re.findall(r"<b>cell, t=\d+</b>", source)) == 8
    assert "fwd" in clusters(source) and "bwd" in clusters(source)


def test_first_last_draws_the_ends_and_an_ellipsis():
    _, loss = unrolled("lstm", 20)
    source = mg.draw(loss, first_last=2).source
    assert sorted(step_clusters(source), key=lambda name: int(name[2:])) == ["t=0", "t=1", "t=18", "t=19"]
    assert "... 16 steps (t=2..17) ..." in source
    weight_hh = node_named(source, "weight_hh_l0")
    assert "shared by 20 uses" in nodes(source)[weight_hh]
    assert len(out_edges(source, weight_hh)) == 5          # 4 drawn steps and the ellipsis


def test_long_sequences_need_no_recursion():
    _, loss = unrolled("rnn", 1500)                       # deeper than Python's recursion limit
    assert len(step_clusters(mg.draw(loss).source)) == 1500


def test_bad_arguments():
    _, loss = unrolled("rnn", 2)
    with pytest.raises(ValueError, match="view"):
        mg.draw(loss, view="cells")
    with pytest.raises(ValueError, match="first_last"):
        mg.draw(loss, first_last=0)


# ------------------------------------------------------------------ rendering, with and without dot
@pytest.fixture
def without_dot(monkeypatch, tmp_path):
    """PATH without Graphviz's dot (nor anything else)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert output.find_dot() is None


def small_drawing() -> mg.render.Drawing:
    _, loss = unrolled("rnn", 2)
    return mg.draw(loss, view="cell")


def test_renders_with_graphviz_dot():
    assert output.find_dot() is not None, "Graphviz's dot is needed for this test (.ci/run installs it)"
    drawing = small_drawing()
    assert output.which_renderer() == "dot"
    assert b"<svg" in drawing.pipe(format="svg")
    assert drawing.pipe(format="png").startswith(b"\x89PNG")
    assert drawing.pipe(format="pdf").startswith(b"%PDF")


def test_renders_with_graphviz_pure_when_dot_is_missing(without_dot, tmp_path):
    assert output.which_renderer() == "graphviz-pure"
    drawing = small_drawing()
    svg = drawing.pipe(format="svg", encoding="utf-8")
    assert "<svg" in svg and "cell, t=1" in svg
    assert drawing.pipe(format="png").startswith(b"\x89PNG")
    pdf = drawing.pipe(format="pdf")
    assert pdf.startswith(b"%PDF") and pdf.rstrip().endswith(b"%%EOF")
    png_at_pdf_dpi = output.layout(drawing.source, "png")  # graphviz-pure at its default 96 dpi
    width, height = png_size(png_at_pdf_dpi)
    page = re.search(rb"/MediaBox \[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
    assert page is not None, pdf[:400]
    # One page, the picture at 192 dpi: 72 points per inch, so width / 96 inches = width * 0.75 points.
    assert abs(float(page.group(1)) - width * 0.75) <= 1 and abs(float(page.group(2)) - height * 0.75) <= 1
    written = drawing.render(outfile=str(tmp_path / "picture.png"))
    assert Path(written).read_bytes().startswith(b"\x89PNG") and (tmp_path / "picture.gv").exists()
    assert "<svg" in drawing._repr_mimebundle_()["image/svg+xml"]


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) from a PNG's header chunk."""
    assert png.startswith(b"\x89PNG")
    return int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")


def test_pdf_without_dot_and_without_pillow_is_one_error_naming_what_can_be_written(without_dot, monkeypatch):
    monkeypatch.setitem(sys.modules, "PIL", None)          # import PIL now raises ImportError
    drawing = small_drawing()
    with pytest.raises(output.RendererNotFound) as error:
        drawing.pipe(format="pdf")
    message = str(error.value)
    assert "needs Pillow (pip install pillow" in message and "minigrad[pdf]" in message
    assert "writes only svg, png and the DOT source" in message
    assert drawing.pipe(format="png").startswith(b"\x89PNG")  # the other formats still work


def test_graphviz_pure_is_found_without_activating_the_environment():
    # A fresh interpreter with an empty PATH, as `.venv/bin/python script.py` from a plain shell.
    code = "from minigrad.render.output import find_graphviz_pure; print(find_graphviz_pure())"
    found = subprocess.run([sys.executable, "-c", code], env={"PATH": ""}, capture_output=True, text=True,
                           check=True).stdout.strip()
    assert found != "None" and Path(found).is_file()


def test_without_any_renderer_one_error_says_how_to_get_one(without_dot, monkeypatch):
    monkeypatch.setattr(output, "find_graphviz_pure", lambda: None)
    drawing = small_drawing()
    assert "digraph" in drawing.source                     # the DOT is still there
    with pytest.raises(RendererNotFound) as error:
        drawing.pipe(format="svg")
    assert "apt install graphviz" in str(error.value) and "pip install graphviz-pure" in str(error.value)


def test_render_writes_source_and_picture(tmp_path):
    drawing = small_drawing()
    path = drawing.render(str(tmp_path / "rnn"), format="svg", cleanup=True)
    assert path == str(tmp_path / "rnn.svg") and "<svg" in Path(path).read_text()
    assert not (tmp_path / "rnn").exists()


def test_the_engine_draws_without_importing_nets():
    code = ("import sys, minigrad as mg\n"
            "W = mg.Tensor([[1.0]], requires_grad=True)\n"
            "mg.draw((W @ W).sum())\n"
            "assert 'nets' not in sys.modules\n")
    subprocess.run([sys.executable, "-c", code], check=True)


# ------------------------------------------------------------------ the command line
def test_cli_writes_a_picture(tmp_path):
    target = tmp_path / "lstm.svg"
    assert cli_main(["lstm", "--steps", "4", "--hidden", "3", "--view", "cell", "-o", str(target)]) == 0
    svg = target.read_text()
    assert "<svg" in svg and "LSTM cell, t=3" in svg


def test_cli_prints_dot_with_gradients(capsys):
    assert cli_main(["brnn", "--steps", "3", "--grads", "--contributions"]) == 0
    source = capsys.readouterr().out
    assert len(step_clusters(source)) == 6 and "Σ over 3 uses" in source


@pytest.mark.parametrize("option, value", [("--first-last", "0"), ("--steps", "-2"), ("--hidden", "x")])
def test_cli_refuses_a_size_that_is_not_a_positive_integer(option, value, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["rnn", option, value])
    assert exit_info.value.code == 2
    assert f"argument {option}: expected a positive integer, got" in capsys.readouterr().err
