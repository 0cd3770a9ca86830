"""Import & entry: upload a survey export, see what will happen to every row, import, undo."""

import pandas as pd
import streamlit as st

from cxchange import db as store
from cxchange import entry, ui
from cxchange.importing import ImportMapping, ImportRejected, UnmappedLabels, question_set_csv
from cxchange.importing import import_survey as run_import
from cxchange.model import SCALE
from cxchange.text import plural

st.title("Import & entry")
db = store.open_db(ui.db_path())
items = store.items(db)
item_label = {code: f"{code} · {text}" for code, text in zip(items["code"], items["text"], strict=True)}

if message := st.session_state.pop("import_message", None):
    st.success(message)

survey_tab, team_tab, history_tab = st.tabs(["Survey file", "Team-level results", "Import history"])


def survey_file() -> None:
    """Upload, preview, map, import: returns early wherever the user has something to do first."""
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
    initiatives = store.initiatives(db)
    left, right = st.columns(2)
    initiative = left.selectbox(
        "Initiative", initiatives["name"].tolist() or ["Customer experience programme"], key="import_initiative"
    )
    initiative_id = store.initiative_id(db, initiative)
    known_waves = store.waves(db, initiative_id)["name"].tolist()[::-1] if initiative_id else []
    wave_choice = right.selectbox("Wave", [*known_waves, "New wave…"], key="import_wave")
    wave = right.text_input("New wave name", key="import_new_wave") if wave_choice == "New wave…" else wave_choice

    if uploaded is not None and wave:
        data = uploaded.getvalue()
        saved = store.saved_mappings(db)
        with st.expander("Mapping: columns, answers and teams", expanded=False):
            chosen = st.selectbox("Start from a saved mapping", ["(none)", *saved], key="saved_mapping")
            base = ImportMapping.from_json(saved[chosen]) if chosen in saved else ImportMapping()
            mapping_state = st.session_state.setdefault(f"mapping:{uploaded.file_id}:{chosen}", base)
        mapping = mapping_state
        try:
            result = run_import(db, data, uploaded.name, wave, initiative, mapping, dry_run=True)
        except UnmappedLabels as problem:
            st.warning(
                "Some answers are not on the 1–5 agreement scale. Say what each means; nothing is dropped silently."
            )
            choices = {f"{label.capitalize()} ({value})": value for label, value in SCALE.items()}
            choices["Missing (not an answer)"] = None
            with st.form(f"labels:{uploaded.file_id}"):
                chosen = {
                    label: st.selectbox(
                        f"“{label}” means",
                        list(choices),
                        index=None,
                        placeholder="Choose a value",
                        help=f"Found in: {', '.join(columns)[:300]}",
                    )
                    for label, columns in problem.labels.items()
                }
                if st.form_submit_button("Use these values", type="primary"):
                    if None in chosen.values():
                        st.error("Choose a value for every answer before going on.")
                    else:
                        mapping.labels.update({label: choices[choice] for label, choice in chosen.items()})
                        st.rerun()
            return
        except ImportRejected as problem:
            st.error(str(problem))
            return

        plan = result.plan
        st.subheader("Preview")
        if result.already_imported:
            st.info(result.report_lines()[0])
            return
        counts = plan.counts()
        st.caption(f"Read as a {plan.tool} export · team from column “{plan.team_column}”")
        a, b, c, d = st.columns(4)
        a.metric("Complete responses", counts.get("imported", 0))
        b.metric("Incomplete (kept out of scores)", counts.get("incomplete", 0))
        c.metric("Rows skipped", plan.rows_skipped)
        d.metric(
            "Answers treated as missing",
            len(plan.problems),
            help="Off the 1–5 scale, or a non-answer such as Don't know: listed below.",
        )
        for line in result.created:
            st.write(f"• {line}")
        per_team = plan.per_team()
        st.dataframe(
            per_team.rename(columns={"team": "Team", "complete": "Complete", "incomplete": "Incomplete"}),
            hide_index=True,
        )
        minimum = int(store.settings(db)["min_group_size"])
        small = per_team[per_team["complete"] < minimum]["team"].tolist()
        if small:
            st.info(
                f"{len(small)} of {len(per_team)} teams have fewer than {minimum} complete responses in this file "
                f"({', '.join(small[:5])}): their figures stay hidden unless the wave has more from them, and a "
                "team beside them may be hidden too so they cannot be worked out."
            )
        if plan.outcomes or plan.problems:
            st.write("**What happens to the other rows**")
            problems = [
                {"Row": o.row, "What happens": o.reason, "Team": o.team or "", "Column": ""} for o in plan.outcomes
            ] + [
                {
                    "Row": p.row,
                    "What happens": f"answer {p.value!r} is {p.reason}: treated as missing",
                    "Team": "",
                    "Column": p.column,
                }
                for p in plan.problems
            ]
            st.dataframe(
                pd.DataFrame(problems).sort_values("Row"),
                hide_index=True,
                width="stretch",
                column_config={"What happens": st.column_config.TextColumn(width="large")},
            )

        count = len(plan.new_teams)
        new_teams = f", {plural(count, 'new team')}" if count else ""
        with st.expander(f"Columns and teams: {len(plan.matches)} question-bank items matched{new_teams}"):
            matched = pd.DataFrame(
                [
                    {"Column in the file": m.header, "Question": item_label[m.item_code], "Matched by": m.how}
                    for m in plan.matches
                ]
            )
            st.dataframe(matched, hide_index=True, width="stretch")
            unmatched = [h for h in plan.headers if h not in set(matched["Column in the file"]) | {plan.team_column}]
            column = st.selectbox("Map another column", ["(choose a column)", *unmatched], key="map_column")
            question = st.selectbox("to the question", list(item_label), format_func=item_label.get, key="map_item")
            if st.button("Map column") and column != "(choose a column)":
                mapping.columns[column] = question
                st.rerun()
            existing = store.teams(db)["name"].tolist()
            for team in plan.new_teams:
                target = st.selectbox(
                    f"Team “{team}” in the file is",
                    ["a new team", *existing],
                    key=f"map_team:{team}",
                    help="Choose an existing team where the file spells it differently.",
                )
                if target != "a new team":
                    mapping.teams[team] = target
                    st.rerun()
            team_column = st.selectbox(
                "Team column", plan.headers, index=plan.headers.index(plan.team_column), key="map_team_column"
            )
            if team_column != plan.team_column:
                mapping.team_column = team_column
                st.rerun()
            name = st.text_input("Save this mapping as", key="mapping_name")
            if st.button("Save mapping"):
                store.save_mapping(db, name, mapping.to_json())
                st.toast(f"Saved the mapping {name!r} for the next file.")

        if st.button("Import", type="primary", disabled=not counts.get("imported", 0) + counts.get("incomplete", 0)):
            done = run_import(db, data, uploaded.name, wave, initiative, mapping)
            ui.after_write()
            st.session_state["import_message"] = "  \n".join(done.report_lines()[:2] + done.created)
            st.rerun()


with survey_tab:
    survey_file()


def team_level() -> None:
    """An editable grid for results that exist only as team means; validated, then stored as one batch."""
    st.write(
        "Where only team averages exist (a workshop poll, another tool's report), type them here: one row per "
        "team, element means on 1–5 and the number of respondents. They count in every view, weighted by n, "
        "and are marked: no significance test is possible without respondent-level data."
    )
    initiative_id = store.initiative_id(db, st.session_state.get("import_initiative") or "")
    waves = store.waves(db, initiative_id) if initiative_id else store.waves(db)
    if waves.empty:
        st.info("Create a wave first: import a survey file, or load the demo under Settings.")
        return
    names = dict(zip(waves["name"], waves["id"], strict=True))
    wave = st.selectbox("Wave", list(names)[::-1], key="entry_wave")
    teams = store.teams(db)
    team_ids = dict(zip(teams["name"], teams["id"], strict=True))
    current = entry.grid_from_results(
        store.team_results(db, names[wave]), dict(zip(teams["id"], teams["name"], strict=True))
    )
    edited = st.data_editor(
        current,
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        key=f"entry_grid:{names[wave]}",
        column_config={
            "Team": st.column_config.SelectboxColumn(options=sorted(team_ids), required=True),
            **{
                label: st.column_config.NumberColumn(min_value=1.0, max_value=5.0, step=0.01, format="%.2f")
                for label in entry.GRID_COLUMNS[1:6]
            },
            "n": st.column_config.NumberColumn(min_value=1, step=1, help="Respondents behind the means"),
            "sd (optional)": st.column_config.NumberColumn(
                min_value=0.0, step=0.01, help="Standard deviation, if reported"
            ),
        },
    )
    if st.button("Save team-level results", type="primary", key="entry_save"):
        rows, problems = entry.check_grid(edited, team_ids)
        if problems:
            st.error("Nothing was saved:\n\n" + "\n".join(f"- {problem}" for problem in problems))
        elif rows.empty:
            st.warning("The grid is empty: add a row per team.")
        else:
            batch = store.save_team_results(db, names[wave], rows, "app")
            ui.after_write()
            st.session_state["import_message"] = (
                f"Saved team-level results for {rows['team_id'].nunique()} teams in {wave} (batch {batch})."
            )
            st.rerun()


with team_tab:
    team_level()

with history_tab:
    history = store.batches(db)
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
        )
        batch = st.selectbox(
            "Batch",
            history["id"].tolist(),
            format_func=lambda i: f"{i} · {history.set_index('id').loc[i, 'file_name']}",
            key="undo_batch",
        )
        with st.expander("Row outcomes of this batch"):
            recorded = store.batch_outcomes(db, batch)
            st.write(", ".join(f"{kind}: {count}" for kind, count in recorded.get("counts", {}).items()))
            st.caption(recorded.get("note", ""))
            rows = pd.DataFrame(recorded.get("rows", []) + recorded.get("problems", []))
            if not rows.empty:
                st.dataframe(rows.sort_values("row"), hide_index=True, width="stretch")
        if st.button("Undo this import", key="undo"):
            st.session_state["confirm_undo"] = batch
        if st.session_state.get("confirm_undo") == batch:
            st.warning(f"Remove batch {batch} and every response it brought? This cannot be undone.")
            yes, no = st.columns(2)
            if yes.button("Yes, remove it", type="primary"):
                removed = store.undo_batch(db, batch)
                ui.after_write()
                st.session_state.pop("confirm_undo")
                st.session_state["import_message"] = f"Removed batch {batch}: {removed} responses."
                st.rerun()
            if no.button("Keep it"):
                st.session_state.pop("confirm_undo")
                st.rerun()
