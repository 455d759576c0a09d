"""Output-to-hidden (Jordan, NARX) and context-unit (Elman) recurrences, with "blocked" gradients.

Seed 004, "Story so far": "Jordan networks maintain a running average of
outputs in a 'memory' unit; Elman networks store hidden unit values for one
time instant in a 'context' unit"; they are "simple" recurrent networks
because during learning the error is "blocked" at those units: no gradient
flows into the past through them. Here blocking is ``detach()``: the memory or
context value is used as a constant. With ``blocked=False`` the same nets are
trained by full BPTT through the recurrence.
"""
from __future__ import annotations

from typing import Any, Optional

import numpy as np

import minigrad as mg
from minigrad import nn
from minigrad.nn.modules import uniform_init
from minigrad.ops import linear
from minigrad.random import RngLike, as_generator

from ._checks import check_flags, check_range, check_sizes
from .cells import as_input, init_bound, rnn_step
from .layout import check_nonlinearity


def _sequence(x: Any, input_size: int, who: str) -> mg.Tensor:
    x = as_input(who, "input", x)
    if x.ndim != 3 or x.shape[2] != input_size or x.shape[0] == 0:
        raise mg.ShapeError(f"{who}: input must have shape (T, B, {input_size}) with T >= 1, got {x.shape}")
    return x


class _SimpleRecurrentNet(nn.Module):
    """Parameters shared by both nets: input-to-hidden, recurrent, hidden-to-output."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int, recurrent_size: int,
                 nonlinearity: str, blocked: bool, rng: RngLike) -> None:
        name = type(self).__name__
        check_nonlinearity(name, nonlinearity)
        check_sizes(name, input_size=input_size, hidden_size=hidden_size, output_size=output_size)
        check_flags(name, blocked=blocked)
        self.input_size, self.hidden_size, self.output_size = input_size, hidden_size, output_size
        self.nonlinearity, self.blocked = nonlinearity, blocked
        bound = init_bound(hidden_size)
        generator = as_generator(rng, name)
        self.weight_ih = nn.Parameter(uniform_init((hidden_size, input_size), bound, generator, name), name="weight_ih")
        self.weight_rh = nn.Parameter(uniform_init((hidden_size, recurrent_size), bound, generator, name),
                                      name="weight_rh")
        self.bias_h = nn.Parameter(uniform_init((hidden_size,), bound, generator, name), name="bias_h")
        try:
            self.readout = nn.Linear(hidden_size, output_size, rng=generator)
        except MemoryError as error:        # Linear's message names Linear; the user called `name`
            raise MemoryError(f"{name}: the readout (hidden_size, output_size) cannot be allocated "
                              f"({error})") from None

    def _recurrent_input(self, value: mg.Tensor) -> mg.Tensor:
        # Seed 004: the error is "blocked" at the memory / context unit.
        return value.detach() if self.blocked else value


class JordanNet(_SimpleRecurrentNet):
    """Recurrence from the output back to the hidden layer (seed 000, "Recurrent connection from
    output to hidden units"; seed 004, "NARX Networks", "Jordan Network").

        m(t) = μ m(t-1) + y(t-1)                the memory unit (m(0) = 0, y(-1) = 0)
        h(t) = f(W_ih x(t) + W_rh m(t) + b_h)
        y(t) = W_ho h(t) + b_o

    ``memory_decay`` μ = 0 gives the one-tap NARX net (the previous output fed
    back); μ > 0 gives Jordan's running average of past outputs. With
    ``blocked=True`` no gradient flows through m (Jordan's training).
    Teacher forcing: pass ``teacher`` (T, B, output_size) to feed back the
    target d(t-1) instead of the net's own y(t-1) (seed 000, "Comments":
    "teacher output d(n) can be used in the computation of activations ...
    in the forward pass").
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, memory_decay: float = 0.0,
                 nonlinearity: str = "tanh", blocked: bool = False, rng: RngLike = None) -> None:
        check_range("JordanNet", "memory_decay", memory_decay, 0.0, 1.0)
        super().__init__(input_size, hidden_size, output_size, output_size, nonlinearity, blocked, rng)
        self.memory_decay = memory_decay

    def forward(self, x: Any, teacher: Optional[Any] = None) -> mg.Tensor:
        """x (T, B, input_size) -> y (T, B, output_size)."""
        x = _sequence(x, self.input_size, "JordanNet")
        T, B, _ = x.shape
        if teacher is not None:
            teacher = as_input("JordanNet", "teacher", teacher)
            if teacher.shape != (T, B, self.output_size):
                raise mg.ShapeError(f"JordanNet: teacher must have shape {(T, B, self.output_size)}, "
                                    f"got {teacher.shape}")
        x_proj = linear(x, self.weight_ih, self.bias_h)
        memory = mg.Tensor(np.zeros((B, self.output_size), dtype=x.dtype))
        fed_back = memory
        outputs = []
        for t in range(T):
            with mg.scope(f"t={t}"):
                if t > 0:
                    memory = self.memory_decay * memory + fed_back if self.memory_decay else fed_back
                h = rnn_step(x_proj[t], memory, self.weight_rh, self.nonlinearity)
                y = self.readout(h)
                # The memory is built from what is fed back; blocked, it carries no gradient at all.
                fed_back = teacher[t] if teacher is not None else self._recurrent_input(y)
            outputs.append(y)
        return mg.stack(outputs, axis=0)


class ElmanNet(_SimpleRecurrentNet):
    """Hidden-to-hidden recurrence through "context" units (seed 004, "Elman Networks").

        c(t) = h(t-1)                           the context units (c(0) = 0)
        h(t) = f(W_ih x(t) + W_rh c(t) + b_h)
        y(t) = W_ho h(t) + b_o

    With ``blocked=True`` (Elman's training) the context is a constant copy:
    "approximated as a set of T independent 1-step history nets", "no
    gradient is backpropagated over the '1' link". With ``blocked=False`` this
    is the Elman RNN trained by full BPTT.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int, nonlinearity: str = "tanh",
                 blocked: bool = True, rng: RngLike = None) -> None:
        super().__init__(input_size, hidden_size, output_size, hidden_size, nonlinearity, blocked, rng)

    def forward(self, x: Any) -> mg.Tensor:
        """x (T, B, input_size) -> y (T, B, output_size)."""
        x = _sequence(x, self.input_size, "ElmanNet")
        T, B, _ = x.shape
        x_proj = linear(x, self.weight_ih, self.bias_h)
        h = mg.Tensor(np.zeros((B, self.hidden_size), dtype=x.dtype))
        hidden = []
        for t in range(T):
            with mg.scope(f"t={t}"):
                h = rnn_step(x_proj[t], self._recurrent_input(h), self.weight_rh, self.nonlinearity)
            hidden.append(h)
        # Nothing in the recurrence needs y(t), so the readout runs once over all steps.
        return self.readout(mg.stack(hidden, axis=0))
