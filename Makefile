# gameops: `make demo` runs the main job on the bundled sample game; `make test` runs the tests;
# `make lint` runs ruff and mypy (configured in pyproject.toml).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench install godot clean ui-check prefect-template

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,lint]'
	touch $(STAMP)

install: $(STAMP)

# Debian's headless Godot 3 and its runner (the sample game's export template).
# Set GAMEOPS_NO_APT=1 to refuse installing packages.
godot:
	@bash scripts/ensure-godot.sh

# The Prefect UI's port: make demo UI_PORT=4300 (or export GAMEOPS_SERVER__PORT); default 4200.
UI_PORT ?=
demo: install godot
	@$(if $(UI_PORT),GAMEOPS_SERVER__PORT=$(UI_PORT) )bash scripts/demo.sh

# Test files run side by side, one worker per core (TEST_WORKERS=0: one process, in order).
TEST_WORKERS ?= auto
test: install
	$(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check
	$(VENV)/bin/mypy

bench: install godot
	$(PY) -m pip install --quiet -e '.[test,bench]'
	$(PY) -m bench

# Screenshots of the Prefect UI after a release of the sample game into docs/img/ (Debian's chromium).
ui-check: install godot
	$(PY) scripts/ui_check.py

clean:
	rm -rf .demo build dist .pytest_cache .mypy_cache .ruff_cache

# Prefect's migrated empty SQLite database, shipped for a home's first server start: make it again
# after raising the Prefect version (a test fails while the installed Prefect does not know it).
prefect-template: install
	$(PY) scripts/prefect_db_template.py
