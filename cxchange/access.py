"""Who may do what: roles, the people who hold them and the part of the organisation each sees. Pure.

On one machine (no sign-in configured) the person at the keyboard is the local admin; with sign-in,
a person's role and scope come from the `users` table (or $CXCHANGE_ADMINS for the first admins).
services.py asks `require` before every write and records the actor in the audit trail.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxchange.hierarchy import ORGANISATION, subtree_ids

ROLES: tuple[str, ...] = ("viewer", "editor", "admin")
"""Each role may do everything the ones before it may."""

ROLE_HELP: Mapping[str, str] = {
    "viewer": "sees readiness views, reports and the workshop for their teams",
    "editor": (
        "also imports and enters results, edits champions and actions (for their teams), and the Kotter board "
        "and health ticks (for the whole organisation only)"
    ),
    "admin": "also settings, organisation, people and roles, workspace, backups and undo of any import",
}

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class Refused(ValueError):
    """A write or view the person's role or scope does not allow; the message says why, in one sentence."""


@dataclass(frozen=True)
class Actor:
    """Who is acting: a name for the audit trail (an e-mail when signed in), a role, and a scope:
    the team whose subtree they see (None: the whole organisation)."""

    name: str
    role: str
    team_id: int | None = None
    local: bool = False
    """The person at the computer that holds the file (no sign-in; the command line)."""

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def local(user: str, where: str = "on this computer") -> Actor:
    """The person at the keyboard when nobody signs in: admin of the whole organisation."""
    return Actor(f"{user} ({where})", "admin", local=True)


def require(actor: Actor, role: str, what: str) -> None:
    """Refuse `what` unless `actor` holds `role` or a higher one."""
    if not actor.may(role):
        article = "an" if actor.role[0] in "aeiou" else "a"
        raise Refused(f"{what} needs the {role} role; {actor.name} is {article} {actor.role}. Ask your cxchange admin.")


def check_email(email: object) -> str:
    """An e-mail address as stored (trimmed, lower case); raises Refused naming what is wrong."""
    text = str(email or "").strip().lower()
    if not EMAIL.match(text):
        raise Refused(f"{str(email or '').strip() or 'An empty value'!r} is not an e-mail address.")
    return text


def check_role(role: object) -> str:
    text = str(role or "").strip().lower()
    if text not in ROLES:
        raise Refused(f"{role!r} is not a role; the roles are {', '.join(ROLES)}.")
    return text


def signed_in(email: str, users: pd.DataFrame, admins: Iterable[str], team_ids: Iterable[int]) -> Actor | None:
    """The actor for a signed-in e-mail: from `users` (email, role, team_id), else an admin where the
    address is in `admins` (the first admins, $CXCHANGE_ADMINS); None where they have no role, or
    where their scope team no longer exists (never the whole organisation by accident)."""
    address = email.strip().lower()
    if address in {admin.strip().lower() for admin in admins if admin.strip()}:
        return Actor(address, "admin")
    rows = users[users["email"] == address]
    if rows.empty:
        return None
    row = rows.iloc[0]
    team = None if pd.isna(row["team_id"]) else int(row["team_id"])
    if team is not None and team not in set(team_ids):
        return None
    return Actor(address, str(row["role"]), team)


def admins_from(value: str | None) -> list[str]:
    """$CXCHANGE_ADMINS as a list of addresses (comma or space separated)."""
    return [part.strip().lower() for part in re.split(r"[,\s]+", value or "") if part.strip()]


# What a person scoped to a team sees ---------------------------------------------------------------
# Figures are worked out for the whole organisation first (so suppression is the same for everyone),
# then cut to the scope: the scope team's subtree, with the scope team standing at the top where the
# organisation stood. Nothing above the scope is shown, not even as a roll-up.


def scope_ids(teams: pd.DataFrame, scope: int | None) -> frozenset[int] | None:
    """The team ids a scope shows (the scope team and every team below it); None: every team."""
    return None if scope is None else frozenset(subtree_ids(teams, scope)) - {ORGANISATION}


def scoped_teams(teams: pd.DataFrame, scope: int | None) -> pd.DataFrame:
    """The teams of a scope, its team at the top (no parent), so pickers and trees start there."""
    if scope is None:
        return teams
    inside = teams[teams["id"].isin(scope_ids(teams, scope))].copy()
    inside["parent_id"] = inside["parent_id"].where(inside["id"] != scope)
    return inside


def scoped_rows(frame: pd.DataFrame, teams: pd.DataFrame, scope: int | None, column: str = "team_id") -> pd.DataFrame:
    """Rows about teams of the scope only (rows about no team, such as programme-wide actions, stay out)."""
    if scope is None:
        return frame
    return frame[frame[column].isin(scope_ids(teams, scope))]


def scoped_figures(frame: pd.DataFrame, teams: pd.DataFrame, scope: int | None) -> pd.DataFrame:
    """A readiness frame (readiness.figures) cut to a scope: its teams' rows, and the scope team's rows
    again as the organisation's ("All teams" of the view is all of the person's teams)."""
    if scope is None:
        return frame
    inside = frame[frame["team_id"].isin(scope_ids(teams, scope))].copy()
    top = inside[inside["team_id"] == scope].copy()
    shift = int(top["depth"].iloc[0]) - 1 if len(top) else 0
    inside["depth"] -= shift
    inside.loc[inside["team_id"] == scope, "parent_id"] = ORGANISATION
    organisation = frame[frame["team_id"] == ORGANISATION]
    label = organisation["team"].iloc[0] if len(organisation) else "All teams"
    top = top.assign(team_id=ORGANISATION, team=label, parent_id=np.nan, depth=0, order=-1)
    sort = [column for column in ("opened_on", "order") if column in frame]
    return pd.concat([top, inside], ignore_index=True).sort_values(sort, kind="stable").reset_index(drop=True)


def outside_scope(actor: Actor, teams: pd.DataFrame, team_ids: Iterable[int | None], what: str) -> str | None:
    """Why `what` is refused where it touches teams outside the actor's scope: one sentence naming them (and
    "the programme as a whole" for rows about no team), or None where every team is the actor's.

    `team_ids` are the teams the write touches: its rows' teams, and an edited row's stored team as well as
    its new one. An id that is no team of `teams` is left to the use case's own checks (it names the value).
    """
    if actor.team_id is None:
        return None
    inside = scope_ids(teams, actor.team_id) or frozenset()
    known = dict(zip(teams["id"].astype(int), teams["name"], strict=True))
    given = list(team_ids)
    programme = any(team is None or pd.isna(team) for team in given)
    ids = {int(team) for team in given if team is not None and not pd.isna(team)}
    outside = sorted({known[team] for team in ids - inside if team in known}, key=str.casefold)
    if not outside and not programme:
        return None
    named = [*outside, *(["the programme as a whole (no team)"] if programme else [])]
    listed = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    verb = "is" if len(named) == 1 else "are"
    scope = known.get(actor.team_id, f"team {actor.team_id}")
    return (
        f"{what}: {listed} {verb} outside the teams you look after ({scope} and the teams below it), so nothing "
        "was written. Ask your cxchange admin."
    )


def require_teams_in_scope(actor: Actor, teams: pd.DataFrame, team_ids: Iterable[int | None], what: str) -> None:
    """Refuse `what` (Refused, outside_scope's sentence) where it touches a team outside the actor's scope."""
    if (sentence := outside_scope(actor, teams, team_ids, what)) is not None:
        raise Refused(sentence)


def require_in_scope(actor: Actor, teams: pd.DataFrame, team_id: int | None, what: str) -> None:
    """Refuse `what` about a team outside the actor's scope (the organisation as a whole too, for a scoped actor)."""
    require_teams_in_scope(actor, teams, [team_id], what)
