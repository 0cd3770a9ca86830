"""No small group recoverable from what is published: entered results, group views, distributions, rounding."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxchange import charts, entry, readiness, services, store
from cxchange.model import ELEMENTS

CUSTOMER_OPERATIONS = {"Team": "Customer Operations", "n": 6} | {
    label: 4.0 for label in ("Awareness", "Desire", "Knowledge", "Ability", "Reinforcement")
}


@pytest.fixture
def entered_demo(own_db):
    """The demo with team-level results for Customer Operations (n=6, every mean 4.0) in the latest wave,
    entered the way the entry grid saves them (issue 12)."""
    teams = store.org.teams(own_db)
    ids = dict(zip(teams["name"], teams["id"], strict=True))
    latest = int(store.org.waves(own_db, 1)["id"].iloc[-1])
    grid = pd.concat([entry.empty_grid(), pd.DataFrame([CUSTOMER_OPERATIONS])], ignore_index=True)
    rows, problems = entry.check_grid(grid, ids)
    assert problems == []
    services.save_team_results(own_db, latest, rows, "test")
    return own_db, latest


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


# Property: an attacker with every published cell solves for nothing hidden -------------------------

MINIMUM = 5
VIEWS: dict[str, tuple[str, ...]] = {"all": ("c", "o"), "champions": ("c",), "others": ("o",)}
"""The atoms (champions "c", the rest "o") each view's figure of a subtree adds up; "all" adds entries too."""


@dataclass(frozen=True)
class Organisation:
    """A random organisation: parents, and per wave each team's (champions, others, entered n)."""

    parents: tuple[int | None, ...]
    waves: tuple[tuple[tuple[int, int, int], ...], ...]


def organisation(integer: Callable[[int, int], int], most_teams: int = 10, most_waves: int = 3) -> Organisation:
    """Hierarchies up to 4 deep, teams of 1–60 (some empty), champions in some, entries in some.

    `integer(low, high)` draws one whole number, both ends included: a hypothesis strategy's draw in the
    suite (it shrinks a failure to a small case), numpy's seeded generator in bench/privacy_search.py.
    """
    count = integer(1, most_teams)
    parents: list[int | None] = []
    depth: list[int] = []
    for team in range(count):
        choices = [None, *[p for p in range(team) if depth[p] < 3]]
        parent = choices[integer(0, len(choices) - 1)]
        parents.append(None if parent is None else parent + 1)
        depth.append(0 if parent is None else depth[parent] + 1)
    waves = []
    for _ in range(integer(1, most_waves)):
        cells = []
        for _ in range(count):
            size = integer(1, 60) if integer(0, 3) else 0
            champions = integer(0, min(size, 8)) if size and integer(0, 1) else 0
            entered = integer(1, 20) if integer(0, 4) == 0 else 0
            cells.append((champions, size - champions, entered))
        waves.append(tuple(cells))
    return Organisation(tuple(parents), tuple(waves))


def seeded(seed: int, **limits: int) -> Organisation:
    rng = np.random.default_rng(seed)
    return organisation(lambda low, high: int(rng.integers(low, high + 1)), **limits)


def frames(org: Organisation) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """teams, waves and team_stats as readiness.figures takes them (means drawn at random)."""
    rng = np.random.default_rng(len(org.parents))
    teams = pd.DataFrame(
        {
            "id": range(1, len(org.parents) + 1),
            "name": [f"T{i}" for i in range(1, len(org.parents) + 1)],
            "parent_id": pd.array(org.parents, dtype="Int64"),
            "headcount": np.nan,
        }
    )
    waves = pd.DataFrame(
        {"id": range(1, len(org.waves) + 1), "name": [f"W{w}" for w in range(1, len(org.waves) + 1)]}
    ).assign(opened_on=lambda w: [f"20{i:02d}-01-01" for i in w["id"]], initiative_id=1)
    rows = []
    for wave_id, cells in enumerate(org.waves, start=1):
        for team_id, (champions, others, entered) in enumerate(cells, start=1):
            for flag, n, aggregate in ((1.0, champions, 0), (0.0, others, 0), (np.nan, entered, entered)):
                if n:
                    means = {e: float(rng.uniform(1, 5)) for e in ELEMENTS}
                    readiness_value = (np.mean(list(means.values())) - 1) / 4 * 100
                    rows.append(
                        {"wave_id": wave_id, "team_id": team_id, "is_champion": flag, "n": n, **means}
                        | {f"{e}_sd": np.nan if aggregate else 0.5 for e in ELEMENTS}
                        | {"readiness": readiness_value, "readiness_sd": np.nan if aggregate else 8.0}
                        | {"outcome": np.nan, "outcome_n": 0.0, "aggregate_n": aggregate}
                    )
    return teams, waves, pd.DataFrame(rows)


def subtree_of(parents: tuple[int | None, ...]) -> dict[int, set[int]]:
    """Each team's subtree by plain walking, and the organisation's (id 0)."""
    result = {0: set(range(1, len(parents) + 1))} | {t: {t} for t in range(1, len(parents) + 1)}
    for team in range(1, len(parents) + 1):
        node = parents[team - 1]
        while node is not None:
            result[node].add(team)
            node = parents[node - 1]
    return result


def determined(published: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """Which target rows lie in the row space of the published rows (what least squares solves exactly)."""
    if len(targets) == 0:
        return np.zeros(0, bool)
    if len(published) == 0:
        return ~targets.any(axis=1)
    _, singular, right = np.linalg.svd(published)
    rank = int((singular > 1e-9 * singular.max()).sum())
    null = right[rank:].T
    return np.abs(targets @ null).max(axis=1, initial=0.0) < 1e-7


def attack(org: Organisation, minimum: int = MINIMUM) -> list[str]:
    """Every hidden cell or small group that some linear combination of the published cells gives.

    Entered results are published cells (the entry grid shows them), so the reader knows them and
    takes them off: the unknowns are the n (and sum of scores, by the same equations) of each team's
    own champions and others per wave; an empty part is known to be empty.
    """
    teams, waves, stats = frames(org)
    settings_ = {"min_group_size": minimum, "barrier_threshold": 3.0}
    views = {group: readiness.figures(stats, teams, waves, settings_, group) for group in VIEWS}
    trees = subtree_of(org.parents)
    found = []
    for wave_id, cells in enumerate(org.waves, start=1):
        size = {(t, part): cells[t - 1][i] for t in trees if t for i, part in enumerate("coe")}
        for reader, parts in (("reader", "co"),):
            atoms = [key for key in size if key[1] in parts and size[key] > 0]

            def row(team: int, view: str, atoms=atoms, parts=parts) -> np.ndarray:
                members = trees[team]
                wanted = (*VIEWS[view], "e") if view == "all" and "e" in parts else VIEWS[view]
                return np.array([t in members and p in wanted for t, p in atoms], float)

            published, hidden = [], []
            for view, frame in views.items():
                for team, suppressed in frame.loc[frame["wave_id"] == wave_id, ["team_id", "suppressed"]].itertuples(
                    index=False
                ):
                    vector = row(int(team), view)
                    if not suppressed:
                        published.append(vector)
                    elif vector.any():
                        hidden.append((f"wave {wave_id}: {reader} solves hidden {view} cell of team {team}", vector))
            small = [
                (f"wave {wave_id}: {reader} solves the {size[key]} of team {key[0]} {key[1]}", np.eye(len(atoms))[i])
                for i, key in enumerate(atoms)
                if size[key] < minimum
            ]
            targets = hidden + small
            if not targets:
                continue
            solved = determined(
                np.array(published).reshape(len(published), len(atoms)), np.array([v for _, v in targets])
            )
            found += [name for (name, _), hit in zip(targets, solved, strict=True) if hit]
    return found


EXAMPLES = 10
"""Random organisations per suite run; bench/privacy_search.py runs thousands."""


@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_no_hidden_cell_or_small_group_follows_from_every_published_cell(data):
    # hypothesis draws the organisation (and shrinks a failure to a small one); derandomized, so the suite
    # tries the same organisations on every machine; bench/privacy_search.py tries thousands at random.
    org = organisation(lambda low, high: data.draw(st.integers(low, high)))
    assert attack(org) == [], org


def test_the_attacker_finds_a_child_left_uncovered():
    # P (nobody of its own) over A 10 and B 2: everything else aside, P and A shown would give B away.
    published = np.array([[1.0, 1.0], [1.0, 0.0]])  # P = A + B, A; atoms A, B
    assert determined(published, np.array([[0.0, 1.0]])).tolist() == [True]
    assert determined(published[:1], np.array([[0.0, 1.0]])).tolist() == [False]


def test_chart_data_sent_to_the_browser_carries_rounded_means_and_indices(demo_db):
    settings_ = store.settings.settings(demo_db)
    frame = services.readiness_by_team(demo_db, settings_, 1)
    latest = frame[frame["wave_id"] == frame["wave_id"].max()]
    spec = charts.readiness_heatmap(latest, int(settings_["min_group_size"])).to_dict()
    trend = charts.readiness_trend(readiness.trend_lines(frame, 0), sorted(set(frame["wave"]))).to_dict()
    figures = ("mean", "readiness", "value", "ci_low", "ci_high", *ELEMENTS)
    for document in (spec, trend):
        values = [
            value
            for rows in document["datasets"].values()
            for row in rows
            for key, value in row.items()
            if key in figures and isinstance(value, float)
        ]
        assert values, "no figures found in the chart's data"
        assert all(round(value, 2) == value for value in values)


def test_a_hidden_teams_page_lists_no_comments(demo_db):
    settings_ = store.settings.settings(demo_db)
    frame = services.readiness_by_team(demo_db, settings_, 1)
    latest = int(frame["wave_id"].max())
    rows = wave_rows(frame, latest)
    complaints = rows["Complaints Resolution"]
    assert complaints["suppressed"]
    assert complaints["n"] >= int(settings_["min_comment_group_size"])

    comments, note = services.team_comments(demo_db, settings_, latest, int(complaints["team_id"]))

    assert comments == []
    assert note == readiness.HIDDEN_COMMENTS
    shown, _ = services.team_comments(demo_db, settings_, latest, int(rows["Contact Centre"]["team_id"]))
    assert shown


@pytest.mark.parametrize("group", list(readiness.GROUPS))
def test_answer_and_barrier_counts_leave_no_small_remainder_after_an_entry(entered_demo, group):
    # The security review took Contact Centre's and Complaints Resolution's answer bars from Customer
    # Operations' and had Customer Insight's two people's answers. Distributions exist only for shown
    # teams, so every shown parent minus its shown teams below must leave nobody or at least 5.
    db, wave = entered_demo
    settings_ = store.settings.settings(db)
    teams = store.org.teams(db)
    frame = services.readiness_by_team(db, settings_, 1, group)
    rows = frame[frame["wave_id"] == wave]
    threshold = float(settings_["barrier_threshold"])
    counted = readiness.barrier_shares(store.responses.barrier_counts(db, wave, threshold), teams, rows, group)
    people = counted.groupby("team_id")["count"].sum()
    likert = readiness.likert_shares(store.responses.answer_counts(db, wave), teams, rows, group)
    answers = likert.groupby(["team_id", "element"])["count"].sum().unstack()
    assert set(people.index) <= set(rows.loc[~rows["suppressed"], "team_id"])
    parent_of = dict(zip(rows["team_id"], rows["parent_id"], strict=True))

    def nearest_shown_below(team: int) -> list[int]:
        found = []
        for child in [t for t, p in parent_of.items() if p == team and t != team]:
            found += [child] if child in people.index else nearest_shown_below(child)
        return found

    for team in people.index:
        below = nearest_shown_below(int(team))
        remainder = people[team] - people.reindex(below).sum()
        assert remainder == 0 or remainder >= 5, (group, team, remainder)
        left = answers.loc[team] - answers.reindex(below).sum()
        assert ((left == 0) | (left >= 5)).all(), (group, team, left.to_dict())


def views_of(org: Organisation) -> dict[str, pd.DataFrame]:
    teams, waves, stats = frames(org)
    settings_ = {"min_group_size": MINIMUM, "barrier_threshold": 3.0}
    return {group: readiness.figures(stats, teams, waves, settings_, group).set_index("team_id") for group in VIEWS}


def test_a_team_whose_champions_all_sit_in_one_public_team_below_is_not_hidden_in_vain():
    # Found by bench/privacy_search.py (seed 10076): team 2 over team 3 (no champions of its own, 6 others)
    # over team 4 (5 champions, nobody else) and team 5 (9 others); team 6 beside team 3 (6 champions).
    # Team 3's champion figure is team 4's, which is published (team 4 has nobody else), so hiding team 3
    # in the group views protected nothing and left its figures one subtraction away. Team 6 is hidden instead.
    org = Organisation(
        parents=(None, 1, 2, 3, 3, 2),
        waves=(((0, 40, 0), (2, 39, 0), (0, 6, 0), (5, 0, 0), (0, 9, 0), (6, 47, 0)),),
    )
    views = views_of(org)
    assert attack(org) == []
    for view in ("champions", "others"):
        assert not views[view].loc[3, "suppressed"], view
    assert views["champions"].loc[6, "suppressed"]
    assert views["others"].loc[6, "suppressed"]


def test_a_hidden_teams_group_figure_made_of_a_shown_team_below_is_shown():
    # Found by bench/privacy_search.py (seed 10078): team 2 (5 champions, nobody else) over team 3 (16 others,
    # 17 entered), under team 1 with 2 people of its own. Team 2 is hidden for everyone to protect those 2, so
    # it is hidden in the champion view; but its "everyone but champions" figure is team 3's to the person.
    # Calling it hidden was untrue: it is shown, and the champion figure stays hidden.
    org = Organisation(parents=(None, 1, 2), waves=(((0, 2, 0), (5, 0, 0), (0, 16, 17)),))
    views = views_of(org)
    assert attack(org) == []
    assert views["all"].loc[2, "suppressed"]
    assert views["champions"].loc[2, "suppressed"]
    others = views["others"]
    assert not others.loc[2, "suppressed"]
    assert others.loc[2, "n"] == others.loc[3, "n"] == 16
    assert others.loc[2, "readiness"] == others.loc[3, "readiness"]


@pytest.mark.parametrize("seed", [10076, 10078, 10517, 10572])
def test_the_organisations_the_long_search_broke_hold_now(seed):
    assert attack(seeded(seed, most_teams=14)) == []
