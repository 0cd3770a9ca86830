"""Reports & export: a wave's readiness report as HTML, PDF or PPTX, and every chart and table of it as a file."""

import streamlit as st

from cxchange import exports, ui
from cxchange.text import markdown_text

REPORT_BUTTONS = {"html": "HTML report", "pdf": "PDF report", "pptx": "PowerPoint deck (PPTX)"}

st.title("Reports & export")
st.caption(
    "The readiness report of one wave, for a team and the teams below it. Hidden groups stay hidden in every file, "
    "and every page and slide says which initiative, wave, team and respondents it shows."
)

initiative_col, wave_col = st.columns(2)
with initiative_col:
    initiative_id = ui.initiative_picker(key="report_initiative")
with wave_col:
    wave_id = ui.wave_picker(initiative_id, key="report_wave")
team_col, group_col = st.columns([1, 2])
with team_col:
    team_id = ui.team_picker("Team (and the teams below it)", key="report_team")
with group_col:
    group = ui.group_picker(key="report_group")

if wave_id is None:
    st.info(
        "No survey waves yet. Upload a survey export under Import & entry, or load the demo organisation "
        "under Settings → Workspace, then come back for its report."
    )
    st.stop()

report = ui.report_document(initiative_id, wave_id, team_id, group)

st.subheader("Download the report")
for column, (kind, label) in zip(st.columns(len(REPORT_BUTTONS)), REPORT_BUTTONS.items(), strict=True):
    column.download_button(
        label,
        data=ui.export_file(report, kind),
        file_name=f"{report.file_stem}.{kind}",
        mime=exports.REPORT_FORMATS[kind],
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
        key=f"report_{kind}",
    )
st.caption(
    "Each file is made when you click. Every report opens with the executive summary the Overview shows. The HTML "
    "file opens offline; the deck has native, editable charts, one finding per slide and the tables in an appendix."
)

pack_teams = exports.pack_teams(ui.active_teams(), team_id)


def pack(kind: str) -> bytes:
    """One report per team below the chosen one, each scoped to its team, as a ZIP."""
    reports = [ui.report_document(initiative_id, wave_id, team, group) for team in pack_teams]
    return ui.computed(exports.report_pack, reports, kind)


pack_col, pack_note = st.columns([1, 2])
pack_col.download_button(
    "Per-team pack (one deck per team)",
    data=lambda: pack("pptx"),
    file_name=f"{report.file_stem}-per-team.zip",
    mime="application/zip",
    on_click="ignore",
    icon=":material/folder_zip:",
    width="stretch",
    key="report_pack",
)
pack_note.caption(
    f"A ZIP of {len(pack_teams)} decks, one per team directly below the one chosen, each with its own summary and "
    "figures for that team and the teams below it only."
)

st.divider()
st.header(report.title)
st.caption(f"Every page and slide carries: {report.context}")


def downloads(part: int, kinds: tuple[str, ...], stem: str) -> None:
    """Download buttons for one section's chart or table, side by side."""
    types = exports.CHART_FORMATS | exports.TABLE_FORMATS
    for column, kind in zip(st.columns([1, 1, 6]), kinds, strict=False):
        column.download_button(
            kind.upper(),
            data=ui.export_file(report, kind, part),
            file_name=f"{stem}.{kind}",
            mime=types[kind],
            on_click="ignore",
            icon=":material/download:",
            key=f"section_{part}_{kind}",
        )


for part, section in enumerate(report.sections):
    st.subheader(section.title)
    stem = f"{report.file_stem}-{exports.slug(section.title)}"
    for finding in section.findings:
        st.markdown(f"**{markdown_text(finding.title)}**  \n{markdown_text(finding.sentence)}")
    if section.figures:
        for column, figure in zip(st.columns(len(section.figures)), section.figures, strict=True):
            column.metric(figure.label, figure.value)
            column.caption(figure.note)
    if section.note:
        st.caption(section.note)
    if section.chart is not None:
        # Titled above already; the PNG and SVG keep the chart's own title, so a pasted picture says what it is.
        st.vega_lite_chart(exports.subtitle_only(exports.drawn_spec(section.chart)), width="stretch")
        downloads(part, tuple(exports.CHART_FORMATS), stem)
    if section.table is not None:
        st.dataframe(
            section.table,
            hide_index=True,
            width="stretch",
            height=38 + 35 * len(section.table),
            column_config={
                "Readiness index": st.column_config.NumberColumn(format="%.1f"),
                "What helps": st.column_config.TextColumn(width="large"),
            },
            placeholder=ui.MISSING,
        )
        downloads(part, tuple(exports.TABLE_FORMATS), stem)

# Last, after everything is drawn: the report buttons' first click then finds the chart renderer started.
ui.warm_chart_renderer()
