"""The live pulse's rules (cxchange.pulses): which statements a form asks, what a phone's answers mean and
when they are refused, what the room is told about the count, and how fast one link takes answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from cxchange import pulses
from cxchange.model import DEFAULT_ITEMS, ELEMENTS

TEAMS = {4: "Stores West"}
TWO_TEAMS = {4: "Stores West", 6: "Contact Centre"}


def bank(**active: bool) -> pd.DataFrame:
    """The default question bank as store.bank.items gives it; `AW1=False` retires that item."""
    return pd.DataFrame(
        [
            {"code": item.code, "element": item.element, "text": item.text, "position": position,
             "active": int(active.get(item.code, True)), "retired_on": None, "batch_id": None}
            for position, item in enumerate(DEFAULT_ITEMS, start=1)
        ]
    )  # fmt: skip


def answered(asked: list[pulses.Question], value: str = "4", **more: str) -> dict[str, str]:
    return {"team": "4"} | {question.code: value for question in asked} | more


# Forms ----------------------------------------------------------------------------------------


def test_the_short_form_asks_one_statement_per_element_in_adkar_order():
    asked = pulses.questions(bank(), "short", outcome=False)
    assert [question.code for question in asked] == ["AW1", "DE1", "KN1", "AB1", "RE1"]
    assert [question.element for question in asked] == list(ELEMENTS)


def test_the_short_form_takes_the_next_active_statement_where_the_first_is_retired():
    asked = pulses.questions(bank(AW1=False, KN1=False), "short", outcome=False)
    assert [question.code for question in asked] == ["AW2", "DE1", "KN2", "AB1", "RE1"]


def test_the_full_form_asks_every_active_adkar_statement_and_no_retired_one():
    asked = pulses.questions(bank(DE3=False), "full", outcome=False)
    codes = [question.code for question in asked]
    assert codes == [item.code for item in DEFAULT_ITEMS if item.element in ELEMENTS and item.code != "DE3"]
    assert "OC1" not in codes


@pytest.mark.parametrize("form", ["short", "full"])
def test_the_outcome_statement_comes_last_when_asked(form):
    asked = pulses.questions(bank(), form, outcome=True)
    assert asked[-1] == pulses.Question("OC1", "outcome", "I am confident our CX programme will succeed.")
    assert [question.element for question in asked].count("outcome") == 1


def test_the_outcome_is_left_out_quietly_where_the_bank_has_none_active():
    asked = pulses.questions(bank(OC1=False), "short", outcome=True)
    assert [question.code for question in asked] == ["AW1", "DE1", "KN1", "AB1", "RE1"]


@pytest.mark.parametrize("form", ["short", "full"])
def test_a_bank_missing_an_element_is_refused_naming_it(form):
    with pytest.raises(pulses.PulseRefused, match=r"no active statement for Knowledge: a pulse asks every element"):
        pulses.questions(bank(KN1=False, KN2=False, KN3=False), form, outcome=False)


def test_an_unknown_form_is_refused():
    with pytest.raises(pulses.PulseRefused, match="short or full, not 'long'"):
        pulses.questions(bank(), "long", outcome=False)


def test_the_scale_labels_are_those_of_design():
    assert pulses.SCALE_LABELS == (
        (1, "Strongly disagree"), (2, "Disagree"), (3, "Neither agree nor disagree"), (4, "Agree"),
        (5, "Strongly agree"),
    )  # fmt: skip


# A phone's answer -----------------------------------------------------------------------------


SHORT = pulses.questions(bank(), "short", outcome=False)


def test_a_complete_answer_is_read_with_its_team_values_and_comment():
    answer = pulses.read_answer(
        answered(SHORT, AB1="2", comment="  More training please. "), SHORT, TEAMS, comment_asked=True
    )
    assert answer == pulses.Answer(4, {"AW1": 4, "DE1": 4, "KN1": 4, "AB1": 2, "RE1": 4}, "More training please.")


def test_a_comment_is_dropped_where_the_pulse_asks_none():
    answer = pulses.read_answer(answered(SHORT, comment="hello"), SHORT, TEAMS, comment_asked=False)
    assert answer.comment is None


def test_an_empty_comment_is_none():
    assert pulses.read_answer(answered(SHORT, comment="   "), SHORT, TEAMS, comment_asked=True).comment is None


@pytest.mark.parametrize("team", [None, "", "abc", "4.0", "-4", " "])
def test_no_team_is_refused(team):
    fields = answered(SHORT)
    if team is None:
        del fields["team"]
    else:
        fields["team"] = team
    with pytest.raises(pulses.AnswerRefused, match="^Choose your team.$"):
        pulses.read_answer(fields, SHORT, TWO_TEAMS, comment_asked=False)


def test_a_team_the_pulse_does_not_ask_is_refused():
    with pytest.raises(pulses.AnswerRefused, match="^This link is for another team.$"):
        pulses.read_answer(answered(SHORT, team="6"), SHORT, TEAMS, comment_asked=False)
    with pytest.raises(pulses.AnswerRefused, match="^Choose your team.$"):
        pulses.read_answer(answered(SHORT, team="9"), SHORT, TWO_TEAMS, comment_asked=False)


def test_an_unanswered_statement_is_named():
    fields = answered(SHORT)
    del fields["KN1"]
    with pytest.raises(pulses.AnswerRefused) as refused:
        pulses.read_answer(fields, SHORT, TEAMS, comment_asked=False)
    assert str(refused.value) == (
        "Please answer every statement: 1 statement still open "
        "(the first: \u201cI know what I need to do differently for our customers.\u201d)."
    )


def test_several_unanswered_statements_are_counted_and_the_first_named():
    with pytest.raises(pulses.AnswerRefused, match=r"5 statements still open \(the first: \u201cI understand why"):
        pulses.read_answer({"team": "4"}, SHORT, TEAMS, comment_asked=False)


@pytest.mark.parametrize("value", ["0", "6", "3.5", "", "abc", "-1", "05", "4 4", "\u0664"])
def test_a_value_off_the_scale_counts_as_unanswered(value):
    with pytest.raises(pulses.AnswerRefused, match="1 statement still open"):
        pulses.read_answer(answered(SHORT, DE1=value), SHORT, TEAMS, comment_asked=False)


def test_a_value_with_surrounding_space_is_read():
    assert pulses.read_answer(answered(SHORT, RE1=" 5 "), SHORT, TEAMS, comment_asked=False).values["RE1"] == 5


def test_fields_for_statements_the_form_does_not_ask_are_ignored():
    answer = pulses.read_answer(answered(SHORT, AW2="5", OC1="1", x="<script>"), SHORT, TEAMS, comment_asked=False)
    assert set(answer.values) == {"AW1", "DE1", "KN1", "AB1", "RE1"}


def test_an_over_long_comment_is_refused_with_its_length():
    too_long = "x" * (pulses.COMMENT_LENGTH + 1)
    with pytest.raises(pulses.AnswerRefused, match="^A comment is at most 1,000 characters; this one has 1,001.$"):
        pulses.read_answer(answered(SHORT, comment=too_long), SHORT, TEAMS, comment_asked=True)
    exactly = "y" * pulses.COMMENT_LENGTH
    assert pulses.read_answer(answered(SHORT, comment=exactly), SHORT, TEAMS, comment_asked=True).comment == exactly


# What the room is told ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "minimum", "text"),
    [
        (0, 5, "Fewer than 5 answers so far"),
        (2, 5, "Fewer than 5 answers so far"),
        (3, 5, "Fewer than 5 answers so far"),
        (4, 5, "Fewer than 5 answers so far"),
        (5, 5, "5 answers so far"),
        (6, 5, "6 answers so far"),
        (1, 1, "1 answer so far"),
        (2, 10, "Fewer than 10 answers so far"),
        (3, 10, "About 5 answers so far (fewer than 10: exact from 10)"),
        (7, 10, "About 5 answers so far (fewer than 10: exact from 10)"),
        (8, 10, "Fewer than 10 answers so far"),
        (9, 10, "Fewer than 10 answers so far"),
        (10, 10, "10 answers so far"),
        (13, 20, "About 15 answers so far (fewer than 20: exact from 20)"),
    ],
)
def test_the_count_is_rounded_to_fives_below_the_minimum_group_size_and_exact_from_it(count, minimum, text):
    assert pulses.answer_count_text(count, minimum) == text


@pytest.mark.parametrize("minimum", [3, 5, 7, 10, 12, 25])
def test_below_the_minimum_the_count_never_claims_to_reach_it(minimum):
    """'About 5 answers (fewer than 5)' would contradict itself, and 'About 10' of 8 would round a hidden
    count up to the minimum the room is waiting for."""
    for count in range(minimum):
        text = pulses.answer_count_text(count, minimum)
        about = [int(word) for word in text.split() if word.isdigit()]
        assert about[0] < minimum if text.startswith("About") else text == f"Fewer than {minimum} answers so far"


# When a pulse takes answers -------------------------------------------------------------------

OPENED = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def test_a_pulse_is_open_between_its_opening_and_closing_times():
    opens, closes = OPENED.isoformat(), (OPENED + timedelta(minutes=30)).isoformat()
    assert pulses.state(opens, closes, None, OPENED - timedelta(seconds=1)) == "not open yet"
    assert pulses.state(opens, closes, None, OPENED) == "open"
    assert pulses.state(opens, closes, None, OPENED + timedelta(minutes=29, seconds=59)) == "open"
    assert pulses.state(opens, closes, None, OPENED + timedelta(minutes=30)) == "closed"


def test_a_pulse_closed_by_hand_is_closed_before_its_time():
    opens, closes = OPENED.isoformat(), (OPENED + timedelta(minutes=30)).isoformat()
    assert pulses.state(opens, closes, OPENED.isoformat(), OPENED + timedelta(minutes=1)) == "closed"


def test_a_pulse_stays_open_between_a_minute_and_a_week():
    assert pulses.closing(OPENED, 1) == OPENED + timedelta(minutes=1)
    assert pulses.closing(OPENED, 7 * 24 * 60) == OPENED + timedelta(days=7)
    for minutes in (0, -5, 7 * 24 * 60 + 1):
        with pytest.raises(pulses.PulseRefused, match=f"between 1 minute and 7 days, not {minutes} minutes"):
            pulses.closing(OPENED, minutes)


def test_a_device_is_kept_as_a_hash_that_differs_per_pulse():
    cookie = "a-random-cookie"
    kept = pulses.device_hash("token-a", cookie)
    assert cookie not in kept
    assert len(kept) == 64
    assert kept == pulses.device_hash("token-a", cookie) != pulses.device_hash("token-b", cookie)
    assert pulses.source_hash("token-a", kept) != kept


# How fast a link takes answers ----------------------------------------------------------------


def test_a_link_takes_at_most_its_answers_a_minute():
    limit = pulses.RateLimit(per_minute=3)
    assert [limit.refusal("t", f"device {n}", now=100.0 + n) for n in range(3)] == [None, None, None]
    refusal = limit.refusal("t", "device 3", now=103.0)
    assert refusal == (
        "This pulse is taking many answers at once (more than 3 a minute). Please send yours again in 57 seconds."
    )
    assert limit.refusal("t", "device 3", now=159.9) is not None  # the first answer is still inside the minute
    assert limit.refusal("t", "device 3", now=160.0) is None  # a minute after the first, room for one more


def test_a_refused_answer_does_not_use_up_the_minute():
    limit = pulses.RateLimit(per_minute=1)
    assert limit.refusal("t", "a", now=0.0) is None
    for second in range(1, 50):
        assert limit.refusal("t", f"b{second}", now=float(second)) is not None
    assert limit.refusal("t", "c", now=60.0) is None


def test_each_link_has_its_own_minute():
    limit = pulses.RateLimit(per_minute=1)
    assert limit.refusal("t1", "a", now=0.0) is None
    assert limit.refusal("t2", "a", now=0.0) is None
    assert limit.refusal("t1", "b", now=1.0) is not None


def test_one_device_waits_between_two_answers():
    limit = pulses.RateLimit(per_minute=100, device_seconds=5.0)
    assert limit.refusal("t", "phone", now=10.0) is None
    assert limit.refusal("t", "phone", now=11.5) == (
        "Your answer just arrived. To change it, wait 4 seconds and send it again."
    )
    assert limit.refusal("t", "other phone", now=11.5) is None
    assert limit.refusal("t", "phone", now=14.5) == (
        "Your answer just arrived. To change it, wait 1 second and send it again."
    )
    assert limit.refusal("t", "phone", now=15.0) is None


def test_a_turn_given_back_lets_the_device_send_again_at_once():
    limit = pulses.RateLimit(per_minute=1, device_seconds=5.0)
    assert limit.refusal("t", "phone", now=0.0) is None
    limit.give_back("t", "phone")  # its answer could not be stored
    assert limit.refusal("t", "phone", now=0.5) is None
    assert limit.refusal("t", "other phone", now=0.6) is not None  # the minute's one answer is now taken
