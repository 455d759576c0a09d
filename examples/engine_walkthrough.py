"""Reverse mode, step by step, on a tiny two-step recurrence.

Every number in docs/engine.md comes from this script. Run it from the repo root:

    python examples/engine_walkthrough.py              # print the walkthrough
    python examples/engine_walkthrough.py --write-doc  # refresh docs/engine.md (output blocks, code-line links)
    python examples/engine_walkthrough.py --check      # exit 1 if docs/engine.md is stale

The example is an RNN cut down to the bone: a constant input x of 2 elements,
one weight W used at two time steps, and a bias b of shape (1,) that is
broadcast over the two units at each step:

    h1 = tanh(W x  + b)        in scope "t=1"
    h2 = tanh(W h1 + b)        in scope "t=2"
    E  = sum(h2)

so W and b each receive two gradients, one per use, which backward pools
(seed 000, "Learning algorithms for RNNs": dE/dW = sum_t dE/dW_t).

The sections: the recorded graph (each node's op, parents, _backward and
saved); the order backward processes the tensors in (count_uses and the
`ready` stack, replayed here and checked against a log of the engine's own
run); every VJP call and leaf store, with the pooled sums and the per-use
contributions; and the same gradients by hand and by finite differences.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from typing import Any
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))   # examples/doc_sync.py

import minigrad as mg                       # noqa: E402
import minigrad.tensor as engine            # noqa: E402  (count_uses, and the loop's leaf step)
from minigrad.tensor import ProductGrad     # noqa: E402
from minigrad.testing import gradcheck      # noqa: E402

PRINTING = dict(precision=4, suppress=True, floatmode="fixed")    # how the walkthrough prints arrays


def fmt(array) -> str:
    return np.array2string(np.asarray(array), separator=", ")


def named(tensor: mg.Tensor, name: str) -> mg.Tensor:
    tensor.name = name          # a label for printing; the engine ignores it
    return tensor


def build() -> tuple[mg.Tensor, mg.Tensor, mg.Tensor, mg.Tensor]:
    """The forward pass: returns E, W, b, x."""
    x = mg.Tensor([1.0, 2.0], name="x")                                        # constant input
    W = mg.Tensor([[0.5, -0.4], [0.3, 0.8]], requires_grad=True, name="W")
    b = mg.Tensor([0.1], requires_grad=True, name="b")                          # shape (1,): broadcast
    h = x
    for t in (1, 2):
        with mg.scope(f"t={t}"):
            a = named(W @ h, f"a{t}")
            z = named(a + b, f"z{t}")
            h = named(z.tanh(), f"h{t}")
    E = named(h.sum(), "E")
    return E, W, b, x


def label(node: mg.Tensor) -> str:
    return node.name or "?"


# ------------------------------------------------------------- the sections
def section_graph() -> str:
    E, W, b, x = build()
    lines = ["The graph, node by node, in the order topological_order(E) returns it (parents before",
             "children); each line is `name = op(parents)`, the node's _backward and saved, "
             "then repr(node):",
             ""]
    for node in mg.topological_order(E):
        if node.parents:
            parents = ", ".join(label(p) for p in node.parents)
            lines.append(f"{label(node):>2} = {node.op}({parents})   scope {node.scope!r}   "
                         f"_backward = ops.{node._backward.__name__}, saved = {node.saved!r}")
        else:
            lines.append(f"{label(node):>2}   leaf")
        lines.append("     " + repr(node).replace("\n", "\n     "))
    lines += ["", f"x is only a parent: x.requires_grad = {x.requires_grad}, "
                  "so the walks over the graph never enter it.",
              f"E.op = {E.op!r}, E.parents = ({label(E.parents[0])},), E.parents[0].op = {E.parents[0].op!r}"]
    return "\n".join(lines)


@contextmanager
def recording_pops(nodes, log: list):
    """Log every tensor backward processes, in order, with what it received and sent.

    An op's output is processed by calling its ``_backward`` (wrapped here per
    node); a leaf by ``_accumulate_into_grad`` (patched here for the duration).
    Each log entry is (node, g, parent_grads) for an op, (node, g, owned) for a leaf.
    """
    def logged(node: mg.Tensor, vjp):
        def wrapper(g, out):
            parent_grads = vjp(g, out)
            log.append((node, g, parent_grads))
            return parent_grads
        return wrapper

    def accumulate(node, g, owned):
        log.append((node, g, owned))
        return original(node, g, owned)

    original = engine._accumulate_into_grad
    for node in nodes:
        if node.parents:
            node._backward = logged(node, node._backward)
    engine._accumulate_into_grad = accumulate
    try:
        yield
    finally:
        engine._accumulate_into_grad = original


def section_order() -> str:
    E, *_ = build()
    uses = engine.count_uses(E)
    lines = ["count_uses(E), how many recorded ops use each tensor:",
             "  " + ", ".join(f"{label(n)} {k}" for n, k in uses.items()),
             "",
             "The loop, replayed: pop a tensor from `ready`, send its gradient to its parents,",
             "and push each parent whose uses have all sent theirs (uses left = 0).",
             "",
             f"  {'pop':<5}{'sends to (uses left)':<26}ready afterwards"]
    left, ready, replayed = dict(uses), [E], []
    while ready:
        node = ready.pop()
        replayed.append(node)
        sent = []
        for parent in node.parents:
            if not parent.requires_grad:
                sent.append(f"[{label(parent)}: no grad]")
                continue
            left[parent] -= 1
            sent.append(f"{label(parent)} ({left[parent]})")
            if left[parent] == 0:
                ready.append(parent)
        what = ", ".join(sent) if node.parents else "(a leaf: into .grad)"
        lines.append(f"  {label(node):<5}{what:<26}[{', '.join(label(n) for n in ready)}]")

    log: list = []
    with recording_pops(uses, log):
        E.backward()
    processed = [node for node, _, _ in log]
    order = mg.topological_order(E)
    lines += ["",
              "backward processed (logged from the engine): " + " ".join(label(n) for n in processed),
              f"the same as the replay above: {processed == replayed}",
              "reversed(topological_order(E)), for comparison: "
              + " ".join(label(n) for n in reversed(order))]
    return "\n".join(lines)


def section_backward() -> str:
    E, W, b, x = build()
    log: list = []
    with recording_pops(mg.topological_order(E), log):
        E.backward(keep_contributions=True)

    received: dict[int, list[tuple[int, Any]]] = {}   # id(tensor) -> (step, gradient), one per use
    lines = ["E.backward(): seed dE/dE = 1", ""]
    for step, (node, g, sent) in enumerate(log, 1):
        pieces = received.get(id(node), [])
        products = [(s, p) for s, p in pieces if isinstance(p, ProductGrad)]
        pooled = ""
        if products:
            lines.append(f"{step}. {label(node)}   leaf")
            lines += pooled_product_lines(node, products, g)
            continue
        if len(pieces) > 1 and all("\n" not in fmt(p) for _, p in pieces):
            pooled = " + ".join(fmt(p) for _, p in pieces) + " = "
        elif len(pieces) > 1:
            pooled = "what steps " + " and ".join(str(s) for s, _ in pieces) + " sent, summed = "
        head = f"   g = dE/d{label(node)} = {pooled}"
        g_line = head + fmt(g).replace("\n", "\n" + " " * len(head)) + ("   (pooled)" if pooled else "")
        if not node.parents:
            lines.append(f"{step}. {label(node)}   leaf")
            lines.append(g_line)
            how = ("taken over as it is: backward allocated that sum itself" if sent
                   else "copied: the array may be shared")
            lines.append(f"   -> {label(node)}.grad ({how})")
            continue
        parents = ", ".join(label(p) for p in node.parents)
        lines.append(f"{step}. {label(node)} = {node.op}({parents})   scope {node.scope!r}")
        lines.append(g_line)
        for parent, grad in zip(node.parents, sent):
            if grad is None:
                lines.append(f"   -> {label(parent)}: None (requires_grad=False, nothing computed)")
                continue
            if isinstance(grad, ProductGrad):
                received.setdefault(id(parent), []).append((step, grad))
                lines.append(f"   -> dE/d{label(parent)}: g^T x, kept as its two factors until "
                             f"{label(parent)}'s last use (ProductGrad)")
                lines.append(f"        g = {fmt(grad.left)}   (this step's dE/d{label(node)}, as a row)")
                lines.append(f"        x = {fmt(grad.right)}   ({label(node.parents[1])}, as a row)")
                continue
            received.setdefault(id(parent), []).append((step, np.array(grad)))
            note = ""
            if np.shape(grad) != np.shape(g) and node.op == "add":
                note = f"   (unbroadcast: g of shape {np.shape(g)} summed to {np.shape(grad)})"
            head = f"   -> dE/d{label(parent)} += "
            lines.append(head + fmt(grad).replace("\n", "\n" + " " * (len(head) - 1)) + note)
    lines += ["", "The leaves, after backward:"]
    for leaf in (W, b):
        pieces = received[id(leaf)]
        steps = " and ".join(str(step) for step, _ in pieces)
        how = ("pairs of factors arrived (steps {}), multiplied out once as G^T X" if leaf is W
               else "gradients arrived (steps {}), summed in grads[b]").format(steps)
        lines.append(f"{label(leaf)}: {len(pieces)} {how}")
        lines.append(f"   {label(leaf)}.contributions, one (scope, grad) pair per use, and its .user:")
        for contribution in leaf.contributions:
            scope, grad = contribution
            text = f"      ({scope!r}, {fmt(grad)})".replace("\n", "\n" + " " * 14)
            width = len(text.splitlines()[-1])
            lines.append(text + " " * max(0, 38 - width) + f"  .user = {label(contribution.user)}")
        lines.append(f"   {label(leaf)}.grad = {fmt(leaf.grad)}".replace("\n", "\n" + " " * 12))
        total = sum(g for _, g in leaf.contributions)
        lines.append(f"   sum of the contributions equals {label(leaf)}.grad: "
                     f"{np.allclose(total, leaf.grad, rtol=0, atol=1e-15)}")
    lines.append(f"x.grad = {x.grad}   (a constant: no gradient computed)")
    return "\n".join(lines)


def pooled_product_lines(node: mg.Tensor, products: list, g: np.ndarray) -> list[str]:
    """How a leaf's deferred factors become its gradient: G and X stacked, one product G^T X."""
    steps = " and ".join(str(step) for step, _ in products)
    G = np.concatenate([p.left for _, p in products])
    X = np.concatenate([p.right for _, p in products])
    G_text, X_text = fmt(G).splitlines(), fmt(X).splitlines()
    lines = [f"   the factors of steps {steps}, stacked row by row (one row per use):"]
    for k, (g_row, x_row) in enumerate(zip(G_text, X_text)):
        lines.append(f"   {'G =' if k == 0 else '   '} {g_row:<20}{'X =' if k == 0 else '   '} {x_row}")
    head = f"   g = dE/d{label(node)} = G^T X = "
    lines.append(head + fmt(g).replace("\n", "\n" + " " * len(head)) + "   (pooled: one matrix product)")
    lines.append(f"   -> {label(node)}.grad (taken over as it is: backward allocated that product itself)")
    return lines


def section_check() -> str:
    """The same gradients by hand (BPTT in numpy), and by finite differences."""
    E, W, b, x = build()
    E.backward()
    Wd, bd, xd = W.data, b.data, x.data
    h1 = np.tanh(Wd @ xd + bd)
    h2 = np.tanh(Wd @ h1 + bd)
    dz2 = 1.0 - h2 ** 2                      # dE/dh2 = 1, through tanh
    dz1 = (Wd.T @ dz2) * (1.0 - h1 ** 2)     # back through W at t=2, then tanh at t=1
    dW = np.outer(dz2, h1) + np.outer(dz1, xd)   # dE/dW_t2 + dE/dW_t1
    db = np.array([dz2.sum() + dz1.sum()])       # each step: unbroadcast sums over the 2 units

    def f(W, b):
        h = x
        for _ in range(2):
            h = (W @ h + b).tanh()
        return h.sum()

    W64 = mg.Tensor(Wd, requires_grad=True)
    b64 = mg.Tensor(bd, requires_grad=True)
    return "\n".join([
        "By hand: dz2 = 1 - h2^2, dz1 = (W^T dz2) * (1 - h1^2),",
        "         dE/dW = outer(dz2, h1) + outer(dz1, x),  dE/db = sum(dz2) + sum(dz1)",
        f"hand dE/dW equals W.grad: {np.allclose(dW, W.grad, rtol=0, atol=1e-15)}",
        f"hand dE/db equals b.grad: {np.allclose(db, b.grad, rtol=0, atol=1e-15)}",
        f"gradcheck(f, [W, b]) -> {gradcheck(f, [W64, b64])}",
    ])


def with_printing(section):
    """The section, printing arrays the walkthrough's way (without changing numpy's global settings)."""
    def printed() -> str:
        with np.printoptions(**PRINTING):
            return section()
    return printed


SECTIONS = {name: with_printing(section) for name, section in
            {"graph": section_graph, "order": section_order,
             "backward": section_backward, "check": section_check}.items()}


# ------------------------------------------ keeping docs/engine.md in step
# The doc's <!-- walkthrough: NAME --> blocks hold the output of SECTIONS[NAME];
# examples/doc_sync.py refreshes them, its code links and its ```pycon examples.
import doc_sync  # noqa: E402  (examples/doc_sync.py)

DOC = ROOT / "docs" / "engine.md"
DOC_GLOBALS = {"mg": mg, "np": np}        # what the page's ```pycon examples may use


@contextmanager
def doctest_context():
    """numpy's default printing (the walkthrough's 4-digit setting is for its own output), and no
    RuntimeWarnings on stderr from the examples that make NaN and Inf on purpose."""
    with np.printoptions(precision=8, suppress=False, floatmode="maxprec"), np.errstate(all="ignore"):
        yield


def check_doc(write: bool = False) -> int:
    """Compare docs/engine.md with what the code says now (and rewrite it if ``write``); 0 if it is current."""
    return doc_sync.sync(DOC, "walkthrough", SECTIONS, DOC_GLOBALS, "python examples/engine_walkthrough.py", write,
                         doctest_context)


def show() -> None:
    for name, section in SECTIONS.items():
        print(f"==== {name}\n{section()}\n")


if __name__ == "__main__":
    sys.exit(doc_sync.main(sys.argv[1:], check_doc, show))
