"""Chapter 3: layers stacked on top of each other, each optionally bidirectional (seed 004,
"Bidirectional RNN: Simplified code" and "BRNN block: gradient computation").
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union

import numpy as np

from ..layout import PARAMETER_NAMES, parameter_suffix
from .common import Grads, Params
from .elman import ElmanTape, _elman_bptt, _elman_sweep
from .gru import GRUTape, _gru_bptt, _gru_sweep
from .lstm import LSTMTape, _lstm_bptt, _lstm_sweep


@dataclass
class Cache:
    """Everything the backward pass needs from ``rnn_forward`` / ``lstm_forward`` / ``gru_forward``.

    Attributes:
        cell: "rnn", "lstm" or "gru".
        num_layers: number of stacked layers L.
        bidirectional: whether each layer also runs backward in time.
        nonlinearity: "tanh" or "relu" (Elman only; "tanh" for the LSTM, unused).
        input_shape: (T, B, D) of the input x.
        hidden_size: H.
        tapes: one tape per (layer, direction), indexed like the rows of h0:
            ``layer * num_directions + direction``.
    """

    cell: str
    num_layers: int
    bidirectional: bool
    nonlinearity: str
    input_shape: tuple[int, int, int]
    hidden_size: int
    tapes: list[Union[ElmanTape, LSTMTape, GRUTape]] = field(default_factory=list)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1


def _layer_weights(params: Params, layer: int, direction: int) -> Params:
    """The weights of one (layer, direction), under short names ("weight_ih", ...)."""
    suffix = parameter_suffix(layer, direction)
    return {short: params[short + suffix] for short in PARAMETER_NAMES if short + suffix in params}


def _stack_forward(cell: str, params: Params, x: np.ndarray, initial: tuple[np.ndarray, ...],
                   num_layers: int, bidirectional: bool, nonlinearity: str
                   ) -> tuple[np.ndarray, tuple[np.ndarray, ...], Cache]:
    """Run a stack of (optionally bidirectional) recurrent layers.

    PyTorch's layout is seed 004's "stacking many independent bidirectional
    blocks" where "forward and backward nets in each block are a single layer":
    layer k reads the concatenated [forward; backward] states of layer k-1.

    Args:
        cell: "rnn", "lstm" or "gru".
        params: all weights, PyTorch names.
        x: (T, B, D) input.
        initial: initial states, each (L * nd, B, H): (h0,) or (h0, c0).
        num_layers, bidirectional, nonlinearity: the architecture.

    Returns:
        (output (T, B, nd * H), final states each (L * nd, B, H), cache).
    """
    T, B, D = x.shape
    H = initial[0].shape[2]
    nd = 2 if bidirectional else 1
    cache = Cache(cell=cell, num_layers=num_layers, bidirectional=bidirectional,
                  nonlinearity=nonlinearity, input_shape=(T, B, D), hidden_size=H)
    finals = tuple(np.zeros_like(state) for state in initial)

    layer_input = x
    for layer in range(num_layers):
        direction_outputs = []
        for direction in range(nd):
            row = layer * nd + direction
            weights = _layer_weights(params, layer, direction)
            # Seed 004, "Bidirectional RNN: Simplified code": the backward net
            # is the same recurrence run on x_rev = fliplr(x), "flip it in time".
            seen_input = layer_input if direction == 0 else layer_input[::-1]
            row_initial = tuple(state[row] for state in initial)
            if cell == "rnn":
                tape = _elman_sweep(weights, seen_input, row_initial, nonlinearity)
            elif cell == "gru":
                tape = _gru_sweep(weights, seen_input, row_initial)
            else:
                tape = _lstm_sweep(weights, seen_input, row_initial)
            cache.tapes.append(tape)
            for final, sequence in zip(finals, tape.state_sequences):
                # The state after the direction's last step: for the backward
                # net that is the step that read x[0].
                final[row] = sequence[-1]
            # h_b = fliplr(h_brev): "flip back to straighten time".
            direction_outputs.append(tape.h if direction == 0 else tape.h[::-1])
        # Seed 004: h(t) = [h_f(t); h_b(t)], "typically just concatenate them".
        layer_input = np.concatenate(direction_outputs, axis=2)
    return layer_input, finals, cache


def _stack_backward(params: Params, cache: Cache, d_output: np.ndarray,
                    d_finals: tuple[np.ndarray, ...], initial_names: tuple[str, ...]) -> Grads:
    """Backpropagate through the stack built by ``_stack_forward``.

    Seed 004's multi-layer BPTT loops "for t: for l = L:1", interleaving layers
    inside each time step. Here the loops are the other way round, one whole
    layer at a time from the top: layer l's output gradient at *every* step
    is complete once layer l+1 has been swept (it is layer l+1's input
    gradient, seed 004: dh(t,l-1) += dz(t,l) W_c(l)), and for a bidirectional
    layer above it is the only possible order, since its backward net needs
    all times. The sums are the same.

    Args:
        params: all weights, PyTorch names.
        cache: from the forward pass.
        d_output: (T, B, nd * H) dE/d(output).
        d_finals: dE/d(final states), each (L * nd, B, H).
        initial_names: names of the initial-state gradients: ("h0",) or ("h0", "c0").

    Returns:
        Gradients for every key of params, "input" (T, B, D) and the initial states.
    """
    nd, H = cache.num_directions, cache.hidden_size
    grads: Grads = {}
    d_initial = tuple(np.zeros_like(d) for d in d_finals)

    d_layer_output = d_output
    for layer in reversed(range(cache.num_layers)):
        d_layer_input = None
        for direction in range(nd):
            row = layer * nd + direction
            weights = _layer_weights(params, layer, direction)
            tape = cache.tapes[row]
            # Seed 004, "BRNN block: gradient computation": separate dh(t) into
            # dh_f(t) and dh_b(t) ...
            d_h = d_layer_output[:, :, direction * H:(direction + 1) * H]
            if direction == 1:
                d_h = d_h[::-1]  # dh_brev = fliplr(dh_b): back into processing order
            row_d_final = tuple(d[row] for d in d_finals)
            if cache.cell == "rnn":
                d_x, d_weights, row_d_initial = _elman_bptt(weights, tape, d_h, row_d_final)
            elif cache.cell == "gru":
                d_x, d_weights, row_d_initial = _gru_bptt(weights, tape, d_h, row_d_final)
            else:
                d_x, d_weights, row_d_initial = _lstm_bptt(weights, tape, d_h, row_d_final)
            if direction == 1:
                d_x = d_x[::-1]  # dx_b = fliplr(dx_brev)
            # ... and "add the partials": dx(t) = dx_f(t) + dx_b(t).
            d_layer_input = d_x if d_layer_input is None else d_layer_input + d_x

            suffix = parameter_suffix(layer, direction)
            for short, grad in d_weights.items():
                grads[short + suffix] = grad
            for d_init, d_row in zip(d_initial, row_d_initial):
                d_init[row] = d_row
        # The gradient into this layer's input is the gradient into the output
        # of the layer below.
        d_layer_output = d_layer_input

    grads["input"] = d_layer_output
    for name, d_init in zip(initial_names, d_initial):
        grads[name] = d_init
    return grads
