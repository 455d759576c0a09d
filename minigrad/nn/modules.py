"""``Parameter``, ``Module`` and ``Linear``, as in ``torch.nn``.

A Module finds its parameters by walking its attributes in the order they
were assigned: a ``Parameter`` attribute is a parameter, a ``Module`` (or a
``ModuleList``) attribute is a submodule whose parameters get a dotted prefix.
"""
from __future__ import annotations

import math
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Mapping

import numpy as np

from .. import ops
from .._checks import as_tensor_argument, check_flags, check_mapping, check_sizes
from ..random import RngLike, as_generator
from ..tensor import Tensor, _as_float_array, check_dtype


class Parameter(Tensor):
    """A leaf Tensor that requires grad and that a ``Module`` registers as a parameter."""

    __slots__ = ()

    def __init__(self, data: Any, requires_grad: bool = True, dtype: Any = None,
                 name: str | None = None) -> None:
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)


class Module:
    """Base class of layers and nets: subclasses set attributes and define ``forward``."""

    training: bool = True

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.forward(*args, **kwargs)

    def named_children(self) -> Iterator[tuple[str, Module]]:
        for name, value in vars(self).items():
            if isinstance(value, Module):
                yield name, value

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``(dotted name, parameter)`` pairs, each parameter once.

        Order as in PyTorch: a module's own parameters in assignment order, then
        each submodule's, depth first.
        """
        seen: set[int] = set()
        # An explicit stack keeps the order of a depth-first walk without recursion.
        stack: list[tuple[str, Module]] = [(prefix, self)]
        while stack:
            module_prefix, module = stack.pop()
            children = []
            for name, value in vars(module).items():
                if isinstance(value, Parameter) and id(value) not in seen:
                    seen.add(id(value))
                    yield module_prefix + name, value
                elif isinstance(value, Module):
                    children.append((module_prefix + name + ".", value))
            stack.extend(reversed(children))

    def parameters(self) -> Iterator[Parameter]:
        for _, parameter in self.named_parameters():
            yield parameter

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the accumulated gradients.

        ``set_to_none=True`` (PyTorch's default) drops the arrays; False fills
        them with zeros in place, which reuses their memory in a training loop.
        """
        check_flags(f"{type(self).__name__}.zero_grad", set_to_none=set_to_none)
        for parameter in self.parameters():
            parameter.zero_grad(set_to_none)

    def train(self, mode: bool = True) -> Module:
        check_flags(f"{type(self).__name__}.train", mode=mode)
        for module in self._modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        return self.train(False)

    def _modules(self) -> Iterator[Module]:
        stack: list[Module] = [self]
        while stack:
            module = stack.pop()
            yield module
            stack.extend(child for _, child in module.named_children())

    def state_dict(self) -> "OrderedDict[str, np.ndarray]":
        """A copy of every parameter's values, by dotted name."""
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True) -> None:
        """Copy values into the parameters, checking names and shapes first.

        With ``strict`` (the default) the names must match exactly; nothing is
        modified unless every check passes.
        """
        check_mapping("load_state_dict", "state_dict", state_dict)
        check_flags("load_state_dict", strict=strict)
        own = dict(self.named_parameters())
        missing = [name for name in own if name not in state_dict]
        unexpected = [name for name in state_dict if name not in own]
        if strict and (missing or unexpected):
            raise KeyError(f"load_state_dict: missing keys {missing}, unexpected keys {unexpected}")
        arrays = {}
        for name, value in state_dict.items():
            if name not in own:
                continue
            array = _as_float_array(value, own[name].dtype, what=f"load_state_dict: '{name}'")
            if array.shape != own[name].shape:
                raise ValueError(f"load_state_dict: '{name}' has shape {array.shape} in the state dict "
                                 f"but {own[name].shape} in the module")
            arrays[name] = array
        for name, array in arrays.items():
            own[name].data[...] = array

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__}({self.extra_repr()})"]
        for name, child in self.named_children():
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        return "\n".join(lines)

    def extra_repr(self) -> str:
        return ""


class ModuleList(Module):
    """A list of modules whose parameters are named ``"0.weight"``, ``"1.weight"``, ..."""

    def __init__(self, modules: Iterable[Module] = ()) -> None:
        if isinstance(modules, Module) or not isinstance(modules, Iterable):
            raise TypeError(f"ModuleList: modules must be an iterable of Modules, got {type(modules).__name__}")
        for module in modules:
            self.append(module)

    def __len__(self) -> int:
        return sum(1 for _ in self.named_children())

    def __getitem__(self, index: int) -> Module:
        if not isinstance(index, (int, np.integer)) or isinstance(index, bool):
            raise TypeError(f"ModuleList: an index must be an integer, got {index!r}")
        count = len(self)
        if not -count <= index < count:
            raise IndexError(f"ModuleList: index {index} is out of range for {count} modules")
        return getattr(self, str(index % count))

    def __iter__(self) -> Iterator[Module]:
        return (module for _, module in self.named_children())

    def append(self, module: Module) -> ModuleList:
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList: every item must be a Module, got {type(module).__name__}")
        setattr(self, str(len(self)), module)
        return self


def uniform_init(shape: tuple[int, ...], bound: float, generator: np.random.Generator,
                 who: str = "uniform_init") -> np.ndarray:
    """Samples from U(-bound, bound), PyTorch's default initialisation of linear and recurrent layers.

    Takes a Generator, not a seed: a module turns its ``rng`` into one generator
    once (``as_generator``) and draws all its parameters from it, so that
    weight and bias are not copies of the same first draws. ``who`` (the module)
    names the error when the sizes ask for more memory than there is.
    """
    try:
        return generator.uniform(-bound, bound, size=shape)
    except (MemoryError, ValueError, OverflowError) as error:   # numpy: "array is too big", "Unable to allocate"
        raise MemoryError(f"{who}: a parameter of shape {shape} ({math.prod(shape)} numbers) cannot be "
                          f"allocated ({error})") from None


class Linear(Module):
    """y = x W^T + b.

    Shapes: x (..., in_features) -> y (..., out_features); weight
    (out_features, in_features), bias (out_features,), both initialised from
    U(-1/sqrt(in_features), 1/sqrt(in_features)) as in ``torch.nn.Linear``.
    """

    def __init__(self, in_features: int, out_features: int, bias: bool = True, rng: RngLike = None,
                 dtype: Any = None) -> None:
        # 0 features is allowed, as in PyTorch: an empty layer (its output is the bias alone).
        check_sizes("Linear", minimum=0, in_features=in_features, out_features=out_features)
        check_flags("Linear", bias=bias)
        dtype = check_dtype("Linear", dtype)
        self.in_features = in_features
        self.out_features = out_features
        bound = 1.0 / math.sqrt(in_features) if in_features > 0 else 0.0
        generator = as_generator(rng, "Linear")
        self.weight = Parameter(uniform_init((out_features, in_features), bound, generator, "Linear"),
                                dtype=dtype, name="weight")
        self.bias = Parameter(uniform_init((out_features,), bound, generator, "Linear"), dtype=dtype,
                              name="bias") if bias else None

    def forward(self, x: Tensor) -> Tensor:
        return ops.linear(as_tensor_argument("Linear", "input", x), self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"
