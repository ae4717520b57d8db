# The two commands a newcomer needs: `make demo` and `make test`. Each sets itself up.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: demo test bench clean

$(STAMP): pyproject.toml requirements.lock
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: install Python 3.11 or run make PYTHON=python3"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	# The CPU build of torch first: anything that pulls an unpinned torch gets a multi-GB CUDA build.
	$(BIN)/python -m pip install --quiet "torch==$$(sed -n 's/^torch==\([0-9.]*\).*/\1/p' requirements.lock)"
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[test]'
	@touch $@

demo: $(STAMP)
	$(BIN)/teamweather demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

bench: $(STAMP)
	$(BIN)/python benchmarks/pseudonymise.py
	$(BIN)/python benchmarks/ack_latency.py
	$(BIN)/python benchmarks/ack_path.py
	$(BIN)/python benchmarks/aggregate.py
	$(BIN)/python benchmarks/chart_render.py
	$(BIN)/python benchmarks/alert_rates.py
	$(BIN)/python benchmarks/name_recall.py

clean:
	rm -rf $(VENV) demo-out .pytest_cache .hypothesis
