"""Survey import against its floor: pandas reads the file, labels become numbers, executemany writes rows.

Usage: python bench/import_bench.py [--respondents 200000] [--teams 500] [--which both|ours|floor]
Generates a CSV in the default bank's wording, then, each in a fresh process so peak memory is its own,
imports it with cxchange and with the floor (one row per response, one transaction). Prints seconds,
peak memory (max RSS) and the ratio.
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cxchange import services, store  # noqa: E402
from cxchange.model import DEFAULT_ITEMS, SCALE  # noqa: E402

LABELS = [label.capitalize() for label in SCALE]  # "Strongly disagree" … "Strongly agree"


def generate(path: Path, respondents: int, teams: int, seed: int = 1) -> None:
    """A plain CSV export: Team, the 16 items as labels, a comment now and then."""
    rng = np.random.default_rng(seed)
    chunk = 50_000
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Response ID", "Team", *(item.text for item in DEFAULT_ITEMS), "Comments"])
        for start in range(0, respondents, chunk):
            size = min(chunk, respondents - start)
            values = np.clip(np.rint(rng.normal(3.5, 1.0, size=(size, len(DEFAULT_ITEMS)))), 1, 5).astype(int) - 1
            team = rng.integers(1, teams + 1, size=size)
            for offset in range(size):
                row_id = start + offset + 1
                writer.writerow(
                    [f"R{row_id}", f"Team {team[offset]}", *(LABELS[v] for v in values[offset]),
                     "More training please" if row_id % 20 == 0 else ""]
                )  # fmt: skip


def floor(csv_path: Path, db_path: Path) -> None:
    """The least any import must do: read, turn labels into numbers, write one row per response."""
    import pandas as pd

    frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    numbers = {label: value for value, label in enumerate(LABELS, start=1)}
    items = frame.columns[2:-1]
    values = frame[items].apply(lambda column: column.map(numbers))
    connection = sqlite3.connect(db_path)
    connection.execute(
        "CREATE TABLE responses (id INTEGER PRIMARY KEY, source TEXT, team TEXT, comment TEXT, "
        + ", ".join(f"q{i} INTEGER" for i in range(len(items)))
        + ")"
    )
    rows = zip(
        frame["Response ID"], frame["Team"], frame["Comments"], *(values[c].tolist() for c in items), strict=True
    )
    with connection:
        connection.executemany(
            f"INSERT INTO responses (source, team, comment, {', '.join(f'q{i}' for i in range(len(items)))}) "
            f"VALUES ({', '.join('?' * (3 + len(items)))})",
            rows,
        )
    connection.close()


def ours(csv_path: Path, db_path: Path) -> None:
    db = store.open_db(db_path)
    result = services.import_survey(db, csv_path.read_bytes(), csv_path.name, "Bench wave", imported_by="bench")
    assert result.written


def measure(which: str, csv_path: Path, db_path: Path) -> dict:
    start = time.perf_counter()
    (floor if which == "floor" else ours)(csv_path, db_path)
    seconds = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"which": which, "seconds": seconds, "peak_mb": peak_mb}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=200_000)
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--which", choices=["both", "ours", "floor"], default="both")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, alternating; medians reported")
    parser.add_argument("--csv", type=Path, help="(internal) the generated file")
    parser.add_argument("--db", type=Path, help="(internal) the database to write")
    args = parser.parse_args()
    if args.which != "both":
        print(json.dumps(measure(args.which, args.csv, args.db)))
        return
    with tempfile.TemporaryDirectory() as folder:
        csv_path = Path(folder) / "survey.csv"
        start = time.perf_counter()
        generate(csv_path, args.respondents, args.teams)
        size_mb = csv_path.stat().st_size / 1e6
        print(f"{args.respondents:,} respondents, {args.teams} teams: {size_mb:.0f} MB CSV "
              f"(generated in {time.perf_counter() - start:.1f} s)")  # fmt: skip
        runs = {"floor": [], "ours": []}
        for attempt in range(args.repeat):
            for which in ("floor", "ours"):
                db_path = Path(folder) / f"{which}-{attempt}.db"
                completed = subprocess.run(
                    [sys.executable, __file__, "--which", which, "--csv", str(csv_path), "--db", str(db_path)],
                    capture_output=True, text=True, check=True,
                )  # fmt: skip
                runs[which].append(json.loads(completed.stdout.strip().splitlines()[-1]))
                db_path.unlink()
        results = {
            which: {key: statistics.median(run[key] for run in measured) for key in ("seconds", "peak_mb")}
            for which, measured in runs.items()
        }
        for which, label in (("floor", "floor (pandas + executemany)"), ("ours", "cxchange import")):
            r = results[which]
            print(f"  {label:30s} {r['seconds']:7.2f} s   peak {r['peak_mb']:6.0f} MB")
        print(f"  ratio: {results['ours']['seconds'] / results['floor']['seconds']:.2f}x the floor "
              f"(medians of {args.repeat} alternating runs, each in a fresh process)")  # fmt: skip


if __name__ == "__main__":
    main()
