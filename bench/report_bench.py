"""The readiness report in each format at the demo's size, against a baseline measured in the same run.

Usage: python bench/report_bench.py [--repeat 3] [--cli] [--db PATH]
Writes the demo organisation (or uses --db), then times, best of --repeat:
  - baseline: services.readiness_report (the `readiness --json` computation: figures for every team and wave);
  - document: services.report_document (figures, the executive summary, the charts' specs);
  - html / pdf / pptx: exports.report_bytes of that document, in a process whose chart renderer is warm
    (as the app's is after its first chart);
  - with --cli: `python -m cxchange report` per format as a new process (imports and a cold renderer included),
    and the import of cxchange.cli alone.
Prints seconds (wall, and CPU of this process and its children) and each as a ratio of the baseline's CPU time,
so runs on a busy machine (where wall time waits for a core) still compare.
"""

from __future__ import annotations

import argparse
import resource
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


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def best(run: Callable[[], object], repeat: int) -> tuple[float, float]:
    """The fastest of `repeat` runs: (wall seconds, CPU seconds of this process and of the processes it ran)."""
    times = []
    for _ in range(repeat):
        wall, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        run()
        times.append((time.perf_counter() - wall, time.process_time() - cpu + _children_cpu() - children))
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
    _, base_cpu = best(lambda: services.readiness_report(db, WAVE), args.repeat)
    rows.append(("baseline: readiness_report", *best(lambda: services.readiness_report(db, WAVE), args.repeat)))
    document = services.report_document(db, *ids)
    rows.append(("document: report_document", *best(lambda: services.report_document(db, *ids), args.repeat)))
    for kind in exports.REPORT_FORMATS:
        wall, cpu = best(lambda kind=kind: exports.report_bytes(document, kind), args.repeat)
        rows.append((f"{kind}: render", wall, cpu))
        doc_wall, doc_cpu = rows[1][1], rows[1][2]
        rows.append((f"{kind}: document + render (the page's click)", doc_wall + wall, doc_cpu + cpu))
    if args.cli:
        command = [sys.executable, "-c", "import cxchange.cli"]
        rows.append(("cli: import cxchange.cli", *best(lambda: subprocess.run(command, check=True, cwd=ROOT), 1)))
        for kind in exports.REPORT_FORMATS:
            out = folder / f"report.{kind}"
            command = [
                sys.executable, "-m", "cxchange", "report", "--db", str(path), "--initiative", INITIATIVE,
                "--wave", WAVE, "--format", kind, "--out", str(out),
            ]  # fmt: skip

            def run(command: list[str] = command) -> None:
                subprocess.run(command, capture_output=True, check=True, cwd=ROOT)

            rows.append((f"cli: report --format {kind}", *best(run, args.repeat)))

    print(f"Demo organisation, {INITIATIVE} {WAVE}; best of {args.repeat}.")
    print(f"{'what':48} {'wall s':>8} {'cpu s':>8} {'cpu × baseline':>15}")
    for name, wall, cpu in rows:
        print(f"{name:48} {wall:8.2f} {cpu:8.2f} {cpu / base_cpu:15.1f}")


if __name__ == "__main__":
    main()
