"""Hand-written numpy BPTT for the benchmark: the floor the engine is measured against.

Two hand-written versions of one BPTT step (forward over the sequence, then
the gradient of every parameter for a given dE/d(output)), one layer, one
direction, PyTorch's parameter names and gate order:

- **per step**, the lectures' loop as written: every step computes its input
  projection W_ih x(t) and adds its terms into the weight gradients inside
  the loop (seed 004, "BPTT": ``dW += ...`` at every t). For the RNN and the
  LSTM that is ``nets/reference/``; the GRU, which the reference does not
  cover, is written here the same way (``gru_per_step``).
- **careful** (``*_careful``): what a careful person writes when speed
  matters, with the same arithmetic:
  the input projection of all steps in one matrix product before the loop;
  states, gate activations and pre-activation gradients written into
  preallocated (T, B, ...) arrays, updated in place where numpy allows; no
  gradient for the input x (the nets do not need one); and each weight
  gradient formed once, after the sweep, as one product over all steps:
  dW_hh = sum_t dz(t)^T h(t-1) = DZ^T H_prev with DZ, H_prev the (T*B, ...)
  stacks (seed 000, "Learning algorithms for RNNs": dE/dW = sum_t dE/dW_t).
  The LSTM's gate rows are permuted once to (i, f, o, g), so that the three
  sigmoid gates are one contiguous block.

Each function takes ``params`` (name -> array, as ``named_parameters()`` of
``nets.RNN``/``LSTM``/``GRU`` gives them), ``x`` (T, B, D) and
``d_output`` = dE/d(h(t)) (T, B, H), and returns the gradients by name.
``tests/test_benchmarks.py`` checks each one against the engine.
"""
from __future__ import annotations

import numpy as np

Params = dict[str, np.ndarray]


def _sigmoid_inplace(a: np.ndarray) -> np.ndarray:
    """a <- 1 / (1 + e^-a), in place, the exponent clamped so that e^-a cannot overflow.

    The same kernel as the engine's sigmoid (faster than the 0.5 (1 + tanh(a/2))
    form of nets/reference/ where numpy's tanh is not vectorized).
    """
    np.negative(a, out=a)
    np.minimum(a, 700.0, out=a)
    np.exp(a, out=a)
    a += 1.0
    return np.reciprocal(a, out=a)


def _weights(params: Params) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return params["weight_ih_l0"], params["weight_hh_l0"], params["bias_ih_l0"], params["bias_hh_l0"]


def _gradients(d_w_ih: np.ndarray, d_w_hh: np.ndarray, d_b_ih: np.ndarray, d_b_hh: np.ndarray) -> Params:
    return {"weight_ih_l0": d_w_ih, "weight_hh_l0": d_w_hh, "bias_ih_l0": d_b_ih, "bias_hh_l0": d_b_hh}


# ------------------------------------------------------------------- Elman
def rnn_careful(params: Params, x: np.ndarray, d_output_of) -> Params:
    """h(t) = tanh(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh), h(-1) = 0; the careful BPTT.

    ``d_output_of(output)`` returns dE/d(output) (T, B, H) from the forward's output.
    """
    w_ih, w_hh, b_ih, b_hh = _weights(params)
    T, B, D = x.shape
    H = w_hh.shape[1]
    rows = x.reshape(T * B, D)
    h = np.zeros((T + 1, B, H))                     # h[t + 1] = h(t); h[0] = h(-1)
    z = (rows @ w_ih.T + (b_ih + b_hh)).reshape(T, B, H)     # every step's input projection at once
    w_hh_t = w_hh.T
    for t in range(T):
        step = h[t + 1]
        np.matmul(h[t], w_hh_t, out=step)
        step += z[t]
        np.tanh(step, out=step)

    d_out = d_output_of(h[1:])
    d_z = z                                         # the pre-activations are not needed again: reuse
    d_h = np.zeros((B, H))
    for t in reversed(range(T)):
        d_h += d_out[t]                             # from the loss, plus from step t+1
        slope = d_z[t]
        np.multiply(h[t + 1], h[t + 1], out=slope)  # tanh' = 1 - h^2
        np.subtract(1.0, slope, out=slope)
        slope *= d_h
        np.matmul(slope, w_hh, out=d_h)
    d_z_rows = d_z.reshape(T * B, H)
    d_b = d_z_rows.sum(axis=0)
    return _gradients(d_z_rows.T @ rows, d_z_rows.T @ h[:-1].reshape(T * B, H), d_b, d_b.copy())


# -------------------------------------------------------------------- LSTM
def lstm_careful(params: Params, x: np.ndarray, d_output_of) -> Params:
    """PyTorch's LSTM (gates i, f, g, o), h(-1) = c(-1) = 0; the careful BPTT."""
    w_ih, w_hh, b_ih, b_hh = _weights(params)
    T, B, D = x.shape
    H = w_hh.shape[1]
    # Rows (i, f, g, o) -> (i, f, o, g): the sigmoid gates side by side, then the candidate.
    order = np.r_[0:2 * H, 3 * H:4 * H, 2 * H:3 * H]
    w_ih, w_hh, b = w_ih[order], w_hh[order], (b_ih + b_hh)[order]
    rows = x.reshape(T * B, D)
    gates = (rows @ w_ih.T + b).reshape(T, B, 4 * H)   # pre-activations, then activations, in place
    h = np.zeros((T + 1, B, H))
    c = np.zeros((T + 1, B, H))
    tanh_c = np.empty((T, B, H))
    w_hh_t = w_hh.T
    step_proj = np.empty((B, 4 * H))
    for t in range(T):
        a = gates[t]
        np.matmul(h[t], w_hh_t, out=step_proj)
        a += step_proj
        _sigmoid_inplace(a[:, :3 * H])
        g = a[:, 3 * H:]
        np.tanh(g, out=g)
        i, f, o = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H]
        np.multiply(f, c[t], out=c[t + 1])           # c(t) = f c(t-1) + i g
        c[t + 1] += i * g
        np.tanh(c[t + 1], out=tanh_c[t])
        np.multiply(o, tanh_c[t], out=h[t + 1])       # h(t) = o tanh(c(t))

    d_out = d_output_of(h[1:])
    d_a = np.empty((T, B, 4 * H))
    d_h = np.zeros((B, H))
    d_c = np.zeros((B, H))
    for t in reversed(range(T)):
        a = gates[t]
        i, f, o, g = a[:, :H], a[:, H:2 * H], a[:, 2 * H:3 * H], a[:, 3 * H:]
        d_h += d_out[t]
        # c(t) reaches the loss through h(t) and through c(t+1).
        d_c += d_h * o * (1.0 - tanh_c[t] * tanh_c[t])
        step = d_a[t]
        np.multiply(d_c, c[t], out=step[:, H:2 * H])      # df = dc c(t-1)
        np.multiply(d_c, g, out=step[:, :H])              # di = dc g
        np.multiply(d_h, tanh_c[t], out=step[:, 2 * H:3 * H])   # do = dh tanh(c)
        np.multiply(d_c, i, out=step[:, 3 * H:])          # dg = dc i
        sig = step[:, :3 * H]                             # through sigma' = s (1 - s)
        s = a[:, :3 * H]
        sig *= s
        sig *= 1.0 - s
        step[:, 3 * H:] *= 1.0 - g * g                    # through tanh' = 1 - g^2
        d_c *= f                                          # into c(t-1)
        np.matmul(step, w_hh, out=d_h)
    d_a_rows = d_a.reshape(T * B, 4 * H)
    back = np.argsort(order)                              # (i, f, o, g) -> PyTorch's (i, f, g, o)
    d_b = d_a_rows.sum(axis=0)[back]
    return _gradients((d_a_rows.T @ rows)[back], (d_a_rows.T @ h[:-1].reshape(T * B, H))[back],
                      d_b, d_b.copy())


# --------------------------------------------------------------------- GRU
def gru_per_step(params: Params, x: np.ndarray, d_output_of) -> Params:
    """PyTorch's GRU (gates r, z, n), h(-1) = 0, BPTT written per step like nets/reference/.

    r = sigma(W_ir x + b_ir + W_hr h + b_hr), z = sigma(W_iz x + b_iz + W_hz h + b_hz),
    n = tanh(W_in x + b_in + r (W_hn h + b_hn)), h' = (1 - z) n + z h.
    """
    w_ih, w_hh, b_ih, b_hh = _weights(params)
    T, B, _ = x.shape
    H = w_hh.shape[1]
    h = np.zeros((T + 1, B, H))
    r, z, n, hn = (np.zeros((T, B, H)) for _ in range(4))
    for t in range(T):
        xp = x[t] @ w_ih.T + b_ih
        hp = h[t] @ w_hh.T + b_hh
        r[t] = 0.5 * (1.0 + np.tanh(0.5 * (xp[:, :H] + hp[:, :H])))
        z[t] = 0.5 * (1.0 + np.tanh(0.5 * (xp[:, H:2 * H] + hp[:, H:2 * H])))
        hn[t] = hp[:, 2 * H:]
        n[t] = np.tanh(xp[:, 2 * H:] + r[t] * hn[t])
        h[t + 1] = (1.0 - z[t]) * n[t] + z[t] * h[t]

    d_out = d_output_of(h[1:])
    d_w_ih, d_w_hh = np.zeros_like(w_ih), np.zeros_like(w_hh)
    d_b_ih, d_b_hh = np.zeros_like(b_ih), np.zeros_like(b_hh)
    d_h_next = np.zeros((B, H))
    for t in reversed(range(T)):
        d_h = d_out[t] + d_h_next
        d_n = d_h * (1.0 - z[t])
        d_z = d_h * (h[t] - n[t])
        d_a_n = d_n * (1.0 - n[t] ** 2)
        d_a_r = d_a_n * hn[t] * r[t] * (1.0 - r[t])
        d_a_z = d_z * z[t] * (1.0 - z[t])
        d_xp = np.concatenate([d_a_r, d_a_z, d_a_n], axis=1)
        d_hp = np.concatenate([d_a_r, d_a_z, d_a_n * r[t]], axis=1)
        d_w_ih += d_xp.T @ x[t]                     # the per-step "+=" of seed 004's BPTT
        d_w_hh += d_hp.T @ h[t]
        d_b_ih += d_xp.sum(axis=0)
        d_b_hh += d_hp.sum(axis=0)
        d_h_next = d_h * z[t] + d_hp @ w_hh
    return _gradients(d_w_ih, d_w_hh, d_b_ih, d_b_hh)


def gru_careful(params: Params, x: np.ndarray, d_output_of) -> Params:
    """The same GRU and gradients as ``gru_per_step``, written the careful way."""
    w_ih, w_hh, b_ih, b_hh = _weights(params)
    T, B, D = x.shape
    H = w_hh.shape[1]
    rows = x.reshape(T * B, D)
    xp = (rows @ w_ih.T + b_ih).reshape(T, B, 3 * H)      # every step's input projection at once
    hp = np.empty((T, B, 3 * H))                          # W_hh h(t-1) + b_hh
    rz = np.empty((T, B, 2 * H))                          # r, z
    n = np.empty((T, B, H))
    h = np.zeros((T + 1, B, H))
    w_hh_t = w_hh.T
    for t in range(T):
        p = hp[t]
        np.matmul(h[t], w_hh_t, out=p)
        p += b_hh
        gates = rz[t]
        np.add(xp[t, :, :2 * H], p[:, :2 * H], out=gates)
        _sigmoid_inplace(gates)
        np.multiply(gates[:, :H], p[:, 2 * H:], out=n[t])
        n[t] += xp[t, :, 2 * H:]
        np.tanh(n[t], out=n[t])
        z = gates[:, H:]
        np.subtract(h[t], n[t], out=h[t + 1])             # h' = n + z (h - n)
        h[t + 1] *= z
        h[t + 1] += n[t]

    d_out = d_output_of(h[1:])
    d_xp = np.empty((T, B, 3 * H))
    d_hp = np.empty((T, B, 3 * H))
    d_h = np.zeros((B, H))
    for t in reversed(range(T)):
        r, z = rz[t, :, :H], rz[t, :, H:]
        d_h += d_out[t]
        step = d_xp[t]
        d_a_n = step[:, 2 * H:]
        np.multiply(d_h, 1.0 - z, out=d_a_n)              # dn = dh (1 - z)
        d_a_n *= 1.0 - n[t] * n[t]
        np.multiply(d_a_n, hp[t, :, 2 * H:], out=step[:, :H])     # dr
        step[:, :H] *= r * (1.0 - r)
        np.subtract(h[t], n[t], out=step[:, H:2 * H])     # dz = dh (h(t-1) - n)
        step[:, H:2 * H] *= d_h
        step[:, H:2 * H] *= z * (1.0 - z)
        d_hp[t, :, :2 * H] = step[:, :2 * H]
        np.multiply(d_a_n, r, out=d_hp[t, :, 2 * H:])
        d_h *= z
        d_h += d_hp[t] @ w_hh
    d_xp_rows, d_hp_rows = d_xp.reshape(T * B, 3 * H), d_hp.reshape(T * B, 3 * H)
    return _gradients(d_xp_rows.T @ rows, d_hp_rows.T @ h[:-1].reshape(T * B, H),
                      d_xp_rows.sum(axis=0), d_hp_rows.sum(axis=0))


CAREFUL = {"rnn": rnn_careful, "lstm": lstm_careful, "gru": gru_careful}
