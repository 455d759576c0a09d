"""Numbers the docs' prose quotes agree with the runs that produced them.

docs/bptt.md section 10 generates its prose with its table (``<!-- bptt prose: ... -->``,
checked by tests/test_docs.py). The pages below quote figures by hand; these tests hold
each quote to its source: docs/counting.md to what examples/counting.py prints, the
copies in docs/esn.md to the benchmark section they come from, and the verdicts under the
BPTT benchmark table to the table itself.
"""
from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(r"(?<![\w.])[-−]?(\d+(?:,\d{3})*(?:\.\d+)?(?:e[-+−]?\d+)?)(?![\w])")


def numbers(text: str, decimals_only: bool = True) -> list[str]:
    """The numbers written in ``text`` (without sign; 1,000 read as 1000); integers dropped if asked."""
    found = []
    for match in NUMBER.finditer(text):
        written = match.group(1).replace(",", "").replace("−", "-")
        if decimals_only and "." not in written and "e" not in written:
            continue
        found.append(written)
    return found


def agrees(written: str, values: list[float]) -> bool:
    """``written`` is one of ``values`` rounded to the digits it shows."""
    mantissa, _, exponent = written.partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    half_unit = 0.5 * 10.0 ** (-decimals + (int(exponent) if exponent else 0)) * (1 + 1e-9)
    return any(abs(abs(v) - float(written)) <= half_unit for v in values)


def section(text: str, start: str, end: str) -> str:
    begin = text.index(start)
    return text[begin:text.index(end, begin)]


@pytest.fixture(scope="module")
def counting_output() -> str:
    import runpy
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        runpy.run_path(str(ROOT / "examples" / "counting.py"), run_name="__main__")
    return printed.getvalue()


def test_every_number_on_the_counting_page_is_printed_by_its_script(counting_output):
    # Allowed sources: the script's output, and the slide's numbers and the tolerances the
    # script and its test write down.
    sources = counting_output + (ROOT / "examples" / "counting.py").read_text() \
        + (ROOT / "tests" / "test_counting.py").read_text()
    values = [float(n) for n in numbers(sources, decimals_only=False)]
    page = (ROOT / "docs" / "counting.md").read_text()
    unexplained = sorted({n for n in numbers(page) if not agrees(n, values)})
    assert unexplained == [], f"docs/counting.md quotes numbers examples/counting.py does not print: {unexplained}"


def test_the_esn_page_quotes_the_benchmark_section_it_cites():
    benchmarks = (ROOT / "docs" / "benchmarks.md").read_text()
    fit = section(benchmarks, "<!-- BEGIN esn_fit -->", "<!-- END esn_fit -->")
    values = [float(n) for n in numbers(fit, decimals_only=False)]
    page = (ROOT / "docs" / "esn.md").read_text()
    speed = section(page, "## Speed and memory", "*A note on BLAS")
    # The table: each row of the page is the benchmark's row without the build column.
    page_rows = re.findall(r"^\| ([\d,]+) \| (.+) \|$", speed, re.M)
    fit_rows = {units: cells.split(" | ") for units, cells in re.findall(r"^\| ([\d,]+) \| (.+) \|$", fit, re.M)}
    assert len(page_rows) == 4
    for units, cells in page_rows:
        for written, measured in zip(cells.split(" | "), fit_rows[units][1:]):
            assert agrees(written.replace(",", ""), [float(measured)]), (units, written, measured)
    # The prose: the medians, ranges, floor and NRMSE it quotes are the section's; the
    # numbers derived from them are recomputed here.
    median = dict(re.findall(r"- (cold|warm): minigrad ([\d.]+) s", fit))
    reservoirpy = dict(re.findall(r"- (cold|warm): .*?reservoirpy ([\d.]+) s", fit))
    low, high = (float(v) for v in re.search(r"reservoirpy [\d.]+ s \(([\d.]+) to ([\d.]+) s\): ratio of medians "
                                              r"\*\*[\d.]+\*\* \(target <= 0.5: met\)", fit).groups())
    floor = float(re.search(r"takes ([\d.]+) s as minigrad's", fit).group(1))
    derived = [float(reservoirpy["warm"]) / 2, float(median["cold"]) / high, float(median["cold"]) / low,
               (2 * floor + 0.5) / 2, 20_000 * 2_002 ** 2 / 2]
    # Figures of earlier runs, quoted as history with their commits (warm fit before and
    # after one change), and the page's own round estimate of the rest of a fit (0.5 s).
    history = [1.08, 0.68, 0.5]
    prose = speed.split("\n\n", 3)[-1]          # after the introduction and the table
    unexplained = sorted({n for n in numbers(prose) if not agrees(n, values + derived + history)})
    assert unexplained == [], f"docs/esn.md quotes figures the esn_fit section does not have: {unexplained}"


def test_the_bptt_benchmark_prose_names_the_targets_the_table_misses():
    text = section((ROOT / "docs" / "benchmarks.md").read_text(), "<!-- BEGIN bptt_step -->", "<!-- END bptt_step -->")
    rows = re.findall(r"^\| (RNN|LSTM) \| (\d+) \| (\d+) \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| [\d.]+ \| "
                      r"\*\*([\d.]+)x\*\* \| ([\d.]+)x \((met|missed)\)", text, re.M)
    assert len(rows) == 4
    for _, _, _, ratio, target, verdict in rows:
        assert (verdict == "missed") == (float(ratio) > float(target))
    missed = [f"{kind} (B={B}, T={T}, {ratio}x against {float(target)}x)" for kind, B, T, ratio, target, verdict
              in rows if verdict == "missed"]
    expected = f"Missed in this run: {', '.join(missed)}." if missed else "Every target is met in this run."
    assert expected in text


EXPERIMENT_SECTIONS = {"## The adding problem": "adding_problem", "## Character-level generation": "char_rnn",
                       "## Bidirectional labelling": "brnn_labelling"}


@pytest.mark.parametrize("heading, script", EXPERIMENT_SECTIONS.items(), ids=list(EXPERIMENT_SECTIONS.values()))
def test_the_experiments_prose_quotes_the_run_recorded_beside_it(heading, script):
    # Each section's output block is what its script printed at full size (record_in_docs);
    # the prose around it may quote those numbers and the script's own constants, nothing else.
    page = (ROOT / "docs" / "experiments.md").read_text()
    text = section(page, heading, "\n## ")
    block = section(text, f"<!-- output: {script} -->", "<!-- /output -->")
    assert "```text" in block, f"{heading}: no recorded run in its output block"
    sources = block + (ROOT / "examples" / f"{script}.py").read_text()
    values = [float(n) for n in numbers(sources, decimals_only=False)]
    prose = text.replace(block, "")
    unexplained = sorted({n for n in numbers(prose) if not agrees(n, values)})
    assert unexplained == [], f"docs/experiments.md, {heading}: numbers its run did not print: {unexplained}"
