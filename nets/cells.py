"""One time step of an RNN, an LSTM and a GRU, written with the engine's elementary ops.

Each ``*_step`` function is the cell's equations, op for op; there is no
backward here. The engine records the ops, and backpropagation through time
is its ordinary backward over the unrolled graph.

Parameter layout (PyTorch's): for a hidden size H and G gates,
``weight_ih`` (G*H, D) acts on the input, ``weight_hh`` (G*H, H) on the
previous hidden state, with biases ``bias_ih`` and ``bias_hh`` (G*H,). The
seeds write one matrix on the concatenation, W·[h(t-1), x(t)] (seed 000 "LSTM
memory cell summary") or W·[X_t H_{t-1}] (seed 001 "LSTM Equations"); that
matrix is [weight_hh  weight_ih] (or [weight_ih  weight_hh]) side by side, and
b = bias_ih + bias_hh. The gates are stacked in PyTorch's order: LSTM i, f,
g (the candidate C~), o; GRU r, z, n.

The step functions take ``x_proj``, the input's contribution
W_ih x(t) + b already computed: a sequence net computes it for all time steps
with one matmul before the loop (see ``recurrent.py``), a cell per call.
``linear(h, W, b)`` is the engine's op for h W^T + b (minigrad/ops/nn_ops.py).
Shapes: x_proj (B, G*H) or (G*H,), h and c (B, H) or (H,).
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.nn.modules import uniform_init
from minigrad.ops import linear
from minigrad.random import RngLike, as_generator

from ._checks import as_tensor_argument, check_flags, check_sizes
from .layout import GATES, check_nonlinearity


def rnn_step(x_proj: mg.Tensor, h: mg.Tensor, weight_hh: mg.Tensor, nonlinearity: str = "tanh") -> mg.Tensor:
    """h(t) = f(W h(t-1) + U x(t) + b) (seed 000, "Recurrent connections between hidden units")."""
    z = linear(h, weight_hh, x_proj)                 # W h(t-1) + [U x(t) + b]
    z.name = "W h(t-1) + U x(t) + b"                 # what the op view labels it
    return z.tanh() if nonlinearity == "tanh" else z.relu()


def lstm_step(x_proj: mg.Tensor, h: mg.Tensor, c: mg.Tensor,
              weight_hh: mg.Tensor) -> tuple[mg.Tensor, mg.Tensor]:
    """One LSTM step (seed 000, "LSTM memory cell summary"; seed 001, "LSTM Equations")."""
    H = h.shape[-1]
    gates = linear(h, weight_hh, x_proj)             # W·[h(t-1), x(t)] + b for all four gates
    # One sigmoid over all four blocks, then slices: two ops fewer per step than
    # a sigmoid per gate (the candidate's block gets one it does not use), and
    # on a small net the number of ops per step is what costs.
    sigma = gates.sigmoid()
    i = sigma[..., 0 * H:1 * H]                      # input gate    i(t) = σ(W_i·[h(t-1), x(t)] + b_i)
    f = sigma[..., 1 * H:2 * H]                      # forget gate   f(t) = σ(W_f·[h(t-1), x(t)] + b_f)
    g_in = gates[..., 2 * H:3 * H]
    g = g_in.tanh()                                  # candidate     C~(t) = tanh(W_C·[h(t-1), x(t)] + b_C)
    o = sigma[..., 3 * H:4 * H]                      # output gate   o(t) = σ(W_o·[h(t-1), x(t)] + b_o)
    kept, added = f * c, i * g
    c_next = kept + added                            # C(t) = f(t) ⊙ C(t-1) + i(t) ⊙ C~(t)
    squashed = c_next.tanh()
    h_next = o * squashed                            # h(t) = o(t) ⊙ tanh(C(t))
    # Names for the pictures: the op view labels each node with its op and its name.
    gates.name, sigma.name, g_in.name = "gates W·[h, x] + b", "σ(gates)", "g's share of the gates"
    i.name, f.name, g.name, o.name = "i (input gate)", "f (forget gate)", "g = C~ (candidate)", "o (output gate)"
    kept.name, added.name, squashed.name = "f ⊙ C(t-1)", "i ⊙ g", "tanh(C)"
    c_next.name, h_next.name = "C", "h"
    return h_next, c_next


def gru_step(x_proj: mg.Tensor, h: mg.Tensor, weight_hh: mg.Tensor,
             bias_hh: Optional[mg.Tensor]) -> mg.Tensor:
    """One GRU step, as PyTorch defines it (seed 001 "Beyond the LSTM" names the GRU).

    r = σ(W_ir x + b_ir + W_hr h + b_hr), z = σ(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn)), h' = (1 − z) ⊙ n + z ⊙ h.
    ``bias_hh`` is not folded into ``x_proj`` because b_hn sits inside r ⊙ (...).
    """
    H = h.shape[-1]
    h_proj = linear(h, weight_hh, bias_hh)           # W_h· h + b_h for r, z and n
    x_r, x_z, x_n = x_proj[..., 0:H], x_proj[..., H:2 * H], x_proj[..., 2 * H:3 * H]
    h_r, h_z, h_n = h_proj[..., 0:H], h_proj[..., H:2 * H], h_proj[..., 2 * H:3 * H]
    r_in, z_in = x_r + h_r, x_z + h_z
    r, z = r_in.sigmoid(), z_in.sigmoid()
    reset = r * h_n
    n_in = x_n + reset
    n = n_in.tanh()
    keep = 1.0 - z
    new, old = keep * n, z * h
    h_next = new + old                               # h' = (1 − z) ⊙ n + z ⊙ h
    # Names for the pictures: the op view labels each node with its op and its name.
    h_proj.name = "W_h h + b_h"
    x_r.name, x_z.name, x_n.name = "W_ir x + b_ir", "W_iz x + b_iz", "W_in x + b_in"
    h_r.name, h_z.name, h_n.name = "W_hr h + b_hr", "W_hz h + b_hz", "W_hn h + b_hn"
    r_in.name, z_in.name, n_in.name = "r's pre-activation", "z's pre-activation", "n's pre-activation"
    r.name, z.name, n.name = "r (reset gate)", "z (update gate)", "n (candidate)"
    reset.name, keep.name, new.name, old.name = "r ⊙ (W_hn h + b_hn)", "1 − z", "(1 − z) ⊙ n", "z ⊙ h(t-1)"
    h_next.name = "h"
    return h_next


# ``value`` as a Tensor, or an error naming the module and the argument (ragged lists, None, ...).
as_input = as_tensor_argument


def unpack_states(who: str, name: str, hx: Any, states: tuple[str, ...]) -> tuple[Any, ...]:
    """``hx`` as one value per state: itself for one state, the pair (h, c) for the LSTM."""
    if len(states) == 1:
        return (hx,)
    if not isinstance(hx, (tuple, list)):
        raise TypeError(f"{who}: {name} must be a tuple ({', '.join(states)}), got {type(hx).__name__}")
    if len(hx) != len(states):
        raise ValueError(f"{who}: {name} must be {' and '.join(states)}, got {len(hx)} tensors")
    return tuple(hx)


def init_bound(hidden_size: int) -> float:
    """PyTorch initialises every recurrent weight and bias from U(-1/sqrt(H), 1/sqrt(H))."""
    return 1.0 / math.sqrt(hidden_size)


def layer_parameters(who: str, kind: str, input_size: int, hidden_size: int, bias: bool,
                     generator: np.random.Generator, suffix: str = "") -> dict[str, nn.Parameter]:
    """One layer's parameters under PyTorch's names, for the cells and the sequence nets alike.

    ``weight_ih{suffix}`` (G*H, D), ``weight_hh{suffix}`` (G*H, H) and, with ``bias``,
    ``bias_ih{suffix}``, ``bias_hh{suffix}`` (G*H,), G = ``GATES[kind]``, drawn from
    U(-1/sqrt(H), 1/sqrt(H)) in that order, PyTorch's (so a seed gives the same numbers
    whichever builds them). ``suffix`` is ``parameter_suffix(layer, direction)`` for a
    layer of a sequence net, "" for a cell.
    """
    rows, bound = GATES[kind] * hidden_size, init_bound(hidden_size)
    shapes = {"weight_ih": (rows, input_size), "weight_hh": (rows, hidden_size)}
    if bias:
        shapes.update(bias_ih=(rows,), bias_hh=(rows,))
    return {short + suffix: nn.Parameter(uniform_init(shape, bound, generator, who), name=short + suffix)
            for short, shape in shapes.items()}


class _Cell(nn.Module):
    """Parameters of one cell: weight_ih (G*H, D), weight_hh (G*H, H), bias_ih, bias_hh (G*H,)."""

    kind = ""

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, rng: RngLike = None) -> None:
        who = type(self).__name__
        check_sizes(who, input_size=input_size, hidden_size=hidden_size)
        check_flags(who, bias=bias)
        self.input_size, self.hidden_size = input_size, hidden_size
        parameters = layer_parameters(who, self.kind, input_size, hidden_size, bias, as_generator(rng, who))
        self.weight_ih, self.weight_hh = parameters["weight_ih"], parameters["weight_hh"]
        self.bias_ih, self.bias_hh = parameters.get("bias_ih"), parameters.get("bias_hh")

    def _input_projection(self, x: mg.Tensor, include_bias_hh: bool) -> mg.Tensor:
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise mg.ShapeError(f"{type(self).__name__}: input has shape {x.shape}, expected (B, "
                                f"{self.input_size}) or ({self.input_size},)")
        x_proj = linear(x, self.weight_ih, self.bias_ih)
        if self.bias_hh is not None and include_bias_hh:
            x_proj = x_proj + self.bias_hh
        return x_proj

    def _state(self, state: Optional[mg.Tensor], x: mg.Tensor, name: str) -> mg.Tensor:
        expected = x.shape[:-1] + (self.hidden_size,)
        if state is None:
            return mg.Tensor(np.zeros(expected, dtype=x.dtype))
        state = as_input(type(self).__name__, name, state)
        if state.shape != expected:
            raise mg.ShapeError(f"{type(self).__name__}: {name} has shape {state.shape}, expected {expected}")
        return state

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, bias={self.bias_ih is not None}"


class RNNCell(_Cell):
    """h' = f(W_ih x + b_ih + W_hh h + b_hh), f = tanh or relu. Shapes: x (B, D) or (D,), h (B, H) or (H,)."""

    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh",
                 rng: RngLike = None) -> None:
        check_nonlinearity("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, rng)
        self.nonlinearity = nonlinearity

    def forward(self, x: mg.Tensor, h: Optional[mg.Tensor] = None) -> mg.Tensor:
        x = as_input(type(self).__name__, "input", x)
        return rnn_step(self._input_projection(x, True), self._state(h, x, "h"), self.weight_hh,
                        self.nonlinearity)


class LSTMCell(_Cell):
    """Returns (h', c'). Shapes: x (B, D) or (D,); h, c (B, H) or (H,)."""

    kind = "lstm"

    def forward(self, x: mg.Tensor, hx: Optional[tuple[mg.Tensor, mg.Tensor]] = None) -> tuple[mg.Tensor, mg.Tensor]:
        x = as_input(type(self).__name__, "input", x)
        h, c = unpack_states("LSTMCell", "hx", hx, ("h", "c")) if hx is not None else (None, None)
        return lstm_step(self._input_projection(x, True), self._state(h, x, "h"), self._state(c, x, "c"),
                         self.weight_hh)


class GRUCell(_Cell):
    """Returns h'. Shapes: x (B, D) or (D,), h (B, H) or (H,)."""

    kind = "gru"

    def forward(self, x: mg.Tensor, h: Optional[mg.Tensor] = None) -> mg.Tensor:
        x = as_input(type(self).__name__, "input", x)
        return gru_step(self._input_projection(x, False), self._state(h, x, "h"), self.weight_hh, self.bias_hh)
