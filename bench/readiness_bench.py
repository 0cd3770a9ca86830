"""Readiness aggregation against its floor: a raw GROUP BY over the same responses table.

Usage: python bench/readiness_bench.py [--respondents 100000] [--teams 500] [--waves 24] [--repeat 3] [--page]
Builds a synthetic workspace (element scores only, no item answers), then times, in the same run,
services.readiness_by_team (what the pages run, cold: no cache) and the floor queries. With
--page, also the Readiness page through AppTest: its first run, and its reruns with a warm cache.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxchange import services, store  # noqa: E402
from cxchange.model import ELEMENTS  # noqa: E402

FLOOR = """
SELECT wave_id, team_id, COUNT(*), AVG(awareness), AVG(desire), AVG(knowledge), AVG(ability),
       AVG(reinforcement), AVG(readiness), SUM(readiness * readiness)
FROM responses WHERE complete = 1 GROUP BY wave_id, team_id
"""
"""The smallest GROUP BY that gives element means and the readiness sd per team and wave."""

SAME_STATISTICS_FLOOR = f"""
SELECT wave_id, team_id, is_champion, COUNT(*),
       {", ".join(f"SUM({c}), SUM({c} * {c})" for c in (*ELEMENTS, "readiness"))}, SUM(outcome), COUNT(outcome)
FROM responses WHERE complete = 1 GROUP BY wave_id, team_id, is_champion
"""
"""The raw GROUP BY of exactly the statistics the Readiness page needs: respondent groups, and the
sums of squares behind every element's CI and Welch test. Everything beyond it is our overhead."""


def build(path: Path, respondents: int, teams: int, waves: int, seed: int = 1) -> None:
    rng = np.random.default_rng(seed)
    db = store.open_db(path)
    parents = max(teams // 10, 1)
    with db.atomic():
        store.insert_rows(db, "initiatives", [{"id": 1, "name": "Bench", "started_on": "2020-01-01"}])
        store.insert_rows(
            db,
            "teams",
            [{"id": i + 1, "name": f"Division {i + 1}", "parent_id": None, "headcount": None} for i in range(parents)]
            + [
                {"id": parents + i + 1, "name": f"Team {i + 1}", "parent_id": i % parents + 1, "headcount": 100}
                for i in range(teams - parents)
            ],
        )
        quarters = [f"{2020 + w // 4}-{w % 4 * 3 + 1:02d}-01" for w in range(waves)]
        store.insert_rows(
            db,
            "waves",
            [
                {"id": w + 1, "initiative_id": 1, "name": f"Wave {w + 1}", "opened_on": day}
                for w, day in enumerate(quarters)
            ],
        )
        scores = np.clip(rng.normal(3.4, 0.8, size=(respondents, 5)), 1, 5)
        index = (scores.mean(axis=1) - 1) / 4 * 100
        team_ids = rng.integers(parents + 1, teams + 1, size=respondents)
        wave_ids = rng.integers(1, waves + 1, size=respondents)
        rows = (
            (i + 1, int(wave_ids[i]), int(team_ids[i]), f"h{i}", 1, *map(float, scores[i]), float(index[i]))
            for i in range(respondents)
        )
        db.conn.executemany(
            f"INSERT INTO responses (id, wave_id, team_id, source_hash, complete, {', '.join(ELEMENTS)}, readiness)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
    db.execute("ANALYZE")
    db.close()


def timed(function, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def interleaved(functions: list, repeat: int) -> list[float]:
    """Median time of each function, run in turns, so a shared machine's slow spells hit them all alike."""
    times: list[list[float]] = [[] for _ in functions]
    for _ in range(repeat):
        for position, function in enumerate(functions):
            start = time.perf_counter()
            function()
            times[position].append(time.perf_counter() - start)
    return [statistics.median(each) for each in times]


def page_times(path: Path, repeat: int) -> tuple[float, float]:
    """The Readiness page's first run (cold caches) and the median of its reruns (warm caches)."""
    import os

    from streamlit.testing.v1 import AppTest

    os.environ["CXCHANGE_DB"] = str(path)
    app = AppTest.from_file(str(Path(__file__).resolve().parent.parent / "app.py"), default_timeout=600)
    app.run()
    start = time.perf_counter()
    app.switch_page("app_pages/readiness.py").run()
    first = time.perf_counter() - start
    if app.exception:
        raise RuntimeError(app.exception[0].message)
    return first, timed(app.run, repeat + 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=100_000)
    parser.add_argument("--teams", type=int, default=500)
    parser.add_argument("--waves", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page", action="store_true", help="also time the Readiness page through AppTest")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        start = time.perf_counter()
        build(path, args.respondents, args.teams, args.waves)
        print(f"built {args.respondents:,} respondents, {args.teams} teams, {args.waves} waves "
              f"in {time.perf_counter() - start:.1f} s")  # fmt: skip
        db = store.open_db(path)
        settings = store.settings.settings(db)
        floor, same, ours, group = interleaved(
            [
                lambda: db.execute(FLOOR).fetchall(),
                lambda: db.execute(SAME_STATISTICS_FLOOR).fetchall(),
                lambda: services.readiness_by_team(db, settings, 1),
                lambda: services.readiness_by_team(db, settings, 1, "champions"),
            ],
            args.repeat,
        )
        print(f"floor, smallest GROUP BY (readiness sd only):   {floor * 1000:8.1f} ms")
        print(f"floor, GROUP BY of the same statistics:         {same * 1000:8.1f} ms")
        print(f"readiness_by_team, all respondents (cold):      {ours * 1000:8.1f} ms")
        print(f"readiness_by_team, champions (cold):            {group * 1000:8.1f} ms")
        print(f"ratio to the same-statistics floor: {ours / same:.2f}x (champions {group / same:.2f}x); "
              f"to the smallest: {ours / floor:.2f}x (median of {args.repeat})")  # fmt: skip
        if args.page:
            first, warm = page_times(path, args.repeat)
            print(f"Readiness page through AppTest: first run {first * 1000:.0f} ms, "
                  f"rerun with a warm cache {warm * 1000:.0f} ms (median of {args.repeat + 2})")  # fmt: skip


if __name__ == "__main__":
    main()
