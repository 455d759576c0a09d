"""Attention: each step looks back at earlier hidden states and learns which ones matter.

Seed 001 (``001_ceeef2fa78ef4152.txt``, "Beyond the LSTM") ends its recurrent
part with two claims:

- "Even LSTM is not that great with learning the right context ... Solution:
  Attention – Look explicitly at not only the current hidden state but also at
  past hidden states, and learn which ones are important": ``AttentionRNN``;
- "Attention is computationally expensive ... Solution: the transformer model
  ... turn attention-based learning into a parallel rather than sequential
  process": ``SelfAttention``.

Both are written from engine ops (matmul, softmax, ``masked_fill``), through
one function with PyTorch's name and semantics,
``scaled_dot_product_attention``. There is no backward here: the engine
records the ops, and the gradient of a loss at step T reaches h(s) through
the attention weights in one hop, instead of through T - s recurrent steps
(``examples/attention_gradient_path.py`` measures it; ``docs/attention.md``).
"""
from __future__ import annotations

import math
from typing import Any, Optional

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.ops import linear, masked_fill, softmax
from minigrad.random import RngLike, as_generator

from ._checks import check_flags, check_sizes
from .cells import as_input
from .recurrent import GRU, LSTM, RNN, RecurrentNet

SDPA = "scaled_dot_product_attention"


# ====================================================================== the op
def _swap_last_two(a: mg.Tensor) -> mg.Tensor:
    """(..., S, E) -> (..., E, S): the transpose of each matrix in a batch."""
    axes = list(range(a.ndim))
    axes[-2], axes[-1] = axes[-1], axes[-2]
    return a.transpose(*axes)


def _check_operands(query: mg.Tensor, key: mg.Tensor, value: Optional[mg.Tensor]) -> None:
    """Shapes (..., L, E), (..., S, E), (..., S, Ev) with batch axes that broadcast, or an error naming them."""
    operands = {"query": query, "key": key} if value is None else {"query": query, "key": key, "value": value}
    for name, tensor in operands.items():
        if tensor.ndim < 2:
            raise mg.ShapeError(f"{SDPA}: {name} must have at least 2 dimensions (..., sequence, features), "
                                f"got shape {tensor.shape}")
    if query.shape[-1] != key.shape[-1]:
        raise mg.ShapeError(f"{SDPA}: query (..., L, E) and key (..., S, E) must have the same E, got shapes "
                            f"{query.shape} and {key.shape}")
    if value is not None and value.shape[-2] != key.shape[-2]:
        raise mg.ShapeError(f"{SDPA}: key (..., S, E) and value (..., S, Ev) must have the same S, got shapes "
                            f"{key.shape} and {value.shape}")
    try:
        np.broadcast_shapes(*(tensor.shape[:-2] for tensor in operands.values()))
    except ValueError:
        shapes = ", ".join(f"{name} {tensor.shape}" for name, tensor in operands.items())
        raise mg.ShapeError(f"{SDPA}: the batch dimensions (all but the last two) must broadcast, got {shapes}") \
            from None


def _mask_array(attn_mask: Any, scores_shape: tuple[int, ...]) -> Any:
    """The mask as a boolean numpy array or a float Tensor, checked against the scores' shape (..., L, S)."""
    if isinstance(attn_mask, mg.Tensor):
        mask: Any = attn_mask                  # a float mask may require grad: it is added to the scores
        kind = "f"
    else:
        array = np.asarray(attn_mask)
        kind = array.dtype.kind
        if kind == "b":
            mask = array
        elif kind == "f":
            mask = mg.Tensor(array)
        else:
            raise TypeError(f"{SDPA}: attn_mask must be boolean (True = takes part in attention) or float "
                            f"(added to the scores), got dtype {array.dtype}")
    try:
        fits = np.broadcast_shapes(mask.shape, scores_shape) == scores_shape
    except ValueError:
        fits = False
    if not fits:
        raise mg.ShapeError(f"{SDPA}: attn_mask of shape {mask.shape} does not broadcast to the attention "
                            f"scores' shape {scores_shape} (..., L, S)")
    return mask


def attention_weights(query: Any, key: Any, attn_mask: Any = None, is_causal: bool = False,
                      scale: Optional[float] = None) -> mg.Tensor:
    """softmax(query key^T · scale + mask) over the last axis: how much each query attends to each key.

    Shapes: query (..., L, E), key (..., S, E) -> (..., L, S); each row sums to 1.
    ``scaled_dot_product_attention`` multiplies these weights by the values;
    they are what ``AttentionRNN`` returns and the heatmaps show. Arguments as there.
    Masked scores are -inf by design, so ``minigrad.detect_anomaly()`` reports them.
    """
    query, key = as_input(SDPA, "query", query), as_input(SDPA, "key", key)
    _check_operands(query, key, None)
    check_flags(SDPA, is_causal=is_causal)
    if is_causal and attn_mask is not None:
        raise ValueError(f"{SDPA}: give attn_mask or is_causal=True, not both (as in PyTorch)")
    if scale is None:
        scale = 1.0 / math.sqrt(query.shape[-1])
    scores = query @ _swap_last_two(key)                       # (..., L, S)
    if scale != 1.0:                                           # Luong's scores are unscaled: one op fewer
        scores = scores * scale
    L, S = scores.shape[-2:]
    if is_causal:
        # Query i sees keys 0..i (PyTorch's is_causal: the lower-left triangle, aligned at the top left).
        attn_mask = np.tril(np.ones((L, S), dtype=bool))
    if attn_mask is not None:
        mask = _mask_array(attn_mask, scores.shape)
        if isinstance(mask, mg.Tensor):
            scores = scores + mask
        else:
            scores = masked_fill(scores, ~mask, -math.inf)    # True takes part; the rest get weight e^-inf = 0
    # A row whose every score is -inf (a query that may see no key) has no softmax: 0/0. Its
    # weights are set to 0, so its output is 0 and no gradient flows through it, which is what
    # PyTorch >= 2.5 does (its "safe softmax"; older versions gave NaN). The row's scores are
    # first replaced by 0 so that the softmax itself stays finite.
    dead = np.all(scores.data == -math.inf, axis=-1, keepdims=True) if L and S else None
    if dead is not None and dead.any():
        return masked_fill(softmax(masked_fill(scores, dead, 0.0), axis=-1), dead, 0.0)
    return softmax(scores, axis=-1)


def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: Optional[float] = None) -> mg.Tensor:
    """softmax(Q K^T / √E + mask) V, as ``torch.nn.functional.scaled_dot_product_attention``.

    Args:
        query: (..., L, E); key: (..., S, E); value: (..., S, Ev). The batch
            axes "..." (a batch, a head axis, or none) broadcast against each other.
        attn_mask: None; a boolean array broadcastable to (..., L, S), True where
            a query may attend to a key; or a float array (or Tensor) added to
            the scores (-inf excludes a pair).
        dropout_p: must be 0 (dropout on the weights is not implemented).
        is_causal: query i attends to keys 0..i only (not with attn_mask).
        scale: the factor on Q K^T; None: 1/√E.

    Returns:
        (..., L, Ev): for each query, the weighted average of the values.
        A query whose keys are all masked gets 0 (and passes no gradient), as
        in PyTorch >= 2.5.
    """
    if dropout_p != 0:
        raise ValueError(f"{SDPA}: dropout on the attention weights is not implemented; only dropout_p=0 "
                         f"is accepted, got {dropout_p!r}")
    value = as_input(SDPA, "value", value)
    query, key = as_input(SDPA, "query", query), as_input(SDPA, "key", key)
    _check_operands(query, key, value)
    return attention_weights(query, key, attn_mask, is_causal, scale) @ value


# ====================================================================== AttentionRNN
NETS = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
SCORES = ("dot", "general", "additive")


def as_sequence(who: str, x: Any, batch_first: bool, input_size: int) -> tuple[mg.Tensor, bool]:
    """The input as (T, B, D), and whether it came unbatched (T, D); errors name the caller's shape."""
    x = as_input(who, "input", x)
    if x.ndim not in (2, 3):
        raise mg.ShapeError(f"{who}: input must be (T, B, D), (B, T, D) with batch_first, or unbatched "
                            f"(T, D); got shape {x.shape}")
    given, unbatched = x.shape, x.ndim == 2
    if unbatched:
        x = x.reshape(x.shape[0], 1, x.shape[1])
    elif batch_first:
        x = x.transpose(1, 0, 2)
    if x.shape[2] != input_size:
        raise mg.ShapeError(f"{who}: input has {x.shape[2]} features (shape {given}) but input_size is {input_size}")
    if x.shape[0] == 0:
        raise mg.ShapeError(f"{who}: the input sequence is empty (shape {given})")
    return x, unbatched


class AttentionRNN(nn.Module):
    """A recurrent net whose output at each step attends over all its hidden states so far.

    The recurrent net (``cell``: "rnn", "lstm" or "gru", one layer) runs as
    ``nets.RNN``/``LSTM``/``GRU`` do. At each step t (Luong, Pham and Manning
    2015, "global attention", restricted to s <= t):

        α(t, s) = softmax over s <= t of score(h(t), h(s))
        c(t)    = Σ_{s<=t} α(t, s) h(s)                        (the context)
        h~(t)   = tanh(W_c [h(t); c(t)])                       (the output)

    with ``score``: "dot" h(t)·h(s); "general" h(t)·W_a h(s) (both Luong's);
    "additive" v·tanh(W_q h(t) + W_k h(s)) (Bahdanau, Cho and Bengio 2015).

    Parameters (state dict names): ``rnn.*`` are the recurrent net's
    (``rnn.weight_ih_l0``, ``rnn.weight_hh_l0``, ``rnn.bias_ih_l0``,
    ``rnn.bias_hh_l0``, so a ``nets.LSTM`` state dict loads into ``.rnn``);
    ``attn.weight`` W_a (H, H) for "general"; ``attn_query.weight`` W_q,
    ``attn_key.weight`` W_k (H, H) and ``attn_v.weight`` v (1, H) for
    "additive"; ``combine.weight`` W_c (H, 2H).

    Each step's ops, the recurrent cell's and the attention's, are created in
    the scope ``layer0/fwd/t={t}`` as in the other nets, so a picture groups
    them per step and the attention edges come from every earlier step's h.
    """

    def __init__(self, input_size: int, hidden_size: int, cell: str = "lstm", score: str = "general",
                 batch_first: bool = False, *, rng: RngLike = None) -> None:
        check_sizes("AttentionRNN", input_size=input_size, hidden_size=hidden_size)
        check_flags("AttentionRNN", batch_first=batch_first)
        if cell not in NETS:
            raise ValueError(f"AttentionRNN: cell must be one of {sorted(NETS)}, got {cell!r}")
        if score not in SCORES:
            raise ValueError(f"AttentionRNN: score must be one of {list(SCORES)}, got {score!r}")
        self.input_size, self.hidden_size, self.batch_first = input_size, hidden_size, batch_first
        self.cell, self.score = cell, score
        generator = as_generator(rng)
        H = hidden_size
        self.rnn: RecurrentNet = NETS[cell](input_size, H, rng=generator)
        if score == "general":
            self.attn = nn.Linear(H, H, bias=False, rng=generator)
        elif score == "additive":
            self.attn_query = nn.Linear(H, H, bias=False, rng=generator)
            self.attn_key = nn.Linear(H, H, bias=False, rng=generator)
            self.attn_v = nn.Linear(H, 1, bias=False, rng=generator)
        self.combine = nn.Linear(2 * H, H, bias=False, rng=generator)
        for name, parameter in self.named_parameters():
            if not name.startswith("rnn."):
                parameter.name = name           # "attn.weight", not just "weight", in pictures of the graph

    # ------------------------------------------------------------- one step's attention
    def _weights(self, h: mg.Tensor, memory: mg.Tensor) -> mg.Tensor:
        """α(t, ·) for h(t) (B, H) against h(0..t) (B, t+1, H) -> (B, 1, t+1)."""
        B, steps, H = memory.shape
        if self.score == "additive":
            # v·tanh(W_q h(t) + W_k h(s)) for every s at once: (B, t+1, H) -> (B, t+1, 1).
            scores = self.attn_v((self.attn_key(memory) + self.attn_query(h).reshape(B, 1, H)).tanh())
            return softmax(scores.reshape(B, 1, steps), axis=-1)
        # Luong's dot and general scores are unscaled dot products: the op above with scale 1.
        # general: h(t)·W_a h(s) = (h(t) W_a)·h(s), so W_a is applied once, to the query.
        query = h @ self.attn.weight if self.score == "general" else h
        return attention_weights(query.reshape(B, 1, H), memory, scale=1.0)

    # ------------------------------------------------------------- forward
    def forward(self, x: Any, hx: Any = None) -> tuple[mg.Tensor, Any, mg.Tensor]:
        """Run the net and its attention over a sequence.

        Args:
            x: (T, B, D), or (B, T, D) with ``batch_first``, or unbatched (T, D).
            hx: the recurrent net's initial state, as for ``nets.RNN``/``LSTM``/``GRU``.

        Returns:
            output: h~(t) for every t, (T, B, H) (batch_first: (B, T, H); unbatched (T, H)).
            h_n: the recurrent net's final state, (1, B, H) ((h_n, c_n) for the LSTM).
            weights: α, (B, T, T) (unbatched (T, T)): row t holds α(t, s), zero for s > t,
                summing to 1.
        """
        x, unbatched = as_sequence("AttentionRNN", x, self.batch_first, self.input_size)
        T, B, _ = x.shape
        rnn = self.rnn
        # The recurrent net's own pieces (recurrent.py), so that the cell is exactly nets.LSTM's.
        weight_ih, weight_hh, bias_ih, bias_hh = rnn._weights(0, 0)
        state = rnn._initial_states(hx, B, unbatched, x.dtype)[0]
        hidden, outputs, rows = [], [], []
        with mg.gc_paused(), mg.scope("layer0"), mg.scope("fwd"):
            x_proj = rnn._input_projection(x, weight_ih, bias_ih, bias_hh)
            for t in range(T):
                with mg.scope(f"t={t}"):
                    state = rnn._step(x_proj[t], state, weight_hh, bias_hh)
                    for tensor, name in zip(state, rnn.state_names):
                        tensor.name = name
                    h = state[0]
                    hidden.append(h)
                    # Every earlier h(s) is a parent of this one op: the loss at step t
                    # reaches h(s) in one hop, not through t - s recurrent steps.
                    memory = mg.stack(hidden, axis=1)                           # h(0..t): (B, t+1, H)
                    alpha = self._weights(h, memory)                            # (B, 1, t+1)
                    alpha.name = "alpha"
                    context = (alpha @ memory).reshape(B, self.hidden_size)
                    context.name = "context"
                    out = self.combine(mg.concatenate([h, context], axis=-1)).tanh()
                    out.name = "h~"
                outputs.append(out)
                rows.append(alpha)
            output = mg.stack(outputs, axis=0)                                  # (T, B, H)
            # Row t: α(t, 0..t), then zeros for the steps it cannot see.
            weights = mg.concatenate([row if row.shape[2] == T else
                                      mg.concatenate([row, mg.Tensor(np.zeros((B, 1, T - row.shape[2]),
                                                                              dtype=x.dtype))], axis=-1)
                                      for row in rows], axis=1)                 # (B, T, T)
        final = tuple(s.reshape(1, B, self.hidden_size) for s in state)
        if unbatched:
            output, weights = output.reshape(T, self.hidden_size), weights.reshape(T, T)
            final = tuple(s.reshape(1, self.hidden_size) for s in final)
        elif self.batch_first:
            output = output.transpose(1, 0, 2)
        return output, final[0] if len(final) == 1 else final, weights

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}, cell={self.cell!r}, score={self.score!r}"


# ====================================================================== SelfAttention
class SelfAttention(nn.Module):
    """One-head causal self-attention: the transformer's attention layer, computed for all steps at once.

    y = out_proj(scaled_dot_product_attention(x W_q^T + b_q, x W_k^T + b_k, x W_v^T + b_v,
    is_causal=True)): step t attends to steps 0..t, like a recurrent net sees
    its past, but no step waits for the one before (seed 001, "a parallel
    rather than sequential process").

    Shapes: x (..., T, d_model) -> (..., T, d_model) (batch first, as
    ``torch.nn.MultiheadAttention(d_model, 1, batch_first=True)``, whose
    parameter names and initialisation it has: ``in_proj_weight`` (3 d, d) =
    [W_q; W_k; W_v], Xavier-uniform; ``in_proj_bias`` (3 d,), zeros;
    ``out_proj.weight`` (d, d), ``out_proj.bias`` (d,), zeros).
    """

    def __init__(self, d_model: int, bias: bool = True, *, rng: RngLike = None) -> None:
        check_sizes("SelfAttention", d_model=d_model)
        check_flags("SelfAttention", bias=bias)
        self.d_model = d_model
        generator = as_generator(rng)
        bound = math.sqrt(6.0 / (d_model + 3 * d_model))          # Xavier uniform on a (3d, d) matrix
        self.in_proj_weight = nn.Parameter(generator.uniform(-bound, bound, (3 * d_model, d_model)),
                                           name="in_proj_weight")
        self.in_proj_bias = nn.Parameter(np.zeros(3 * d_model), name="in_proj_bias") if bias else None
        self.out_proj = nn.Linear(d_model, d_model, bias=bias, rng=generator)
        if bias:
            self.out_proj.bias.data[...] = 0.0

    def forward(self, x: Any) -> mg.Tensor:
        x = as_input("SelfAttention", "input", x)
        if x.ndim < 2 or x.shape[-1] != self.d_model:
            raise mg.ShapeError(f"SelfAttention: input must be (..., T, {self.d_model}), got shape {x.shape}")
        d = self.d_model
        projected = linear(x, self.in_proj_weight, self.in_proj_bias)          # (..., T, 3d)
        query, key, value = (projected[..., k * d:(k + 1) * d] for k in range(3))
        return self.out_proj(scaled_dot_product_attention(query, key, value, is_causal=True))

    def extra_repr(self) -> str:
        return f"d_model={self.d_model}, bias={self.in_proj_bias is not None}"
