"""RNN, LSTM and GRU over whole sequences, unrolled on the engine.

The forward pass is a plain Python loop over time steps calling the cell's
step function (``cells.py``), each step inside ``minigrad.scope`` named
``layer{k}/{fwd|bwd}/t={t}``. The result is one big graph whose columns share
the same weight tensors: "a giant shared-parameter neural network" (seed 004,
"Training the RNN"). Backpropagation through time is the engine's ordinary
``backward`` on that graph; the gradients of the shared weights are pooled
over time steps where ``Tensor.backward`` sums the gradients of a tensor's uses.

Signature and semantics are PyTorch's ``nn.RNN`` / ``nn.LSTM`` / ``nn.GRU``:
parameter names (``weight_ih_l0``, ``weight_hh_l0_reverse``, ...), shapes,
initialisation U(-1/sqrt(H), 1/sqrt(H)), input (T, B, D), (B, T, D) with
``batch_first``, or unbatched (T, D); ``h_n`` shaped (num_layers *
num_directions, B, H); bidirectional output = [forward features, backward
features]. A PyTorch state dict converted to numpy arrays loads with
``load_state_dict``.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.random import RngLike, as_generator

from minigrad.ops import linear

from ._checks import check_flags, check_range, check_sizes
from .cells import as_input, check_nonlinearity, gru_step, layer_parameters, lstm_step, rnn_step, unpack_states
from .layout import parameter_suffix

State = tuple[mg.Tensor, ...]     # (h,) or, for the LSTM, (h, c); each (B, H), or (H,) when learned


class RecurrentNet(nn.Module):
    """Shared machinery of RNN, LSTM and GRU: parameters, layers, directions, shapes."""

    kind = ""                       # "rnn", "lstm" or "gru"
    state_names: tuple[str, ...] = ("h",)

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False, *,
                 learn_initial_state: bool = False, rng: RngLike = None) -> None:
        # The positional order is PyTorch's, so that nets.LSTM(3, 4, 1, True, False, 0.0, True)
        # means what torch.nn.LSTM(3, 4, 1, True, False, 0.0, True) means.
        name = type(self).__name__
        check_sizes(name, input_size=input_size, hidden_size=hidden_size, num_layers=num_layers)
        check_flags(name, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
                     learn_initial_state=learn_initial_state)
        check_range(name, "dropout", dropout, 0.0, 1.0)
        if dropout != 0:
            raise ValueError(f"{name}: dropout between layers is not implemented; only dropout=0 is "
                             f"accepted, got {dropout!r}")
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.bidirectional = bias, batch_first, bidirectional
        self.num_directions = 2 if bidirectional else 1
        generator = as_generator(rng, name)
        for layer in range(num_layers):
            layer_input = input_size if layer == 0 else hidden_size * self.num_directions
            for direction in range(self.num_directions):
                suffix = parameter_suffix(layer, direction)
                for parameter_name, parameter in layer_parameters(name, self.kind, layer_input, hidden_size, bias,
                                                                  generator, suffix).items():
                    setattr(self, parameter_name, parameter)
        # Seed 004: "h(-1) = part of network parameters"; one learned initial
        # state per layer and direction, shared by every sequence of a batch.
        self.learn_initial_state = learn_initial_state
        if learn_initial_state:
            for state in self.state_names:
                self._add(f"{state}0", np.zeros((num_layers * self.num_directions, hidden_size)))

    def _add(self, name: str, values: np.ndarray) -> None:
        setattr(self, name, nn.Parameter(values, name=name))

    def _weights(self, layer: int, direction: int) -> tuple[mg.Tensor, mg.Tensor, Optional[mg.Tensor],
                                                           Optional[mg.Tensor]]:
        suffix = parameter_suffix(layer, direction)
        return (getattr(self, f"weight_ih{suffix}"), getattr(self, f"weight_hh{suffix}"),
                getattr(self, f"bias_ih{suffix}", None), getattr(self, f"bias_hh{suffix}", None))

    # ------------------------------------------------------------- the step
    def _step(self, x_proj: mg.Tensor, state: State, weight_hh: mg.Tensor,
              bias_hh: Optional[mg.Tensor]) -> State:
        raise NotImplementedError

    def _fold_bias_hh(self) -> bool:
        """Can b_hh be added once to the input projection instead of at every step? (Not for the GRU.)"""
        return True

    # ------------------------------------------------------------ one layer
    def _input_projection(self, inputs: mg.Tensor, weight_ih: mg.Tensor, bias_ih: Optional[mg.Tensor],
                          bias_hh: Optional[mg.Tensor]) -> mg.Tensor:
        """W_ih x(t) + b for every t at once: one (T*B, D) @ (D, G*H) matmul instead of T small ones.

        The whole input sequence is known before the loop starts, so this is
        the same arithmetic as inside the loop, grouped for BLAS.
        """
        bias = bias_ih
        if bias_ih is not None and self._fold_bias_hh():
            bias = bias_ih + bias_hh
            bias.name = "b_ih + b_hh"
        # linear() flattens (T, B) into the rows of one matrix product.
        x_proj = linear(inputs, weight_ih, bias)
        x_proj.name = "W_ih x + b, every t"
        return x_proj

    def _run_direction(self, layer: int, direction: int, inputs: mg.Tensor, state: State) -> tuple[mg.Tensor, State]:
        """Unroll one layer in one direction over the sequence. inputs (T, B, D) -> outputs (T, B, H)."""
        weight_ih, weight_hh, bias_ih, bias_hh = self._weights(layer, direction)
        T = inputs.shape[0]
        if direction == 1:
            reversed_name = f"{inputs.name or 'input'} reversed in time"
            inputs = inputs.flip(0)            # seed 004, "Bidirectional RNN": flip it in time
            inputs.name = reversed_name        # row s holds x(T-1-s): the picture says so
        x_proj = self._input_projection(inputs, weight_ih, bias_ih, bias_hh)
        outputs = []
        for step in range(T):
            t = step if direction == 0 else T - 1 - step     # the time index the step reads: h_b(t), seed 004
            with mg.scope(f"t={t}"):
                x_proj_t = x_proj[step]
                x_proj_t.name = "W_ih x(t) + b"
                state = self._step(x_proj_t, state, weight_hh, bias_hh)
            for tensor, name in zip(state, self.state_names):
                if tensor.name is None:                      # the step's own name ("C") comes first
                    tensor.name = name                       # "h": what a picture labels it
            outputs.append(state[0])
        output = mg.stack(outputs, axis=0)
        output.name = "h, every t" if direction == 0 else "h, reversed time"
        if direction == 1:
            output = output.flip(0)            # flip back to straighten time
            output.name = "h, every t"
        return output, state

    # -------------------------------------------------------------- forward
    def forward(self, x: Any, hx: Any = None) -> tuple[mg.Tensor, Any]:
        """Run the net over a sequence.

        Args:
            x: (T, B, D), or (B, T, D) with ``batch_first``, or unbatched (T, D).
            hx: initial state(s) (num_layers * num_directions, B, H), or
                (num_layers * num_directions, H) for unbatched input; for the
                LSTM a pair (h0, c0). None: zeros (or the learned initial state).

        Returns:
            output (T, B, num_directions * H) (batch_first and unbatched
            layouts as the input), and h_n (num_layers * num_directions, B, H)
            (for the LSTM, the pair (h_n, c_n)).
        """
        name = type(self).__name__
        x = as_input(name, "input", x)
        given = x.shape                 # for messages: the caller's layout, not the internal one
        if x.ndim not in (2, 3):
            raise mg.ShapeError(f"{name}: input must be (T, B, D), (B, T, D) with batch_first, or unbatched "
                                f"(T, D); got shape {given}")
        unbatched = x.ndim == 2
        if unbatched:
            x = x.reshape(x.shape[0], 1, x.shape[1])
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        T, B, D = x.shape
        if D != self.input_size:
            raise mg.ShapeError(f"{name}: input has {D} features (shape {given}) but input_size is "
                                f"{self.input_size}")
        if T == 0:
            raise mg.ShapeError(f"{name}: the input sequence is empty (shape {given})")
        initial = self._initial_states(hx, B, unbatched, x.dtype)
        with mg.gc_paused():    # a large graph without reference cycles; see minigrad/_memory.py
            output, final_states = self._unroll(x, initial)
        if unbatched:
            output = output.reshape(T, output.shape[-1])
            final_states = tuple(s.reshape(s.shape[0], s.shape[-1]) for s in final_states)
        elif self.batch_first:
            output = output.transpose(1, 0, 2)
        return output, final_states[0] if len(final_states) == 1 else final_states

    def _unroll(self, x: mg.Tensor, initial: list[State]) -> tuple[mg.Tensor, tuple[mg.Tensor, ...]]:
        """Every layer and direction over the whole sequence. x (T, B, D) -> output, final states."""
        layer_input, finals = x, []
        for layer in range(self.num_layers):
            directions = []
            for direction in range(self.num_directions):
                index = layer * self.num_directions + direction
                with mg.scope(f"layer{layer}"), mg.scope("bwd" if direction else "fwd"):
                    output, final = self._run_direction(layer, direction, layer_input, initial[index])
                directions.append(output)
                finals.append(final)
            # Seed 004, "Bidirectional RNN": the block's output is [h_f(t); h_b(t)],
            # and layer k+1 reads layer k's (concatenated) output.
            if len(directions) == 1:
                layer_input = directions[0]
            else:
                layer_input = mg.concatenate(directions, axis=-1)
                layer_input.name = "[h_f; h_b], every t"

        final_states = tuple(mg.stack([final[k] for final in finals], axis=0) for k in range(len(self.state_names)))
        return layer_input, final_states

    def _initial_states(self, hx: Any, B: int, unbatched: bool, dtype: np.dtype) -> list[State]:
        """One state tuple per (layer, direction), in PyTorch's h_n row order."""
        rows, H, name = self.num_layers * self.num_directions, self.hidden_size, type(self).__name__
        if hx is None:
            if self.learn_initial_state:
                learned = [getattr(self, f"{s}0") for s in self.state_names]
                return [tuple(p[index] for p in learned) for index in range(rows)]
            # One zero tensor per state kind, named so that pictures of the graph say what it is.
            zeros = tuple(mg.Tensor(np.zeros((B, H), dtype=dtype), name=f"{s}0") for s in self.state_names)
            return [zeros] * rows
        given = unpack_states(name, "hx", hx, tuple(s + "0" for s in self.state_names))
        expected = (rows, H) if unbatched else (rows, B, H)
        states = []
        for state_name, tensor in zip(self.state_names, given):
            tensor = as_input(name, f"{state_name}0", tensor)
            if tensor.shape != expected:
                raise mg.ShapeError(f"{name}: {state_name}0 has shape {tensor.shape}, expected {expected} "
                                    f"(num_layers * num_directions, {'' if unbatched else 'B, '}H)")
            states.append(tensor.reshape(rows, 1, H) if unbatched else tensor)
        return [tuple(s[index] for s in states) for index in range(rows)]

    def extra_repr(self) -> str:
        return (f"{self.input_size}, {self.hidden_size}, num_layers={self.num_layers}, bias={self.bias}, "
                f"batch_first={self.batch_first}, bidirectional={self.bidirectional}")


class RNN(RecurrentNet):
    """Elman RNN: h(t) = f(W_ih x(t) + b_ih + W_hh h(t-1) + b_hh), f = tanh or relu.

    Seed 000, "Recurrent connections between hidden units"; seed 004, the
    forward pseudocode of "Training the RNN" (z(t,l) = Wc(l) h(t,l-1) +
    Wr(l) h(t-1,l) + b(l), h(t,l) = tanh(z(t,l))).
    """

    kind = "rnn"

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, nonlinearity: str = "tanh",
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, *, learn_initial_state: bool = False,
                 rng: RngLike = None) -> None:
        check_nonlinearity("RNN", nonlinearity)
        self.nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         learn_initial_state=learn_initial_state, rng=rng)

    def _step(self, x_proj: mg.Tensor, state: State, weight_hh: mg.Tensor,
              bias_hh: Optional[mg.Tensor]) -> State:
        return (rnn_step(x_proj, state[0], weight_hh, self.nonlinearity),)


class LSTM(RecurrentNet):
    """LSTM (seed 000, "LSTM memory cell summary"; seed 001, "LSTM Equations"); forward returns (output, (h_n, c_n))."""

    kind = "lstm"
    state_names = ("h", "c")

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
                 batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
                 proj_size: int = 0, *, learn_initial_state: bool = False, rng: RngLike = None) -> None:
        if proj_size != 0:
            raise ValueError(f"LSTM: projections (proj_size) are not implemented; only proj_size=0 is "
                             f"accepted, got {proj_size!r}")
        super().__init__(input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         learn_initial_state=learn_initial_state, rng=rng)

    def _step(self, x_proj: mg.Tensor, state: State, weight_hh: mg.Tensor,
              bias_hh: Optional[mg.Tensor]) -> State:
        return lstm_step(x_proj, state[0], state[1], weight_hh)


class GRU(RecurrentNet):
    """GRU with PyTorch's equations (see ``cells.gru_step``)."""

    kind = "gru"

    def _fold_bias_hh(self) -> bool:
        return False

    def _step(self, x_proj: mg.Tensor, state: State, weight_hh: mg.Tensor,
              bias_hh: Optional[mg.Tensor]) -> State:
        return (gru_step(x_proj, state[0], weight_hh, bias_hh),)


def BRNN(input_size: int, hidden_size: int, num_layers: int = 1, cell: str = "rnn", **options: Any) -> RecurrentNet:
    """A bidirectional RNN (seed 004, "Bidirectional RNN"; seed 000, "bidirectional neural networks").

    Each layer is a block of two nets over the same input: a forward net,
    and a backward net that sees the input flipped in time and whose outputs
    are flipped back; the block outputs [h_f(t); h_b(t)]. Several layers stack
    such blocks, each reading the previous block's output (seed 004: "stacking
    many independent bidirectional blocks"; seed 000, "Shallow vs deep
    bidirectional neural networks"). The same as ``RNN(...,
    bidirectional=True)`` (or LSTM, GRU with ``cell="lstm"``, ``"gru"``).
    """
    nets = {"rnn": RNN, "lstm": LSTM, "gru": GRU}
    if cell not in nets:
        raise ValueError(f"BRNN: cell must be one of {sorted(nets)}, got {cell!r}")
    try:
        return nets[cell](input_size, hidden_size, num_layers, bidirectional=True, **options)
    except (TypeError, ValueError, MemoryError) as error:   # the net's message names RNN; the user called BRNN
        raise type(error)(f"BRNN: {error}") from None
