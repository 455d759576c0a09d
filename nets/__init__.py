"""Recurrent nets unrolled on minigrad, and echo state networks.

- ``cells``: one time step of an RNN, LSTM, GRU, from the seeds' equations.
- ``recurrent``: ``RNN``, ``LSTM``, ``GRU``, ``BRNN`` over sequences (PyTorch's API).
- ``simple``: ``JordanNet`` (output-to-hidden, NARX) and ``ElmanNet``, with "blocked" gradients.
- ``tlfn``: ``TLFN``, the focused time-lagged feedforward net (a tapped delay line feeding an MLP).
- ``training``: truncated BPTT(k1, k2) with ``detach``.
- ``reference``: hand-written numpy BPTT and RTRL, the oracles (not used by the nets).
- ``esn``: echo state networks with a closed-form readout; ``datasets``: Mackey-Glass.
"""
from . import datasets
from .cells import GRUCell, LSTMCell, RNNCell
from .recurrent import BRNN, GRU, LSTM, RNN, RecurrentNet
from .simple import ElmanNet, JordanNet
from .tlfn import TLFN
from .training import truncated_bptt

__all__ = ["RNNCell", "LSTMCell", "GRUCell", "RNN", "LSTM", "GRU", "BRNN", "RecurrentNet", "JordanNet", "ElmanNet",
           "TLFN", "truncated_bptt", "ESN", "datasets"]


def __getattr__(name: str):
    # The ESN needs scipy (sparse matrices, LAPACK), about 150 ms of import time
    # that the recurrent nets do not need: load it on first use of nets.ESN.
    if name == "ESN":
        from .esn import ESN
        return ESN
    raise AttributeError(f"module 'nets' has no attribute {name!r}")
