"""What a command loads: `python -m cxchange report` and `readiness --json` run as a new process, as a person
runs them, and load only the libraries their format needs (issue 14: a deck loaded Altair, the chart renderer
and openpyxl, every report the pulse form's web server, and each took seconds to start)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
HEAVY = ("altair", "vl_convert", "fpdf", "pptx", "openpyxl", "starlette", "uvicorn", "streamlit")
"""Libraries some command needs and others do not."""
RUN = """
import json, runpy, sys
listing, sys.argv = sys.argv[1], ["cxchange", *sys.argv[2:]]
try:
    runpy.run_module("cxchange", run_name="__main__", alter_sys=True)
except SystemExit as stop:
    code = stop.code
else:
    code = 0
with open(listing, "w") as out:
    json.dump({"code": code, "modules": sorted({name.split(".")[0] for name in sys.modules})}, out)
"""
"""The CLI as `python -m cxchange` runs it, then the top-level modules it loaded, written to a file."""


def loaded(tmp_path: Path, *args: str) -> tuple[int, set[str], str]:
    listing = tmp_path / "modules.json"
    done = subprocess.run(
        [sys.executable, "-c", RUN, str(listing), *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert listing.exists(), done.stderr
    found = json.loads(listing.read_text())
    return found["code"], set(found["modules"]) & set(HEAVY), done.stdout + done.stderr


NEEDS = {"html": {"altair", "vl_convert"}, "pdf": {"altair", "vl_convert", "fpdf"}, "pptx": {"pptx"}}
"""What each format draws with: the HTML and PDF draw Vega-Lite charts, the deck native ones."""


@pytest.mark.parametrize("kind", sorted(NEEDS))
def test_a_report_from_the_command_line_loads_only_what_its_format_needs(demo_file, tmp_path, kind):
    out = tmp_path / f"report.{kind}"
    code, heavy, said = loaded(
        tmp_path, "report", "--db", str(demo_file), "--initiative", "Customer First", "--wave", "2026 Q4",
        "--format", kind, "--out", str(out),
    )  # fmt: skip
    assert code == 0, said
    assert f"to {out}" in said
    assert out.read_bytes()[:4] == {"html": b"<!DO", "pdf": b"%PDF", "pptx": b"PK\x03\x04"}[kind]
    assert heavy == NEEDS[kind], said


def test_readiness_json_loads_no_chart_report_workbook_or_web_library(demo_file, tmp_path):
    code, heavy, said = loaded(tmp_path, "readiness", "--db", str(demo_file), "--wave", "2026 Q4", "--json")
    assert code == 0, said
    assert json.loads(said[: said.rindex("}") + 1])["wave"] == "2026 Q4"
    assert heavy == set()


def test_importing_a_workbook_still_reads_it_with_openpyxl(tmp_path):
    """The workbook reader loads openpyxl where it reads one, so an .xlsx import works as before."""
    code, heavy, said = loaded(
        tmp_path, "import", str(ROOT / "tests" / "fixtures" / "imports" / "plain.xlsx"), "--db",
        str(tmp_path / "own.db"), "--wave", "December pulse", "--dry-run",
    )  # fmt: skip
    assert code == 0, said
    assert "openpyxl" in heavy, said
    assert "9 complete responses, 1 incomplete" in said
