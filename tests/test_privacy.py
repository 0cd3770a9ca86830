"""No small group recoverable from what is published: entered results, group views, distributions, rounding."""

from __future__ import annotations

import pandas as pd
import pytest

from cxchange import entry, services, store

CUSTOMER_OPERATIONS = {"Team": "Customer Operations", "n": 6} | {
    label: 4.0 for label in ("Awareness", "Desire", "Knowledge", "Ability", "Reinforcement")
}


@pytest.fixture
def entered_demo(demo_db):
    """The demo with team-level results for Customer Operations (n=6, every mean 4.0) in the latest wave,
    entered the way the entry grid saves them (issue 12)."""
    teams = store.org.teams(demo_db)
    ids = dict(zip(teams["name"], teams["id"], strict=True))
    latest = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    grid = pd.concat([entry.empty_grid(), pd.DataFrame([CUSTOMER_OPERATIONS])], ignore_index=True)
    rows, problems = entry.check_grid(grid, ids)
    assert problems == []
    services.save_team_results(demo_db, latest, rows, "test")
    return demo_db, latest


def wave_rows(frame: pd.DataFrame, wave_id: int) -> dict[str, pd.Series]:
    rows = frame[frame["wave_id"] == wave_id]
    return {row["team"]: row for _, row in rows.iterrows()}


def test_entered_results_do_not_let_subtraction_give_customer_insight_back(entered_demo):
    db, wave = entered_demo
    rows = wave_rows(services.readiness_by_team(db, store.settings.settings(db), 1), wave)
    parent, children = rows["Customer Operations"], [rows["Contact Centre"], rows["Complaints Resolution"]]
    assert rows["Customer Insight"]["suppressed"]
    assert parent["aggregate_n"] == 6

    # Before the fix every term was shown: (213·72.04 - 6·75 - 173·74.47 - 32·57.99) / 2 gave
    # Customer Insight's index back from the rounded figures. One of them must be hidden.
    assert any(row["suppressed"] for row in [parent, *children])
