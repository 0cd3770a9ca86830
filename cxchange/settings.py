"""Every threshold the app uses, declared once with its default and why it exists."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from cxchange.model import KOTTER_LABEL_SETS


@dataclass(frozen=True)
class Setting:
    """A user-changeable setting; `choices` limits text settings, `minimum`/`maximum` numeric ones."""

    name: str
    default: Any
    label: str
    help: str
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[str, ...] | None = None

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
    ),
    Setting(
        "kotter_labels",
        "current",
        "Kotter step names",
        "Which published names the Kotter steps are shown under.",
        choices=tuple(KOTTER_LABEL_SETS),
    ),
    Setting(
        "stale_weeks",
        6,
        "Weeks before a Kotter step is stale",
        "A Kotter step with no update for this many weeks is flagged.",
        minimum=1,
        maximum=52,
    ),
)

SETTINGS_BY_NAME: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}

DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
