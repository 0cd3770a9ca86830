"""Live pulses, the rules: which items a form asks, what a phone's answers mean, how many answers the room is
told about, and how fast one link may take answers. Pure: no storage, no web server, no Streamlit."""

from __future__ import annotations

import hashlib
import math
import threading
import time
from collections import deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pandas as pd

from cxchange.model import ELEMENT_LABELS, ELEMENTS, OUTCOME, SCALE
from cxchange.text import plural

FORMS: dict[str, str] = {
    "short": "Short: one statement per ADKAR element (5)",
    "full": "Full: every ADKAR statement of the question bank",
}
SCALE_LABELS: tuple[tuple[int, str], ...] = tuple(
    (value, label[0].upper() + label[1:]) for label, value in SCALE.items()
)
"""The answers a phone offers, as DESIGN.md names them: Strongly disagree = 1 ... Strongly agree = 5."""
COMMENT_LENGTH = 1_000
COUNT_STEP = 5


class PulseRefused(ValueError):
    """A pulse the rules refuse (closed, unknown, a form the bank cannot make), with the sentence to show."""


class AnswerRefused(PulseRefused):
    """A phone's answer the rules refuse (a statement unanswered, no team): the form is shown again with it."""


@dataclass(frozen=True)
class Question:
    """One statement of a pulse form: its item code, the element it measures, its wording."""

    code: str
    element: str
    text: str


def questions(items: pd.DataFrame, form: str, outcome: bool) -> list[Question]:
    """The statements a pulse asks, in survey order: the short form takes each element's first active item,
    the full form every active ADKAR item; the outcome item last where asked (and the bank has one)."""
    if form not in FORMS:
        raise PulseRefused(f"A pulse form is short or full, not {form!r}.")
    active = items[items["active"].astype(bool)].sort_values(["position", "code"], kind="stable")
    chosen = active[active["element"].isin(ELEMENTS)]
    if form == "short":
        chosen = chosen.groupby("element", sort=False).head(1)
    missing = [ELEMENT_LABELS[element] for element in ELEMENTS if element not in set(chosen["element"])]
    if missing:
        raise PulseRefused(
            f"The question bank has no active statement for {', '.join(missing)}: a pulse asks every element."
        )
    chosen = pd.concat([chosen, active[active["element"].eq(OUTCOME)].head(1 if outcome else 0)])
    order = {element: position for position, element in enumerate((*ELEMENTS, OUTCOME))}
    chosen = chosen.assign(_order=chosen["element"].map(order)).sort_values(["_order", "position"], kind="stable")
    return [Question(row.code, row.element, row.text) for row in chosen.itertuples()]


@dataclass(frozen=True)
class Answer:
    """What one phone sent, checked: its team, a 1–5 value per statement, and a comment or None."""

    team_id: int
    values: dict[str, int]
    comment: str | None


def read_answer(
    form: Mapping[str, str], asked: list[Question], team_ids: Mapping[int, str], comment_asked: bool
) -> Answer:
    """Check a submitted form (field name -> text): a team of the pulse, every statement answered on the
    scale. Refused (PulseRefused) with the sentence to show; nothing is stored from a refused form."""
    team_text = (form.get("team") or "").strip()
    if not team_text.isdigit() or int(team_text) not in team_ids:
        raise AnswerRefused("Choose your team." if len(team_ids) > 1 else "This link is for another team.")
    values: dict[str, int] = {}
    unanswered = []
    for question in asked:
        text = (form.get(question.code) or "").strip()
        if text not in {str(value) for value, _ in SCALE_LABELS}:
            unanswered.append(question)
            continue
        values[question.code] = int(text)
    if unanswered:
        raise AnswerRefused(
            f"Please answer every statement: {plural(len(unanswered), 'statement')} still open "
            f"(the first: \u201c{unanswered[0].text}\u201d)."
        )
    comment = (form.get("comment") or "").strip() if comment_asked else ""
    if len(comment) > COMMENT_LENGTH:
        raise AnswerRefused(f"A comment is at most {COMMENT_LENGTH:,} characters; this one has {len(comment):,}.")
    return Answer(int(team_text), values, comment or None)


def link(base_url: str, token: str, team_id: int | None = None) -> str:
    """The address pulse_web serves a pulse's form at; for one team where `team_id` is given."""
    return f"{base_url.rstrip('/')}/pulse/{token}" + ("" if team_id is None else f"?team={int(team_id)}")


def answer_count_text(count: int, minimum: int) -> str:
    """How many answers the room is told about: rounded to the nearest 5 until the minimum group size is
    reached (so the screen does not tick as each person submits), then exact. Below the minimum a count
    never rounds up to it ("about 5" of 3 with a minimum of 5 would contradict "fewer than 5")."""
    if count >= minimum:
        return f"{plural(count, 'answer')} so far"
    rounded = COUNT_STEP * math.floor(count / COUNT_STEP + 0.5)
    if rounded == 0 or rounded >= minimum:
        return f"Fewer than {minimum} answers so far"
    return f"About {rounded} answers so far (fewer than {minimum}: exact from {minimum})"


def publishes(devices_since: int, answers: int, minimum: int) -> bool:
    """Whether a team's published pulse figures move now: only once at least `minimum` devices have sent (or
    replaced) an answer for the team since they last moved, and the team's current answers to the pulse
    number at least `minimum`. So the difference between two snapshots is never one person's answer (the
    6th person's, read as 6·B − 5·A) nor one person's change of mind, and no snapshot stands for fewer
    than `minimum` people."""
    return devices_since >= minimum and answers >= minimum


def steps_text(minimum: int) -> str:
    """The sentence beside the live figures saying why they do not move with every answer."""
    return (
        f"These figures move on in steps of at least {minimum} answers, so nobody's answer can be read off a "
        "change on the screen."
    )


def shuffled(comments: list[str], pulse_token: str) -> list[str]:
    """A pulse's comments in a fixed order that is not the order they were sent in (nor alphabetical): by a
    hash of the pulse's token and the text, the same on every redraw."""
    return sorted(comments, key=lambda text: hashlib.sha256(f"{pulse_token}\x00{text}".encode()).hexdigest())


def device_hash(pulse_token: str, cookie: str) -> str:
    """How a device that answered is kept: a hash of its random per-pulse cookie, never the cookie."""
    return hashlib.sha256(f"{pulse_token}\x00{cookie}".encode()).hexdigest()


def source_hash(pulse_token: str, device: str) -> str:
    """The response's source id for duplicate checks: one per device and pulse, the same on a new answer."""
    return hashlib.sha256(f"pulse\x00{pulse_token}\x00{device}".encode()).hexdigest()


def state(opens_at: str, closes_at: str, closed_at: str | None, now: datetime) -> str:
    """'open', 'not open yet' or 'closed' at `now` (ISO times in UTC)."""
    if closed_at is not None or now >= datetime.fromisoformat(closes_at):
        return "closed"
    return "open" if now >= datetime.fromisoformat(opens_at) else "not open yet"


def closing(now: datetime, minutes: int) -> datetime:
    """When a pulse opened at `now` for `minutes` closes."""
    if not 1 <= minutes <= 7 * 24 * 60:
        raise PulseRefused(f"A pulse stays open between 1 minute and 7 days, not {minutes} minutes.")
    return now + timedelta(minutes=minutes)


@dataclass
class RateLimit:
    """How fast one pulse link takes answers: at most `per_minute` in any 60 s, and one device at most one
    answer every `device_seconds`. Kept in the server's memory only (nothing about a device is written)."""

    per_minute: int
    device_seconds: float = 5.0
    _times: dict[str, deque] = field(default_factory=dict)
    _devices: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def refusal(self, token: str, device: str, now: float | None = None) -> str | None:
        """The sentence to show where this answer is over a limit; None (and counted) where it is not."""
        now = time.monotonic() if now is None else now
        with self._lock:
            recent = self._times.setdefault(token, deque())
            while recent and now - recent[0] >= 60:
                recent.popleft()
            last = self._devices.get(f"{token}\x00{device}")
            if last is not None and now - last < self.device_seconds:
                wait = math.ceil(self.device_seconds - (now - last))
                return f"Your answer just arrived. To change it, wait {plural(wait, 'second')} and send it again."
            if len(recent) >= self.per_minute:
                wait = math.ceil(60 - (now - recent[0]))
                return (
                    f"This pulse is taking many answers at once (more than {self.per_minute} a minute). "
                    f"Please send yours again in {plural(wait, 'second')}."
                )
            recent.append(now)
            if len(self._devices) > 10_000:  # forget devices whose wait is over: memory stays bounded
                self._devices = {key: at for key, at in self._devices.items() if now - at < self.device_seconds}
            self._devices[f"{token}\x00{device}"] = now
            return None

    def give_back(self, token: str, device: str) -> None:
        """Return the turn an answer took where it could not be stored, so sending it again is not refused."""
        with self._lock:
            self._devices.pop(f"{token}\x00{device}", None)
            recent = self._times.get(token)
            if recent:
                recent.pop()


def held_back(others_below: int) -> str | None:
    """Why a team's published pulse figures stay off the screen, or None. The wave's figure of the team (and
    of the teams above it) holds the pulse's answers and every other response of the team's subtree in that
    wave; the room could take the pulse's figures from it and read the rest, a group no suppression ever
    weighed. So the pulse's own figures show only where the wave holds nothing else for the team's subtree
    (then they are part of what the wave shows anyway); otherwise the room sees the wave's figures, on the
    pages that show them under every rule."""
    if others_below == 0:
        return None
    return (
        f"Figures held back: this wave also holds {plural(others_below, 'other response')} for the team and the "
        "teams below it, which could be worked out by taking the pulse's figures from the wave's. The wave's "
        "figures, with these answers in, are on the Readiness page."
    )


def held_text(wave: str, teams: list[str], closes_at: str) -> str:
    """The note where a wave's views leave out an open pulse's answers (store.responses.SHOWN): which pulse,
    until when, and why. It gives no count: the count the room may know is the presenter's, rounded."""
    closes = datetime.fromisoformat(closes_at).strftime("%d %b %Y, %H:%M UTC")
    return (
        f"Not counted yet: the answers to the live pulse of {wave} for {', '.join(teams)}, open until {closes}. "
        "They join every figure here once the pulse closes, so that no one's answer shows as the change "
        "between two visits to this page."
    )
