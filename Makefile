# Two commands for a newcomer: `make run` (set up + start the app) and `make test` (set up + test).
# Both create .venv with $(PYTHON) when it is missing and install the pinned requirements; CI runs .ci/run,
# which calls `make test`. `make lint` alone: ruff's checks and its formatting check, changing nothing.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8501

.PHONY: run test lint setup bench clean replicas

$(BIN)/.installed: requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -r requirements.txt
	touch $@

$(BIN)/.installed-dev: requirements-dev.txt $(BIN)/.installed
	$(BIN)/python -m pip install -q -r requirements-dev.txt
	touch $@

setup: $(BIN)/.installed

# the server settings (127.0.0.1 only, ...) are in .streamlit/config.toml
run: $(BIN)/.installed
	$(BIN)/python -m streamlit run Home.py --server.port $(PORT)

# several replicas behind HAProxy on $(PORT) (README, "Several replicas behind a proxy")
REPLICAS ?= 2
replicas: $(BIN)/.installed
	$(BIN)/python -m deploy.replicas --replicas $(REPLICAS) --port $(PORT)

lint: $(BIN)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# lint first, then every test layer (core, ui, pages, e2e) in 3 worker processes: many tests wait on a
# browser, a server or a subprocess, so 3 workers keep 2 cores busy. Tests that share one server or cluster
# (xdist_group: Ray, PostgreSQL, the replicas) stay on one worker (--dist loadgroup). See CONTRIBUTING.md.
TEST_WORKERS ?= 3
test: lint
	$(BIN)/python -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS) --dist loadgroup

bench: $(BIN)/.installed
	$(BIN)/python bench/train_throughput.py

clean:
	rm -rf $(VENV) .pytest_cache
