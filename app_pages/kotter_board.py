"""Kotter board: an initiative's eight steps, edited in place; warnings; where people are stuck; the timeline."""

import pandas as pd
import streamlit as st

from cxchange import charts, kotter, services, ui
from cxchange.model import KOTTER_LABEL_SETS, KOTTER_STATUSES
from cxchange.text import agree, markdown_text, plural

st.title("Kotter board")
settings = ui.settings()
label_set = str(settings["kotter_labels"])
stale_weeks = int(settings["stale_weeks"])
min_n = int(settings["min_group_size"])
today = ui.today()
st.caption(
    f"The eight steps of Kotter's model for one initiative. Step names: {KOTTER_LABEL_SETS[label_set]} "
    "(change them under Settings). Every saved change is kept with its date."
)
ui.say_kept("kotter_message")

initiative_id = ui.initiative_picker(key="kotter_initiative")
if initiative_id is None:
    st.info(
        "No initiative yet. Add one under Settings → Initiatives & waves, or load the demo organisation "
        "(Settings → Workspace) to see how the board works."
    )
    st.stop()

steps = ui.kotter_steps(initiative_id)
history = ui.kotter_history(initiative_id)
board = kotter.board(steps, label_set)

found = kotter.warnings(board, history, today, stale_weeks, label_set)
for warning in found:
    ui.say("warning", warning.reason, icon=":material/warning:")
if not found and not steps.empty:
    st.success(
        f"No warnings: the steps are in order, nothing is sustained before a win, and every step under way "
        f"was updated in the last {stale_weeks} weeks.",
        icon=":material/check_circle:",
    )

st.subheader("The eight steps")
if steps.empty:
    st.info(
        "No step of this initiative has been recorded yet. Set each step's status, owner, evidence and "
        "health in the grid, then save."
    )


def edit_board() -> None:
    """The board as a grid whose changed steps save together, each dated today."""
    # A save starts a new grid (a new key): the old one's edits would otherwise be sent again.
    editor_key = f"kotter_board:{initiative_id}:{st.session_state.get('kotter_saves', 0)}"
    edited = st.data_editor(
        kotter.editor_frame(board),
        key=editor_key,
        hide_index=True,
        num_rows="fixed",
        width="stretch",
        disabled=["Step", "Last update"],
        column_config={
            "Step": st.column_config.TextColumn(
                width=250, pinned=True, help="Kotter's step; its name follows Settings."
            ),
            "Status": st.column_config.SelectboxColumn(options=list(KOTTER_STATUSES), required=True, width=110),
            "Health (1–5)": st.column_config.NumberColumn(
                min_value=1,
                max_value=5,
                step=1,
                format="%d",
                width=110,
                help="1 = failing, 5 = thriving; empty: not rated.",
            ),
            "Owner": st.column_config.TextColumn(width=160, help="Who answers for this step."),
            "Evidence": st.column_config.TextColumn(width="large", help="What shows the step's progress."),
            "Started": st.column_config.DateColumn(format="YYYY-MM-DD", width=105),
            "Due": st.column_config.DateColumn(format="YYYY-MM-DD", width=105),
            "Last update": st.column_config.TextColumn(width=105, help="When the step last changed here."),
        },
        placeholder=ui.MISSING,
    )
    ui.table_downloads(kotter.editor_frame(board), "kotter board")
    if st.button("Save changes", type="primary", key="kotter_save"):
        rows, problems = kotter.changed_steps(board, edited, label_set)
        if problems:
            ui.say("error", "Nothing was saved:", problems)
        elif not rows:
            st.info("Nothing to save: every step is as stored.")
        else:
            try:
                ui.call(services.save_kotter_steps, initiative_id, rows, today, label_set)
            except ValueError as problem:
                ui.say("error", problem)
            else:
                saved = plural(len(rows), "step")
                ui.keep(
                    "kotter_message",
                    f"Saved {saved}, dated {today.isoformat()}. {kotter.describe_changes(board, rows, label_set)}",
                )
                st.session_state["kotter_saves"] = st.session_state.get("kotter_saves", 0) + 1
                st.rerun()
    st.caption(
        f"Double-click a cell to edit it. A step in progress or at risk with no update for {stale_weeks} weeks is "
        "flagged (Settings). Saving records today's date against every step you changed, and only those."
    )


if ui.may_edit(programme=True):
    edit_board()
else:  # the board is the programme's: editors of the whole organisation change it
    ui.table(kotter.editor_frame(board), hide_index=True, width="stretch", name="kotter board")
    st.caption("You can read the board; changing it needs the editor role for the whole organisation.")

st.subheader("Where people are stuck")
waves = ui.waves(initiative_id)
frame = ui.readiness_frame(initiative_id)
if waves.empty or frame.empty:
    st.info(
        "No survey results for this initiative yet. Once a wave is imported, the teams' ADKAR barrier points "
        "appear here beside the Kotter steps that address them."
    )
else:
    latest = waves.iloc[-1]
    wave_rows = frame[frame["wave_id"] == latest["id"]]
    table = kotter.barrier_steps(wave_rows, label_set)
    st.markdown(
        f"Each team's barrier point in **{markdown_text(latest['name'])}** (the first ADKAR element scoring at or "
        f"below {settings['barrier_threshold']:g}), beside the steps that build that element: Awareness → steps 1, 3 "
        "and 4; Desire → 2 and 4; Knowledge and Ability → 5; Reinforcement → 6 and 8."
    )
    sentences = kotter.disagreements(board, wave_rows, label_set)
    for sentence in sentences:
        st.warning(f"**Work and readiness disagree.** {markdown_text(sentence)}", icon=":material/compare_arrows:")
    if not sentences:
        st.success(
            "Work and readiness agree: no step marked done leaves teams stuck at what it builds, and no stuck "
            "team waits on steps that have not started.",
            icon=":material/check_circle:",
        )
    ui.table(
        pd.DataFrame(
            {
                "Step": [kotter.axis_label(number, label_set) for number in table["step"]],
                "Status": board["status"].to_numpy(),
                "Builds": table["elements"].replace("", "—"),
                "Teams stuck there (n)": table["teams"],
                "Which teams": table["team_names"],
            }
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "Step": st.column_config.TextColumn(width=250),
            "Teams stuck there (n)": st.column_config.NumberColumn(format="%d", width=150),
            "Which teams": st.column_config.TextColumn(width="large"),
        },
        name="where people are stuck by kotter step",
    )
    hidden = kotter.hidden_team_count(wave_rows)
    if hidden:
        st.caption(
            f"{plural(hidden, 'team')} with fewer than {min_n} responses, or hidden so that a "
            f"smaller group cannot be worked out, {agree(hidden, 'is', 'are')} left out."
        )

st.subheader("How the steps moved")
segments = kotter.timeline_segments(history, today, label_set)
if segments.empty:
    st.info("No change recorded yet: the timeline fills in as the board is saved.")
else:
    ui.chart(
        charts.kotter_timeline,
        segments,
        [kotter.axis_label(number, label_set) for number in kotter.STEP_NUMBERS],
        today.isoformat(),
        title="Kotter steps over time",
    )
