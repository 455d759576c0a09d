"""Chapter 1: one Elman layer, one direction: its forward sweep and its BPTT (seed 004, "Recurrent
Neural Net" forward pseudocode and "BPTT" pseudocode).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import (Grads, Params, _bias_grads, _elman_activation, _elman_activation_derivative, _gradient_sums,
                     _summed_bias)


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
    d_x, d_w_ih, d_w_hh = _gradient_sums(weights, tape.x)
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
