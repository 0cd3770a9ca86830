"""The demo organisation, Northwind Retail: seeded, so the same seed always gives the same database.

Its numbers tell the stories a workshop should find: stores gain Awareness and Desire wave on
wave but stall at Knowledge until training lands in wave 4; the contact centre has active
champions and the best Reinforcement; supply chain's sponsor goes quiet after launch and its
readiness falls from wave 3; Customer Insight never reaches five respondents; e-commerce is
strong throughout. Customer figures (NPS, CSAT, complaint rate) follow readiness only in part, as real
ones do; actions are owned by named people; comments vary.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from cxchange.model import DEFAULT_ITEMS, ELEMENTS
from cxchange.scoring import element_scores

DEMO_NAME = "Northwind Retail"
DEFAULT_SEED = 7
MAIN_INITIATIVE = "Customer First"
PILOT_INITIATIVE = "Digital self-service"

WAVES: tuple[tuple[str, date], ...] = (
    ("2025 Q3", date(2025, 7, 14)),
    ("2025 Q4", date(2025, 10, 13)),
    ("2026 Q1", date(2026, 1, 12)),
    ("2026 Q2", date(2026, 4, 13)),
    ("2026 Q3", date(2026, 7, 13)),
    ("2026 Q4", date(2026, 10, 12)),
)
PILOT_WAVES: tuple[tuple[str, date], ...] = (
    ("Pilot baseline", date(2026, 5, 4)),
    ("Pilot follow-up", date(2026, 10, 19)),
)
LAST_DAY = date(2026, 11, 20)
"""The demo's "as of" day: its logs run up to here, whatever day it is loaded, and while it is the workspace
the pages count days from here (ui.today), so its stories read the same whenever it is opened."""


def day_of(workspace_kind: str, today: date) -> date:
    """The day a workspace's pages and reports count from: the demo's own "as of" day (LAST_DAY), so its
    stories read the same whenever it is opened; `today` in a workspace of one's own."""
    return LAST_DAY if workspace_kind == "demo" else today


Profile = Callable[[int], tuple[float, float, float, float, float]]
"""Wave index (0–5) to the target means of the five elements."""


def _stores(offset: float) -> Profile:
    knowledge = (2.55, 2.6, 2.6, 3.4, 3.6, 3.75)  # training lands in wave 4
    ability = (2.75, 2.8, 2.85, 3.0, 3.3, 3.5)
    reinforcement = (2.95, 3.0, 3.1, 3.2, 3.4, 3.5)
    return lambda w: (
        3.3 + 0.15 * w + offset,
        3.2 + 0.15 * w + offset,
        knowledge[w] + offset,
        ability[w] + offset,
        reinforcement[w] + offset,
    )


def _supply_chain(offset: float) -> Profile:
    decline = (0.0, 0.0, 0.25, 0.5, 0.7, 0.9)  # the sponsor went quiet after launch
    return lambda w: tuple(level - decline[w] + offset for level in (3.75, 3.55, 3.4, 3.3, 3.25))


def _flat(*levels: float, rise: float = 0.0) -> Profile:
    return lambda w: tuple(level + rise * w for level in levels)


@dataclass(frozen=True)
class DemoTeam:
    """A team of the demo organisation; leaves carry headcount, response rate and profile."""

    name: str
    parent: str | None = None
    headcount: int | None = None
    response_rate: float = 0.6
    profile: Profile | None = None
    champions: int = 0
    champion_every_days: int = 0


TEAMS: tuple[DemoTeam, ...] = (
    DemoTeam("Stores"),
    DemoTeam("Stores North", "Stores", 420, 0.55, _stores(0.1), champions=6, champion_every_days=18),
    DemoTeam("Stores South", "Stores", 380, 0.55, _stores(0.0), champions=4, champion_every_days=24),
    DemoTeam("Stores West", "Stores", 300, 0.5, _stores(-0.1), champions=2, champion_every_days=35),
    DemoTeam("Customer Operations"),
    DemoTeam(
        "Contact Centre",
        "Customer Operations",
        240,
        0.72,
        _flat(3.8, 3.7, 3.5, 3.45, 3.95, rise=0.06),
        champions=10,
        champion_every_days=8,
    ),
    DemoTeam("Complaints Resolution", "Customer Operations", 45, 0.65, _flat(3.5, 3.4, 3.4, 3.3, 3.2)),
    DemoTeam("Customer Insight", "Customer Operations", 7, 0.5, _flat(3.6, 3.6, 3.5, 3.4, 3.3)),
    DemoTeam("Digital"),
    DemoTeam(
        "E-commerce",
        "Digital",
        120,
        0.7,
        _flat(4.3, 4.2, 4.1, 4.0, 3.8, rise=0.02),
        champions=3,
        champion_every_days=14,
    ),
    DemoTeam("Digital Marketing", "Digital", 40, 0.6, _flat(3.9, 3.8, 3.6, 3.6, 3.5)),
    DemoTeam("Supply Chain"),
    DemoTeam("Distribution Centre", "Supply Chain", 150, 0.5, _supply_chain(0.0), champions=2, champion_every_days=20),
    DemoTeam("Logistics Planning", "Supply Chain", 35, 0.6, _supply_chain(0.1)),
    DemoTeam("Store Support", None, 60, 0.6, _flat(3.6, 3.5, 3.4, 3.3, 3.3, rise=0.03)),
    DemoTeam("HR & People", None, 30, 0.6, _flat(3.8, 3.7, 3.5, 3.5, 3.4, rise=0.02)),
)

PILOT_TEAMS = ("Contact Centre", "E-commerce", "Digital Marketing")

COMMENT_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "awareness": (
        (
            "Nobody has told us why this matters for our customers.",
            "We hear about the programme only through rumours.",
            "I still could not say what Customer First is for.",
            "The programme was launched at head office and never reached us {place}.",
            "We got one email at the start and nothing since.",
            "I don't know what happens if we carry on as we are.",
            "It is not clear what is actually changing for us.",
            "The posters went up but nobody explained them.",
        ),
        (
            "",
            "A short briefing at the start of a shift would do.",
            "Tell us what customers are saying about us.",
            "Half the team has never heard of it.",
            "We find out what is going on from customers before we hear it from managers.",
            "Please explain it in plain words, not slides.",
            "New starters are not told about it at all.",
            "It feels like it is for other departments, not us.",
        ),
    ),
    "desire": (
        (
            "Feels like another initiative that will fade away.",
            "My manager never mentions the programme.",
            "We have seen programmes like this come and go.",
            "It feels like more work for the same pay.",
            "I am not convinced this will make things better for customers.",
            "It sounds good on paper but nobody {place} believes in it.",
            "Leaders talk about it, but nothing changes in how we are managed.",
            "We were not asked for our views before it started.",
        ),
        (
            "",
            "Show us it is working and people will get behind it.",
            "Morale is low after the last restructure.",
            "The targets still push us the other way.",
            "Some of us want to help but do not know how.",
            "Ask the people who deal with customers every day.",
            "A bit of honesty about what went wrong last time would help.",
            "We need to see managers doing it first.",
        ),
    ),
    "knowledge": (
        (
            "We were told to change but never shown how.",
            "The training keeps getting postponed.",
            "I don't know who to ask when the new process breaks.",
            "The e-learning does not match what we actually do {place}.",
            "Half the team missed the training because of rotas.",
            "The guides are out of date already.",
            "Nobody has explained what good looks like for customers now.",
            "We learn the new way from each other, and not always correctly.",
        ),
        (
            "",
            "Short sessions during quiet hours would work better.",
            "A one-page guide would help.",
            "New starters get even less.",
            "We need someone to go to with questions.",
            "The trainer could not answer our questions either.",
            "Please run it again for the late shift.",
            "Practical examples would help more than theory.",
        ),
    ),
    "ability": (
        (
            "The systems do not let us do what the training showed.",
            "No time {place} to practise the new way.",
            "We are too short-staffed to do it properly.",
            "The old process is still quicker, so that is what we use.",
            "We know what to do but the tools get in the way.",
            "Every workaround takes longer than the old way.",
            "The rota leaves no room to try anything new.",
            "Approvals take days, so customers wait.",
        ),
        (
            "",
            "The fix we were promised has not arrived.",
            "Customers notice when we struggle.",
            "Busy weeks undo everything.",
            "We raised it weeks ago and heard nothing back.",
            "Give us time to practise before it counts.",
            "Half the screens still show the old options.",
            "A bit of coaching on the job would help.",
        ),
    ),
    "reinforcement": (
        (
            "Nobody notices when we get it right.",
            "We never hear whether any of this made a difference.",
            "Good feedback from customers goes nowhere.",
            "The old habits are creeping back {place}.",
            "Recognition goes to the same few people.",
            "The targets we are measured on have not changed.",
            "It went well for a month and then everyone forgot.",
            "We only hear about the programme when something goes wrong.",
        ),
        (
            "",
            "A thank-you now and then would go a long way.",
            "Share the results with us, good or bad.",
            "Celebrate the small wins too.",
            "People are starting to wonder if it is still on.",
            "Without follow-up it will fade.",
            "Put customer compliments on the team board.",
            "Tell us which changes worked.",
        ),
    ),
    "none": (
        (
            "The weekly huddles with our champion really help.",
            "Great to see customer feedback shared every week.",
            "The new way of working is making a real difference {place}.",
            "I can see customers noticing the change.",
            "Our manager gives us time to try things out.",
            "The training was practical and easy to apply.",
            "It is good to be asked for ideas.",
            "Proud of how far the team has come this year.",
        ),
        (
            "",
            "Keep it going.",
            "More of this, please.",
            "It would be good to share what works with other teams.",
            "Fewer emails and more conversations would make it even better.",
            "Customers have started to comment on it.",
            "Well done to everyone involved.",
            "Hope it lasts.",
        ),
    ),
}
"""Free-text comments by the element a respondent is stuck at ("none": not stuck), as a lead and an optional
follow-up; `{place}` is where the team works. No comment names a person."""

PLACES = {
    "Stores": "on the shop floor",
    "Customer Operations": "on the phones",
    "Digital": "in our team",
    "Supply Chain": "in the warehouse",
}
"""Where a team's people work, by top-level team (others: "in the office")."""

COMMENT_SHARE = 0.1
"""The share of respondents who leave a comment."""

CHAMPION_NAMES = (
    "Priya S.", "Tom B.", "Aisha K.", "Marek W.", "Lena F.", "Jonas R.", "Chloe D.", "Samir H.",
    "Grace O.", "Ivan P.", "Mei L.", "Oscar N.", "Fatima Z.", "Lucas M.", "Nora J.", "Ben T.",
    "Ana G.", "Dev C.", "Elif Y.", "Hugo V.", "Ines A.", "Karl E.", "Rosa Q.", "Yusuf I.",
    "Zoe U.", "Pavel X.", "Maya Ch.",
)  # fmt: skip

ACTIVITY_KINDS = ("huddle", "huddle", "workshop", "feedback session", "recognition", "escalation")


@dataclass(frozen=True)
class Demo:
    """The demo organisation as rows to store: (table, rows, primary key) in the order they go in, then
    the respondents (with their element scores) and their answers (a column per item code, by response id)."""

    tables: list[tuple[str, Any, Any]]
    responses: pd.DataFrame
    answers: pd.DataFrame


def demo(seed: int = DEFAULT_SEED) -> Demo:
    """The demo organisation drawn from `seed` (the same seed, the same organisation)."""
    rng = np.random.default_rng(seed)
    tables: list[tuple[str, Any, Any]] = []
    team_ids = _add_teams(tables)
    main_id, pilot_id = _add_initiatives(tables)
    wave_ids = _add_waves(tables, main_id, WAVES, first=1)
    pilot_wave_ids = _add_waves(tables, pilot_id, PILOT_WAVES, first=len(WAVES) + 1)
    responses, answers = _survey(rng, team_ids, wave_ids, seed)
    pilot = [team for team in TEAMS if team.name in PILOT_TEAMS]
    more_responses, more_answers = _survey(
        rng, team_ids, pilot_wave_ids, seed, teams=pilot, first_id=len(responses) + 1, profile_waves=(3, 5)
    )
    all_answers = pd.concat([answers, more_answers])
    wide = all_answers.pivot(index="response_id", columns="item_code", values="value")
    _add_champions(tables, rng, team_ids)
    _add_kotter(tables, main_id, pilot_id)
    _add_sponsors(tables, main_id, pilot_id, team_ids)
    _add_actions(tables, main_id, pilot_id, team_ids)
    _add_outcomes(tables, rng, team_ids, responses)
    return Demo(tables, pd.concat([responses, more_responses]), wide[[item.code for item in DEFAULT_ITEMS]])


def _add_teams(tables: list) -> dict[str, int]:
    ids = {team.name: position for position, team in enumerate(TEAMS, start=1)}
    rows = [
        {"id": ids[t.name], "name": t.name, "parent_id": ids.get(t.parent), "headcount": t.headcount} for t in TEAMS
    ]
    tables.append(("teams", rows, "id"))
    return ids


def _add_initiatives(tables: list) -> tuple[int, int]:
    tables.append(
        (
            "initiatives",
            [
                {
                    "id": 1,
                    "name": MAIN_INITIATIVE,
                    "description": "Put the customer at the centre of every store, call and delivery.",
                    "owner": "Hannah Reed, Chief Customer Officer",
                    "started_on": "2025-06-02",
                },
                {
                    "id": 2,
                    "name": PILOT_INITIATIVE,
                    "description": "Move routine enquiries to self-service without losing the personal touch.",
                    "owner": "Omar Haddad, Head of Digital",
                    "started_on": "2026-03-02",
                },
            ],
            "id",
        )
    )
    return 1, 2


def _add_waves(tables: list, initiative_id: int, waves: tuple[tuple[str, date], ...], first: int) -> list[int]:
    rows = [
        {"id": first + i, "initiative_id": initiative_id, "name": name, "opened_on": opened.isoformat()}
        for i, (name, opened) in enumerate(waves)
    ]
    tables.append(("waves", rows, "id"))
    return [row["id"] for row in rows]


def _survey(
    rng: np.random.Generator,
    team_ids: dict[str, int],
    wave_ids: list[int],
    seed: int,
    teams: list[DemoTeam] | None = None,
    first_id: int = 1,
    profile_waves: tuple[int, ...] = tuple(range(len(WAVES))),
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Respondent rows and answers for every leaf team and wave, drawn around the team's profile.

    `profile_waves` says which point of each team's story each wave samples.
    """
    element_of_item = np.array([ELEMENTS.index(i.element) if i.element in ELEMENTS else -1 for i in DEFAULT_ITEMS])
    codes = np.array([item.code for item in DEFAULT_ITEMS])
    response_parts, answer_parts = [], []
    next_id = first_id
    for profile_wave, wave_id in zip(profile_waves, wave_ids, strict=True):
        for team in teams or TEAMS:
            if team.profile is None:
                continue
            n = _respondents(rng, team)
            if n == 0:
                continue
            target = np.array(team.profile(profile_wave))
            person = rng.normal(0, 0.45, size=(n, 1))
            latent = target + person + rng.normal(0, 0.25, size=(n, 5))
            # OC1 follows each person's own Desire and Reinforcement most (beyond their general mood),
            # so key-driver analysis has a story.
            own = latent - target - person
            weights = np.array([0.2, 1.6, 0.2, 0.4, 1.6])
            outcome = target.mean() + 0.6 * person[:, 0] + own @ weights + rng.normal(0, 0.35, size=n)
            centres = np.column_stack([latent[:, element_of_item[:-1]], outcome])
            values = np.clip(np.rint(centres + rng.normal(0, 0.6, size=centres.shape)), 1, 5)
            missing = rng.random(values.shape) < 0.015
            dropped_out = rng.random(n) < 0.02  # stopped after Knowledge: incomplete
            missing[dropped_out] |= np.isin(element_of_item, [3, 4])[None, :]
            values[missing] = np.nan
            ids = np.arange(next_id, next_id + n)
            next_id += n
            answer_parts.append(
                pd.DataFrame(
                    {
                        "response_id": np.repeat(ids, len(codes)),
                        "item_code": np.tile(codes, n),
                        "value": values.ravel(),
                    }
                ).dropna(subset=["value"])
            )
            response_parts.append(
                pd.DataFrame(
                    {
                        "id": ids,
                        "wave_id": wave_id,
                        "team_id": team_ids[team.name],
                        "is_champion": rng.random(n) < min(team.champions / max(n, 1), 0.5),
                        "latent_barrier": _latent_barriers(latent),
                        "comment_draw": rng.random(n),
                        "comment_pick": rng.integers(0, 1000, size=n),
                    }
                )
            )
    answers = pd.concat(answer_parts, ignore_index=True)
    answers["value"] = answers["value"].astype(int)
    responses = pd.concat(response_parts, ignore_index=True)
    responses["comment"] = _comments(responses, team_ids)
    responses["source_hash"] = [hashlib.sha256(f"demo:{seed}:{i}".encode()).hexdigest() for i in responses["id"]]
    items = pd.DataFrame([{"code": item.code, "element": item.element} for item in DEFAULT_ITEMS])
    scores = element_scores(answers, items)
    responses = responses.drop(columns=["latent_barrier", "comment_draw", "comment_pick"]).merge(
        scores, left_on="id", right_index=True, how="left"
    )
    responses["is_champion"] = responses["is_champion"].astype(int)
    responses["complete"] = responses["complete"].astype(int)
    return responses, answers


def _comments(responses: pd.DataFrame, team_ids: dict[str, int]) -> list[str | None]:
    """A comment for the respondents whose draw falls under COMMENT_SHARE, by where they are stuck.

    Within a wave, the comments of one barrier walk through every lead and follow-up pair (from a
    drawn starting point, in steps coprime to the number of pairs), so no text repeats in a wave
    until its barrier has had more comments than there are pairs; a team's place fills `{place}`.
    """
    parents = {team.name: team.parent for team in TEAMS}
    place = {}
    for name, team_id in team_ids.items():
        top = name
        while parents.get(top):
            top = parents[top]
        place[team_id] = PLACES.get(top, "in the office")
    texts: list[str | None] = [None] * len(responses)
    commenting = responses[responses["comment_draw"] < COMMENT_SHARE]
    for (_, barrier), group in commenting.groupby(["wave_id", "latent_barrier"], sort=False):
        leads, follow_ups = COMMENT_PARTS[barrier]
        pairs = len(leads) * len(follow_ups)
        step = next(step for step in (len(leads) + 1, len(leads) + 3, 1) if math.gcd(step, pairs) == 1)
        start = int(group["comment_pick"].iloc[0])
        for rank, (position, team_id) in enumerate(zip(group.index, group["team_id"], strict=True)):
            pair = (start + rank * step) % pairs
            lead, follow_up = leads[pair % len(leads)], follow_ups[pair // len(leads)]
            texts[position] = " ".join(filter(None, (lead, follow_up))).format(place=place[int(team_id)])
    return texts


def _respondents(rng: np.random.Generator, team: DemoTeam) -> int:
    if team.headcount is not None and team.headcount < 10:
        return int(rng.integers(2, 5))  # always below the minimum group size
    return int(rng.binomial(team.headcount or 0, team.response_rate))


def _latent_barriers(latent: np.ndarray) -> list[str]:
    low = latent <= 3.0
    return [ELEMENTS[int(row.argmax())] if row.any() else "none" for row in low]


def _add_champions(tables: list, rng: np.random.Generator, team_ids: dict[str, int]) -> None:
    champions, activities = [], []
    names = iter(CHAMPION_NAMES)
    champion_id = 0
    for team in TEAMS:
        for number in range(team.champions):
            champion_id += 1
            started = date(2025, 6, 16) + timedelta(days=int(rng.integers(0, 60)) + 30 * number)
            ended = None
            last_activity = LAST_DAY
            if team.parent == "Supply Chain":
                last_activity = date(2025, 10, 31)  # went quiet with their sponsor
            if team.name == "Stores West" and number == 1:
                ended = date(2026, 3, 31)
                last_activity = ended
            champions.append(
                {
                    "id": champion_id,
                    "alias": next(names),
                    "team_id": team_ids[team.name],
                    "started_on": started.isoformat(),
                    "ended_on": ended.isoformat() if ended else None,
                }
            )
            day = started + timedelta(days=int(rng.integers(3, 10)))
            while day <= last_activity:
                kind = ACTIVITY_KINDS[int(rng.integers(0, len(ACTIVITY_KINDS)))]
                activities.append(
                    {
                        "champion_id": champion_id,
                        "happened_on": day.isoformat(),
                        "kind": kind,
                        "people_reached": int(rng.integers(4, 16 if kind != "workshop" else 30)),
                        "note": None,
                    }
                )
                day += timedelta(days=int(team.champion_every_days + rng.integers(-3, 4)))
    tables.append(("champions", champions, "id"))
    tables.append(("champion_activities", activities, "id"))


# (step, status, owner, health, evidence, started, updates as (date, status, health))
_KOTTER_MAIN = (
    (1, "done", "Hannah Reed", 4, "CEO town hall on customer churn; NPS gap vs. competitors shared.",
     "2025-06-02", (("2025-06-02", "in progress", 4), ("2025-07-21", "done", 4))),
    (2, "done", "Hannah Reed", 4, "Guiding coalition of 12 leaders from every function meets fortnightly.",
     "2025-06-09", (("2025-06-09", "in progress", 3), ("2025-08-04", "done", 4))),
    (3, "done", "Leadership team", 4, "Customer First vision and four initiatives published.",
     "2025-07-01", (("2025-07-01", "in progress", 3), ("2025-09-15", "done", 4))),
    (4, "done", "Champion network lead", 4, "27 champions recruited across stores, contact centre and digital.",
     "2025-08-01", (("2025-08-01", "in progress", 3), ("2025-12-01", "done", 4))),
    (5, "in progress", "Operations director", 3, "Store training rolled out in 2026 Q2; till fix pending.",
     "2025-10-01", (("2025-10-01", "in progress", 2), ("2026-03-02", "at risk", 2), ("2026-04-20", "in progress", 3))),
    (6, "in progress", "Hannah Reed", 4, "Contact centre first-contact resolution up 9 points; celebrated.",
     "2026-02-01", (("2026-02-01", "in progress", 3), ("2026-09-14", "in progress", 4))),
    (7, "not started", "Hannah Reed", None, "", None, ()),
    (8, "not started", "Hannah Reed", None, "", None, ()),
)  # fmt: skip
_KOTTER_PILOT = (
    (1, "done", "Omar Haddad", 4, "Call volumes and customer self-service demand shared.", "2026-03-02",
     (("2026-03-02", "in progress", 3), ("2026-04-06", "done", 4))),
    (2, "done", "Omar Haddad", 3, "Digital, contact centre and e-commerce leads on one board.", "2026-03-09",
     (("2026-03-09", "in progress", 3), ("2026-05-04", "done", 3))),
    (3, "in progress", "Omar Haddad", 3, "Vision drafted, not yet shared beyond the board.", "2026-05-04",
     (("2026-05-04", "in progress", 3),)),
    (4, "not started", None, None, "", None, ()),
    (5, "not started", None, None, "", None, ()),
    (6, "not started", None, None, "", None, ()),
    (7, "in progress", "Omar Haddad", 2, "Declared 'scaling' to all channels before any pilot result.", "2026-09-01",
     (("2026-09-01", "in progress", 2),)),
    (8, "not started", None, None, "", None, ()),
)  # fmt: skip


def _add_kotter(tables: list, main_id: int, pilot_id: int) -> None:
    steps, history = [], []
    for initiative_id, plan in ((main_id, _KOTTER_MAIN), (pilot_id, _KOTTER_PILOT)):
        for step, status, owner, health, evidence, started, updates in plan:
            steps.append(
                {
                    "initiative_id": initiative_id,
                    "step": step,
                    "status": status,
                    "owner": owner,
                    "evidence": evidence or None,
                    "started_on": started,
                    "due_on": None,
                    "health": health,
                    "updated_on": updates[-1][0] if updates else None,
                }
            )
            history.extend(
                {
                    "initiative_id": initiative_id,
                    "step": step,
                    "changed_on": changed_on,
                    "status": changed_status,
                    "owner": owner,
                    "evidence": evidence or None,
                    "health": changed_health,
                }
                for changed_on, changed_status, changed_health in updates
            )
    tables.append(("kotter_steps", steps, ("initiative_id", "step")))
    tables.append(("kotter_step_history", history, "id"))


def _add_sponsors(tables: list, main_id: int, pilot_id: int, team_ids: dict[str, int]) -> None:
    rows = []
    day = date(2025, 6, 2)
    while day <= LAST_DAY:  # the chief customer officer shows up every month
        rows.append(
            {
                "initiative_id": main_id,
                "sponsor": "Hannah Reed",
                "team_id": None,
                "happened_on": day.isoformat(),
                "kind": "town hall" if day.month % 3 == 0 else "update message",
                "note": None,
            }
        )
        day += timedelta(days=30)
    for happened_on, kind in (("2025-06-10", "launch briefing"), ("2025-07-08", "site visit")):
        rows.append(  # supply chain's sponsor: launch only, then silence
            {
                "initiative_id": main_id,
                "sponsor": "Victor Lang, Supply Chain Director",
                "team_id": team_ids["Supply Chain"],
                "happened_on": happened_on,
                "kind": kind,
                "note": None,
            }
        )
    for happened_on in ("2026-03-02", "2026-05-04", "2026-09-01"):
        rows.append(
            {
                "initiative_id": pilot_id,
                "sponsor": "Omar Haddad",
                "team_id": team_ids["Digital"],
                "happened_on": happened_on,
                "kind": "update message",
                "note": None,
            }
        )
    tables.append(("sponsor_activities", rows, "id"))


_ACTIONS = (
    ("Run till-system training in every store", "Stores", "Sunita Rao, Stores Operations Manager", "knowledge", 5,
     "done", "2026-03-31", "2026-03-27", "workshop"),
    ("Weekly 'customer moment' huddles in stores", "Stores North", "Gareth Lewis, Area Manager, Stores North",
     "reinforcement", 6, "in progress", "2026-12-15", None, "workshop"),
    ("Fix the returns screen on the tills", "Stores", "Kwame Mensah, Retail Systems Lead", "ability", 5, "open",
     "2026-09-30", None, "survey comment"),
    ("Supply chain director to brief all shifts on the programme", "Supply Chain",
     "Victor Lang, Supply Chain Director", "awareness", 1, "open", "2026-06-30", None, "review"),
    ("Recognition wall for resolved complaints", "Contact Centre", "Dana Whitfield, Contact Centre Manager",
     "reinforcement", 6, "done", "2025-12-15", "2025-12-10", "workshop"),
    ("Champion buddy for every new starter", "Contact Centre", "Ruth Adeyemi, Champion Network Lead", "desire", 4,
     "done", "2026-02-28", "2026-02-20", "review"),
    ("Publish a monthly 'you said, we did' note", None, "Megan Cole, Internal Communications Manager",
     "reinforcement", 6, "in progress", "2026-12-31", None, "survey comment"),
    ("Add a help channel for the new order process", "Distribution Centre", "Stefan Novak, Distribution Centre Manager",
     "knowledge", 5, "open", "2026-08-31", None, "survey comment"),
)  # fmt: skip
"""(title, team, owner, element, Kotter step, status, due, closed, source) of the main initiative's actions: each
owned by the person who has to make it happen, named with their role."""


def _add_actions(tables: list, main_id: int, pilot_id: int, team_ids: dict[str, int]) -> None:
    rows = [
        {
            "initiative_id": main_id,
            "team_id": team_ids.get(team) if team else None,
            "title": title,
            "owner": owner,
            "element": element,
            "kotter_step": step,
            "due_on": due,
            "status": status,
            "source": source,
            "created_on": "2025-11-03",
            "closed_on": closed,
        }
        for title, team, owner, element, step, status, due, closed, source in _ACTIONS
    ]
    rows.append(
        {
            "initiative_id": pilot_id,
            "team_id": team_ids["E-commerce"],
            "title": "Share the self-service vision with the contact centre",
            "owner": "Omar Haddad, Head of Digital",
            "element": "awareness",
            "kotter_step": 3,
            "due_on": "2026-10-31",
            "status": "open",
            "source": "review",
            "created_on": "2026-09-01",
            "closed_on": None,
        }
    )
    tables.append(("actions", rows, "id"))


OUTCOME_SHAPES = (
    # metric, level at readiness 55, change per readiness point (organisation-wide), spread across teams, sign,
    # decimals, lowest value
    ("nps", 18.0, 0.5, 9.0, 1, 1, -100.0),
    ("csat", 78.0, 0.25, 4.0, 1, 1, 0.0),
    ("complaint_rate", 2.4, -0.02, 0.35, -1, 2, 0.2),
)
OUTCOME_R = (0.35, 0.55)
"""The range each wave's correlation of a team's outcome with its readiness is drawn from: customers' scores
follow readiness only in part (store size, region, product mix and chance move them too)."""


def _add_outcomes(tables: list, rng: np.random.Generator, team_ids: dict[str, int], responses: pd.DataFrame) -> None:
    """NPS, CSAT and complaint rate per customer-facing team and quarter, following its readiness in part.

    A team's figure is its wave's level (moving with the organisation's readiness) plus a part that
    follows the team's readiness against the other teams' and a part that does not (a lasting team
    effect and the quarter's chance), mixed so that within each wave the correlation with readiness
    is a value drawn from OUTCOME_R, as in real programmes, never near 1.
    """
    readiness = responses[responses["complete"] == 1].groupby(["team_id", "wave_id"])["readiness"].mean()
    wave_names = {wave_id: name for wave_id, (name, _) in enumerate(WAVES, start=1)}
    carrying = sorted(
        {team_id for team_id, _ in readiness.index} - {team_ids["HR & People"], team_ids["Customer Insight"]}
    )
    lasting = {team_id: rng.normal(0, 1, size=len(OUTCOME_SHAPES)) for team_id in carrying}
    rows = []
    for wave_id, period in wave_names.items():
        teams = [team_id for team_id in carrying if (team_id, wave_id) in readiness.index]
        if len(teams) < 3:
            continue
        x = np.array([readiness[(team_id, wave_id)] for team_id in teams])
        along = (x - x.mean()) / x.std()
        basis = np.column_stack([np.ones_like(x), along])
        for position, (metric, level, slope, spread, sign, decimals, lowest) in enumerate(OUTCOME_SHAPES):
            other = np.array([lasting[team_id][position] for team_id in teams]) + rng.normal(0, 1, size=len(teams))
            other -= basis @ np.linalg.lstsq(basis, other, rcond=None)[0]  # the part readiness does not explain
            other /= other.std()
            r = rng.uniform(*OUTCOME_R)
            values = level + slope * (x.mean() - 55) + spread * (sign * r * along + math.sqrt(1 - r * r) * other)
            rows += [
                {
                    "team_id": team_id,
                    "period": period,
                    "metric": metric,
                    "value": round(max(lowest, float(value)), decimals),
                }
                for team_id, value in zip(teams, values, strict=True)
            ]
    tables.append(("cx_outcomes", rows, ("team_id", "period", "metric")))
