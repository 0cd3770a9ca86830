"""Live pulses through services, on the real SQLite file: who may open one, where the answers land (the wave,
the team, the pulse's own batch, `readiness --json`), one answer per device, undo, closing, and what is
never kept (a person, an answer in the audit trail)."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxchange import access, pulses, services, store
from cxchange.access import Actor

WAVE = "Live pulse check"
INITIATIVE = "Customer First"
OPENED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DURING = OPENED + timedelta(minutes=5)
SHORT = {"AW1": "4", "DE1": "4", "KN1": "3", "AB1": "2", "RE1": "5"}


@pytest.fixture
def workspace(own_db):
    """The demo as the customer's own workspace with a new, empty wave of Customer First to pulse: its
    figures are the pulse's answers only. Returns the db, the wave's id and the team ids by name."""
    wave_id, _ = services.add_wave(own_db, INITIATIVE, WAVE, "2026-12-01")
    teams = store.org.teams(own_db)
    return own_db, wave_id, dict(zip(teams["name"], teams["id"].astype(int), strict=True))


def opened(db, wave_id, teams=("Stores West",), **options):
    return services.open_pulse(db, wave_id, list(teams), now=OPENED, **options)


def answer(db, pulse, device, team_id, now=DURING, **values):
    return services.answer_pulse(db, pulse["token"], device, {"team": str(team_id)} | SHORT | values, now=now)


def batch_responses(db, pulse):
    return list(
        db.query("SELECT * FROM responses WHERE batch_id = :batch ORDER BY id", {"batch": int(pulse["batch_id"])})
    )


# Who may open a pulse, on what ----------------------------------------------------------------


def test_a_viewer_may_not_open_a_pulse(workspace):
    db, wave_id, _ = workspace
    with pytest.raises(access.Refused, match="editor"):
        opened(db, wave_id, actor=Actor("vic@example.com", "viewer"))
    assert store.pulses.pulses(db).empty


def test_an_editor_of_some_teams_opens_pulses_for_those_teams_only(workspace):
    db, wave_id, ids = workspace
    sam = Actor("sam@example.com", "editor", ids["Stores"])
    with pytest.raises(access.Refused, match="Contact Centre"):
        opened(db, wave_id, ("Stores West", "Contact Centre"), actor=sam)
    assert store.pulses.pulses(db).empty
    pulse = opened(db, wave_id, ("Stores West", "Stores North"), actor=sam)
    assert pulse["opened_by"] == "sam@example.com"
    assert set(store.pulses.pulse_teams(db, int(pulse["id"])).values()) == {"Stores West", "Stores North"}


def test_an_unknown_wave_is_refused(workspace):
    db, _, _ = workspace
    with pytest.raises(ValueError, match="^Wave: 999 is not a wave of this workspace.$"):
        opened(db, 999)
    with pytest.raises(ValueError, match="is not a wave of this workspace"):
        opened(db, WAVE)


def test_an_unknown_or_archived_team_is_refused(workspace):
    db, wave_id, ids = workspace
    with pytest.raises(ValueError, match="^Team: 'Stores East' is not a current team of this workspace.$"):
        opened(db, wave_id, ("Stores West", "Stores East"))
    services.save_teams(db, [{"row": "Row 1", "id": ids["Stores South"], "archived": True}])
    with pytest.raises(ValueError, match="'Stores South' is not a current team"):
        opened(db, wave_id, ("Stores South",))
    with pytest.raises(ValueError, match="choose at least one team"):
        opened(db, wave_id, ())
    assert store.pulses.pulses(db).empty


def test_a_team_archived_after_the_pulse_opened_takes_no_more_answers(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id, ("Stores West", "Stores North"))
    assert answer(db, pulse, "phone-1", ids["Stores North"]) == "added"
    services.save_teams(db, [{"row": "Row 1", "id": ids["Stores North"], "archived": True}])
    assert services.pulse_form(db, pulse["token"], now=DURING).teams == {ids["Stores West"]: "Stores West"}
    with pytest.raises(
        pulses.AnswerRefused,
        match="^Stores North has been archived since this pulse opened, so the pulse takes no more answers for it.$",
    ):
        answer(db, pulse, "phone-2", ids["Stores North"])
    assert answer(db, pulse, "phone-2", ids["Stores West"]) == "added"
    assert [row["team_id"] for row in batch_responses(db, pulse)] == [ids["Stores North"], ids["Stores West"]]
    services.save_teams(db, [{"row": "Row 1", "id": ids["Stores West"], "archived": True}])
    with pytest.raises(pulses.PulseRefused, match="teams have been archived since it opened"):
        services.pulse_form(db, pulse["token"], now=DURING)
    with pytest.raises(pulses.PulseRefused, match="teams have been archived since it opened"):
        answer(db, pulse, "phone-3", ids["Stores West"])
    assert len(batch_responses(db, pulse)) == 2  # the answers given before stay, nothing was added


def test_the_demo_workspace_takes_no_pulse(demo_db):
    wave_id = int(store.org.waves(demo_db, 1)["id"].iloc[-1])
    with pytest.raises(ValueError, match="demo") as refused:
        services.open_pulse(demo_db, wave_id, ["Stores West"], now=OPENED)
    assert str(refused.value).endswith("Start an empty workspace first (Settings → Workspace; a backup keeps the "
                                       "demo), then open the pulse there.")  # fmt: skip
    assert "import it" not in str(refused.value)  # a pulse is opened, not imported
    assert store.pulses.pulses(demo_db).empty


@pytest.mark.parametrize("minutes", [0, -1, 7 * 24 * 60 + 1])
def test_a_pulse_open_for_no_time_or_over_a_week_is_refused(workspace, minutes):
    db, wave_id, _ = workspace
    with pytest.raises(pulses.PulseRefused, match=f"between 1 minute and 7 days, not {minutes} minutes"):
        opened(db, wave_id, minutes=minutes)
    assert store.pulses.pulses(db).empty
    assert db.execute("SELECT COUNT(*) FROM import_batches WHERE kind = 'pulse'").fetchone()[0] == 0


def test_a_pulse_stays_open_for_the_workspace_setting_unless_told(workspace):
    db, wave_id, _ = workspace
    assert opened(db, wave_id)["closes_at"] == (OPENED + timedelta(minutes=30)).isoformat()
    assert opened(db, wave_id, minutes=45)["closes_at"] == (OPENED + timedelta(minutes=45)).isoformat()


# Where the answers land -----------------------------------------------------------------------


def test_answers_are_responses_of_the_wave_and_team_in_the_pulses_batch(workspace, own_workspace, cli):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id, ("Stores West", "Contact Centre"))
    for device in range(5):
        assert answer(db, pulse, f"west {device}", ids["Stores West"]) == "added"

    rows = batch_responses(db, pulse)
    assert len(rows) == 5
    assert {(row["wave_id"], row["team_id"], row["complete"]) for row in rows} == {(wave_id, ids["Stores West"], 1)}
    assert services.pulse_answer_counts(db, int(pulse["id"])) == {ids["Stores West"]: 5}

    result = cli("readiness", "--db", str(own_workspace), "--initiative", INITIATIVE, "--wave", WAVE, "--json")
    assert result.returncode == 0, result.stderr
    report = {team["team"]: team for team in json.loads(result.stdout)["teams"]}
    west = report["Stores West"]
    assert (west["n"], west["suppressed"]) == (5, False)
    assert [west[element] for element in ("awareness", "desire", "knowledge", "ability", "reinforcement")] == [
        4.0, 4.0, 3.0, 2.0, 5.0
    ]  # fmt: skip
    assert west["barrier_point"] == "knowledge"
    assert "Contact Centre" not in report  # asked, but nobody of it answered

    figures = services.readiness_by_team(db, store.settings.settings(db), int(pulse["initiative_id"]))
    west_row = figures[(figures["wave_id"] == wave_id) & (figures["team_id"] == ids["Stores West"])].iloc[0]
    assert (int(west_row["n"]), west_row["knowledge"], west_row["barrier_point"]) == (5, 3.0, "knowledge")


def test_a_team_with_fewer_answers_than_the_minimum_shows_no_figure(workspace, own_workspace, cli):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id)
    for device in range(4):
        answer(db, pulse, f"west {device}", ids["Stores West"])
    result = cli("readiness", "--db", str(own_workspace), "--initiative", INITIATIVE, "--wave", WAVE, "--json")
    west = {team["team"]: team for team in json.loads(result.stdout)["teams"]}["Stores West"]
    assert (west["n"], west["suppressed"], west["awareness"], west["barrier_point"]) == (None, True, None, None)
    assert pulses.answer_count_text(4, 5) == "Fewer than 5 answers so far"


def test_a_second_answer_from_a_device_replaces_its_first(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id)
    assert answer(db, pulse, "phone", ids["Stores West"], AB1="2") == "added"
    assert answer(db, pulse, "other phone", ids["Stores West"]) == "added"
    assert answer(db, pulse, "phone", ids["Stores West"], AB1="5") == "replaced"

    rows = batch_responses(db, pulse)
    assert len(rows) == 2
    assert sorted(json.loads(row["answers"])["AB1"] for row in rows) == [2, 5]  # the other phone's 2, then 5
    assert services.pulse_answer_counts(db, int(pulse["id"])) == {ids["Stores West"]: 2}


def test_a_device_that_changes_team_moves_its_one_answer(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id, ("Stores West", "Contact Centre"))
    answer(db, pulse, "phone", ids["Stores West"])
    assert answer(db, pulse, "phone", ids["Contact Centre"]) == "replaced"
    assert services.pulse_answer_counts(db, int(pulse["id"])) == {ids["Contact Centre"]: 1}


def test_a_refused_answer_stores_nothing(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id)
    with pytest.raises(pulses.AnswerRefused, match="1 statement still open"):
        answer(db, pulse, "phone", ids["Stores West"], KN1="6")
    with pytest.raises(pulses.AnswerRefused, match="another team"):
        answer(db, pulse, "phone", ids["Contact Centre"])
    assert batch_responses(db, pulse) == []
    assert db.execute("SELECT COUNT(*) FROM pulse_devices").fetchone()[0] == 0


def test_undo_of_the_pulses_batch_removes_every_answer_and_the_pulse_and_keeps_the_wave(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id)
    for device in range(6):
        answer(db, pulse, f"phone {device}", ids["Stores West"])
    services.undo_batch(db, int(pulse["batch_id"]))

    assert batch_responses(db, pulse) == []
    assert db.execute("SELECT COUNT(*) FROM responses WHERE wave_id = :wave", {"wave": wave_id}).fetchone()[0] == 0
    assert store.pulses.pulses(db).empty
    assert db.execute("SELECT COUNT(*) FROM pulse_devices").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM pulse_teams").fetchone()[0] == 0
    assert WAVE in set(store.org.waves(db)["name"])
    with pytest.raises(pulses.PulseRefused, match="does not open a pulse"):
        services.pulse_form(db, pulse["token"], now=DURING)


# When the link stops working ------------------------------------------------------------------


def test_a_closed_pulse_refuses_answers_and_its_form(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id)
    answer(db, pulse, "phone", ids["Stores West"])
    assert services.close_pulse(db, int(pulse["id"]), now=DURING) == 1
    closed = "This pulse has closed: it takes no more answers. Thank you for your time."
    with pytest.raises(pulses.PulseRefused, match=f"^{re.escape(closed)}$"):
        answer(db, pulse, "another phone", ids["Stores West"])
    with pytest.raises(pulses.PulseRefused, match=re.escape(closed)):
        answer(db, pulse, "phone", ids["Stores West"], AB1="5")  # nor may a device change its answer
    with pytest.raises(pulses.PulseRefused, match=re.escape(closed)):
        services.pulse_form(db, pulse["token"], now=DURING)
    assert len(batch_responses(db, pulse)) == 1
    assert json.loads(batch_responses(db, pulse)[0]["answers"])["AB1"] == 2


def test_a_pulse_refuses_once_its_time_is_up_and_before_it_opens(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id, minutes=10)
    with pytest.raises(pulses.PulseRefused, match="has closed"):
        answer(db, pulse, "phone", ids["Stores West"], now=OPENED + timedelta(minutes=10))
    with pytest.raises(pulses.PulseRefused, match="^This pulse has not opened yet.$"):
        answer(db, pulse, "phone", ids["Stores West"], now=OPENED - timedelta(minutes=1))
    assert answer(db, pulse, "phone", ids["Stores West"], now=OPENED + timedelta(minutes=9)) == "added"


@pytest.mark.parametrize("token", ["", "nope", "x" * 500, None, 42])
def test_a_token_no_pulse_has_is_refused(workspace, token):
    db, wave_id, _ = workspace
    opened(db, wave_id)
    with pytest.raises(pulses.PulseRefused, match="^This link does not open a pulse. Ask the facilitator"):
        services.pulse_form(db, token, now=DURING)


def test_a_scoped_editor_closes_only_pulses_of_their_teams(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id, ("Contact Centre",))
    with pytest.raises(access.Refused, match="Contact Centre"):
        services.close_pulse(db, int(pulse["id"]), actor=Actor("sam@example.com", "editor", ids["Stores"]))
    assert store.pulses.pulse_by_token(db, pulse["token"])["closed_at"] is None


# What is kept ---------------------------------------------------------------------------------


def test_nothing_stored_names_a_person(workspace):
    db, wave_id, ids = workspace
    pulse = opened(db, wave_id, comment_question="What would help?")
    device = pulses.device_hash(pulse["token"], "the-phones-random-cookie")
    answer(db, pulse, device, ids["Stores West"], comment="Nothing to add")

    (row,) = batch_responses(db, pulse)
    assert row["submitted_on"] == DURING.date().isoformat()  # the day, no time of day
    assert re.fullmatch(r"[0-9a-f]{64}", row["source_hash"])
    assert row["comment"] == "Nothing to add"
    devices = list(db.query("SELECT * FROM pulse_devices"))
    assert [tuple(device_row) for device_row in devices] == [("pulse_id", "device_hash", "response_id")]
    assert devices[0]["device_hash"] == device
    dump = "\n".join(db.conn.iterdump())
    assert "the-phones-random-cookie" not in dump


def test_the_audit_says_who_opened_and_closed_a_pulse_and_nothing_per_answer(workspace):
    db, wave_id, ids = workspace
    before = len(store.people.audit(db))
    pulse = opened(db, wave_id)
    for device in range(5):
        answer(db, pulse, f"phone {device}", ids["Stores West"])
    answer(db, pulse, "phone 0", ids["Stores West"], AB1="4")
    services.close_pulse(db, int(pulse["id"]))

    entries = store.people.audit(db).iloc[: len(store.people.audit(db)) - before]
    assert sorted(entries["action"]) == ["pulse closed", "pulse opened"]
    closed = json.loads(entries[entries["action"] == "pulse closed"]["detail"].iloc[0])
    assert closed["answers"] == 5
    assert "phone 0" not in "".join(entries["detail"])


# The privacy claim, whatever the room does ----------------------------------------------------

SUBMISSIONS = st.lists(st.tuples(st.integers(0, 7), st.booleans(), st.sampled_from("12345")), min_size=0, max_size=25)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(submissions=SUBMISSIONS)
def test_each_device_counts_once_and_the_room_never_sees_a_small_exact_count(workspace, submissions):
    """Whatever devices send, in whatever order and however often, the pulse's batch holds one response per
    device, and the count the room is told never gives an exact number below the minimum group size."""
    db, wave_id, ids = workspace
    minimum = int(store.settings.settings(db)["min_group_size"])
    teams = (ids["Stores West"], ids["Contact Centre"])
    pulse = opened(db, wave_id, ("Stores West", "Contact Centre"))
    latest: dict[int, tuple[int, str]] = {}
    for device, second_team, value in submissions:
        team = teams[int(second_team)]
        answer(db, pulse, f"device {device}", team, AW1=value)
        latest[device] = (team, value)

        rows = batch_responses(db, pulse)
        assert len(rows) == len(latest)
        counts = services.pulse_answer_counts(db, int(pulse["id"]))
        assert sum(counts.values()) == len(latest)
        for count in counts.values():
            text = pulses.answer_count_text(count, minimum)
            if count < minimum:
                shown = [int(number) for number in re.findall(r"\d+", text)]
                assert all(number == minimum or (number % 5 == 0 and number < minimum) for number in shown), text
                assert f"{count} answer" not in text

    rows = batch_responses(db, pulse)
    assert sorted((row["team_id"], str(json.loads(row["answers"])["AW1"])) for row in rows) == sorted(latest.values())
