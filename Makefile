# Payoff: `make run` opens the dashboard on the sample data; `make test` passes the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DB ?= data/payoff.duckdb
PORT ?= 8501
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: run test demo bench calibrate loadtest clean

$(BIN)/payoff: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/payoff

# the tests also build on Apache Spark: the optional [spark] extra (PySpark, SQLGlot; Java 17 from the system)
$(VENV)/.spark: $(BIN)/payoff
	$(BIN)/pip install --quiet -e '.[dev,spark]'
	touch $(VENV)/.spark

$(DB): | $(BIN)/payoff
	$(BIN)/payoff --db $(DB) demo

run: $(BIN)/payoff $(DB)
	$(BIN)/payoff --db $(DB) app --address 127.0.0.1 --port $(PORT)

demo: $(BIN)/payoff
	$(BIN)/payoff --db $(DB) demo --force

bench: $(VENV)/.spark
	$(BIN)/python bench/bench.py --scale all

test: $(VENV)/.spark
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) data *.egg-info

calibrate: $(BIN)/payoff
	$(BIN)/python bench/calibrate.py --seeds 10

loadtest: $(BIN)/payoff
	$(BIN)/python bench/loadtest.py --keep $(or $(LOADTEST_DIR),/tmp/payoff-loadtest)
