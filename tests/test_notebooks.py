"""Every notebook in docs/notebooks runs from top to bottom, and shows its graphs.

Executed with nbclient (the docs extra). A failing cell fails the test with
the notebook's name, the cell's number and its source, and the error.

Without nbclient these tests are skipped, except when ``MINIGRAD_REQUIRE_DOCS=1``
(set by .ci/run, which installs the docs extra): then it is a failure.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "docs" / "notebooks").glob("*.ipynb"))

try:
    import nbclient
    import nbformat
except ImportError:
    if os.environ.get("MINIGRAD_REQUIRE_DOCS"):
        raise
    pytest.skip('nbclient is in the docs extra (pip install -e ".[docs]"); CI runs these with '
                "MINIGRAD_REQUIRE_DOCS=1", allow_module_level=True)


def run_notebook(path: Path) -> "nbformat.NotebookNode":
    """Execute the notebook in its own directory; on an error, fail naming the cell."""
    notebook = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as error:
        failing = next((number for number, cell in enumerate(notebook.cells)
                        if any(output.get("output_type") == "error" for output in cell.get("outputs", []))), None)
        source = notebook.cells[failing].source if failing is not None else "?"
        pytest.fail(f"{path.name}: cell {failing} failed:\n{source}\n\n{error}", pytrace=False)
    return notebook


def test_there_are_notebooks():
    assert len(NOTEBOOKS) >= 3, NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_notebook_runs_and_shows_its_pictures(path):
    notebook = run_notebook(path)
    outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
    kinds = {kind for output in outputs for kind in output.get("data", {})}
    drawn = sum(1 for cell in notebook.cells if cell.cell_type == "code" and "mg.draw(" in cell.source)
    if drawn:
        # minigrad.draw(...) as a cell's last line shows inline, through Drawing._repr_mimebundle_.
        svgs = [output for output in outputs if "image/svg+xml" in output.get("data", {})]
        assert len(svgs) == drawn and all("<svg" in output["data"]["image/svg+xml"] for output in svgs)
    else:
        assert "image/png" in kinds          # the ESN notebook's plot
