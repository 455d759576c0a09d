"""Load a script of examples/ or tools/ (folders that are not packages) as a module, for the tests."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
TOOLS = ROOT / "tools"


def load_script(name: str, folder: Path = EXAMPLES):
    """FOLDER/NAME.py as a module, FOLDER on sys.path first (for the scripts' shared helpers)."""
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    spec = importlib.util.spec_from_file_location(f"{folder.name}_{name}", folder / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module          # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module
