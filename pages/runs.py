"""Runs: this browser's saved runs. Sort, filter, compare up to six, reopen, delete, export."""

import streamlit as st

from mlp_ui import runs, saving
from mlp_ui.run import page_settings
from mlp_ui.safe import plain
from mlp_ui.workspace import workspace_id

runs.switch_if_reopened()
page_settings()     # a deep link to /runs goes through the router first
st.title("Runs")
st.caption("Every run you finish, pause or see diverge in the Playground, and every sweep, is "
           "kept here for this browser (no account: the browser keeps an anonymous id). "
           "Select up to six rows to compare them.")
runs.show_message()

saving.save_if_due()      # a run left training by switching to this page
saving.wait_for_saves()   # so that the run just finished is in the list
store, reason = saving.store_or_reason()
if store is None:
    st.warning(plain(reason), icon=":material/cloud_off:")
    st.stop()
workspace = workspace_id()
if workspace is None:
    st.info("Finding this browser's runs…")
    st.stop()

summaries = store.list_runs(workspace)
if not summaries:
    st.info("No runs yet. Train a network in the Playground: it is saved here when it "
            "finishes, pauses or diverges.")
    st.stop()

labels = runs.run_labels(summaries)
c = st.columns([1.3, 1, 1.3, 1.6])
kinds = sorted({s.kind for s in summaries})
statuses = sorted({s.status for s in summaries})
datasets = sorted({s.settings.get("dataset", "") for s in summaries})
kind_pick = c[0].multiselect("Kind", kinds, default=kinds, key="runs-kind")
status_pick = c[1].multiselect("Status", statuses, default=statuses, key="runs-status")
data_pick = c[2].multiselect("Data set", datasets, default=datasets, key="runs-data")
text = c[3].text_input("Title contains", key="runs-text", placeholder="e.g. xor 2-4-1")
shown = runs.filtered(summaries, kind_pick, status_pick, data_pick, text)
if not shown:
    st.info("No run matches these filters.")
    st.stop()

frame = runs.table(shown, labels)
number = st.column_config.NumberColumn
st.session_state[runs.SHOWN_IDS] = [s.id for s in shown]   # for the table's callback
st.dataframe(
    frame, key=runs.TABLE_KEY, on_select=runs.rows_ticked, selection_mode="multi-row",
    hide_index=True, width="stretch", column_config={
        "title": st.column_config.TextColumn(width="medium"),
        **{label: number(format="%.4g") for label in runs.SCORES.values() if label in frame},
        "lr": number(format="%g")})
st.caption(f"{len(shown)} of {len(summaries)} runs. Click a column's name to sort by it; tick "
           "rows (or pick runs below) to compare them.")
by_id = {s.id: s for s in shown}
runs.keep_picks(by_id)
picked_ids = st.multiselect(
    "Runs to compare", list(by_id), key=runs.PICK_KEY, max_selections=runs.MAX_COMPARE,
    format_func=lambda i: f"{labels[i]} {by_id[i].title}", placeholder="Pick up to six runs")
picked = [by_id[i] for i in picked_ids]

bar = st.columns([1, 1, 1, 2])
bar[0].download_button("Export CSV", runs.csv_text(frame), file_name="mlp-runs.csv",
                       mime="text/csv", on_click="ignore", key="runs-csv",
                       help="The table as shown (filters applied).")
if picked and bar[1].button(f"Delete {len(picked)} selected", key="runs-delete"):
    st.session_state[runs.CONFIRM_DELETE] = [s.id for s in picked]
if st.session_state.get(runs.CONFIRM_DELETE):
    doomed = st.session_state[runs.CONFIRM_DELETE]
    st.warning(f"Delete {len(doomed)} run{'s' * (len(doomed) != 1)} for good?")
    yes, no = st.columns([1, 6])
    yes.button("Yes, delete", type="primary", key="runs-delete-yes", on_click=runs.delete,
               args=(store, doomed, workspace))
    no.button("Cancel", key="runs-delete-no",
              on_click=lambda: st.session_state.pop(runs.CONFIRM_DELETE, None))

if len(picked) == 1:
    record = store.get_run(picked[0].id, workspace)
    if record is not None:
        st.subheader(f"{labels[record.id]}: {record.title}")
        one = st.columns([1, 1, 3])
        one[0].button("Open in Playground", type="primary", key="runs-reopen",
                      on_click=runs.reopen, args=(store, record.id, workspace),
                      disabled=not record.model,
                      help="The Playground with this run's settings and final weights."
                      if record.model else "Sweeps and races keep no single network.")
        runs.record_report_button(one[1], record)
        one[2].caption(f"Link that reproduces it: `{record.link}`")
        runs.kind_details(record)

if len(picked) >= 2:
    runs.compare_section(store, workspace, picked, labels)
runs.seeds_section(store, workspace, shown)
runs.parallel_section(picked if len(picked) >= 2 else shown)  # the compared runs, else all
