"""Chapter 5: real-time recurrent learning (seed 000, "Other learning algorithms for RNNs"; Williams &
Zipser 1989): the BPTT gradient computed forward in time.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .checks import _check_input, _check_nonlinearity, _check_params, _initial_state, _output_gradient
from .common import Grads, Params, _elman_activation, _elman_activation_derivative, _summed_bias
from .stack import _layer_weights


def _initial_sensitivities(weights: Params, B: int, H: int, D: int) -> dict[str, np.ndarray]:
    """dh(-1)/dtheta for every parameter theta of ``weights`` and for h0.

    sensitivity[name][n, k, ...] = dh_k(t) / d(name)[...] for sequence n of
    the batch, starting at t = -1, where h(-1) = h0 does not depend on the
    weights and dh(-1)/dh0 = identity.
    """
    sensitivity = {"weight_ih": np.zeros((B, H, H, D)),
                   "weight_hh": np.zeros((B, H, H, H)),
                   "h0": np.broadcast_to(np.eye(H), (B, H, H)).copy()}
    for name in ("bias_ih", "bias_hh"):
        if name in weights:
            sensitivity[name] = np.zeros((B, H, H))
    return sensitivity


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

    sensitivity = _initial_sensitivities(weights, B, H, D)
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
