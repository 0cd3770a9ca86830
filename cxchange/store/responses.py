"""Survey responses, entered team results and the import batches that bring them."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from sqlite_utils import Database

from cxchange.model import ELEMENTS, OUTCOME
from cxchange.store.base import frame


def encode_answers(values: pd.DataFrame) -> pd.Series:
    """Each row's answers (one column per item code, 1–5 or NaN where missing) as the stored JSON object.

    Each column's six possible pieces are made once and picked by index: an import of a million
    respondents must not format every answer.
    """
    pieces = []
    for code in values.columns:
        table = np.array(["", *(f'"{code}":{value}' for value in range(1, 6))], dtype=object)
        numbers = values[code].to_numpy(dtype=float, na_value=np.nan)
        pieces.append(table[np.nan_to_num(numbers, nan=0).astype(int)])
    encoded = ["{" + ",".join(filter(None, row)) + "}" for row in zip(*pieces, strict=True)]
    return pd.Series(encoded if pieces else ["{}"] * len(values), index=values.index, dtype=object)


RESPONSE_COLUMNS: tuple[str, ...] = (
    "id", "wave_id", "team_id", "batch_id", "source_hash", "is_champion", "submitted_on", "comment", "answers",
    "complete", "awareness", "desire", "knowledge", "ability", "reinforcement", "outcome", "readiness",
)  # fmt: skip
"""The responses table's columns; also the only names insert_responses puts into SQL."""


def insert_responses(db: Database, responses: pd.DataFrame) -> None:
    """Write respondent rows (with their element scores and answers JSON), in the caller's transaction."""
    columns = [c for c in RESPONSE_COLUMNS if c in responses.columns]
    lists = [_python_values(responses[column]) for column in columns]
    db.conn.executemany(
        f"INSERT INTO responses ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        zip(*lists, strict=True),
    )


def _python_values(column: pd.Series) -> list:
    """A column as plain Python values for sqlite3, NaN and NA as None (SQL NULL)."""
    if pd.api.types.is_float_dtype(column.dtype) and isinstance(column.dtype, np.dtype):
        return column.to_numpy().tolist()  # SQLite stores a bound NaN as NULL
    return column.astype(object).where(column.notna(), None).tolist()


def next_response_id(db: Database) -> int:
    """The next free response id, for writers that give answers their response id up front."""
    return db.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM responses").fetchone()[0]


SPREAD_COLUMNS: tuple[str, ...] = (*ELEMENTS, "readiness")

SHOWN = """COALESCE(responses.batch_id, 0) NOT IN (
    SELECT batch_id FROM pulses
    WHERE batch_id IS NOT NULL AND closed_at IS NULL AND closes_at > strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'))"""
"""The responses the wave's views count: all but the answers of a pulse still open. While a pulse takes answers
the room sees its figures only in steps of the minimum group size (cxchange.pulses.publishes); a Readiness
page that counted each answer as it came would show one person's answer as the difference between two
visits. Its answers join every view once it closes (by hand or by time). Pulse times are stored as ISO
text in UTC (2026-12-03T09:00:00+00:00), which compares as text with SQLite's own clock in the same form."""


def team_wave_sums(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """The one scan behind every readiness view: per wave, team and respondent group (is_champion),
    the count of complete responses and the sums and sums of squares of their scores.

    Raw sums in SQL, arithmetic in pandas: each extra expression per row costs more in SQLite
    than the whole derivation costs over the few thousand groups.
    """
    sums = ", ".join(
        f"SUM({column}) AS {column}_sum, SUM({column} * {column}) AS {column}_sumsq" for column in SPREAD_COLUMNS
    )
    return frame(
        db,
        f"""
        SELECT wave_id, team_id, is_champion, COUNT(*) AS n, {sums},
               SUM({OUTCOME}) AS {OUTCOME}_sum, COUNT({OUTCOME}) AS {OUTCOME}_n
        FROM responses
        WHERE complete = 1 AND {SHOWN}
          AND wave_id IN (SELECT id FROM waves WHERE :initiative_id IS NULL OR initiative_id = :initiative_id)
        GROUP BY wave_id, team_id, is_champion
        """,
        {"initiative_id": initiative_id},
    )  # column names come from the model's fixed vocabulary


def team_wave_stats(db: Database, initiative_id: int | None = None, by_group: bool = False) -> pd.DataFrame:
    """Per team and wave, from complete responses: n, element means and sds, readiness mean and sd.

    The same figures as a pandas group-by of respondent scores (test_readiness checks). With `by_group`, one row per
    team, wave and respondent group (is_champion 0 or 1), so the views of all respondents,
    champions and the rest come from one scan.
    """
    sums = team_wave_sums(db, initiative_id)
    keys = ["wave_id", "team_id", *(["is_champion"] if by_group else [])]
    if not by_group:
        sums = sums.drop(columns="is_champion").groupby(keys, as_index=False).sum()
    n = sums["n"].to_numpy(float)
    result = {key: sums[key].to_numpy() for key in keys} | {"n": sums["n"].to_numpy()}
    with np.errstate(divide="ignore", invalid="ignore"):
        for column in SPREAD_COLUMNS:
            total, squares = sums[f"{column}_sum"].to_numpy(float), sums[f"{column}_sumsq"].to_numpy(float)
            mean = total / n
            result[column] = mean
            variance = (squares - n * mean**2) / (n - 1)
            result[f"{column}_sd"] = np.where(n > 1, np.sqrt(np.clip(variance, 0, None)), np.nan)
        outcome_n = sums[f"{OUTCOME}_n"].to_numpy(float)
        result[OUTCOME] = np.where(outcome_n > 0, sums[f"{OUTCOME}_sum"].to_numpy(float) / outcome_n, np.nan)
        result[f"{OUTCOME}_n"] = outcome_n
    return pd.DataFrame(result)


def team_result_stats(db: Database, initiative_id: int | None = None) -> pd.DataFrame:
    """Per team and wave, the entered team-level means (one column per element) and their n."""
    means = ",\n".join(
        f"MAX(CASE WHEN element = '{element}' THEN mean END) AS {element}" for element in (*ELEMENTS, OUTCOME)
    )  # element names come from the model's fixed vocabulary
    return frame(
        db,
        f"""
        SELECT team_results.wave_id, team_results.team_id, MAX(team_results.n) AS n, {means}
        FROM team_results JOIN waves ON waves.id = team_results.wave_id
        WHERE :initiative_id IS NULL OR waves.initiative_id = :initiative_id
        GROUP BY team_results.wave_id, team_results.team_id
        """,
        {"initiative_id": initiative_id},
    )


def answer_counts(db: Database, wave: int) -> pd.DataFrame:
    """Per team, respondent group, ADKAR element and scale point: how many answers of complete responses.

    The items' answers of an element are pooled (each answer counts once), for the Likert bars.
    """
    return frame(
        db,
        f"""
        SELECT responses.team_id, responses.is_champion, items.element,
               CAST(answer.value AS INTEGER) AS value, COUNT(*) AS count
        FROM responses, json_each(responses.answers) AS answer
        JOIN items ON items.code = answer.key
        WHERE responses.wave_id = :wave AND responses.complete = 1 AND items.element != 'outcome' AND {SHOWN}
        GROUP BY responses.team_id, responses.is_champion, items.element, CAST(answer.value AS INTEGER)
        """,
        {"wave": wave},
    )


def barrier_counts(db: Database, wave: int, threshold: float) -> pd.DataFrame:
    """Per team and respondent group: how many complete respondents have each barrier point ("none")."""
    cases = "\n".join(f"WHEN {element} <= :threshold + 1e-9 THEN '{element}'" for element in ELEMENTS)
    return frame(
        db,
        f"""
        SELECT team_id, is_champion, CASE {cases} ELSE 'none' END AS barrier_point, COUNT(*) AS count
        FROM responses WHERE wave_id = :wave AND complete = 1 AND {SHOWN}
        GROUP BY team_id, is_champion, barrier_point
        """,
        {"wave": wave, "threshold": threshold},
    )  # element names come from the model's fixed vocabulary


def team_results(db: Database, wave: int) -> pd.DataFrame:
    """The team-level results entered for a wave: team_id, element, mean, n, sd."""
    return frame(
        db,
        "SELECT team_id, element, mean, n, sd FROM team_results WHERE wave_id = :wave ORDER BY team_id",
        {"wave": wave},
    )


def replace_team_results(
    db: Database,
    wave: int,
    rows: pd.DataFrame,
    batch: Mapping[str, Any],
    whole_wave: bool = True,
    within: Iterable[int] | None = None,
) -> int:
    """Store the wave's entered team-level results (team_id, element, mean, n, sd) as one batch.

    The grid replaces the wave's earlier entry whole (a team left out is removed); with `whole_wave`
    False (a file of some teams) only the rows' teams are replaced; with `within` (the grid of someone who
    looks after some teams) the entries of those teams and the rows' are replaced, other teams' stay.
    Returns the batch id. Undo removes the batch's rows, so undoing a later save leaves no entry for its teams.
    """
    batch = add_batch(db, batch)
    if whole_wave and within is None:
        # The grid is the wave's whole entry: teams taken out of it are taken out of the results.
        db.execute("DELETE FROM team_results WHERE wave_id = :wave", {"wave": wave})
    else:
        replaced = {int(team) for team in rows["team_id"]} | {int(team) for team in within or ()}
        db.execute(
            "DELETE FROM team_results WHERE wave_id = :wave AND team_id IN (SELECT value FROM json_each(:teams))",
            {"wave": wave, "teams": json.dumps(sorted(replaced))},
        )
    db.conn.executemany(
        "INSERT INTO team_results (team_id, wave_id, element, mean, n, sd, batch_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                int(r.team_id),
                wave,
                r.element,
                float(r.mean),
                int(r.n),
                None if pd.isna(r.sd) else float(r.sd),
                batch,
            )
            for r in rows.itertuples()
        ],
    )
    # An earlier entry whose every row was replaced has nothing left to show or undo: it goes from the history.
    db.execute(
        """
        DELETE FROM import_batches
        WHERE kind = 'team results' AND wave_id = :wave AND id != :batch
          AND NOT EXISTS (SELECT 1 FROM team_results WHERE team_results.batch_id = import_batches.id)
        """,
        {"wave": wave, "batch": batch},
    )
    return batch


def comments(db: Database, wave: int, team_ids: Iterable[int], minimum: int) -> dict[str, Any]:
    """Comments of the wave from those of `team_ids` with at least `minimum` responses of their own.

    Returns comments (sorted, not in answer order), n (their teams' responses), teams (how many
    teams qualified) and left_out (how many teams with responses did not).
    """
    rows = db.execute(
        f"""
        SELECT team_id, COUNT(*) AS n FROM responses
        WHERE wave_id = :wave AND team_id IN (SELECT value FROM json_each(:ids)) AND {SHOWN} GROUP BY team_id
        """,
        {"wave": wave, "ids": json.dumps([int(i) for i in team_ids])},
    ).fetchall()
    allowed = [team for team, n in rows if n >= minimum]
    found = db.execute(
        f"""
        SELECT comment FROM responses
        WHERE wave_id = :wave AND team_id IN (SELECT value FROM json_each(:ids)) AND comment IS NOT NULL AND {SHOWN}
        ORDER BY comment
        """,
        {"wave": wave, "ids": json.dumps(allowed)},
    )
    return {
        "comments": [row[0] for row in found],
        "n": sum(n for team, n in rows if team in allowed),
        "teams": len(allowed),
        "left_out": len(rows) - len(allowed),
    }


def response_scores(db: Database, wave_id: int) -> pd.DataFrame:
    """Respondent-level element scores of one wave (anonymous: no source id leaves the database)."""
    columns = ", ".join((*ELEMENTS, OUTCOME, "readiness"))
    return frame(
        db,
        f"""
        SELECT id AS response_id, team_id, wave_id, is_champion, complete, {columns}
        FROM responses WHERE wave_id = :wave_id AND {SHOWN}
        """,
        {"wave_id": wave_id},
    )


def answers(db: Database, response_ids: Iterable[int] | None = None) -> pd.DataFrame:
    """Item answers (response_id, item_code, value), of every response or the given ones."""
    if response_ids is None:
        return frame(db, "SELECT response_id, item_code, value FROM answers")
    ids = json.dumps([int(i) for i in response_ids])
    return frame(
        db,
        "SELECT response_id, item_code, value FROM answers WHERE response_id IN (SELECT value FROM json_each(:ids))",
        {"ids": ids},
    )


def source_hashes(db: Database, wave: int) -> set[str]:
    """The hashed source ids (or content hashes) of every response already in the wave."""
    rows = db.execute("SELECT source_hash FROM responses WHERE wave_id = :wave", {"wave": wave})
    return {row[0] for row in rows}


def other_wave_hashes(db: Database, initiative: int, wave: int | None) -> dict[str, str]:
    """The source hashes of the initiative's other waves' responses -> that wave's name."""
    rows = db.execute(
        """
        SELECT responses.source_hash, waves.name FROM responses JOIN waves ON waves.id = responses.wave_id
        WHERE waves.initiative_id = :initiative AND waves.id IS NOT :wave
        """,
        {"initiative": initiative, "wave": wave},
    )
    return dict(rows.fetchall())


def other_wave_batches(db: Database, initiative: int, wave: int | None, file_hash: str) -> list[dict[str, Any]]:
    """Earlier imports of the same file into the initiative's other waves: id, file_name, wave, imported_at."""
    return list(
        db.query(
            """
            SELECT import_batches.id, import_batches.file_name, waves.name AS wave, import_batches.imported_at
            FROM import_batches JOIN waves ON waves.id = import_batches.wave_id
            WHERE waves.initiative_id = :initiative AND waves.id IS NOT :wave AND import_batches.file_hash = :hash
              AND import_batches.kind = 'responses'
            ORDER BY import_batches.id
            """,
            {"initiative": initiative, "wave": wave, "hash": file_hash},
        )
    )


def batch_with_hash(db: Database, wave: int, file_hash: str) -> dict[str, Any] | None:
    """The earlier import of the same file into the same wave, if there was one."""
    rows = list(
        db.query(
            "SELECT id, file_name, imported_at, imported_by FROM import_batches "
            "WHERE wave_id = :wave AND file_hash = :hash AND kind = 'responses'",
            {"wave": wave, "hash": file_hash},
        )
    )
    return rows[0] if rows else None


def add_batch(db: Database, batch: Mapping[str, Any]) -> int:
    """Record an import batch (file name, hash, wave, who, when, row outcomes as JSON); returns its id."""
    return db["import_batches"].insert(dict(batch)).last_pk


def record_batch_outcomes(db: Database, batch: int, outcomes_json: str) -> None:
    """Store the row outcomes of a batch once its last row has been read."""
    db.execute(
        "UPDATE import_batches SET row_outcomes = :outcomes WHERE id = :id", {"outcomes": outcomes_json, "id": batch}
    )


def batch_owner(db: Database, batch: int) -> str | None:
    """Who imported a batch (import_batches.imported_by); None where there is no such batch."""
    row = db.execute("SELECT imported_by FROM import_batches WHERE id = :id", {"id": batch}).fetchone()
    return None if row is None else str(row[0] or "")


def batches(db: Database) -> pd.DataFrame:
    """Every import, newest first, with its wave and how many responses it still holds."""
    return frame(
        db,
        """
        SELECT import_batches.id, import_batches.file_name, import_batches.imported_at,
               import_batches.imported_by, import_batches.kind, waves.name AS wave,
               initiatives.name AS initiative,
               (SELECT COUNT(*) FROM responses WHERE responses.batch_id = import_batches.id) AS responses
        FROM import_batches
        LEFT JOIN waves ON waves.id = import_batches.wave_id
        LEFT JOIN initiatives ON initiatives.id = waves.initiative_id
        ORDER BY import_batches.id DESC
        """,
    )


def batch_team_ids(db: Database, batch: int) -> set[int]:
    """The teams an import batch's rows are about: its responses', entered results' or champions'."""
    rows = db.execute(
        """
        SELECT team_id FROM responses WHERE batch_id = :id
        UNION SELECT team_id FROM team_results WHERE batch_id = :id
        UNION SELECT team_id FROM champions WHERE batch_id = :id
        """,
        {"id": batch},
    )
    return {int(row[0]) for row in rows if row[0] is not None}


def batch_outcomes(db: Database, batch: int) -> dict[str, Any]:
    """What an import recorded: counts per outcome, the rows not simply imported, the answers reported."""
    row = db.execute("SELECT row_outcomes FROM import_batches WHERE id = :id", {"id": batch}).fetchone()
    return json.loads(row[0]) if row else {}


def undo_batch(db: Database, batch: int) -> int:
    """Remove an import whole: its responses, answers and team-level rows, the teams it created that nothing
    else uses, its aliases (they go with the batch) and the wave it brought if that is now empty; returns the
    rows removed. The items it added go first (store.bank.remove_batch_items), while they still name it."""
    removed = db.execute(
        "SELECT (SELECT COUNT(*) FROM responses WHERE batch_id = :id)"
        " + (SELECT COUNT(DISTINCT team_id) FROM team_results WHERE batch_id = :id)",
        {"id": batch},
    ).fetchone()[0]
    wave = db.execute("SELECT wave_id, kind FROM import_batches WHERE id = :id", {"id": batch}).fetchone()
    # A team the batch created that a later batch's responses use passes to that batch, so undoing it
    # later takes the team away too.
    db.execute(
        """
        UPDATE teams SET batch_id = (
            SELECT MIN(batch_id) FROM responses WHERE team_id = teams.id AND batch_id IS NOT :id
        )
        WHERE batch_id = :id AND EXISTS (SELECT 1 FROM responses WHERE team_id = teams.id AND batch_id IS NOT :id)
        """,
        {"id": batch},
    )
    db.execute("DELETE FROM responses WHERE batch_id = :id", {"id": batch})
    db.execute("DELETE FROM team_results WHERE batch_id = :id", {"id": batch})
    # A team the batch created goes with it unless something else now hangs on it.
    db.execute(
        """
        DELETE FROM teams WHERE batch_id = :id
          AND NOT EXISTS (SELECT 1 FROM responses WHERE team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM team_results WHERE team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM champions WHERE team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM cx_outcomes WHERE team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM actions WHERE team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM sponsor_activities WHERE team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM team_merges WHERE into_team_id = teams.id)
          AND NOT EXISTS (SELECT 1 FROM teams AS child WHERE child.parent_id = teams.id)
        """,
        {"id": batch},
    )
    db.execute("DELETE FROM import_batches WHERE id = :id", {"id": batch})
    if wave and wave[0] is not None and wave[1] != "pulse":
        # A wave the import brought, now empty, goes with it (a pulse is opened on a wave that was there).
        db.execute(
            """
            DELETE FROM waves WHERE id = :wave
              AND NOT EXISTS (SELECT 1 FROM responses WHERE wave_id = :wave)
              AND NOT EXISTS (SELECT 1 FROM team_results WHERE wave_id = :wave)
              AND NOT EXISTS (SELECT 1 FROM import_batches WHERE wave_id = :wave)
            """,
            {"wave": wave[0]},
        )
    return removed
