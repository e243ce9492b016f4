# Every routine task. `make demo` and `make test` install whatever is missing first.
SHELL := /bin/bash
PY := .venv/bin/python
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
export UV_LINK_MODE ?= copy
export GX_ANALYTICS_ENABLED ?= false
export DAGSTER_DISABLE_TELEMETRY ?= 1
export DBT_SEND_ANONYMOUS_USAGE_STATS ?= false

.PHONY: help install system-deps demo demo-no-serve test test-fast test-browser bench lint format dagster dashboards \
        warehouse-start warehouse-stop sandbox clean test-under-load test-dates

PYTEST := $(PY) -m pytest -q -p no:cacheprovider
# What the test targets run: the whole suite unless narrowed, e.g. `make test TESTS=tests/unit`.
TESTS ?=
COV_DIR := test-artifacts/coverage
# The days `make test-dates` pins "today" to (MRM_TODAY): the latest 1st, 10th and 31st of a month.
DATES ?= $(shell $(PY) scripts/month_days.py 2>/dev/null)
# Everything that reads "today" (the fault suite pins its own fixed day, so it is left out).
DATE_TESTS ?= tests --ignore=tests/faults

help: ## list targets
	@grep -E '^[a-z-]+:.*## ' Makefile | awk 'BEGIN{FS=":.*## "}{printf "  %-16s %s\n", $$1, $$2}'

.venv/.installed: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 || python3 -m pip install -q uv
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed ## Python environment from uv.lock

system-deps: ## Debian packages (chromium, DejaVu fonts, poppler)
	@bash scripts/install-system-deps.sh

demo: install system-deps ## run the platform's main job on the embedded defaults, then serve the UIs
	$(PY) -m mrm.cli demo

demo-no-serve: install system-deps ## the same job, print a summary and exit
	$(PY) -m mrm.cli demo --no-serve

test: install system-deps ## the whole suite with line coverage of the packages (total printed at the end)
	@mkdir -p $(COV_DIR) && rm -f $(COV_DIR)/.coverage*
	@status=0; $(PYTEST) --cov --cov-report= $(TESTS) || status=$$?; \
	$(PY) -m coverage combine --append -q >/dev/null 2>&1 || true; \
	echo "least covered modules (most missed lines first):"; \
	$(PY) -m coverage report --skip-covered 2>/dev/null | head -n 17; \
	echo "line coverage of the packages: $$($(PY) -m coverage report --format=total 2>/dev/null)%"; \
	exit $$status

test-under-load: install system-deps ## the suite while a CPU hog keeps every core busy (stopped afterwards, even on failure)
	@$(PY) scripts/cpu_hog.py --seconds 14400 & hog=$$!; \
	trap 'kill $$hog 2>/dev/null; wait $$hog 2>/dev/null' EXIT; \
	$(PY) scripts/cpu_hog.py --await-load 180; \
	$(PYTEST) $(TESTS)

test-dates: install system-deps ## date-sensitive tests with today (MRM_TODAY) on the 1st, 10th and 31st of a month
	@test -n "$(DATES)" || { echo "no dates: scripts/month_days.py failed"; exit 1; }
	@set -e; for day in $(DATES); do echo "== MRM_TODAY=$$day"; MRM_TODAY=$$day $(PYTEST) $(or $(TESTS),$(DATE_TESTS)); done

test-fast: install ## unit tests only
	$(PYTEST) tests/unit

test-browser: install system-deps ## real-browser tests only (Debian chromium)
	$(PY) -m pytest -q -m browser tests/e2e

bench: install system-deps ## benchmarks; results appended to BENCHMARKS.md
	$(PY) -m benchmarks.run

lint: install ## ruff format --check, ruff, mypy, sqlfluff
	$(PY) -m ruff format --check .
	$(PY) -m ruff check .
	$(PY) -m mypy
	cd dbt_project && ../$(PY) -m sqlfluff lint models --processes 2

format: install ## ruff fixes and formatting, in place
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

dagster: install ## Dagster UI on 127.0.0.1:3000
	$(PY) -m mrm.cli dagster

dashboards: install ## Streamlit app on 127.0.0.1:8501
	$(PY) -m mrm.cli dashboards

warehouse-start: install ## embedded warehouse in the background
	$(PY) -m mrm.cli warehouse start

warehouse-stop: install
	$(PY) -m mrm.cli warehouse stop

sandbox: install ## API emulators on loopback
	$(PY) -m mrm.cli sandbox start

clean: ## stop the warehouse and remove the data directory
	-$(PY) -m mrm.cli warehouse stop
	rm -rf .mrm test-artifacts dbt_project/target

.PHONY: test-security
test-security: install ## security suite: tenant isolation, SQL injection, uploads, secrets, provisioning (docs/security.md)
	$(PY) -m pytest -q -p no:cacheprovider tests/security

.PHONY: bench-compare bench-scale
bench-compare: install ## side by side: our connectors vs dlt, embedded server vs chDB vs DuckDB, reach states vs uniqExact
	$(PY) -m benchmarks.run --only compare

bench-scale: install ## growth of dbt incremental runs, mart query p95 and disk from 1 M to 100 M rows (docs/img/scale.png)
	$(PY) -m benchmarks.run --only scale

.PHONY: test-faults
test-faults: install ## fault suite: sandbox faults, kill -9 of warehouse/Dagster, disk full, SMTP drops (MRM_FAULT_SCALE=small|large)
	$(PY) -m pytest -q -p no:cacheprovider tests/faults
