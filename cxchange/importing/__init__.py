"""Survey import: read any supported export and apply the row rules (services.import_survey writes the batch)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from cxchange.importing.reading import ImportRejected
from cxchange.importing.rules import ImportMapping, NoTeamColumn, Plan
from cxchange.text import plural

__all__ = [
    "ImportMapping",
    "ImportRejected",
    "ImportResult",
    "NoTeamColumn",
    "UnmappedLabels",
    "question_set_csv",
]

DEFAULT_INITIATIVE = "Customer experience programme"


class UnmappedLabels(ImportRejected):
    """Answers that are neither on the scale nor mapped: the user maps them, nothing is dropped silently."""

    def __init__(self, labels: dict[str, list[str]]):
        self.labels = labels
        listed = "; ".join(f'"{label}" (in {plural(len(columns), "column")})' for label, columns in labels.items())
        super().__init__(
            f"Some answers are not on the 1–5 agreement scale: {listed}. Map each to a value (1–5, or null for "
            'missing) in the import wizard or a mapping file, e.g. {"labels": {"' + next(iter(labels)) + '": 4}}.'
        )

    def __reduce__(self) -> tuple:
        # Rebuilt from the labels, not the message, so a cached preview can raise it again.
        return type(self), (self.labels,)


@dataclass
class ImportResult:
    """What an import did (or, on a dry run, would do)."""

    file_name: str
    tool: str
    wave: str
    initiative: str
    plan: Plan | None
    batch_id: int | None = None
    already_imported: dict | None = None
    created: list[str] = field(default_factory=list)
    dry_run: bool = False
    nothing_new: bool = False
    blockers: list[str] = field(default_factory=list)
    opens: date | None = None  # the opening date of the wave the import creates
    other_waves: dict[str, int] = field(default_factory=dict)  # another wave -> this file's responses in it
    other_files: list[dict] = field(default_factory=list)  # imports of this very file into other waves

    @property
    def written(self) -> bool:
        return self.batch_id is not None

    def report_lines(self) -> list[str]:
        """What happened to every row, as the CLI prints it."""
        if self.already_imported:
            earlier = self.already_imported
            when = earlier["imported_at"][:16].replace("T", " ")
            return [
                f"{self.file_name} was already imported into {self.wave} on {when} "
                f"(batch {earlier['id']}): nothing changed."
            ]
        if self.nothing_new:
            return [f"Every response in {self.file_name} is already in wave {self.wave}: nothing changed."] + [
                f"  Row {o.row}: {o.reason}" for o in self.plan.outcomes
            ]
        plan = self.plan
        verb = "Would import" if self.dry_run else "Imported"
        counts = plan.counts()
        lines = [
            f"{verb} {self.file_name} ({plan.tool} export) into wave {self.wave} of {self.initiative}:",
            f"  {counts.get('imported', 0)} complete responses, {counts.get('incomplete', 0)} incomplete "
            f"(kept out of the scores), {plan.rows_skipped} "
            "rows skipped.",
            f"  Columns: team from {plan.team_column!r}; {len(plan.matches)} question-bank items matched"
            + (f"; comments from {plan.comment_column!r}" if plan.comment_column else "")
            + (f"; {len(plan.metadata)} metadata columns left out" if plan.metadata else "")
            + ".",
            f"  Coverage: {plan.coverage()}.",
        ]
        lines += [f"  {line}" for line in self.created]
        for team in plan.per_team().itertuples():
            lines.append(f"  Team {team.team}: {team.complete} complete, {team.incomplete} incomplete")
        for outcome in plan.outcomes:
            lines.append(f"  Row {outcome.row}: {outcome.reason}" + (f" ({outcome.team})" if outcome.team else ""))
        lines.append(f"  Every other row: {'would be ' if self.dry_run else ''}imported as a complete response.")
        for problem in plan.problems:
            lines.append(
                f"  Row {problem.row}, column {problem.column!r}: {problem.value!r} is {problem.reason}; "
                "treated as missing."
            )
        lines += [f"  Would refuse: {blocker}" for blocker in self.blockers]
        if self.dry_run:
            lines.append("  Dry run: nothing was written.")
        return lines


def question_set_csv(items: pd.DataFrame) -> bytes:
    """A CSV whose headers are the team column, the question bank's wording and a comment column.

    A survey built from it (or a spreadsheet filled in under it) imports with no mapping at all.
    """
    headers = ["Team", *items.loc[items["active"] == 1, "text"], "Anything else you want to tell us?"]
    buffer = io.StringIO()
    csv.writer(buffer).writerow(headers)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")
