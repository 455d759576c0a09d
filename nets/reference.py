"""Backpropagation through time written out by hand, in plain numpy.

This module is the *oracle* the engine is tested against, and a text to read
next to it: every gradient here is written as the lecture notes derive it,
one time step at a time, with no automatic differentiation at all. The nets
in ``nets/`` compute the same numbers by recording the unrolled forward pass
on ``minigrad`` tensors and calling the engine's generic ``backward``.

Reading order:

1. ``_elman_sweep`` / ``_elman_bptt``: one Elman layer run forward in time,
   then its BPTT going backward in time (seed 004, "Recurrent Neural Net"
   forward pseudocode and "BPTT" pseudocode).
2. ``_lstm_sweep`` / ``_lstm_bptt``: the same for an LSTM layer (seed 000,
   "LSTM memory cell summary"; seed 001, "LSTM Equations"), and
   ``_gru_sweep`` / ``_gru_bptt`` for a GRU layer (PyTorch's equations).
3. ``_stack_forward`` / ``_stack_backward``: layers stacked on top of each
   other, each one optionally bidirectional (seed 004, "Bidirectional RNN:
   Simplified code" and "BRNN block: gradient computation").
4. The public functions ``rnn_forward``, ``rnn_backward``, ``lstm_forward``,
   ``lstm_backward``, ``gru_forward``, ``gru_backward``, which check their
   arguments and call the above.
5. ``rnn_rtrl``: the same gradient computed *forward* in time, by real-time
   recurrent learning (seed 000, "Other learning algorithms for RNNs").
6. ``rnn_truncated_bptt`` / ``lstm_truncated_bptt``: truncated BPTT (seed 000,
   "Backpropagation through time – online with truncation"; seed 001,
   "truncated BPTT with look-back limited to τ").

Conventions (those of PyTorch's ``nn.RNN`` / ``nn.LSTM``, so the two can be
compared number for number):

* A batch of B vectors is a (B, features) array: each vector is a *row*. The
  seeds write column vectors, ``z = W x``; with rows this reads
  ``z = x @ W.T``, and the seeds' outer product ``h dz`` for a weight
  gradient becomes ``dz.T @ h`` (summed over the batch, because the loss is
  one scalar summed over all sequences of the batch).
* Time runs t = 0 .. T-1 and the initial state is h(-1) (seed 004 writes
  ``h(-1)``); here it is called ``h_init``.
* Parameters live in a dict ``name -> array`` with PyTorch's names:
  ``weight_ih_l{k}{sfx}`` (G*H, D_k), ``weight_hh_l{k}{sfx}`` (G*H, H),
  ``bias_ih_l{k}{sfx}`` (G*H,) and ``bias_hh_l{k}{sfx}`` (G*H,), where k is
  the layer, ``sfx`` is ``""`` for the forward direction and ``"_reverse"``
  for the backward one, G = 1 (Elman) or 4 (LSTM: gates i, f, g, o stacked
  in that order), D_0 = input size and D_k = H * num_directions for k > 0.
  Biases may be absent (``bias=False``).
* Initial and final states are (num_layers * num_directions, B, H), row
  ``layer * num_directions + direction``.

Every gradient function takes ``d_output = dE/d(output)`` for some scalar loss
E, so it works for any loss: the caller differentiates the loss with respect
to the outputs, the reference does the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Union

import numpy as np

Params = dict[str, np.ndarray]
Grads = dict[str, np.ndarray]

NONLINEARITIES = ("tanh", "relu")
_SHORT_NAMES = ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
_DIRECTION_SUFFIXES = ("", "_reverse")


# ---------------------------------------------------------------------------
# Activations and their derivatives
# ---------------------------------------------------------------------------

def _sigmoid(a: np.ndarray) -> np.ndarray:
    """The logistic function, computed as 0.5 * (1 + tanh(a / 2)).

    The identity avoids the overflow warning ``np.exp(-a)`` gives for very
    negative a; the values are the same.
    """
    return 0.5 * (1.0 + np.tanh(0.5 * a))


def _elman_activation(z: np.ndarray, nonlinearity: str) -> np.ndarray:
    """h = f(z), f = tanh or relu; any shape."""
    if nonlinearity == "tanh":
        return np.tanh(z)
    return np.maximum(z, 0.0)


def _elman_activation_derivative(z: np.ndarray, h: np.ndarray, nonlinearity: str) -> np.ndarray:
    """f'(z), given z and h = f(z); any shape.

    This is the diagonal of seed 004's ``Jacobian(h(t,l), z(t,l))``: each unit's
    output depends only on its own pre-activation.
    """
    if nonlinearity == "tanh":
        return 1.0 - h**2  # tanh' = 1 - tanh^2
    # relu' is 1 for z > 0 and 0 for z < 0; at the kink z = 0 we take 0, as PyTorch does.
    return (z > 0.0).astype(z.dtype)


def _summed_bias(weights: Params, size: int) -> np.ndarray:
    """b_ih + b_hh, shape (size,); zeros for a layer built without biases.

    The two biases are always added together, so they act as one bias b
    (seed 004's ``b(l)``); PyTorch keeps two only for compatibility with cuDNN.
    """
    total = np.zeros(size)
    for name in ("bias_ih", "bias_hh"):
        if name in weights:
            total = total + weights[name]
    return total


def _bias_grads(weights: Params, d_bias: np.ndarray) -> Grads:
    """Both biases receive the gradient of their sum, b = b_ih + b_hh."""
    return {name: d_bias.copy() for name in ("bias_ih", "bias_hh") if name in weights}


# ---------------------------------------------------------------------------
# One Elman layer, one direction
# ---------------------------------------------------------------------------

@dataclass
class ElmanTape:
    """What one Elman layer remembers of its forward sweep, for its BPTT.

    Time is in *processing* order: for the reverse direction of a
    bidirectional layer, index 0 holds the last input x[T-1] (seed 004 runs the
    backward net on the time-flipped sequence).

    Attributes:
        x: (T, B, D_k) the layer's input sequence.
        h_init: (B, H) the initial state h(-1).
        z: (T, B, H) pre-activations z(t) = W_ih x(t) + W_hh h(t-1) + b.
        h: (T, B, H) states h(t) = f(z(t)).
        nonlinearity: "tanh" or "relu".
    """

    x: np.ndarray
    h_init: np.ndarray
    z: np.ndarray
    h: np.ndarray
    nonlinearity: str

    @property
    def initial_states(self) -> tuple[np.ndarray, ...]:
        """(h(-1),), each (B, H)."""
        return (self.h_init,)

    @property
    def state_sequences(self) -> tuple[np.ndarray, ...]:
        """(h,), each (T, B, H): the states the layer carries from step to step."""
        return (self.h,)


def _elman_sweep(weights: Params, x: np.ndarray, initial: tuple[np.ndarray, ...],
                 nonlinearity: str) -> ElmanTape:
    """Run one Elman layer forward in time (seed 004, "Recurrent Neural Net").

    Args:
        weights: "weight_ih" (H, D_k), "weight_hh" (H, H), optional "bias_ih",
            "bias_hh" (H,).
        x: (T, B, D_k) input sequence, in processing order.
        initial: (h(-1),) with h(-1) of shape (B, H).
        nonlinearity: "tanh" or "relu".

    Returns:
        The tape: x, h(-1), and z, h for every step.
    """
    (h_init,) = initial
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    b = _summed_bias(weights, w_hh.shape[0])
    T, B = x.shape[:2]
    H = w_hh.shape[1]
    z = np.zeros((T, B, H))
    h = np.zeros((T, B, H))
    h_prev = h_init
    for t in range(T):
        # seed 004: z(t,l) = W_c(l) h(t,l-1) + W_r(l) h(t-1,l) + b(l)
        z[t] = x[t] @ w_ih.T + h_prev @ w_hh.T + b
        h[t] = _elman_activation(z[t], nonlinearity)
        h_prev = h[t]
    return ElmanTape(x=x, h_init=h_init, z=z, h=h, nonlinearity=nonlinearity)


def _elman_bptt(weights: Params, tape: ElmanTape, d_h_out: np.ndarray,
                d_final: tuple[np.ndarray, ...]
                ) -> tuple[np.ndarray, Grads, tuple[np.ndarray, ...]]:
    """Backpropagate through one Elman layer, backward in time (seed 004, "BPTT").

    Args:
        weights: as for ``_elman_sweep``.
        tape: the layer's forward tape.
        d_h_out: (T, B, H) dE/dh(t) arriving from *outside* the recurrence at
            every step (from the loss, or from the layer above); the seeds'
            ``dh_top(t)``.
        d_final: (dE/dh(T-1),) with shape (B, H): gradient reaching the final
            state from outside (the loss may use h_n directly).

    Returns:
        (dE/dx (T, B, D_k), gradients of "weight_ih", "weight_hh" and present
        biases, (dE/dh(-1),) with shape (B, H)).
    """
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    T = tape.x.shape[0]
    d_x = np.zeros_like(tape.x)
    d_w_ih = np.zeros_like(w_ih)
    d_w_hh = np.zeros_like(w_hh)
    d_b = np.zeros(w_hh.shape[0])

    # The gradient arriving at h(t) through the recurrence, from step t+1;
    # at the last step only what the loss puts on h_n arrives.
    (d_h_from_next,) = d_final
    for t in reversed(range(T)):  # seed 004: "for t = T-1:downto:0"
        h_prev = tape.h[t - 1] if t > 0 else tape.h_init

        # Seed 004 BPTT: dDIV/dh(t) = (output gradient at t) + dDIV/dz(t+1) W_r.
        # The second term is the "Note the addition" of the derivation: h(t)
        # influences the loss both directly and through h(t+1).
        d_h = d_h_out[t] + d_h_from_next
        # dz(t) = dh(t) Jacobian(h(t), z(t)); the Jacobian is diag(f'(z(t))).
        d_z = d_h * _elman_activation_derivative(tape.z[t], tape.h[t], tape.nonlinearity)

        # Seed 004: dW_c += h(t,l-1) dz(t,l); dW_r += h(t-1,l) dz(t,l); db += dz(t,l).
        # The "+=" over time steps IS the pooling of gradients of shared
        # parameters (seed 004, "Training the RNN"; seed 000: dE/dW = sum_t dE/dW_t):
        # every step uses the same W, so W's gradient is the sum of the
        # gradients of its T copies in the unrolled net.
        d_w_ih += d_z.T @ tape.x[t]
        d_w_hh += d_z.T @ h_prev
        d_b += d_z.sum(axis=0)

        # Seed 004: dh(t,l-1) += dz(t,l) W_c(l)  -> gradient into this step's input;
        #           dh(t-1,l) += dz(t,l) W_r(l)  -> gradient into the previous state.
        d_x[t] = d_z @ w_ih
        d_h_from_next = d_z @ w_hh

    grads = {"weight_ih": d_w_ih, "weight_hh": d_w_hh, **_bias_grads(weights, d_b)}
    # After step 0 the recurrence has delivered dDIV/dh(-1) = dDIV/dz(0) W_r
    # (seed 004: "Continue computing derivatives going backward through time until..").
    return d_x, grads, (d_h_from_next,)


# ---------------------------------------------------------------------------
# One LSTM layer, one direction
# ---------------------------------------------------------------------------

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
    d_x = np.zeros_like(tape.x)
    d_w_ih = np.zeros_like(w_ih)
    d_w_hh = np.zeros_like(w_hh)
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


# ---------------------------------------------------------------------------
# One GRU layer, one direction
# ---------------------------------------------------------------------------

@dataclass
class GRUTape:
    """What one GRU layer remembers of its forward sweep, for its BPTT.

    Time is in processing order, as for ``ElmanTape``. Gate names follow
    PyTorch: r (reset), z (update), n (candidate state).

    Attributes:
        x: (T, B, D_k) the layer's input sequence.
        h_init: (B, H) the initial state h(-1).
        r, z, n: (T, B, H) gate activations at every step.
        h_proj_n: (T, B, H) W_hn h(t-1) + b_hn, the part of n's pre-activation the reset gate scales.
        h: (T, B, H) hidden states h(t).
    """

    x: np.ndarray
    h_init: np.ndarray
    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    h_proj_n: np.ndarray
    h: np.ndarray

    @property
    def initial_states(self) -> tuple[np.ndarray, ...]:
        """(h(-1),), each (B, H)."""
        return (self.h_init,)

    @property
    def state_sequences(self) -> tuple[np.ndarray, ...]:
        """(h,), each (T, B, H)."""
        return (self.h,)


def _gru_sweep(weights: Params, x: np.ndarray, initial: tuple[np.ndarray, ...]) -> GRUTape:
    """Run one GRU layer forward in time, as PyTorch's ``nn.GRU`` defines it (seed 001 names the GRU).

    Unlike the Elman net and the LSTM, the two biases do not merge into one:
    b_hn sits inside the reset gate's product, r(t) . (W_hn h(t-1) + b_hn).

    Args:
        weights: "weight_ih" (3H, D_k), "weight_hh" (3H, H), optional
            "bias_ih", "bias_hh" (3H,); rows in the order r, z, n.
        x: (T, B, D_k) input sequence, in processing order.
        initial: (h(-1),) with h(-1) of shape (B, H).
    """
    (h_init,) = initial
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    G_H = w_hh.shape[0]
    b_ih = weights.get("bias_ih", np.zeros(G_H))
    b_hh = weights.get("bias_hh", np.zeros(G_H))
    T, B = x.shape[:2]
    H = w_hh.shape[1]
    r, z, n, h_proj_n, h = (np.zeros((T, B, H)) for _ in range(5))
    h_prev = h_init
    for t in range(T):
        x_r, x_z, x_n = np.split(x[t] @ w_ih.T + b_ih, 3, axis=1)
        h_r, h_z, h_n = np.split(h_prev @ w_hh.T + b_hh, 3, axis=1)
        r[t] = _sigmoid(x_r + h_r)              # r(t) = sigma(W_ir x(t) + b_ir + W_hr h(t-1) + b_hr)
        z[t] = _sigmoid(x_z + h_z)              # z(t) = sigma(W_iz x(t) + b_iz + W_hz h(t-1) + b_hz)
        n[t] = np.tanh(x_n + r[t] * h_n)        # n(t) = tanh(W_in x(t) + b_in + r(t) . (W_hn h(t-1) + b_hn))
        h_proj_n[t] = h_n
        h[t] = (1.0 - z[t]) * n[t] + z[t] * h_prev  # h(t) = (1 - z(t)) . n(t) + z(t) . h(t-1)
        h_prev = h[t]
    return GRUTape(x=x, h_init=h_init, r=r, z=z, n=n, h_proj_n=h_proj_n, h=h)


def _gru_bptt(weights: Params, tape: GRUTape, d_h_out: np.ndarray,
              d_final: tuple[np.ndarray, ...]
              ) -> tuple[np.ndarray, Grads, tuple[np.ndarray, ...]]:
    """Backpropagate through one GRU layer, backward in time: ``_elman_bptt``'s loop, the GRU's equations.

    Args:
        weights: as for ``_gru_sweep``.
        tape: the layer's forward tape.
        d_h_out: (T, B, H) dE/dh(t) arriving from outside the recurrence.
        d_final: (dE/dh(T-1),) with shape (B, H), from outside.

    Returns:
        (dE/dx (T, B, D_k), gradients of "weight_ih", "weight_hh" and present
        biases, (dE/dh(-1),) with shape (B, H)).
    """
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    T = tape.x.shape[0]
    d_x = np.zeros_like(tape.x)
    d_w_ih = np.zeros_like(w_ih)
    d_w_hh = np.zeros_like(w_hh)
    d_b_ih = np.zeros(w_hh.shape[0])
    d_b_hh = np.zeros(w_hh.shape[0])

    (d_h_from_next,) = d_final
    for t in reversed(range(T)):
        h_prev = tape.h[t - 1] if t > 0 else tape.h_init
        r, z, n = tape.r[t], tape.z[t], tape.n[t]

        d_h = d_h_out[t] + d_h_from_next
        # h(t) = (1 - z) . n + z . h(t-1)
        d_n = d_h * (1.0 - z)
        d_z = d_h * (h_prev - n)
        d_h_prev = d_h * z                       # the direct path into h(t-1), through the update gate
        # n = tanh(a_n), a_n = W_in x + b_in + r . (W_hn h(t-1) + b_hn)
        d_a_n = d_n * (1.0 - n**2)
        d_r = d_a_n * tape.h_proj_n[t]
        d_a_r = d_r * r * (1.0 - r)
        d_a_z = d_z * z * (1.0 - z)
        d_x_proj = np.concatenate([d_a_r, d_a_z, d_a_n], axis=1)      # (B, 3H): into W_ih x + b_ih
        d_h_proj = np.concatenate([d_a_r, d_a_z, d_a_n * r], axis=1)  # (B, 3H): into W_hh h(t-1) + b_hh

        # Pooling of gradients of shared parameters over time (seed 004): "+=".
        d_w_ih += d_x_proj.T @ tape.x[t]
        d_w_hh += d_h_proj.T @ h_prev
        d_b_ih += d_x_proj.sum(axis=0)
        d_b_hh += d_h_proj.sum(axis=0)

        d_x[t] = d_x_proj @ w_ih
        d_h_from_next = d_h_prev + d_h_proj @ w_hh

    grads = {"weight_ih": d_w_ih, "weight_hh": d_w_hh}
    for name, grad in (("bias_ih", d_b_ih), ("bias_hh", d_b_hh)):
        if name in weights:
            grads[name] = grad
    return d_x, grads, (d_h_from_next,)


# ---------------------------------------------------------------------------
# Layers and directions (seed 004, "Bidirectional RNN")
# ---------------------------------------------------------------------------

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
    suffix = f"_l{layer}{_DIRECTION_SUFFIXES[direction]}"
    return {short: params[short + suffix] for short in _SHORT_NAMES if short + suffix in params}


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

            suffix = f"_l{layer}{_DIRECTION_SUFFIXES[direction]}"
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


# ---------------------------------------------------------------------------
# Argument checks
# ---------------------------------------------------------------------------

def _as_float64(array: np.ndarray) -> np.ndarray:
    return np.asarray(array, dtype=np.float64)


def _check_shape(fn: str, arg: str, shape: tuple[int, ...], expected: tuple[int, ...],
                 meaning: str) -> None:
    """Raise ValueError naming the function, the argument, the expected and the actual shape."""
    if tuple(shape) != expected:
        raise ValueError(f"{fn}: {arg} must have shape {meaning} = {expected}, got {tuple(shape)}")


def _check_params(fn: str, params: Params, gates: int, num_layers: int,
                  bidirectional: bool) -> tuple[int, int]:
    """Check every parameter is present with PyTorch's shape; return (D, H).

    Biases may be absent, but no key may be unknown: an unexpected key would
    usually mean num_layers or bidirectional disagree with the parameters.
    """
    if not isinstance(params, dict):
        raise ValueError(f"{fn}: params must be a dict name -> array, got {type(params).__name__}")
    for name in ("weight_ih_l0", "weight_hh_l0"):
        if name not in params:
            raise ValueError(f"{fn}: params is missing key '{name}'")
    input_size = np.shape(params["weight_ih_l0"])[-1]
    hidden_size = np.shape(params["weight_hh_l0"])[-1]
    nd = 2 if bidirectional else 1
    expected_keys = set()
    for layer in range(num_layers):
        layer_input = input_size if layer == 0 else nd * hidden_size
        for direction in range(nd):
            suffix = f"_l{layer}{_DIRECTION_SUFFIXES[direction]}"
            # short name -> (expected shape, how the shape is written in the docs)
            expected = {"weight_ih": ((gates * hidden_size, layer_input), "(G*H, D_k)"),
                        "weight_hh": ((gates * hidden_size, hidden_size), "(G*H, H)"),
                        "bias_ih": ((gates * hidden_size,), "(G*H,)"),
                        "bias_hh": ((gates * hidden_size,), "(G*H,)")}
            for short, (shape, meaning) in expected.items():
                name = short + suffix
                expected_keys.add(name)
                if name not in params:
                    if short.startswith("bias"):
                        continue  # built with bias=False
                    raise ValueError(f"{fn}: params is missing key '{name}'")
                _check_shape(fn, f"params['{name}']", np.shape(params[name]), shape, meaning)
    unexpected = sorted(set(params) - expected_keys)
    if unexpected:
        raise ValueError(f"{fn}: params has unexpected keys {unexpected} for "
                         f"num_layers={num_layers}, bidirectional={bidirectional}")
    return input_size, hidden_size


def _check_input(fn: str, x: np.ndarray, input_size: int) -> np.ndarray:
    """x must be (T, B, D) with T >= 1 and D = input size; returns it as float64."""
    x = _as_float64(x)
    if x.ndim != 3:
        raise ValueError(f"{fn}: x must be 3-D (T, B, D), got shape {x.shape}")
    if x.shape[0] < 1:
        raise ValueError(f"{fn}: x must have at least one time step, got shape {x.shape}")
    _check_shape(fn, "x", x.shape, (x.shape[0], x.shape[1], input_size), "(T, B, D)")
    return x


def _initial_state(fn: str, arg: str, state: Optional[np.ndarray],
                   shape: tuple[int, int, int]) -> np.ndarray:
    """An initial state of the given (L * nd, B, H) shape; None means zeros."""
    if state is None:
        return np.zeros(shape)
    state = _as_float64(state)
    _check_shape(fn, arg, state.shape, shape, "(num_layers * num_directions, B, H)")
    return state


def _check_cache(fn: str, cache: Cache, cell: str) -> None:
    if not isinstance(cache, Cache) or cache.cell != cell:
        made_by = f"{cell}_forward"
        raise ValueError(f"{fn}: cache must be the Cache returned by {made_by}")


def _output_gradient(fn: str, arg: str, gradient: Optional[np.ndarray],
                     shape: tuple[int, ...], meaning: str) -> np.ndarray:
    """A gradient argument of the given shape; None means zeros (the loss ignores it)."""
    if gradient is None:
        return np.zeros(shape)
    gradient = _as_float64(gradient)
    _check_shape(fn, arg, gradient.shape, shape, meaning)
    return gradient


def _check_nonlinearity(fn: str, nonlinearity: str) -> None:
    if nonlinearity not in NONLINEARITIES:
        raise ValueError(f"{fn}: nonlinearity must be one of {NONLINEARITIES}, "
                         f"got {nonlinearity!r}")


# ---------------------------------------------------------------------------
# Public API: forward passes and full BPTT
# ---------------------------------------------------------------------------

_GATES = {"rnn": 1, "lstm": 4, "gru": 3}


def _one_state_forward(cell: str, params: Params, x: np.ndarray, h0: Optional[np.ndarray],
                       num_layers: int, bidirectional: bool, nonlinearity: str
                       ) -> tuple[np.ndarray, np.ndarray, Cache]:
    """``rnn_forward`` and ``gru_forward``: check the arguments, run the stack; one state h per layer."""
    fn = f"{cell}_forward"
    input_size, hidden_size = _check_params(fn, params, _GATES[cell], num_layers, bidirectional)
    x = _check_input(fn, x, input_size)
    nd = 2 if bidirectional else 1
    h0 = _initial_state(fn, "h0", h0, (num_layers * nd, x.shape[1], hidden_size))
    output, (h_n,), cache = _stack_forward(cell, params, x, (h0,), num_layers, bidirectional, nonlinearity)
    return output, h_n, cache


def _one_state_backward(cell: str, params: Params, cache: Cache, d_output: np.ndarray,
                        d_h_n: Optional[np.ndarray]) -> Grads:
    """``rnn_backward`` and ``gru_backward``: check the arguments, backpropagate through the stack."""
    fn = f"{cell}_backward"
    _check_cache(fn, cache, cell)
    _check_params(fn, params, _GATES[cell], cache.num_layers, cache.bidirectional)
    T, B, _ = cache.input_shape
    nd, H = cache.num_directions, cache.hidden_size
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, nd * H), "(T, B, nd * H)")
    d_h_n = _output_gradient(fn, "d_h_n", d_h_n, (cache.num_layers * nd, B, H),
                             "(num_layers * num_directions, B, H)")
    return _stack_backward(params, cache, d_output, (d_h_n,), ("h0",))


def rnn_forward(params: Params, x: np.ndarray, h0: Optional[np.ndarray] = None, *,
                num_layers: int = 1, bidirectional: bool = False,
                nonlinearity: str = "tanh") -> tuple[np.ndarray, np.ndarray, Cache]:
    """Elman RNN forward pass, as ``torch.nn.RNN`` computes it.

    h(t) = f(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh) in every layer and direction.

    Args:
        params: PyTorch-named weights (see the module docstring), G = 1.
        x: (T, B, D) input sequence.
        h0: (L * nd, B, H) initial states, or None for zeros.
        num_layers: L.
        bidirectional: whether each layer also runs backward in time (nd = 2).
        nonlinearity: "tanh" or "relu".

    Returns:
        output (T, B, nd * H): the top layer's h(t), forward features first;
        h_n (L * nd, B, H): every layer and direction's final state;
        cache for ``rnn_backward``.
    """
    _check_nonlinearity("rnn_forward", nonlinearity)
    return _one_state_forward("rnn", params, x, h0, num_layers, bidirectional, nonlinearity)


def rnn_backward(params: Params, cache: Cache, d_output: np.ndarray,
                 d_h_n: Optional[np.ndarray] = None) -> Grads:
    """Full BPTT for ``rnn_forward`` (seed 004, "BPTT" and "BRNN block: gradient computation").

    Args:
        params: the same weights given to ``rnn_forward``.
        cache: returned by ``rnn_forward``.
        d_output: (T, B, nd * H) dE/d(output).
        d_h_n: (L * nd, B, H) dE/d(h_n), or None if the loss does not use h_n.

    Returns:
        dE/d(name) for every key of params (same shapes), "input" (T, B, D)
        and "h0" (L * nd, B, H).
    """
    return _one_state_backward("rnn", params, cache, d_output, d_h_n)


def lstm_forward(params: Params, x: np.ndarray,
                 hx: Optional[tuple[np.ndarray, np.ndarray]] = None, *,
                 num_layers: int = 1, bidirectional: bool = False
                 ) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray], Cache]:
    """LSTM forward pass, as ``torch.nn.LSTM`` computes it (seed 000, "LSTM memory cell summary").

    Args:
        params: PyTorch-named weights (see the module docstring), G = 4.
        x: (T, B, D) input sequence.
        hx: (h0, c0), each (L * nd, B, H) or None; None means all zeros.
        num_layers: L.
        bidirectional: whether each layer also runs backward in time (nd = 2).

    Returns:
        output (T, B, nd * H): the top layer's h(t), forward features first;
        (h_n, c_n), each (L * nd, B, H); cache for ``lstm_backward``.
    """
    fn = "lstm_forward"
    input_size, hidden_size = _check_params(fn, params, 4, num_layers, bidirectional)
    x = _check_input(fn, x, input_size)
    nd = 2 if bidirectional else 1
    shape = (num_layers * nd, x.shape[1], hidden_size)
    h0, c0 = (None, None) if hx is None else hx
    h0 = _initial_state(fn, "h0", h0, shape)
    c0 = _initial_state(fn, "c0", c0, shape)
    output, (h_n, c_n), cache = _stack_forward("lstm", params, x, (h0, c0), num_layers,
                                               bidirectional, "tanh")
    return output, (h_n, c_n), cache


def lstm_backward(params: Params, cache: Cache, d_output: np.ndarray,
                  d_h_n: Optional[np.ndarray] = None, d_c_n: Optional[np.ndarray] = None) -> Grads:
    """Full BPTT for ``lstm_forward``.

    Args:
        params: the same weights given to ``lstm_forward``.
        cache: returned by ``lstm_forward``.
        d_output: (T, B, nd * H) dE/d(output).
        d_h_n: (L * nd, B, H) dE/d(h_n), or None.
        d_c_n: (L * nd, B, H) dE/d(c_n), or None.

    Returns:
        dE/d(name) for every key of params, "input" (T, B, D), "h0" and "c0"
        (L * nd, B, H).
    """
    fn = "lstm_backward"
    _check_cache(fn, cache, "lstm")
    _check_params(fn, params, 4, cache.num_layers, cache.bidirectional)
    T, B, _ = cache.input_shape
    nd, H = cache.num_directions, cache.hidden_size
    state_shape = (cache.num_layers * nd, B, H)
    state_meaning = "(num_layers * num_directions, B, H)"
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, nd * H), "(T, B, nd * H)")
    d_h_n = _output_gradient(fn, "d_h_n", d_h_n, state_shape, state_meaning)
    d_c_n = _output_gradient(fn, "d_c_n", d_c_n, state_shape, state_meaning)
    return _stack_backward(params, cache, d_output, (d_h_n, d_c_n), ("h0", "c0"))


def gru_forward(params: Params, x: np.ndarray, h0: Optional[np.ndarray] = None, *,
                num_layers: int = 1, bidirectional: bool = False) -> tuple[np.ndarray, np.ndarray, Cache]:
    """GRU forward pass, as ``torch.nn.GRU`` computes it.

    Args:
        params: PyTorch-named weights (see the module docstring), G = 3, gates r, z, n.
        x: (T, B, D) input sequence.
        h0: (L * nd, B, H) initial states, or None for zeros.
        num_layers: L.
        bidirectional: whether each layer also runs backward in time (nd = 2).

    Returns:
        output (T, B, nd * H), h_n (L * nd, B, H), cache for ``gru_backward``.
    """
    return _one_state_forward("gru", params, x, h0, num_layers, bidirectional, "tanh")


def gru_backward(params: Params, cache: Cache, d_output: np.ndarray,
                 d_h_n: Optional[np.ndarray] = None) -> Grads:
    """Full BPTT for ``gru_forward``.

    Args:
        params: the same weights given to ``gru_forward``.
        cache: returned by ``gru_forward``.
        d_output: (T, B, nd * H) dE/d(output).
        d_h_n: (L * nd, B, H) dE/d(h_n), or None if the loss does not use h_n.

    Returns:
        dE/d(name) for every key of params, "input" (T, B, D) and "h0" (L * nd, B, H).
    """
    return _one_state_backward("gru", params, cache, d_output, d_h_n)


# ---------------------------------------------------------------------------
# Real-time recurrent learning (seed 000, Williams & Zipser 1989)
# ---------------------------------------------------------------------------

def rnn_rtrl(params: Params, x: np.ndarray, h0: Optional[np.ndarray], d_output: np.ndarray, *,
             nonlinearity: str = "tanh") -> Grads:
    """The BPTT gradient of a single-layer Elman RNN, computed forward in time.

    Seed 000 ("Other learning algorithms for RNNs"): in real-time recurrent
    learning "the exact gradients are calculated ... at every step during
    network's processing stage", at "very high computational cost". Instead
    of going backward over a stored history, carry along the *sensitivities*
    dh(t)/dtheta of the current state to every parameter theta. Seed 001
    ("Backpropagation Through Time (BPTT)", the "Multiple paths of dependency"
    slides) writes the recursion they obey:

        dh(t)/dtheta = df(x(t), h(t-1))/dtheta + dh(t)/dh(t-1) . dh(t-1)/dtheta,

    the first term holding h(t-1) fixed, and dh(t)/dh(t-1) = diag(f'(z(t))) W_hh.
    As soon as h(t) is known, its contribution dE/dh(t) . dh(t)/dtheta is
    added to the gradient: no backward pass, no stored history. The price: the
    sensitivity of h (H numbers per sequence) to W_hh (H*H numbers) is an
    H x H x H array, updated by a product with W_hh at every step, O(H^4) work
    per step against BPTT's O(H^2).

    Here the parameters are held fixed during the sequence (as in BPTT), so the
    result equals ``rnn_backward`` with d_h_n = None; the online learner of the
    seed would instead update them at every step.

    Args:
        params: "weight_ih_l0" (H, D), "weight_hh_l0" (H, H), optional
            "bias_ih_l0", "bias_hh_l0" (H,).
        x: (T, B, D) input sequence.
        h0: (1, B, H) initial state, or None for zeros.
        d_output: (T, B, H) dE/dh(t) for every step (the loss's gradient with
            respect to the outputs).
        nonlinearity: "tanh" or "relu".

    Returns:
        dE/d(name) for every key of params, and "h0" (1, B, H). No "input":
        sensitivities to every input would need one more array per time step.
    """
    fn = "rnn_rtrl"
    _check_nonlinearity(fn, nonlinearity)
    input_size, hidden_size = _check_params(fn, params, 1, 1, False)
    x = _check_input(fn, x, input_size)
    T, B, D = x.shape
    H = hidden_size
    h0 = _initial_state(fn, "h0", h0, (1, B, H))
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, H), "(T, B, H)")
    weights = _layer_weights(params, 0, 0)
    w_ih, w_hh = weights["weight_ih"], weights["weight_hh"]
    b = _summed_bias(weights, H)
    eye = np.eye(H)

    # sensitivity[name][n, k, ...] = dh_k(t) / d(name)[...] for sequence n of
    # the batch, starting at t = -1, where h(-1) = h0 does not depend on the
    # weights and dh(-1)/dh0 = identity.
    sensitivity = {"weight_ih": np.zeros((B, H, H, D)),
                   "weight_hh": np.zeros((B, H, H, H)),
                   "h0": np.broadcast_to(eye, (B, H, H)).copy()}
    for name in ("bias_ih", "bias_hh"):
        if name in weights:
            sensitivity[name] = np.zeros((B, H, H))
    grads = {name: np.zeros_like(value) for name, value in weights.items()}
    d_h0 = np.zeros((B, H))

    h_prev = h0[0]
    for t in range(T):
        z = x[t] @ w_ih.T + h_prev @ w_hh.T + b
        h = _elman_activation(z, nonlinearity)
        f_prime = _elman_activation_derivative(z, h, nonlinearity)  # (B, H)

        # The immediate dependence of z_k(t) on each parameter, h(t-1) held
        # fixed: dz_k/dW_ih[i, j] = [k == i] x_j(t), dz_k/dW_hh[i, j] = [k == i] h_j(t-1),
        # dz_k/db[i] = [k == i]; h0 acts on z(t) only through h(t-1).
        immediate = {"weight_ih": np.einsum("ki,nj->nkij", eye, x[t]),
                     "weight_hh": np.einsum("ki,nj->nkij", eye, h_prev),
                     "bias_ih": eye, "bias_hh": eye, "h0": 0.0}
        for name, previous in sensitivity.items():
            # dz(t)/dtheta = immediate + W_hh . dh(t-1)/dtheta   (the recursion above)
            d_z = immediate[name] + np.einsum("km,nm...->nk...", w_hh, previous)
            # dh(t)/dtheta = diag(f'(z(t))) . dz(t)/dtheta
            f_prime_broadcast = f_prime.reshape(f_prime.shape + (1,) * (d_z.ndim - 2))
            sensitivity[name] = f_prime_broadcast * d_z

        # Accumulate dE/dtheta += dE/dh(t) . dh(t)/dtheta right away, at time t.
        for name in grads:
            grads[name] += np.einsum("nk,nk...->...", d_output[t], sensitivity[name])
        # Each sequence has its own h0, so its gradient is not summed over the batch.
        d_h0 += np.einsum("nk,nkj->nj", d_output[t], sensitivity["h0"])
        h_prev = h

    result = {name + "_l0": grad for name, grad in grads.items()}
    result["h0"] = d_h0[None]
    return result


# ---------------------------------------------------------------------------
# Truncated BPTT (Williams & Peng's BPTT(k1, k2))
# ---------------------------------------------------------------------------

def _truncation_windows(T: int, k1: int, k2: int) -> list[tuple[int, int, int]]:
    """The windows of BPTT(k1, k2) over steps 0 .. T-1, as (start, first_loss, end).

    An update happens every k1 steps (at end = k1, 2 k1, ...) and once more at
    end = T if T is not a multiple of k1. It backpropagates the loss terms of
    steps [first_loss, end), the ones since the previous update, through the
    steps [start, end), a look-back of k2 steps (seed 001: "look-back limited
    to tau"). The look-back is measured from where a full window of k1 steps
    would end, so the short last window keeps the same start-relative layout:
    with k1 = k2 = k the windows are the consecutive chunks [0, k), [k, 2k), ...
    """
    windows = []
    for first_loss in range(0, T, k1):
        end = min(first_loss + k1, T)
        start = max(0, first_loss + k1 - k2)
        windows.append((start, first_loss, end))
    return windows


def _check_truncation(fn: str, k1: int, k2: int) -> None:
    if not (isinstance(k1, (int, np.integer)) and isinstance(k2, (int, np.integer))
            and 1 <= k1 <= k2):
        raise ValueError(f"{fn}: truncation needs integers k2 >= k1 >= 1, got k1={k1!r}, k2={k2!r}")


def _truncated_bptt(cell: str, params: Params, x: np.ndarray,
                    initial: tuple[np.ndarray, ...], d_output: np.ndarray, k1: int, k2: int,
                    nonlinearity: str, initial_names: tuple[str, ...]) -> list[Grads]:
    """BPTT(k1, k2) for a single-layer, unidirectional net; see ``rnn_truncated_bptt``.

    Args:
        initial: checked initial states, each (1, B, H).
        d_output: checked (T, B, H) dE/dh(t).
        initial_names: ("h0",) or ("h0", "c0").

    Returns:
        One gradient dict per update point (params and initial states).
    """
    T = x.shape[0]
    # The states the network passes through while it processes the sequence.
    # The parameters stay fixed, so these are just the forward pass.
    _, _, full_cache = _stack_forward(cell, params, x, initial, 1, False, nonlinearity)
    visited = full_cache.tapes[0].state_sequences  # (h,) or (h, c), each (T, B, H)

    updates = []
    for start, first_loss, end in _truncation_windows(T, k1, k2):
        # The state entering the window: beyond the truncation there is no
        # memory effect (seed 000), so it is a constant, not a function of
        # the parameters; no gradient flows through it.
        if start == 0:
            entering = initial
        else:
            entering = tuple(sequence[start - 1][None] for sequence in visited)
        _, _, cache = _stack_forward(cell, params, x[start:end], entering, 1, False, nonlinearity)
        # Only the loss terms since the previous update enter this update.
        d_window = np.zeros((end - start,) + d_output.shape[1:])
        d_window[first_loss - start:] = d_output[first_loss:end]
        d_finals = tuple(np.zeros_like(state) for state in entering)
        grads = _stack_backward(params, cache, d_window, d_finals, initial_names)
        del grads["input"]
        if start > 0:
            # The window does not reach back to the true initial state.
            for name in initial_names:
                grads[name] = np.zeros_like(grads[name])
        updates.append(grads)
    return updates


def rnn_truncated_bptt(params: Params, x: np.ndarray, h0: Optional[np.ndarray],
                       d_output: np.ndarray, k1: int, k2: int, *,
                       nonlinearity: str = "tanh") -> list[Grads]:
    """Truncated BPTT(k1, k2) for a single-layer Elman RNN (Williams & Peng).

    Seed 000, "Backpropagation through time – online with truncation": when the
    network runs continuously, "the number of recursive steps for weight
    updates has to be finite" and "beyond the truncation there is no memory
    effect"; seed 001 calls it "truncated BPTT with look-back limited to tau".

    The parameters are held fixed over the sequence. Every k1 steps (and at the
    end of the sequence) there is an update: the loss terms of the steps since
    the previous update, sum_s <d_output[s], h(s)>, are backpropagated through
    the last k2 steps only; the state entering that window is a constant.
    With k1 = k2 = T this is full BPTT; with k1 = k2 = k it is the chunked
    scheme that cuts the graph ("detaches" the state) every k steps.

    Args:
        params: "weight_ih_l0" (H, D), "weight_hh_l0" (H, H), optional biases (H,).
        x: (T, B, D) input sequence.
        h0: (1, B, H) initial state, or None for zeros.
        d_output: (T, B, H) dE/dh(t) for every step.
        k1: steps between updates, k1 >= 1.
        k2: look-back of each update, k2 >= k1.
        nonlinearity: "tanh" or "relu".

    Returns:
        One dict per update point, in time order: dE_window/d(name) for every
        key of params, and "h0" (1, B, H), which is zero unless the window
        starts at step 0.
    """
    fn = "rnn_truncated_bptt"
    _check_truncation(fn, k1, k2)
    _check_nonlinearity(fn, nonlinearity)
    input_size, hidden_size = _check_params(fn, params, 1, 1, False)
    x = _check_input(fn, x, input_size)
    T, B, _ = x.shape
    h0 = _initial_state(fn, "h0", h0, (1, B, hidden_size))
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, hidden_size), "(T, B, H)")
    return _truncated_bptt("rnn", params, x, (h0,), d_output, k1, k2, nonlinearity, ("h0",))


def lstm_truncated_bptt(params: Params, x: np.ndarray,
                        hx: Optional[tuple[np.ndarray, np.ndarray]], d_output: np.ndarray,
                        k1: int, k2: int) -> list[Grads]:
    """Truncated BPTT(k1, k2) for a single-layer LSTM; see ``rnn_truncated_bptt``.

    The state entering a window is the pair (h, C), both held constant.

    Args:
        params: "weight_ih_l0" (4H, D), "weight_hh_l0" (4H, H), optional biases (4H,).
        x: (T, B, D) input sequence.
        hx: (h0, c0), each (1, B, H) or None; None means zeros.
        d_output: (T, B, H) dE/dh(t) for every step.
        k1: steps between updates, k1 >= 1.
        k2: steps of look-back, k2 >= k1.

    Returns:
        One dict per update point: every key of params, "h0" and "c0" (1, B, H).
    """
    fn = "lstm_truncated_bptt"
    _check_truncation(fn, k1, k2)
    input_size, hidden_size = _check_params(fn, params, 4, 1, False)
    x = _check_input(fn, x, input_size)
    T, B, _ = x.shape
    h0, c0 = (None, None) if hx is None else hx
    h0 = _initial_state(fn, "h0", h0, (1, B, hidden_size))
    c0 = _initial_state(fn, "c0", c0, (1, B, hidden_size))
    d_output = _output_gradient(fn, "d_output", d_output, (T, B, hidden_size), "(T, B, H)")
    return _truncated_bptt("lstm", params, x, (h0, c0), d_output, k1, k2, "tanh",
                           ("h0", "c0"))
