"""The Tensor: a numpy array that remembers how it was computed, and reverse mode.

Reading order for a newcomer:

1. ``Tensor`` holds ``data`` (a numpy array) and, if it was computed by an op
   while gradients were being recorded, ``op`` (the op's name), ``parents``
   (the tensors it was computed from), ``_backward`` (the op's
   vector-Jacobian product, defined under the op's forward in ``ops.py``) and
   ``saved`` (what that backward needs besides inputs and output).
2. ``Tensor.backward`` counts the uses of every tensor (``count_uses``, an
   iterative walk), then processes the graph from the output to the leaves:
   a tensor is processed once every op that used it has sent its gradient,
   and the gradients from its several uses are *summed*. That sum is the pooling of gradients of shared
   parameters (seed 004, "Training the RNN"; seed 000, "Learning algorithms
   for RNNs": dE/dW = sum_t dE/dW_t).
3. Writes are counted. The engine reads a tensor's own array, ``_data``;
   ``t.data`` hands the user a ``DataView`` of it that stamps the tensor with
   the time of every write (``state.write_clock``). An op records the time it
   was built; ``backward`` refuses an op whose inputs or output were written
   after that (``_check_unmodified``), instead of returning the gradient at
   values the forward never saw (PyTorch's version counter does the same).
4. A weight's gradient from ``linear`` or ``matmul`` arrives as two factors
   (``ProductGrad``: g^T x), and the sum over its uses is formed as one
   product, sum_t g_t^T x_t = G^T X, once its last use is processed
   (``PooledProduct``).
"""
from __future__ import annotations

import numbers
import weakref
from typing import Any, Callable, Iterator, Optional, Sequence

import numpy as np

from ._checks import check_tensor
from ._memory import gc_paused
from ._state import state
from .errors import AnomalyError, ShapeError

# A vector-Jacobian product: given g = dL/d(output) and the output tensor
# (whose parents are the op's inputs), return one dL/d(parent) per parent
# (None where that parent needs no gradient).
Backward = Callable[[np.ndarray, "Tensor"], Sequence[Any]]

_ALLOWED_DTYPES = (np.dtype(np.float64), np.dtype(np.float32))


def _as_float_array(data: Any, dtype: Any = None, what: str = "Tensor: data") -> np.ndarray:
    """Convert user data to a float32/float64 array, refusing what is not a real number.

    ``what`` names the data in the error (the constructor's, backward's grad, a state dict entry).
    """
    if isinstance(data, Tensor):
        data = data._data
    try:
        array = np.asarray(data)
    except ValueError as error:     # numpy: "setting an array element with a sequence ..."
        raise ValueError(f"{what} must be a rectangular array of real numbers: nested lists must have "
                         f"the same length at each depth ({error})") from None
    if array.dtype.kind not in "biuf":
        kind = {"c": "complex", "U": "string", "S": "bytes", "O": "object"}.get(
            array.dtype.kind, str(array.dtype))
        raise TypeError(f"{what} must be real numbers, got {kind} data of dtype {array.dtype}")
    if dtype is None:
        # float32 input stays float32 (as in PyTorch); everything else becomes float64.
        dtype = np.float32 if array.dtype == np.float32 else np.float64
    # Always copy: a Tensor owns its data, so optimizers may update it in place
    # without touching the caller's array.
    return np.array(array, dtype=dtype, copy=True)


def check_dtype(who: str, dtype: Any) -> Optional[np.dtype]:
    """``dtype`` as a numpy dtype if it is float64 or float32 (None stays None: the default)."""
    if dtype is None:
        return None
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        resolved = None                 # not a dtype at all ("float", "foo", 3)
    if resolved is None or resolved not in _ALLOWED_DTYPES:    # (a dtype equals None: np.dtype(None) is float64)
        raise TypeError(f"{who}: dtype must be float64 or float32, "
                        f"got {repr(dtype) if resolved is None else resolved}")
    return resolved


class Tensor:
    """A float64 (or float32) numpy array with an optional record of its history.

    Args:
        data: anything ``np.asarray`` accepts that holds real numbers.
        requires_grad: whether gradients should be computed for this tensor.
        dtype: ``np.float64`` or ``np.float32``; by default float32 data stays float32 and
            everything else becomes float64.
        name: an optional label, shown by the graph renderer.

    Attributes a reader can walk:
        data (np.ndarray), grad (np.ndarray of ``data``'s shape, or None; a Tensor
        with a graph after ``backward(create_graph=True)``), op (name of the op that made it; "" for leaves), parents (the tensors
        it was computed from; () for leaves), scope (the ``minigrad.scope``
        path it was created in), contributions (see ``backward``).
    """

    # _data: the array itself, which the ops read (``data`` is the user's counted view of it);
    # _built_at: write_clock when the op made it; _writes: its ``_Writes`` record, made at its
    # first write or by detach() (unset until then: read with getattr). One slot, not two, for
    # what few tensors need: every slot costs each tensor of an unrolled graph 8 bytes.
    # _grad_of: set only on tensors a backward with create_graph=True recorded, the tensor
    # whose gradient they compute (the renderer draws such a graph as a backward pass).
    __slots__ = ("_data", "grad", "requires_grad", "op", "parents", "_backward", "saved",
                 "name", "scope", "contributions", "_retain_grad", "_built_at", "_writes",
                 "_grad_of", "__weakref__")

    # numpy functions called on a Tensor (np.exp(t), np.sum(t), ndarray + t) run minigrad's op
    # of the same name, recorded and differentiable, or are refused by name: interop.py.
    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        return interop.call_ufunc(ufunc, method, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        return interop.call_function(func, args, kwargs)

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: Optional[str] = None) -> None:
        who = type(self).__name__       # Tensor, or nn.Parameter
        self._data = _as_float_array(data, check_dtype(who, dtype), f"{who}: data")
        if not isinstance(requires_grad, (bool, np.bool_)):
            raise TypeError(f"{who}: requires_grad must be True or False, got {requires_grad!r:.60}")
        if name is not None and not isinstance(name, str):
            raise TypeError(f"{who}: name must be a string or None, got {name!r:.60}")
        self.grad: Optional[np.ndarray] = None
        self.requires_grad = bool(requires_grad)
        self.op = ""
        self.parents: tuple[Tensor, ...] = ()
        self._backward: Optional[Backward] = None
        self.saved: Any = None
        self.name = name
        self.scope = state.scope
        self.contributions: Optional[list[tuple[str, np.ndarray]]] = None
        self._retain_grad = False

    # ----------------------------------------------------------------- basics
    @property
    def data(self) -> np.ndarray:
        """The values, as a numpy array that shares the tensor's memory.

        Writing through it (``t.data[0] = 1``, ``t.data += 1``, ``np.add(.., out=t.data)``)
        changes the tensor and is counted: a graph that used the old values refuses to run
        ``backward`` (see ``_check_unmodified``). Assigning ``t.data = array`` replaces the
        values (copied, like the constructor) and is counted the same way.
        """
        view = self._data.view(DataView)
        view._owner = self
        return view

    @data.setter
    def data(self, value: Any) -> None:
        if type(value) is DataView and value._owner is self and value.base is self._data:
            return      # `t.data += x`: numpy wrote into our own view (already counted), then hands it back
        self._data = _as_float_array(value, what="Tensor.data")
        _mark_written(self)

    @property
    def shape(self) -> tuple[int, ...]:
        return self._data.shape

    @property
    def dtype(self) -> np.dtype:
        return self._data.dtype

    @property
    def ndim(self) -> int:
        return self._data.ndim

    @property
    def size(self) -> int:
        return self._data.size

    @property
    def is_leaf(self) -> bool:
        return not self.parents

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds one number and has no length (use .item())")
        return len(self._data)

    def __iter__(self) -> Iterator[Tensor]:
        """The sub-tensors along the first axis, ``t[0], t[1], ...`` (each one a getitem op, as in PyTorch)."""
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: it holds one number (use .item())")
        return (self[i] for i in range(len(self._data)))

    def __contains__(self, value: Any) -> bool:
        """``value in t``: whether any element equals ``value``."""
        return bool(np.any(self._data == _as_float_array(value, what="in: the value")))

    def numpy(self) -> np.ndarray:
        """The same array as ``data`` (shared memory, writes counted)."""
        return self.data

    def tolist(self) -> Any:
        """The values as (nested lists of) Python floats; a 0-d tensor gives one float."""
        return self._data.tolist()

    def item(self) -> float:
        if self._data.size != 1:
            raise ValueError(f"item: only a tensor with one element has an item, this one has shape {self.shape}")
        return self._data.item()

    # Python's number protocols, as in PyTorch: defined for one-element tensors only.
    def _one_number(self, what: str) -> Any:
        if self._data.size != 1:
            raise TypeError(f"{what}: only a tensor with one element converts to a Python number, "
                            f"this one has shape {self.shape} ({self.size} elements); "
                            f"use .tolist() or .numpy() for all of them")
        return self._data.item()

    def __float__(self) -> float:
        return float(self._one_number("float()"))

    def __int__(self) -> int:
        return int(self._one_number("int()"))

    def __bool__(self) -> bool:
        if self._data.size != 1:
            raise ValueError(f"bool(): the truth value of a tensor of shape {self.shape} ({self.size} "
                             f"elements) is ambiguous; use (t ...).any() or .all() on its data, "
                             f"or compare one element")
        return bool(self._data.item())

    def __format__(self, spec: str) -> str:
        """``f"{loss:.4f}"`` formats the number of a one-element tensor; no spec gives ``str(t)``."""
        if not spec:
            return str(self)
        return format(self._one_number(f"format(tensor, {spec!r})"), spec)

    def __array__(self, dtype: Any = None, copy: Optional[bool] = None) -> np.ndarray:
        """``np.asarray(t)``: the values as a float array (read-only unless copied, so that no
        write can go around the count that ``data`` keeps); ``dtype`` and ``copy`` as numpy 2 passes them."""
        converts = dtype is not None and np.dtype(dtype) != self._data.dtype
        if copy is False and converts:
            raise ValueError(f"np.asarray(tensor, dtype={np.dtype(dtype)}, copy=False): the tensor holds "
                             f"{self._data.dtype}, so a conversion cannot avoid a copy")
        if copy or converts:
            return np.array(self._data, dtype=dtype, copy=True)
        view = self._data.view()
        view.flags.writeable = False
        return view

    def __repr__(self) -> str:
        extras = []
        if self.op:
            extras.append(f"op={self.op!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.name:
            extras.append(f"name={self.name!r}")
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        body = np.array2string(self._data, precision=4, separator=", ", prefix="Tensor(")
        return "Tensor(" + ", ".join([body] + extras) + ")"

    def detach(self) -> Tensor:
        """The same values, cut from the graph: no gradient flows through the result.

        Truncated BPTT detaches the carried state between chunks; the "blocked"
        Elman/Jordan context units of seed 004 are detached copies.
        """
        out = Tensor._leaf(self._data)
        out._writes = _Writes(base=self)    # the same memory: a write through out.data changes self too
        return out

    def retain_grad(self) -> Tensor:
        """Ask an intermediate (non-leaf) tensor to keep its ``.grad`` after backward."""
        self._retain_grad = True
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop ``.grad`` (or, with ``set_to_none=False``, fill it with zeros in place)."""
        if set_to_none or self.grad is None:
            self.grad = None
        elif isinstance(self.grad, Tensor):         # made by backward(create_graph=True): drop its graph
            self.grad = np.zeros_like(self.grad._data)
        else:
            self.grad[...] = 0.0

    @staticmethod
    def _leaf(data: np.ndarray) -> Tensor:
        """Wrap an array the engine already owns, skipping the checks and copy of __init__."""
        return Tensor._node(data, False, "", (), None, None)

    @staticmethod
    def _node(data: np.ndarray, requires_grad: bool, op: str, parents: tuple[Tensor, ...],
              backward: Optional[Backward], saved: Any) -> Tensor:
        """A Tensor with every attribute set once: what ``_leaf`` and every op's result are built with."""
        out = Tensor.__new__(Tensor)
        out._data = data
        out.grad = None
        out.requires_grad = requires_grad
        out.op = op
        out.parents = parents
        out._backward = backward
        out.saved = saved
        out.name = None
        out.scope = state.scope
        out.contributions = None
        out._retain_grad = False
        return out

    # -------------------------------------------------------------- backward
    def backward(self, grad: Any = None, keep_contributions: bool | str = False, create_graph: bool = False,
                 inputs: Any = None) -> None:
        """Reverse mode: add dself/dleaf (times ``grad``) to ``.grad`` of every leaf.

        Args:
            grad: dL/dself, the "upstream" gradient; may be omitted when self is
                a scalar (it is then 1). With ``create_graph`` it may be a Tensor with a graph.
            create_graph: record the backward pass itself as a graph (as PyTorch): each
                ``.grad`` it sets is then a Tensor that can be differentiated again
                (gradients of gradients, Hessian-vector products, gradient penalties).
                Slower than the default, which computes on arrays only.
            inputs: a Tensor or a list of Tensors: add the gradient to their ``.grad`` only
                (leaves or not), and leave every other tensor's ``.grad`` alone (PyTorch's ``inputs``).
            keep_contributions: also record, on each leaf that requires grad, the
                list ``contributions`` of ``(scope, grad)`` pairs, one per use of
                that leaf in the graph, ``scope`` being that of the op that used
                it (each pair's ``.user`` is that op's output tensor, its ``.order``
                its position in this backward sweep). The pairs
                sum to what this call adds to ``.grad``. ``"all"``: record them
                on every tensor of the graph, not only on leaves (the gradient
                along every edge, which the graph renderer's flow view draws).
        """
        # Not `in (False, True, "all")`: 1.0 == True, and an array would compare elementwise.
        if isinstance(keep_contributions, (bool, np.bool_)):
            keep_contributions = bool(keep_contributions)
        elif not (isinstance(keep_contributions, str) and keep_contributions == "all"):
            kind = ValueError if isinstance(keep_contributions, str) else TypeError
            raise kind(f"backward: keep_contributions must be False, True or 'all', got {keep_contributions!r}")
        default_sweep = create_graph is False and inputs is None     # (checked once, cheaply)
        if not default_sweep:
            if not isinstance(create_graph, (bool, np.bool_)):
                raise TypeError(f"backward: create_graph must be True or False, got {create_graph!r:.60}")
            if keep_contributions:
                raise ValueError("backward: keep_contributions is recorded by the default backward only; "
                                 "it cannot be combined with create_graph=True or inputs=")
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph "
                               "(was it computed inside no_grad(), or from tensors with requires_grad=False?)")
        if grad is None:
            if self._data.size != 1:
                raise RuntimeError(f"backward: a non-scalar tensor of shape {self.shape} needs an explicit "
                                   f"grad of the same shape (dL/dself)")
            seed = np.ones_like(self._data)
        elif create_graph and isinstance(grad, Tensor):
            if grad.shape != self.shape:
                raise ShapeError(f"backward: grad has shape {grad.shape} but the tensor has shape {self.shape}")
            seed = grad     # kept as it is: the gradient may itself depend on tensors with a graph
        else:
            if type(grad) is np.ndarray and grad.dtype == self._data.dtype and not keep_contributions:
                # No copy needed: backward never writes into an array it did not allocate
                # (recorded contributions may hold it, so with them it is copied).
                seed = grad
            else:
                seed = _as_float_array(grad, self.dtype, what="backward: grad")
            if seed.shape != self.shape:
                raise ShapeError(f"backward: grad has shape {seed.shape} but the tensor has shape {self.shape}")

        if not default_sweep:
            wanted = self._wanted(inputs)
            if create_graph and not isinstance(seed, Tensor):
                seed = Tensor._leaf(seed)
            with gc_paused():
                found = differentiate(self, seed, wanted, create_graph)
                for tensor, g in found.items():
                    _store_grad(tensor, g, create_graph)
            return
        with gc_paused():       # the walk creates no garbage cycles; see _memory.py
            self._backward_pass(seed, keep_contributions)

    def _wanted(self, inputs: Any) -> set[Tensor]:
        """The tensors whose ``.grad`` this backward sets: ``inputs``, or every leaf and retain_grad tensor."""
        if inputs is None:
            return {t for t in count_uses(self) if not t.parents or t._retain_grad}
        listed = [inputs] if isinstance(inputs, Tensor) else inputs
        if not isinstance(listed, (list, tuple)) or not listed:
            raise TypeError(f"backward: inputs must be a Tensor or a non-empty list of Tensors, got {inputs!r:.60}")
        for position, tensor in enumerate(listed):
            if not isinstance(tensor, Tensor):
                raise TypeError(f"backward: inputs[{position}] must be a Tensor, got {type(tensor).__name__}")
            if not tensor.requires_grad:
                raise ValueError(f"backward: inputs[{position}] (shape {tensor.shape}) does not require grad, "
                                 f"so no gradient can be computed for it")
        return set(listed)

    def _backward_pass(self, seed: np.ndarray, keep_contributions: bool | str) -> None:
        # uses[node]: how many recorded ops use `node`. A node is processed once
        # all of them have sent their gradient (Kahn's algorithm, run from the
        # output): by then its gradient is complete.
        uses = count_uses(self)
        every_tensor = keep_contributions == "all"
        if keep_contributions:
            for node in uses:
                if every_tensor or not node.parents:
                    node.contributions = []

        # grads[node]: dL/dnode summed over the uses of `node` processed so far.
        grads: dict[Tensor, Any] = {self: seed}
        # products[node]: the factors of the weight gradients g^T x that the
        # uses of `node` sent so far, multiplied out once when `node` is processed.
        products: dict[Tensor, PooledProduct] = {}
        # ids of the arrays in `grads` that this loop allocated itself: only
        # those may be added into in place (a backward may return a view of
        # its own upstream gradient, which other nodes still hold).
        owned: set[int] = set()
        anomaly = state.anomaly
        write_clock = state.write_clock
        recorded = 0        # contributions recorded so far: their order is the order of this sweep
        ready = [self]
        while ready:
            # Last in, first out: the tensors an op has just sent gradients to
            # are processed next, so a weight's per-step gradients are consumed
            # as soon as they are made instead of piling up until the end.
            node = ready.pop()
            g = grads.pop(node, None)
            g_owned = id(g) in owned
            if g_owned:
                owned.remove(id(g))
            if products:
                pending = products.pop(node, None)
                if pending is not None:                 # every use has sent its factors: one product
                    g = pending.total(g)
                    g_owned = True
            if not node.parents:                    # a leaf: keep its gradient
                if g is not None:
                    _accumulate_into_grad(node, g, g_owned)
                continue
            if g is None:                           # no path from the output carries a gradient here
                parent_grads: Sequence[Any] = (None,) * len(node.parents)
            else:
                if node._built_at != write_clock:       # something was written since this op ran
                    _check_unmodified(node)
                if node._retain_grad:
                    _accumulate_into_grad(node, g, False)
                parent_grads = node._backward(g, node)  # the op's vector-Jacobian product (ops.py)
                if anomaly:
                    _check_finite(node.op, node.scope, parent_grads, "backward")
            for parent, parent_grad in zip(node.parents, parent_grads):
                if not parent.requires_grad:
                    continue
                remaining = uses[parent] - 1
                uses[parent] = remaining
                if remaining == 0:                      # every use has sent (or is sending) its gradient
                    ready.append(parent)
                if parent_grad is None:
                    continue
                if keep_contributions and (every_tensor or not parent.parents):
                    parent.contributions.append(Contribution(node.scope, densify(parent_grad, parent), node,
                                                             recorded))
                    recorded += 1
                # Pooling: a tensor used by several ops (a shared weight used at
                # every time step) receives one gradient per use; they add up.
                if type(parent_grad) is ProductGrad:    # a weight's g^T x: keep the factors, multiply once
                    pending = products.get(parent)
                    if pending is not None or remaining:
                        if pending is None:
                            pending = products[parent] = PooledProduct(parent)
                        pending.add(parent_grad, node)
                        continue
                    # The only use (or the last, with nothing deferred): multiply now.
                    parent_grad = stacked_product((parent_grad.left,), (parent_grad.right,), (node,), parent)
                total = grads.get(parent)
                if type(parent_grad) is SliceGrad:          # a slice's gradient adds into its positions only
                    if total is None:
                        total = parent_grad.scattered(parent)
                    else:
                        if id(total) not in owned:
                            total = np.array(total)     # a copy this loop owns (an array even if 0-d)
                        parent_grad.add_into(total)
                    owned.add(id(total))
                elif total is None:
                    total = parent_grad                     # the first use: nothing to add yet
                elif id(total) in owned:
                    total += parent_grad                    # in place, into an array this loop made
                else:
                    # asarray: numpy returns the sum of two 0-d arrays as a scalar,
                    # which could not be added into in place later.
                    total = np.asarray(total + parent_grad)
                    owned.add(id(total))
                grads[parent] = total

    # ------------------------------------------------------------- operators
    # Each one forwards to the op of the same name in ops.py, where the forward
    # and its vector-Jacobian product are written side by side.
    def __add__(self, other: Any) -> Tensor:
        return ops.add(self, other)

    def __radd__(self, other: Any) -> Tensor:
        return ops.add(other, self)

    def __sub__(self, other: Any) -> Tensor:
        return ops.sub(self, other)

    def __rsub__(self, other: Any) -> Tensor:
        return ops.sub(other, self)

    def __mul__(self, other: Any) -> Tensor:
        return ops.mul(self, other)

    def __rmul__(self, other: Any) -> Tensor:
        return ops.mul(other, self)

    def __truediv__(self, other: Any) -> Tensor:
        return ops.div(self, other)

    def __rtruediv__(self, other: Any) -> Tensor:
        return ops.div(other, self)

    def __pow__(self, other: Any) -> Tensor:
        return ops.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return ops.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return ops.matmul(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return ops.matmul(other, self)

    def __neg__(self) -> Tensor:
        return ops.neg(self)

    def __getitem__(self, index: Any) -> Tensor:
        return ops.getitem(self, index)

    # Comparisons are elementwise (as in numpy and PyTorch) and give a boolean tensor
    # that does not require grad. Hashing stays by identity, so graphs can keep tensors
    # in sets and dicts; code that means "this very tensor" must use `is`, not `==`.
    __hash__ = object.__hash__

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return ops.eq(self, other) if _comparable(other) else NotImplemented

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return ops.ne(self, other) if _comparable(other) else NotImplemented

    def __lt__(self, other: Any) -> Tensor:
        return ops.lt(self, other)

    def __le__(self, other: Any) -> Tensor:
        return ops.le(self, other)

    def __gt__(self, other: Any) -> Tensor:
        return ops.gt(self, other)

    def __ge__(self, other: Any) -> Tensor:
        return ops.ge(self, other)

    def exp(self) -> Tensor:
        return ops.exp(self)

    def log(self) -> Tensor:
        return ops.log(self)

    def tanh(self) -> Tensor:
        return ops.tanh(self)

    def sigmoid(self) -> Tensor:
        return ops.sigmoid(self)

    def relu(self) -> Tensor:
        return ops.relu(self)

    def sum(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.sum(self, axis, keepdims)

    def mean(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.mean(self, axis, keepdims)

    def max(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops.max(self, axis, keepdims)

    def reshape(self, *shape: Any) -> Tensor:
        return ops.reshape(self, *shape)

    def transpose(self, *axes: Any) -> Tensor:
        return ops.transpose(self, *axes)

    @property
    def T(self) -> Tensor:
        return ops.transpose(self)

    def flip(self, axis: Any = None) -> Tensor:
        return ops.flip(self, axis)

    def softmax(self, axis: int = -1) -> Tensor:
        return ops.softmax(self, axis)

    def log_softmax(self, axis: int = -1) -> Tensor:
        return ops.log_softmax(self, axis)

    # numpy's ndarray methods and operators for the ops of ops_elementwise.py, ops_reductions.py,
    # ops_linalg.py and ops_shape.py (each op is defined there, forward beside its VJP).
    def __mod__(self, other: Any) -> Tensor:
        return ops_elementwise.mod(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return ops_elementwise.mod(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return ops_elementwise.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return ops_elementwise.floor_divide(other, self)

    def __abs__(self) -> Tensor:
        return ops_elementwise.abs(self)

    def clip(self, a_min: Any = None, a_max: Any = None) -> Tensor:
        return ops_elementwise.clip(self, a_min, a_max)

    def min(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops_reductions.min(self, axis, keepdims)

    def prod(self, axis: Any = None, keepdims: bool = False) -> Tensor:
        return ops_reductions.prod(self, axis, keepdims)

    def var(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return ops_reductions.var(self, axis, ddof, keepdims)

    def std(self, axis: Any = None, ddof: int = 0, keepdims: bool = False) -> Tensor:
        return ops_reductions.std(self, axis, ddof, keepdims)

    def cumsum(self, axis: Any = None) -> Tensor:
        return ops_reductions.cumsum(self, axis)

    def dot(self, other: Any) -> Tensor:
        return ops_linalg.dot(self, other)

    def trace(self, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Tensor:
        return ops_linalg.trace(self, offset, axis1, axis2)

    def ravel(self) -> Tensor:
        return ops_shape.ravel(self)

    def flatten(self) -> Tensor:
        return ops_shape.flatten(self)

    def squeeze(self, axis: Any = None) -> Tensor:
        return ops_shape.squeeze(self, axis)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        return ops_shape.swapaxes(self, axis1, axis2)

    def repeat(self, repeats: Any, axis: Any = None) -> Tensor:
        return ops_shape.repeat(self, repeats, axis)

    def astype(self, dtype: Any) -> Tensor:
        return ops_shape.astype(self, dtype)


class DataView(np.ndarray):
    """The array ``Tensor.data`` hands out: the tensor's memory, with every write counted.

    Each write (item assignment, an in-place operator or ufunc ``out=``, ``fill``, ``put``,
    ``sort``, ``np.copyto``...) stamps the owning tensor (``_mark_written``). Views taken
    from it (slices, ``.T``, ``.reshape``) count for the same tensor; results of arithmetic
    and copies are plain numpy arrays that belong to nobody.
    """

    _owner: Optional[Tensor] = None

    def __array_finalize__(self, source: Any) -> None:
        # A view of a counted array writes into the same tensor; a copy (base None) does not.
        if self.base is not None and (self.base is source or self.base is getattr(source, "base", None)):
            self._owner = getattr(source, "_owner", None)

    def _written(self) -> None:
        if self._owner is not None:
            _mark_written(self._owner)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))

    def __setitem__(self, index: Any, value: Any) -> None:
        super().__setitem__(index, value)
        self._written()

    def __array_ufunc__(self, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
        outputs = kwargs.get("out", ())
        plain = tuple(x.view(np.ndarray) if isinstance(x, DataView) else x for x in inputs)
        if outputs:
            kwargs["out"] = tuple(x.view(np.ndarray) if isinstance(x, DataView) else x for x in outputs)
        result = getattr(ufunc, method)(*plain, **kwargs)
        written = outputs or (inputs[:1] if method == "at" else ())    # np.add.at writes into its first input
        for array in written:
            if isinstance(array, DataView):
                array._written()
        if outputs:     # hand back the arrays written into, as numpy does (`a += 1` rebinds a to itself)
            return outputs[0] if len(outputs) == 1 else outputs
        return result

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        result = super().__array_function__(func, types, args, kwargs)
        if func in _WRITES_FIRST_ARGUMENT and args and isinstance(args[0], DataView):
            args[0]._written()
        out = kwargs.get("out")
        for array in out if isinstance(out, tuple) else (out,):
            if isinstance(array, DataView):
                array._written()
        return result

    # The array methods that write in place (the in-place operators go through __array_ufunc__).
    def fill(self, value: Any) -> None:
        super().fill(value)
        self._written()

    def put(self, *args: Any, **kwargs: Any) -> None:
        super().put(*args, **kwargs)
        self._written()

    def sort(self, *args: Any, **kwargs: Any) -> None:
        super().sort(*args, **kwargs)
        self._written()

    def partition(self, *args: Any, **kwargs: Any) -> None:
        super().partition(*args, **kwargs)
        self._written()

    def copy(self, order: str = "C") -> np.ndarray:     # a copy belongs to nobody
        return self.view(np.ndarray).copy(order)

    def astype(self, *args: Any, **kwargs: Any) -> np.ndarray:
        return self.view(np.ndarray).astype(*args, **kwargs)


_WRITES_FIRST_ARGUMENT = {np.copyto, np.place, np.put, np.putmask, np.put_along_axis, np.fill_diagonal}


class _Writes:
    """A tensor's record of writes: ``at``, the write_clock of its last write through ``data``;
    ``base``, the tensor it was detached from (the same memory, so a write stamps that one too)."""

    __slots__ = ("at", "base")

    def __init__(self, base: Optional[Tensor] = None) -> None:
        self.at = 0
        self.base = base


def _mark_written(tensor: Optional[Tensor]) -> None:
    """Stamp ``tensor`` (and the tensor it was detached from, which shares its memory) as written now."""
    state.write_clock += 1
    while tensor is not None:
        writes = getattr(tensor, "_writes", None)
        if writes is None:
            writes = tensor._writes = _Writes()
        writes.at = state.write_clock
        tensor = writes.base


def _check_unmodified(node: Tensor) -> None:
    """Refuse to run ``node``'s backward if its output or an input was written after the op ran."""
    for position, tensor in enumerate((node,) + node.parents):
        writes = getattr(tensor, "_writes", None)
        if writes is not None and writes.at > node._built_at:
            what = f"'{tensor.name}'" if tensor.name else f"of shape {tensor.shape}"
            role = "its output" if position == 0 else f"input {position - 1}"
            where = f" in scope '{node.scope}'" if node.scope else ""
            raise RuntimeError(
                f"backward: the tensor {what} ({role} of op '{node.op}'{where}) was modified "
                f"(written through .data, or .data reassigned) after the op used it, so its gradient "
                f"would be computed at values the forward pass never saw. Edit a copy instead "
                f"(t.data.copy(), or mg.Tensor(t.data)); or make the edit after backward(), as an "
                f"optimizer's step does; or, if this graph is no longer needed, run the forward pass "
                f"again after the edit (under mg.no_grad() if you need no gradient)")


def _comparable(other: Any) -> bool:
    """What ``==`` compares elementwise; anything else (None, a string, a module) falls back to identity."""
    return isinstance(other, (Tensor, np.ndarray, numbers.Real, list, tuple))


def count_uses(root: Tensor) -> dict[Tensor, int]:
    """For every tensor that requires grad and that ``root`` depends on: how many recorded ops use it.

    A weight used at each of T time steps has T uses; ``x * x`` uses x twice.
    An iterative walk (an explicit stack), so that graphs of any depth work.
    """
    uses = {root: 0}
    stack = [root]
    while stack:
        for parent in stack.pop().parents:
            if not parent.requires_grad:
                continue
            if parent in uses:
                uses[parent] += 1
            else:
                uses[parent] = 1
                stack.append(parent)     # first time seen: walk its parents too
    return uses


def topological_order(root: Tensor) -> list[Tensor]:
    """Every tensor ``root`` depends on through recorded ops, parents before children.

    An iterative depth-first search with an explicit stack: a recursive one
    would hit Python's recursion limit (1000) on an RNN unrolled over more
    than a few hundred steps. Each stack entry is (tensor, expanded): a tensor
    is first pushed unexpanded; when popped it pushes itself back as expanded,
    then its parents; popped again as expanded, all its parents are done and
    it is appended to the order.
    """
    check_tensor("topological_order", "root", root)
    order: list[Tensor] = []
    visited: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(root, False)]
    while stack:
        node, expanded = stack.pop()
        if expanded:
            order.append(node)
            continue
        if id(node) in visited:
            continue
        visited.add(id(node))
        stack.append((node, True))
        for parent in node.parents:
            if parent.requires_grad and id(parent) not in visited:
                stack.append((parent, False))
    return order


def _accumulate_into_grad(node: Tensor, g: np.ndarray, owned: bool) -> None:
    """``node.grad += g``, creating it on first use (leaves accumulate across backward calls, as in PyTorch).

    ``owned``: ``g`` was allocated by this backward and nothing else holds it,
    so it can become ``.grad`` without a copy. Otherwise it is copied: it may
    be a view shared with other nodes, and optimizers modify ``.grad`` in place.
    """
    if node.grad is None:
        if type(g) is np.ndarray and g.dtype == node._data.dtype and g.shape == node._data.shape:
            node.grad = g if owned else g.copy(order="K")     # K: a transposed view copies as fast as any
        else:
            node.grad = np.array(g, dtype=node._data.dtype, copy=True).reshape(node._data.shape)
    else:
        node.grad += g


def _store_grad(tensor: Tensor, g: Any, create_graph: bool) -> None:
    """``tensor.grad += g`` for the plain sweep (``differentiate``): with ``create_graph`` as a recorded add."""
    if not create_graph:
        _accumulate_into_grad(tensor, g, False)
    elif tensor.grad is None:
        tensor.grad = g
    else:
        tensor.grad = ops.add(tensor.grad, g)


class RecordingView:
    """A node as its VJP sees it under ``create_graph=True``: ``_data`` is the Tensor itself, not its array.

    Every VJP (ops.py) reads the values it needs as ``out._data`` and
    ``out.parents[i]._data`` and computes with operators and numpy functions.
    Handed this view instead of the node, it finds Tensors there; numpy
    functions called on Tensors run minigrad's ops (interop.py), so the VJP's
    own computation is recorded: a graph that can be differentiated again.
    The other attributes a VJP reads are copied from the tensor.
    """

    __slots__ = ("_data", "parents", "saved", "requires_grad", "shape", "ndim", "dtype", "size")

    def __init__(self, tensor: Tensor, parents: tuple[RecordingView, ...] = ()) -> None:
        self._data = tensor
        self.parents = parents
        self.saved = tensor.saved
        self.requires_grad = tensor.requires_grad
        self.shape = tensor._data.shape
        self.ndim = tensor._data.ndim
        self.dtype = tensor._data.dtype
        self.size = tensor._data.size

    @staticmethod
    def of(node: Tensor) -> RecordingView:
        return RecordingView(node, tuple(RecordingView(parent) for parent in node.parents))


def differentiate(root: Tensor, seed: Any, wanted: set[Tensor], create_graph: bool) -> dict[Tensor, Any]:
    """The gradient of ``root`` (times ``seed``) at each tensor of ``wanted`` that it depends on.

    The same sweep as ``Tensor._backward_pass`` (Kahn's algorithm from the
    output; the gradients from a tensor's uses are summed), in its plain form:
    no in-place sums, no pooled products, since under ``create_graph`` the
    gradients are Tensors and every sum, product (``ProductGrad``) and scatter
    (``SliceGrad``) must be a recorded op. Then each VJP runs on a
    ``RecordingView`` with grad mode on, in the scope of the node it
    differentiates, so a drawing of the result shows the backward computation
    of time step t in the cluster of step t. A sum that pools a tensor's uses
    is recorded in that tensor's own scope (a weight's: outside every step).
    """
    uses = count_uses(root)
    grads: dict[Tensor, Any] = {root: seed}
    found: dict[Tensor, Any] = {}
    write_clock = state.write_clock
    saved_mode, saved_scope = state.grad_enabled, state.scope
    state.grad_enabled = create_graph
    ready = [root]
    try:
        while ready:
            node = ready.pop()
            g = grads.pop(node, None)
            if g is not None and node in wanted:
                found[node] = g
            if not node.parents:
                continue
            if g is None:
                parent_grads: Sequence[Any] = (None,) * len(node.parents)
            else:
                if node._built_at != write_clock:
                    _check_unmodified(node)
                state.scope = node.scope
                parent_grads = node._backward(g, RecordingView.of(node) if create_graph else node)
                # Products and scatters become dense here, still in the scope of this node.
                parent_grads = [None if pg is None else densify(pg, parent)
                                for pg, parent in zip(parent_grads, node.parents)]
                if state.anomaly:
                    _check_finite(node.op, node.scope, parent_grads, "backward")
                if create_graph:
                    _mark_recorded(parent_grads, node, uses)
            for parent, parent_grad in zip(node.parents, parent_grads):
                if not parent.requires_grad:
                    continue
                uses[parent] -= 1
                if uses[parent] == 0:
                    ready.append(parent)
                if parent_grad is None:
                    continue
                total = grads.get(parent)
                if total is None:
                    grads[parent] = parent_grad
                elif create_graph:
                    state.scope = parent.scope
                    grads[parent] = total + parent_grad
                    _mark_recorded((grads[parent],), parent, uses)
                else:
                    grads[parent] = np.asarray(total + parent_grad)   # (0-d + 0-d is a numpy scalar)
    finally:
        state.grad_enabled, state.scope = saved_mode, saved_scope
    return found


def _mark_recorded(grads: Sequence[Any], grad_of: Tensor, forward: dict[Tensor, int]) -> None:
    """Tag the ops a VJP (or a pooling sum) just recorded with ``grad_of``, the tensor they differentiate.

    They are the tensors behind ``grads`` back to the graph being differentiated
    (``forward``), to leaves, and to tensors tagged before.
    """
    stack = [g for g in grads if isinstance(g, Tensor)]
    while stack:
        tensor = stack.pop()
        if not tensor.parents or tensor in forward or getattr(tensor, "_grad_of", None) is not None:
            continue
        tensor._grad_of = grad_of
        stack.extend(tensor.parents)


def _check_finite(op: str, scope: str, arrays: Sequence[Any], phase: str) -> None:
    for position, array in enumerate(arrays):
        if type(array) is SliceGrad:
            array = array.values
        elif type(array) is ProductGrad:
            array = array.dense()
        if isinstance(array, Tensor):       # a gradient recorded by create_graph=True
            array = array._data
        if array is not None and not np.all(np.isfinite(array)):
            where = f" in scope '{scope}'" if scope else ""
            what = "output" if phase == "forward" else f"gradient for input {position}"
            raise AnomalyError(f"detect_anomaly: op '{op}'{where} produced NaN or Inf "
                               f"in its {phase} ({what}, shape {np.shape(array)})")


class Contribution(tuple):
    """One use's share of a tensor's gradient: a ``(scope, grad)`` pair, plus ``.user`` and ``.order``.

    ``scope`` is the scope of the op that used the tensor, ``grad`` the
    gradient that came back through that use, and ``user`` the tensor that op
    produced (so a picture can put the number on the right edge). ``order``
    counts the contributions the same ``backward`` call recorded before this
    one: sorting by it replays the sweep (``minigrad.render.animate``).
    """

    def __new__(cls, scope: str, grad: np.ndarray, user: Tensor, order: int = 0) -> Contribution:
        pair = super().__new__(cls, (scope, grad))
        pair.order = order
        # A weak reference: the user's parents include the tensor holding this
        # pair, so a strong one would make a reference cycle and keep the whole
        # graph alive for as long as the parameter lives.
        pair._user = weakref.ref(user)
        return pair

    @property
    def user(self) -> Optional[Tensor]:
        """The tensor the using op produced (None once that graph has been freed)."""
        return self._user()

    @property
    def scope(self) -> str:
        return self[0]

    @property
    def grad(self) -> np.ndarray:
        return self[1]


class SliceGrad:
    """The gradient of ``a[index]`` with respect to ``a``, kept sparse.

    Mathematically it is a zero array of ``a``'s shape with ``values`` at
    ``index``. An RNN slices its whole input projection once per time step;
    building T full-size zero arrays would cost O(T^2), so ``backward`` adds
    ``values`` straight into the running gradient of ``a`` instead.
    """

    __slots__ = ("index", "values", "advanced")

    def __init__(self, index: Any, values: np.ndarray, advanced: bool) -> None:
        self.index = index
        self.values = values
        self.advanced = advanced

    def add_into(self, total: np.ndarray) -> None:
        if self.advanced:
            np.add.at(total, self.index, self.values)   # repeated indices accumulate
        else:
            total[self.index] += self.values

    def scattered(self, like: Tensor) -> np.ndarray:
        """The dense gradient: zeros of ``like``'s shape with ``values`` at ``index``.

        Under ``create_graph=True`` the values are a Tensor and the scatter is the op ``add_at``.
        """
        if isinstance(self.values, Tensor):
            return ops.add_at(like._data.shape, self.index, self.values)
        full = np.zeros(like._data.shape, like._data.dtype)     # (np.zeros_like costs a microsecond more)
        if self.advanced:
            np.add.at(full, self.index, self.values)
        else:
            full[self.index] = self.values
        return full

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.values)


class ProductGrad:
    """A weight's gradient ``left.T @ right``, kept as its two factors.

    The VJP of ``x W^T`` for W is g^T x, summed over the rows (the batch):
    ``left`` = g (rows, n_out), ``right`` = x (rows, n_in). A weight used at T
    time steps receives T of them, and stacking the factors of all uses along
    the rows turns their sum into one product (seed 000, "Learning algorithms
    for RNNs": dE/dW = sum_t dE/dW_t):

        sum_t g_t^T x_t = [g_1; ...; g_T]^T [x_1; ...; x_T] = G^T X

    ``backward`` collects the factors in a ``PooledProduct`` and forms G^T X
    once, when the weight's last use has sent its factors: one BLAS call
    instead of T small ones and T additions.
    """

    __slots__ = ("left", "right")

    def __init__(self, left: np.ndarray, right: np.ndarray) -> None:
        self.left = left
        self.right = right

    def dense(self) -> np.ndarray:
        """The gradient itself, ``left.T @ right`` (under ``create_graph=True`` a recorded matmul)."""
        return self.left.T @ self.right

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.left.shape[-1], self.right.shape[-1])


# Factors a PooledProduct may hold before it multiplies them out: with every
# use's g kept until the end, a 10^5-step RNN would hold 10^5 extra arrays.
# Past this size the pending rows are multiplied and added up, so memory stays
# bounded and each product still spans thousands of rows.
POOL_BYTES = 2**20


class PooledProduct:
    """The pending factors of one tensor's ``ProductGrad`` gradients, and their product G^T X."""

    __slots__ = ("like", "lefts", "rights", "users", "nbytes", "sum")

    def __init__(self, like: Tensor) -> None:
        self.like = like                      # the tensor whose gradient this is
        self.lefts: list[np.ndarray] = []     # g of each use, stacked into G
        self.rights: list[np.ndarray] = []    # x of each use, stacked into X
        self.users: list[Tensor] = []         # the op output each pair came from (for error messages)
        self.nbytes = 0
        self.sum: Optional[np.ndarray] = None  # what was multiplied out so far

    def add(self, grad: ProductGrad, user: Tensor) -> None:
        self.lefts.append(grad.left)
        self.rights.append(grad.right)
        self.users.append(user)
        self.nbytes += grad.left.nbytes + grad.right.nbytes
        if self.nbytes > POOL_BYTES:
            self._multiply()

    def total(self, dense: Optional[np.ndarray]) -> np.ndarray:
        """G^T X over every use, plus ``dense`` (the tensor's other gradients), in a new array."""
        self._multiply()
        if dense is not None:
            self.sum += dense
        return self.sum

    def _multiply(self) -> None:
        """Add G^T X of the pending factors into ``sum`` and drop them."""
        if not self.lefts:
            return
        product = stacked_product(self.lefts, self.rights, self.users, self.like)
        if self.sum is None:
            self.sum = product
        else:
            self.sum += product
        self.lefts, self.rights, self.users, self.nbytes = [], [], [], 0


def stacked_product(lefts: Sequence[np.ndarray], rights: Sequence[np.ndarray], users: Sequence[Tensor],
                    like: Tensor) -> np.ndarray:
    """G^T X with G, X the ``lefts`` and ``rights`` stacked along their rows: one matrix product.

    Raises a ShapeError naming the op whose factors do not give ``like``'s shape.
    """
    try:
        if len(lefts) == 1:
            product = lefts[0].T @ rights[0]
        else:
            product = np.concatenate(lefts).T @ np.concatenate(rights)
    except ValueError:
        product = None
    if product is None or product.shape != like._data.shape:
        raise _product_shape_error(lefts, rights, users, like)
    return product


def _product_shape_error(lefts: Sequence[np.ndarray], rights: Sequence[np.ndarray], users: Sequence[Tensor],
                         like: Tensor) -> ShapeError:
    """The error for factors that do not multiply to ``like``'s shape, naming the first use that is wrong."""
    expected = like._data.shape
    for user, left, right in zip(users, lefts, rights):
        if left.ndim != 2 or right.ndim != 2 or left.shape[0] != right.shape[0] or \
                (left.shape[1], right.shape[1]) != expected:
            where = f" in scope '{user.scope}'" if user.scope else ""
            return ShapeError(f"backward: op '{user.op}'{where} sent its input of shape {expected} a gradient "
                              f"left^T right with factors of shapes {left.shape} and {right.shape}, which do "
                              f"not multiply to that shape")
    return ShapeError(f"backward: the gradient factors sent to a tensor of shape {expected} by "
                      f"{len(users)} ops do not multiply to that shape")


def densify(grad: Any, like: Tensor) -> np.ndarray:
    """A gradient as a plain array of ``like``'s shape."""
    if type(grad) is SliceGrad:
        return grad.scattered(like)
    if type(grad) is ProductGrad:
        return grad.dense()
    return grad


def make_result(data: np.ndarray, parents: tuple[Tensor, ...], op: str, backward: Backward,
                saved: Any = None) -> Tensor:
    """The output of an op: records op, parents, backward and saved values when a parent needs grad.

    Every op in ops.py ends with this call. Under ``no_grad()``, or when no
    parent requires grad, nothing is recorded and the result is a leaf, so
    evaluation builds no graph.
    """
    if type(data) is not np.ndarray:    # numpy returns a scalar for some 0-d results
        data = np.asarray(data)
    if state.grad_enabled:
        for parent in parents:
            if parent.requires_grad:
                out = Tensor._node(data, True, op, parents, backward, saved)
                out._built_at = state.write_clock
                break
        else:
            out = Tensor._leaf(data)
    else:
        out = Tensor._leaf(data)
    if state.anomaly:
        _check_finite(op, out.scope, (data,), "forward")
    return out


from . import ops  # noqa: E402  (ops imports Tensor; the operators above look it up at call time)
# The methods above name the op files of before the ops package; the package re-exports every op.
ops_elementwise = ops_linalg = ops_reductions = ops_shape = ops
from . import interop  # noqa: E402  (after ops: its tables map numpy's functions to the ops)
