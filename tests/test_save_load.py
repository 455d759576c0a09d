"""minigrad.save / minigrad.load: exact round trips, exact resumption of training, bad files refused."""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
import nets
from minigrad import nn, optim
from minigrad.nn import functional as F

X = np.random.default_rng(1).standard_normal((6, 2, 3))
Y = np.random.default_rng(2).standard_normal((6, 2, 4))


def make(kind: str):
    net = nets.LSTM(3, 4, num_layers=2, rng=0)
    if kind == "adam":
        opt = optim.Adam(net.parameters(), lr=0.01, betas=(0.8, 0.99), weight_decay=1e-3)
    elif kind == "sgd":
        opt = optim.SGD(net.parameters(), lr=0.05, momentum=0.9, nesterov=True)
    else:
        opt = optim.Adagrad(net.parameters(), lr=0.05)
    return net, opt


def train(net, opt, steps: int) -> None:
    for _ in range(steps):
        opt.zero_grad()
        output, _ = net(X)
        F.mse_loss(output, Y).backward()
        optim.clip_grad_norm_(net.parameters(), 0.5)
        opt.step()


@pytest.mark.parametrize("kind", ["adam", "sgd", "adagrad"])
def test_training_resumed_from_a_file_is_bit_for_bit_the_uninterrupted_run(kind, tmp_path) -> None:
    straight, straight_opt = make(kind)
    train(straight, straight_opt, 7)

    first, first_opt = make(kind)
    train(first, first_opt, 4)
    mg.save({"model": first, "optimizer": first_opt}, tmp_path / "run.npz")
    resumed, resumed_opt = make(kind)
    train(resumed, resumed_opt, 1)          # a different state, overwritten by the load
    checkpoint = mg.load(tmp_path / "run.npz")
    resumed.load_state_dict(checkpoint["model"])
    resumed_opt.load_state_dict(checkpoint["optimizer"])
    train(resumed, resumed_opt, 3)

    for (name, p), (_, q) in zip(straight.named_parameters(), resumed.named_parameters()):
        assert np.array_equal(p.data, q.data), name


def test_a_module_round_trips_exactly_with_its_dtype(tmp_path) -> None:
    layer = nn.Linear(3, 2, rng=0, dtype=np.float32)
    mg.save(layer, tmp_path / "layer.npz")
    loaded = mg.load(tmp_path / "layer.npz")
    assert list(loaded) == ["weight", "bias"]
    assert loaded["weight"].dtype == np.float32
    fresh = nn.Linear(3, 2, rng=1, dtype=np.float32)
    fresh.load_state_dict(loaded)
    assert np.array_equal(fresh.weight.data, layer.weight.data) and fresh.weight.dtype == np.float32


def test_the_file_is_a_plain_npz_with_a_format_version(tmp_path) -> None:
    mg.save({"model": nn.Linear(2, 1, rng=0), "epoch": 3}, tmp_path / "c.npz")
    with np.load(tmp_path / "c.npz") as archive:
        assert sorted(archive.files) == ["__minigrad_format__", "epoch", "model/bias", "model/weight"]
        assert archive["__minigrad_format__"] == 1
    assert mg.load(tmp_path / "c.npz")["epoch"] == 3


def test_a_crash_while_writing_leaves_the_old_file_intact(tmp_path, monkeypatch) -> None:
    path = tmp_path / "model.npz"
    mg.save(nn.Linear(2, 1, rng=0), path)
    before = path.read_bytes()

    def crash(file, **arrays):
        file.write(b"PK\x03\x04 half a zip")
        raise KeyboardInterrupt          # the process is stopped mid-write
    monkeypatch.setattr(np, "savez", crash)
    with pytest.raises(KeyboardInterrupt):
        mg.save(nn.Linear(2, 1, rng=5), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]       # no temporary file left behind


def test_a_saved_file_gets_the_usual_permissions(tmp_path) -> None:
    path = tmp_path / "model.npz"
    mg.save(nn.Linear(2, 1, rng=0), path)
    umask = os.umask(0)
    os.umask(umask)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


# ------------------------------------------------------------------ bad files
def saved(tmp_path: Path) -> Path:
    path = tmp_path / "model.npz"
    mg.save(nn.Linear(3, 2, rng=0), path)
    return path


def test_a_truncated_file_is_refused(tmp_path) -> None:
    path = saved(tmp_path)
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(mg.CheckpointError, match=r"load: '.*model.npz' is not a complete .npz file \(truncated"):
        mg.load(path)


def test_a_file_of_another_format_is_refused(tmp_path) -> None:
    path = tmp_path / "notes.npz"
    path.write_text("not a zip at all")
    with pytest.raises(mg.CheckpointError, match="is not a complete .npz file"):
        mg.load(path)


def test_a_pickle_bearing_file_is_refused(tmp_path) -> None:
    path = tmp_path / "evil.npz"
    np.savez(path, __minigrad_format__=np.array(1), weight=np.array([{"payload": 1}], dtype=object))
    with pytest.raises(mg.CheckpointError, match="holds pickled objects, which minigrad refuses to load"):
        mg.load(path)


def test_a_plain_npz_and_a_newer_version_are_refused(tmp_path) -> None:
    np.savez(tmp_path / "plain.npz", weight=np.ones(2))
    with pytest.raises(mg.CheckpointError, match="has no '__minigrad_format__' entry"):
        mg.load(tmp_path / "plain.npz")
    np.savez(tmp_path / "future.npz", __minigrad_format__=np.array(99), weight=np.ones(2))
    with pytest.raises(mg.CheckpointError, match="has format version 99; this minigrad reads versions 1 to 1"):
        mg.load(tmp_path / "future.npz")


def test_a_missing_file_is_named(tmp_path) -> None:
    with pytest.raises(FileNotFoundError, match=r"load: no file '.*nothing.npz'"):
        mg.load(tmp_path / "nothing.npz")


def rewrite(path: Path, change) -> None:
    """Rewrite a saved file with its arrays changed by ``change(dict)``."""
    with np.load(path) as archive:
        arrays = {key: archive[key] for key in archive.files}
    change(arrays)
    np.savez(path, **arrays)


def test_an_extra_key_is_named(tmp_path) -> None:
    path = saved(tmp_path)
    rewrite(path, lambda arrays: arrays.update(scale=np.ones(1)))
    with pytest.raises(KeyError, match=r"missing keys \[\], unexpected keys \['scale'\]"):
        nn.Linear(3, 2).load_state_dict(mg.load(path))


def test_a_missing_key_is_named(tmp_path) -> None:
    path = saved(tmp_path)
    rewrite(path, lambda arrays: arrays.pop("bias"))
    with pytest.raises(KeyError, match=r"missing keys \['bias'\], unexpected keys \[\]"):
        nn.Linear(3, 2).load_state_dict(mg.load(path))


def test_a_wrong_shape_is_named_and_nothing_is_changed(tmp_path) -> None:
    path = saved(tmp_path)
    rewrite(path, lambda arrays: arrays.update(bias=np.ones(5)))
    layer = nn.Linear(3, 2, rng=7)
    before = layer.weight.data.copy()
    with pytest.raises(ValueError, match=r"'bias' has shape \(5,\) in the state dict but \(2,\) in the module"):
        layer.load_state_dict(mg.load(path))
    assert np.array_equal(layer.weight.data, before)


# ------------------------------------------------------------------ optimizer state dicts
def adam_after_one_step():
    net, opt = make("adam")
    train(net, opt, 1)
    return net, opt


def test_an_optimizer_state_of_the_wrong_shape_is_named() -> None:
    _, opt = adam_after_one_step()
    state = opt.state_dict()
    state["state.1.m"] = np.zeros(3)
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: 'state.1.m' has shape \(3,\) but parameter 1 "
                                         r"has shape \(16, 4\)"):
        make("adam")[1].load_state_dict(state)


def test_an_optimizer_refuses_another_optimizers_state() -> None:
    _, adam = adam_after_one_step()
    _, sgd = make("sgd")
    with pytest.raises(KeyError, match=r"SGD.load_state_dict: missing keys \['momentum', 'nesterov'\], "
                                       r"unexpected keys \['betas', 'eps', 'state.0.step'"):
        sgd.load_state_dict(adam.state_dict())


def test_an_optimizer_checks_loaded_hyperparameters_like_its_arguments() -> None:
    _, opt = adam_after_one_step()
    state = opt.state_dict()
    state["betas"] = np.array([0.9, 1.0])
    fresh = make("adam")[1]
    with pytest.raises(ValueError, match=r"Adam.load_state_dict: betas\[1\] must be a finite number in "
                                         r"\[0.0, 1.0\), got 1.0"):
        fresh.load_state_dict(state)
    assert fresh.betas == (0.8, 0.99) and fresh.state[0] == {}       # untouched
    state = opt.state_dict()
    del state["state.0.v"]
    with pytest.raises(KeyError, match=r"parameter 0 has state \['m', 'step'\], expected all of"):
        fresh.load_state_dict(state)


# ------------------------------------------------------------------ what cannot be saved, where it cannot go
@pytest.mark.parametrize("obj, error, message", [
    ({"note": "text"}, TypeError, r"save: entry 'note' must be an array of real numbers, got str"),
    ({"model": {"w": [[1.0], [2.0, 3.0]]}}, TypeError, r"save: entry 'model/w' must be an array of real numbers"),
    ({"a/b": np.ones(1)}, ValueError, r"save: every key must be a non-empty string without '/'"),
    ([np.ones(1)], TypeError, r"save: can save a Module, an Optimizer, or a dict .*; got list"),
    (mg.Tensor([1.0]), TypeError, r"save: can save a Module, an Optimizer, or a dict .*; got Tensor"),
])
def test_save_refuses_what_is_not_numbers(obj, error, message, tmp_path) -> None:
    with pytest.raises(error, match=message):
        mg.save(obj, tmp_path / "x.npz")
    assert not list(tmp_path.iterdir())


def test_save_names_a_path_it_cannot_write(tmp_path) -> None:
    layer = nn.Linear(1, 1)
    with pytest.raises(FileNotFoundError, match=r"save: cannot write '.*missing/x.npz': the folder .* does not exist"):
        mg.save(layer, tmp_path / "missing" / "x.npz")
    with pytest.raises(IsADirectoryError, match="save: path .* is a folder"):
        mg.save(layer, tmp_path)
    with pytest.raises(PermissionError, match="save: cannot write into the folder '/proc'"):
        mg.save(layer, "/proc/x.npz")
    with pytest.raises(TypeError, match="save: path must be a str or a pathlib.Path, got int"):
        mg.save(layer, 3)


def test_the_zip_really_holds_no_pickles(tmp_path) -> None:
    # Every member of the archive is a .npy of numbers: readable with allow_pickle=False by anyone.
    net, opt = adam_after_one_step()
    mg.save({"model": net, "optimizer": opt}, tmp_path / "c.npz")
    with zipfile.ZipFile(tmp_path / "c.npz") as archive:
        assert all(name.endswith(".npy") for name in archive.namelist())
    with np.load(tmp_path / "c.npz", allow_pickle=False) as archive:
        assert all(archive[key].dtype.kind in "biuf" for key in archive.files)
