"""What importing a survey file would do, as the import page shows it, and the choices that refine the mapping.

Pure: it reads a Plan (see rules) or what a batch recorded, never the file or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxchange import names
from cxchange.importing.matching import candidates
from cxchange.importing.rules import Plan
from cxchange.model import ELEMENT_LABELS, ELEMENTS, OUTCOME, SCALE

LABEL_CHOICES: dict[str, int | None] = {f"{label.capitalize()} ({value})": value for label, value in SCALE.items()} | {
    "Missing (not an answer)": None
}
"""What an answer off the scale may be said to mean: the choice as offered, and the value it maps to."""


def label_values(chosen: Mapping[str, str | None]) -> dict[str, int | None] | None:
    """The values the user gave unknown answers (label -> a LABEL_CHOICES key), as a mapping's labels;
    None while any label has no choice yet."""
    if None in chosen.values():
        return None
    return {label: LABEL_CHOICES[choice] for label, choice in chosen.items()}


def item_labels(items: pd.DataFrame) -> dict[str, str]:
    """Each question of the bank as a picker names it: code · wording."""
    return {code: f"{code} · {text}" for code, text in zip(items["code"], items["text"], strict=True)}


def condensed(lines: list[str]) -> list[str]:
    """What an import will do (or did), with the wordings it records for bank items said in one line."""
    wordings = [line for line in lines if line.startswith(("Will record ", "Recorded "))]
    if len(wordings) <= 2:
        return lines
    verb = "Will record" if wordings[0].startswith("Will") else "Recorded"
    summary = (
        f"{verb} {len(wordings)} of the file's wordings as wordings of the bank's items, so the next wave's file "
        "matches them by text."
    )
    return [line for line in lines if line not in wordings] + [summary]


def small_teams(plan: Plan, minimum: int) -> list[str]:
    """Teams with fewer complete responses in the file than the minimum group size."""
    per_team = plan.per_team()
    return per_team.loc[per_team["complete"] < minimum, "team"].tolist()


def other_rows(plan: Plan) -> pd.DataFrame:
    """Every row not simply imported and every answer treated as missing, in row order:
    Row, What happens, Team, Column."""
    rows = [{"Row": o.row, "What happens": o.reason, "Team": o.team or "", "Column": ""} for o in plan.outcomes] + [
        {
            "Row": p.row,
            "What happens": f"answer {p.value!r} is {p.reason}: treated as missing",
            "Team": "",
            "Column": p.column,
        }
        for p in plan.problems
    ]
    return pd.DataFrame(rows).sort_values("Row")


def matched_columns(plan: Plan, item_label: Mapping[str, str]) -> pd.DataFrame:
    """How the file's columns matched the question bank: Column in the file, Question, Matched by."""
    return pd.DataFrame(
        [
            {"Column in the file": m.header, "Question": item_label[m.item_code], "Matched by": m.how}
            for m in plan.matches
        ]
    )


def unmatched_columns(plan: Plan) -> list[str]:
    """The file's columns that are not matched to a question, not the team or comment column, not the tool's
    metadata and not ignored: those left to map."""
    taken = {m.header for m in plan.matches} | {plan.team_column, plan.comment_column} | set(plan.metadata)
    return [header for header in plan.headers if header not in taken | set(plan.ignored) and header.strip()]


def recorded_counts(recorded: Mapping[str, Any]) -> str:
    """What a batch recorded (store.responses.batch_outcomes), as rows per outcome: "imported: 8, blank: 1"."""
    return ", ".join(f"{kind}: {count}" for kind, count in recorded.get("counts", {}).items())


def recorded_rows(recorded: Mapping[str, Any]) -> pd.DataFrame:
    """The rows a batch recorded as not simply imported and the answers it reported, in row order."""
    rows = pd.DataFrame(recorded.get("rows", []) + recorded.get("problems", []))
    return rows if rows.empty else rows.sort_values("row")


NOT_AN_ITEM = "not an ADKAR item"
NEW_ITEM = {f"new {ELEMENT_LABELS[element]} item": element for element in (*ELEMENTS, OUTCOME)}
"""The mapping grid's choices besides the bank's items: a new item of an element in the column's wording, or none."""


def column_choices(item_label: Mapping[str, str]) -> list[str]:
    """Every choice the mapping grid offers a column: the bank's items, a new item of each element, no item."""
    return [*item_label.values(), *NEW_ITEM, NOT_AN_ITEM]


def mapping_grid(plan: Plan, item_label: Mapping[str, str]) -> pd.DataFrame:
    """One row per column of the file that is not the tool's metadata, the team or the comment column:
    Column in the file (the header whole), Statement (the header without the question a matrix statement
    sits under, so the words that tell the rows apart are the ones shown), Suggestion (item and similarity),
    Choice (what it maps to now)."""
    chosen = {m.header: item_label.get(m.item_code, m.item_code) for m in plan.matches if m.how != "new item"}
    chosen |= {item["header"]: f"new {ELEMENT_LABELS[item['element']]} item" for item in plan.new_items}
    chosen |= dict.fromkeys(plan.ignored, NOT_AN_ITEM)
    skip = {plan.team_column, plan.comment_column, *plan.metadata}
    rows = []
    for header in plan.headers:
        if header in skip or not header.strip():
            continue
        suggestion = plan.suggestions.get(header)
        rows.append(
            {
                "Column in the file": header,
                "Statement": candidates(header)[-1] if header.strip() else header,
                "Suggestion": f"{item_label.get(suggestion[0], suggestion[0])} ({suggestion[1]:.0f})"
                if suggestion
                else "",
                "Choice": chosen.get(header),
            }
        )
    return pd.DataFrame(rows, columns=["Column in the file", "Statement", "Suggestion", "Choice"])


def suggested_columns(plan: Plan) -> dict[str, str]:
    """The suggestions of the columns still unmatched, as a mapping's columns (header -> item code), for the
    user to take in one go: an item already matched is not offered again, and an item suggested for two
    columns goes to the more similar one (the other stays for the user to choose)."""
    taken = {m.item_code for m in plan.matches}
    best: dict[str, tuple[float, str]] = {}
    for header, (code, score) in plan.suggestions.items():
        if code not in taken and (code not in best or score > best[code][0]):
            best[code] = (score, header)
    return {header: code for code, (_, header) in best.items()}


def matrix_questions(grid: pd.DataFrame) -> list[str]:
    """The questions the mapping grid's statements sit under (what the Statement column leaves out), once each."""
    found: dict[str, None] = {}
    for header, statement in zip(grid["Column in the file"], grid["Statement"], strict=True):
        question = header[: header.rfind(statement)].rstrip(" -[").strip() if header != statement else ""
        if question:
            found.setdefault(question, None)
    return list(found)


def column_targets(before: pd.DataFrame, after: pd.DataFrame, item_label: Mapping[str, str]) -> dict[str, str]:
    """The columns whose choice the user changed in the mapping grid, as a mapping's columns (header ->
    item code, element or "ignore")."""
    code_of = {label: code for code, label in item_label.items()}
    changed = {}
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        if pd.isna(new["Choice"]) or not new["Choice"] or new["Choice"] == old["Choice"]:
            continue  # an editor gives an untouched empty cell back as NaN
        choice = new["Choice"]
        changed[new["Column in the file"]] = (
            NEW_ITEM.get(choice) or ("ignore" if choice == NOT_AN_ITEM else None) or (code_of[choice])
        )
    return changed


NEW_TEAM = "new team"


def team_grid(plan: Plan, existing: list[str]) -> pd.DataFrame:
    """One row per team spelling in the file: Team in the file, Rows, Goes to (an existing team, "new team",
    or "same as" another spelling; empty while a lookalike waits for an answer), Note."""
    by_key = {names.key(name) for name in existing}
    rows = []
    for spelling, count in sorted(plan.spellings.items(), key=lambda item: (-item[1], item[0])):
        team = plan.spelling_team.get(spelling, spelling)
        if spelling in plan.team_questions:
            goes, note = None, f"looks like {', '.join(plan.team_questions[spelling])}: choose"
        elif names.key(team) in by_key:
            goes, note = next(name for name in existing if names.key(name) == names.key(team)), ""
        elif names.key(team) == names.key(spelling):
            goes, note = NEW_TEAM, f"will create team {team}"
        else:
            goes, note = f"same as {team}", f"will create team {team}"
        if spelling in plan.team_refusals:
            note = plan.team_refusals[spelling]
        rows.append({"Team in the file": spelling, "Rows": count, "Goes to": goes, "Note": note})
    return pd.DataFrame(rows, columns=["Team in the file", "Rows", "Goes to", "Note"])


def team_choices(plan: Plan, existing: list[str]) -> list[str]:
    """What a spelling may go to: a new team of its own, an existing team, or another spelling of the file."""
    return [NEW_TEAM, *existing, *(f"same as {spelling}" for spelling in plan.spellings)]


def team_targets(before: pd.DataFrame, after: pd.DataFrame) -> dict[str, str]:
    """The spellings whose team the user changed in the team grid, as a mapping's teams (spelling -> name)."""
    changed = {}
    for (_, old), (_, new) in zip(before.iterrows(), after.iterrows(), strict=True):
        if pd.isna(new["Goes to"]) or not new["Goes to"] or new["Goes to"] == old["Goes to"]:
            continue  # an editor gives an untouched empty cell back as NaN
        spelling, goes = new["Team in the file"], new["Goes to"]
        changed[spelling] = spelling if goes == NEW_TEAM else goes.removeprefix("same as ")
    return changed
