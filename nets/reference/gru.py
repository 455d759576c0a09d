"""Chapter 2 (continued): one GRU layer, one direction, as PyTorch's ``nn.GRU`` defines it."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import Grads, Params, _gradient_sums, _sigmoid


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
    d_x, d_w_ih, d_w_hh = _gradient_sums(weights, tape.x)
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
