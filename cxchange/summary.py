"""The executive summary: what a sponsor should know first, as findings (a title that says the finding, one
sentence, the numbers behind it), drawn from the frames the pages compute already.

Pure: readiness figures (readiness.figures), the initiative's waves, actions, Kotter steps and champion
coverage in; findings out. The Overview and every report show the same summary because both call
summarise(). Honesty rules hold: a hidden team is never named with a figure, a move is only a change the
Readiness page calls significant (analysis.changes), and a barrier point is the first element at or below
the threshold, from the team's element means (DESIGN.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from cxchange import access, actions, analysis, champions, hierarchy, kotter, outcomes, readiness
from cxchange.model import ELEMENT_LABELS, ELEMENTS, REMEDIES
from cxchange.text import plural, response_rate_text

MOVES_NAMED = 6
"""Significant moves a summary names one by one; the rest are counted."""
ACTIONS_NAMED = 4
"""Overdue actions a summary names with their owners; the rest are counted."""


@dataclass(frozen=True)
class ChartData:
    """A chart as plain data, for a renderer that draws its own (a PPTX's native, editable charts).

    kind: "bar" (clustered columns), "barh" (horizontal bars), "stacked" (100% stacked bars) or "line";
    one value per category in each series, None where a point is hidden.
    """

    kind: str
    categories: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]
    number_format: str = "0.0"
    value_title: str = ""
    value_range: tuple[float, float] | None = None
    colours: tuple[str, ...] = ()
    """Per series, its "#rrggbb" colour (a team's line: palette.team_colours, as on every page); empty: the
    renderer's own."""


@dataclass(frozen=True)
class Finding:
    """One finding: a title that says it, a sentence with its figures, the numbers behind both."""

    kind: str
    """headline, barrier, moves, actions, kotter, champions or outcomes."""
    title: str
    sentence: str
    numbers: dict[str, Any] = field(default_factory=dict)
    chart: ChartData | None = None
    rows: tuple[tuple[str, ...], ...] = ()
    """Rows of a small table a slide may show (the first is the header)."""


@dataclass(frozen=True)
class Summary:
    """The executive summary of one wave for one scope."""

    title: str
    findings: tuple[Finding, ...]

    def finding(self, kind: str) -> Finding | None:
        """The first finding of a kind, None where the summary has none."""
        return next((found for found in self.findings if found.kind == kind), None)


@dataclass(frozen=True)
class SummaryInputs:
    """What a summary is drawn from; every frame as the store or the pages give it."""

    frame: pd.DataFrame
    """readiness.figures of the initiative for the whole organisation (cut to the scope here)."""
    teams: pd.DataFrame
    """Every team (store.org.teams)."""
    waves: pd.DataFrame
    """The initiative's waves, oldest first."""
    wave_id: int
    settings: dict[str, Any]
    today: date
    actions: pd.DataFrame
    """The initiative's actions (store.actions.initiative_actions)."""
    kotter_steps: pd.DataFrame
    kotter_history: pd.DataFrame
    coverage: pd.DataFrame
    """champions.coverage of the scope's teams of today."""
    scope: int = hierarchy.ORGANISATION
    """The team whose subtree the summary covers; ORGANISATION: every team."""
    cx_outcomes: pd.DataFrame | None = None
    """CX outcome figures (store.outcomes.cx_outcomes: team_id, team, period, metric, value); None or none at
    all: the summary has no CX outcomes finding."""


def teams_at_barrier(wave_rows: pd.DataFrame) -> tuple[pd.DataFrame, int]:
    """The Overview's "Teams at a barrier": the shown teams with respondents of their own whose element
    means put them at a barrier point, in hierarchy order, and how many teams with respondents are shown."""
    teams = wave_rows[(wave_rows["team_id"] != hierarchy.ORGANISATION) & (wave_rows["direct_n"] > 0)]
    shown = teams[~teams["suppressed"].astype(bool)]
    return shown[shown["barrier_point"].notna()].sort_values("order"), len(shown)


def summarise(inputs: SummaryInputs) -> Summary:
    """The findings of one wave, for the scope: headline, teams at a barrier, significant moves, overdue
    actions, the Kotter step and champion coverage (the last three in one line each)."""
    scope = None if inputs.scope == hierarchy.ORGANISATION else inputs.scope
    frame = access.scoped_figures(inputs.frame, inputs.teams, scope)
    waves = inputs.waves.sort_values("opened_on").reset_index(drop=True)
    position = np.flatnonzero(waves["id"].to_numpy() == inputs.wave_id)
    if len(position) == 0:
        raise LookupError(f"The initiative has no wave with id {inputs.wave_id}.")
    wave = waves.iloc[position[0]]
    previous = waves.iloc[position[0] - 1] if position[0] > 0 else None
    wave_rows = frame[frame["wave_id"] == inputs.wave_id]
    min_n = int(inputs.settings["min_group_size"])
    title = f"Executive summary, {wave['name']}"
    named = inputs.teams.loc[inputs.teams["id"] == scope, "name"]
    root_name = str(named.iloc[0]) if scope is not None and len(named) else hierarchy.ORGANISATION_LABEL
    findings = [_headline(frame, wave_rows, inputs.wave_id, str(wave["name"]), min_n, root_name)]
    root = wave_rows[wave_rows["team_id"] == hierarchy.ORGANISATION]
    if not root.empty and not bool(root["suppressed"].iloc[0]):
        findings += _barriers(frame, wave_rows, inputs.wave_id, float(inputs.settings["barrier_threshold"]))
        findings.append(_moves(inputs.frame, frame, previous, inputs.wave_id, scope is not None))
    scoped_actions = access.scoped_rows(inputs.actions, inputs.teams, scope)
    findings.append(_actions(scoped_actions, actions.latest_barriers(wave_rows), inputs.today))
    findings.append(_kotter(inputs.kotter_steps, inputs.kotter_history, inputs.today, inputs.settings))
    findings.append(_champions(inputs.coverage, float(inputs.settings["champion_ratio"])))
    if inputs.cx_outcomes is not None and not inputs.cx_outcomes.empty:
        up_to = frame[frame["wave_id"].isin(waves["id"].iloc[: position[0] + 1])]  # no later wave in an old summary
        figures = access.scoped_rows(inputs.cx_outcomes, inputs.teams, scope)
        findings.append(_outcomes(up_to, figures, int(inputs.settings["outcome_min_points"])))
    return Summary(title, tuple(found for found in findings if found is not None))


def _points(delta: float) -> str:
    """A change in index points as a title writes it: "+2.2", "−7.1" (a real minus)."""
    return f"{delta:+.1f}".replace("-", "−")


def _signed(delta: float) -> str:
    """A change in an element's mean: "+0.26", "−0.42" (a real minus)."""
    return f"{delta:+.2f}".replace("-", "−")


def _rate(row: pd.Series) -> str:
    """ ", 54% of 1,960" after a row's n where its headcount is known (text.response_rate_text); "" otherwise."""
    said = response_rate_text(row.get("response_rate"), row.get("headcount"))
    return f", {said}" if said else ""


def _headline(
    frame: pd.DataFrame, wave_rows: pd.DataFrame, wave_id: int, wave_name: str, min_n: int, name: str
) -> Finding:
    root = wave_rows[wave_rows["team_id"] == hierarchy.ORGANISATION]
    if root.empty:
        return Finding("headline", f"No complete responses in {wave_name}", "There is nothing to summarise yet.")
    row = root.iloc[0]
    if row["suppressed"]:
        why = hierarchy.suppression_text(row["suppression"], min_n)
        return Finding(
            "headline", f"{name}: readiness hidden in {wave_name}", f"{why.capitalize()}: no figure is shown."
        )
    change = readiness.change_between(frame, hierarchy.ORGANISATION, wave_id)
    index, n = float(row["readiness"]), int(row["n"])
    called = change is not None and change.significant and not np.isnan(change.p_value)
    movement = f", {_points(change.delta)} points since {change.previous_wave}" if called else ""
    history = frame[(frame["team_id"] == hierarchy.ORGANISATION) & (frame["opened_on"] <= row["opened_on"])]
    history = history.sort_values("opened_on")
    chart = ChartData(
        "line",
        tuple(history["wave"].astype(str)),
        (
            (
                name,
                tuple(
                    None if hidden else round(float(value), 1)
                    for value, hidden in zip(history["readiness"], history["suppressed"], strict=True)
                ),
            ),
        ),
        value_title="Readiness index (0–100)",
        value_range=(0, 100),
    )
    return Finding(
        "headline",
        f"Readiness {index:.0f} of 100{movement}",
        f"{name}: readiness index {index:.0f} (n = {n:,}{_rate(row)}). "
        + readiness.change_text(frame, hierarchy.ORGANISATION, wave_id, min_n),
        {
            "readiness": round(index),
            "n": n,
            "change": round(change.delta, 1) if called else None,
            "previous_wave": change.previous_wave if change else None,
        },
        chart,
    )


def _barriers(frame: pd.DataFrame, wave_rows: pd.DataFrame, wave_id: int, threshold: float) -> list[Finding]:
    """One finding per group of stuck teams: a parent whose shown teams are all stuck where it is, else a team."""
    stuck, shown = teams_at_barrier(wave_rows)
    # A shown parent at a barrier whose stuck teams are hidden is still a finding (its figure is published),
    # though the Overview's count, of teams with respondents of their own, does not include it.
    parents = wave_rows[
        wave_rows["has_children"].astype(bool)
        & (wave_rows["team_id"] != hierarchy.ORGANISATION)
        & ~wave_rows["suppressed"].astype(bool)
        & wave_rows["barrier_point"].notna()
    ]
    if stuck.empty and parents.empty:
        return [
            Finding(
                "barrier",
                f"No team at a barrier: 0 of {shown} teams",
                f"No shown team has an ADKAR element at or below {threshold:.2f} on the 1–5 scale.",
                {"teams_at_barrier": 0, "teams_shown": shown},
            )
        ]
    by_id = wave_rows.set_index("team_id")
    groups: list[tuple[int, list[int]]] = []
    placed: set[int] = set()
    for parent_id, part in stuck.groupby("parent_id", sort=False):
        if pd.isna(parent_id) or int(parent_id) not in by_id.index or int(parent_id) == hierarchy.ORGANISATION:
            continue
        parent = by_id.loc[int(parent_id)]
        siblings = wave_rows[(wave_rows["parent_id"] == parent_id) & (wave_rows["direct_n"] > 0)]
        visible = siblings[~siblings["suppressed"].astype(bool)]
        same = set(part["barrier_point"]) == {parent["barrier_point"]}
        if not parent["suppressed"] and same and set(visible["team_id"]) == set(part["team_id"]):
            groups.append((int(parent_id), part["team_id"].astype(int).tolist()))
            placed |= set(part["team_id"].astype(int))
    groups += [(int(team), [int(team)]) for team in stuck["team_id"] if int(team) not in placed]
    leads = {lead for lead, _ in groups}
    groups += [(int(team), [int(team)]) for team in parents["team_id"] if int(team) not in leads]
    groups.sort(key=lambda group: by_id.loc[group[0], "order"])
    findings = []
    for lead, members in groups:
        row = by_id.loc[lead]
        element = str(row["barrier_point"])
        change = readiness.change_between(frame, lead, wave_id)
        called = change is not None and change.significant and not np.isnan(change.p_value)
        movement = f", {_points(change.delta)} points since {change.previous_wave}" if called else ""
        names = [str(by_id.loc[member, "team"]) for member in members]
        parts = [
            f"{by_id.loc[member, 'team']} {by_id.loc[member, element]:.2f} (n = {int(by_id.loc[member, 'n']):,})"
            for member in members
        ]
        who = "" if members == [lead] else f" Its {plural(len(members), 'team')}: "
        sentence = (
            f"{ELEMENT_LABELS[element]} scores {row[element]:.2f} on the 1–5 scale (n = {int(row['n']):,}), at or "
            f"below {threshold:.2f}, so the later elements cannot be built yet."
            + (f"{who}{', '.join(parts)}." if who else "")
            + (f" {change.describe()}" if change is not None else "")
            + f" What helps: {REMEDIES[element]}"
        )
        series = [(str(row["team"]), tuple(round(float(row[e]), 2) for e in ELEMENTS))]
        if members != [lead]:
            series += [
                (str(by_id.loc[member, "team"]), tuple(round(float(by_id.loc[member, e]), 2) for e in ELEMENTS))
                for member in members
            ]
        findings.append(
            Finding(
                "barrier",
                f"{row['team']} stuck at {ELEMENT_LABELS[element]}{movement}",
                sentence,
                {
                    "team": str(row["team"]),
                    "element": element,
                    "score": round(float(row[element]), 2),
                    "n": int(row["n"]),
                    "teams": names,
                    "teams_at_barrier": len(stuck),
                    "teams_shown": shown,
                    "change": round(change.delta, 1) if called else None,
                    "what_helps": REMEDIES[element],
                },
                ChartData(
                    "bar",
                    tuple(ELEMENT_LABELS[e] for e in ELEMENTS),
                    tuple(series),
                    number_format="0.00",
                    value_title="Mean on the 1–5 scale",
                    value_range=(1, 5),
                ),
            )
        )
    return findings


def _moves(whole: pd.DataFrame, frame: pd.DataFrame, previous: pd.Series | None, wave_id: int, scoped: bool) -> Finding:
    """The significant moves since the wave before, as the Readiness page calls them (analysis.changes on the
    whole organisation's figures, so a family is the same whatever the scope), for the scope's teams."""
    if previous is None:
        return Finding("moves", "First wave: no moves to call yet", "There is no wave before this one to compare with.")
    # A scoped frame carries its top team twice (as itself and as the organisation): ask for it once.
    ids = [int(team) for team in frame["team_id"].unique() if scoped is False or team != hierarchy.ORGANISATION]
    table = analysis.changes(whole, int(previous["id"]), wave_id, ids)
    if table.empty:
        return Finding("moves", f"No team to compare with {previous['name']}", "No team is shown in both waves.")
    called = table[table["call"].isin(["up", "down"])].copy()
    called["size"] = called["delta"].abs()
    called = pd.concat(
        [
            called[called["call"] == "down"].sort_values("size", ascending=False),
            called[called["call"] == "up"].sort_values("size", ascending=False),
        ]
    )
    up, down = int((called["call"] == "up").sum()), int((called["call"] == "down").sum())
    tested = int((table["call"] != "no test possible").sum())
    if called.empty:
        return Finding(
            "moves",
            f"No significant move since {previous['name']}",
            f"Of {tested} team × element figures tested, none changed clearly.",
            {"up": 0, "down": 0, "tested": tested},
        )
    named = called.head(MOVES_NAMED)
    texts = [
        f"{row.team} {ELEMENT_LABELS[row.element]} {_signed(row.delta)} to {row.after:.2f} (n = {int(row.n_after):,})"
        for row in named.itertuples()
    ]
    more = len(called) - len(named)
    sentence = (
        f"Of {tested} team × element figures tested, {up} went up and {down} went down (adjusted for testing many "
        f"at once): " + "; ".join(texts) + (f"; and {more} more." if more else ".")
    )
    headline = named.iloc[0]
    lead = f"{headline['team']} {ELEMENT_LABELS[headline['element']]} {'down' if headline['call'] == 'down' else 'up'}"
    return Finding(
        "moves",
        f"{plural(len(called), 'significant move')} since {previous['name']}: {up} up, {down} down; {lead} most",
        sentence,
        {
            "up": up,
            "down": down,
            "tested": tested,
            "moves": [(row.team, row.element, round(row.delta, 2)) for row in called.itertuples()],
        },
        ChartData(
            "barh",
            tuple(f"{row.team} · {ELEMENT_LABELS[row.element]}" for row in named.itertuples()),
            ((f"Change since {previous['name']}", tuple(round(float(d), 2) for d in named["delta"])),),
            number_format="+0.00;−0.00",
            value_title="Change in the element's mean (1–5 scale)",
        ),
    )


def _actions(log: pd.DataFrame, barriers: dict[int, str], today: date) -> Finding:
    """Overdue actions with their owners, and open ones aimed past their team's barrier (actions.action_flags,
    as the Actions page and Team detail flag them)."""
    flags = actions.action_flags(log, barriers, today) if len(log) else pd.DataFrame(columns=actions.FLAG_COLUMNS)
    past = log[flags["past_barrier"].to_numpy(dtype=bool)] if len(log) else log
    past_text = "; ".join(
        f"{row.title} ({row.team}: a{actions.past_barrier_text(row.element, barriers[int(row.team_id)])[1:]})"
        for row in past.itertuples()
    )
    late = actions.overdue(log, today) if len(log) else log
    open_count = int(log["status"].isin(actions.OPEN_STATUSES).sum()) if len(log) else 0
    if late.empty:
        sentence = f"{plural(open_count, 'action')} open or in progress, none past its due date."
        if past_text:
            sentence += f" Aimed past the team's barrier: {past_text}."
        return Finding("actions", "No action overdue", sentence, {"overdue": 0, "open": open_count, "past": len(past)})
    named = late.head(ACTIONS_NAMED)
    texts = [
        f"{row.title} ({row.owner if isinstance(row.owner, str) and row.owner.strip() else 'no owner'}"
        + (f", {row.team}" if isinstance(row.team, str) else "")
        + f", {actions.overdue_text(int(row.days_overdue))})"
        for row in named.itertuples()
    ]
    more = len(late) - len(named)
    owners = sorted({str(owner) for owner in late["owner"] if isinstance(owner, str) and owner.strip()})
    sentence = "; ".join(texts) + (f"; and {more} more." if more else ".")
    if past_text:
        sentence += f" Aimed past the team's barrier: {past_text}."
    return Finding(
        "actions",
        f"{plural(len(late), 'action')} overdue, owned by {_people(owners)}",
        sentence,
        {"overdue": len(late), "open": open_count, "owners": owners, "past": len(past)},
        rows=(
            ("Action", "Owner", "Team", "Due", "Overdue"),
            *(
                (
                    str(row.title),
                    str(row.owner) if isinstance(row.owner, str) else "no owner",
                    str(row.team) if isinstance(row.team, str) else "programme-wide",
                    str(row.due_on),
                    actions.overdue_text(int(row.days_overdue)),
                )
                for row in late.itertuples()
            ),
        ),
    )


def _people(owners: list[str]) -> str:
    """Owners as a title names them: the name before a role ("Victor Lang, Supply Chain Director"), three at
    most, then how many more."""
    if not owners:
        return "nobody"
    names = [owner.split(",")[0].strip() for owner in owners]
    shown = names[:3] if len(names) <= 3 else names[:2]
    rest = len(names) - len(shown)
    if rest:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" and {shown[-1]}"


def _kotter(steps: pd.DataFrame, history: pd.DataFrame, today: date, settings: dict[str, Any]) -> Finding:
    label_set = str(settings["kotter_labels"])
    board = kotter.board(steps, label_set)
    found = kotter.warnings(board, history, today, int(settings["stale_weeks"]), label_set)
    done = int((board["status"] == kotter.DONE).sum())
    current = board[board["status"] != kotter.DONE]
    warned = f"; {plural(len(found), 'warning')}: {found[0].reason}" if found else "; no warnings"
    if current.empty:
        return Finding("kotter", "Kotter: all eight steps done", f"All eight steps are done{warned}", {"done": 8})
    step = current.iloc[0]
    owner = f", owner {step['owner']}" if step["owner"] else ""
    return Finding(
        "kotter",
        f"Kotter: {kotter.step_name(int(step['step']), label_set)} {step['status']}",
        f"{done} of 8 steps done; the next, {kotter.step_name(int(step['step']), label_set)}, is "
        f"{step['status']}{owner}{warned}",
        {"step": int(step["step"]), "status": str(step["status"]), "done": done, "warnings": len(found)},
    )


def _champions(coverage: pd.DataFrame, ratio: float) -> Finding:
    if coverage.empty or hierarchy.ORGANISATION not in set(coverage["team_id"]):
        return Finding("champions", "Champions: no teams", "There are no teams to cover.", {"champions": 0})
    found = champions.coverage_summary(coverage)
    count = int(found["champions"])
    per = found["people_per_champion"]
    ratio_text = "none active" if not count else f"1 per {per:,.0f} people" if per == per else "no headcount to compare"
    needed = found["needed"]
    target = (
        f"target 1 per {ratio:g} met"
        if found["target_met"]
        else f"target 1 per {ratio:g}: {needed - count} more needed"
        if needed is not None
        else f"target 1 per {ratio:g}"
    )
    without = found["without"]
    named = f" ({', '.join(without[:3])}{'…' if len(without) > 3 else ''})" if without else ""
    return Finding(
        "champions",
        f"Champions: {count} active" + ("" if not count else f", {ratio_text}"),
        f"{plural(count, 'active champion')}"
        + ("" if not count else f", {ratio_text}")
        + f" ({target}); {found['teams_without']} of "
        f"{found['teams']} teams without one{named}, {found['teams_quiet']} quiet.",
        {
            "champions": count,
            "teams_without": int(found["teams_without"]),
            "teams": int(found["teams"]),
            "teams_quiet": int(found["teams_quiet"]),
        },
    )


def lines(summary: Summary) -> list[str]:
    """The summary as text lines: each finding's title and sentence (for a page, a test or a terminal)."""
    return [f"{found.title}. {found.sentence}" for found in summary.findings]


def _outcomes(frame: pd.DataFrame, figures: pd.DataFrame, min_points: int) -> Finding:
    """What the CX outcomes page says of readiness against each outcome, by the functions it calls
    (outcomes.readiness_vs_outcomes, outcomes.correlation and its sentence): an association with its interval,
    or none clear. `frame` is the scope's readiness up to the summary's wave."""
    points = outcomes.readiness_vs_outcomes(frame, figures)
    statements, clear, numbers = [], [], {}
    for metric in outcomes.METRICS:
        rows = points[points["metric"] == metric.code]
        if rows.empty:
            continue
        found = outcomes.correlation(rows, min_points=min_points)
        statements.append(found.sentence(metric))
        numbers[metric.code] = {  # None where there is no figure (NaN would make two equal summaries differ)
            "r": None if np.isnan(found.r) else round(found.r, 2),
            "low": None if np.isnan(found.low) else round(found.low, 2),
            "high": None if np.isnan(found.high) else round(found.high, 2),
            "n": found.n,
        }
        if found.clear:
            clear.append(f"{'higher' if found.r > 0 else 'lower'} {metric.label}")
    if not statements:
        return Finding(
            "outcomes",
            "CX outcomes: none meets a shown readiness figure yet",
            "No CX outcome figure is named like a wave of this initiative for a team whose readiness is shown.",
        )
    if clear:
        title = "CX outcomes: teams with higher readiness had " + _listed(clear)
    else:
        title = "CX outcomes: no clear association with readiness"
    return Finding("outcomes", title, " ".join(statements), numbers=numbers)


def _listed(parts: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
