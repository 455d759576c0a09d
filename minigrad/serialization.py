"""``save`` and ``load``: modules, optimizers and state dicts in a ``.npz`` file.

As in PyTorch, what is saved is state, not code: ``save`` writes the arrays
of ``state_dict()``, ``load`` returns them, and ``load_state_dict`` puts them
back into a freshly built module or optimizer (which checks every name and
shape, and names the key that does not fit)::

    mg.save({"model": net, "optimizer": opt}, "checkpoint.npz")
    checkpoint = mg.load("checkpoint.npz")
    net.load_state_dict(checkpoint["model"])
    opt.load_state_dict(checkpoint["optimizer"])

The file is numpy's ``.npz`` (a zip of ``.npy`` arrays, readable without
minigrad): one array per state-dict entry, nested names joined by ``/``
(``model/weight_ih_l0``), plus ``__minigrad_format__``, the format version.

Two properties a checkpoint needs:

- **Atomic write.** The arrays go to a temporary file in the target's folder,
  which is flushed to disk and then renamed over the target (``os.replace``,
  atomic on POSIX and Windows within one file system). A crash mid-write
  leaves the previous checkpoint intact, never half a file.
- **No pickles.** ``load`` reads with ``allow_pickle=False``: an object array
  in a ``.npz`` is a pickle, and unpickling a file from elsewhere can run
  arbitrary code. minigrad files hold numbers only, so such a file is refused.
"""
from __future__ import annotations

import os
import tempfile
import zipfile
from collections import OrderedDict
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Union

import numpy as np

from ._checks import check_path
from .errors import CheckpointError
from .nn.modules import Module
from .optim import Optimizer

FORMAT_KEY = "__minigrad_format__"
FORMAT_VERSION = 1
SEPARATOR = "/"          # joins nested names; state-dict names themselves use "."

PathLike = Union[str, os.PathLike]
Saveable = Union[Module, Optimizer, Mapping]


def _flatten(who: str, obj: Any, prefix: str, out: dict[str, np.ndarray]) -> None:
    """Every array of ``obj`` (a Module, an Optimizer, or a mapping of those and arrays) into ``out``."""
    if isinstance(obj, (Module, Optimizer)):
        obj = obj.state_dict()
    if not isinstance(obj, Mapping):
        raise TypeError(f"{who}: can save a Module, an Optimizer, or a dict of those and arrays; "
                        f"{'got' if not prefix else f'the entry {prefix[:-1]!r} is'} {type(obj).__name__}")
    for key, value in obj.items():
        if not isinstance(key, str) or not key or SEPARATOR in key or key == FORMAT_KEY:
            raise ValueError(f"{who}: every key must be a non-empty string without '{SEPARATOR}' "
                             f"(and not {FORMAT_KEY!r}), got {key!r} in {prefix[:-1] or 'the top level'}")
        name = prefix + key
        if isinstance(value, (Module, Optimizer, Mapping)):
            _flatten(who, value, name + SEPARATOR, out)
            continue
        try:
            array = np.asarray(value)
        except ValueError:          # numpy: a ragged list
            array = np.asarray(None)
        if array.dtype.kind not in "biuf":
            raise TypeError(f"{who}: entry {name!r} must be an array of real numbers, got "
                            f"{type(value).__name__} of dtype {array.dtype} (a .npz file of minigrad holds "
                            f"numbers only, so that loading it never unpickles objects)")
        out[name] = array


def save(obj: Saveable, path: PathLike) -> None:
    """Write ``obj`` (a Module, an Optimizer, or a dict of those, state dicts and arrays) to ``path``.

    The file is written atomically (see the module's docstring), exactly at
    ``path`` (no suffix is added; ``.npz`` is the convention). Raises
    ``TypeError`` for something that is not numbers, and ``OSError`` naming the
    path when it cannot be written.
    """
    arrays: dict[str, np.ndarray] = {}
    _flatten("save", obj, "", arrays)
    check_path("save", "path", path)
    target = Path(path)
    if str(path) == "" or target.is_dir():
        raise IsADirectoryError(f"save: path {str(path)!r} is a folder; give a file name such as 'model.npz'")
    folder = target.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"save: cannot write {str(path)!r}: the folder {str(folder)!r} does not exist")
    arrays[FORMAT_KEY] = np.array(FORMAT_VERSION)
    try:
        handle = tempfile.NamedTemporaryFile(dir=folder, prefix=f".{target.name}.", suffix=".tmp", delete=False)
    except OSError as error:
        raise PermissionError(f"save: cannot write into the folder {str(folder)!r} ({error.strerror})") from None
    try:
        with handle:
            np.savez(handle, **arrays)
            handle.flush()
            os.fsync(handle.fileno())       # on disk before the rename makes it the checkpoint
        # NamedTemporaryFile creates the file readable by its owner only; give it a normal file's mode.
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(handle.name, 0o666 & ~umask)
        os.replace(handle.name, target)
    except BaseException as error:
        Path(handle.name).unlink(missing_ok=True)
        if isinstance(error, OSError):
            raise type(error)(f"save: cannot write {str(path)!r} ({error})") from None
        raise


def load(path: PathLike) -> "OrderedDict[str, Any]":
    """Read a file written by ``save``: the state dict(s) in it, nested as they were saved.

    A saved Module or Optimizer comes back as its state dict (pass it to
    ``load_state_dict``); a saved dict comes back as a dict with the same keys.
    Raises ``FileNotFoundError`` for a missing file and ``CheckpointError`` for
    a file that is not a complete minigrad ``.npz`` (truncated, another format,
    a newer format version, or holding pickled objects, which are refused).
    """
    if not isinstance(path, (str, os.PathLike)):
        raise TypeError(f"load: path must be a str or a pathlib.Path, got {type(path).__name__}")
    if not Path(path).is_file():
        raise FileNotFoundError(f"load: no file {str(path)!r}")
    if not zipfile.is_zipfile(path):    # np.load would take it for a pickle, and say so
        raise CheckpointError(f"load: {str(path)!r} is not a complete .npz file (truncated, or another "
                              f"format: no zip directory at its end)")
    arrays: dict[str, np.ndarray] = {}
    try:
        with np.load(path, allow_pickle=False) as archive:
            for key in archive.files:
                arrays[key] = archive[key]
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise CheckpointError(f"load: {str(path)!r} holds pickled objects, which minigrad refuses to "
                                  f"load (unpickling a file can run arbitrary code; a minigrad file holds "
                                  f"numbers only)") from None
        raise CheckpointError(f"load: {str(path)!r} is not a readable .npz file ({error})") from None
    except (zipfile.BadZipFile, EOFError, OSError, KeyError) as error:
        raise CheckpointError(f"load: {str(path)!r} is not a complete .npz file (truncated, or another "
                              f"format: {type(error).__name__}: {error})") from None
    version = arrays.pop(FORMAT_KEY, None)
    if version is None:
        raise CheckpointError(f"load: {str(path)!r} has no {FORMAT_KEY!r} entry, so it was not written by "
                              f"minigrad.save (np.load reads a plain .npz)")
    if version.shape != () or version.dtype.kind not in "iu" or not 1 <= version <= FORMAT_VERSION:
        raise CheckpointError(f"load: {str(path)!r} has format version {version.tolist()!r}; this minigrad reads "
                              f"versions 1 to {FORMAT_VERSION} (was it written by a newer minigrad?)")
    nested: OrderedDict[str, Any] = OrderedDict()
    for key, array in arrays.items():
        if array.dtype.kind not in "biuf":
            raise CheckpointError(f"load: entry {key!r} of {str(path)!r} has dtype {array.dtype}, "
                                  f"not numbers")
        *parents, leaf = key.split(SEPARATOR)
        level = nested
        for part in parents:
            level = level.setdefault(part, OrderedDict())
        level[leaf] = array
    return nested


__all__ = ["save", "load", "FORMAT_VERSION"]
