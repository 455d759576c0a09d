"""Run HIPS autograd's own numpy tests against minigrad, through a thin adapter, and count the results.

HIPS autograd tests its numpy wrapper with ``tests/test_numpy.py``,
``test_systematic.py``, ``test_scalar_ops.py`` and ``test_binary_ops.py``. Those
tests import ``autograd.numpy``, ``autograd.grad`` and ``autograd.test_util.check_grads``;
this script runs them unchanged with those three names replaced:

- ``autograd.numpy.f(...)``: minigrad's op of the same name when an argument is a
  minigrad Tensor (``NAMES`` below; a handful of numpy aliases such as ``amax`` or
  ``fabs`` map to the op numpy itself aliases), plain numpy otherwise (the tests
  build their data with numpy, and the finite differences run on plain arrays,
  so the oracle never touches minigrad);
- ``grad(f, argnum)``: minigrad's reverse mode (a Tensor with requires_grad, ``backward``);
- ``check_grads(f, argnum)``: autograd's own check, <u, vjp(v)> against central
  differences of <v, f> along u with random u and v, and autograd's tolerances.
  At order 2 (autograd's default) the VJP, as a function of (x, v), is checked the
  same way, which uses minigrad's ``create_graph=True``; ``--order 1`` checks first order only.

A test is *not applicable* when it reaches something minigrad does not have:
complex numbers, a numpy function with no minigrad op, a keyword the op does not
take, autograd's forward mode. Each one is listed with its reason.

    python tools/hips_suite.py                       # fetch autograd's sdist (the installed version) and run
    python tools/hips_suite.py --tests DIR           # or run the test files in DIR
    python tools/hips_suite.py --list                # also list every test's outcome

The project's test suite does not use this script.
"""
from __future__ import annotations

import argparse
import collections
import inspect
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import types
from pathlib import Path
from typing import Any, Callable

import numpy as onp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import minigrad as mg  # noqa: E402
import minigrad.tensor as engine  # noqa: E402
from minigrad import ops  # noqa: E402

TEST_FILES = ("test_numpy.py", "test_systematic.py", "test_scalar_ops.py", "test_binary_ops.py")
HELPERS = ("numpy_utils.py",)
DEFAULT_VERSION = "1.9.1"

# autograd.numpy's name -> minigrad's op. The names are numpy's; where numpy has two names for one
# function (amax and max, fabs and absolute for reals, remainder and mod, true_divide and divide,
# row_stack and vstack) both map to the one op.
NAMES: dict[str, Callable] = {
    "add": ops.add, "subtract": ops.sub, "multiply": ops.mul, "divide": ops.div, "true_divide": ops.div,
    "power": ops.pow, "negative": ops.neg, "exp": ops.exp, "log": ops.log, "tanh": ops.tanh,
    "matmul": ops.matmul, "sum": ops.sum, "mean": ops.mean, "max": ops.max, "amax": ops.max,
    "reshape": ops.reshape, "transpose": ops.transpose, "concatenate": ops.concatenate, "stack": ops.stack,
    "remainder": mg.mod, "fabs": mg.abs, "row_stack": mg.vstack, "amin": mg.min,
}


def _transpose(a: Any, axes: Any = None) -> Any:
    """numpy's transpose(a, axes) as minigrad's transpose(a, *axes)."""
    return ops.transpose(a) if axes is None else ops.transpose(a, *axes)


NAMES["transpose"] = _transpose
for _module in mg.ops.FAMILIES:
    NAMES.update({name: getattr(_module, name) for name in getattr(_module, "__all__", ())})
# Ops that take a sequence of tensors as their first argument (any other list of Tensors is stacked,
# as numpy would turn it into one array).
SEQUENCE_FIRST = {"concatenate", "stack", "hstack", "vstack", "row_stack", "column_stack"}

TOL = RTOL = 1e-6                  # autograd's test_util tolerances and step
EPS = 1e-6


class NotApplicable(Exception):
    """The test needs something minigrad does not have (its reason is listed)."""


def _skip(reason: str) -> None:
    import pytest
    pytest.skip(f"not applicable: {reason}")


def _has_tensor(value: Any) -> bool:
    if isinstance(value, mg.Tensor):
        return True
    if isinstance(value, (list, tuple)):
        return any(_has_tensor(v) for v in value)
    if isinstance(value, dict):
        return any(_has_tensor(v) for v in value.values())
    return False


def _is_complex(value: Any) -> bool:
    if isinstance(value, (list, tuple)):
        return any(_is_complex(v) for v in value)
    return isinstance(value, (complex, onp.complexfloating)) or (
        isinstance(value, onp.ndarray) and value.dtype.kind == "c")


def _constant(value: Any) -> Any:
    """An array or number among Tensors as a constant Tensor (minigrad's joins take Tensors only)."""
    return value if isinstance(value, mg.Tensor) else mg.Tensor(onp.asarray(value, dtype=onp.float64))


def _stacked(value: Any) -> Any:
    """A (nested) list holding Tensors as one Tensor, as numpy would make it one array."""
    if isinstance(value, (list, tuple)) and _has_tensor(value):
        return mg.stack([_stacked(v) if _has_tensor(v) else _constant(v) for v in value])
    return value


def _dispatcher(name: str, numpy_function: Callable) -> Callable:
    op = NAMES.get(name)

    def call(*args: Any, **kwargs: Any) -> Any:
        if not _has_tensor(args) and not _has_tensor(kwargs):
            return numpy_function(*args, **kwargs)
        if _is_complex(args) or _is_complex(list(kwargs.values())):
            _skip(f"complex numbers (np.{name})")
        if op is None:
            _skip(f"np.{name} has no minigrad op")
        # A list holding Tensors is one array to numpy (but the sequence of arrays to join for SEQUENCE_FIRST).
        args = tuple(a if k == 0 and name in SEQUENCE_FIRST else _stacked(a) for k, a in enumerate(args))
        if name in SEQUENCE_FIRST and isinstance(args[0], (list, tuple)):
            args = ([_stacked(t) if isinstance(t, (list, tuple)) else _constant(t) for t in args[0]],) + args[1:]
        try:
            inspect.signature(op).bind(*args, **kwargs)
        except TypeError as error:
            _skip(f"np.{name} with arguments minigrad's {op.__name__} does not take ({error})")
        return op(*args, **kwargs)

    call.__name__ = name
    return call


def _array(value: Any, *args: Any, **kwargs: Any) -> Any:
    """np.array: Tensors in a (nested) list are stacked into one Tensor (the tests build arrays of Tensors)."""
    if _has_tensor(value):
        if args or kwargs:
            _skip("np.array with a dtype or options on Tensors")
        return value if isinstance(value, mg.Tensor) else _stacked(value)
    return onp.array(value, *args, **kwargs)


class _IndexTrick:
    """np.r_ and np.c_ (index expressions that build arrays): plain numpy's on arrays; minigrad has no such op."""

    def __init__(self, name: str, trick: Any) -> None:
        self.name, self.trick = name, trick

    def __getitem__(self, key: Any) -> Any:
        if _has_tensor(key):
            _skip(f"np.{self.name}[...] has no minigrad op")
        return self.trick[key]


def _numpy_module() -> types.ModuleType:
    module = types.ModuleType("autograd.numpy")
    for name in dir(onp):
        if name.startswith("__"):
            continue
        obj = getattr(onp, name)
        if callable(obj) and not isinstance(obj, type) and not isinstance(obj, types.ModuleType):
            setattr(module, name, _dispatcher(name, obj))
        else:
            setattr(module, name, obj)
    module.array = _array
    module.__version__ = onp.__version__
    for name in ("r_", "c_"):
        setattr(module, name, _IndexTrick(name, getattr(onp, name)))

    def missing(name: str) -> Callable:
        def refuse(*args: Any, **kwargs: Any) -> None:
            _skip(f"np.{name} is autograd's own, not numpy's")
        return refuse

    module.__getattr__ = missing      # autograd.numpy's extras (make_diagonal, ...), looked up when numpy lacks them
    module.random = onp.random
    module.linalg = onp.linalg
    module.fft = onp.fft
    module.numpy_boxes = types.SimpleNamespace(ArrayBox=mg.Tensor)
    return module


# ------------------------------------------------------------ grad and the check
def _as_input(value: Any) -> Any:
    """An argument to differentiate as a Tensor (float32 stays float32), or a list or tuple of them."""
    if isinstance(value, (list, tuple)):
        return type(value)(_as_input(v) for v in value)
    if _is_complex(value):
        _skip("complex numbers (an input)")
    dtype = onp.float32 if getattr(value, "dtype", None) == onp.float32 else onp.float64
    return mg.Tensor(onp.asarray(value, dtype=dtype), requires_grad=True)


def _gradient_of(tensor: Any) -> Any:
    if isinstance(tensor, (list, tuple)):
        return [_gradient_of(t) for t in tensor]
    return onp.zeros(tensor.shape, tensor.dtype) if tensor.grad is None else tensor.grad


def _inner(a: Any, b: Any) -> float:
    """<a, b> for arrays or (nested) lists of arrays."""
    if isinstance(a, (list, tuple)):
        return sum(_inner(x, y) for x, y in zip(a, b))
    return float(onp.sum(onp.asarray(a) * onp.asarray(b)))


def _random_like(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return [_random_like(v) for v in value]
    return onp.random.randn(*onp.shape(value))


def _moved(value: Any, direction: Any, step: float) -> Any:
    if isinstance(value, (list, tuple)):
        return type(value)(_moved(v, d, step) for v, d in zip(value, direction))
    return value + step * direction


def _output_list(out: Any) -> list:
    return list(out) if isinstance(out, (list, tuple)) else [out]


def _vjp(fun: Callable, args: tuple, argnums: tuple[int, ...], kwargs: dict, seeds: list) -> list[Any]:
    """minigrad's gradients of <seeds, fun(args)> with respect to args[argnums]."""
    inputs = {k: _as_input(args[k]) for k in argnums}
    out = _output_list(fun(*[inputs.get(k, a) for k, a in enumerate(args)], **kwargs))
    total = None
    for piece, seed in zip(out, seeds):
        if isinstance(piece, mg.Tensor) and piece.requires_grad:
            term = (piece * seed).sum()
            total = term if total is None else total + term
    if total is not None:
        total.backward()
    return [_gradient_of(inputs[k]) for k in argnums]


def _plain(value: Any) -> Any:
    return value.numpy() if isinstance(value, mg.Tensor) else value


def grad(fun: Callable, argnum: int = 0) -> Callable:
    """autograd.grad, by minigrad's reverse mode: the gradient of a scalar function with respect to one argument."""
    if not isinstance(argnum, int):
        _skip("grad with a tuple of argnums")

    def gradient(*args: Any, **kwargs: Any) -> Any:
        (result,) = _vjp(fun, args, (argnum,), kwargs, [1.0])
        return float(result) if onp.ndim(args[argnum]) == 0 and not isinstance(args[argnum], onp.ndarray) else result

    return gradient


def value_and_grad(fun: Callable, argnum: int = 0) -> Callable:
    def both(*args: Any, **kwargs: Any) -> Any:
        return _plain(fun(*args, **kwargs)), grad(fun, argnum)(*args, **kwargs)
    return both


def _scalar_close(a: float, b: float) -> bool:
    return abs(a - b) < TOL or abs(a - b) / abs(a + b) < RTOL


ORDERS_ASKED = collections.Counter()      # the order each check_grads call asks for
ORDERS_CHECKED = collections.Counter()    # the checks run, by order


def _max_order() -> int:
    """2 when minigrad can differentiate its own backward pass (``differentiate`` with create_graph), else 1;
    HIPS_SUITE_MAX_ORDER=1 asks for first order only."""
    available = 2 if hasattr(engine, "differentiate") else 1
    return min(available, int(os.environ.get("HIPS_SUITE_MAX_ORDER", "2")))


def _vjp_function(fun: Callable, args: tuple, argnums: tuple[int, ...], kwargs: dict) -> Callable:
    """(x at argnums..., v per output) -> the VJP <v, f>'s gradient: autograd's second-order check differentiates it.

    On plain arrays it is minigrad's first-order VJP (the finite differences' side); on Tensors that require
    grad it is the backward pass recorded with create_graph, a function of x and v that reverse mode
    differentiates again.
    """
    def vjp(*xv: Any) -> list:
        xs, vs = xv[:len(argnums)], list(xv[len(argnums):])
        full = list(args)
        for k, x in zip(argnums, xs):
            full[k] = x
        if not any(isinstance(t, mg.Tensor) for t in xv):
            return _vjp(fun, tuple(full), argnums, kwargs, vs)
        out = _output_list(fun(*full, **kwargs))
        total = None
        for piece, seed in zip(out, vs):
            if isinstance(piece, mg.Tensor) and piece.requires_grad:
                term = (piece * seed).sum()
                total = term if total is None else total + term
        found = {} if total is None else engine.differentiate(total, mg.Tensor._leaf(onp.ones_like(total._data)),
                                                              set(xs), True)
        return [found.get(x, mg.Tensor(onp.zeros(x.shape))) for x in xs]

    return vjp


def check_grads(fun: Callable, argnum: Any = 0, modes: Any = ("fwd", "rev"), order: int = 2) -> Callable:
    """autograd's check_grads in reverse mode: <u, J^T v> against <v, (f(x + u eps/2) - f(x - u eps/2)) / eps>,
    and, at order 2 (autograd's default), the same check of the VJP as a function of (x, v)."""
    argnums = (argnum,) if isinstance(argnum, int) else tuple(argnum)

    def check(*args: Any, **kwargs: Any) -> None:
        if _is_complex(args):
            _skip("complex numbers (an input)")
        ORDERS_ASKED[order] += 1
        _check_first_order(fun, args, argnums, kwargs)
        ORDERS_CHECKED[1] += 1
        if order >= 2 and _max_order() >= 2:
            if any(isinstance(args[k], (list, tuple)) for k in argnums):
                ORDERS_CHECKED["2 skipped: list argument"] += 1
                return
            seeds = [_random_like(o) for o in _output_list(fun(*args, **kwargs))]
            point = tuple(args[k] for k in argnums) + tuple(seeds)
            _check_first_order(_vjp_function(fun, args, argnums, kwargs), point, tuple(range(len(point))), {})
            ORDERS_CHECKED[2] += 1

    return check


def _check_first_order(fun: Callable, args: tuple, argnums: tuple[int, ...], kwargs: dict) -> None:
    """One VJP check of ``fun`` at ``args`` with respect to ``args[argnums]``."""
    plain_out = _output_list(fun(*args, **kwargs))
    seeds = [_random_like(o) for o in plain_out]
    directions = {k: _random_like(args[k]) for k in argnums}
    gradients = _vjp(fun, args, argnums, kwargs, seeds)
    analytic = sum(_inner(g, directions[k]) for g, k in zip(gradients, argnums))

    def shifted(step: float) -> list:
        moved = [_moved(a, directions[k], step) if k in directions else a for k, a in enumerate(args)]
        return _output_list(fun(*moved, **kwargs))

    plus, minus = shifted(EPS / 2), shifted(-EPS / 2)
    numeric = sum(_inner(s, (onp.asarray(p) - onp.asarray(m)) / EPS) for s, p, m in zip(seeds, plus, minus))
    assert _scalar_close(numeric, analytic), f"VJP check failed: analytic {analytic}, numeric {numeric}"


def combo_check(fun: Callable, *args: Any, **kwargs: Any) -> Callable:
    """autograd's combo_check: check_grads over every combination of the given arguments and keywords."""
    import itertools

    def run(*arg_lists: Any, **kwarg_lists: Any) -> None:
        keyed = [[(key, value) for value in values] for key, values in kwarg_lists.items()]
        for combination in itertools.product(*arg_lists):
            for options in itertools.product(*keyed):
                check_grads(lambda *a, **k: fun(*a, **k), *args, **kwargs)(*combination, **dict(options))
    return run


def install() -> None:
    """Put the adapter in sys.modules under autograd's names (the tests' imports find it there)."""
    numpy_module = _numpy_module()
    package = types.ModuleType("autograd")
    package.__path__ = []
    package.grad, package.value_and_grad = grad, value_and_grad
    package.numpy = numpy_module
    test_util = types.ModuleType("autograd.test_util")
    test_util.check_grads, test_util.combo_check = check_grads, combo_check
    package.test_util = test_util
    random_module = onp.random
    sys.modules.update({"autograd": package, "autograd.numpy": numpy_module, "autograd.numpy.random": random_module,
                        "autograd.test_util": test_util})


# ------------------------------------------------------------------ running
def fetch(version: str, into: Path) -> Path:
    """autograd's test files from its sdist, downloaded by pip (the project needs nothing of it otherwise)."""
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    f"autograd=={version}", "-d", str(into)], check=True)
    archive = next(into.glob("autograd-*.tar.gz"))
    with tarfile.open(archive) as tar:
        tar.extractall(into, filter="data")
    return next(into.glob("autograd-*/tests"))


class Tally:
    """A pytest plugin that keeps each test's outcome (passed, failed, error, not applicable and why)."""

    def __init__(self) -> None:
        self.outcomes: dict[str, tuple[str, str]] = {}

    def pytest_runtest_logreport(self, report: Any) -> None:
        name = report.nodeid
        if report.when == "setup" and report.failed:
            self.outcomes[name] = ("error", str(report.longrepr)[-300:])
        elif report.skipped:
            reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
            self.outcomes[name] = ("not applicable", reason.replace("Skipped: not applicable: ", ""))
        elif report.when == "call":
            if report.passed:
                self.outcomes[name] = ("passed", "")
            else:
                failure = "error" if not hasattr(report.longrepr, "reprcrash") or "AssertionError" not in str(
                    report.longrepr.reprcrash.message) else "failed"
                self.outcomes[name] = (failure, str(report.longrepr.reprcrash.message)[:300]
                                       if hasattr(report.longrepr, "reprcrash") else "")


def run(tests: Path, show_all: bool) -> dict[str, int]:
    import pytest

    work = Path(tempfile.mkdtemp(prefix="hips_suite_"))
    for name in TEST_FILES + HELPERS:
        shutil.copy(tests / name, work / name)
    (work / "pytest.ini").write_text("[pytest]\n")      # the tests' own directory is the rootdir, not ours
    (work / "conftest.py").write_text("import sys\nsys.path.insert(0, %r)\nimport hips_suite\nhips_suite.install()\n"
                                      % str(Path(__file__).resolve().parent))
    tally = Tally()
    pytest.main([str(work), "-q", "-p", "no:cacheprovider", "-p", "no:randomly", "--no-header", "-W", "ignore",
                 "--tb=no", "--rootdir", str(work), "-c", str(work / "pytest.ini")],
                plugins=[tally])
    asked = sys.modules["hips_suite"].ORDERS_ASKED     # the conftest's import of this file, not __main__
    counts = collections.Counter(outcome for outcome, _ in tally.outcomes.values())
    reasons = collections.Counter(reason for outcome, reason in tally.outcomes.values() if outcome == "not applicable")
    print(f"\nHIPS autograd's numpy tests against minigrad ({len(tally.outcomes)} tests in {', '.join(TEST_FILES)}):")
    for outcome in ("passed", "failed", "error", "not applicable"):
        print(f"  {outcome:15s} {counts[outcome]}")
    checked = sys.modules["hips_suite"].ORDERS_CHECKED
    print(f"  (checks asked for: order 2 in {asked[2]} of {sum(asked.values())}; run: {checked[1]} at first "
          f"order, {checked[2]} at second order"
          + (f", {checked['2 skipped: list argument']} second-order ones skipped (list arguments)" if
             checked['2 skipped: list argument'] else "") + ")")
    print("\nNot applicable, by reason:")
    for reason, count in sorted(reasons.items(), key=lambda item: (-item[1], item[0])):
        print(f"  {count:3d}  {reason}")
    for outcome in ("failed", "error") + (("not applicable", "passed") if show_all else ()):
        listed = [(n, r) for n, (o, r) in sorted(tally.outcomes.items()) if o == outcome]
        if listed:
            print(f"\n{outcome}:")
            for name, reason in listed:
                print(f"  {name.split('::')[-1]:45s} {reason}")
    return dict(counts)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=Path, help="a directory holding autograd's test files (default: download)")
    parser.add_argument("--version", default=DEFAULT_VERSION, help="the autograd sdist to fetch the tests from")
    parser.add_argument("--list", action="store_true", help="list every test's outcome")
    parser.add_argument("--order", type=int, choices=(1, 2), default=2,
                        help="check gradients up to this order (2, autograd's default, needs create_graph)")
    options = parser.parse_args(argv)
    os.environ["HIPS_SUITE_MAX_ORDER"] = str(options.order)
    print(f"checking gradients up to order {min(options.order, _max_order())}")
    tests = options.tests or fetch(options.version, Path(tempfile.mkdtemp(prefix="autograd_sdist_")))
    counts = run(tests, options.list)
    return 0 if counts.get("failed", 0) == 0 and counts.get("error", 0) == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
