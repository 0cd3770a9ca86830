"""The live pulse's published figures (DESIGN.md's honesty rule): the room's screen moves only in steps of at
least the minimum group size of answers, so no change on it is one person's answer or change of mind."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxchange import pulses, services, store

OPENED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DURING = OPENED + timedelta(minutes=5)
ELEMENTS = ("awareness", "desire", "knowledge", "ability", "reinforcement")
CODES = ("AW1", "DE1", "KN1", "AB1", "RE1")


def form(team_id: int, value: int = 4) -> dict[str, str]:
    return {"team": str(team_id)} | dict.fromkeys(CODES, str(value))


@pytest.fixture
def workspace(own_db):
    """A new wave of Customer First (empty) and a pulse on two of its teams; returns db, pulse, team ids."""
    wave_id, _ = services.add_wave(own_db, "Customer First", "Live pulse steps", "2026-12-01")
    pulse = services.open_pulse(own_db, wave_id, ["Stores West", "Stores North"], now=OPENED, comment_question="Why?")
    teams = store.pulses.pulse_teams(own_db, int(pulse["id"]))
    return own_db, pulse, {name: team for team, name in teams.items()}


def published(db, pulse) -> dict[int, dict]:
    """The figures published per team (whether they are held off the screen, `held`, is not a figure: it
    follows the wave's other responses, which earlier examples' pulses add to)."""
    found = services.pulse_published(db, int(pulse["id"])).drop(columns="held")
    return {int(row["team_id"]): row for row in found.to_dict("records")}


# The rule, alone ------------------------------------------------------------------------------


def test_figures_move_only_when_enough_devices_have_sent_since_and_enough_answers_stand():
    assert not pulses.publishes(4, 4, 5)
    assert pulses.publishes(5, 5, 5)
    assert not pulses.publishes(4, 9, 5)  # the 6th..9th person: the screen stays where it was
    assert pulses.publishes(5, 10, 5)
    assert not pulses.publishes(5, 4, 5)  # five sent, but moves left four answers in the team: nothing new
    assert pulses.publishes(3, 3, 3)


def test_comments_come_in_a_fixed_order_that_is_not_the_order_they_were_sent_in():
    sent = [f"comment {number}" for number in range(12)]
    order = pulses.shuffled(sent, "token-a")
    assert sorted(order) == sorted(sent)
    assert order == pulses.shuffled(list(reversed(sent)), "token-a")  # the same whatever order they came in
    assert order != sent
    assert order != sorted(sent)


# On the real file ------------------------------------------------------------------------------


def test_five_answers_publish_the_sixth_to_ninth_change_nothing_and_the_tenth_publishes(workspace):
    db, pulse, ids = workspace
    west = ids["Stores West"]
    for phone in range(4):
        services.answer_pulse(db, pulse["token"], f"phone-{phone}", form(west, 4), now=DURING)
    assert published(db, pulse) == {}  # four: nothing for the room
    services.answer_pulse(db, pulse["token"], "phone-4", form(west, 4), now=DURING)
    first = published(db, pulse)[west]
    assert first["n"] == 5
    assert [first[element] for element in ELEMENTS] == [4.0] * 5

    for phone in range(5, 9):
        services.answer_pulse(db, pulse["token"], f"phone-{phone}", form(west, 1), now=DURING)
        assert published(db, pulse)[west] == first  # the 6th person's answer cannot be read as 6·B − 5·A
    assert services.pulse_answer_counts(db, int(pulse["id"]))[west] == 9  # the count itself goes on

    services.answer_pulse(db, pulse["token"], "phone-9", form(west, 1), now=DURING)
    second = published(db, pulse)[west]
    assert second["n"] == 10
    assert second["awareness"] == pytest.approx(2.5)
    assert ids["Stores North"] not in published(db, pulse)


def test_a_replaced_answer_alone_changes_nothing_published(workspace):
    db, pulse, ids = workspace
    west = ids["Stores West"]
    for phone in range(5):
        services.answer_pulse(db, pulse["token"], f"phone-{phone}", form(west, 4), now=DURING)
    before = published(db, pulse)[west]
    for _ in range(6):  # the same person changing their mind, again and again: one device, never a step
        assert services.answer_pulse(db, pulse["token"], "phone-0", form(west, 1), now=DURING) == "replaced"
    assert published(db, pulse)[west] == before


def test_a_device_moving_to_another_team_counts_for_both(workspace):
    db, pulse, ids = workspace
    west, north = ids["Stores West"], ids["Stores North"]
    for phone in range(5):
        services.answer_pulse(db, pulse["token"], f"west-{phone}", form(west, 4), now=DURING)
        services.answer_pulse(db, pulse["token"], f"north-{phone}", form(north, 2), now=DURING)
    for phone in range(5):  # five of West's people say they are in North after all
        services.answer_pulse(db, pulse["token"], f"west-{phone}", form(north, 5), now=DURING)
    shown = published(db, pulse)
    assert shown[north]["n"] == 10
    assert shown[north]["awareness"] == pytest.approx(3.5)
    assert shown[west]["n"] == 5  # West has no answers left: its last snapshot stays, never one below 5


def test_comments_are_shown_only_after_the_pulse_closes_at_their_own_minimum(workspace):
    db, pulse, ids = workspace
    west = ids["Stores West"]
    minimum = int(store.settings.settings(db)["min_comment_group_size"])
    for phone in range(minimum):
        services.answer_pulse(
            db, pulse["token"], f"phone-{phone}", form(west) | {"comment": f"Reason {phone}"}, now=DURING
        )
    shown, note = services.pulse_comments(db, store.settings.settings(db), int(pulse["id"]), west, now=DURING)
    assert (shown, note) == ([], "Comments are shown once the pulse has closed.")
    services.close_pulse(db, int(pulse["id"]), now=DURING)
    shown, note = services.pulse_comments(db, store.settings.settings(db), int(pulse["id"]), west)
    assert sorted(shown) == sorted(f"Reason {phone}" for phone in range(minimum))
    assert shown != [f"Reason {phone}" for phone in range(minimum)]  # not in the order they were sent
    assert note == f"{minimum} comments, in no particular order."
    north = services.pulse_comments(db, store.settings.settings(db), int(pulse["id"]), ids["Stores North"])
    assert north[0] == []
    assert "at least" in north[1]


# The privacy claim, attacked: any sequence of answers ------------------------------------------

STEP = st.tuples(st.integers(0, 7), st.sampled_from(("Stores West", "Stores North")), st.integers(1, 5))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=40))
def test_between_two_snapshots_of_a_team_at_least_the_minimum_of_devices_sent_for_it(workspace, steps):
    # Devices 0..7 send, replace, and move between the two teams in any order; whatever they do, a team's
    # snapshot moves only after at least m distinct devices sent for it since the last one, and never
    # stands for fewer than m answers.
    db, _, ids = workspace
    pulse = services.open_pulse(db, int(store.pulses.pulses(db)["wave_id"].iloc[0]), list(ids), now=OPENED)
    minimum = int(store.settings.settings(db)["min_group_size"])
    team_of: dict[int, int] = {}  # device -> its current team
    since: dict[int, set[int]] = {team: set() for team in ids.values()}
    last = published(db, pulse)
    for second, (device, team_name, value) in enumerate(steps):
        team = ids[team_name]
        touched = {team, team_of.get(device, team)}
        at = DURING + timedelta(seconds=second)  # each snapshot its own time: a step to equal figures shows
        services.answer_pulse(db, pulse["token"], f"device-{device}", form(team, value), now=at)
        team_of[device] = team
        for touched_team in touched:
            since[touched_team].add(device)
        now = published(db, pulse)
        for touched_team, row in now.items():
            assert row["n"] >= minimum
            if last.get(touched_team) != row:
                assert len(since[touched_team]) >= minimum, (touched_team, since, row)
                since[touched_team] = set()
                assert row["n"] == sum(1 for current in team_of.values() if current == touched_team)
        assert set(now) >= set(last)  # a snapshot, once shown, stays until the next step
        last = now


# The pulse's figures against the wave's ---------------------------------------------------------


def test_a_pulse_on_a_wave_that_holds_other_responses_of_the_team_keeps_its_figures_off_the_screen(own_db):
    # The wave's figure of Stores West holds the pulse's answers and its 3 survey responses: the pulse's own
    # figures beside it would let the room work those 3 out (wave − pulse), a group under the minimum.
    wave_id, _ = services.add_wave(own_db, "Customer First", "Mixed", "2026-12-01")
    pulse = services.open_pulse(own_db, wave_id, ["Stores West"], now=OPENED)
    west = next(iter(store.pulses.pulse_teams(own_db, int(pulse["id"]))))
    clean = services.open_pulse(own_db, wave_id, ["Stores North"], now=OPENED)
    north = next(iter(store.pulses.pulse_teams(own_db, int(clean["id"]))))
    items = store.bank.items(own_db).set_index("code")["text"]
    header = ",".join(["Team", *(f'"{items[code]}"' for code in CODES)])
    survey = (header + "\n" + "Stores West,2,2,2,2,2\n" * 3).encode()
    services.import_survey(own_db, survey, "west.csv", "Mixed", "Customer First")
    for phone in range(5):
        services.answer_pulse(own_db, pulse["token"], f"west-{phone}", form(west), now=DURING)
        services.answer_pulse(own_db, clean["token"], f"north-{phone}", form(north), now=DURING)

    held = services.pulse_published(own_db, int(pulse["id"])).set_index("team_id").loc[west, "held"]
    assert held.startswith("Figures held back: this wave also holds 3 other responses for the team")
    shown = services.pulse_published(own_db, int(clean["id"])).set_index("team_id").loc[north]
    assert shown["held"] is None
    assert (shown["n"], shown["awareness"]) == (5, 4.0)
