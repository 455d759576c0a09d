"""The focused time-lagged feedforward net (TLFN): a tapped delay line feeding an MLP.

Seed 000 ("Static MLP for handling dynamics", "Tapped delay line memory"):
before recurrence, the way to give a static MLP a "short-term memory
function" is to show it the last few inputs at once. A delay line of d taps
turns the sequence x(1), x(2), ... into the vectors

    u(t) = [x(t), x(t-1), ..., x(t-d)]                (x(s) = 0 before the sequence starts)

and a two-layer MLP maps each one to an output:

    h(t) = f(W_h u(t) + b_h),     y(t) = W_y h(t) + b_y.

The memory is *finite*: y(t) is a function of x(t), ..., x(t-d) and of
nothing older, however the weights are trained. A recurrent net has no such
window, which is the point of ``examples/tlfn_memory.py``.

"Learning approach to TLFN": "Backprop can be used with relatively simple
focused TLFNs"; "form a large 'static' network, and apply backprop". Here
the large static network is literal: the delay line is a concatenation of
shifted copies of the input (engine ops, so backward routes each gradient
back to the step it came from), and the MLP is applied to all T steps at
once. There is no loop over time and nothing like BPTT: the weights are
shared across steps only in the sense that the same MLP reads every window.
"""
from __future__ import annotations

from typing import Any

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.random import RngLike, as_generator

from ._checks import check_count, check_sizes
from .layout import check_nonlinearity
from .simple import _sequence


def tapped_delay_line(x: mg.Tensor, delays: int) -> mg.Tensor:
    """(T, B, D) -> (T, B, (delays + 1) * D): step t holds [x(t), x(t-1), ..., x(t-delays)].

    Steps before the start of the sequence are zeros. Column block k (columns
    k*D .. (k+1)*D - 1) is the input k steps ago.
    """
    if delays == 0:
        return x
    T, B, D = x.shape
    before_start = mg.Tensor(np.zeros((delays, B, D), dtype=x.dtype), name="x(t<0)")
    padded = mg.concatenate([before_start, x], axis=0)              # padded[s + delays] = x(s)
    taps = [padded[delays - k:delays - k + T] for k in range(delays + 1)]   # taps[k][t] = x(t - k)
    return mg.concatenate(taps, axis=2)


class TLFN(nn.Module):
    """A focused time-lagged feedforward net: ``TLFN(input_size, hidden_size, output_size, delays)``.

    Shapes: x (T, B, input_size) -> y (T, B, output_size). The output at step
    t depends on x(t), x(t-1), ..., x(t-delays) only.

    Parameters: ``hidden.weight`` (hidden_size, (delays + 1) * input_size),
    whose column block k meets x(t - k); ``hidden.bias`` (hidden_size,);
    ``readout.weight`` (output_size, hidden_size) and ``readout.bias``. Both
    layers are initialised like ``torch.nn.Linear``.

    Args:
        input_size: D, the features of x(t), an integer >= 1.
        hidden_size: the hidden layer's width, an integer >= 1.
        output_size: the features of y(t), an integer >= 1.
        delays: d >= 0, the number of past inputs the delay line holds
            (d = 0 is a plain MLP applied step by step).
        nonlinearity: f, "tanh" or "relu".
        rng: a seed or ``numpy.random.Generator`` for the initial weights.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, delays: int,
                 nonlinearity: str = "tanh", rng: RngLike = None) -> None:
        check_sizes("TLFN", input_size=input_size, hidden_size=hidden_size, output_size=output_size)
        check_count("TLFN", "delays", delays, minimum=0)
        check_nonlinearity("TLFN", nonlinearity)
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.delays, self.nonlinearity = int(delays), nonlinearity
        generator = as_generator(rng)
        self.hidden = nn.Linear((self.delays + 1) * input_size, hidden_size, rng=generator)
        self.readout = nn.Linear(hidden_size, output_size, rng=generator)

    def forward(self, x: Any) -> mg.Tensor:
        """x (T, B, input_size) -> y (T, B, output_size)."""
        x = _sequence(x, self.input_size, "TLFN")
        u = tapped_delay_line(x, self.delays)                        # (T, B, (d + 1) * D)
        z = self.hidden(u)                                           # W_h u(t) + b_h, every t at once
        h = z.tanh() if self.nonlinearity == "tanh" else z.relu()
        return self.readout(h)

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, {self.output_size}, delays={self.delays}, "
                f"nonlinearity={self.nonlinearity!r}")
