"""Scoring arithmetic: every expected figure is worked out by hand (the sum is in the comment) or by an
independent oracle (numpy on the raw values, scipy), never by the function under test."""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from cxchange import hierarchy, readiness, scoring, services, store
from cxchange.model import DEFAULT_ITEMS, ELEMENTS

MIN_N = 5

# The `responses` fixture scored by hand, one row per respondent (mean of each element's answered items).
HAND_SCORES = pd.DataFrame(
    {
        "response_id": [1, 2, 3, 4],
        # r1: AW (4+5)/2 = 4.5; r2: 3; r3: 5; r4: 1
        "awareness": [4.5, 3.0, 5.0, 1.0],
        # r1: 2; r2: 4; r3: 5; r4: 1
        "desire": [2.0, 4.0, 5.0, 1.0],
        # r1: KN (3+4)/2 = 3.5; r2: 4; r3: 5; r4: 1
        "knowledge": [3.5, 4.0, 5.0, 1.0],
        # r1: 4; r2: 2; r3: 4; r4: 1
        "ability": [4.0, 2.0, 4.0, 1.0],
        # r1: 5; r2: 3; r3: 4; r4: not answered
        "reinforcement": [5.0, 3.0, 4.0, np.nan],
        # OC1 answered by r1 (3) and r2 (4) only
        "outcome": [3.0, 4.0, np.nan, np.nan],
        # r4 answered no Reinforcement item, so it is incomplete
        "complete": [True, True, True, False],
        # r1: mean (4.5+2+3.5+4+5)/5 = 19/5 = 3.8 -> (3.8-1)/4*100 = 70
        # r2: mean (3+4+4+2+3)/5 = 16/5 = 3.2 -> (3.2-1)/4*100 = 55
        # r3: mean (5+5+5+4+4)/5 = 23/5 = 4.6 -> (4.6-1)/4*100 = 90
        # r4: incomplete -> NaN
        "readiness": [70.0, 55.0, 90.0, np.nan],
    }
).set_index("response_id")

# Responses 1 and 2 belong to team 1, responses 3 and 4 to team 2.
TEAM_OF_RESPONSE = {1: 1, 2: 1, 3: 2, 4: 2}


@pytest.fixture
def items() -> pd.DataFrame:
    """The default question bank as the items frame element_scores expects."""
    return pd.DataFrame([{"code": item.code, "element": item.element, "text": item.text} for item in DEFAULT_ITEMS])


def team_scores() -> pd.DataFrame:
    """HAND_SCORES with each respondent's team."""
    return HAND_SCORES.assign(team_id=HAND_SCORES.index.map(TEAM_OF_RESPONSE)).reset_index()


# element_scores -------------------------------------------------------------------------------


def test_element_scores_are_each_respondents_item_means(responses, items):
    result = scoring.element_scores(responses, items)

    pd.testing.assert_frame_equal(result[list(HAND_SCORES.columns)], HAND_SCORES, check_names=False)


def test_element_scores_mark_a_response_without_reinforcement_incomplete(responses, items):
    result = scoring.element_scores(responses, items)

    assert result["complete"].to_dict() == {1: True, 2: True, 3: True, 4: False}
    assert math.isnan(result.loc[4, "readiness"])


def test_element_scores_ignore_missing_answers(responses, items):
    # An answer outside the scale arrives as NaN: response 2's AW2 must not pull its Awareness
    # (still 3) nor response 3's DE2 its Desire (still 5).
    missing = pd.DataFrame({"response_id": [2, 3], "item_code": ["AW2", "DE2"], "value": [np.nan, np.nan]})

    result = scoring.element_scores(pd.concat([responses, missing], ignore_index=True), items)

    assert result.loc[2, "awareness"] == 3.0
    assert result.loc[3, "desire"] == 5.0
    assert result.loc[2, "readiness"] == pytest.approx(55.0)


def test_element_scores_keep_a_respondent_whose_answers_are_all_missing(items):
    # Response 9 answered nothing usable: it is still a row, incomplete and without readiness.
    answers = pd.DataFrame({"response_id": [9, 9], "item_code": ["AW1", "DE1"], "value": [np.nan, np.nan]})

    result = scoring.element_scores(answers, items)

    assert list(result.index) == [9]
    assert not result.loc[9, "complete"]
    assert math.isnan(result.loc[9, "readiness"])


# barrier_points -------------------------------------------------------------------------------


def test_barrier_point_is_the_first_element_at_or_below_the_default_threshold():
    result = scoring.barrier_points(HAND_SCORES, 3.0)

    # r1: AW 4.5 > 3, DE 2 <= 3 -> desire
    # r2: AW 3 <= 3 (exactly equal counts) -> awareness
    # r3: 5, 5, 5, 4, 4 all > 3 -> none
    # r4: AW 1 -> awareness
    assert result.to_dict() == {1: "desire", 2: "awareness", 3: None, 4: "awareness"}
    assert result[3] is None


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [
        # r1: DE 2 <= 2; r2: AW 3, DE 4, KN 4 > 2, AB 2 <= 2; r3: nothing <= 2; r4: AW 1
        (2.0, {1: "desire", 2: "ability", 3: None, 4: "awareness"}),
        # r1: AW 4.5 > 4, DE 2 <= 4; r2: AW 3 <= 4; r3: AW, DE, KN 5 > 4, AB 4 <= 4; r4: AW 1
        (4.0, {1: "desire", 2: "awareness", 3: "ability", 4: "awareness"}),
        # only r4's 1s are <= 1.5
        (1.5, {1: None, 2: None, 3: None, 4: "awareness"}),
    ],
)
def test_barrier_threshold_changes_the_barrier_point(threshold, expected):
    assert scoring.barrier_points(HAND_SCORES, threshold).to_dict() == expected


def test_a_score_exactly_at_the_threshold_is_a_barrier():
    means = pd.DataFrame(
        {
            "awareness": [3.5, 3.5, 2.5],
            "desire": [3.5, 3.5, 2.6],
            "knowledge": [3.0, 3.0001, 2.5],
            "ability": [4.0, 2.0, 2.0],
            "reinforcement": [4.0, 4.0, 4.0],
        }
    )

    # row 0: KN 3.0 == 3.0 -> knowledge; row 1: KN 3.0001 > 3.0, AB 2 -> ability
    assert scoring.barrier_points(means, 3.0).tolist() == ["knowledge", "ability", "awareness"]
    # row 2 at threshold 2.5: AW 2.5 == 2.5 -> awareness
    assert scoring.barrier_points(means, 2.5).tolist() == [None, "ability", "awareness"]


def test_barrier_points_give_at_most_one_element_per_row():
    result = scoring.barrier_points(HAND_SCORES, 5.0)

    # Every element of every row is <= 5, yet each row has one barrier point: the first, awareness.
    assert len(result) == len(HAND_SCORES)
    assert result.tolist() == ["awareness"] * 4


def test_barrier_points_of_team_means():
    # Team means (test_team_means_are_means_of_respondent_scores): team 1 AW 3.75, DE 3.0 -> desire; team 2 none.
    means = pd.DataFrame(
        {
            "awareness": [3.75, 5.0],
            "desire": [3.0, 5.0],
            "knowledge": [3.75, 5.0],
            "ability": [3.0, 4.0],
            "reinforcement": [4.0, 4.0],
        },
        index=[1, 2],
    )

    assert scoring.barrier_points(means, 3.0).to_dict() == {1: "desire", 2: None}


# team means and barrier shares, as the app computes them from stored responses ----------------------


def stored(db, scores: pd.DataFrame) -> int:
    """`scores` (team_scores' columns) stored as one wave's responses, as an import stores them; the wave's id."""
    store.insert_rows(db, "teams", [{"id": team, "name": f"team {team}"} for team in sorted(set(scores["team_id"]))])
    store.insert_rows(db, "initiatives", [{"id": 1, "name": "Programme"}])
    store.insert_rows(db, "waves", [{"id": 1, "initiative_id": 1, "name": "W1", "opened_on": "2026-01-10"}])
    columns = [*ELEMENTS, "outcome", "readiness"]
    store.insert_rows(
        db,
        "responses",
        [
            {
                "wave_id": 1,
                "team_id": int(row["team_id"]),
                "source_hash": f"r{row['response_id']}",
                "complete": int(bool(row["complete"])),
                **{column: None if pd.isna(row.get(column)) else float(row[column]) for column in columns},
            }
            for row in scores.to_dict("records")
        ],
    )
    return 1


def team_means(db, scores: pd.DataFrame) -> pd.DataFrame:
    """Element means, n and sds per team, by the one query behind every readiness view."""
    stored(db, scores)
    return store.responses.team_wave_stats(db).set_index("team_id")


def barrier_shares(db, scores: pd.DataFrame, thresholds: tuple[float, ...]) -> list[pd.DataFrame]:
    """Each team's share of respondents stuck at each element (or "none"), as the Readiness page draws them."""
    wave = stored(db, scores)
    teams = store.org.teams(db)
    everyone = services.readiness_by_team(db, {"min_group_size": 1, "barrier_threshold": 3.0}, 1)
    view = everyone[everyone["wave_id"] == wave]
    shares = []
    for threshold in thresholds:
        found = readiness.barrier_shares(store.responses.barrier_counts(db, wave, threshold), teams, view, "all")
        shares.append(found[found["team_id"] != hierarchy.ORGANISATION])
    return shares


def test_team_means_count_complete_responses_only(db):
    result = team_means(db, team_scores())

    # team 1: r1, r2 complete -> 2; team 2: r3 complete, r4 incomplete -> 1
    assert result["n"].to_dict() == {1: 2, 2: 1}


def test_team_means_are_means_of_respondent_scores(db):
    result = team_means(db, team_scores())

    expected = {
        # team 1: AW (4.5+3)/2 = 3.75; DE (2+4)/2 = 3; KN (3.5+4)/2 = 3.75; AB (4+2)/2 = 3;
        # RE (5+3)/2 = 4; readiness (70+55)/2 = 62.5
        1: {
            "awareness": 3.75,
            "desire": 3.0,
            "knowledge": 3.75,
            "ability": 3.0,
            "reinforcement": 4.0,
            "readiness": 62.5,
        },
        # team 2: r3 alone (r4's 1s are incomplete and must not count)
        2: {"awareness": 5.0, "desire": 5.0, "knowledge": 5.0, "ability": 4.0, "reinforcement": 4.0, "readiness": 90.0},
    }
    for team, figures in expected.items():
        for column, value in figures.items():
            assert result.loc[team, column] == pytest.approx(value), (team, column)


def test_team_means_readiness_sd(db):
    result = team_means(db, team_scores())

    # team 1: readiness 70 and 55, mean 62.5, deviations +-7.5 -> (56.25 + 56.25) / (2 - 1) = 112.5;
    # sqrt(112.5) = 10.606601717798213
    assert result.loc[1, "readiness_sd"] == pytest.approx(10.606601717798213)
    # team 2: one complete response -> no sd
    assert math.isnan(result.loc[2, "readiness_sd"])


def test_barrier_shares_per_team_including_none(db):
    [result] = barrier_shares(db, team_scores(), (3.0,))

    # team 1: r1 desire, r2 awareness -> 1/2 each, in ADKAR order; team 2: r3 none (r4 incomplete) -> 1/1
    assert list(result[["team_id", "barrier_point", "count", "share"]].itertuples(index=False, name=None)) == [
        (1, "awareness", 1, 0.5),
        (1, "desire", 1, 0.5),
        (2, "none", 1, 1.0),
    ]


def test_barrier_shares_follow_the_threshold(db):
    scores = pd.concat(
        [
            team_scores(),
            # a third complete respondent of team 2 at 2.5 everywhere
            pd.DataFrame(
                [{"response_id": 5, **dict.fromkeys(ELEMENTS, 2.5), "complete": True, "readiness": 37.5, "team_id": 2}]
            ),
        ],
        ignore_index=True,
    )

    at_2, at_2_5 = barrier_shares(db, scores, (2.0, 2.5))

    # threshold 2: r1 desire (DE 2), r2 ability (AB 2); r3 none; r5 none (2.5 > 2)
    assert list(at_2[["team_id", "barrier_point", "share"]].itertuples(index=False, name=None)) == [
        (1, "desire", 0.5),
        (1, "ability", 0.5),
        (2, "none", 1.0),
    ]

    # threshold 2.5: team 2 is r3 none, r5 awareness (2.5 <= 2.5) -> 1/2 each
    assert list(at_2_5[at_2_5["team_id"] == 2][["barrier_point", "share"]].itertuples(index=False, name=None)) == [
        ("awareness", 0.5),
        ("none", 0.5),
    ]


# roll_up --------------------------------------------------------------------------------------

# Organisation (0) > Division A (1) > Dept A1 (2) > Teams A1x (4), A1y (5); Division A > Dept A2 (3);
# Organisation > Division B (6). Division A has no respondents of its own; Dept A1 has two.
TREE = {1: None, 2: 1, 3: 1, 4: 2, 5: 2, 6: None}

# Respondents' readiness recorded against each team itself.
RAW_READINESS = {
    2: [55.0, 65.0],  # mean 60
    3: [20.0, 30.0, 40.0, 50.0],  # mean 35
    4: [40.0, 60.0],  # mean 50
    5: [70.0, 80.0, 90.0, 70.0, 80.0, 90.0],  # mean 80
    6: [10.0, 20.0, 30.0],  # mean 20
}
RAW_MEANS = {2: 60.0, 3: 35.0, 4: 50.0, 5: 80.0, 6: 20.0}
AWARENESS = {2: 3.0, 3: 3.5, 4: 2.0, 5: 4.0, 6: 1.5}
# desire 2.5, knowledge 3.0, ability 3.5, reinforcement 4.0 everywhere
CONSTANT = {"desire": 2.5, "knowledge": 3.0, "ability": 3.5, "reinforcement": 4.0}
SUBTREES = {0: [2, 3, 4, 5, 6], 1: [2, 3, 4, 5], 2: [2, 4, 5], 3: [3], 4: [4], 5: [5], 6: [6]}


def teams_frame(parents: dict[int, int | None], missing: object = None) -> pd.DataFrame:
    """A teams frame (id, parent_id) with `missing` standing for "no parent"."""
    ids = list(parents)
    values = [missing if parents[team] is None else parents[team] for team in ids]
    parent_id = pd.array(values, dtype="Int64") if missing is pd.NA else pd.Series(values, dtype=object)
    return pd.DataFrame({"id": ids, "name": [f"team {team}" for team in ids], "parent_id": parent_id})


def tree_stats(raw: dict[int, list[float]], means: dict[int, float]) -> pd.DataFrame:
    """Per-team stats as team_means gives them; the sd from the raw values (numpy, ddof=1)."""
    return pd.DataFrame(
        [
            {
                "team_id": team,
                "n": len(values),
                "awareness": AWARENESS[team],
                **CONSTANT,
                "readiness": means[team],
                "readiness_sd": float(np.std(values, ddof=1)) if len(values) > 1 else np.nan,
            }
            for team, values in raw.items()
        ]
    )


@pytest.fixture(params=[None, pd.NA], ids=["None", "pd.NA"])
def tree(request) -> pd.DataFrame:
    return teams_frame(TREE, request.param)


def test_roll_up_counts_respondents_of_the_whole_subtree(tree):
    result = scoring.roll_up(tree_stats(RAW_READINESS, RAW_MEANS), tree).set_index("team_id")

    # 0: 2+4+2+6+3 = 17; 1: 2+4+2+6 = 14; 2: 2+2+6 = 10; leaves their own
    assert result["n"].to_dict() == {0: 17, 1: 14, 2: 10, 3: 4, 4: 2, 5: 6, 6: 3}
    # direct_n: only responses recorded against the team itself (Division A and the organisation: none)
    assert result["direct_n"].to_dict() == {0: 0, 1: 0, 2: 2, 3: 4, 4: 2, 5: 6, 6: 3}


def test_roll_up_weights_by_respondents_not_by_team(tree):
    result = scoring.roll_up(tree_stats(RAW_READINESS, RAW_MEANS), tree).set_index("team_id")

    # Dept A1: (2*60 + 2*50 + 6*80) / 10 = 700/10 = 70 (average of averages would be (60+50+80)/3 = 63.3)
    assert result.loc[2, "readiness"] == pytest.approx(70.0)
    # Division A: (10*70 + 4*35) / 14 = 840/14 = 60 (average of its departments would be (70+35)/2 = 52.5)
    assert result.loc[1, "readiness"] == pytest.approx(60.0)
    # Organisation: (840 + 3*20) / 17 = 900/17 = 52.94117647 (average of divisions: (60+20)/2 = 40)
    assert result.loc[0, "readiness"] == pytest.approx(52.94117647058823)
    # leaves keep their own figures
    assert result.loc[5, "readiness"] == pytest.approx(80.0)
    # Awareness likewise: Dept A1 (2*3.0 + 2*2.0 + 6*4.0)/10 = 34/10 = 3.4;
    # Division A (34 + 4*3.5)/14 = 48/14 = 3.4285714; organisation (48 + 3*1.5)/17 = 52.5/17 = 3.0882353
    assert result.loc[2, "awareness"] == pytest.approx(3.4)
    assert result.loc[1, "awareness"] == pytest.approx(3.4285714285714284)
    assert result.loc[0, "awareness"] == pytest.approx(3.088235294117647)
    # an element with the same mean everywhere rolls up to that mean
    for element, value in CONSTANT.items():
        assert result[element].tolist() == pytest.approx([value] * len(result)), element


def test_roll_up_pools_the_sd_of_all_respondents_below(tree):
    result = scoring.roll_up(tree_stats(RAW_READINESS, RAW_MEANS), tree).set_index("team_id")

    for team, members in SUBTREES.items():
        pooled = np.concatenate([RAW_READINESS[member] for member in members])
        assert result.loc[team, "readiness_sd"] == pytest.approx(np.std(pooled, ddof=1)), team


def test_roll_up_keeps_waves_apart_and_pools_a_single_respondent(tree):
    wave_1 = tree_stats(RAW_READINESS, RAW_MEANS).assign(wave_id=1)
    # wave 2: Team A1x 40 and 60 (mean 50), Dept A2 one respondent at 35 (sd unknown)
    wave_2_raw = {4: [40.0, 60.0], 3: [35.0]}
    wave_2 = tree_stats(wave_2_raw, {4: 50.0, 3: 35.0}).assign(wave_id=2)

    result = scoring.roll_up(pd.concat([wave_1, wave_2], ignore_index=True), tree, by=["wave_id"])
    second = result[result["wave_id"] == 2].set_index("team_id")

    # wave 2 rows: the two teams, Dept A1 (via A1x), Division A and the organisation
    assert second["n"].to_dict() == {0: 3, 1: 3, 2: 2, 3: 1, 4: 2}
    # Division A: (2*50 + 1*35)/3 = 135/3 = 45
    assert second.loc[1, "readiness"] == pytest.approx(45.0)
    assert second.loc[1, "readiness_sd"] == pytest.approx(np.std([40.0, 60.0, 35.0], ddof=1))
    assert math.isnan(second.loc[3, "readiness_sd"])
    # wave 1 is untouched by wave 2
    first = result[result["wave_id"] == 1].set_index("team_id")
    assert first.loc[0, "n"] == 17
    assert first.loc[1, "readiness"] == pytest.approx(60.0)


# suppress -------------------------------------------------------------------------------------


def rolled_frame(rows: dict[int, tuple[int, int]]) -> pd.DataFrame:
    """A roll-up as suppress reads it: team_id -> (n of the subtree, direct_n)."""
    return pd.DataFrame([{"team_id": team, "n": n, "direct_n": direct} for team, (n, direct) in rows.items()])


def kinds(result: pd.DataFrame) -> dict[int, str]:
    """team_id -> "", "primary" or "complementary"."""
    return dict(zip(result["team_id"], result["suppression"], strict=True))


def attack(frame: pd.DataFrame, min_n: int) -> dict[int, int]:
    """Play a reader who knows the tree and every shown n, and tries to work out hidden groups.

    `frame` has team_id, parent_id (None for the organisation, 0 for top-level teams), n, direct_n
    and suppressed. For every known parent the reader subtracts its known children's n; the
    remainder must be 0 or at least `min_n`. A reader also learns a hidden team's n where it is the
    one unknown part of a known parent, or the sum of its children when it has no respondents of its
    own, and tries again. Returns what the reader knows (team_id -> n).
    """
    n = dict(zip(frame["team_id"], frame["n"], strict=True))
    direct = dict(zip(frame["team_id"], frame["direct_n"], strict=True))
    children: dict[int, list[int]] = defaultdict(list)
    for team, parent in zip(frame["team_id"], frame["parent_id"], strict=True):
        if parent is not None and not pd.isna(parent):
            children[int(parent)].append(int(team))
    known = {team: n[team] for team, hidden in zip(frame["team_id"], frame["suppressed"], strict=True) if not hidden}
    changed = True
    while changed:
        changed = False
        for team in n:
            kids = children[team]
            if team not in known and direct[team] == 0 and kids and all(kid in known for kid in kids):
                known[team] = sum(known[kid] for kid in kids)
                changed = True
        for team in list(known):
            unknown = [kid for kid in children[team] if kid not in known]
            remainder = known[team] - sum(known[kid] for kid in children[team] if kid in known)
            assert remainder == 0 or remainder >= min_n, (
                f"team {team}: n {known[team]} minus its known children leaves {remainder} < {min_n}"
            )
            if len(unknown) == 1 and direct[team] == 0:
                known[unknown[0]] = remainder
                changed = True
    hidden = {team for team, flag in zip(frame["team_id"], frame["suppressed"], strict=True) if flag}
    assert not hidden & set(known), f"hidden teams worked out: {sorted(hidden & set(known))}"
    return known


def attack_result(result: pd.DataFrame, parents: dict[int, int | None], min_n: int) -> None:
    """Run the attacker over a suppress() result of a hand-built tree."""
    parent_of = {team: (hierarchy.ORGANISATION if parent is None else parent) for team, parent in parents.items()}
    attack(result.assign(parent_id=result["team_id"].map(lambda team: parent_of.get(team))), min_n)


def test_attacker_catches_a_difference_that_reveals_a_small_group():
    # The attacker itself must fail on an unsafe output: parent 53 shown, children 20 and 30 shown,
    # so 53 - 20 - 30 = 3 reveals the hidden child.
    parents = {1: None, 2: 1, 3: 1, 4: 1}
    unsafe = rolled_frame({0: (53, 0), 1: (53, 0), 2: (3, 3), 3: (20, 20), 4: (30, 30)}).assign(
        suppressed=[False, False, True, False, False]
    )
    with pytest.raises(AssertionError, match="leaves 3"):
        attack_result(unsafe, parents, MIN_N)


def test_attacker_works_out_a_hidden_parent_from_its_shown_children():
    # Division 1 (23) shows; its child 2 (3) is hidden, child 3 (20) is hidden but its children
    # 4 (8) and 5 (12) both show, so 3 = 8 + 12 = 20 and 23 - 20 = 3 reveals team 2.
    parents = {1: None, 2: 1, 3: 1, 4: 3, 5: 3}
    unsafe = rolled_frame({0: (23, 0), 1: (23, 0), 2: (3, 3), 3: (20, 0), 4: (8, 8), 5: (12, 12)}).assign(
        suppressed=[False, False, True, True, False, False]
    )
    with pytest.raises(AssertionError, match="leaves 3"):
        attack_result(unsafe, parents, MIN_N)


def test_suppress_hides_groups_below_the_minimum():
    parents = {1: None, 2: None}
    # team 1: 4 < 5 -> primary; team 2: 5 is not below 5 -> shown; organisation 4 + 5 = 9
    rolled = rolled_frame({0: (9, 0), 1: (4, 4), 2: (5, 5)})

    result = scoring.suppress(rolled, teams_frame(parents), MIN_N)

    # hiding team 1 alone would leave 9 - 5 = 4 visible, so team 2 is hidden as well
    assert kinds(result) == {0: "", 1: "primary", 2: "complementary"}
    assert result["suppressed"].tolist() == [False, True, True]
    attack_result(result, parents, MIN_N)


def test_suppress_hides_the_next_smallest_sibling_too():
    parents = {1: None, 2: 1, 3: 1, 4: 1}
    # parent 1: 3 + 20 + 30 = 53, no direct responses
    rolled = rolled_frame({0: (53, 0), 1: (53, 0), 2: (3, 3), 3: (20, 20), 4: (30, 30)})

    result = scoring.suppress(rolled, teams_frame(parents), MIN_N)

    # 3 < 5 primary; 53 - 20 - 30 = 3 would reveal it, so the smaller sibling (20) goes too
    assert kinds(result) == {0: "", 1: "", 2: "primary", 3: "complementary", 4: ""}
    attack_result(result, parents, MIN_N)


def test_suppress_hides_nothing_more_where_hidden_siblings_together_reach_the_minimum():
    parents = {1: None, 2: 1, 3: 1, 4: 1}
    # children 2 and 3 both primary; together 2 + 3 = 5 >= 5; parent 2 + 3 + 40 = 45
    rolled = rolled_frame({0: (45, 0), 1: (45, 0), 2: (2, 2), 3: (3, 3), 4: (40, 40)})

    result = scoring.suppress(rolled, teams_frame(parents), MIN_N)

    assert kinds(result) == {0: "", 1: "", 2: "primary", 3: "primary", 4: ""}
    attack_result(result, parents, MIN_N)


def test_suppress_protects_a_parents_own_small_group_of_responses():
    parents = {1: None, 2: 1, 3: 1}
    # parent 1 has 2 respondents of its own: n = 2 + 10 + 15 = 27; showing both children reveals the 2
    rolled = rolled_frame({0: (27, 0), 1: (27, 2), 2: (10, 10), 3: (15, 15)})

    result = scoring.suppress(rolled, teams_frame(parents), MIN_N)

    # the smaller child goes: 27 - 15 = 12
    assert kinds(result) == {0: "", 1: "", 2: "complementary", 3: ""}
    attack_result(result, parents, MIN_N)


def test_suppress_hides_recursively_where_a_hidden_child_shows_through_its_children():
    parents = {1: None, 2: 1, 3: 1, 4: 3, 5: 3}
    # 1 = 2 (3, primary) + 3 (20, no own responses) ; 3 = 4 (8) + 5 (12)
    rolled = rolled_frame({0: (23, 0), 1: (23, 0), 2: (3, 3), 3: (20, 0), 4: (8, 8), 5: (12, 12)})

    result = scoring.suppress(rolled, teams_frame(parents), MIN_N)

    # 23 - 20 = 3 reveals team 2, so 3 is hidden; 3 would still be 8 + 12, so its smaller child 4 goes too
    assert kinds(result) == {0: "", 1: "", 2: "primary", 3: "complementary", 4: "complementary", 5: ""}
    attack_result(result, parents, MIN_N)


def test_suppress_treats_each_wave_on_its_own():
    parents = {1: None, 2: 1, 3: 1}
    # wave 1: team 2 has 3 (primary), team 3 has 12 -> hidden too; wave 2: 8 and 12, all shown
    rolled = pd.concat(
        [
            rolled_frame({0: (15, 0), 1: (15, 0), 2: (3, 3), 3: (12, 12)}).assign(wave_id=1),
            rolled_frame({0: (20, 0), 1: (20, 0), 2: (8, 8), 3: (12, 12)}).assign(wave_id=2),
        ],
        ignore_index=True,
    )

    result = scoring.suppress(rolled, teams_frame(parents), MIN_N, by=["wave_id"])

    assert list(result.index) == list(rolled.index)
    assert result["suppression"].tolist() == ["", "", "primary", "complementary", "", "", "", ""]
    for _, wave in result.groupby("wave_id"):
        attack_result(wave, parents, MIN_N)


def test_suppress_follows_the_minimum_group_size():
    parents = {1: None, 2: 1, 3: 1, 4: 1}
    rolled = rolled_frame({0: (53, 0), 1: (53, 0), 2: (3, 3), 3: (20, 20), 4: (30, 30)})

    # min 3: 3 is not below 3 -> nothing hidden
    assert not scoring.suppress(rolled, teams_frame(parents), 3)["suppressed"].any()
    # min 25: 3 and 20 primary (3 + 20 = 23 < 25 remains) -> 30 hidden as well; 1 and 0 show 53
    result = scoring.suppress(rolled, teams_frame(parents), 25)
    assert kinds(result) == {0: "", 1: "", 2: "primary", 3: "primary", 4: "complementary"}
    attack_result(result, parents, 25)


def test_no_difference_in_the_demo_reveals_a_small_group(demo_db):
    settings = store.settings.settings(demo_db)
    frame = services.readiness_by_team(demo_db, settings)
    min_n = int(settings["min_group_size"])

    assert frame["suppressed"].any(), "the demo should have hidden teams to attack"
    for _, wave in frame.groupby("wave_id"):
        attack(wave[["team_id", "parent_id", "n", "direct_n", "suppressed"]], min_n)


# confidence_interval -----------------------------------------------------------------------------


def test_confidence_interval_matches_scipy():
    sample = np.array([55.0, 70.0, 62.5, 80.0, 47.5])
    mean, sd, n = sample.mean(), sample.std(ddof=1), len(sample)

    for level in (0.95, 0.9):
        low, high = scoring.confidence_interval(pd.Series([mean]), pd.Series([sd]), pd.Series([n]), level)
        expected_low, expected_high = stats.t.interval(level, n - 1, loc=mean, scale=sd / math.sqrt(n))
        assert low[0] == pytest.approx(expected_low)
        assert high[0] == pytest.approx(expected_high)


def test_confidence_interval_per_row_and_nan_for_one_respondent():
    low, high = scoring.confidence_interval(
        pd.Series([60.0, 70.0], index=[7, 8]), pd.Series([10.0, np.nan], index=[7, 8]), pd.Series([4, 1], index=[7, 8])
    )

    # row 7: t(0.975, 3) * 10 / sqrt(4) either side of 60
    half = stats.t.ppf(0.975, 3) * 10.0 / 2.0
    assert list(low.index) == [7, 8]
    assert low[7] == pytest.approx(60.0 - half)
    assert high[7] == pytest.approx(60.0 + half)
    assert math.isnan(low[8])
    assert math.isnan(high[8])


# inputs are never changed -----------------------------------------------------------------------


def assert_unchanged(function, *frames):
    """Call `function` on `frames` and check that every one of them is as it was."""
    before = [frame.copy(deep=True) for frame in frames]
    function(*frames)
    for original, after in zip(before, frames, strict=True):
        if isinstance(original, pd.DataFrame):
            pd.testing.assert_frame_equal(after, original)
        else:
            pd.testing.assert_series_equal(after, original)


def test_scoring_functions_never_change_their_inputs(responses, items, tree):
    scores = team_scores()
    stats_frame = tree_stats(RAW_READINESS, RAW_MEANS)
    rolled = rolled_frame({0: (53, 0), 1: (53, 0), 2: (3, 3), 3: (20, 20), 4: (30, 30)})
    small_tree = teams_frame({1: None, 2: 1, 3: 1, 4: 1})

    assert_unchanged(scoring.element_scores, responses, items)
    assert_unchanged(lambda frame: scoring.barrier_points(frame, 3.0), scores)
    assert_unchanged(hierarchy.subtree_members, tree)
    assert_unchanged(scoring.roll_up, stats_frame, tree)
    assert_unchanged(lambda frame, teams: scoring.suppress(frame, teams, MIN_N), rolled, small_tree)
    assert_unchanged(scoring.confidence_interval, pd.Series([60.0, 70.0]), pd.Series([10.0, 5.0]), pd.Series([4, 9]))


def frontier_remainders(result: pd.DataFrame, parents: dict[int, int | None]) -> dict[int, int]:
    """For every shown team: its n minus the shown teams nearest below it (looking through hidden ones)."""
    parent_of = {team: (hierarchy.ORGANISATION if parent is None else parent) for team, parent in parents.items()}
    n = dict(zip(result["team_id"], result["n"], strict=True))
    hidden = dict(zip(result["team_id"], result["suppressed"], strict=True))

    def nearest_shown(team: int) -> list[int]:
        found = []
        for child in (t for t, p in parent_of.items() if p == team and n.get(t, 0) > 0):
            found += [child] if not hidden[child] else nearest_shown(child)
        return found

    return {team: n[team] - sum(n[c] for c in nearest_shown(team)) for team in n if not hidden[team]}


def test_suppress_looks_through_a_hidden_team_to_the_shown_ones_below_it():
    # org 72 = P 21 (K1 1, K2 20) + S 50 + T 1. Hiding P alone leaves org - S - K2 = K1 + T = 2 people.
    parents = {1: None, 2: 1, 3: 1, 4: None, 5: None}  # 1 = P, 2 = K1, 3 = K2, 4 = S, 5 = T
    rolled = rolled_frame({0: (72, 0), 1: (21, 0), 2: (1, 1), 3: (20, 20), 4: (50, 50), 5: (1, 1)})
    result = scoring.suppress(rolled, teams_frame(parents), MIN_N)
    remainders = frontier_remainders(result, parents)
    assert all(r == 0 or r >= MIN_N for r in remainders.values()), remainders
    assert kinds(result)[3] == "complementary"  # K2 can no longer be subtracted
    assert not result.set_index("team_id").loc[4, "suppressed"]  # S stays


def test_a_published_barrier_point_agrees_with_the_mean_as_printed():
    # Issue 12: 2.996 was outlined and 3.004 not, both printed "3.00".
    means = pd.DataFrame({element: [4.0, 4.0, 4.0] for element in ELEMENTS})
    means["awareness"] = [2.996, 3.004, 3.006]
    shown = scoring.barrier_points(means, 3.0, scoring.PUBLISHED_DECIMALS)
    assert [f"{value:.2f}" for value in means["awareness"]] == ["3.00", "3.00", "3.01"]
    assert shown.tolist() == ["awareness", "awareness", None]
    # Unrounded (a respondent's own scores), 3.004 is above the threshold.
    assert scoring.barrier_points(means, 3.0).tolist() == ["awareness", None, None]


# The tree as arrays (hierarchy.Tree), which suppression and response rates walk level by level ---------


@pytest.mark.parametrize("missing", [None, np.nan, pd.NA])
def test_the_tree_puts_parents_before_children_and_sums_subtrees(missing):
    teams = teams_frame({7: None, 3: 7, 9: 3, 4: 7, 5: None, 8: 9}, missing)
    tree = hierarchy.Tree.of(teams)

    assert tree.ids[0] == hierarchy.ORGANISATION
    depth = {int(tree.ids[node]): d for d, level in enumerate(tree.levels) for node in level}
    assert depth == {0: 0, 7: 1, 5: 1, 3: 2, 4: 2, 9: 3, 8: 4}
    for level in tree.levels[1:]:
        assert (tree.parent[level] < level.min()).all()
    people = np.zeros(len(tree.ids))
    people[tree.positions([7, 3, 9, 4, 5, 8])] = [1, 10, 100, 1000, 10000, 100000]
    totals = dict(zip(tree.ids.tolist(), tree.subtree_sum(people).tolist(), strict=True))
    assert totals == {0: 111111, 7: 101111, 3: 100110, 9: 100100, 8: 100000, 4: 1000, 5: 10000}
    pairs = hierarchy.subtree_members(teams)
    assert set(pairs.loc[pairs["ancestor_id"] == 3, "team_id"]) == {3, 9, 8}
    assert set(pairs.loc[pairs["ancestor_id"] == 0, "team_id"]) == {7, 3, 9, 4, 5, 8}


def test_a_team_in_a_circle_or_under_an_unknown_parent_hangs_under_the_organisation():
    # Saving refuses a circle (test_organisation); an old database or a hand edit could still hold one.
    teams = teams_frame({1: 2, 2: 1, 3: None, 4: 99})
    tree = hierarchy.Tree.of(teams)

    assert sorted(tree.ids[tree.levels[1]].tolist()) == [1, 2, 3, 4]
    assert tree.subtree_sum(np.ones(len(tree.ids)))[0] == 5
