"""Whoever sees every figure of every respondent filter must learn nothing about a group below the minimum.

Each wave's respondents fall into atoms: those recorded directly against one team in one group
(champion or not). Every figure a view shows (everyone, champions, everyone but champions) adds up
atoms: the team's subtree times the view's groups, giving n and the sum of scores. A reader who sees
all three views can add and subtract any of those figures, so a small group is given away exactly
where the indicator of its atoms is a linear combination of the shown figures' indicators. The
auditor below tries every set of atoms holding 1 to min_group_size - 1 respondents and asks numpy.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from cxchange import hierarchy, readiness, services, store
from cxchange.model import ELEMENTS, OUTCOME, readiness_index

ORGANISATION = 0
INITIATIVE = 1
GROUP_MEMBERS: dict[str, tuple[int, ...]] = {"all": (0, 1), "champions": (1,), "others": (0,)}
"""The is_champion values each view's figures add up."""
ITEMS = {"awareness": "AW1", "desire": "DE1", "knowledge": "KN1", "ability": "AB1", "reinforcement": "RE1"}
MEANS = (*ELEMENTS, "readiness")


# The auditor --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Leak:
    """Respondents (team name, is_champion) whose n and score sums the shown figures give away."""

    atoms: tuple[tuple[str, int], ...]
    n: int


def subtrees(teams: pd.DataFrame) -> dict[int, set[int]]:
    """Each team's subtree (itself included) and the organisation's (every team), worked out here."""
    parent = {
        int(t): (ORGANISATION if pd.isna(p) else int(p)) for t, p in zip(teams["id"], teams["parent_id"], strict=True)
    }
    result: dict[int, set[int]] = {ORGANISATION: set(parent), **{team: {team} for team in parent}}
    for team in parent:
        node = parent[team]
        while node != ORGANISATION:
            result[node].add(team)
            node = parent[node]
    return result


def atom_columns(views: dict[str, pd.DataFrame], teams: pd.DataFrame) -> pd.MultiIndex:
    """The atoms a reader cannot rule out: (team_id, is_champion) where the team has a row in that group's view.

    A view has a row wherever the team's subtree has respondents of the group, shown or hidden, so a
    missing row tells any reader that the team's own atom is empty: it is left out (known to be 0).
    """
    present = {champion: set(views[group]["team_id"]) for group, champion in (("others", 0), ("champions", 1))}
    pairs = [(int(team), champion) for team in teams["id"] for champion in (0, 1) if team in present[champion]]
    return pd.MultiIndex.from_tuples(pairs, names=["team_id", "is_champion"])


def shown_vectors(views: dict[str, pd.DataFrame], atoms: pd.MultiIndex, trees: dict[int, set[int]]) -> np.ndarray:
    """One row per figure shown in any view of one wave: the indicator of the atoms it adds up."""
    rows = []
    for group, frame in views.items():
        for team_id in frame.loc[~frame["suppressed"].astype(bool), "team_id"]:
            members = trees[int(team_id)]
            rows.append([team in members and champion in GROUP_MEMBERS[group] for team, champion in atoms])
    return np.array(rows, dtype=float).reshape(len(rows), len(atoms))


def orthogonal_basis(vectors: np.ndarray) -> np.ndarray:
    """Columns spanning what is orthogonal to every row: v combines the rows exactly where v · basis = 0."""
    if vectors.shape[0] == 0:
        return np.eye(vectors.shape[1])
    _, singular, right = np.linalg.svd(vectors)
    rank = int((singular > 1e-9 * singular.max()).sum())
    return right[rank:].T


def subsets(positions: list[int], sizes: np.ndarray, below: int) -> list[tuple[int, ...]]:
    """Every non-empty subset of `positions` whose sizes add up to less than `below`."""
    found: list[tuple[int, ...]] = []

    def extend(chosen: tuple[int, ...], total: int, start: int) -> None:
        for index in range(start, len(positions)):
            position = positions[index]
            if total + sizes[position] < below:
                grown = (*chosen, position)
                found.append(grown)
                extend(grown, total + sizes[position], index + 1)

    extend((), 0, 0)
    return found


def indicators(sets: list[tuple[int, ...]], width: int) -> np.ndarray:
    matrix = np.zeros((len(sets), width))
    for row, chosen in enumerate(sets):
        matrix[row, list(chosen)] = 1.0
    return matrix


def leaks(views: dict[str, pd.DataFrame], scores: pd.DataFrame, teams: pd.DataFrame, minimum: int) -> list[Leak]:
    """Every group of 1 to minimum - 1 respondents whose n and sums some combination of shown figures gives.

    `views` are one wave's rows of the three views. A group is a set of atoms with respondents, plus
    any atoms the reader cannot tell are empty (a parent's own champions, say): "P's champions outside
    team A" is a group whoever its members are. Shown figures combine with any real coefficients, as a
    reader with a spreadsheet can use them.
    """
    atoms = atom_columns(views, teams)
    complete = scores[scores["complete"].astype(bool)]
    counts = complete.groupby(["team_id", "is_champion"]).size()
    unseen = counts.index.difference(atoms)
    assert unseen.empty, f"respondents without a row in their group's view: {list(unseen)}"
    sizes = counts.reindex(atoms, fill_value=0).to_numpy()
    basis = orthogonal_basis(shown_vectors(views, atoms, subtrees(teams)))
    small = subsets([p for p, size in enumerate(sizes) if 0 < size < minimum], sizes, minimum)
    empty = [p for p, size in enumerate(sizes) if size == 0]
    assert len(empty) <= 12, "too many atoms of unknown size to try every combination"
    padding = [(), *itertools.chain.from_iterable(itertools.combinations(empty, k) for k in range(1, len(empty) + 1))]
    if not small:
        return []
    # 1_S + 1_E combines shown figures where its product with the basis is 0: S·basis = -E·basis.
    from_small = indicators(small, len(atoms)) @ basis
    from_padding = indicators(padding, len(atoms)) @ basis
    names = dict(zip(teams["id"], teams["name"], strict=True))
    found = []
    for chosen, residual in zip(small, from_small, strict=True):
        if (np.abs(from_padding + residual).max(axis=1, initial=0.0) < 1e-7).any():
            atoms_of = tuple((str(names[atoms[p][0]]), int(atoms[p][1])) for p in chosen)
            found.append(Leak(atoms_of, int(sizes[list(chosen)].sum())))
    return found


def view(shown: list[int], hidden: list[int] | None = None) -> pd.DataFrame:
    """A view's rows of one wave, as far as the auditor reads them."""
    hidden = hidden or []
    return pd.DataFrame({"team_id": [*shown, *hidden], "suppressed": [False] * len(shown) + [True] * len(hidden)})


def test_the_auditor_finds_a_child_left_uncovered_by_its_parent():
    # P 12 (no one of its own) = A 10 + B 2: P and A shown give B away. Nobody is a champion.
    teams = pd.DataFrame({"id": [1, 2, 3], "name": ["P", "A", "B"], "parent_id": pd.array([None, 1, 1], "Int64")})
    scores = pd.DataFrame({"team_id": [2] * 10 + [3] * 2, "is_champion": 0, "complete": 1})
    nobody = view([])

    found = leaks(
        {"all": view([0, 1, 2], [3]), "champions": nobody, "others": view([], [0, 1, 2, 3])}, scores, teams, 5
    )
    safe = leaks({"all": view([0, 1], [2, 3]), "champions": nobody, "others": view([], [0, 1, 2, 3])}, scores, teams, 5)

    assert found == [Leak((("B", 0),), 2)]
    assert safe == []


def test_the_auditor_combines_views():
    # Team A: everyone 12 and everyone but champions 10 shown -> its champions are 12 - 10 = 2.
    teams = pd.DataFrame({"id": [1], "name": ["A"], "parent_id": pd.array([None], "Int64")})
    scores = pd.DataFrame({"team_id": [1] * 12, "is_champion": [1, 1] + [0] * 10, "complete": 1})
    views = {"all": view([0, 1]), "champions": view([], [0, 1]), "others": view([0, 1])}

    assert leaks(views, scores, teams, 5) == [Leak((("A", 1),), 2)]
    assert leaks(views | {"others": view([], [0, 1])}, scores, teams, 5) == []


def test_the_auditor_knows_a_missing_row_means_nobody():
    # B has no champions (no row in the champions view), so B's figure for everyone is its others':
    # others(org) 8 - everyone(B) 5 = A's 3 others. Were B's row there (hidden), B might have champions.
    teams = pd.DataFrame({"id": [1, 2], "name": ["A", "B"], "parent_id": pd.array([None, None], "Int64")})
    scores = pd.DataFrame({"team_id": [1] * 8 + [2] * 5, "is_champion": [1] * 5 + [0] * 8, "complete": 1})
    views = {"all": view([0, 2], [1]), "champions": view([], [0, 1]), "others": view([0], [1, 2])}

    assert leaks(views, scores, teams, 5) == [Leak((("A", 0),), 3)]
    assert leaks(views | {"champions": view([], [0, 1, 2])}, scores, teams, 5) == []


# Small organisations in a workspace ---------------------------------------------------------------


def write_org(db, parents: dict[int, int | None], waves: list[dict[int, tuple[int, int]]], seed: int = 0) -> None:
    """Teams (`parents`: id -> parent id, named T<id>) and one wave per dict of team -> (champions, others).

    Each respondent answers one item per element and the outcome item (1–5, seeded); every team with
    respondents also has one who left Reinforcement out, incomplete, who must count nowhere.
    """
    rng = np.random.default_rng(seed)
    store.insert_rows(db, "initiatives", [{"id": INITIATIVE, "name": "Audit", "started_on": "2026-01-01"}])
    store.insert_rows(db, "teams", [{"id": t, "name": f"T{t}", "parent_id": p} for t, p in parents.items()])
    store.insert_rows(
        db,
        "waves",
        [
            {"id": w, "initiative_id": INITIATIVE, "name": f"W{w}", "opened_on": f"20{w:02d}-01-01"}
            for w in range(1, len(waves) + 1)
        ],
    )
    rows = [
        {"wave_id": wave_id, "team_id": team_id, "is_champion": champion, "complete": complete}
        for wave_id, counts in enumerate(waves, start=1)
        for team_id, (champions, others) in counts.items()
        if champions + others
        for champion, complete in [(1, True)] * champions + [(0, True)] * others + [(0, False)]
    ]
    frame = pd.DataFrame(rows)
    answers = pd.DataFrame(rng.integers(1, 6, size=(len(frame), 6)), columns=[*ITEMS.values(), "OC1"]).astype(float)
    answers.loc[~frame["complete"], "RE1"] = np.nan
    for element, code in ITEMS.items():
        frame[element] = answers[code]
    frame[OUTCOME] = answers["OC1"]
    frame["readiness"] = readiness_index(frame[list(ELEMENTS)].mean(axis=1)).where(frame["complete"])
    frame["complete"] = frame["complete"].astype(int)
    frame["answers"] = store.responses.encode_answers(answers)
    frame["id"] = range(1, len(frame) + 1)
    frame["source_hash"] = [f"h{i}" for i in frame["id"]]
    with db.atomic():
        store.responses.insert_responses(db, frame)


def all_views(db, minimum: int) -> dict[str, pd.DataFrame]:
    """readiness_by_team of every respondent group at this minimum group size."""
    settings = {**store.settings.settings(db), "min_group_size": minimum}
    return {group: services.readiness_by_team(db, settings, INITIATIVE, group) for group in readiness.GROUPS}


def reference(
    scores: pd.DataFrame, trees: dict[int, set[int]], group: str, columns: tuple[str, ...] = MEANS
) -> pd.DataFrame:
    """n and means per team's subtree from respondent scores, by plain pandas: what a shown row must say."""
    complete = scores[scores["complete"].astype(bool) & scores["is_champion"].isin(GROUP_MEMBERS[group])]
    pairs = pd.DataFrame([(team, member) for team, members in trees.items() for member in members])
    joined = pairs.set_axis(["subtree", "team_id"], axis=1).merge(complete, on="team_id")
    return joined.groupby("subtree")[list(columns)].mean().assign(n=joined.groupby("subtree").size())


@dataclass
class Wave:
    """What the checks of one wave need, whatever the minimum: its respondents and their answer counts."""

    id: int
    scores: pd.DataFrame
    answers: pd.DataFrame
    barriers: pd.DataFrame
    expected: dict[str, pd.DataFrame]


def check_rows(wave: Wave, group: str, rows: pd.DataFrame, minimum: int) -> None:
    """One view's rows of one wave: hidden rows carry nothing, shown rows are large and right."""
    expected = wave.expected[group]
    hidden = rows[rows["suppressed"].astype(bool)]
    shown = rows[~rows["suppressed"].astype(bool)].set_index("team_id")
    where = f"wave {wave.id}, {group}"
    # A row for every subtree with respondents of the group and for no other.
    assert sorted(rows["team_id"]) == sorted(expected.index), where
    assert (shown["n"] >= minimum).all(), (where, shown.loc[shown["n"] < minimum, ["team", "n"]])
    assert hidden[list(readiness.FIGURE_COLUMNS)].isna().all().all(), where
    assert hidden["barrier_point"].isna().all(), where
    assert set(hidden["suppression"]) <= {"primary", "complementary"}, where
    assert (hidden.loc[hidden["n"] < minimum, "suppression"] == "primary").all(), where
    assert (shown["suppression"] == "").all(), where
    assert shown["n"].tolist() == expected.loc[shown.index, "n"].tolist(), where
    np.testing.assert_allclose(shown[list(MEANS)], expected.loc[shown.index, list(MEANS)], err_msg=where)


def check_distributions(wave: Wave, group: str, rows: pd.DataFrame, teams: pd.DataFrame) -> None:
    """Likert and barrier-point distributions exist for shown teams only, and count their respondents."""
    shown = rows[~rows["suppressed"].astype(bool)].set_index("team_id")
    likert = readiness.likert_shares(wave.answers, teams, rows, group)
    stuck = readiness.barrier_shares(wave.barriers, teams, rows, group)
    where = f"wave {wave.id}, {group}"
    assert set(likert["team_id"]) <= set(shown.index), where
    assert set(stuck["team_id"]) <= set(shown.index), where
    # every respondent has one barrier point (or none): the counts add up to the shown n
    counted = stuck.groupby("team_id")["count"].sum()
    assert counted.to_dict() == shown.loc[counted.index, "n"].to_dict(), where
    answered = likert.groupby(["team_id", "element"])["count"].sum().groupby("team_id").min()
    assert (answered >= shown.loc[answered.index, "n"]).all(), where


@dataclass
class Findings:
    """One minimum group size's three views and, per wave name, the small groups they give away."""

    views: dict[str, pd.DataFrame]
    leaks: dict[str, list[Leak]]

    def row(self, team: str, wave_id: int = 1) -> dict[str, pd.Series]:
        """A team's row in each view that has one, by team name."""
        rows = {
            group: frame[(frame["team"] == team) & (frame["wave_id"] == wave_id)] for group, frame in self.views.items()
        }
        return {group: found.iloc[0] for group, found in rows.items() if not found.empty}


def audit(db, minimums: tuple[int, ...] = (5,), distributions: tuple[int, ...] | None = None) -> dict[int, Findings]:
    """Every check on every wave of the initiative at each minimum; distributions at those in `distributions`."""
    distributions = minimums if distributions is None else distributions
    teams = store.org.teams(db)
    trees = subtrees(teams)
    threshold = float(store.settings.settings(db)["barrier_threshold"])
    waves = []
    for wave in store.org.waves(db, INITIATIVE).itertuples():
        scores = store.responses.response_scores(db, wave.id)
        expected = {group: reference(scores, trees, group) for group in GROUP_MEMBERS}
        answers, barriers = (
            store.responses.answer_counts(db, wave.id),
            store.responses.barrier_counts(db, wave.id, threshold),
        )
        waves.append((wave.name, Wave(wave.id, scores, answers, barriers, expected)))
    result = {}
    for minimum in minimums:
        views = all_views(db, minimum)
        found = {}
        for name, wave in waves:
            of_wave = {group: frame[frame["wave_id"] == wave.id] for group, frame in views.items()}
            for group, rows in of_wave.items():
                check_rows(wave, group, rows, minimum)
                if minimum in distributions:
                    check_distributions(wave, group, rows, teams)
            found[name] = leaks(of_wave, wave.scores, teams, minimum)
        result[minimum] = Findings(views, {name: leak for name, leak in found.items() if leak})
    return result


# The demo organisation ----------------------------------------------------------------------------


@pytest.mark.parametrize("minimum", [5, 10])
def test_demo_filters_reveal_no_small_group(demo_db, minimum):
    findings = audit(demo_db, (minimum,))[minimum]

    assert findings.leaks == {}
    # something is shown and something hidden in every view, or the audit would prove little
    for group, frame in findings.views.items():
        assert 0 < frame["suppressed"].sum() < len(frame), group
    # The demo has a few champions per team: where the champions view hides a team, everyone but
    # champions hides it too (everyone - others = champions), and the other way round.
    key = ["wave_id", "team_id", "suppressed"]
    pairs = findings.views["champions"][key].merge(findings.views["others"][key], on=key[:2], suffixes=("", "_o"))
    assert (pairs["suppressed"] == pairs["suppressed_o"]).all()


def test_demo_outcome_of_a_roll_up_is_the_mean_of_its_respondents(demo_db):
    # The outcome item is optional: a roll-up must weigh each team's outcome mean by those who answered
    # it, not by the team's n, or a parent's figure is an average of averages.
    views = all_views(demo_db, 5)
    wave_id = int(store.org.waves(demo_db, INITIATIVE)["id"].iloc[0])
    scores = store.responses.response_scores(demo_db, wave_id)
    shown = views["all"][(views["all"]["wave_id"] == wave_id) & ~views["all"]["suppressed"]]

    expected = reference(scores, subtrees(store.org.teams(demo_db)), "all", (OUTCOME,)).loc[shown["team_id"], OUTCOME]

    assert scores.loc[scores["complete"].astype(bool), OUTCOME].isna().any()  # some left the outcome item out
    np.testing.assert_allclose(shown[OUTCOME], expected, err_msg="outcome by team: " + ", ".join(shown["team"]))


# Hand-built cases ---------------------------------------------------------------------------------

EVERYONE = hierarchy.ORGANISATION_LABEL


def combine(findings: Findings, terms: list[tuple[int, str, str]]) -> tuple[int, float] | None:
    """n and readiness of the sum of ±figures (sign, group, team name) in wave 1; None where one is hidden."""
    rows = [(sign, findings.row(team)[group]) for sign, group, team in terms]
    if any(row["suppressed"] for _, row in rows):
        return None
    n = sum(sign * int(row["n"]) for sign, row in rows)
    return n, sum(sign * row["n"] * row["readiness"] for sign, row in rows) / n


def readiness_of(db, team: str, champion: int) -> float:
    scores = store.responses.response_scores(db, 1)
    team_id = int(store.org.teams(db).set_index("name").loc[team, "id"])
    chosen = scores[(scores["team_id"] == team_id) & (scores["is_champion"] == champion) & (scores["complete"] == 1)]
    return float(chosen["readiness"].mean())


def test_two_champions_in_a_team_of_forty_stay_hidden_in_both_filters(db):
    # T1 has 2 champions and 38 others. champions(T1) is below 5; everyone(T1) - others(T1) would be it.
    write_org(db, {1: None, 2: None, 3: None}, [{1: (2, 38), 2: (8, 30), 3: (6, 25)}])

    findings = audit(db)[5]
    rows = findings.row("T1")

    assert (rows["all"]["suppressed"], rows["all"]["n"]) == (False, 40)
    assert (rows["champions"]["suppressed"], rows["champions"]["suppression"]) == (True, "primary")
    assert (rows["others"]["suppressed"], rows["others"]["suppression"]) == (True, "complementary")
    assert combine(findings, [(1, "all", "T1"), (-1, "others", "T1")]) is None
    assert findings.leaks == {}


def test_a_parent_minus_its_children_in_a_group_view(db):
    # T1 has 2 champions of its own, T2 6 and T3 7: champions(T1) 15 - 6 - 7 = 2 unless a child is hidden.
    write_org(db, {1: None, 2: 1, 3: 1, 4: None}, [{1: (2, 10), 2: (6, 20), 3: (7, 20), 4: (6, 20)}])

    findings = audit(db)[5]
    champions = findings.views["champions"].set_index("team")

    assert not champions.loc["T1", "suppressed"]
    assert champions.loc[["T2", "T3"], "suppressed"].any()
    assert not findings.views["all"]["suppressed"].any()  # everyone: T1 keeps 12 of its own, nothing to hide
    assert combine(findings, [(1, "champions", "T1"), (-1, "champions", "T2"), (-1, "champions", "T3")]) is None
    assert findings.leaks == {}


def test_a_team_hidden_for_everyone_is_not_champions_plus_others(db):
    # T2 = T3 (nobody's champion, 2) + T4 (6 + 25) + T5 (20 + 20): everyone hides T3 (2) and so T4,
    # the smaller sibling. T4's champions (6) and others (25) are each large: both must stay hidden.
    write_org(db, {1: None, 2: 1, 3: 2, 4: 2, 5: 2}, [{1: (5, 30), 3: (0, 2), 4: (6, 25), 5: (20, 20)}])

    findings = audit(db)[5]
    rows = findings.row("T4")

    assert (rows["all"]["suppressed"], rows["all"]["suppression"]) == (True, "complementary")
    assert (rows["champions"]["suppressed"], rows["champions"]["suppression"]) == (True, "complementary")
    assert (rows["others"]["suppressed"], rows["others"]["suppression"]) == (True, "complementary")
    assert combine(findings, [(1, "champions", "T4"), (1, "others", "T4")]) is None
    assert findings.leaks == {}


def test_incomplete_responses_count_nowhere(db):
    # Each team also has one incomplete respondent (write_org): T1's 4 complete ones are too few.
    write_org(db, {1: None, 2: None}, [{1: (0, 4), 2: (3, 9)}])

    findings = audit(db)[5]

    assert (findings.row("T1")["all"]["n"], findings.row("T1")["all"]["suppressed"]) == (4, True)
    assert findings.leaks == {}


def test_a_team_without_champions_does_not_give_away_its_sibling(db):
    # T2 has no champions (no row in the champions view, so any reader knows): its figure for
    # everyone (5) is its figure for everyone but champions, hidden there or not. So everyone but
    # champions: org 28 - T3 20 - everyone(T2) 5 = T1's 3 non-champions, whom both views hide.
    write_org(db, {1: None, 2: None, 3: None}, [{1: (5, 3), 2: (0, 5), 3: (6, 20)}])

    findings = audit(db)[5]
    recovered = combine(findings, [(1, "others", EVERYONE), (-1, "others", "T3"), (-1, "all", "T2")])

    assert recovered is None, f"n, readiness {recovered}: T1's non-champions have {readiness_of(db, 'T1', 0)}"
    assert findings.leaks == {}


def test_a_group_found_in_one_team_only_does_not_give_away_its_complement(db):
    # Only T3 has champions (7; T1 and T2 have no row in the champions view), so champions(org) is
    # T3's champions, though T3's row there is hidden: everyone(T3) 8 - 7 = T3's one non-champion.
    write_org(db, {1: None, 2: None, 3: None}, [{1: (0, 1), 2: (0, 8), 3: (7, 1)}])

    findings = audit(db)[5]
    recovered = combine(findings, [(1, "all", "T3"), (-1, "champions", EVERYONE)])

    assert recovered is None, f"n, readiness {recovered}: T3's non-champion has {readiness_of(db, 'T3', 0)}"
    assert findings.leaks == {}


# Random organisations -----------------------------------------------------------------------------


def random_org(rng: np.random.Generator, size: int, waves: int) -> tuple[dict, list[dict]]:
    """A random hierarchy of `size` teams and `waves` waves of mostly small, lopsided groups."""
    parents = {
        team: None if team == 1 or rng.random() < 0.3 else int(rng.integers(1, team)) for team in range(1, size + 1)
    }
    champions = np.array([0, 0, 0, 1, 2, 3, 4, 5, 6, 8])
    others = np.array([0, 0, 1, 2, 3, 4, 6, 8, 12, 20])
    counts = [
        {team: (int(rng.choice(champions)), int(rng.choice(others))) for team in parents if rng.random() < 0.8}
        for _ in range(waves)
    ]
    return parents, counts


@pytest.mark.parametrize("seed", [1, 2])
def test_random_organisations_reveal_no_small_group(db, seed):
    # Each wave leaves a random part of the teams empty, so a dozen waves are a dozen hierarchies.
    rng = np.random.default_rng(seed)
    parents, waves = random_org(rng, size=int(rng.integers(5, 10)), waves=12)
    write_org(db, parents, waves, seed)

    found = audit(db, (3, 5), distributions=())  # the other tests check distributions

    assert {minimum: findings.leaks for minimum, findings in found.items()} == {3: {}, 5: {}}
