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
"""
from __future__ import annotations

import weakref
from typing import Any, Callable, Optional, Sequence

import numpy as np

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
        data = data.data
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
        data (np.ndarray), grad (np.ndarray of ``data``'s shape, or None),
        op (name of the op that made it; "" for leaves), parents (the tensors
        it was computed from; () for leaves), scope (the ``minigrad.scope``
        path it was created in), contributions (see ``backward``).
    """

    __slots__ = ("data", "grad", "requires_grad", "op", "parents", "_backward", "saved",
                 "name", "scope", "contributions", "_retain_grad", "__weakref__")

    # Makes numpy hand `ndarray + Tensor` over to Tensor.__radd__ instead of
    # broadcasting the Tensor as an object array.
    __array_ufunc__ = None

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: Optional[str] = None) -> None:
        who = type(self).__name__       # Tensor, or nn.Parameter
        self.data = _as_float_array(data, check_dtype(who, dtype), f"{who}: data")
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
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> np.dtype:
        return self.data.dtype

    @property
    def ndim(self) -> int:
        return self.data.ndim

    @property
    def size(self) -> int:
        return self.data.size

    @property
    def is_leaf(self) -> bool:
        return not self.parents

    def __len__(self) -> int:
        return len(self.data)

    def numpy(self) -> np.ndarray:
        return self.data

    def item(self) -> float:
        if self.data.size != 1:
            raise ValueError(f"item: only a tensor with one element has an item, this one has shape {self.shape}")
        return float(self.data.reshape(()))

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
        body = np.array2string(self.data, precision=4, separator=", ", prefix="Tensor(")
        return "Tensor(" + ", ".join([body] + extras) + ")"

    def detach(self) -> Tensor:
        """The same values, cut from the graph: no gradient flows through the result.

        Truncated BPTT detaches the carried state between chunks; the "blocked"
        Elman/Jordan context units of seed 004 are detached copies.
        """
        return Tensor._leaf(self.data)

    def retain_grad(self) -> Tensor:
        """Ask an intermediate (non-leaf) tensor to keep its ``.grad`` after backward."""
        self._retain_grad = True
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Drop ``.grad`` (or, with ``set_to_none=False``, fill it with zeros in place)."""
        if set_to_none or self.grad is None:
            self.grad = None
        else:
            self.grad[...] = 0.0

    @staticmethod
    def _leaf(data: np.ndarray) -> Tensor:
        """Wrap an array the engine already owns, skipping the checks and copy of __init__."""
        out = Tensor.__new__(Tensor)
        out.data = data
        out.grad = None
        out.requires_grad = False
        out.op = ""
        out.parents = ()
        out._backward = None
        out.saved = None
        out.name = None
        out.scope = state.scope
        out.contributions = None
        out._retain_grad = False
        return out

    # -------------------------------------------------------------- backward
    def backward(self, grad: Any = None, keep_contributions: bool | str = False) -> None:
        """Reverse mode: add dself/dleaf (times ``grad``) to ``.grad`` of every leaf.

        Args:
            grad: dL/dself, the "upstream" gradient; may be omitted when self is
                a scalar (it is then 1).
            keep_contributions: also record, on each leaf that requires grad, the
                list ``contributions`` of ``(scope, grad)`` pairs, one per use of
                that leaf in the graph, ``scope`` being that of the op that used
                it (each pair's ``.user`` is that op's output tensor, its ``.order``
                its position in this backward sweep). The pairs
                sum to what this call adds to ``.grad``. ``"all"``: record them
                on every tensor of the graph, not only on leaves (the gradient
                along every edge, which the graph renderer's flow view draws).
        """
        if keep_contributions not in (False, True, "all"):
            raise ValueError(f"backward: keep_contributions must be False, True or 'all', got {keep_contributions!r}")
        if not self.requires_grad:
            raise RuntimeError("backward: this tensor does not require grad and has no graph "
                               "(was it computed inside no_grad(), or from tensors with requires_grad=False?)")
        if grad is None:
            if self.data.size != 1:
                raise RuntimeError(f"backward: a non-scalar tensor of shape {self.shape} needs an explicit "
                                   f"grad of the same shape (dL/dself)")
            seed = np.ones_like(self.data)
        else:
            seed = _as_float_array(grad, self.dtype, what="backward: grad")
            if seed.shape != self.shape:
                raise ShapeError(f"backward: grad has shape {seed.shape} but the tensor has shape {self.shape}")

        with gc_paused():       # the walk creates no garbage cycles; see _memory.py
            self._backward_pass(seed, keep_contributions)

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
        # ids of the arrays in `grads` that this loop allocated itself: only
        # those may be added into in place (a backward may return a view of
        # its own upstream gradient, which other nodes still hold).
        owned: set[int] = set()
        anomaly = state.anomaly
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
            if not node.parents:                    # a leaf: keep its gradient
                if g is not None:
                    _accumulate_into_grad(node, g, g_owned)
                continue
            if g is None:                           # no path from the output carries a gradient here
                parent_grads: Sequence[Any] = (None,) * len(node.parents)
            else:
                if node._retain_grad:
                    _accumulate_into_grad(node, g, False)
                parent_grads = node._backward(g, node)  # the op's vector-Jacobian product (ops.py)
                if anomaly:
                    _check_finite(node.op, node.scope, parent_grads, "backward")
            for parent, parent_grad in zip(node.parents, parent_grads):
                if not parent.requires_grad:
                    continue
                if parent_grad is not None:
                    if keep_contributions and (every_tensor or not parent.parents):
                        parent.contributions.append(Contribution(node.scope, densify(parent_grad, parent), node,
                                                                 recorded))
                        recorded += 1
                    # Pooling: a tensor used by several ops (a shared weight used at
                    # every time step) receives one gradient per use; they add up.
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
                remaining = uses[parent] - 1
                uses[parent] = remaining
                if remaining == 0:                      # every use has sent its gradient
                    ready.append(parent)

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


def count_uses(root: Tensor) -> dict[Tensor, int]:
    """For every tensor that requires grad and that ``root`` depends on: how many recorded ops use it.

    A weight used at each of T time steps has T uses; ``x * x`` uses x twice.
    An iterative walk (an explicit stack), so that graphs of any depth work.
    """
    uses = {root: 0}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node.parents:
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
        if owned and g.dtype == node.data.dtype and g.shape == node.data.shape:
            node.grad = g
        else:
            node.grad = np.array(g, dtype=node.data.dtype, copy=True).reshape(node.data.shape)
    else:
        node.grad += g


def _check_finite(op: str, scope: str, arrays: Sequence[Optional[np.ndarray]], phase: str) -> None:
    for position, array in enumerate(arrays):
        if type(array) is SliceGrad:
            array = array.values
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
        """The dense gradient: zeros of ``like``'s shape with ``values`` at ``index``."""
        full = np.zeros_like(like.data)
        if self.advanced:
            np.add.at(full, self.index, self.values)
        else:
            full[self.index] = self.values
        return full

    @property
    def shape(self) -> tuple[int, ...]:
        return np.shape(self.values)


def densify(grad: Any, like: Tensor) -> np.ndarray:
    """A gradient as a plain array of ``like``'s shape."""
    if type(grad) is SliceGrad:
        return grad.scattered(like)
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
    out = Tensor._leaf(data)
    if state.grad_enabled:
        for parent in parents:
            if parent.requires_grad:
                out.requires_grad = True
                out.op = op
                out.parents = parents
                out._backward = backward
                out.saved = saved
                break
    if state.anomaly:
        _check_finite(op, out.scope, (data,), "forward")
    return out


from . import ops  # noqa: E402  (ops imports Tensor; the operators above look it up at call time)
