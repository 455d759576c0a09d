"""``minigrad-draw``: a picture of an unrolled recurrent net, without writing code.

    minigrad-draw lstm --steps 4 --hidden 3 --view cell -o lstm.svg
    minigrad-draw brnn --steps 4 --grads --contributions -o brnn.png
    minigrad-draw rnn --steps 30 --view cell --flow --first-last 3 -o flow.pdf
    minigrad-draw gru --steps 3                 # DOT source on stdout
    minigrad-draw rnn --steps 4 --animate -o bptt.html   # step through the backward sweep

The net runs on one random sequence (batch of 1); the loss is the sum of the
last time step's output (``--loss all``: of every step's), so ``--flow``
shows how the gradient of the last step fades going back in time.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Callable, Optional, Sequence

import numpy as np

import minigrad as mg
import nets

from .options import integer_option, non_negative_int, positive_int

NETS = ("rnn", "brnn", "lstm", "gru", "attention")
CELL_NAMES = {"rnn": "RNN cell", "brnn": "RNN cell", "lstm": "LSTM cell", "gru": "GRU cell",
              "attention": "RNN cell + attention"}
SOURCE_SUFFIXES = (".gv", ".dot")
PICTURE_SUFFIXES = (".svg", ".png", ".pdf")
PAGE_SUFFIXES = (".html", ".htm")            # --animate's step-through page


def build(kind: str, steps: int, hidden: int, inputs: int, layers: int, seed: int) -> mg.nn.Module:
    """The net to draw, with weights drawn from a seeded generator (the same picture every run).

    "attention": a one-layer ``nets.AttentionRNN`` on an Elman RNN cell with Luong's general score.
    """
    rng = np.random.default_rng(seed)
    if kind == "attention":
        if layers != 1:
            raise ValueError(f"minigrad-draw: the attention net has one layer, got --layers {layers}")
        return nets.AttentionRNN(inputs, hidden, cell="rnn", score="general", rng=rng)
    if kind == "brnn":
        return nets.BRNN(inputs, hidden, num_layers=layers, rng=rng)
    net_class = {"rnn": nets.RNN, "lstm": nets.LSTM, "gru": nets.GRU}[kind]
    return net_class(inputs, hidden, num_layers=layers, rng=rng)


def make_drawing(kind: str = "lstm", steps: int = 4, hidden: int = 3, inputs: int = 2, layers: int = 1,
                 view: str = "op", grads: bool = False, contributions: bool = False, flow: bool = False,
                 values: bool = False, first_last: Optional[int] = None, loss_over: str = "last",
                 seed: int = 0) -> mg.render.Drawing:
    """Build the net, run it forward (and backward if gradients are asked for) and draw it."""
    loss = run_forward(kind, steps, hidden, inputs, layers, loss_over, seed)
    if flow:
        loss.backward(keep_contributions="all")     # the gradient along every edge
    elif grads or contributions:
        loss.backward(keep_contributions=True)
    title = f"{kind.upper()}, {steps} steps, hidden size {hidden}: {view} view"
    return mg.draw(loss, view=view, grads=grads, contributions=contributions, flow=flow, values=values,
                   first_last=first_last, cell_name=CELL_NAMES[kind], title=title)


def run_forward(kind: str, steps: int, hidden: int, inputs: int, layers: int, loss_over: str,
                seed: int) -> mg.Tensor:
    """The loss of the net on one random sequence (batch of 1): its last step's output summed, or every step's."""
    net = build(kind, steps, hidden, inputs, layers, seed)
    x = mg.Tensor(np.random.default_rng(seed + 1).normal(size=(steps, 1, inputs)), name="x")
    output = net(x)[0]              # AttentionRNN returns (output, h_n, weights)
    if loss_over == "last":
        last = output[steps - 1]
        last.name = f"output at t={steps - 1}"       # named, so the picture says what it is
        loss = last.sum()
    else:
        loss = output.sum()
    loss.name = "loss"
    return loss


def make_animation(kind: str = "rnn", steps: int = 4, hidden: int = 3, inputs: int = 2, layers: int = 1,
                   view: str = "op", first_last: Optional[int] = None, loss_over: str = "last",
                   seed: int = 0) -> mg.render.BackwardAnimation:
    """Build the net, run forward and backward, and make the page that steps through that backward."""
    loss = run_forward(kind, steps, hidden, inputs, layers, loss_over, seed)
    loss.backward(keep_contributions="all")
    title = f"{kind.upper()}, {steps} steps, hidden size {hidden}: the backward sweep ({view} view)"
    return mg.animate_backward(loss, view=view, first_last=first_last, cell_name=CELL_NAMES[kind], title=title)


# The sizes of the net: bounded, so that a typo (--hidden 30000) is refused in one sentence instead of
# building a net nothing can draw (or allocate).
MAX_SIZE, MAX_LAYERS = 1000, 16
size_option = integer_option(1, "a positive integer", MAX_SIZE)
layers_option = integer_option(1, "a positive integer", MAX_LAYERS)


def output_path(text: str) -> Path:
    """argparse type for -o: a file we can write, of a kind we know, in a folder that exists."""
    path = Path(text)
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES + PICTURE_SUFFIXES + PAGE_SUFFIXES:
        known = ", ".join(PICTURE_SUFFIXES + SOURCE_SUFFIXES + PAGE_SUFFIXES)
        raise argparse.ArgumentTypeError(f"{text!r} should end in one of {known}, "
                                         f"got {suffix or 'no suffix'}")
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text!r} is a folder; give a file name in it, like {path / 'net.svg'}")
    folder = path.parent
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"the folder {str(folder)!r} of {text!r} does not exist; create it first")
    return path


class OneLineParser(argparse.ArgumentParser):
    """An argument error is one sentence on stderr and exit status 2: no usage block, no traceback."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parse_arguments(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = OneLineParser(prog="minigrad-draw", description=__doc__.split("\n\n")[0],
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog="\n\n".join(__doc__.split("\n\n")[1:]))
    parser.add_argument("net", choices=NETS, help="which recurrent net to unroll")
    parser.add_argument("--steps", type=size_option, default=4,
                        help=f"sequence length T (default 4, at most {MAX_SIZE})")
    parser.add_argument("--hidden", type=size_option, default=3, help=f"hidden size (default 3, at most {MAX_SIZE})")
    parser.add_argument("--inputs", type=size_option, default=2, help=f"input size (default 2, at most {MAX_SIZE})")
    parser.add_argument("--layers", type=layers_option, default=1,
                        help=f"number of stacked layers (default 1, at most {MAX_LAYERS})")
    parser.add_argument("--view", choices=("op", "cell"), default="op",
                        help="op: one node per tensor; cell: one box per time step (default op)")
    parser.add_argument("--grads", action="store_true", help="run backward and show the gradients")
    parser.add_argument("--contributions", action="store_true",
                        help="label each edge out of a shared weight with its gradient contribution")
    parser.add_argument("--flow", action="store_true", help="colour and widen edges by gradient norm")
    parser.add_argument("--values", action="store_true", help="show the tensors' values")
    parser.add_argument("--first-last", type=positive_int, default=None, metavar="K",
                        help="draw only the first and last K time steps")
    parser.add_argument("--loss", choices=("last", "all"), default="last",
                        help="loss = sum of the last step's output, or of all steps' (default last)")
    parser.add_argument("--animate", action="store_true",
                        help="write a page stepping through the backward sweep (-o FILE.html; needs a renderer)")
    parser.add_argument("--seed", type=non_negative_int, default=0, help="random seed of weights and input")
    parser.add_argument("-o", "--output", type=output_path, default=None,
                        help="file to write: .svg, .png, .pdf (a picture) or .gv/.dot (DOT); default: DOT on stdout")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = parse_arguments(argv)
    if arguments.animate:
        return write_animation(arguments)
    try:
        drawing = make_drawing(arguments.net, arguments.steps, arguments.hidden, arguments.inputs,
                               arguments.layers, arguments.view, arguments.grads, arguments.contributions,
                               arguments.flow, arguments.values, arguments.first_last, arguments.loss,
                               arguments.seed)
    except ValueError as error:         # an option the chosen net does not have (--layers for attention)
        print(error, file=sys.stderr)
        return 2
    if arguments.output is None:
        sys.stdout.write(drawing.source)
        return 0
    path = arguments.output
    if path.suffix.lower() in PAGE_SUFFIXES:
        print(f"minigrad-draw: error: {str(path)!r} is a page: add --animate, or write .svg, .png, .pdf, "
              f".gv or .dot", file=sys.stderr)
        return 2
    try:
        if path.suffix.lower() in SOURCE_SUFFIXES:
            drawing.save(str(path))
            return 0
        path.write_bytes(drawing.pipe(format=path.suffix.lstrip(".")))
    except RuntimeError as error:       # no renderer (RendererNotFound), or the renderer failed
        print(f"minigrad-draw: {error}", file=sys.stderr)
        return 1
    except OSError as error:            # not allowed to write there, disk full, ...
        print(f"minigrad-draw: error: cannot write {str(path)!r}: {error.strerror or error}", file=sys.stderr)
        return 2
    print(f"wrote {path}", file=sys.stderr)
    return 0


def write_animation(arguments: argparse.Namespace) -> int:
    """``--animate``: the step-through page, written to the ``-o`` file (an .html)."""
    if arguments.output is None or Path(arguments.output).suffix.lower() not in (".html", ".htm"):
        print(f"minigrad-draw: --animate writes an HTML page: give -o FILE.html, got {arguments.output!r}",
              file=sys.stderr)
        return 2
    try:
        animation = make_animation(arguments.net, arguments.steps, arguments.hidden, arguments.inputs,
                                   arguments.layers, arguments.view, arguments.first_last, arguments.loss,
                                   arguments.seed)
    except (RuntimeError, ValueError) as error:     # no renderer, or a net too large to step through
        print(f"minigrad-draw: {error}", file=sys.stderr)
        return 1
    animation.save(arguments.output)
    print(f"wrote {arguments.output} ({animation.steps} backward steps)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
