"""CX outcomes beside readiness: the metric vocabulary, entry and CSV checks, and the correlation with readiness.

Outcome figures (NPS, CSAT, complaint rate) belong to a team and a period; a period named like a
survey wave meets that wave's readiness. Every figure is checked before anything is written, and
every problem names its row, column and value. The analysis shows association only: it says so.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from cxchange.importing.reading import DEFAULT_LIMITS, ImportRejected, Limits, read_survey
from cxchange.settings import DEFAULTS
from cxchange.text import blank, heading_key, name_key, plural, shown


@dataclass(frozen=True)
class Metric:
    """One CX outcome measure: its stored code, label, the values it can take, and which way is better."""

    code: str
    label: str
    low: float
    high: float
    unit: str
    higher_is_better: bool
    plural: str
    """How a sentence names several teams' figures ("higher CSAT", "lower complaint rates")."""
    help: str


METRICS: tuple[Metric, ...] = (
    Metric(
        "nps",
        "NPS",
        -100.0,
        100.0,
        "−100 to 100",
        True,
        "NPS",
        "Net Promoter Score: per cent promoters minus per cent detractors, from −100 to 100.",
    ),
    Metric(
        "csat",
        "CSAT",
        0.0,
        100.0,
        "% satisfied",
        True,
        "CSAT",
        "Customer satisfaction as the per cent of satisfied customers, 0 to 100 (not a 1–5 mean).",
    ),
    Metric(
        "complaint_rate",
        "Complaint rate",
        0.0,
        1000.0,
        "per 1,000 customers",
        False,
        "complaint rates",
        "Complaints per 1,000 customers (or contacts) in the period, 0 to 1,000; lower is better. "
        "Keep one unit for every team and period.",
    ),
)
"""The outcome measures the cx_outcomes table accepts, in the order every view shows them."""

METRICS_BY_CODE: dict[str, Metric] = {metric.code: metric for metric in METRICS}
METRIC_KEYS: dict[str, str] = {
    key: metric.code for metric in METRICS for key in (heading_key(metric.code), heading_key(metric.label))
}
"""A measure's code under its code or label as compared (text.heading_key)."""
GRID_COLUMNS: tuple[str, ...] = ("Team", "Period", *(metric.label for metric in METRICS))
ROW_COLUMNS: tuple[str, ...] = ("team_id", "team", "period", "metric", "value")
FISHER_MIN_POINTS = 4
"""Fisher's interval needs n − 3 > 0: however low the setting, a correlation needs this many points."""
CONFIDENCE = 0.95
CAUSE_NOTE = "This is an association, not proof that readiness causes it."
POOLED_NOTE = (
    "Each point is one team in one wave, so a team appears once per wave and its points are not independent "
    "of each other. The interval above therefore counts each team once (Fisher's z with n = the number of "
    "teams, not of points), so repeating a team over waves does not make it narrower. The correlations per "
    "wave below use each team once too."
)


# Entry and import -----------------------------------------------------------------------------


def empty_grid() -> pd.DataFrame:
    """The entry grid with its columns and no rows."""
    text = ("Team", "Period")
    return pd.DataFrame({column: pd.Series(dtype=object if column in text else float) for column in GRID_COLUMNS})


def grid_from_outcomes(outcomes: pd.DataFrame, period: str, teams: list[str] | None = None) -> pd.DataFrame:
    """The stored figures of one period (team, period, metric, value) as the entry grid, a row per team.

    `teams` adds empty rows for teams without figures in the period (to fill in), after those with them.
    """
    rows = outcomes[outcomes["period"] == period]
    wide = rows.pivot_table(index="team", columns="metric", values="value", aggfunc="first")
    names = list(wide.index) + [team for team in teams or [] if team not in wide.index]
    wide = wide.reindex(index=names, columns=[metric.code for metric in METRICS]).astype(float)
    grid = pd.DataFrame(
        {
            "Team": pd.Series(names, dtype=object),
            "Period": pd.Series([period] * len(names), dtype=object),
            **{metric.label: wide[metric.code].to_numpy() for metric in METRICS},
        }
    )
    return grid if len(grid) else empty_grid()


@dataclass(frozen=True)
class _Cell:
    """A figure as the user gave it, with where it came from, before it is checked."""

    row: int
    team_column: str
    team: object
    period_column: str
    period: object
    metric_column: str
    metric: object
    value_column: str
    value: object


def check_grid(
    grid: pd.DataFrame, team_ids: Mapping[str, int], period: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """Validate the wide entry grid; returns (rows to store: team_id, team, period, metric, value) and problems.

    Rows count from 1; blank rows are ignored, and a blank figure is no figure. With `period`, a blank
    Period cell means that period and any other is a problem (the grid holds one period).
    """
    cells, problems = [], []
    for number, row in enumerate(grid.itertuples(index=False), start=1):
        values = dict(zip(grid.columns, row, strict=True))
        if period is not None:
            given = _period(values.get("Period"))
            if given and given != period:
                problems.append(f"Row {number}, Period: {given!r} is not {period!r}, the period this grid holds.")
                continue
            if not given:
                values["Period"] = period
        cells += _wide_cells(number, values, "Team", "Period", {metric.label: metric.code for metric in METRICS})
    rows, more = _check(cells, team_ids, decimal_comma=True)
    return rows, problems + more


@dataclass
class OutcomeFile:
    """What an outcomes file holds once checked: the rows it would write, or the problems that stop it."""

    rows: pd.DataFrame
    problems: list[str]
    layout: str
    """ "long" (team, period, metric, value) or "wide" (team, period and a column per metric)."""
    ignored_columns: list[str]


def read_outcomes(
    data: bytes, file_name: str, team_ids: Mapping[str, int], limits: Limits = DEFAULT_LIMITS
) -> OutcomeFile:
    """Read and check a CSV or XLSX of outcome figures, long or wide; raises ImportRejected where unreadable.

    Headers match ignoring case, spaces and underscores (`Complaint rate`, `complaint_rate`). Semicolon
    files from Excel with decimal commas and Windows-1252 text are read as they come.
    """
    survey = read_survey(data, file_name, limits=limits)
    _refuse_repeated(survey.headers, file_name)
    headers = {heading_key(header): (position, header) for position, header in enumerate(survey.headers) if header}
    team, period = headers.get("team"), headers.get("period") or headers.get("wave")
    metric_columns = {key: METRIC_KEYS[key] for key in headers if key in METRIC_KEYS}
    long = "metric" in headers and "value" in headers
    if team is None or period is None or not (long or metric_columns):
        raise ImportRejected(
            f"{file_name} needs a team and a period column, and either metric and value columns or a column per "
            f"measure (NPS, CSAT, Complaint rate); its columns are: {', '.join(h for h in survey.headers if h)}."
        )
    used = {team[0], period[0]} | (
        {headers["metric"][0], headers["value"][0]} if long else {headers[key][0] for key in metric_columns}
    )
    ignored = [header for position, header in enumerate(survey.headers) if position not in used and header]
    decimal_comma = survey.delimiter != ","
    cells = []
    for chunk in survey.chunks():
        for number, row in zip(chunk.index, chunk.itertuples(index=False), strict=True):
            values = {header: row[position] for position, header in enumerate(survey.headers) if position in used}
            if long:
                if _blank_row(values.values()):
                    continue
                metric, value = headers["metric"][1], headers["value"][1]
                cells.append(
                    _Cell(
                        row=int(number),
                        team_column=team[1],
                        team=values[team[1]],
                        period_column=period[1],
                        period=values[period[1]],
                        metric_column=metric,
                        metric=values[metric],
                        value_column=value,
                        value=values[value],
                    )
                )
            else:
                columns = {headers[key][1]: code for key, code in metric_columns.items()}
                cells += _wide_cells(int(number), values, team[1], period[1], columns)
    rows, problems = _check(cells, team_ids, decimal_comma)
    return OutcomeFile(rows, problems, "long" if long else "wide", ignored)


def _refuse_repeated(headers: list[str], file_name: str) -> None:
    seen: dict[str, str] = {}
    for header in headers:
        key = heading_key(header)
        if key and key in seen:
            raise ImportRejected(f"{file_name} has two columns called {seen[key]!r} and {header!r}: keep one.")
        seen[key] = header


def _wide_cells(number: int, values: Mapping[str, object], team: str, period: str, columns: Mapping[str, str]) -> list:
    """The figures of one wide row; a row with nothing in it gives none, a row with no figure gives one check."""
    if _blank_row(values.values()):
        return []
    given = [(header, code) for header, code in columns.items() if not blank(values.get(header))]
    if not given:  # team and period without a figure: still say where the team or period is wrong
        return [_Cell(number, team, values.get(team), period, values.get(period), "", None, "", None)]
    return [
        _Cell(number, team, values.get(team), period, values.get(period), header, code, header, values.get(header))
        for header, code in given
    ]


def _check(cells: list[_Cell], team_ids: Mapping[str, int], decimal_comma: bool) -> tuple[pd.DataFrame, list[str]]:
    """Every figure checked: team, period, metric, number, range, repeats. Row-level problems are said once."""
    known = {name_key(name): (int(team_id), name) for name, team_id in team_ids.items()}
    problems: list[str] = []
    rows: list[dict] = []
    first_seen: dict[tuple[int, str, str], int] = {}
    said: set[tuple[int, str]] = set()

    def once(row: int, column: str, message: str) -> None:
        if (row, column) not in said:
            said.add((row, column))
            problems.append(f"Row {row}, {column}: {message}")

    for cell in cells:
        team = known.get(name_key(cell.team))
        period = _period(cell.period)
        if team is None:
            given = "(empty)" if blank(cell.team) else repr(str(cell.team).strip())
            once(cell.row, cell.team_column, f"{given} is not a team of this workspace.")
        if not period:
            once(cell.row, cell.period_column, "(empty): every figure needs a period, such as a wave name (2026 Q3).")
        if not cell.metric_column:
            continue
        code = cell.metric if cell.metric in METRICS_BY_CODE else METRIC_KEYS.get(heading_key(cell.metric))
        if code is None:
            labels = ", ".join(metric.label for metric in METRICS)
            once(cell.row, cell.metric_column, f"{shown(cell.metric)} is not a measure we know; use one of {labels}.")
            continue
        metric = METRICS_BY_CODE[code]
        value = _number(cell.value, decimal_comma, percent=code == "csat")
        if value is None:
            problems.append(f"Row {cell.row}, {cell.value_column}: {shown(cell.value)} is not a number.")
            continue
        if not metric.low <= value <= metric.high:
            problems.append(
                f"Row {cell.row}, {cell.value_column}: {value:g} is outside the {metric.label} range "
                f"{metric.low:g} to {metric.high:g}."
            )
            continue
        if team is None or not period:
            continue
        key = (team[0], period, code)
        if key in first_seen:
            problems.append(
                f"Row {cell.row}, {cell.value_column}: {team[1]}, {period}, {metric.label} is already given in row "
                f"{first_seen[key]}; keep one."
            )
            continue
        first_seen[key] = cell.row
        rows.append({"team_id": team[0], "team": team[1], "period": period, "metric": code, "value": value})
    return _rows_frame(rows), problems


def _rows_frame(rows: list[dict]) -> pd.DataFrame:
    """Checked figures with the same column types whether there are any or none."""
    frame = pd.DataFrame(rows, columns=list(ROW_COLUMNS))
    return frame.astype({"team_id": "int64", "team": "str", "period": "str", "metric": "str", "value": "float64"})


def empty_outcomes() -> pd.DataFrame:
    """Outcome rows (team_id, team, period, metric, value) with no row: what a refused file plans to change."""
    return _rows_frame([])


def _blank_row(cells: Iterable[object]) -> bool:
    return all(blank(cell) for cell in cells)


def _period(cell: object) -> str:
    """A period as stored: its words with single spaces; a whole number from a spreadsheet without ".0"."""
    if blank(cell):
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return " ".join(str(cell).split())


def _number(cell: object, decimal_comma: bool, percent: bool = False) -> float | None:
    """A figure as a float, or None where it is no finite number ("2,4" counts where commas are decimal)."""
    if isinstance(cell, bool) or blank(cell):
        return None
    if isinstance(cell, int | float | np.number):
        return float(cell) if math.isfinite(float(cell)) else None
    text = str(cell).strip().replace("\u2212", "-").replace("\u00a0", "").replace(" ", "")
    if percent:
        text = text.removesuffix("%")
    if decimal_comma and re.fullmatch(r"[+-]?\d*,\d+", text):
        text = text.replace(",", ".")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        return None
    return float(text)


def changes(rows: pd.DataFrame, existing: pd.DataFrame, replace_period: str | None = None) -> pd.DataFrame:
    """What writing `rows` would do to the stored figures: each row with its previous value and status.

    Status is added, changed or unchanged; with `replace_period`, the stored figures of that period
    that `rows` leave out are listed as removed (the entry grid holds its period whole).
    """
    keys = ["team_id", "period", "metric"]
    before = existing[[*keys, "value"]].rename(columns={"value": "previous"})
    merged = rows[list(ROW_COLUMNS)].merge(before, on=keys, how="left")
    merged["status"] = np.where(
        merged["previous"].isna(), "added", np.where(merged["previous"] == merged["value"], "unchanged", "changed")
    )
    if replace_period is not None:
        stored = existing[existing["period"] == replace_period]
        kept = pd.MultiIndex.from_frame(rows[keys]) if len(rows) else pd.MultiIndex.from_tuples([], names=keys)
        gone = stored[~pd.MultiIndex.from_frame(stored[keys]).isin(kept)]
        removed = gone.assign(previous=gone["value"], value=np.nan, status="removed")
        merged = pd.concat([merged, removed[merged.columns]], ignore_index=True) if len(removed) else merged
    return merged.reset_index(drop=True)


def change_counts(changed: pd.DataFrame) -> dict[str, int]:
    """How many figures each status has, every status named (0 where none)."""
    counts = changed["status"].value_counts()
    return {status: int(counts.get(status, 0)) for status in ("added", "changed", "unchanged", "removed")}


def describe_counts(counts: Mapping[str, int]) -> str:
    """What a write did (or would do), in one sentence."""
    parts = [f"{counts.get('added', 0)} added", f"{counts.get('changed', 0)} changed"]
    if counts.get("removed", 0):
        parts.append(f"{counts['removed']} removed")
    parts.append(f"{counts.get('unchanged', 0)} left unchanged")
    total = sum(counts.get(status, 0) for status in ("added", "changed", "unchanged"))
    return f"{plural(total, 'figure')}: " + ", ".join(parts) + "."


@dataclass
class OutcomeImport:
    """What importing a file did, or on a dry run or with problems would do: no write happened unless `written`."""

    found: OutcomeFile
    changes: pd.DataFrame
    """Each figure of the file with its stored value and status (added, changed, unchanged); empty on problems."""
    counts: dict[str, int]
    written: bool


def template_csv(teams: list[str], period: str) -> bytes:
    """A wide CSV to fill in: a row per team for the period, a column per measure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["team", "period", *(metric.code for metric in METRICS)])
    writer.writerows([team, period, *[""] * len(METRICS)] for team in teams)
    return out.getvalue().encode("utf-8-sig")


# Readiness against outcomes -------------------------------------------------------------------


LEFT_OUT_NO_WAVE = "its period is not a wave of this initiative"
LEFT_OUT_NO_RESPONSES = "the team has no survey responses in that wave"
LEFT_OUT_HIDDEN = "the team's readiness is hidden in that wave (too few responses, or hidden to protect a smaller team)"
LEFT_OUT_NESTED = "its sub-teams carry their own figures for the period (the same people would count twice)"


def _matched(readiness_frame: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """Every outcome figure beside its team's readiness in the wave named like its period, and why it is left out.

    A figure is used where its team's readiness in that wave is shown (never a suppressed one), and
    no team below it has a used figure for the same period and measure: a parent's readiness
    includes its sub-teams' people, so one correlation holds either the parent or the sub-teams.
    """
    teams = readiness_frame[readiness_frame["team_id"] != 0]
    columns = ["team_id", "wave_id", "wave", "opened_on", "readiness", "n", "suppressed"]
    merged = outcomes[["team_id", "team", "period", "metric", "value"]].merge(
        teams[columns], left_on=["team_id", "period"], right_on=["team_id", "wave"], how="left"
    )
    waves = set(readiness_frame["wave"])
    reason = np.where(
        ~merged["period"].isin(waves),
        LEFT_OUT_NO_WAVE,
        np.where(
            merged["wave_id"].isna(),
            LEFT_OUT_NO_RESPONSES,
            np.where(merged["suppressed"].eq(True), LEFT_OUT_HIDDEN, ""),
        ),
    )
    merged["reason"] = pd.Series(reason, index=merged.index, dtype=object)
    parents = dict(zip(teams["team_id"], teams["parent_id"], strict=True))
    used = merged[merged["reason"] == ""]
    covered = set()  # (ancestor, period, metric) of every used figure
    for team_id, period, metric in zip(used["team_id"], used["period"], used["metric"], strict=True):
        parent = parents.get(team_id)
        while parent is not None and not pd.isna(parent) and int(parent) != 0:
            covered.add((int(parent), period, metric))
            parent = parents.get(int(parent))
    nested = [
        reason == "" and (team_id, period, metric) in covered
        for reason, team_id, period, metric in zip(
            merged["reason"], merged["team_id"], merged["period"], merged["metric"], strict=True
        )
    ]
    merged.loc[nested, "reason"] = LEFT_OUT_NESTED
    return merged


def readiness_vs_outcomes(readiness_frame: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """One point per team, wave and measure: the team's shown readiness and its outcome figure of that period.

    `readiness_frame` is services.readiness_by_team of one initiative; `outcomes` has team_id, team,
    period, metric, value. Suppressed team-waves never become points. Returns team_id, team, wave_id,
    wave, opened_on, readiness, n, metric, value, ordered by measure, wave and team.
    """
    merged = _matched(readiness_frame, outcomes)
    points = merged[merged["reason"] == ""]
    points = points.assign(wave_id=points["wave_id"].astype(int), n=points["n"].astype(int))
    order = {metric.code: position for position, metric in enumerate(METRICS)}
    points = points.assign(metric_order=points["metric"].map(order)).sort_values(["metric_order", "opened_on", "team"])
    columns = ["team_id", "team", "wave_id", "wave", "opened_on", "readiness", "n", "metric", "value"]
    return points[columns].reset_index(drop=True)


def left_out(readiness_frame: pd.DataFrame, outcomes: pd.DataFrame) -> pd.DataFrame:
    """How many figures of each measure are left out of the comparison, and why (metric, reason, figures)."""
    merged = _matched(readiness_frame, outcomes)
    out = merged[merged["reason"] != ""]
    counts = out.groupby(["metric", "reason"]).size().rename("figures").reset_index()
    return counts.astype({"figures": int})


@dataclass(frozen=True)
class Correlation:
    """Pearson's r between readiness and an outcome, with its n and Fisher-z confidence interval.

    Where no r can be given (too few points, no spread), r and the interval are NaN and `reason` says why.
    """

    r: float
    n: int
    low: float
    high: float
    confidence: float = CONFIDENCE
    reason: str = ""
    teams: int | None = None
    """The distinct teams behind the n points, where a team appears more than once: the interval's n then."""

    @property
    def clear(self) -> bool:
        """Whether the interval leaves out zero: an association in one direction the data can show."""
        return not math.isnan(self.r) and (self.low > 0 or self.high < 0)

    def short(self, unit: str = "team-waves") -> str:
        """The figures in brief (r = 0.62, 95% CI 0.41 to 0.77, n = 60 team-waves), or why there is no r."""
        if math.isnan(self.r):
            return f"no correlation: {self.reason}"
        level = f"{self.confidence:.0%}"
        if self.teams is None:
            return f"r = {self.r:.2f}, {level} CI {self.low:.2f} to {self.high:.2f}, n = {self.n} {unit}"
        points = f"n = {self.n} {unit} of {self.teams} teams"
        if math.isnan(self.low):
            return f"r = {self.r:.2f}, {points}; too few teams for an interval that counts each team once"
        return f"r = {self.r:.2f}, {level} CI {self.low:.2f} to {self.high:.2f} counting each team once, {points}"

    def sentence(self, metric: Metric, unit: str = "team-waves") -> str:
        """What the correlation says, in plain words, ending with association, not cause."""
        if math.isnan(self.r):
            return f"No correlation between readiness and {metric.label} can be given: {self.reason}"
        if self.clear:
            direction = "higher" if self.r > 0 else "lower"
            better = (self.r > 0) == metric.higher_is_better
            verdict = "" if better else f" ({direction} is worse for {metric.label})"
            return (
                f"Teams with higher readiness had {direction} {metric.plural}{verdict} ({self.short(unit)}). "
                f"{CAUSE_NOTE}"
            )
        return (
            f"There is no clear association between readiness and {metric.label} ({self.short(unit)}): the interval "
            "includes zero. Even a clear correlation would show association, not cause."
        )


def correlation(
    points: pd.DataFrame, confidence: float = CONFIDENCE, min_points: int = DEFAULTS["outcome_min_points"]
) -> Correlation:
    """Pearson's r of readiness against value over `points`, with n and the Fisher-z interval.

    scipy's pearsonr gives r and its interval, tanh(atanh(r) ± z / √(n − 3)). Where a team gives
    several points (one per wave), the interval's n is the number of teams, not of points (a
    conservative correction for the repeats: `teams` says how many). It needs at least
    `min_points` points (the setting; never fewer than FISHER_MIN_POINTS) and some spread, and says why
    where there is no r.
    """
    from scipy import stats

    x = points["readiness"].to_numpy(dtype=float)
    y = points["value"].to_numpy(dtype=float)
    n = len(x)
    nan = float("nan")
    fewest = max(int(min_points), FISHER_MIN_POINTS)
    if n < fewest:
        reason = f"too few points (n = {n}); at least {fewest} are needed."
        return Correlation(nan, n, nan, nan, confidence, reason)
    if np.ptp(x) == 0 or np.ptp(y) == 0:
        which = "readiness" if np.ptp(x) == 0 else "figure"
        return Correlation(nan, n, nan, nan, confidence, f"every point has the same {which} (n = {n}).")
    found = stats.pearsonr(x, y)
    teams = int(points["team"].nunique()) if "team" in points else n
    if teams == n:
        interval = found.confidence_interval(confidence_level=confidence)
        return Correlation(float(found.statistic), n, float(interval.low), float(interval.high), confidence)
    # A team over several waves is one unit seen again, not new ones: the interval counts teams.
    r = float(found.statistic)
    if teams < FISHER_MIN_POINTS:
        return Correlation(r, n, nan, nan, confidence, teams=teams)
    half = stats.norm.ppf((1 + confidence) / 2) / math.sqrt(teams - 3)
    centre = math.atanh(max(min(r, 1 - 1e-15), -1 + 1e-15))
    return Correlation(r, n, math.tanh(centre - half), math.tanh(centre + half), confidence, teams=teams)


def correlation_by_wave(
    points: pd.DataFrame, confidence: float = CONFIDENCE, min_points: int = DEFAULTS["outcome_min_points"]
) -> pd.DataFrame:
    """The correlation within each wave (each team once), oldest wave first: wave, n, r, ci_low, ci_high, note."""
    rows = []
    for (_, wave), group in points.groupby(["opened_on", "wave"], sort=True):
        found = correlation(group, confidence, min_points)
        rows.append(
            {
                "wave": wave,
                "n": found.n,
                "r": found.r,
                "ci_low": found.low,
                "ci_high": found.high,
                "note": found.reason
                or ("clear: the interval leaves out zero" if found.clear else "interval includes zero"),
            }
        )
    return pd.DataFrame(rows, columns=["wave", "n", "r", "ci_low", "ci_high", "note"])


def trend_band(points: pd.DataFrame, confidence: float = CONFIDENCE, steps: int = 40) -> pd.DataFrame:
    """The least-squares line of value on readiness with its confidence band, over the points' readiness range.

    Returns readiness, fit, low, high; empty where no line can be fitted (fewer than 3 points, no spread).
    """
    from scipy import stats

    x = points["readiness"].to_numpy(dtype=float)
    y = points["value"].to_numpy(dtype=float)
    n = len(x)
    sxx = ((x - x.mean()) ** 2).sum() if n else 0.0
    if n < 3 or sxx == 0:
        return pd.DataFrame(columns=["readiness", "fit", "low", "high"], dtype=float)
    slope = ((x - x.mean()) * (y - y.mean())).sum() / sxx
    intercept = y.mean() - slope * x.mean()
    residual_sd = math.sqrt(((y - intercept - slope * x) ** 2).sum() / (n - 2))
    grid = np.linspace(x.min(), x.max(), steps)
    fit = intercept + slope * grid
    half = stats.t.ppf((1 + confidence) / 2, n - 2) * residual_sd * np.sqrt(1 / n + (grid - x.mean()) ** 2 / sxx)
    return pd.DataFrame({"readiness": grid, "fit": fit, "low": fit - half, "high": fit + half})
