"""The readiness report in each format at the demo's size, against a baseline measured in the same run.

Usage: python bench/report_bench.py [--repeat 3] [--cli] [--db PATH]
Writes the demo organisation (or uses --db), then times, best of --repeat:
  - baseline: services.readiness_report (the `readiness --json` computation: figures for every team and wave);
  - document: services.report_document (figures, the executive summary, the charts' specs);
  - html / pdf / pptx: exports.report_bytes of that document, in a process whose chart renderer is warm
    (as the app's is after its first chart);
  - with --cli: `python -m cxchange report` per format as a new process (imports and a cold renderer included),
    and the import of cxchange.cli alone.
Prints seconds (wall and CPU) and each as a ratio of the baseline's wall time, so runs on a busy machine compare.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxchange import exports, services, store  # noqa: E402

INITIATIVE, WAVE = "Customer First", "2026 Q4"


def best(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The fastest of `repeat` runs: (wall seconds, CPU seconds of this process)."""
    times = []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        run()
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cli", action="store_true", help="also time the command line, one process per format")
    parser.add_argument("--db", type=Path, help="an existing workspace (default: a fresh demo)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="report-bench-"))
    path = args.db or folder / "demo.db"
    if args.db is None:
        services.write_demo(store.open_db(path))
    db = store.open_db(path)
    ids = services.report_ids(db, INITIATIVE, WAVE)
    exports.chart_svg({"mark": "point", "data": {"values": [{"a": 1}]}, "encoding": {"x": {"field": "a"}}})

    rows: list[tuple[str, float, float]] = []
    base_wall, base_cpu = best(lambda: services.readiness_report(db, WAVE), args.repeat)
    rows.append(("baseline: readiness_report", base_wall, base_cpu))
    document = services.report_document(db, *ids)
    rows.append(("document: report_document", *best(lambda: services.report_document(db, *ids), args.repeat)))
    for kind in exports.REPORT_FORMATS:
        wall, cpu = best(lambda kind=kind: exports.report_bytes(document, kind), args.repeat)
        rows.append((f"{kind}: render", wall, cpu))
        doc_wall, doc_cpu = rows[1][1], rows[1][2]
        rows.append((f"{kind}: document + render (the page's click)", doc_wall + wall, doc_cpu + cpu))
    if args.cli:
        command = [sys.executable, "-X", "importtime", "-c", "import cxchange.cli"]
        started = time.perf_counter()
        imported = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT)
        rows.append(("cli: import cxchange.cli", time.perf_counter() - started, float("nan")))
        del imported
        for kind in exports.REPORT_FORMATS:
            out = folder / f"report.{kind}"
            command = [
                sys.executable, "-m", "cxchange", "report", "--db", str(path), "--initiative", INITIATIVE,
                "--wave", WAVE, "--format", kind, "--out", str(out),
            ]  # fmt: skip

            def run(command: list[str] = command) -> None:
                subprocess.run(command, capture_output=True, check=True, cwd=ROOT)

            wall, _ = best(run, args.repeat)
            rows.append((f"cli: report --format {kind}", wall, float("nan")))

    print(f"Demo organisation, {INITIATIVE} {WAVE}; best of {args.repeat}.")
    print(f"{'what':48} {'wall s':>8} {'cpu s':>8} {'× baseline':>11}")
    for name, wall, cpu in rows:
        cpu_text = "–" if cpu != cpu else f"{cpu:.2f}"
        print(f"{name:48} {wall:8.2f} {cpu_text:>8} {wall / base_wall:11.1f}")


if __name__ == "__main__":
    main()
