"""CX outcomes: readiness against NPS, CSAT and complaint rate by team and wave; enter or import the figures."""

import pandas as pd
import streamlit as st

from cxchange import access, charts, outcomes, readiness, services, ui
from cxchange.importing import ImportRejected
from cxchange.text import agree, markdown_text

st.title("CX outcomes")
st.caption(
    "Do ready teams deliver better customer experiences? Each point is one team in one wave: its readiness "
    "index beside its outcome figure for the period named like that wave."
)
ui.say_kept("outcomes_message")

initiative_id = ui.initiative_picker(key="outcomes_initiative")
frame = ui.readiness_frame(initiative_id)
figures = ui.cx_outcomes()
wave_names = ui.waves(initiative_id)["name"].tolist()
team_ids = ui.team_ids()
min_points = int(ui.settings()["outcome_min_points"])
FORMATS = {"nps": "%.1f", "csat": "%.1f", "complaint_rate": "%.2f"}
editing = ui.may_edit()  # a viewer reads the figures; the services check every write again


def comparison() -> None:
    """A tab per measure: the sentence, the scatter with its trend, the correlation within each wave."""
    if figures.empty:
        st.info(
            "No CX outcome figures yet. Type them under **Enter figures** (a row per team for one period) or "
            "upload a file under **Import a file** (team, period, NPS, CSAT, complaint rate). Name each period "
            f"like a survey wave ({', '.join(wave_names[-2:]) or 'e.g. 2026 Q3'}) so it meets that wave's readiness."
        )
        return
    points = readiness.with_rates(outcomes.readiness_vs_outcomes(frame, figures), frame)
    left_out = outcomes.left_out(frame, figures)
    if points.empty:
        st.info(
            f"None of the {len(figures)} outcome figures meets a readiness figure shown for this initiative. Periods "
            f"must be named like its waves ({', '.join(wave_names) or 'none yet'}), and the team's readiness in "
            "that wave must be shown (not hidden for too few responses)."
        )
        return
    for tab, metric in zip(st.tabs([metric.label for metric in outcomes.METRICS]), outcomes.METRICS, strict=True):
        with tab:
            rows = points[points["metric"] == metric.code]
            if rows.empty:
                st.info(f"No {metric.label} figures meet a readiness figure of this initiative yet.")
                continue
            found = outcomes.correlation(rows, min_points=min_points)
            st.markdown(f"**{found.sentence(metric)}**")
            ui.chart(
                charts.readiness_outcome_scatter,
                rows,
                wave_names,
                f"{metric.label} ({metric.unit})",
                found.short(),
                outcomes.trend_band(rows),
                title=f"Readiness index and {metric.label}, by team and wave",
            )
            st.caption(outcomes.POOLED_NOTE)
            st.write(f"**{metric.label} and readiness within each wave**")
            by_wave = outcomes.correlation_by_wave(rows, min_points=min_points).rename(
                columns={
                    "wave": "Wave",
                    "n": "Teams (n)",
                    "r": "r",
                    "ci_low": "95% CI from",
                    "ci_high": "95% CI to",
                    "note": "Note",
                }
            )
            ui.table(
                by_wave,
                hide_index=True,
                column_config={
                    name: st.column_config.NumberColumn(format="%.2f") for name in ("r", "95% CI from", "95% CI to")
                },
                name=f"{metric.label} and readiness by wave",
            )
            for reason, count in left_out.loc[left_out["metric"] == metric.code, ["reason", "figures"]].itertuples(
                index=False
            ):
                st.caption(f"Left out: {count} {metric.label} {agree(count, 'figure', 'figures')}, because {reason}.")


def grid_entry() -> None:
    """The figures of one period as an editable grid; checked whole, then saved in one transaction."""
    if not team_ids:
        st.info("There are no teams yet: import a survey file or load the demo under Settings first.")
        return
    stored = [period for period in sorted(set(figures["period"])) if period not in wave_names]
    left, right = st.columns(2)
    choice = left.selectbox(
        "Period",
        [*wave_names[::-1], *stored, "New period…"],
        key="outcomes_period",
        help="Name a period like a survey wave, so its figures meet that wave's readiness.",
    )
    period = right.text_input("New period name", key="outcomes_new_period") if choice == "New period…" else choice
    period = " ".join(period.split())
    if not period:
        st.info("Type the new period's name, e.g. the name of the wave it belongs to.")
        return
    carrying = sorted(set(figures["team"])) or sorted(team_ids)
    if not editing:
        ui.table(
            outcomes.grid_from_outcomes(figures, period, teams=carrying),
            hide_index=True,
            width="stretch",
            name=f"cx outcomes {period}",
        )
        st.caption("Entering figures needs the editor role.")
        return
    edited = st.data_editor(
        outcomes.grid_from_outcomes(figures, period, teams=carrying),
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"outcomes_grid:{period}",
        column_config={
            "Team": st.column_config.SelectboxColumn(options=sorted(team_ids), required=True),
            "Period": st.column_config.TextColumn(disabled=True),
            **{
                metric.label: st.column_config.NumberColumn(
                    min_value=metric.low, max_value=metric.high, format=FORMATS[metric.code], help=metric.help
                )
                for metric in outcomes.METRICS
            },
        },
        placeholder=ui.MISSING,
    )
    ui.table_downloads(outcomes.grid_from_outcomes(figures, period, teams=carrying), f"cx outcomes {period}")
    st.caption(
        "A row per team. A blank cell is no figure; clearing a stored figure removes it when you save. "
        "A lower complaint rate is better."
    )
    if st.button("Save figures", type="primary", key="outcomes_save"):
        rows, problems = outcomes.check_grid(edited, team_ids, period)
        if problems:
            ui.say("error", "Nothing was saved:", problems)
        elif rows.empty and figures[figures["period"] == period].empty:
            st.warning("The grid has no figures: type a team's NPS, CSAT or complaint rate first.")
        else:
            counts = ui.call(services.save_cx_outcomes, rows, replace_period=period)
            ui.keep("outcomes_message", f"Saved {period}: {outcomes.describe_counts(counts)}")
            st.rerun()


def file_import() -> None:
    """Upload, check every cell, preview what changes, import: nothing is written while a problem remains."""
    st.write(
        "Upload a CSV or Excel file with a row per team and period: columns **team, period, nps, csat, "
        "complaint_rate**, or one figure a row as **team, period, metric, value**. Nothing is written until you "
        "press Import, and importing the same file again changes nothing."
    )
    if not editing:
        st.info("Importing figures needs the editor role.")
        return
    st.download_button(
        "Download a template (CSV)",
        outcomes.template_csv(sorted(set(figures["team"])) or sorted(team_ids), wave_names[-1] if wave_names else ""),
        file_name="cxchange-outcomes.csv",
        mime="text/csv",
        icon=":material/download:",
    )
    uploaded = st.file_uploader("Outcome figures", key="outcomes_upload")
    if uploaded is None:
        return
    try:
        preview = ui.dry_run(services.import_outcomes, uploaded.getvalue(), uploaded.name)
    except (ImportRejected, access.Refused) as problem:
        ui.say("error", problem)
        return
    found, counts = preview.found, preview.counts
    if found.problems:
        shown = found.problems[:50]
        these = agree(len(found.problems), "this problem is", f"these {len(found.problems)} problems are")
        more = [f"… and {len(found.problems) - len(shown)} more"] if len(found.problems) > len(shown) else []
        ui.say("error", f"Nothing can be imported from {uploaded.name} until {these} fixed:", [*shown, *more])
        return
    if found.rows.empty:
        ui.say(
            "warning", f"{uploaded.name} holds no figures: fill in NPS, CSAT or complaint rate for at least one team."
        )
        return
    st.subheader("Preview")
    added, changed, unchanged = st.columns(3)
    added.metric("Figures to add", counts["added"])
    changed.metric("Figures to change", counts["changed"])
    unchanged.metric("Already stored, unchanged", counts["unchanged"])
    ignored = f" Columns left out: {', '.join(found.ignored_columns)}." if found.ignored_columns else ""
    layout = "one figure a row" if found.layout == "long" else "a column per measure"
    st.caption(markdown_text(f"Read {len(found.rows)} figures ({layout}).{ignored}"))
    planned = preview.changes
    labels = {metric.code: metric.label for metric in outcomes.METRICS}
    ui.table(
        pd.DataFrame(
            {
                "Team": planned["team"],
                "Period": planned["period"],
                "Measure": planned["metric"].map(labels),
                "Value": planned["value"],
                "Stored now": planned["previous"],
                "What happens": planned["status"],
            }
        ).sort_values(["What happens", "Period", "Team"]),
        hide_index=True,
        width="stretch",
        name="cx outcome import preview",
    )
    if not counts["added"] + counts["changed"]:
        ui.say("info", f"Every figure in {uploaded.name} is already stored: importing it would change nothing.")
        return
    if st.button("Import", type="primary", key="outcomes_import"):
        done = ui.call(services.import_outcomes, uploaded.getvalue(), uploaded.name)
        ui.keep("outcomes_message", f"Imported {uploaded.name}: {outcomes.describe_counts(done.counts)}")
        st.rerun()


chart_tab, entry_tab, import_tab = st.tabs(["Readiness and outcomes", "Enter figures", "Import a file"])
with chart_tab:
    comparison()
with entry_tab:
    grid_entry()
with import_tab:
    file_import()
