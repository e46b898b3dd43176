"""Every ``st.session_state`` key the app uses, declared once.

The sidebar's widget keys are the ``Settings`` field names, which are also the
URL parameter names, so a shared link and the session agree on one vocabulary.
"""

from dataclasses import fields

from mlp_core.settings import Settings

SETTING_KEYS = tuple(f.name for f in fields(Settings))

SESSION_ID = "session_id"     # str: this session's id in the pacing tables (mlp_ui.shared)
RUN = "run"                    # mlp_ui.run.Run: the network, its data and its trainer
TRAINING = "training"          # bool: a Train press is being carried out
URL_LOADED = "url_loaded"      # bool: this session has read its link once
URL_NOTICES = "url_notices"    # list[str]: link values that had to be replaced
CSV_BYTES = "csv_bytes"        # bytes of the last good uploaded CSV
CSV_NAME = "csv_name"
CSV_ERROR = "csv_error"        # message about the last rejected upload
CSV_UPLOADER = "csv_uploader"  # the file_uploader widget
CSV_SEEN = "csv_seen"          # file_id of the last upload handled
DRAWING = "drawing"            # mlp_core.datasets.Drawing: the points drawn ("Draw your own")
DRAW_CLASS = "draw_class"      # the class a click on the drawing plane adds
DRAW_CLICKS = "draw_clicks"    # clicks handled on the drawing plane (part of its chart key)
MODEL_UPLOADER = "model_uploader"
MODEL_SEEN = "model_seen"
MODEL_PENDING = "model_pending"  # a validated model waiting for the sidebar to match it
MODEL_MESSAGE = "model_message"
TIMELINE = "timeline"          # index into the trainer's snapshots
TIMELINE_SLIDER = "timeline-slider"  # the select_slider that sets TIMELINE (see below)
SHOW_NEURON_LINES = "show_neuron_lines"
LOG_LOSS = "log_loss"
EDIT_WEIGHTS = "edit_weights"  # bool: the Playground's weight tables are open for editing
EDIT_TABLE = "edit_table"      # prefix of those tables' data_editor keys (mlp_ui.edit_weights)
SHOW_UNIT_MAPS = "show_unit_maps"   # bool: the Playground's "What each neuron sees"
UNIT_PICKED = "unit_picked"         # mlp_ui.unitmaps.Unit: the unit shown up close
SHOW_REPLAY = "show_replay"
HIDDEN_SPACE_LAYER = "hidden_space_layer"     # int: the hidden layer the section draws
HIDDEN_SPACE_FIGURE = "hidden_space_figure"   # (what it shows, its figure): see hidden_space
PREDICT_X = "predict_x"
STEP_EPOCHS = "step_epochs"    # backprop page: epochs to jump
COMPARE_RESULT = "compare_result"
SWEEP_RESULT = "sweep_result"
SWEEP_LOW, SWEEP_HIGH, SWEEP_SEEDS = "sweep_low", "sweep_high", "sweep_seeds"

# The sidebar's sentence on which settings a change of data set filled in.
DATA_DEFAULTS_NOTE = "data_defaults_note"


def timeline_slider(frames: int) -> str:
    """The timeline slider's key for a timeline of ``frames`` frames (new length, new slider)."""
    return f"{TIMELINE_SLIDER}-{frames}"
