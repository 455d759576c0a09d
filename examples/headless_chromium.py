"""Open a page in headless Chromium: its DOM after the page's scripts ran, or a screenshot.

Used by the browser test of the step-through page (tests/test_animate_browser.py)
and by docs/make_screenshots.py. No Playwright or WebDriver: Chromium's own
``--dump-dom`` and ``--screenshot`` switches, with a fresh profile directory
each run and everything that would reach the network switched off.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

# Where Debian's and Ubuntu's packages put it, and the names it goes by elsewhere.
CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")


def find_chromium() -> Optional[str]:
    """The Chromium program: ``$CHROMIUM`` if set, else the first of ``CANDIDATES`` found; None if none is."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def run_chromium(url: str, *switches: str, timeout: float = 90) -> bytes:
    """Run headless Chromium on ``url`` with ``switches``; return its stdout (raise with stderr on failure)."""
    program = find_chromium()
    if program is None:
        raise FileNotFoundError("headless_chromium: no Chromium found (apt install chromium, or set CHROMIUM)")
    with tempfile.TemporaryDirectory(prefix="minigrad-chromium-") as profile:
        command = [program, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                   "--disable-component-update", "--disable-sync", "--no-first-run",
                   f"--user-data-dir={profile}", *switches, url]
        result = subprocess.run(command, capture_output=True, timeout=timeout)
    if result.returncode != 0:
        raise RuntimeError(f"chromium failed (exit code {result.returncode}): "
                           f"{result.stderr.decode('utf-8', 'replace')[-2000:]}")
    return result.stdout


def file_url(path: Path, fragment: str = "") -> str:
    """``file:///.../page.html#fragment``."""
    return Path(path).resolve().as_uri() + (f"#{fragment}" if fragment else "")


def dump_dom(url: str) -> str:
    """The page's DOM as HTML, after its scripts ran on load."""
    return run_chromium(url, "--dump-dom").decode("utf-8")


def screenshot(url: str, output: Path, width: int = 1200, height: int = 900) -> Path:
    """A PNG of the page at ``width`` x ``height`` pixels."""
    run_chromium(url, f"--screenshot={Path(output).resolve()}", f"--window-size={width},{height}",
                 "--hide-scrollbars")
    return Path(output)
