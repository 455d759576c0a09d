"""Pooling of gradients over time steps: one gradient per use of a shared weight, summed.

Seed 004 (``004_7345ef0444cabb36.txt``, "Training the RNN"): the unrolled
RNN "is just a giant shared-parameter neural network", and "gradient
computation requires a forward pass, back propagation, and pooling of
gradients (for parameter sharing)". Seed 000 ("Learning algorithms for
RNNs"): dE/dW = dE/dW_t + dE/dW_{t-1} + ...

``backward(keep_contributions=True)`` keeps, on every leaf, one
``(scope, gradient)`` pair per op that used it. A ``nets.RNN`` runs step t
inside the scope ``layer0/fwd/t={t}``, so the T uses of ``weight_hh_l0``
(one matmul h(t-1) @ W_hh^T per step) show up as T pairs, and ``.grad`` is
their sum. The hand-written BPTT of ``nets/reference/`` computes the same
sum with ``d_w_hh += d_z.T @ h_prev`` inside its loop over time.

Run from the repository root:

    python examples/pooling.py               # print the example
    python examples/pooling.py --check       # exit 1 if docs/bptt.md is stale
    python examples/pooling.py --write-doc   # refresh docs/bptt.md's output blocks and code-line links

docs/bptt.md ("Pooling") shows the output. The same script keeps that page
honest (see ``check_doc`` at the end): its output blocks are this script's
and examples/vanishing_gradients.py's output, its code links point at the
lines holding their text, and its ```pycon examples run under doctest.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))   # run from a checkout without installing
sys.path.insert(0, str(Path(__file__).resolve().parent))   # examples/: doc_sync, vanishing_gradients

import minigrad as mg          # noqa: E402
import minigrad.tensor as engine   # noqa: E402  (stacked_product, logged by products_logged)
import nets                    # noqa: E402
from nets import reference     # noqa: E402

T, B, D, H = 4, 2, 2, 3        # time steps, sequences, inputs, hidden units


def fmt(matrix: np.ndarray) -> str:
    """A matrix on one line, rows in brackets, 4 decimals with signs."""
    return "[" + " ".join("[" + " ".join(f"{v:+.4f}" for v in row) + "]" for row in matrix) + "]"


@contextmanager
def products_logged():
    """Log the shapes of every pooled product backward forms: (tensor, uses, G's shape, X's shape)."""
    log: list = []
    original = engine.stacked_product

    def logged(lefts, rights, users, like):
        product = original(lefts, rights, users, like)
        log.append((like, len(lefts), (sum(len(g) for g in lefts), lefts[0].shape[1]),
                    (sum(len(x) for x in rights), rights[0].shape[1])))
        return product

    engine.stacked_product = logged
    try:
        yield log
    finally:
        engine.stacked_product = original


def run() -> tuple[nets.RNN, dict[str, np.ndarray], list]:
    """Forward and backward with contributions kept; returns the net, the reference BPTT's gradients
    and the pooled products backward formed."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((T, B, D))
    h0 = rng.standard_normal((1, B, H))        # a nonzero h(-1), so that the use at t = 0 contributes too
    target = rng.standard_normal((T, B, H))
    net = nets.RNN(D, H, rng=0)

    output, _ = net(x, h0)                      # (T, B, H)
    error = output - mg.Tensor(target)
    loss = (error * error).sum() * 0.5          # E = 1/2 sum_t ||h(t) - d(t)||^2
    with products_logged() as products:
        loss.backward(keep_contributions=True)

    # The same gradient from the hand-written BPTT (seed 004, "BPTT" pseudocode), for comparison.
    params = {name: p.data for name, p in net.named_parameters()}
    _, _, cache = reference.rnn_forward(params, x, h0)
    expected = reference.rnn_backward(params, cache, output.data - target)
    return net, expected, products


def report() -> str:
    """What this script prints: the contributions, their sum, and the uses of every parameter."""
    net, expected, products = run()
    W = net.weight_hh_l0
    total = sum(grad for _, grad in W.contributions)
    lines = [f"nets.RNN({D}, {H}), T = {T} steps, B = {B} sequences, E = 1/2 sum_t ||h(t) - d(t)||^2",
             f"weight_hh_l0.contributions: {len(W.contributions)} pairs (scope, dE/dW_hh from that use),",
             "in the order backward met them (the last step first):"]
    lines += [f"  {scope:<15} {fmt(grad)}" for scope, grad in W.contributions]
    lines += [f"  {'sum of the uses':<15} {fmt(total)}",
              f"  {'weight_hh.grad':<15} {fmt(W.grad)}",
              f"max |sum of the uses - weight_hh_l0.grad|          = {np.max(np.abs(total - W.grad)):.1e}",
              f"max |weight_hh_l0.grad - hand-written BPTT (+=)|   = "
              f"{np.max(np.abs(W.grad - expected['weight_hh_l0'])):.1e}",
              "",
              "How backward formed each parameter's weight gradient (products G^T X it multiplied):"]
    names = {id(p): name for name, p in net.named_parameters()}
    for like, uses, g_shape, x_shape in products:
        lines.append(f"  {names[id(like)]:<13} {uses} use{'s' if uses > 1 else ''} stacked: G {g_shape}, "
                     f"X {x_shape} -> one product of shape {like.shape}")
    lines += ["",
              "Uses of every parameter (number of contributions, and their scopes):"]
    for name, p in net.named_parameters():
        scopes = sorted({scope for scope, _ in p.contributions})
        shown = scopes if len(scopes) <= 2 else [scopes[0], "...", scopes[-1]]
        lines.append(f"  {name:<13} {len(p.contributions)}  {', '.join(shown)}")
    return "\n".join(lines)


# ----------------------------------------------------- keeping docs/bptt.md honest
# The doc's <!-- bptt: NAME --> blocks hold the output of SECTIONS[NAME];
# examples/doc_sync.py refreshes them, its code links and its ```pycon examples.

import doc_sync  # noqa: E402  (examples/doc_sync.py)

DOC = ROOT / "docs" / "bptt.md"
DOC_GLOBALS = {"mg": mg, "np": np, "nets": nets}     # what the page's ```pycon examples may use


def _vanishing_report() -> str:
    """The tables of examples/vanishing_gradients.py (examples/ is on sys.path, see the top)."""
    import vanishing_gradients
    return vanishing_gradients.report(vanishing_gradients.measure())


def _vanishing_findings() -> str:
    """The prose under those tables, with the numbers of the same run."""
    import vanishing_gradients
    return vanishing_gradients.findings(vanishing_gradients.measure())


SECTIONS = {"pooling": report, "vanishing": _vanishing_report, "vanishing_findings": _vanishing_findings}


def doctest_context():
    """numpy's default printing, whatever another script set before."""
    return np.printoptions(precision=8, suppress=False, floatmode="maxprec")


def check_doc(write: bool = False) -> int:
    """Compare docs/bptt.md with what the code says now (and rewrite it if ``write``); 0 if it is current."""
    return doc_sync.sync(DOC, "bptt", SECTIONS, DOC_GLOBALS, "python examples/pooling.py", write,
                         doctest_context)


if __name__ == "__main__":
    sys.exit(doc_sync.main(sys.argv[1:], check_doc, lambda: print(report())))
