"""How suppression's cost grows with the number of teams: 100, 500 and 2,000 teams, six waves, three views.

Suppression checks each parent against the teams nearest below it, pass after pass along the tree,
never a global solver, so its cost should grow about linearly with the teams. Prints, per size,
the time of scoring.suppress for everyone (one count) and for the group views (champions and the
rest, suppressed together), and of readiness.figures for every view:
    .venv/bin/python bench/suppression_bench.py [--teams 100 500 2000] [--waves 6]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from cxchange import readiness  # noqa: E402
from cxchange.model import ELEMENTS  # noqa: E402


def organisation(teams: int, waves: int, seed: int = 1) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A random tree (up to 4 deep), teams of 0-60 respondents with a few champions, some entries."""
    rng = np.random.default_rng(seed)
    parents: list[int | None] = []
    depth: list[int] = []
    for team in range(teams):
        candidates = [p for p in range(max(0, team - 50), team) if depth[p] < 3]
        parent = None if not candidates or rng.random() < 0.05 else int(rng.choice(candidates))
        parents.append(None if parent is None else parent + 1)
        depth.append(0 if parent is None else depth[parent] + 1)
    frame = pd.DataFrame(
        {"id": range(1, teams + 1), "name": [f"T{i}" for i in range(1, teams + 1)]}
        | {"parent_id": pd.array(parents, dtype="Int64"), "headcount": np.nan}
    )
    wave_frame = pd.DataFrame({"id": range(1, waves + 1), "name": [f"W{w}" for w in range(1, waves + 1)]})
    wave_frame = wave_frame.assign(opened_on=[f"20{w:02d}-01-01" for w in range(1, waves + 1)], initiative_id=1)
    rows = []
    for wave in range(1, waves + 1):
        size = np.where(rng.random(teams) < 0.2, 0, rng.integers(1, 61, teams))
        champions = np.minimum(size, rng.integers(0, 6, teams))
        entered = np.where(rng.random(teams) < 0.05, rng.integers(1, 20, teams), 0)
        for team in range(teams):
            for flag, n, aggregate in ((1.0, champions[team], 0), (0.0, size[team] - champions[team], 0)) + (
                (np.nan, entered[team], entered[team]),
            ):
                if n:
                    rows.append(
                        {"wave_id": wave, "team_id": team + 1, "is_champion": flag, "n": int(n)}
                        | {e: 3.0 for e in ELEMENTS}
                        | {f"{e}_sd": np.nan if aggregate else 0.5 for e in ELEMENTS}
                        | {"readiness": 50.0, "readiness_sd": np.nan if aggregate else 8.0}
                        | {"outcome": np.nan, "outcome_n": 0.0, "aggregate_n": int(aggregate)}
                    )
    return frame, wave_frame, pd.DataFrame(rows)


def best(function, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teams", type=int, nargs="+", default=[100, 500, 2000])
    parser.add_argument("--waves", type=int, default=6)
    args = parser.parse_args()
    settings = {"min_group_size": 5, "barrier_threshold": 3.0}
    teams, waves, stats = organisation(20, 1)
    readiness.figures(stats, teams, waves, settings)  # scipy and the first calls warm up outside the timings
    print(f"{'teams':>6} {'everyone s':>11} {'groups s':>9} {'figures, 3 views s':>19} {'hidden %':>9}")
    for size in args.teams:
        teams, waves, stats = organisation(size, args.waves)
        everyone = readiness._suppressed_view(stats, teams, 5, forced=set())
        hidden = readiness._hidden_keys(everyone)
        alone = best(lambda: readiness._suppressed_view(stats, teams, 5, forced=set()))  # noqa: B023
        groups = best(lambda: readiness._group_view(stats, teams, 5, "champions", hidden))  # noqa: B023
        views = best(lambda: [readiness.figures(stats, teams, waves, settings, g) for g in readiness.GROUPS])  # noqa: B023
        share = 100 * everyone["suppressed"].mean()
        print(f"{size:>6} {alone:>11.3f} {groups:>9.3f} {views:>19.3f} {share:>9.1f}")


if __name__ == "__main__":
    main()
