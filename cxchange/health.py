"""Programme health: DESIGN.md's checklist of why CX programmes fail, judged per initiative.

Each check is green, amber or red from the initiative's own data where the data can tell, and
from a facilitator's tick (with a note) where it cannot; every light carries the sentence that
explains its colour. Everything here is pure: it takes plain frames and a `today`, so the same
data gives the same lights, and the trend re-judges the checks as of earlier days using only what
was dated on or before each of them. The thresholds (days, shares, counts) are the workspace's
settings (cxchange.settings, "health_…"), carried in HealthData.settings.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cxchange.champions import champion_states
from cxchange.model import ELEMENT_LABELS, ELEMENTS
from cxchange.readiness import wave_changes
from cxchange.settings import DEFAULTS
from cxchange.text import agree, blank, date_text, plural, points_text, upper_first

GREEN, AMBER, RED, GREY = "green", "amber", "red", "grey"
COLOURS: tuple[str, ...] = (GREEN, AMBER, RED, GREY)
COLOUR_WORDS: dict[str, str] = {GREEN: "Green", AMBER: "Amber", RED: "Red", GREY: "Not assessed"}
"""Every light names its colour in words too, for readers who cannot tell red from green."""
SCORES: dict[str, int] = {GREEN: 100, AMBER: 50, RED: 0}
"""Points per light for the overall score; grey (not assessed) counts neither way."""

UNDER_WAY = ("in progress", "done", "at risk")
"""Kotter step statuses that show the model is being applied (at risk: started, and in trouble)."""
NAMES_SHOWN = 4
"""How many team or sponsor names a reason lists before it says "and N more"."""
NOTE_MAX = 500
"""Longest note a tick or sponsor activity keeps: a sentence of evidence, not a report."""
NAME_MAX = 120
"""Longest sponsor name (with role) accepted; an owner's is actions.check_owner's."""

SPONSOR_KINDS: tuple[str, ...] = (
    "town hall",
    "update message",
    "site visit",
    "launch briefing",
    "steering meeting",
    "recognition",
    "other",
)
"""What a sponsor activity can be; the demo logs town halls, update messages, launch briefings and visits."""


@dataclass(frozen=True)
class Check:
    """One line of the checklist: how it is judged ("data", or "tick" where the data may not tell) and the rule.

    In CHECKS the rule names its thresholds as {setting}; a Light's check has them filled in.
    """

    name: str
    label: str
    judged: str
    rule: str

    @property
    def tickable(self) -> bool:
        """Whether a facilitator can tick this check (the data cannot always tell)."""
        return self.judged == "tick"

    def with_settings(self, settings: Mapping[str, Any]) -> Check:
        """This check with its rule's thresholds filled in from `settings` (defaults for any not given)."""
        return dataclasses.replace(self, rule=self.rule.format_map(DEFAULTS | dict(settings)))


CHECKS: tuple[Check, ...] = (
    Check("owner", "Named owner", "data", "Green where the initiative names an owner; red where it does not."),
    Check(
        "sponsor",
        "Active senior sponsor",
        "data",
        "From the sponsor activity logged: green where the latest is at most {health_sponsor_active_days} days "
        "old, amber up to {health_sponsor_lapsed_days} days or where another sponsor has gone quiet, red where "
        "older or where the sponsor was seen only in the launch month (its first {health_launch_days} days).",
    ),
    Check(
        "goals",
        "Goals tied to business outcomes",
        "tick",
        "Green where CX outcome figures exist for the initiative's waves (periods named like them); "
        "otherwise the facilitator's tick.",
    ),
    Check(
        "updates",
        "Regular updates",
        "data",
        "Green where a Kotter step or sponsor update was logged within the stale period (Settings: weeks before "
        "a Kotter step is stale), amber within twice that, red otherwise.",
    ),
    Check(
        "feedback",
        "Feedback loop: actions raised are closed",
        "data",
        "Share of the actions raised that are done: green from {health_feedback_green}%, amber from "
        "{health_feedback_amber}%, red below; dropped actions are not counted.",
    ),
    Check(
        "measurement",
        "Readiness measured often enough",
        "data",
        "ADKAR survey waves so far: green from {health_waves_green}, amber from {health_waves_amber}, red with fewer.",
    ),
    Check(
        "training",
        "Training in place",
        "tick",
        "Green where an action aimed at Knowledge is done; otherwise the facilitator's tick; amber where "
        "training is planned but not done.",
    ),
    Check(
        "champions",
        "Active champion network",
        "data",
        "Share of the teams taking part (with survey responses) that have an active champion (in post, with "
        "a session in the last {champion_quiet_days} days, as on the Champions page): green from "
        "{health_champions_green}%, amber from {health_champions_amber}%, red below.",
    ),
    Check(
        "change_model",
        "Change model applied",
        "data",
        "Green where Kotter steps are under way (in progress, done or at risk) and ADKAR survey waves exist; "
        "amber where only one of the two; red where neither.",
    ),
    Check(
        "cross_team",
        "Cross-team involvement",
        "data",
        "Top-level teams with actions or active champions: green from {health_cross_team_green}, amber from "
        "{health_cross_team_amber}, red with fewer.",
    ),
    Check(
        "barriers",
        "Barriers have an action aimed at them",
        "data",
        "Teams at a barrier point in the latest wave (as the Overview counts them): green where each has an open "
        "action aimed at its barrier element (for the team or a team above it) that is not past due, amber where "
        "some have or where the only one is past due, red where none has any. An action aimed at a later element "
        "than the barrier does not count: ADKAR goes in order.",
    ),
    Check(
        "declines",
        "Readiness holding up",
        "data",
        "Teams whose readiness fell significantly (p < 0.05, as the pages test it) from their wave before to the "
        "latest wave: green where none, amber where one, red where more or where the whole organisation fell.",
    ),
    Check(
        "overdue",
        "Actions on time",
        "data",
        "Open actions past their due date: red where a quarter or more of the open actions are, amber where any "
        "is, or where an open action has no owner or no due date (it can never be overdue), green otherwise.",
    ),
    Check(
        "recognition",
        "Recognition of good customer outcomes",
        "tick",
        "Green where champions of the teams taking part logged a recognition in the last "
        "{health_recognition_days} days; otherwise the facilitator's tick; amber where the last recognition is older.",
    ),
)
"""The checklist of DESIGN.md's Programme health, in the order the page shows it (rules as templates)."""

CHECKS_BY_NAME: dict[str, Check] = {check.name: check for check in CHECKS}
TICKABLE: tuple[str, ...] = tuple(check.name for check in CHECKS if check.tickable)


@dataclass(frozen=True)
class Light:
    """A check's colour (green, amber, red, or grey: not assessed), the sentence saying why, and what
    decided it: "data", the facilitator's "tick", or "none" (not assessed)."""

    check: Check
    colour: str
    reason: str
    source: str = "data"


RESULT_COLUMNS: tuple[str, ...] = (
    "team_id",
    "team",
    "parent_id",
    "wave",
    "opened_on",
    "direct_n",
    "suppressed",
    "barrier_point",
    "delta",
    "significant",
    "previous_wave",
)
"""What the checks read of the readiness figures (readiness_results): one row per team and wave."""


def readiness_results(frame: pd.DataFrame) -> pd.DataFrame:
    """The readiness figures of an initiative (readiness.figures, the whole organisation's) as the checks
    read them: each team's barrier point per wave as the pages show it (none where the figure is hidden)
    and its change from the wave before (readiness.wave_changes: significant only where tested so)."""
    if frame.empty:
        return pd.DataFrame(columns=list(RESULT_COLUMNS))
    changes = wave_changes(frame)[["team_id", "wave_id", "delta", "significant", "previous_wave"]]
    rows = frame.merge(changes, on=["team_id", "wave_id"], how="left")
    rows["barrier_point"] = rows["barrier_point"].where(~rows["suppressed"].astype(bool), None)
    return rows[list(RESULT_COLUMNS)].reset_index(drop=True)


_COLUMNS: dict[str, tuple[str, ...]] = {
    "sponsor_activities": ("sponsor", "happened_on", "kind"),
    "waves": ("name", "opened_on"),
    "kotter": ("step", "status", "changed_on"),
    "actions": ("title", "team_id", "element", "status", "created_on", "closed_on", "owner", "due_on"),
    "teams": ("id", "name", "parent_id"),
    "taking_part": ("team_id", "opened_on"),
    "champions": ("id", "alias", "team_id", "started_on", "ended_on"),
    "champion_activities": ("champion_id", "happened_on", "kind"),
    "ticks": ("id", "check_name", "ticked", "note", "ticked_on"),
    "results": RESULT_COLUMNS,
}
"""The columns each frame of HealthData needs; others are kept but not read."""
_DATES: dict[str, tuple[str, ...]] = {
    "sponsor_activities": ("happened_on",),
    "waves": ("opened_on",),
    "kotter": ("changed_on",),
    "actions": ("created_on", "closed_on", "due_on"),
    "taking_part": ("opened_on",),
    "champions": ("started_on", "ended_on"),
    "champion_activities": ("happened_on",),
    "ticks": ("ticked_on",),
    "results": ("opened_on",),
}


@dataclass(frozen=True)
class HealthData:
    """Everything the checks read about one initiative (store.health.health_inputs gives it from the workspace).

    Frames may be given as lists of dicts; dates are ISO text (a time after the date is ignored).
    - sponsor_activities: sponsor, happened_on, kind
    - waves: the initiative's ADKAR survey waves: name, opened_on
    - outcome_periods: the periods that carry CX outcome figures
    - kotter: every change of a Kotter step: step, status, changed_on (missing: undated, counts throughout)
    - actions: the initiative's actions: title, team_id, element, status, created_on, closed_on
    - teams: the whole hierarchy: id, name, parent_id
    - taking_part: teams with survey responses or entered results, per wave: team_id, opened_on
    - champions: id, alias, team_id, started_on, ended_on; champion_activities: champion_id, happened_on, kind
    - ticks: the facilitator's ticks, every one kept: id, check_name, ticked (0/1), note, ticked_on
    - results: the initiative's readiness by team and wave (readiness_results; empty: the checks that read
      results are not assessed)
    - settings: the workspace's settings (the health_… thresholds); defaults for any not given
    """

    owner: str | None = None
    started_on: str | None = None
    sponsor_activities: Any = ()
    waves: Any = ()
    outcome_periods: Iterable[str] = ()
    kotter: Any = ()
    actions: Any = ()
    teams: Any = ()
    taking_part: Any = ()
    champions: Any = ()
    champion_activities: Any = ()
    ticks: Any = ()
    results: Any = ()
    stale_weeks: int = 6
    settings: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, columns in _COLUMNS.items():
            given = getattr(self, name)
            frame = given.copy() if isinstance(given, pd.DataFrame) else pd.DataFrame(list(given))
            for column in columns:
                if column not in frame.columns:
                    frame[column] = None
            for column in _DATES.get(name, ()):
                frame[column] = _iso(frame[column])
            object.__setattr__(self, name, frame)
        object.__setattr__(self, "outcome_periods", frozenset(str(period) for period in self.outcome_periods))
        object.__setattr__(self, "started_on", _iso_text(self.started_on))
        object.__setattr__(self, "settings", DEFAULTS | dict(self.settings))

    def threshold(self, name: str) -> Any:
        """The workspace's `health_{name}` setting."""
        return self.settings[f"health_{name}"]

    @classmethod
    def from_frames(
        cls,
        frames: Mapping[str, Any],
        stale_weeks: int,
        settings: Mapping[str, Any] | None = None,
        results: pd.DataFrame | None = None,
    ) -> HealthData:
        """From store.health.health_inputs' frames, the workspace's stale-weeks setting, its other settings and
        the initiative's readiness results (readiness_results)."""
        found = () if results is None else results
        return cls(**dict(frames), results=found, stale_weeks=int(stale_weeks), settings=settings or {})


def _iso(column: pd.Series) -> pd.Series:
    """Dates as ISO text (YYYY-MM-DD), missing ones as None, whatever type they came in."""
    return pd.Series([_iso_text(value) for value in column], index=column.index, dtype=object)


def _iso_text(value: Any) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, dt.date):
        return value.isoformat()[:10]
    text = str(value).strip()[:10]
    try:
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        return None  # not a date: the record counts as undated rather than breaking every check


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _ago(days: int) -> str:
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _names(names: Sequence[str]) -> str:
    """A few names, then how many more."""
    shown = ", ".join(names[:NAMES_SHOWN])
    return shown + (f" and {len(names) - NAMES_SHOWN} more" if len(names) > NAMES_SHOWN else "")


def as_of(data: HealthData, day: dt.date) -> HealthData:
    """The data as it stood at the end of `day`: every dated record after it left out.

    Actions done or dropped after `day` were still open then (closed_on, else created_on, dates the
    closing); Kotter steps take their status from their latest change by then; undated Kotter
    changes count throughout.
    """
    end = day.isoformat()

    def upto(frame: pd.DataFrame, column: str, keep_undated: bool = False) -> pd.DataFrame:
        dates = frame[column]
        keep = dates.notna() & (dates.fillna("") <= end)
        return frame[keep | dates.isna()] if keep_undated else frame[keep]

    actions = upto(data.actions, "created_on").copy()
    closed = actions["closed_on"].where(actions["closed_on"].notna(), actions["created_on"])
    reopened = actions["status"].isin(["done", "dropped"]) & (closed.fillna("") > end)
    actions.loc[reopened, "status"] = "open"
    limited = copy.copy(data)  # not dataclasses.replace: the frames are tidy already, tidying again costs
    for name, frame in (
        ("sponsor_activities", upto(data.sponsor_activities, "happened_on")),
        ("waves", upto(data.waves, "opened_on")),
        ("kotter", upto(data.kotter, "changed_on", keep_undated=True)),
        ("actions", actions),
        ("taking_part", upto(data.taking_part, "opened_on")),
        ("champions", upto(data.champions, "started_on")),
        ("champion_activities", upto(data.champion_activities, "happened_on")),
        ("ticks", upto(data.ticks, "ticked_on")),
        ("results", upto(data.results, "opened_on")),
    ):
        object.__setattr__(limited, name, frame)
    return limited


def assess(data: HealthData, today: dt.date) -> list[Light]:
    """Every check of CHECKS as of `today`, from the data dated on or before it, in CHECKS' order."""
    data = as_of(data, today)
    return [_JUDGES[check.name](data, today, check.with_settings(data.settings)) for check in CHECKS]


def overall(lights: Iterable[Light]) -> int:
    """The overall health score, 0–100: green 100, amber 50, red 0, averaged over the checks assessed.

    Grey checks (not assessed) are left out rather than counted as failures or passes; with none
    assessed the score is 0.
    """
    points = [SCORES[light.colour] for light in lights if light.colour in SCORES]
    return round(sum(points) / len(points)) if points else 0


def counts(lights: Iterable[Light]) -> dict[str, int]:
    """How many lights of each colour, every colour present (zero where none)."""
    found = {colour: 0 for colour in COLOURS}
    for light in lights:
        found[light.colour] += 1
    return found


def trend_dates(data: HealthData, today: dt.date) -> list[dt.date]:
    """The days the trend is assessed on: each month-end from the initiative's start, then `today`.

    Without a start date, the first dated record of the initiative stands in for it.
    """
    first = data.started_on or min(
        (
            value
            for frame, column in (
                (data.sponsor_activities, "happened_on"),
                (data.waves, "opened_on"),
                (data.kotter, "changed_on"),
                (data.actions, "created_on"),
            )
            for value in frame[column].dropna()
        ),
        default=None,
    )
    if first is None or _day(first) > today:
        return [today]
    month_ends = pd.date_range(_day(first), today, freq="ME")
    return [*(end.date() for end in month_ends if end.date() < today), today]


def health_trend(data: HealthData, dates: Iterable[dt.date]) -> pd.DataFrame:
    """The assessment recomputed as of each of `dates`, with only the data (and ticks) dated by then.

    One row per date: day, score (0–100), and how many checks were green, amber, red and grey.
    """
    rows = []
    for day in dates:
        lights = assess(data, day)
        rows.append({"day": pd.Timestamp(day), "score": overall(lights), **counts(lights)})
    return pd.DataFrame(rows, columns=["day", "score", *COLOURS])


# The checks ----------------------------------------------------------------------------------


def _latest_tick(data: HealthData, check: Check) -> Light | None:
    """The facilitator's latest tick of a check (the newest date, then the newest entry), as a light."""
    ticks = data.ticks[data.ticks["check_name"] == check.name]
    if ticks.empty:
        return None
    order = ticks.assign(_id=pd.to_numeric(ticks["id"], errors="coerce").fillna(-1), _row=range(len(ticks)))
    latest = order.sort_values(["ticked_on", "_id", "_row"]).iloc[-1]
    note = "" if latest["note"] is None or pd.isna(latest["note"]) else str(latest["note"]).strip()
    ticked = bool(int(latest["ticked"]))
    verb = "Ticked" if ticked else "Unticked"
    reason = f"{verb} by the facilitator on {date_text(latest['ticked_on'])}" + (f": {note}" if note else ".")
    return Light(check, GREEN if ticked else RED, reason, source="tick")


def _colour(value: float, green: float, amber: float) -> str:
    """Green from the green threshold, amber from the amber one, red below both."""
    return GREEN if value >= green else AMBER if value >= amber else RED


def _from_data_or_tick(data: HealthData, check: Check, found: Light | None) -> Light:
    """Evidence of green in the data wins; else the facilitator's tick; else the data's own colour; else grey."""
    if found is not None and found.colour == GREEN:
        return found
    tick = _latest_tick(data, check)
    if tick is not None:
        return tick
    if found is not None:
        return found
    return Light(check, GREY, "Not assessed: the data cannot tell. Tick it with a note.", source="none")


def _owner(data: HealthData, today: dt.date, check: Check) -> Light:
    owner = (data.owner or "").strip()
    if owner:
        return Light(check, GREEN, f"Owner: {owner}.")
    return Light(check, RED, "No owner is named for this initiative: name the one person accountable for it.")


def _sponsor(data: HealthData, today: dt.date, check: Check) -> Light:
    activities = data.sponsor_activities.dropna(subset=["sponsor", "happened_on"])
    if activities.empty:
        return Light(check, RED, "No sponsor activity logged yet: log the sponsor's town halls, messages and visits.")
    launch = dt.timedelta(days=int(data.threshold("launch_days")))
    launch_end = (_day(data.started_on) + launch).isoformat() if data.started_on else None
    active_days, lapsed_days = int(data.threshold("sponsor_active_days")), int(data.threshold("sponsor_lapsed_days"))
    seen = []
    for sponsor, rows in activities.groupby("sponsor", sort=True):
        last = rows.sort_values("happened_on", kind="stable").iloc[-1]
        days = (today - _day(last["happened_on"])).days
        launch_only = launch_end is not None and rows["happened_on"].max() <= launch_end
        if days <= active_days:
            colour = GREEN
        elif days <= lapsed_days and not launch_only:
            colour = AMBER
        else:
            colour = RED
        seen.append((days, str(sponsor), colour, launch_only, last))
    seen.sort(key=lambda entry: (entry[0], entry[1]))
    days, sponsor, colour, launch_only, last = seen[0]
    reason = f"{sponsor}'s last activity was {_ago(days)} ({last['kind']}, {date_text(last['happened_on'])})"
    if colour == RED and launch_only:
        reason += ", only in the launch month"
    quiet = [entry for entry in seen[1:] if entry[2] == RED]
    if quiet:
        gone = "; ".join(
            f"{name}, last seen {date_text(row['happened_on'])} ({_ago(ago)}"
            + (", only in the launch month)" if only else ")")
            for ago, name, _, only, row in quiet[:NAMES_SHOWN]
        )
        more = f" and {len(quiet) - NAMES_SHOWN} more" if len(quiet) > NAMES_SHOWN else ""
        one = agree(len(quiet), "another sponsor has", f"{len(quiet)} other sponsors have")
        reason += f", but {one} gone quiet: {gone}{more}"
        if colour == GREEN:
            colour = AMBER
    return Light(check, colour, reason + ".")


def _goals(data: HealthData, today: dt.date, check: Check) -> Light:
    waves = data.waves["name"].dropna().astype(str).tolist()
    matched = [wave for wave in waves if wave in data.outcome_periods]
    found = None
    if matched:
        found = Light(
            check,
            GREEN,
            f"CX outcome figures exist for {len(matched)} of {plural(len(waves), 'wave')} "
            f"(latest: {matched[-1]}), so readiness can be read against customer results.",
        )
    light = _from_data_or_tick(data, check, found)
    if light.colour == GREY:
        return dataclasses.replace(
            light,
            reason="Not assessed: no CX outcome figures for this initiative's waves. Enter them under CX outcomes, "
            "or tick it with a note.",
        )
    return light


def _updates(data: HealthData, today: dt.date, check: Check) -> Light:
    stale = int(data.stale_weeks) * 7
    events = []
    kotter = data.kotter.dropna(subset=["changed_on"])
    if not kotter.empty:
        last = kotter.sort_values("changed_on", kind="stable").iloc[-1]
        events.append((last["changed_on"], f"Kotter step {int(last['step'])} set to {last['status']}"))
    sponsor = data.sponsor_activities.dropna(subset=["happened_on"])
    if not sponsor.empty:
        last = sponsor.sort_values("happened_on", kind="stable").iloc[-1]
        events.append((last["happened_on"], f"{last['kind']} by {last['sponsor']}"))
    rule = f"updates are due at least every {plural(int(data.stale_weeks), 'week')}"
    if not events:
        return Light(check, RED, f"No Kotter step update or sponsor activity logged yet; {rule}.")
    when, what = max(events)
    days = (today - _day(when)).days
    colour = GREEN if days <= stale else AMBER if days <= 2 * stale else RED
    return Light(check, colour, f"The latest update was {_ago(days)} ({what}, {date_text(when)}); {rule}.")


def _feedback(data: HealthData, today: dt.date, check: Check) -> Light:
    status = data.actions["status"]
    dropped = int((status == "dropped").sum())
    raised = int((status != "dropped").sum())
    done = int((status == "done").sum())
    not_counted = f" ({dropped} dropped, not counted)" if dropped else ""
    if raised == 0:
        return Light(
            check,
            AMBER,
            f"No actions raised yet{not_counted}: log what people asked for and what was done "
            "(\u201cyou said, we did\u201d) under Actions.",
        )
    share = done / raised
    colour = _colour(share, data.threshold("feedback_green") / 100, data.threshold("feedback_amber") / 100)
    return Light(check, colour, f"{plural(raised, 'action')} raised, {done} done ({share:.0%}){not_counted}.")


def _measurement(data: HealthData, today: dt.date, check: Check) -> Light:
    waves = data.waves.dropna(subset=["opened_on"]).sort_values("opened_on", kind="stable")
    count = len(waves)
    needed = int(data.threshold("waves_green"))
    colour = _colour(count, needed, data.threshold("waves_amber"))
    if count == 0:
        return Light(check, colour, f"No ADKAR survey wave yet: at least {needed} over the change's life.")
    latest = waves.iloc[-1]
    reason = f"{plural(count, 'ADKAR survey wave')} so far (latest: {latest['name']}, {date_text(latest['opened_on'])})"
    if colour != GREEN:
        reason += f"; at least {needed} are needed to see readiness move over the change's life"
    return Light(check, colour, reason + ".")


def _training(data: HealthData, today: dt.date, check: Check) -> Light:
    knowledge = data.actions[data.actions["element"] == "knowledge"]
    done = knowledge[knowledge["status"] == "done"]
    planned = knowledge[knowledge["status"].isin(["open", "in progress"])]
    found = None
    if not done.empty:
        latest = done.assign(closed=done["closed_on"].fillna(done["created_on"])).sort_values("closed").iloc[-1]
        found = Light(
            check,
            GREEN,
            f"Training is done: \u201c{latest['title']}\u201d (an action aimed at Knowledge, closed "
            f"{date_text(latest['closed'])}).",
        )
    elif not planned.empty:
        found = Light(
            check,
            AMBER,
            f"Training is planned but not done: \u201c{planned.iloc[0]['title']}\u201d is {planned.iloc[0]['status']}.",
        )
    return _from_data_or_tick(data, check, found)


def _teams_taking_part(data: HealthData) -> list[int]:
    """The teams of the initiative: those with survey results by now, else every team without sub-teams."""
    taking_part = sorted({int(team) for team in data.taking_part["team_id"].dropna()})
    if taking_part:
        return taking_part
    parents = {int(parent) for parent in data.teams["parent_id"].dropna()}
    return sorted(int(team) for team in data.teams["id"].dropna() if int(team) not in parents)


def _subtrees(data: HealthData) -> dict[int, set[int]]:
    """Each team's id to the ids of its subtree, itself included."""
    parent = {
        int(team): (None if pd.isna(up) else int(up))
        for team, up in zip(data.teams["id"], data.teams["parent_id"], strict=True)
    }
    members: dict[int, set[int]] = {team: {team} for team in parent}
    for team in parent:
        node, seen = parent[team], {team}
        while node is not None and node not in seen:
            seen.add(node)
            members.setdefault(node, {node}).add(team)
            node = parent.get(node)
    return members


def _top_level(data: HealthData) -> dict[int, int]:
    """Each team's id to the id of its top-level ancestor (a top-level team's is its own)."""
    parent = {
        int(team): (None if pd.isna(up) else int(up))
        for team, up in zip(data.teams["id"], data.teams["parent_id"], strict=True)
    }
    tops = {}
    for team in parent:
        node, seen = team, set()
        while parent.get(node) is not None and node not in seen:
            seen.add(node)
            node = parent[node]
        tops[team] = node
    return tops


def _active_champions(data: HealthData, today: dt.date, teams: Iterable[int], state: str = "active") -> pd.DataFrame:
    """Champions of `teams`' subtrees in `state` on `today`, by the one definition (champions.champion_states)."""
    subtrees = _subtrees(data)
    within = set().union(*(subtrees.get(team, {team}) for team in teams))
    champions = data.champions[data.champions["team_id"].isin(within)]
    if champions.empty:
        return champions
    states = champion_states(champions, data.champion_activities, today, int(data.settings["champion_quiet_days"]))
    return champions[states == state]


def _champions(data: HealthData, today: dt.date, check: Check) -> Light:
    teams = _teams_taking_part(data)
    if not teams:
        return Light(check, RED, "No teams take part yet, so no champion network either.")
    subtrees = _subtrees(data)
    active = set(_active_champions(data, today, teams)["team_id"].astype(int))
    covered = [team for team in teams if subtrees.get(team, {team}) & active]
    names = dict(zip(data.teams["id"].astype(int), data.teams["name"], strict=True))
    quiet_ones = set(_active_champions(data, today, teams, "quiet")["team_id"].astype(int))
    quiet = sorted(
        names.get(team, str(team)) for team in teams if team not in covered and subtrees.get(team, {team}) & quiet_ones
    )
    without = sorted(
        names.get(team, str(team)) for team in teams if team not in covered and names.get(team, str(team)) not in quiet
    )
    share = len(covered) / len(teams)
    colour = _colour(share, data.threshold("champions_green") / 100, data.threshold("champions_amber") / 100)
    verb = agree(len(covered), "has", "have")
    reason = f"{len(covered)} of {plural(len(teams), 'team')} taking part {verb} an active champion ({share:.0%})"
    if quiet:
        reason += f"; quiet (in post, no session in {int(data.settings['champion_quiet_days'])} days): {_names(quiet)}"
    if without:
        reason += f"; without one: {_names(without)}"
    return Light(check, colour, reason + ".")


def _change_model(data: HealthData, today: dt.date, check: Check) -> Light:
    kotter = data.kotter.dropna(subset=["step", "status"])
    latest = kotter.sort_values("changed_on", na_position="first", kind="stable").groupby("step").tail(1)
    statuses = latest["status"].value_counts()
    under_way = int(statuses.reindex(list(UNDER_WAY), fill_value=0).sum())
    waves = len(data.waves)
    if under_way:
        parts = [f"{int(statuses[status])} {status}" for status in UNDER_WAY if statuses.get(status, 0)]
        kotter_text = f"Kotter steps under way ({', '.join(parts)})"
    else:
        kotter_text = "no Kotter step under way yet"
    waves_text = f"{plural(waves, 'ADKAR survey wave')}" if waves else "no ADKAR survey wave yet"
    colour = GREEN if under_way and waves else AMBER if under_way or waves else RED
    reason = f"{kotter_text}; {waves_text}."
    return Light(check, colour, upper_first(reason))


def _cross_team(data: HealthData, today: dt.date, check: Check) -> Light:
    tops = _top_level(data)
    from_actions = {tops[int(team)] for team in data.actions["team_id"].dropna() if int(team) in tops}
    champions = _active_champions(data, today, _teams_taking_part(data))
    from_champions = {tops[int(team)] for team in champions["team_id"] if int(team) in tops}
    names = dict(zip(data.teams["id"].astype(int), data.teams["name"], strict=True))
    involved = sorted(names[team] for team in from_actions | from_champions)
    count = len(involved)
    needed = int(data.threshold("cross_team_green"))
    colour = _colour(count, needed, data.threshold("cross_team_amber"))
    if not involved:
        return Light(check, colour, "No top-level team has actions or an active champion in this initiative yet.")
    reason = f"{plural(count, 'top-level team')} involved through actions or active champions: {_names(involved)}"
    if colour != GREEN:
        reason += f"; at least {needed} show the change reaching across the organisation"
    return Light(check, colour, reason + ".")


def _recognition(data: HealthData, today: dt.date, check: Check) -> Light:
    subtrees = _subtrees(data)
    within = set().union(*(subtrees.get(team, {team}) for team in _teams_taking_part(data)))
    theirs = data.champions.loc[data.champions["team_id"].isin(within), "id"]
    activities = data.champion_activities
    recognitions = activities[(activities["kind"] == "recognition") & activities["champion_id"].isin(theirs)]
    found = None
    if not recognitions.empty:
        latest = recognitions["happened_on"].max()
        window = int(data.threshold("recognition_days"))
        since = (today - dt.timedelta(days=window)).isoformat()
        recent = int((recognitions["happened_on"].fillna("") > since).sum())
        if recent:
            found = Light(
                check,
                GREEN,
                f"Champions logged {plural(recent, 'recognition')} in the last {window} days "
                f"(latest {date_text(latest)}).",
            )
        else:
            days = (today - _day(latest)).days
            found = Light(
                check,
                AMBER,
                f"The last recognition champions logged was {_ago(days)} ({date_text(latest)}); none in the last "
                f"{window} days.",
            )
    return _from_data_or_tick(data, check, found)


OPEN = ("open", "in progress")
"""Action statuses still to be done."""


def _latest_results(data: HealthData) -> pd.DataFrame:
    """The results of the latest wave with any (by the day assessed)."""
    results = data.results.dropna(subset=["opened_on"])
    return results[results["opened_on"] == results["opened_on"].max()] if len(results) else results


def _barriers(data: HealthData, today: dt.date, check: Check) -> Light:
    latest = _latest_results(data)
    if latest.empty:
        return Light(check, GREY, "Not assessed: no survey results yet.", source="none")
    wave = str(latest["wave"].iloc[0])
    shown = latest[(latest["team_id"] != 0) & (latest["direct_n"] > 0) & ~latest["suppressed"].astype(bool)]
    at = shown[shown["barrier_point"].notna()]
    if at.empty:
        return Light(check, GREEN, f"No team is at a barrier point in {wave}.")
    subtrees = _subtrees(data)
    actions = data.actions[data.actions["status"].isin(OPEN)].dropna(subset=["team_id"])
    covered, late, without, past = [], [], [], []
    for team in at.itertuples():
        above = pd.Series(
            [int(team.team_id) in subtrees.get(int(owner), {int(owner)}) for owner in actions["team_id"]],
            index=actions.index,
            dtype=bool,
        )
        helping = actions[above]
        label = ELEMENT_LABELS[team.barrier_point]
        aimed = helping[helping["element"] == team.barrier_point]
        on_time = aimed[aimed["due_on"].isna() | (aimed["due_on"].fillna("") >= today.isoformat())]
        if len(on_time):
            covered.append(team.team)
        elif len(aimed):
            late.append(f"{team.team} (its {label} action is past due)")
        else:
            without.append(f"{team.team} (at {label})")
        later = helping[helping["element"].isin(ELEMENTS[ELEMENTS.index(team.barrier_point) + 1 :])]
        past += [
            f"\u201c{row.title}\u201d aims at {ELEMENT_LABELS[row.element]}, past {team.team}'s {label} barrier"
            for row in later.itertuples()
        ]
    colour = GREEN if not late and not without else RED if not covered and not late else AMBER
    verb = agree(len(covered), "has", "have")
    reason = (
        f"{len(covered)} of {plural(len(at), 'team')} at a barrier point in {wave} {verb} an open action aimed at "
        "it and on time"
    )
    if late:
        reason += f"; only late: {_names(late)}"
    if without:
        reason += f"; none aimed at it: {_names(without)}"
    if past:
        reason += f"; {_names(sorted(set(past), key=past.index))}"
    return Light(check, colour, reason + ".")


def _declines(data: HealthData, today: dt.date, check: Check) -> Light:
    latest = _latest_results(data)
    if latest.empty:
        return Light(check, GREY, "Not assessed: no survey results yet.", source="none")
    wave = str(latest["wave"].iloc[0])
    fell = latest[latest["significant"].fillna(False).astype(bool) & (latest["delta"] < 0)]
    organisation = fell[fell["team_id"] == 0]
    teams = fell[fell["team_id"] != 0].sort_values("delta", kind="stable")
    if fell.empty:
        compared = latest["previous_wave"].dropna()
        since = f" from {compared.iloc[0]}" if len(compared) else ""
        return Light(check, GREEN, f"No team's readiness fell significantly{since} to {wave}.")
    named = [f"{row.team} ({points_text(row.delta)} since {row.previous_wave})" for row in teams.itertuples()]
    colour = RED if len(teams) > 1 or len(organisation) else AMBER
    reason = f"Readiness fell significantly in {wave}"
    if len(organisation):
        reason += f" across the organisation ({points_text(organisation['delta'].iloc[0])})"
        reason += f" and for {_names(named)}" if named else ""
    else:
        reason += f" for {_names(named)}"
    return Light(check, colour, reason + ".")


def _overdue(data: HealthData, today: dt.date, check: Check) -> Light:
    open_actions = data.actions[data.actions["status"].isin(OPEN)]
    if open_actions.empty:
        return Light(check, GREEN, "No open actions, so none is past its due date.")
    due = open_actions.dropna(subset=["due_on"])
    late = due[due["due_on"] < today.isoformat()].sort_values("due_on", kind="stable")
    unowned = int(sum(blank(owner) for owner in open_actions["owner"]))
    undated = len(open_actions) - len(due)
    share = len(late) / len(open_actions)
    colour = RED if share >= 0.25 else AMBER if len(late) or unowned or undated else GREEN
    if late.empty:
        reason = f"None of the {plural(len(open_actions), 'open action')} is past its due date"
    else:
        named = [
            f"“{row.title}” ({_owner_text(row.owner)}, {plural((today - _day(row.due_on)).days, 'day')} late)"
            for row in late.itertuples()
        ]
        verb = agree(len(late), "is", "are")
        reason = f"{len(late)} of {plural(len(open_actions), 'open action')} {verb} past due: {_names(named)}"
    gaps = [
        text
        for count, text in ((unowned, "no owner"), (undated, "no due date"))
        if count
        for text in [f"{plural(count, 'open action')} {agree(count, 'has', 'have')} {text}"]
    ]
    if gaps:
        reason += "; " + " and ".join(gaps) + ", so nobody is held to it"
    return Light(check, colour, reason + ".")


def _owner_text(owner: Any) -> str:
    return "no owner" if blank(owner) else f"owner {owner}"


def month_before(today: dt.date) -> dt.date:
    """The same day a month earlier (the last day of that month where it is shorter): the health score's
    change is measured against it."""
    return (pd.Timestamp(today) - pd.DateOffset(months=1)).date()


_JUDGES = {
    "owner": _owner,
    "sponsor": _sponsor,
    "goals": _goals,
    "updates": _updates,
    "feedback": _feedback,
    "measurement": _measurement,
    "training": _training,
    "champions": _champions,
    "change_model": _change_model,
    "cross_team": _cross_team,
    "barriers": _barriers,
    "declines": _declines,
    "overdue": _overdue,
    "recognition": _recognition,
}


# Checking what the page writes ---------------------------------------------------------------


def check_tick(check_name: str, ticked: Any, note: str | None) -> dict[str, Any]:
    """A facilitator's tick as a row (check_name, ticked 0/1, note), or ValueError saying what is wrong.

    A tick needs a note saying what shows the check is in place; an untick may go without one.
    """
    if check_name not in TICKABLE:
        known = ", ".join(CHECKS_BY_NAME[name].label for name in TICKABLE)
        raise ValueError(f"Check {check_name!r} cannot be ticked: only these can: {known}.")
    if ticked not in (True, False, 0, 1):
        raise ValueError(f"Ticked must be yes or no, not {ticked!r}.")
    text = " ".join(str(note or "").split())
    label = CHECKS_BY_NAME[check_name].label
    if ticked and not text:
        raise ValueError(f"Nothing saved: a tick of \u201c{label}\u201d needs a note saying what shows it is in place.")
    if len(text) > NOTE_MAX:
        raise ValueError(f"Nothing saved: the note is {len(text)} characters long; keep it under {NOTE_MAX}.")
    return {"check_name": check_name, "ticked": int(bool(ticked)), "note": text or None}


def check_sponsor_activity(
    sponsor: str | None, happened_on: Any, kind: str | None, note: str | None, today: dt.date
) -> dict[str, Any]:
    """A sponsor activity as a row (sponsor, happened_on, kind, note), or ValueError naming the field and value."""
    name = " ".join(str(sponsor or "").split())
    if not name:
        raise ValueError("Nothing logged: give the sponsor's name.")
    if len(name) > NAME_MAX:
        raise ValueError(f"Nothing logged: the sponsor's name is {len(name)} characters; keep it under {NAME_MAX}.")
    try:
        day = happened_on if isinstance(happened_on, dt.date) else dt.date.fromisoformat(str(happened_on).strip())
    except ValueError:
        raise ValueError(f"Nothing logged: the date {happened_on!r} is not a date (YYYY-MM-DD).") from None
    if isinstance(day, dt.datetime):
        day = day.date()
    if day > today:
        raise ValueError(
            f"Nothing logged: the date {day.isoformat()} is after today ({today.isoformat()}); "
            "log what the sponsor has done."
        )
    if kind not in SPONSOR_KINDS:
        raise ValueError(f"Nothing logged: the kind {kind!r} is not one of {', '.join(SPONSOR_KINDS)}.")
    text = " ".join(str(note or "").split())
    if len(text) > NOTE_MAX:
        raise ValueError(f"Nothing logged: the note is {len(text)} characters long; keep it under {NOTE_MAX}.")
    return {"sponsor": name, "happened_on": day.isoformat(), "kind": kind, "note": text or None}
