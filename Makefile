# The two commands of the README: `make demo` and `make test`. Both run the (idempotent) setup.
VENV := .venv
PY   := $(VENV)/bin/python
# pytest-xdist workers for `make test` (the machines here have 2 cores)
TEST_WORKERS ?= 2

.PHONY: setup demo test test-slow bench lint clean

setup:
	./setup.sh

demo: setup
	$(VENV)/bin/scgen demo

# CI runs this (.ci/run). Verilator is required: its tests must run, not skip.
test: setup
	$(VENV)/bin/ruff check scgen tests benchmarks examples
	$(VENV)/bin/ruff format --check scgen tests benchmarks examples
	$(VENV)/bin/mypy
	SCGEN_REQUIRE_VERILATOR=1 $(PY) -m pytest -q -p no:cacheprovider -n $(TEST_WORKERS)

# the long runs (e.g. 2e5 parser fuzz cases); not part of CI
test-slow: setup
	SCGEN_REQUIRE_VERILATOR=1 $(PY) -m pytest -q -p no:cacheprovider -m slow

bench: setup
	$(PY) -m benchmarks
	$(PY) benchmarks/bench_primitives.py

lint: setup
	$(VENV)/bin/ruff check scgen tests benchmarks examples
	$(VENV)/bin/ruff format --check scgen tests benchmarks examples
	$(VENV)/bin/mypy

clean:
	rm -rf out build dist *.egg-info .pytest_cache .hypothesis .ruff_cache
