"""Workshop mode: a session on a shared screen, one idea per screen, in the order of the story."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from cxchange.hierarchy import ORGANISATION, suppression_text
from cxchange.model import ELEMENT_LABELS, REMEDIES


@dataclass(frozen=True)
class Step:
    """One screen of the session: its kind, its headline, and the team it is about (team screens)."""

    kind: str
    title: str
    team: str | None = None

    @property
    def slug(self) -> str:
        """How the step is named in a link (?step=...), stable while the session's choices stay."""
        return self.kind if self.team is None else f"{self.kind}:{self.team}"


KINDS: dict[str, str] = {
    "pulse": "Organisation pulse",
    "heatmap": "Readiness by team",
    "barriers": "Where people are stuck",
    "team": "One team at a time, then what we will do about it",
    "kotter": "Kotter board",
    "champions": "Champion coverage",
    "actions": "Actions captured",
}
"""The story a session steps through, in order; a facilitator may skip any kind."""

CAPTURE_KINDS = ("act", "actions")
"""Steps with the action form: where a group names what to do. A team's figures and its action form are two
steps ("team", then "act"), so each fits a projector's screen without scrolling."""


def session_steps(kinds: Sequence[str], teams: Sequence[str]) -> list[Step]:
    """The session's screens: the chosen kinds in story order, one team screen per chosen team."""
    steps: list[Step] = []
    for kind in KINDS:
        if kind not in kinds:
            continue
        if kind == "team":
            for team in teams:
                steps += [Step("team", team, team), Step("act", f"{team}: what will we do?", team)]
        else:
            steps.append(Step(kind, KINDS[kind]))
    return steps


def position(steps: Sequence[Step], slug: str | None) -> int:
    """Where a link points in the session (0 for the start or a step no longer in it)."""
    slugs = [step.slug for step in steps]
    return slugs.index(slug) if slug in slugs else 0


def link_id(value: str | None) -> int:
    """An initiative's or wave's id as a session link gives it; 0 (no such thing) for text that is no id."""
    text = (value or "").strip()
    return int(text) if text.isascii() and text.isdigit() else 0


def progress(steps: Sequence[Step], at: int) -> str:
    """The position indicator: "3 of 9 · Where people are stuck"."""
    return f"{at + 1} of {len(steps)} · {steps[at].title}" if steps else ""


@dataclass(frozen=True)
class Pulse:
    """The organisation's headline for the room: index, n, and the change only where it is one."""

    index: str
    n: str
    change: str
    hidden: bool


def pulse(wave_rows: pd.DataFrame, change_text: str, min_n: int) -> Pulse:
    """The organisation's readiness in a wave, as the room sees it (no figure below the minimum)."""
    organisation = wave_rows[wave_rows["team_id"] == ORGANISATION]
    if organisation.empty or bool(organisation["suppressed"].iloc[0]):
        return Pulse("–", f"fewer than {min_n} responses", "", hidden=True)
    row = organisation.iloc[0]
    return Pulse(f"{row['readiness']:.0f}", f"n = {int(row['n']):,}", change_text, hidden=False)


def team_screen(wave_rows: pd.DataFrame, team: str, min_n: int) -> dict[str, str]:
    """What a team's screen says: its index and n, its barrier point, and what helps, in plain words.

    A hidden team says only that it is hidden: no figure, no barrier point.
    """
    rows = wave_rows[wave_rows["team"] == team]
    if rows.empty:
        return {"index": "–", "n": "no responses this wave", "barrier": "", "remedy": ""}
    row = rows.iloc[0]
    if row["suppressed"]:
        return {"index": "–", "n": suppression_text(row["suppression"], min_n), "barrier": "", "remedy": ""}
    point = row["barrier_point"]
    return {
        "index": f"{row['readiness']:.0f}",
        "n": f"n = {int(row['n']):,}",
        "barrier": ELEMENT_LABELS[point] if isinstance(point, str) else "No barrier",
        "remedy": REMEDIES[point] if isinstance(point, str) else "Keep doing what works, and recognise it.",
    }


def ranked(actions: pd.DataFrame) -> pd.DataFrame:
    """Proposed actions ranked by their dot-votes (most first; ties by when they were raised)."""
    return actions.sort_values(["votes", "id"], ascending=[False, True]).reset_index(drop=True)


_SIZES = {
    "fontSize",
    "labelFontSize",
    "titleFontSize",
    "subtitleFontSize",
    "height",
    "labelLimit",
    "gradientLength",
    "strokeWidth",
    "dx",
    "dy",
    "symbolSize",
}


def for_projector(spec: dict, factor: float = 2.0, width_factor: float = 1.6) -> dict:
    """A chart spec enlarged for the back of a room: text, marks and plot heights by `factor` (point areas
    by its square), plot widths by `width_factor` only (a screen is wider than tall, and the page shrinks a
    chart to its container: ui.PROJECTOR_CSS); the data are untouched. Returns a new dict."""

    def scale(node: object, key: str | None = None) -> object:
        if isinstance(node, dict):
            if "values" in node and key == "data":
                return node
            # A conditional size ({"condition": [...], "value": n}, as charts' indented team axes) scales too.
            inherit = key in _SIZES
            return {
                name: value
                if name == "datasets"
                else scale(value, key if inherit and name in ("condition", "value") else name)
                for name, value in node.items()
            }
        if isinstance(node, list):
            return [scale(value, key) for value in node]
        if isinstance(node, bool) or not isinstance(node, int | float):
            return node
        if key in ("width", "labelPadding"):  # room across the screen: a y-axis's label column too
            return node * width_factor
        if key in _SIZES:
            return node * factor
        if key == "size":
            return node * factor * factor
        return node

    result = scale(spec)
    # Room on the right for text printed past a bar's end (a chart fitted to a narrow column clips it otherwise).
    result["padding"] = {"left": 5, "top": 5, "right": 48, "bottom": 5}
    config = result.setdefault("config", {})
    for part, keys in (("axis", ("labelFontSize", "titleFontSize")), ("legend", ("labelFontSize", "titleFontSize"))):
        section = config.setdefault(part, {})
        for name in keys:
            section.setdefault(name, 13 * factor)
    # Black on white: Streamlit's grey axis labels fade on a projector.
    for part in ("axis", "legend"):
        config[part].update({"labelColor": "#000000", "titleColor": "#000000"})
    # Room between the labels of an axis; a scale's labels that would still collide are thinned (Vega-Lite's
    # default for a number axis), a nominal axis keeps every one (its default: a heatmap's five elements).
    # Turning thinning off for every x axis had run "0%5%10%…" into one line on the barrier step.
    config.setdefault("axisX", {})["labelSeparation"] = 6
    config["legend"].update({"labelLimit": 400, "columns": 2})  # a long legend wraps instead of running off
    title = config.setdefault("title", {})
    title.setdefault("fontSize", 16 * factor)
    title.setdefault("subtitleFontSize", 13 * factor)
    return result


def session_actions(actions: pd.DataFrame, session_id: int | None, today: date) -> pd.DataFrame:
    """The actions a session captured and not dropped: those carrying its id, whatever day it is now.

    A link from before sessions had ids (no `session_id`) shows what it showed then: actions raised in a
    workshop today that belong to no session.
    """
    sessions = actions["session_id"] if "session_id" in actions else pd.Series(pd.NA, index=actions.index)
    if session_id is None:
        raised = (actions["source"] == "workshop") & (actions["created_on"] == today.isoformat()) & sessions.isna()
    else:
        raised = sessions.eq(session_id).fillna(False).astype(bool)
    return actions[raised & (actions["status"] != "dropped")]


def voted(votes: int, change: int) -> int:
    """A dot-vote count after a +1 or −1 click: never below none."""
    return max(int(votes) + int(change), 0)
