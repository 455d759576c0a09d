"""The step-through page in a real browser: headless Chromium moves the slider, we read what it shows.

The page is opened at ``#step=K``: its script then sets the slider to K and
fires the slider's ``input`` event, as a reader dragging it would. Chromium's
``--dump-dom`` prints the DOM after that, and the test reads the highlighted
node and the pooled gradient shown for the recurrent weight, and compares them
with the engine: the K-th op whose backward ran (contributions sorted by the
order the engine recorded) and the sum of the weight's contributions that had
arrived by then.

Without Chromium these tests are skipped, except when
``MINIGRAD_REQUIRE_BROWSER=1`` (set by .ci/run, which installs Chromium):
then a missing browser is a failure.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.render.graph import Options, Picture, StepFinder
from minigrad_cli.draw import CELL_NAMES, run_forward

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "examples"))
import headless_chromium  # noqa: E402

if headless_chromium.find_chromium() is None:
    if os.environ.get("MINIGRAD_REQUIRE_BROWSER"):
        raise RuntimeError("MINIGRAD_REQUIRE_BROWSER is set but no Chromium was found (apt install chromium)")
    pytest.skip("no Chromium (apt install chromium); CI runs these with MINIGRAD_REQUIRE_BROWSER=1",
                allow_module_level=True)


def sweep(loss: mg.Tensor) -> list[tuple[mg.Tensor, list]]:
    """The engine's recorded sweep: (tensor whose backward ran, its contributions), in the order recorded."""
    recorded = sorted((c for t in mg.topological_order(loss) for c in (t.contributions or ())),
                      key=lambda c: c.order)
    steps: list[tuple[mg.Tensor, list]] = []
    for contribution in recorded:
        if not steps or steps[-1][0] is not contribution.user:
            steps.append((contribution.user, []))
        steps[-1][1].append(contribution)
    return steps


def shown(dom: str) -> dict:
    """What the page shows: the step counter, the highlighted nodes' titles, each parameter's pooled norm."""
    current = re.findall(r'<g id="[^"]+" class="node mg-current">\s*<title>([^<]*)</title>', dom)
    blocks = re.findall(r'data-parameter="([^"]+)">(.*?)<div class="mg-arrivals">', dom, re.S)
    pooled = {name: float(re.search(r'data-norm="([^"]+)"', block).group(1)) for name, block in blocks}
    counter = re.search(r'<span id="mg-counter">([^<]*)</span>', dom).group(1)
    traversed = re.findall(r'class="edge mg-traversed[^"]*">(.*?)</g>', dom, re.S)
    return {"current": current, "pooled": pooled, "counter": counter, "traversed": traversed}


@pytest.mark.parametrize("kind", ("rnn", "lstm", "gru", "brnn"))
@pytest.mark.parametrize("view", ("op", "cell"))
def test_moving_the_slider_highlights_the_op_processed_and_shows_the_pooled_gradient(kind, view, tmp_path):
    loss = run_forward(kind, 3, 3, 2, 1, "all", seed=2)
    loss.backward(keep_contributions="all")
    animation = mg.animate_backward(loss, view=view, cell_name=CELL_NAMES[kind])
    page = Path(animation.save(str(tmp_path / "bptt.html")))
    steps = sweep(loss)
    picture = Picture(loss, Options(view, False, False, False, False, None, CELL_NAMES[kind], 6),
                      StepFinder(r"t=(\d+)"))
    weight = next(t for t in mg.topological_order(loss) if t.name == "weight_hh_l0")
    # A step in the middle of the sweep: the recurrent weight has some of its contributions, not all.
    mine = {id(c) for c in weight.contributions}
    uses = [number for number, (_, sent) in enumerate(steps, 1) if any(id(c) in mine for c in sent)]
    k = uses[len(uses) // 2]
    dom = headless_chromium.dump_dom(headless_chromium.file_url(page, f"step={k}"))
    seen = shown(dom)
    assert seen["counter"] == f"step {k} of {len(steps)}"
    assert seen["current"] == [picture.node_of[id(steps[k - 1][0])].key]
    arrived = [c.grad for _, sent in steps[:k] for c in sent if id(c) in mine]
    assert 0 < len(arrived) < len(weight.contributions)
    assert seen["pooled"]["weight_hh_l0"] == pytest.approx(np.linalg.norm(sum(arrived)), rel=1e-3)
    assert seen["traversed"] and all('class="mg-norm"' in edge for edge in seen["traversed"])


def test_the_start_and_the_end_of_the_sweep(tmp_path):
    loss = run_forward("rnn", 4, 3, 2, 1, "last", seed=0)
    loss.backward(keep_contributions="all")
    page = Path(mg.animate_backward(loss).save(str(tmp_path / "bptt.html")))
    start = shown(headless_chromium.dump_dom(headless_chromium.file_url(page)))
    assert start["current"] == [] and start["traversed"] == [] and set(start["pooled"].values()) == {0.0}
    steps = len(sweep(loss))
    end = shown(headless_chromium.dump_dom(headless_chromium.file_url(page, f"step={steps}")))
    parameters = {t.name: t for t in mg.topological_order(loss) if t.requires_grad and not t.parents}
    assert end["counter"] == f"step {steps} of {steps}"
    for name, norm in end["pooled"].items():
        assert norm == pytest.approx(np.linalg.norm(parameters[name].grad), rel=1e-3)
