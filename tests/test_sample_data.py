"""The demo organisation: deterministic, about the promised size, and its stories show in the numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from cxchange import hierarchy, sample_data, services, store


def _figures(database) -> pd.DataFrame:
    frame = services.readiness_by_team(database, store.settings.settings(database), 1)
    return frame.set_index(["team", "wave"])


@pytest.fixture(scope="module")
def figures(demo_file) -> pd.DataFrame:
    database = store.open_db(demo_file)
    try:
        return _figures(database)
    finally:
        database.close()


def _dump(database) -> dict[str, list]:
    return {
        table: store.frame(database, f"SELECT * FROM [{table}] ORDER BY 1, 2")
        .astype(object)
        .fillna("NULL")
        .values.tolist()
        for table in store.DATA_TABLES
    }


def test_same_seed_same_database(tmp_path, demo_file):
    again = store.open_db(tmp_path / "again.db")
    services.write_demo(again, seed=sample_data.DEFAULT_SEED)
    first = store.open_db(demo_file)
    assert _dump(again) == _dump(first)


def test_another_seed_other_answers(tmp_path, demo_db):
    other = store.open_db(tmp_path / "other.db")
    services.write_demo(other, seed=99)
    assert store.count(other, "teams") == store.count(demo_db, "teams")
    assert _dump(other)["responses"] != _dump(demo_db)["responses"]


def test_size_and_shape(demo_db):
    teams = store.org.teams(demo_db)
    assert 12 <= len(teams) <= 18
    assert 1_700 <= teams["headcount"].sum() <= 1_900
    depth = hierarchy.team_tree(teams)["depth"].max()
    assert depth in (2, 3)
    assert store.org.initiatives(demo_db)["name"].tolist() == ["Customer First", "Digital self-service"]
    assert len(store.org.waves(demo_db, 1)) == 6
    for table in ("champions", "champion_activities", "kotter_step_history", "sponsor_activities", "actions"):
        assert store.count(demo_db, table) > 0, table
    metrics = set(store.frame(demo_db, "SELECT DISTINCT metric FROM cx_outcomes")["metric"])
    assert metrics == {"nps", "csat", "complaint_rate"}
    assert store.settings.workspace_kind(demo_db) == "demo"


def test_stores_stall_at_knowledge_until_training_in_wave_4(figures):
    stores = figures.loc["Stores"]
    waves = list(stores.index)
    awareness, desire, knowledge = stores["awareness"], stores["desire"], stores["knowledge"]
    assert all(awareness.iloc[i] < awareness.iloc[i + 1] for i in range(5))
    assert all(desire.iloc[i] < desire.iloc[i + 1] for i in range(5))
    assert stores["barrier_point"].iloc[:3].tolist() == ["knowledge"] * 3
    assert knowledge.iloc[:3].max() - knowledge.iloc[:3].min() < 0.15  # stalled
    assert knowledge[waves[3]] - knowledge[waves[2]] > 0.6  # training lands in wave 4
    assert stores["barrier_point"].iloc[3] != "knowledge"


def test_contact_centre_has_best_reinforcement_and_most_active_champions(figures, demo_db):
    latest = figures.xs("2026 Q4", level="wave")
    leaves = latest[(latest["direct_n"] > 0) & ~latest["suppressed"]]
    assert leaves["reinforcement"].idxmax() == "Contact Centre"
    activity = store.frame(
        demo_db,
        """
        SELECT teams.name, COUNT(*) AS activities FROM champion_activities
        JOIN champions ON champions.id = champion_activities.champion_id
        JOIN teams ON teams.id = champions.team_id
        WHERE champion_activities.happened_on >= '2026-08-01' GROUP BY teams.name
        """,
    ).set_index("name")["activities"]
    assert activity.idxmax() == "Contact Centre"


def test_supply_chain_sponsor_goes_quiet_and_readiness_falls_from_wave_3(figures, demo_db):
    supply = figures.loc["Supply Chain"]["readiness"]
    assert supply.iloc[2] < supply.iloc[1]
    assert all(supply.iloc[i] > supply.iloc[i + 1] for i in range(2, 5))
    last = store.frame(
        demo_db,
        """
        SELECT MAX(happened_on) AS last FROM sponsor_activities
        JOIN teams ON teams.id = sponsor_activities.team_id WHERE teams.name = 'Supply Chain'
        """,
    )["last"].iloc[0]
    assert last < "2025-10-01"


def test_one_team_is_always_below_the_minimum_and_suppressed(figures):
    insight = figures.loc["Customer Insight"]
    assert len(insight) == 6
    assert (insight["n"] < 5).all()
    assert insight["suppressed"].all()
    assert insight["readiness"].isna().all()


def test_ecommerce_is_strong_throughout(figures):
    for wave, rows in figures.groupby(level="wave"):
        shown = rows[(rows["direct_n"] > 0) & ~rows["suppressed"]].droplevel("wave")
        assert shown["readiness"].rank(ascending=False)["E-commerce"] <= 2, wave
        assert figures.loc[("E-commerce", wave), "readiness"] > 70
