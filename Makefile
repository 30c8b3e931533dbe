# The course's commands. On a fresh machine (Python 3.11, no conda):
#   make lab    open the course in JupyterLab
#   make test   run the whole test suite
# Both create the local environment .venv/ first if it is missing.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# JupyterLab refuses to start as root unless told it may.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
# nbgrader (formgrader included) runs tools such as `alembic` from PATH.
export PATH := $(CURDIR)/$(BIN):$(PATH)

.PHONY: lab test unit env progress modules fingerprints datasets bench-notebooks bench-datasets bench-grading bench-hub lock clean

lab: $(STAMP)
	$(BIN)/jupyter lab START-HERE.ipynb --ServerApp.root_dir="$(CURDIR)" $(ROOT_FLAG)

test: $(STAMP)
	$(BIN)/python -m pytest

# The fast unit tier (no kernels, no nbgrader runs; under 20 s): grading stages, outcomes, plugins.
unit: $(STAMP)
	$(BIN)/python -m pytest -m unit -n 0 tests/unit

env: $(STAMP)

# Learner: which questions of your notebooks are fully right, started or untouched.
progress: $(STAMP)
	$(BIN)/python -m pmcourse.progress --log my-progress.csv

# Install the pinned packages (requirements.lock pins every transitive one)
# and this project, editable, so notebooks import `pmcourse` from the checkout.
$(STAMP): pyproject.toml requirements.lock jupyterlab-overrides.json
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c requirements.lock -e .
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyterlab-overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	touch $@

# Instructor: regenerate the student notebooks in modules/ from solutions/.
modules: $(STAMP)
	$(BIN)/python -m autograder.release

# Instructor: regenerate each module's answer_fingerprints.json from its solutions.
fingerprints: $(STAMP)
	$(BIN)/python -m autograder.fingerprints

# Benchmark: seconds per solution notebook and its slowest cell (budget: 30 s and 5 s).
bench-notebooks: $(STAMP)
	$(BIN)/python -m autograder.timings

# Benchmark: stock sequential nbgrader autograde vs the cohort pipeline (60 students x every module),
# then the engines (local, Dask with 1 and 2 workers) and a projection for 6,000 submissions.
# Quick form: make bench-grading BENCH_ARGS="--students 8 --modules m00_orientation --skip-stock"
bench-grading: $(STAMP)
	$(BIN)/python -m autograder.bench_grading $(BENCH_ARGS)

# Benchmark: submit-to-score-visible on a real JupyterHub (tests/test_hub.py alone, 12 submissions one
# after another); figures printed and appended to artifacts/hub/submit_to_score.txt.
bench-hub: $(STAMP)
	HUB_SUBMISSIONS=12 $(BIN)/python -m pytest -n 0 -s -q tests/test_hub.py

# Benchmark: seconds to load each dataset (budget: 1 s a table).
bench-datasets: $(STAMP)
	$(BIN)/python datasets/bench_load.py

# Regenerate the sample datasets (deterministic: same bytes every time).
datasets: $(STAMP)
	$(BIN)/python datasets/generate.py

# Maintainer: re-pin every transitive package after changing pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --all --exclude pip --exclude-editable --disable-pip-version-check > requirements.lock

clean:
	rm -rf $(VENV) gradebook.db submitted autograded feedback
