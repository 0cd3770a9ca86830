"""Import & entry: upload a survey export, see what will happen to every row, import, undo."""

import streamlit as st

from cxchange import access, entry, sample_data, services, store, ui
from cxchange.importing import (
    ImportMapping,
    ImportRejected,
    NoTeamColumn,
    UnmappedLabels,
    preview,
    question_set_csv,
)
from cxchange.text import markdown_text, plural

st.title("Import & entry")
items = ui.items()
item_label = preview.item_labels(items)
initiatives = ui.initiatives()
initiative_ids = dict(zip(initiatives["name"], initiatives["id"].tolist(), strict=True))

ui.say_kept("import_message")
if ui.read(store.settings.workspace_kind) == "demo":
    # Real answers blended into made-up ones would be wrong under a banner calling them made up: refused.
    st.warning(
        f"This is the demo workspace ({sample_data.DEMO_NAME} is made up): survey results are imported into a "
        "workspace of your own, so real answers never mix with made-up ones. The demo is kept in a backup and "
        "can be loaded again at any time.",
        icon=":material/science:",
    )
    if (me := ui.actor()) is not None and ui.may_open(me, "app_pages/settings.py"):
        st.page_link("app_pages/settings.py", label="Start an empty workspace first", icon=":material/arrow_forward:")
    else:
        st.caption("Ask your cxchange admin to start an empty workspace first (Settings → Workspace).")

survey_tab, team_tab, history_tab = st.tabs(["Survey file", "Team-level results", "Import history"])


def survey_file() -> None:
    """Upload, then one screen: the columns, the teams, the switches and the preview; Import once nothing blocks."""
    st.write(
        "Upload the responses as your survey tool exported them: Qualtrics, SurveyMonkey, Microsoft Forms, "
        "Google Forms or Excel (CSV or .xlsx). Nothing is written until you press Import."
    )
    st.download_button(
        "Download the question set (CSV)",
        question_set_csv(items),
        file_name="cxchange-question-set.csv",
        mime="text/csv",
        help="Build your survey from these questions and the file imports with no mapping at all.",
        icon=":material/download:",
    )
    uploaded = st.file_uploader("Survey export", key="upload")
    left, right = st.columns(2)
    initiative = left.selectbox(
        "Initiative", initiatives["name"].tolist() or ["Customer experience programme"], key="import_initiative"
    )
    initiative_id = initiative_ids.get(initiative)
    known_waves = ui.waves(initiative_id)["name"].tolist()[::-1] if initiative_id else []
    # a new wave is the whole organisation's: someone who looks after some teams imports into an open one
    new = ["New wave…"] if ui.may_edit(programme=True) else []
    wave_choice = right.selectbox("Wave", [*known_waves, *new], key="import_wave")
    wave = right.text_input("New wave name", key="import_new_wave") if wave_choice == "New wave…" else wave_choice
    if uploaded is None or not wave:
        return

    data = uploaded.getvalue()
    saved = ui.saved_mappings()
    start, from_file = st.columns(2)
    chosen_mapping = start.selectbox("Start from a saved mapping", ["(none)", *saved], key="saved_mapping")
    mapping_file = from_file.file_uploader("…or a mapping file (JSON)", type=["json"], key="mapping_file")
    try:
        if mapping_file is not None:
            base = ImportMapping.from_json(mapping_file.getvalue().decode("utf-8", errors="replace"))
        else:
            base = ImportMapping.from_json(saved[chosen_mapping]) if chosen_mapping in saved else ImportMapping()
    except ValueError as problem:
        ui.say("error", problem)
        return
    source = mapping_file.file_id if mapping_file is not None else chosen_mapping
    state = f"mapping:{uploaded.file_id}:{source}"
    mapping = st.session_state.setdefault(state, base)

    keep = st.checkbox(
        "Keep survey previews, tests and unfinished responses",
        value=mapping.keep_test_responses,
        key=f"keep_tests:{state}",
        help="Qualtrics marks them (Status, Distribution Channel, Finished); they are left out unless kept.",
    )
    if keep != mapping.keep_test_responses:
        st.session_state[state] = mapping = mapping.with_choices(keep_test_responses=keep)

    try:
        result = ui.dry_run(services.import_survey, data, uploaded.name, wave, initiative, mapping)
    except UnmappedLabels as problem:
        st.warning("Some answers are not on the 1–5 agreement scale. Say what each means; nothing is dropped silently.")
        with st.form(f"labels:{uploaded.file_id}"):
            chosen = {
                label: st.selectbox(
                    f"“{label}” means",
                    list(preview.LABEL_CHOICES),
                    index=None,
                    placeholder="Choose a value",
                    help=f"Found in: {', '.join(columns)[:300]}",
                )
                for label, columns in problem.labels.items()
            }
            if st.form_submit_button("Use these values", type="primary"):
                labels = preview.label_values(chosen)
                if labels is None:
                    st.error("Choose a value for every answer before going on.")
                else:
                    st.session_state[state] = mapping.with_choices(labels=labels)
                    st.rerun()
        return
    except NoTeamColumn as problem:
        st.warning("No column of the file is recognised as the team column: choose the one that names each team.")
        column = st.selectbox(
            "Team column", problem.headers, index=None, placeholder="Choose a column", key=f"team_column:{state}"
        )
        if column is not None:
            st.session_state[state] = mapping.with_choices(team_column=column)
            st.rerun()
        return
    except ImportRejected as problem:
        ui.say("error", problem)
        return

    plan = result.plan
    if result.already_imported:
        st.subheader("Preview")
        ui.say("info", result.report_lines()[0])
        return
    st.caption(f"Read as a {plan.tool} export · {len(plan.metadata)} of the tool's own columns left out")

    st.subheader("Columns")
    st.write(f"**{plan.coverage()}.**")
    if (suggested := preview.suggested_columns(plan)) and st.button(
        f"Use the {plural(len(suggested), 'suggestion')}",
        key=f"use_suggestions:{state}",
        help="Each column still open takes its suggested item; review the grid before you import.",
    ):
        st.session_state[state] = mapping.with_choices(columns=suggested)
        st.rerun()
    grid = preview.mapping_grid(plan, item_label)
    edited = st.data_editor(
        grid,
        hide_index=True,
        width="stretch",
        disabled=["Column in the file", "Statement", "Suggestion"],
        key=f"columns:{state}",
        column_order=["Statement", "Suggestion", "Choice"],
        column_config={
            # widths in pixels that fit the page's width together, so no column is cut off at the right
            "Statement": st.column_config.TextColumn(
                width=370, help="The column's header, without the question a matrix statement sits under"
            ),
            "Suggestion": st.column_config.TextColumn(
                width=170, help="The most similar bank item and its similarity (0–100)"
            ),
            "Choice": st.column_config.SelectboxColumn(options=preview.column_choices(item_label), width=370),
        },
        placeholder=ui.MISSING,
    )
    if questions := preview.matrix_questions(grid):
        st.caption(markdown_text(f"Statements under: {'; '.join(questions)}"))
    if changed := preview.column_targets(grid, edited, item_label):
        st.session_state[state] = mapping.with_choices(columns=changed)
        st.rerun()

    st.subheader("Teams")
    headers = [h for h in plan.headers if h not in plan.metadata and h.strip()]
    team_column = st.selectbox(
        "Team column", headers, index=headers.index(plan.team_column), key=f"map_team_column:{state}"
    )
    if team_column != plan.team_column:
        st.session_state[state] = mapping.with_choices(team_column=team_column)
        st.rerun()
    existing = ui.teams()["name"].tolist()
    teams_grid = preview.team_grid(plan, existing)
    edited_teams = st.data_editor(
        teams_grid,
        hide_index=True,
        width="stretch",
        disabled=["Team in the file", "Rows", "Note"],
        key=f"teams:{state}",
        column_config={
            "Goes to": st.column_config.SelectboxColumn(options=preview.team_choices(plan, existing), width="medium"),
            "Note": st.column_config.TextColumn(width="large"),
        },
        placeholder=ui.MISSING,
    )
    if changed := preview.team_targets(teams_grid, edited_teams):
        st.session_state[state] = mapping.with_choices(teams=changed)
        st.rerun()

    saving = plan.resolved_mapping(mapping).to_json()
    name_column, save_column, download_column = st.columns([2, 1, 1], vertical_alignment="bottom")
    # saved mappings serve every team's files: someone who looks after some teams downloads theirs instead
    name = name_column.text_input("Save this mapping as", key="mapping_name") if ui.may_edit(programme=True) else ""
    if ui.may_edit(programme=True) and save_column.button("Save mapping"):
        try:
            ui.call(services.save_mapping, name, saving)
            ui.say("toast", f"Saved the mapping {name.strip()!r} for the next file.")
        except ImportRejected as problem:
            ui.say("error", problem)
    download_column.download_button(
        "Download the mapping", saving, file_name="cxchange-mapping.json", mime="application/json"
    )

    st.subheader("Preview")
    counts = plan.counts()
    a, b, c, d = st.columns(4)
    a.metric("Complete responses", counts.get("imported", 0))
    b.metric("Incomplete (kept out of scores)", counts.get("incomplete", 0))
    c.metric("Rows skipped", plan.rows_skipped)
    d.metric(
        "Answers treated as missing",
        len(plan.problems),
        help="Off the 1–5 scale, or a non-answer such as Don't know: listed below.",
    )
    for line in preview.condensed(result.created):
        st.write(markdown_text(f"• {line}"))
    per_team = plan.per_team()
    st.dataframe(
        per_team.rename(columns={"team": "Team", "complete": "Complete", "incomplete": "Incomplete"}),
        hide_index=True,
        placeholder=ui.MISSING,
    )
    minimum = int(ui.settings()["min_group_size"])
    small = preview.small_teams(plan, minimum)
    if small:
        ui.say(
            "info",
            f"{len(small)} of {len(per_team)} teams have fewer than {minimum} complete responses of their own in "
            f"this file ({', '.join(small[:5])}): a team with fewer than {minimum} in the wave shows no figures "
            "(a parent's figure counts the teams below it), and a team beside it may be hidden too so it cannot "
            "be worked out.",
        )
    if plan.outcomes or plan.problems:
        st.write("**What happens to the other rows**")
        st.dataframe(
            preview.other_rows(plan),
            hide_index=True,
            width="stretch",
            column_config={"What happens": st.column_config.TextColumn(width="large")},
            placeholder=ui.MISSING,
        )

    opens = None
    if wave not in known_waves:
        opens = st.date_input(
            "The wave opens on",
            value=plan.earliest or ui.today(),
            key=f"opens:{state}",
            help="Waves are ordered by this date. By default, the earliest response in the file, else today.",
        )
    blockers = list(result.blockers)
    allow = False
    if result.other_waves or result.other_files:
        # the other-wave sentence is the last blocker: the one a confirmation lifts
        ui.say("warning", blockers.pop())
        allow = st.checkbox("Import anyway", key=f"allow_other_wave:{state}")
        if not allow:
            blockers.append("Tick Import anyway to import responses already in another wave.")
    for blocker in blockers:
        ui.say("error", blocker)
    if st.button("Import", type="primary", disabled=bool(blockers)):
        try:
            done = ui.call(
                services.import_survey,
                data,
                uploaded.name,
                wave,
                initiative,
                mapping,
                opens=opens,
                allow_other_wave=allow,
            )
        except (ImportRejected, access.Refused) as problem:
            ui.say("error", problem)
            return
        ui.keep("import_message", "\n".join(done.report_lines()[:2] + preview.condensed(done.created)))
        st.rerun()


with survey_tab:
    survey_file()


def team_level() -> None:
    """An editable grid for results that exist only as team means, or a file of them; checked, then one batch."""
    st.write(
        "Where only team averages exist (a workshop poll, another tool's report), type them here or upload them: "
        "one row per team, element means on 1–5 and the number of respondents. They count in every view, "
        "weighted by n, and are marked: no significance test is possible without respondent-level data."
    )
    initiative = st.session_state.get("import_initiative")
    waves = ui.waves(initiative_ids.get(initiative or ""))
    if waves.empty:
        st.info("Create a wave first: import a survey file, or load the demo under Settings.")
        return
    names = dict(zip(waves["name"], waves["id"], strict=True))
    wave = st.selectbox("Wave", list(names)[::-1], key="entry_wave")
    teams = ui.teams()
    team_ids = dict(zip(teams["name"], teams["id"], strict=True))
    results_file(wave, initiative if initiative in initiative_ids else None)
    st.markdown("**Type them**")
    current = entry.grid_from_results(ui.team_results(names[wave]), dict(zip(teams["id"], teams["name"], strict=True)))
    # No min/max on the columns: the editor would clamp a typed 34 to 5.00 without a word; check_grid refuses it.
    edited = st.data_editor(
        current,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"entry_grid:{names[wave]}",
        column_config={
            "Team": st.column_config.SelectboxColumn(options=sorted(team_ids), required=True),
            **{
                label: st.column_config.NumberColumn(step=0.01, format="%.2f", help="Mean on the 1–5 scale")
                for label in entry.GRID_COLUMNS[1:6]
            },
            "n": st.column_config.NumberColumn(step=1, help="Respondents behind the means"),
            "sd (optional)": st.column_config.NumberColumn(step=0.01, help="Standard deviation, if reported"),
        },
        placeholder=ui.MISSING,
    )
    in_demo = ui.read(store.settings.workspace_kind) == "demo"  # real figures never go into the made-up demo
    if st.button(
        "Save team-level results",
        type="primary",
        key="entry_save",
        disabled=in_demo,
        help=services.demo_refusal("Typed team-level results") if in_demo else None,
    ):
        rows, problems = entry.check_grid(edited, team_ids)
        if problems:
            ui.say("error", "Nothing was saved:", problems)
        elif rows.empty:
            st.warning("The grid is empty: add a row per team.")
        else:  # someone who looks after some teams: their teams' entry is replaced, other teams' stays
            batch = ui.call(services.save_team_results, names[wave], rows)
            ui.keep(
                "import_message",
                f"Saved team-level results for {rows['team_id'].nunique()} teams in {wave} (batch {batch}).",
            )
            st.rerun()


def results_file(wave: str, initiative: str | None) -> None:
    """Upload a file of team-level results, preview what it enters, save it as one batch."""
    st.markdown("**Upload them**")
    uploaded = st.file_uploader(
        "Team-level results (CSV or .xlsx)",
        key="entry_upload",
        help="Columns: team, n, awareness, desire, knowledge, ability, reinforcement; optional sds (awareness_sd …).",
    )
    if uploaded is None:
        return
    data = uploaded.getvalue()
    try:
        result = ui.dry_run(services.enter_team_results, data, uploaded.name, wave, initiative)
    except (ImportRejected, access.Refused) as problem:
        ui.say("error", problem)
        return
    notes = ["Nothing is written until you press Save."]
    if result.replaced:
        notes.append(f"Replaces the earlier entry of {', '.join(result.replaced)} in {wave}.")
    if result.ignored_columns:
        notes.append(f"Columns not used: {', '.join(result.ignored_columns)}.")
    st.caption(markdown_text(" ".join(notes)))
    st.dataframe(result.preview, hide_index=True, width="stretch", key="entry_preview", placeholder=ui.MISSING)
    if st.button(f"Save {len(result.preview)} teams' results into {wave}", type="primary", key="entry_file_save"):
        done = ui.call(services.enter_team_results, data, uploaded.name, wave, initiative)
        ui.keep("import_message", done.report_lines()[0])
        st.rerun()


with team_tab:
    team_level()

with history_tab:
    history = ui.import_batches()
    if ui.scope() is not None:  # someone who looks after some teams sees (and undoes) their own imports only
        history = history[history["imported_by"] == ui.actor().name]
    if history.empty:
        st.info("Nothing imported yet.")
    else:
        st.dataframe(
            history.rename(
                columns={
                    "id": "Batch",
                    "file_name": "File",
                    "imported_at": "Imported",
                    "imported_by": "By",
                    "wave": "Wave",
                    "initiative": "Initiative",
                    "responses": "Responses",
                }
            ).drop(columns=["kind"]),
            hide_index=True,
            width="stretch",
            placeholder=ui.MISSING,
        )
        batch = st.selectbox(
            "Batch",
            history["id"].tolist(),
            format_func=lambda i: f"{i} · {history.set_index('id').loc[i, 'file_name']}",
            key="undo_batch",
        )
        with st.expander("Row outcomes of this batch"):
            recorded = ui.batch_outcomes(batch)
            st.write(preview.recorded_counts(recorded))
            st.caption(markdown_text(recorded.get("note", "")))
            rows = preview.recorded_rows(recorded)
            if not rows.empty:
                st.dataframe(rows, hide_index=True, width="stretch", placeholder=ui.MISSING)
        if st.button("Undo this import", key="undo"):
            st.session_state["confirm_undo"] = batch
        if st.session_state.get("confirm_undo") == batch:
            st.warning(f"Remove batch {batch} and every response it brought? This cannot be undone.")
            yes, no = st.columns(2)
            if yes.button("Yes, remove it", type="primary"):
                try:
                    removed = ui.call(services.undo_batch, batch)
                except access.Refused as problem:  # rows of teams they no longer look after
                    ui.say("error", problem)
                else:
                    st.session_state.pop("confirm_undo")
                    ui.keep("import_message", f"Removed batch {batch}: {removed} responses.")
                    st.rerun()
            if no.button("Keep it"):
                st.session_state.pop("confirm_undo")
                st.rerun()
