"""What importing a survey file would do, as the import page shows it, and the choices that refine the mapping.

Pure: it reads a Plan (see rules) or what a batch recorded, never the file or the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from cxchange.importing.rules import Plan
from cxchange.model import SCALE

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
