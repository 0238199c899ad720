# The README's two commands are `make demo` and `make test`; each bootstraps the virtualenv itself.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2

.PHONY: demo test test-postgres e2e fuzz-api lint format messages clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/yishi migrate --no-input -v0
	$(BIN)/yishi load-demo
	$(BIN)/yishi runserver $(HOST):$(PORT)

test: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/yishi makemigrations --check --dry-run -v1
	$(BIN)/pytest -m "not e2e" -n $(PYTEST_WORKERS) -q

# schemathesis against gunicorn on a scratch copy of the demo city (2-4 minutes); FUZZ_EXAMPLES=n for more.
fuzz-api: $(STAMP)
	scripts/fuzz-api

e2e: $(STAMP)
	$(BIN)/pytest -m e2e -q -p no:xdist --screenshot only-on-failure --output var/test-results

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: $(STAMP)
	cd src/yishi && ../../$(BIN)/yishi makemessages -l zh_Hans -l en --no-obsolete && ../../$(BIN)/yishi compilemessages

clean:
	rm -rf $(VENV) var
