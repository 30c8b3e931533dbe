"""The learner-facing package: data loading, hints, self-check, chart style."""

import json
import os
import shutil

import pandas as pd
import plotly.express as px
import plotly.io as pio
import pytest

import pmcourse
from pmcourse import data, feedback
from pmcourse.charts import OKABE_ITO, TEMPLATE_NAME

REPO = data.Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_dataset_override(monkeypatch):
    monkeypatch.delenv(data.DATASETS_ENV_VAR, raising=False)


# --- finding and loading datasets -------------------------------------------------


@pytest.mark.parametrize(
    "where", [".", "modules/m00_orientation", "autograded/alice/m00_orientation", "solutions/m00_orientation"]
)
def test_datasets_are_found_from_anywhere_in_the_course(where, tmp_path, monkeypatch):
    course = tmp_path / "course"
    shutil.copytree(REPO / "datasets", course / "datasets", ignore=shutil.ignore_patterns("generator", "*.py"))
    (course / where).mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(course / where)
    assert data.datasets_dir() == (course / "datasets").resolve()


def test_datasets_are_found_from_outside_the_course_through_the_installed_package(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert data.datasets_dir() == REPO / "datasets"


def test_the_environment_variable_points_the_loader_elsewhere(tmp_path, monkeypatch):
    copy = tmp_path / "datasets"
    shutil.copytree(REPO / "datasets", copy, ignore=shutil.ignore_patterns("generator", "*.py"))
    monkeypatch.setenv(data.DATASETS_ENV_VAR, str(copy))
    assert data.datasets_dir() == copy
    monkeypatch.setenv(data.DATASETS_ENV_VAR, str(tmp_path / "nowhere"))
    with pytest.raises(FileNotFoundError, match="PMCOURSE_DATASETS"):
        data.datasets_dir()


def test_a_wrong_name_lists_the_datasets_and_suggests_the_closest():
    with pytest.raises(data.DatasetNotFoundError) as raised:
        pmcourse.load("onboarding_task")
    message = str(raised.value)
    assert "Did you mean 'onboarding_tasks'" in message
    assert all(name in message for name in pmcourse.dataset_names())


def test_load_returns_typed_columns_from_the_data_package():
    tasks = pmcourse.load("onboarding_tasks")
    assert tasks["due_day"].dtype == "Int64"
    assert tasks["estimated_hours"].dtype == "float64"
    assert isinstance(tasks["status"].dtype, pd.CategoricalDtype)
    assert list(tasks["status"].cat.categories) == ["done", "in progress", "not started"]
    assert pd.api.types.is_string_dtype(tasks["task"])


def test_load_parses_dates(tmp_path, monkeypatch):
    package = {
        "resources": [
            {
                "name": "events",
                "path": "events.csv",
                "schema": {
                    "fields": [
                        {"name": "day", "type": "date"},
                        {"name": "at", "type": "datetime"},
                        {"name": "paid", "type": "boolean"},
                        {"name": "n", "type": "integer"},
                    ]
                },
            }
        ]
    }
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    (tmp_path / "events.csv").write_text("day,at,paid,n\n2026-01-02,2026-01-02T10:30:00,true,\n")
    monkeypatch.setenv(data.DATASETS_ENV_VAR, str(tmp_path))
    events = pmcourse.load("events")
    assert events.loc[0, "day"] == pd.Timestamp("2026-01-02")
    assert events.loc[0, "at"] == pd.Timestamp("2026-01-02 10:30")
    assert bool(events.loc[0, "paid"]) is True
    assert events["n"].isna().all() and events["n"].dtype == "Int64"


def test_each_load_is_a_fresh_copy():
    first = pmcourse.load("onboarding_tasks")
    first.loc[0, "estimated_hours"] = 999
    assert pmcourse.load("onboarding_tasks").loc[0, "estimated_hours"] != 999


def test_a_changed_file_is_read_again(tmp_path, monkeypatch):
    """load parses a file once while it is unchanged; a file changed since (time or size) is parsed again."""
    package = {"resources": [{"name": "counts", "path": "counts.csv",
                              "schema": {"fields": [{"name": "n", "type": "integer"}]}}]}
    (tmp_path / "datapackage.json").write_text(json.dumps(package))
    table = tmp_path / "counts.csv"
    table.write_text("n\n1\n")
    monkeypatch.setenv(data.DATASETS_ENV_VAR, str(tmp_path))
    assert pmcourse.load("counts")["n"].tolist() == [1]
    table.write_text("n\n2\n")
    os.utime(table, ns=(table.stat().st_atime_ns, table.stat().st_mtime_ns + 1_000_000_000))
    assert pmcourse.load("counts")["n"].tolist() == [2], "a changed file must be read again"
    table.write_text("n\n3\n4\n")
    assert pmcourse.load("counts")["n"].tolist() == [3, 4]


# --- self-check --------------------------------------------------------------------


def write_key(folder, question, value):
    (folder / feedback.FINGERPRINTS_FILE).write_text(
        json.dumps({question: feedback.fingerprint(question, value)})
    )


def test_self_check_says_right_for_the_answer_and_not_yet_otherwise(tmp_path, capsys):
    write_key(tmp_path, "q1", 0.375)
    assert feedback.self_check("q1", 0.3750000001, folder=tmp_path) is None  # nothing for nbgrader to read
    assert capsys.readouterr().out == "Self-check q1: fully right.\n"
    feedback.self_check("q1", 0.38, folder=tmp_path)
    out = capsys.readouterr().out
    assert "not fully right yet" in out and "0.375" not in out


def test_self_check_never_raises_and_prints_only_to_stdout(tmp_path, capsys):
    feedback.self_check("q1", object(), folder=tmp_path)
    feedback.self_check("q1", 1.0, folder=tmp_path)  # no fingerprint file
    captured = capsys.readouterr()
    assert captured.err == "", "stderr output makes nbgrader score a test cell 0"
    assert captured.out.count("Self-check q1:") == 2


def test_fingerprints_are_salted_by_question_and_are_not_a_plain_hash_of_the_answer():
    """An unsalted hash could be looked up in a table of precomputed hashes of likely answers."""
    import hashlib
    import json

    assert feedback.fingerprint("q1", 42) != feedback.fingerprint("q2", 42)
    text = json.dumps(feedback.canonical(42), sort_keys=True).encode()
    plain = {hashlib.sha256(text).hexdigest()[:32], hashlib.md5(text).hexdigest(), hashlib.sha1(text).hexdigest()[:32]}
    assert feedback.fingerprint("q1", 42) not in plain


def test_canonical_form_keeps_order_of_series_but_not_of_dicts():
    ranked = pd.Series([3.0, 1.0], index=["a", "b"])
    assert feedback.canonical(ranked) != feedback.canonical(ranked.iloc[::-1])
    assert feedback.canonical({"a": 1, "b": 2}) == feedback.canonical({"b": 2, "a": 1})
    assert feedback.canonical(-0.0) == feedback.canonical(0.0)
    assert feedback.canonical(pd.Series([1], index=pd.CategoricalIndex(["x"]))) == [["x", "1.000000"]]


# --- hints -------------------------------------------------------------------------


def test_hints_come_one_at_a_time_then_say_they_are_done(tmp_path, capsys):
    (tmp_path / feedback.HINTS_FILE).write_text("m09_q1_1_x:\n  - nudge\n  - method\n")
    feedback._hints_shown.clear()
    feedback.hint("m09_q1_1", folder=tmp_path)
    assert "Hint 1 of 2" in capsys.readouterr().out
    feedback.hint("m09_q1_1_x", folder=tmp_path)
    assert "method" in capsys.readouterr().out
    feedback.hint("m09_q1_1", folder=tmp_path)
    assert "last hint" in capsys.readouterr().out
    feedback.hint("nope", folder=tmp_path)
    assert "m09_q1_1_x" in capsys.readouterr().out


# --- chart style -------------------------------------------------------------------


def test_course_style_makes_every_figure_use_the_colour_blind_safe_palette():
    pmcourse.use_course_style()
    assert TEMPLATE_NAME in pio.templates.default
    figure = px.bar(x=["a", "b"], y=[1, 2], color=["a", "b"])
    colours = [trace.marker.color for trace in figure.data]
    assert colours == OKABE_ITO[:2]


def test_course_style_skips_the_iri_grammar_but_plotly_still_renders_for_notebooks():
    """In a fresh process, as in a learner's kernel: no rfc3987_syntax, and a figure's notebook output works."""
    script = (
        "import sys, json, jsonschema, plotly.express as px\n"
        "assert sys.modules.get('rfc3987_syntax') is None\n"
        "import nbformat, plotly.io as pio\n"
        "nbformat.validate(nbformat.v4.new_notebook())\n"
        "jsonschema.validate({'a': 1}, {'type': 'object'})\n"
        "bundle = pio.renderers['plotly_mimetype'].to_mimebundle(px.bar(x=[1, 2], y=[3, 4]).to_dict())\n"
        "print(json.dumps({'mimetypes': sorted(bundle)}))\n"
    )
    import subprocess
    import sys

    setup = "import pmcourse; pmcourse.use_course_style()\n"
    done = subprocess.run([sys.executable, "-c", setup + script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "application/vnd.plotly.v1+json" in json.loads(done.stdout)["mimetypes"]
    without = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert without.returncode != 0, "without use_course_style jsonschema should import rfc3987_syntax (else this test proves nothing)"


def test_equal_numbers_of_different_types_get_the_same_fingerprint():
    import numpy as np

    fingerprint = feedback.fingerprint

    assert fingerprint("q", 3000) == fingerprint("q", 3000.0) == fingerprint("q", np.int64(3000))
    assert fingerprint("q", [1, 2.5]) == fingerprint("q", (np.float32(1), 2.5))
    assert fingerprint("q", 3000) != fingerprint("q", 3001)
    assert fingerprint("q", True) == fingerprint("q", np.bool_(True))
    assert fingerprint("q", True) != fingerprint("q", 1), "a bool is not the number 1"


def test_probe_records_results_exceptions_and_modified_inputs():
    from pmcourse import probe

    def share_done(statuses):
        if not statuses:
            raise ValueError("no statuses")
        return sum(s == "done" for s in statuses) / len(statuses)

    def sorts_in_place(values):
        values.sort()
        return values[0]

    assert probe(share_done, [(["done", "x"],), ([],), {"statuses": ("done",)}]) == [0.5, "raises ValueError", 1.0]
    assert probe(sorts_in_place, [([3, 1],)]) == [[1, "modified its input"]]
    original = [3, 1]
    probe(sorts_in_place, [(original,)])
    assert original == [3, 1], "probe calls the function on copies"


def test_a_library_warning_in_a_test_cell_goes_to_stdout_not_stderr():
    """nbgrader fails a test cell that writes to stderr; a warning must not cost a right answer."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("import pandas as pd\nimport pmcourse"),
            nbformat.v4.new_code_cell("s = pd.Series([3, 1, 2])\ns.sort_values(inplace=True)\nlist(s)"),
            nbformat.v4.new_code_cell("import warnings\nwarnings.warn('soon', FutureWarning)"),
        ]
    )
    NotebookClient(notebook, timeout=60, kernel_name="python3").execute()
    for cell in notebook.cells[1:]:
        streams = {o.name: o.text for o in cell.outputs if o.output_type == "stream"}
        assert "stderr" not in streams, f"a warning went to stderr: {streams['stderr']!r}"
        assert "Warning" in streams.get("stdout", ""), "the learner should still see the warning"


def test_a_question_prefix_means_that_question_not_its_longer_neighbours(tmp_path, capsys):
    (tmp_path / feedback.HINTS_FILE).write_text(
        "m05_q5_1_fit_scores:\n  - first\nm05_q5_11_people:\n  - eleventh\nm05_q5_12_gaps:\n  - twelfth\n"
    )
    feedback.hint("m05_q5_1", folder=tmp_path)
    assert "first" in capsys.readouterr().out
    feedback.hint("m05_q5_1_", folder=tmp_path)
    feedback.hint("m05_q5", folder=tmp_path)  # ambiguous: lists the questions instead of guessing
    assert "No hints for 'm05_q5'" in capsys.readouterr().out
