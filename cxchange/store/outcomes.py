"""CX outcome figures per team, period and metric."""

from __future__ import annotations

import json
from collections.abc import Iterable

import pandas as pd
from sqlite_utils import Database

from cxchange.store.base import frame


def cx_outcomes(db: Database, period: str | None = None) -> pd.DataFrame:
    """Outcome figures (team_id, team, period, metric, value) of one period or all, by period, team, metric."""
    result = frame(
        db,
        """
        SELECT cx_outcomes.team_id, teams.name AS team, cx_outcomes.period, cx_outcomes.metric, cx_outcomes.value
        FROM cx_outcomes JOIN teams ON teams.id = cx_outcomes.team_id
        WHERE :period IS NULL OR cx_outcomes.period = :period
        ORDER BY cx_outcomes.period, teams.name, cx_outcomes.metric
        """,
        {"period": period},
    )
    return result.astype({"team_id": "int64", "value": "float64"})


def save_cx_outcomes(
    db: Database, rows: pd.DataFrame, replace_period: str | None = None, within: Iterable[int] | None = None
) -> dict[str, int]:
    """Write checked figures (team_id, period, metric, value), keyed on team, period and metric.

    A figure already stored is updated, never doubled, so writing the same rows twice changes nothing.
    With `replace_period`, that period's stored figures missing from `rows` are removed (the entry grid
    holds its period whole), only those of the teams `within` where given (the grid of someone who looks
    after some teams). Returns how many figures were added, changed, unchanged and removed.
    """
    counts = {"added": 0, "changed": 0, "unchanged": 0, "removed": 0}
    wanted = {
        (int(r.team_id), str(r.period), str(r.metric)): float(r.value)
        for r in rows[["team_id", "period", "metric", "value"]].itertuples(index=False)
    }
    periods = sorted({period for _, period, _ in wanted} | ({replace_period} if replace_period is not None else set()))
    stored = {
        (team_id, period, metric): value
        for team_id, period, metric, value in db.execute(
            "SELECT team_id, period, metric, value FROM cx_outcomes "
            "WHERE period IN (SELECT value FROM json_each(:periods))",
            {"periods": json.dumps(periods)},
        )
    }
    writes = []
    for key, value in wanted.items():
        status = "added" if key not in stored else "unchanged" if stored[key] == value else "changed"
        counts[status] += 1
        if status != "unchanged":
            writes.append((*key, value))
    db.conn.executemany(
        "INSERT INTO cx_outcomes (team_id, period, metric, value) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (team_id, period, metric) DO UPDATE SET value = excluded.value",
        writes,
    )
    if replace_period is not None:
        kept = None if within is None else {int(team) for team in within}
        gone = [
            key for key in stored if key[1] == replace_period and key not in wanted and (kept is None or key[0] in kept)
        ]
        db.conn.executemany("DELETE FROM cx_outcomes WHERE team_id = ? AND period = ? AND metric = ?", gone)
        counts["removed"] = len(gone)
    return counts
