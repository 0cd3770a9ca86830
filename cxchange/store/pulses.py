"""Live pulses: the pulse, the teams it covers, the devices that answered (as hashes), and the figures
published to the room per team (pulse_published)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
from sqlite_utils import Database

from cxchange.model import ELEMENTS
from cxchange.store.base import frame

PULSE_COLUMNS = (
    "pulses.id, pulses.token, pulses.wave_id, waves.name AS wave, waves.initiative_id, pulses.batch_id, "
    "pulses.form, pulses.outcome, pulses.comment_question, pulses.opens_at, pulses.closes_at, pulses.closed_at, "
    "pulses.opened_by"
)


def add_pulse(db: Database, pulse: Mapping[str, Any], team_ids: Iterable[int]) -> int:
    """Record a pulse and its teams, in the caller's transaction; returns its id."""
    pulse_id = db["pulses"].insert(dict(pulse)).last_pk
    db.conn.executemany(
        "INSERT INTO pulse_teams (pulse_id, team_id) VALUES (?, ?)", [(pulse_id, int(team)) for team in team_ids]
    )
    return pulse_id


def pulse_by_token(db: Database, token: str) -> dict[str, Any] | None:
    """The pulse a link's token names, with its wave; None for a token no pulse has."""
    rows = frame(
        db, f"SELECT {PULSE_COLUMNS} FROM pulses JOIN waves ON waves.id = pulses.wave_id WHERE pulses.token = :token",
        {"token": token},
    )  # fmt: skip
    return None if rows.empty else rows.iloc[0].to_dict()


def pulses(db: Database, wave_id: int | None = None) -> pd.DataFrame:
    """Every pulse (of one wave), newest first, with its answer count and its teams' ids and names as JSON
    lists (teams_json, team_names)."""
    return frame(
        db,
        f"""
        SELECT {PULSE_COLUMNS},
               (SELECT COUNT(*) FROM pulse_devices WHERE pulse_devices.pulse_id = pulses.id) AS answers,
               (SELECT json_group_array(team_id) FROM pulse_teams WHERE pulse_teams.pulse_id = pulses.id) AS teams_json,
               (SELECT json_group_array(teams.name) FROM pulse_teams JOIN teams ON teams.id = pulse_teams.team_id
                WHERE pulse_teams.pulse_id = pulses.id) AS team_names
        FROM pulses JOIN waves ON waves.id = pulses.wave_id
        WHERE :wave_id IS NULL OR pulses.wave_id = :wave_id
        ORDER BY pulses.opens_at DESC, pulses.id DESC
        """,
        {"wave_id": wave_id},
    )


def open_deadlines(db: Database) -> tuple[str, ...]:
    """When each pulse not closed by hand closes (ISO text in UTC), in order: a time passing is a change to
    what the wave's views count (store.responses.SHOWN), though no file changes."""
    rows = db.execute("SELECT closes_at FROM pulses WHERE closed_at IS NULL ORDER BY closes_at").fetchall()
    return tuple(str(closes) for (closes,) in rows)


def pulse_teams(db: Database, pulse_id: int, current: bool = False) -> dict[int, str]:
    """The teams a pulse covers, id to name, in name order; with `current`, those not archived since."""
    rows = db.execute(
        """
        SELECT teams.id, teams.name FROM pulse_teams JOIN teams ON teams.id = pulse_teams.team_id
        WHERE pulse_teams.pulse_id = :id AND NOT (:current AND teams.archived_on IS NOT NULL)
        ORDER BY teams.name COLLATE NOCASE
        """,
        {"id": pulse_id, "current": int(current)},
    ).fetchall()
    return {int(team): str(name) for team, name in rows}


def answer_counts(db: Database, pulse_id: int) -> dict[int, int]:
    """How many devices have answered a pulse, per team (complete answers: the form refuses any other)."""
    rows = db.execute(
        """
        SELECT responses.team_id, COUNT(*) FROM pulse_devices JOIN responses ON responses.id = pulse_devices.response_id
        WHERE pulse_devices.pulse_id = :id GROUP BY responses.team_id
        """,
        {"id": pulse_id},
    ).fetchall()
    return {int(team): int(count) for team, count in rows}


def device_response(db: Database, pulse_id: int, device_hash: str) -> int | None:
    """The response a device gave to a pulse; None where it has not answered."""
    row = db.execute(
        "SELECT response_id FROM pulse_devices WHERE pulse_id = :pulse AND device_hash = :device",
        {"pulse": pulse_id, "device": device_hash},
    ).fetchone()
    return None if row is None else int(row[0])


def replace_answer(db: Database, pulse_id: int, device_hash: str, old_response: int | None, new_response: int) -> None:
    """Point a device at its new response, removing the one it gave before, in the caller's transaction."""
    if old_response is not None:
        db.execute("DELETE FROM responses WHERE id = :id", {"id": old_response})  # its device row goes with it
    db.execute(
        "INSERT INTO pulse_devices (pulse_id, device_hash, response_id) VALUES (:pulse, :device, :response)",
        {"pulse": pulse_id, "device": device_hash, "response": new_response},
    )


def close_pulse(db: Database, pulse_id: int, at: str) -> None:
    """Close a pulse now (its link stops working), in the caller's transaction."""
    db.execute("UPDATE pulses SET closed_at = :at WHERE id = :id AND closed_at IS NULL", {"at": at, "id": pulse_id})


def device_team(db: Database, pulse_id: int, device_hash: str) -> int | None:
    """The team a device's current answer to a pulse is for; None where it has not answered."""
    row = db.execute(
        """
        SELECT responses.team_id FROM pulse_devices JOIN responses ON responses.id = pulse_devices.response_id
        WHERE pulse_devices.pulse_id = :pulse AND pulse_devices.device_hash = :device
        """,
        {"pulse": pulse_id, "device": device_hash},
    ).fetchone()
    return None if row is None else int(row[0])


def count_submission(db: Database, pulse_id: int, team_id: int, device_hash: str) -> int:
    """Count a device's answer (new or replaced) for a team of a pulse, in the caller's transaction; returns
    how many devices have sent for the team since its figures were last published."""
    db.execute(
        """
        INSERT INTO pulse_published (pulse_id, team_id, pending, submissions)
        VALUES (:pulse, :team, json_array(:device), 1)
        ON CONFLICT (pulse_id, team_id) DO UPDATE SET
            submissions = submissions + 1,
            pending = CASE WHEN EXISTS (SELECT 1 FROM json_each(pending) WHERE value = :device) THEN pending
                           ELSE json_insert(pending, '$[#]', :device) END
        """,
        {"pulse": pulse_id, "team": team_id, "device": device_hash},
    )
    row = db.execute(
        "SELECT json_array_length(pending) FROM pulse_published WHERE pulse_id = :pulse AND team_id = :team",
        {"pulse": pulse_id, "team": team_id},
    ).fetchone()
    return int(row[0])


def team_figures(db: Database, pulse_id: int, team_id: int) -> dict[str, Any]:
    """A team's figures from the pulse's current answers of that team only: n (complete answers) and the five
    element means (each respondent counts once; None where there are no answers)."""
    means = ", ".join(f"AVG(responses.{element}) AS {element}" for element in ELEMENTS)
    row = db.execute(
        f"""
        SELECT COUNT(*) AS n, {means}
        FROM pulse_devices JOIN responses ON responses.id = pulse_devices.response_id
        WHERE pulse_devices.pulse_id = :pulse AND responses.team_id = :team AND responses.complete = 1
        """,
        {"pulse": pulse_id, "team": team_id},
    ).fetchone()
    return dict(zip(("n", *ELEMENTS), row, strict=True))


def publish(db: Database, pulse_id: int, team_id: int, figures: Mapping[str, Any], at: str) -> None:
    """Publish a team's figures (team_figures) to the room, in the caller's transaction: the count of devices
    sent since starts again from none."""
    db.execute(
        f"""
        UPDATE pulse_published SET pending = '[]', published_at = :at, n = :n,
            {", ".join(f"{element} = :{element}" for element in ELEMENTS)}
        WHERE pulse_id = :pulse AND team_id = :team
        """,
        {"pulse": pulse_id, "team": team_id, "at": at, "n": int(figures["n"])}
        | {element: figures[element] for element in ELEMENTS},
    )


def published(db: Database, pulse_id: int) -> pd.DataFrame:
    """The figures published to the room for a pulse, one row per team that has any: team_id, n, the five
    means, published_at."""
    return frame(
        db,
        f"""
        SELECT team_id, n, {", ".join(ELEMENTS)}, published_at FROM pulse_published
        WHERE pulse_id = :pulse AND published_at IS NOT NULL ORDER BY team_id
        """,
        {"pulse": pulse_id},
    )


def team_comments(db: Database, pulse_id: int, team_id: int) -> tuple[int, list[str]]:
    """A team's answers to a pulse (how many) and their comments (in no particular order)."""
    rows = db.execute(
        """
        SELECT responses.comment FROM pulse_devices JOIN responses ON responses.id = pulse_devices.response_id
        WHERE pulse_devices.pulse_id = :pulse AND responses.team_id = :team
        """,
        {"pulse": pulse_id, "team": team_id},
    ).fetchall()
    return len(rows), [str(comment) for (comment,) in rows if comment is not None]


def other_responses(db: Database, pulse_id: int) -> dict[int, int]:
    """Complete responses of the pulse's wave that are not the pulse's answers, per team (its own, not its
    subtree's): what a room could work out by taking the pulse's figures from the wave's."""
    rows = db.execute(
        """
        SELECT responses.team_id, COUNT(*) FROM responses JOIN pulses ON pulses.id = :pulse
        WHERE responses.wave_id = pulses.wave_id AND responses.complete = 1
          AND responses.batch_id IS NOT pulses.batch_id
        GROUP BY responses.team_id
        """,
        {"pulse": pulse_id},
    ).fetchall()
    return {int(team): int(count) for team, count in rows}
