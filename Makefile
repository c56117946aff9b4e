# The two commands: `make run` and `make test`. Everything else is what they are made of.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.DEFAULT_GOAL := help

.PHONY: help
help: ## Show this help
	@grep -hE '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

.PHONY: venv
venv: $(BIN)/activate ## Create .venv and install the package with its test tools

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	touch node_modules/.package-lock.json

.PHONY: assets
assets: node_modules/.package-lock.json ## Build the branded stylesheet and copy the GOV.UK Frontend assets
	mkdir -p dps/static/build dps/static/govuk
	rm -rf dps/static/govuk/assets
	cp -R node_modules/govuk-frontend/dist/govuk/assets dps/static/govuk/assets
	cp node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js dps/static/govuk/
	node_modules/.bin/sass --quiet --no-source-map --pkg-importer=node --style=compressed \
		dps/static/scss/main.scss dps/static/build/main.css

.PHONY: chromium
chromium: ## Install Debian's Chromium for the browser tests, if it is missing
	@if [ ! -x /usr/bin/chromium ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
		else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; \
	fi

.PHONY: setup
setup: venv assets ## Everything `make run` and `make test` need

.PHONY: db
db: setup ## Apply the migrations (SQLite under instance/ unless DATABASE_URL is set)
	$(FLASK) db upgrade

.PHONY: demo
demo: db ## Load the demonstration data (safe to run twice)
	$(FLASK) demo load

.PHONY: run
run: demo ## Set up, load the demo data and serve the portal at http://127.0.0.1:5000
	@$(FLASK) demo sign-ins
	SCHEDULER_IN_PROCESS=1 $(FLASK) run --host 127.0.0.1 --port 5000

.PHONY: lint
lint: venv ## ruff and mypy
	$(BIN)/ruff check dps workers tests bench migrations wsgi.py
	$(BIN)/ruff format --check dps workers tests bench wsgi.py
	$(BIN)/mypy

.PHONY: test
test: setup chromium lint ## Set up, then run ruff, mypy and the whole suite
	$(BIN)/pytest -p no:cacheprovider

.PHONY: bench
bench: setup ## Run the benchmarks under bench/
	@for b in bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

.PHONY: clean
clean: ## Remove the virtual environment, node_modules, built assets and instance/
	rm -rf $(VENV) node_modules dps/static/build dps/static/govuk instance
