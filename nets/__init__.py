"""Recurrent nets unrolled on minigrad, and echo state networks.

- ``cells``: one time step of an RNN, LSTM, GRU, from the seeds' equations.
- ``recurrent``: ``RNN``, ``LSTM``, ``GRU``, ``BRNN`` over sequences (PyTorch's API).
- ``simple``: ``JordanNet`` (output-to-hidden, NARX) and ``ElmanNet``, with "blocked" gradients.
- ``tlfn``: ``TLFN``, the focused time-lagged feedforward net (a tapped delay line feeding an MLP).
- ``training``: truncated BPTT(k1, k2) with ``detach``; the ESN readout by gradient descent.
- ``layout``: PyTorch's parameter names and gate counts, and the Elman nonlinearities, shared by the above.
- ``reference``: hand-written numpy BPTT and RTRL, the oracles (not used by the nets).
- ``attention``: ``scaled_dot_product_attention`` (PyTorch's), ``AttentionRNN``, ``SelfAttention``.
- ``esn``: echo state networks with a closed-form readout (``reservoir``: W and its states;
  ``readout``: the ridge solve); ``datasets``: Mackey-Glass.
"""
from . import datasets
from .attention import AttentionRNN, SelfAttention, attention_weights, scaled_dot_product_attention
from .cells import GRUCell, LSTMCell, RNNCell
from .recurrent import BRNN, GRU, LSTM, RNN, RecurrentNet
from .simple import ElmanNet, JordanNet
from .tlfn import TLFN
from .training import truncated_bptt

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "BRNN", "RecurrentNet", "JordanNet", "ElmanNet",
           "TLFN", "truncated_bptt", "ESN", "datasets", "AttentionRNN", "SelfAttention",
           "scaled_dot_product_attention", "attention_weights"]


def __getattr__(name: str):
    # The ESN needs scipy (sparse matrices, LAPACK), whose import time the recurrent
    # nets do not need (docs/benchmarks.md, choices_nets): load it on first use of nets.ESN.
    if name == "ESN":
        from .esn import ESN
        return ESN
    raise AttributeError(f"module 'nets' has no attribute {name!r}")
