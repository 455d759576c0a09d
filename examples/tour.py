"""The tour of minigrad, from a checkout: the same as the ``minigrad-tour`` command.

Run: python examples/tour.py [--quick] [--out DIR]     (pictures go into ./minigrad-tour/ by default)

The tour itself is ``minigrad_cli/tour.py``, installed as ``minigrad-tour``.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))   # run from a checkout without installing

from minigrad_cli.tour import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
