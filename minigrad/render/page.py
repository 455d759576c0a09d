"""The page of ``animate_backward``: its HTML, style and script, filled with the SVG and the steps' data.

Everything is inline (no network): the script reads the steps from the JSON
in ``#mg-data`` and replays steps 1..k on the SVG for slider position k.
"""
from __future__ import annotations

import html
import json


def write_page(svg: str, data: dict, title: str) -> str:
    """The HTML document: style, controls, the SVG, the data and the script, all inline."""
    # "</" cannot appear inside a <script> element; JSON allows writing "/" as "\/".
    payload = json.dumps(data, ensure_ascii=False).replace("</", "<\\/")
    return (PAGE.replace("{{TITLE}}", html.escape(title))
            .replace("{{STYLE}}", STYLE)
            .replace("{{SVG}}", svg)
            .replace("{{DATA}}", payload)
            .replace("{{SCRIPT}}", SCRIPT))


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{{TITLE}}</title>
<style>{{STYLE}}</style>
</head>
<body>
<header>
  <h1>{{TITLE}}</h1>
  <p class="help">Each step is one op whose backward (its vector-Jacobian product) ran, in the order
  <code>loss.backward()</code> ran them. The op just processed is <span class="key current">outlined in red</span>,
  the ones done are <span class="key done">shaded</span>, every edge the gradient has gone back along carries its
  norm, and each parameter collects one contribution per use: their sum is its gradient.</p>
  <div id="mg-controls">
    <button id="mg-first" title="before backward (Home)">&laquo; start</button>
    <button id="mg-back" title="one step back (left arrow)">&lsaquo; back</button>
    <button id="mg-play" title="play / pause (space)">play</button>
    <button id="mg-forward" title="one step forward (right arrow)">step &rsaquo;</button>
    <button id="mg-last" title="backward done (End)">end &raquo;</button>
    <input id="mg-slider" type="range" min="0" value="0" step="1" aria-label="backward step">
    <span id="mg-counter"></span>
  </div>
  <div id="mg-status"></div>
</header>
<main>
  <div id="mg-picture">{{SVG}}</div>
  <aside id="mg-pooling"><h2>Gradients of the parameters</h2><div id="mg-parameters"></div></aside>
</main>
<script type="application/json" id="mg-data">{{DATA}}</script>
<script>{{SCRIPT}}</script>
</body>
</html>
"""

STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 0; color: #222; }
header { padding: 8px 16px; border-bottom: 1px solid #ddd; background: #fafafa; position: sticky; top: 0; z-index: 1; }
h1 { font-size: 18px; margin: 4px 0; }
h2 { font-size: 15px; margin: 4px 0 8px 0; }
.help { font-size: 13px; margin: 4px 0 8px 0; max-width: 70em; }
.key { padding: 0 3px; }
.key.current { outline: 2px solid #d62728; }
.key.done { background: #e8e2f5; }
#mg-controls { display: flex; align-items: center; gap: 6px; }
#mg-controls button { font-size: 14px; min-width: 2.4em; }
#mg-slider { flex: 1; max-width: 40em; }
#mg-counter { font-variant-numeric: tabular-nums; min-width: 9em; }
#mg-status { font-size: 13px; margin-top: 6px; min-height: 2.6em; }
#mg-status .op { font-weight: bold; }
main { display: flex; align-items: flex-start; }
#mg-picture { flex: 1; overflow: auto; padding: 8px; }
#mg-picture svg { max-width: 100%; height: auto; }
#mg-pooling { width: 22em; flex: none; padding: 8px 12px; font-size: 12px; border-left: 1px solid #ddd; }
/* A narrow window (the page embedded in the docs): the parameters go under the picture. */
@media (max-width: 1000px) {
  main { flex-direction: column; }
  #mg-picture { align-self: stretch; }
  #mg-pooling { width: auto; border-left: none; border-top: 1px solid #ddd; columns: 2 18em; }
}
.mg-parameter { margin-bottom: 10px; }
.mg-parameter.arrived { background: #fff1dc; }
.mg-name { font-weight: bold; }
.mg-pooled { font-family: monospace; }
.mg-arrivals { color: #555; }
.mg-arrivals span { display: inline-block; margin: 1px 2px; padding: 0 3px; border: 1px solid #e0c49e; border-radius: 3px; }
.mg-arrivals span.new { background: #f7c98b; }
g.node.mg-done > path, g.node.mg-done > polygon, g.node.mg-done > ellipse { fill: #e8e2f5; }
g.node.mg-current > path, g.node.mg-current > polygon, g.node.mg-current > ellipse {
  stroke: #d62728; stroke-width: 4px; fill: #ffd6d6; }
g.node.mg-received > path, g.node.mg-received > polygon { stroke: #e08a00; stroke-width: 4px; }
g.edge.mg-traversed > path { stroke: #b2182b; stroke-width: 2px; }
g.edge.mg-traversed > polygon { stroke: #b2182b; fill: #b2182b; }
g.edge.mg-latest > path { stroke-width: 4px; }
text.mg-norm { font-size: 9px; fill: #b2182b; font-family: Helvetica, Arial, sans-serif; paint-order: stroke;
  stroke: white; stroke-width: 3px; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("mg-data").textContent);
  var steps = data.steps, parameters = data.parameters;
  var slider = document.getElementById("mg-slider");
  var counter = document.getElementById("mg-counter");
  var status = document.getElementById("mg-status");
  var panel = document.getElementById("mg-parameters");
  var svgNS = "http://www.w3.org/2000/svg";
  slider.max = String(steps.length);

  // One norm label per edge, placed halfway along the edge's path (hidden until traversed).
  var normLabels = {};
  function labelFor(edgeId) {
    if (normLabels[edgeId]) return normLabels[edgeId];
    var group = document.getElementById(edgeId), path = group && group.querySelector("path");
    if (!path) return null;
    var middle = path.getPointAtLength(path.getTotalLength() / 2);
    var text = document.createElementNS(svgNS, "text");
    text.setAttribute("class", "mg-norm");
    text.setAttribute("x", middle.x + 3);
    text.setAttribute("y", middle.y - 3);
    group.appendChild(text);
    normLabels[edgeId] = text;
    return text;
  }

  // The parameters' panel: one block per parameter, filled in by show().
  var blocks = parameters.map(function (parameter, number) {
    var block = document.createElement("div");
    block.className = "mg-parameter";
    block.setAttribute("data-parameter", parameter.name);
    block.innerHTML = '<div><span class="mg-name"></span> <span class="mg-shape"></span></div>' +
      '<div class="mg-count"></div><div class="mg-pooled"></div><div class="mg-arrivals"></div>';
    block.querySelector(".mg-name").textContent = parameter.name;
    block.querySelector(".mg-shape").textContent = parameter.shape;
    panel.appendChild(block);
    return block;
  });

  function clear(className) {
    Array.prototype.forEach.call(document.querySelectorAll("." + className), function (element) {
      element.classList.remove(className);
    });
  }

  // Show the state after `k` steps of the sweep (0: before backward), replaying steps 1..k.
  function show(k) {
    k = Math.max(0, Math.min(steps.length, k | 0));
    ["mg-current", "mg-done", "mg-received", "mg-traversed", "mg-latest"].forEach(clear);
    Object.keys(normLabels).forEach(function (id) { normLabels[id].textContent = ""; });
    var arrived = parameters.map(function () { return 0; });
    var latest = {};
    for (var i = 0; i < k; i++) {
      var step = steps[i];
      var node = document.getElementById(step.node);
      if (node) node.classList.add(i === k - 1 ? "mg-current" : "mg-done");
      step.edges.forEach(function (update) {
        var edge = document.getElementById(update[0]), label = labelFor(update[0]);
        if (edge) edge.classList.add("mg-traversed");
        if (label) label.textContent = update[1];
        if (i === k - 1 && edge) edge.classList.add("mg-latest");
      });
      step.parameters.forEach(function (update) {
        arrived[update[0]] = update[1];
        if (i === k - 1) latest[update[0]] = true;
      });
    }
    // The current node stays highlighted even if an earlier step of its cell box marked it done.
    if (k > 0) {
      var current = document.getElementById(steps[k - 1].node);
      if (current) { current.classList.remove("mg-done"); current.classList.add("mg-current"); }
    }
    parameters.forEach(function (parameter, number) {
      var count = arrived[number], block = blocks[number], total = parameter.arrivals.length;
      var last = count > 0 ? parameter.arrivals[count - 1] : null;
      block.classList.toggle("arrived", !!latest[number]);
      block.querySelector(".mg-count").textContent =
        count + " of " + total + (total === 1 ? " use" : " uses") + " arrived";
      block.querySelector(".mg-pooled").textContent = !last ? "grad: nothing yet" :
        "grad = \u03a3 so far: \u2016\u00b7\u2016 = " + last.pooled_norm + (last.pooled ? "  " + last.pooled : "");
      block.querySelector(".mg-pooled").setAttribute("data-norm", last ? last.pooled_norm : "0");
      var chips = block.querySelector(".mg-arrivals");
      chips.innerHTML = "";
      parameter.arrivals.slice(0, count).forEach(function (arrival, position) {
        var chip = document.createElement("span");
        chip.textContent = arrival.scope + ": " + arrival.norm;
        if (latest[number] && position === count - 1) chip.className = "new";
        chips.appendChild(chip);
      });
      var node = document.getElementById(parameter.node);
      if (node && latest[number]) node.classList.add("mg-received");
    });
    slider.value = String(k);
    counter.textContent = "step " + k + " of " + steps.length;
    if (k === 0) {
      status.textContent = "Before backward: the loss's gradient with respect to itself is 1. " +
        "Step forward to run the first op's backward.";
      status.removeAttribute("data-node");
    } else {
      var step = steps[k - 1];
      status.innerHTML = "";
      var op = document.createElement("span");
      op.className = "op";
      op.textContent = step.text;
      status.appendChild(op);
      status.appendChild(document.createTextNode(": sent " + step.sent.join(", ")));
      status.setAttribute("data-node", step.node);
    }
    status.setAttribute("data-step", String(k));
  }

  var timer = null;
  function stop() { if (timer) { clearInterval(timer); timer = null; } playButton.textContent = "play"; }
  var playButton = document.getElementById("mg-play");
  playButton.addEventListener("click", function () {
    if (timer) { stop(); return; }
    if (+slider.value >= steps.length) show(0);
    playButton.textContent = "pause";
    timer = setInterval(function () {
      if (+slider.value >= steps.length) { stop(); return; }
      show(+slider.value + 1);
    }, 700);
  });
  slider.addEventListener("input", function () { stop(); show(+slider.value); });
  document.getElementById("mg-first").addEventListener("click", function () { stop(); show(0); });
  document.getElementById("mg-last").addEventListener("click", function () { stop(); show(steps.length); });
  document.getElementById("mg-back").addEventListener("click", function () { stop(); show(+slider.value - 1); });
  document.getElementById("mg-forward").addEventListener("click", function () { stop(); show(+slider.value + 1); });
  document.addEventListener("keydown", function (event) {
    var moves = { ArrowLeft: -1, ArrowRight: 1 };
    if (event.target === slider) return;            // the slider handles its own arrow keys
    if (event.key in moves) { stop(); show(+slider.value + moves[event.key]); }
    else if (event.key === "Home") { stop(); show(0); }
    else if (event.key === "End") { stop(); show(steps.length); }
    else if (event.key === " ") { event.preventDefault(); playButton.click(); }
  });

  show(0);
  // "#step=K" opens the page at step K, by moving the slider as a reader would.
  var wanted = /(?:^#|&)step=(\d+)/.exec(location.hash);
  if (wanted) {
    slider.value = wanted[1];
    slider.dispatchEvent(new Event("input"));
  }
})();
"""
