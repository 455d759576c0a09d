"""Chapter 2: one LSTM layer, one direction (seed 000, "LSTM memory cell summary"; seed 001, "LSTM
Equations"): the same loop as ``elman.py`` with two states.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import Grads, Params, _gradient_sums, _bias_grads, _sigmoid, _summed_bias


@dataclass
class LSTMTape:
    """What one LSTM layer remembers of its forward sweep, for its BPTT.

    Time is in processing order, as for ``ElmanTape``. Gate names follow
    PyTorch: i (input), f (forget), g (candidate cell, seed 000's C~(t), seed
    001's H~_t), o (output).

    Attributes:
        x: (T, B, D_k) the layer's input sequence.
        h_init, c_init: (B, H) the initial states h(-1), C(-1).
        i, f, g, o: (T, B, H) gate activations at every step.
        c: (T, B, H) cell states C(t).
        h: (T, B, H) hidden states h(t).
    """

    x: np.ndarray
    h_init: np.ndarray
    c_init: np.ndarray
    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray

    @property
    def initial_states(self) -> tuple[np.ndarray, ...]:
        """(h(-1), C(-1)), each (B, H)."""
        return (self.h_init, self.c_init)

    @property
    def state_sequences(self) -> tuple[np.ndarray, ...]:
        """(h, c), each (T, B, H): the states the layer carries from step to step."""
        return (self.h, self.c)


def _lstm_sweep(weights: Params, x: np.ndarray, initial: tuple[np.ndarray, ...]) -> LSTMTape:
    """Run one LSTM layer forward in time (seed 000, "LSTM memory cell summary").

    Seed 000 multiplies each gate's W by the concatenation [h(t-1), x(t)] (seed
    001: [X_t H_{t-1}]); splitting that W into the columns that meet x and the
    ones that meet h gives PyTorch's W_ih x(t) + W_hh h(t-1). The four gates'
    rows are stacked in one matrix, in the order i, f, g, o.

    Args:
        weights: "weight_ih" (4H, D_k), "weight_hh" (4H, H), optional
            "bias_ih", "bias_hh" (4H,).
        x: (T, B, D_k) input sequence, in processing order.
        initial: (h(-1), C(-1)), each (B, H).

    Returns:
        The tape: x, initial states, gates, cell and hidden states.
    """
    h_init, c_init = initial
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    b = _summed_bias(weights, w_hh.shape[0])
    T, B = x.shape[:2]
    H = w_hh.shape[1]
    i, f, g, o, c, h = (np.zeros((T, B, H)) for _ in range(6))
    h_prev, c_prev = h_init, c_init
    for t in range(T):
        a = x[t] @ w_ih.T + h_prev @ w_hh.T + b  # (B, 4H): all four gates' pre-activations
        a_i, a_f, a_g, a_o = np.split(a, 4, axis=1)
        i[t] = _sigmoid(a_i)  # i(t) = sigma(W_i [h(t-1), x(t)] + b_i)
        f[t] = _sigmoid(a_f)  # f(t) = sigma(W_f [h(t-1), x(t)] + b_f)
        g[t] = np.tanh(a_g)   # C~(t) = tanh(W_C [h(t-1), x(t)] + b_C)
        o[t] = _sigmoid(a_o)  # o(t) = sigma(W_o [h(t-1), x(t)] + b_o)
        c[t] = f[t] * c_prev + i[t] * g[t]  # C(t) = f(t) . C(t-1) + i(t) . C~(t)
        h[t] = o[t] * np.tanh(c[t])         # h(t) = o(t) . tanh(C(t))
        h_prev, c_prev = h[t], c[t]
    return LSTMTape(x=x, h_init=h_init, c_init=c_init, i=i, f=f, g=g, o=o, c=c, h=h)


def _lstm_bptt(weights: Params, tape: LSTMTape, d_h_out: np.ndarray,
               d_final: tuple[np.ndarray, ...]
               ) -> tuple[np.ndarray, Grads, tuple[np.ndarray, ...]]:
    """Backpropagate through one LSTM layer, backward in time.

    The same loop as ``_elman_bptt`` (seed 004, "BPTT"), with the LSTM's two
    states: h(t) and the cell C(t) both feed step t+1, so both receive a
    gradient "from the future". Each line is the chain rule applied to one
    equation of seed 000's "LSTM memory cell summary".

    Args:
        weights: as for ``_lstm_sweep``.
        tape: the layer's forward tape.
        d_h_out: (T, B, H) dE/dh(t) arriving from outside the recurrence.
        d_final: (dE/dh(T-1), dE/dC(T-1)), each (B, H), from outside.

    Returns:
        (dE/dx (T, B, D_k), gradients of "weight_ih", "weight_hh" and present
        biases, (dE/dh(-1), dE/dC(-1)) each (B, H)).
    """
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    T = tape.x.shape[0]
    d_x, d_w_ih, d_w_hh = _gradient_sums(weights, tape.x)
    d_b = np.zeros(w_hh.shape[0])

    d_h_from_next, d_c_from_next = d_final
    for t in reversed(range(T)):
        h_prev = tape.h[t - 1] if t > 0 else tape.h_init
        c_prev = tape.c[t - 1] if t > 0 else tape.c_init
        i, f, g, o = tape.i[t], tape.f[t], tape.g[t], tape.o[t]
        tanh_c = np.tanh(tape.c[t])

        # As in seed 004's BPTT: output gradient plus gradient from step t+1.
        d_h = d_h_out[t] + d_h_from_next
        # h(t) = o(t) . tanh(C(t))
        d_o = d_h * tanh_c
        # C(t) reaches the loss through h(t) and through C(t+1).
        d_c = d_h * o * (1.0 - tanh_c**2) + d_c_from_next
        # C(t) = f(t) . C(t-1) + i(t) . C~(t)
        d_f = d_c * c_prev
        d_i = d_c * g
        d_g = d_c * i
        d_c_from_next = d_c * f  # into C(t-1): the forget gate is the "leak" gain (seed 000)

        # Back through the gate nonlinearities: sigma' = s(1 - s), tanh' = 1 - tanh^2.
        d_a = np.concatenate([d_i * i * (1.0 - i),
                              d_f * f * (1.0 - f),
                              d_g * (1.0 - g**2),
                              d_o * o * (1.0 - o)], axis=1)  # (B, 4H), order i, f, g, o

        # Pooling of gradients of shared parameters over time (seed 004): "+=".
        d_w_ih += d_a.T @ tape.x[t]
        d_w_hh += d_a.T @ h_prev
        d_b += d_a.sum(axis=0)

        d_x[t] = d_a @ w_ih
        d_h_from_next = d_a @ w_hh

    grads = {"weight_ih": d_w_ih, "weight_hh": d_w_hh, **_bias_grads(weights, d_b)}
    return d_x, grads, (d_h_from_next, d_c_from_next)
