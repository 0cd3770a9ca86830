"""The demo organisation: deterministic, about the promised size, and its stories show in the numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import streamlit as st
from conftest import mark_own
from scipy import stats
from streamlit.testing.v1 import AppTest

from cxchange import hierarchy, outcomes, sample_data, services, store, ui

ROOT = Path(__file__).resolve().parent.parent


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


# A demo that stays true (issue 14) ------------------------------------------------------------------------


def test_outcomes_follow_readiness_only_in_part_in_every_wave(demo_db):
    # As the CX outcomes page does: every team's shown readiness beside its figure, Pearson's r within a wave.
    frame = services.readiness_by_team(demo_db, store.settings.settings(demo_db), 1)
    points = outcomes.readiness_vs_outcomes(frame, store.outcomes.cx_outcomes(demo_db))
    found = {
        (metric, wave): stats.pearsonr(rows["readiness"], rows["value"]).statistic
        for (metric, wave), rows in points.groupby(["metric", "wave"])
    }
    assert len(found) == 3 * 6
    for (metric, wave), r in found.items():
        sign = -1 if metric == "complaint_rate" else 1  # fewer complaints where teams are readier
        assert 0.3 <= sign * r <= 0.6, (metric, wave, round(r, 2))
    pandas_r = points[points["metric"] == "nps"].groupby("wave")[["readiness", "value"]].corr().xs("value", level=1)
    assert pandas_r["readiness"].to_dict() == pytest.approx({w: r for (m, w), r in found.items() if m == "nps"})


def test_outcomes_still_fall_with_supply_chains_readiness(demo_db):
    figures = store.outcomes.cx_outcomes(demo_db)
    nps = figures[figures["metric"] == "nps"].pivot(index="period", columns="team", values="value")
    assert nps.loc["2026 Q4", "Distribution Centre"] < nps.loc["2025 Q4", "Distribution Centre"] - 5
    assert nps.loc["2026 Q4", "Stores West"] < nps.loc["2026 Q4", "Contact Centre"]


def _people(database) -> set[str]:
    """Every first and family name of a person the demo names: owners, sponsors, champions."""
    named = pd.concat(
        [
            store.frame(database, "SELECT owner AS who FROM actions"),
            store.frame(database, "SELECT owner AS who FROM initiatives"),
            store.frame(database, "SELECT DISTINCT sponsor AS who FROM sponsor_activities"),
            store.frame(database, "SELECT alias AS who FROM champions"),
        ]
    )["who"]
    return {word.strip(".") for who in named.dropna() for word in who.split(",")[0].split() if len(word) > 3}


def test_comments_vary_and_name_nobody(demo_db):
    comments = store.frame(
        demo_db,
        """
        SELECT waves.name AS wave, teams.name AS team, comment FROM responses
        JOIN waves ON waves.id = responses.wave_id JOIN teams ON teams.id = responses.team_id
        WHERE comment IS NOT NULL
        """,
    )
    assert len(comments) > 600
    repeats = comments.groupby(["wave", "comment"]).size()
    assert repeats.max() <= 2, repeats.idxmax()  # no text more than twice in one wave
    assert comments["comment"].nunique() > 200
    people = _people(demo_db)
    assert {"Hannah", "Reed", "Victor", "Priya"} <= people
    words = {word.strip(".,'") for comment in comments["comment"] for word in comment.split()}
    assert not words & people
    assert not comments["comment"].str.contains("{", regex=False).any()  # every place filled in
    on_the_phones = comments[comments["comment"].str.contains("on the phones")]["team"]
    assert set(on_the_phones) <= {"Contact Centre", "Complaints Resolution", "Customer Insight"}


def test_actions_are_owned_by_named_people_with_their_roles(demo_db):
    owned = store.frame(
        demo_db, "SELECT actions.owner, teams.name AS team FROM actions LEFT JOIN teams ON teams.id = actions.team_id"
    )
    assert "Programme office" not in set(owned["owner"])
    for owner in owned["owner"]:
        name, _, role = owner.partition(", ")
        assert len(name.split()) == 2, owner  # "Sunita Rao, Stores Operations Manager"
        assert role, owner
    assert owned["owner"].nunique() >= len(owned) - 1
    by_team = owned.dropna(subset=["team"]).groupby("team")["owner"].nunique()
    assert by_team["Contact Centre"] == 2
    supply = owned[owned["team"] == "Supply Chain"]["owner"].tolist()
    assert supply == ["Victor Lang, Supply Chain Director"]  # the quiet sponsor owns the overdue briefing


def test_the_demo_counts_days_from_its_own_day_and_an_own_workspace_from_today(demo_path, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    assert ui.today() == sample_data.LAST_DAY == date(2026, 11, 20)
    mark_own(demo_path)
    st.cache_data.clear()
    assert ui.today() == date.today()


def test_demo_pages_name_the_days_since_the_demos_day_and_its_banner_says_so(demo_path, monkeypatch):
    monkeypatch.setenv("CXCHANGE_DB", str(demo_path))
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60).switch_page("app_pages/programme_health.py").run()
    assert not at.exception
    shown = "\n".join(str(element.value) for kind in ("markdown", "info") for element in at.get(kind))
    shown = shown.replace("\\", "")  # the checklist's reasons are escaped for Markdown
    assert "made-up organisation, as of 20 Nov 2026" in shown
    tables = {table: rows for table, rows, _ in sample_data.demo().tables}
    last = max(
        row["happened_on"] for row in tables["sponsor_activities"] if row["initiative_id"] == 1 and not row["team_id"]
    )
    days = (sample_data.LAST_DAY - date.fromisoformat(last)).days
    assert f"Hannah Reed's last activity was {days} days ago" in shown
