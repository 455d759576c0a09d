"""The API reference (docs/api/*.md, rendered by mkdocstrings) covers every public name, each with a docstring.

mkdocstrings renders what the ``::: module`` directives name, so a public
function added to a module no directive covers would be missing from the site
without any build warning. This test reads the directives and checks every
name in the ``__all__`` of ``minigrad``, ``minigrad.nn``, ``minigrad.optim``,
``minigrad.testing``, ``minigrad.render`` and ``nets`` against them.
"""
from __future__ import annotations

import importlib
import inspect
import re
import types
from pathlib import Path

import pytest

API = Path(__file__).resolve().parent.parent / "docs" / "api"
PACKAGES = ("minigrad", "minigrad.nn", "minigrad.optim", "minigrad.testing", "minigrad.render", "nets")


def directives() -> dict[str, object]:
    """Every ``::: target`` of the API pages -> its ``members`` option (a list, False, or None for all)."""
    found: dict[str, object] = {}
    for page in API.glob("*.md"):
        text = page.read_text()
        for match in re.finditer(r"^::: (\S+)\n((?:    .*\n)*)", text, re.M):
            members = re.search(r"members: (.*)", match.group(2))
            if members is None:
                found[match.group(1)] = None
            elif members.group(1).strip() == "false":
                found[match.group(1)] = False
            else:
                found[match.group(1)] = [m.strip() for m in members.group(1).strip("[] ").split(",")]
    return found


def documented(module: str, name: str, covered: dict[str, object]) -> bool:
    """Whether ``module.name`` is rendered: by a directive of its own, or of its module with it among the members."""
    if f"{module}.{name}" in covered:
        return True
    members = covered.get(module, False)
    return members is None or (isinstance(members, list) and name in members)


def public_names() -> list[tuple[str, str, object]]:
    """(package, name, object) for every name in the packages' ``__all__``."""
    names = []
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", [n for n in dir(module) if not n.startswith("_")]):
            names.append((package, name, getattr(module, name)))
    return names


@pytest.mark.parametrize("package, name, obj", public_names(), ids=lambda value: value if isinstance(value, str) else "")
def test_every_public_name_is_in_the_api_reference_with_a_docstring(package, name, obj):
    covered = directives()
    if isinstance(obj, types.ModuleType):
        assert obj.__name__ in covered, f"{obj.__name__}: no '::: {obj.__name__}' on any page of docs/api"
        return
    if not callable(obj):
        return                                  # constants are shown with their module
    module = obj.__module__
    assert documented(module, obj.__name__, covered), \
        f"{package}.{name} (defined in {module}) is on no page of docs/api: add '::: {module}' or list it"
    assert inspect.getdoc(obj), f"{package}.{name} has no docstring"


def test_the_directives_name_modules_that_exist():
    for target in directives():
        module, _, attribute = target.rpartition(".")
        try:
            importlib.import_module(target)
        except ImportError:
            assert hasattr(importlib.import_module(module), attribute), f"'::: {target}' names nothing"
