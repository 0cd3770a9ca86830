"""Every threshold the app uses, declared once with its default and why it exists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cxchange.model import KOTTER_LABEL_SETS


@dataclass(frozen=True)
class Setting:
    """A user-changeable setting; `choices` limits text settings, `minimum`/`maximum` numeric ones.

    `section` is the heading the Settings page lists it under.
    """

    name: str
    default: Any
    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None
    section: str = "Reporting"

    def check(self, value: Any) -> Any:
        """Return `value` converted to this setting's type, or raise ValueError saying what is wrong."""
        if self.choices is not None:
            if value not in self.choices:
                raise ValueError(f"{self.label} must be one of {', '.join(self.choices)}, not {value!r}.")
            return value
        kind = type(self.default)
        try:
            converted = kind(value)
        except (TypeError, ValueError):
            raise ValueError(f"{self.label} must be a number, not {value!r}.") from None
        if not math.isfinite(converted):
            # NaN would pass every bound check below (comparisons with NaN are false).
            raise ValueError(f"{self.label} must be a number, not {value!r}.")
        if kind is int and converted != float(value):
            raise ValueError(f"{self.label} must be a whole number, not {value!r}.")
        if self.minimum is not None and converted < self.minimum:
            raise ValueError(f"{self.label} must be at least {self.minimum:g}, not {value!r}.")
        if self.maximum is not None and converted > self.maximum:
            raise ValueError(f"{self.label} must be at most {self.maximum:g}, not {value!r}.")
        return converted


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "min_group_size",
        5,
        "Minimum group size for scores",
        "No score, chart mark or export row for a group with fewer complete responses; "
        "5 is the common default of EX survey platforms.",
        minimum=3,
        maximum=50,
    ),
    Setting(
        "min_comment_group_size",
        10,
        "Minimum group size for comments",
        "Free-text comments are shown only for groups with at least this many responses.",
        minimum=3,
        maximum=100,
    ),
    Setting(
        "barrier_threshold",
        3.0,
        "Barrier threshold",
        "An element scoring at or below this (on 1–5) is a barrier; the first such element is the barrier point.",
        minimum=1.0,
        maximum=5.0,
    ),
    Setting(
        "champion_ratio",
        25,
        "Target people per champion",
        "One active champion per this many employees; published guidance ranges from 1:10 to 1:50.",
        minimum=5,
        maximum=200,
        section="Champions",
    ),
    Setting(
        "champion_effect_min_teams",
        4,
        "Teams per group before the champion effect is tested",
        "Champions are assigned to teams, so the champion effect is tested with teams as the unit; with fewer "
        'teams than this with or without a champion it says "too few teams to tell" (Champions).',
        minimum=2,
        maximum=50,
        section="Champions",
    ),
    Setting(
        "champion_quiet_days",
        30,
        "Days without a session before a team is quiet",
        "A champion in post who has logged no session for more than this many days is quiet, not active, on "
        "every page (Champions, Workshop, Programme health).",
        minimum=7,
        maximum=365,
        section="Champions",
    ),
    Setting(
        "kotter_labels",
        "current",
        "Kotter step names",
        "Which published names the Kotter steps are shown under.",
        choices=tuple(KOTTER_LABEL_SETS),
        section="Kotter board",
    ),
    Setting(
        "stale_weeks",
        6,
        "Weeks before a Kotter step is stale",
        "A Kotter step with no update for this many weeks is flagged.",
        minimum=1,
        maximum=52,
        section="Kotter board",
    ),
    Setting(
        "outcome_min_points",
        4,
        "Fewest points for a correlation",
        "CX outcomes gives the correlation of readiness with an outcome only over at least this many "
        "team-waves (or teams, per wave); its Fisher interval needs at least 4.",
        minimum=4,
        maximum=100,
        section="CX outcomes",
    ),
    Setting(
        "health_sponsor_active_days",
        30,
        "Sponsor active: last seen within (days)",
        "A sponsor activity logged within this many days keeps the sponsor light green: a monthly town hall or "
        "message does it.",
        minimum=1,
        maximum=365,
        section="Programme health",
    ),
    Setting(
        "health_sponsor_lapsed_days",
        60,
        "Sponsor lapsed: red after (days)",
        "Up to this many days since the sponsor was last seen the light is amber (a month missed); beyond it, red. "
        "Keep it at or above the active days.",
        minimum=1,
        maximum=365,
        section="Programme health",
    ),
    Setting(
        "health_launch_days",
        31,
        "Launch month (days)",
        "A sponsor seen only in this many days from the initiative's start, and not lately, is red at once: "
        "the sponsor who opens a programme and then drifts away.",
        minimum=1,
        maximum=365,
        section="Programme health",
    ),
    Setting(
        "health_feedback_green",
        50,
        "Feedback loop green from (% of actions done)",
        "Share of the actions raised that are done (\u201cyou said, we did\u201d) from which the feedback loop is "
        "green; dropped actions are not counted.",
        minimum=0,
        maximum=100,
        section="Programme health",
    ),
    Setting(
        "health_feedback_amber",
        25,
        "Feedback loop amber from (% of actions done)",
        "Share of the actions raised that are done from which the feedback loop is amber; below it, red. "
        "Keep it at or below the share for green.",
        minimum=0,
        maximum=100,
        section="Programme health",
    ),
    Setting(
        "health_waves_green",
        4,
        "ADKAR survey waves for green",
        "Survey waves so far from which readiness counts as measured often enough: four over a change's life "
        "show whether it moves.",
        minimum=1,
        maximum=52,
        section="Programme health",
    ),
    Setting(
        "health_waves_amber",
        2,
        "ADKAR survey waves for amber",
        "Survey waves so far from which the measurement light is amber (two give one comparison); fewer is red.",
        minimum=1,
        maximum=52,
        section="Programme health",
    ),
    Setting(
        "health_champions_green",
        80,
        "Teams with an active champion for green (%)",
        "Share of the teams taking part that have an active champion from which the champion-network light is green.",
        minimum=0,
        maximum=100,
        section="Programme health",
    ),
    Setting(
        "health_champions_amber",
        50,
        "Teams with an active champion for amber (%)",
        "Share of the teams taking part that have an active champion from which the champion-network light is "
        "amber; below it, red.",
        minimum=0,
        maximum=100,
        section="Programme health",
    ),
    Setting(
        "health_cross_team_green",
        3,
        "Top-level teams involved for green",
        "Top-level teams with actions or active champions from which the cross-team light is green: the change "
        "reaches across the organisation.",
        minimum=1,
        maximum=50,
        section="Programme health",
    ),
    Setting(
        "health_cross_team_amber",
        2,
        "Top-level teams involved for amber",
        "Top-level teams with actions or active champions from which the cross-team light is amber; a programme "
        "living in one part of the organisation is red.",
        minimum=1,
        maximum=50,
        section="Programme health",
    ),
    Setting(
        "health_recognition_days",
        60,
        "Recognition logged within (days)",
        "A recognition logged by a champion of the teams taking part within this many days makes the recognition "
        "light green; an older one, amber.",
        minimum=1,
        maximum=365,
        section="Programme health",
    ),
    Setting(
        "backups_kept",
        10,
        "Backups kept",
        "The newest this many backups of the workspace are kept in its backups folder; older ones are deleted "
        "when a new one is taken. Each holds every response of the workspace it copied.",
        minimum=1,
        maximum=1000,
        section="Workspace",
    ),
    Setting(
        "backup_every_days",
        1,
        "Scheduled backup (days)",
        "A backup of the workspace is taken when someone opens the app and the newest backup is older than this "
        "many days (0: only the backups taken before an undo, a merge or a replacement).",
        minimum=0,
        maximum=365,
        section="Workspace",
    ),
)

UPLOAD_WHERE = "Settings → Thresholds, Uploads"
"""Where an admin changes the upload limits: the refusals of a file too large say so."""

SETTINGS += (
    Setting(
        "upload_max_rows",
        1_000_000,
        "Most rows in an uploaded file",
        "A CSV or Excel file with more data rows than this is refused before it is read (a million responses; "
        "larger files are split, or exported a wave at a time). Lower it on a small server.",
        minimum=1,
        maximum=10_000_000,
        section="Uploads",
    ),
    Setting(
        "upload_max_columns",
        16_384,
        "Most columns in an uploaded file",
        "A CSV or Excel file with more columns than this is refused before it is read (16,384 is Excel's own "
        "limit, and the most allowed).",
        minimum=2,
        maximum=16_384,
        section="Uploads",
    ),
    Setting(
        "upload_max_unpacked_mb",
        200,
        "Most an Excel file may unpack to (MB)",
        "An .xlsx is a zip: one whose parts unpack to more than this many megabytes together is refused before "
        "a byte is unpacked (several times a million-row export); a CSV that large can still be imported.",
        minimum=1,
        maximum=4_000,
        section="Uploads",
    ),
)

SETTINGS += (
    Setting(
        "pulse_minutes",
        30,
        "How long a live pulse stays open (minutes)",
        "A pulse's link stops taking answers this long after it opens (a workshop's length); whoever opened it "
        "can close it sooner, or open it for longer.",
        minimum=1,
        maximum=7 * 24 * 60,
        section="Live pulse",
    ),
    Setting(
        "pulse_answers_per_minute",
        300,
        "Most answers one pulse link takes a minute",
        "Past this many answers in a minute the link asks people to send theirs again shortly, so one device "
        "cannot flood a pulse; 300 lets a room of 200 answer at once.",
        minimum=10,
        maximum=10_000,
        section="Live pulse",
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
