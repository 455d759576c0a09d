"""Backpropagation through time written out by hand, in plain numpy.

This package is the *oracle* the engine is tested against, and a text to read
next to it: every gradient here is written as the lecture notes derive it,
one time step at a time, with no automatic differentiation at all. The nets
in ``nets/`` compute the same numbers by recording the unrolled forward pass
on ``minigrad`` tensors and calling the engine's generic ``backward``.

Reading order, one file a chapter:

1. ``elman.py``: ``_elman_sweep`` / ``_elman_bptt``, one Elman layer run
   forward in time, then its BPTT going backward in time (seed 004,
   "Recurrent Neural Net" forward pseudocode and "BPTT" pseudocode).
2. ``lstm.py``: ``_lstm_sweep`` / ``_lstm_bptt``, the same for an LSTM layer
   (seed 000, "LSTM memory cell summary"; seed 001, "LSTM Equations"), and
   ``gru.py``: ``_gru_sweep`` / ``_gru_bptt`` for a GRU layer (PyTorch's equations).
3. ``stack.py``: ``_stack_forward`` / ``_stack_backward``, layers stacked on
   top of each other, each one optionally bidirectional (seed 004,
   "Bidirectional RNN: Simplified code" and "BRNN block: gradient computation").
4. ``bptt.py``: the public functions ``rnn_forward``, ``rnn_backward``,
   ``lstm_forward``, ``lstm_backward``, ``gru_forward``, ``gru_backward``,
   which check their arguments (``checks.py``) and call the above.
5. ``rtrl.py``: ``rnn_rtrl``, the same gradient computed *forward* in time, by
   real-time recurrent learning (seed 000, "Other learning algorithms for RNNs").
6. ``truncation.py``: ``rnn_truncated_bptt`` / ``lstm_truncated_bptt``,
   truncated BPTT (seed 000, "Backpropagation through time – online with
   truncation"; seed 001, "truncated BPTT with look-back limited to tau").

``common.py`` holds what every layer uses (the sigmoid, the Elman
nonlinearities of ``nets/layout.py``, the summed bias); ``nets/layout.py``
holds the parameter names the nets share.

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
from __future__ import annotations

from ..layout import NONLINEARITIES
from .bptt import gru_backward, gru_forward, lstm_backward, lstm_forward, rnn_backward, rnn_forward
from .common import Grads, Params
from .elman import ElmanTape
from .gru import GRUTape
from .lstm import LSTMTape
from .rtrl import rnn_rtrl
from .stack import Cache
from .truncation import lstm_truncated_bptt, rnn_truncated_bptt

__all__ = ["rnn_forward", "rnn_backward", "lstm_forward", "lstm_backward", "gru_forward", "gru_backward",
           "rnn_rtrl", "rnn_truncated_bptt", "lstm_truncated_bptt", "Cache", "ElmanTape", "LSTMTape", "GRUTape",
           "Params", "Grads", "NONLINEARITIES"]
