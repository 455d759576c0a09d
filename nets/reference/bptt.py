"""Chapter 4: the public forward passes and full BPTT, which check their arguments and run the stack."""
from __future__ import annotations

from typing import Optional

import numpy as np

from ..layout import GATES
from .checks import _check_cache, _check_input, _check_nonlinearity, _check_params, _initial_state, _output_gradient
from .common import Grads, Params
from .stack import Cache, _stack_backward, _stack_forward


def _one_state_forward(cell: str, params: Params, x: np.ndarray, h0: Optional[np.ndarray],
                       num_layers: int, bidirectional: bool, nonlinearity: str
                       ) -> tuple[np.ndarray, np.ndarray, Cache]:
    """``rnn_forward`` and ``gru_forward``: check the arguments, run the stack; one state h per layer."""
    fn = f"{cell}_forward"
    input_size, hidden_size = _check_params(fn, params, GATES[cell], num_layers, bidirectional)
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
    _check_params(fn, params, GATES[cell], cache.num_layers, cache.bidirectional)
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
