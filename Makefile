# advgen: `make run` (the offline default study) and `make test` install what they need.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all

.PHONY: run test test-fast test-paper test-slurm test-browser report lint format dag-benchmark clean

# One install for both targets (runtime + test extras), redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The run ends with results/report.html (built after the last job; `make report` rebuilds it) and
# README.md's claims summary rewritten from the run's verdict table, which is kept beside it in
# docs/default_run/claims.parquet (the test of the summary reads it on a clone without results/);
# the generators' overview figure the README shows is copied there too.
# check-config first: a YAML error in a config file is one line naming FILE:LINE:COLUMN.
run: $(STAMP)
	$(BIN)/advgen check-config config/config.yaml
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --cores $(CORES) --configfile config/config.yaml \
		--report results/report.html --report-after-run
	$(BIN)/advgen claims --readme-summary results/tables/claims.parquet --readme README.md
	mkdir -p docs/default_run && cp results/tables/claims.parquet docs/default_run/claims.parquet
	cp results/figures/generators_overview.png docs/default_run/generators_overview.png

# The suite on every core (pytest-xdist; XDIST= runs it in one process), then the few
# timing-sensitive tests (marker `serial`) alone. docs/contributing.md: one test, the fast loop.
XDIST ?= -n auto
PYTEST := PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m pytest
test: $(STAMP)
	$(PYTEST) -m "not slurm and not browser and not serial" $(XDIST) $(PYTEST_ARGS)
	$(PYTEST) -m "serial" $(PYTEST_ARGS)

# The quick loop: unit tests and the bad-input corpus (no workflow runs).
test-fast: $(STAMP)
	$(PYTEST) tests/unit tests/errors -m "not slurm and not browser and not serial" $(XDIST) $(PYTEST_ARGS)

# config/paper.yaml's whole DAG (every rule, report included) on fake data in torchvision's
# formats, shrunk by `advgen paper-smoke-config`, in a scratch folder (PAPER_SMOKE_DIR; this
# checkout's results/ is not touched). CORES defaults to 2 here.
test-paper: $(STAMP)
	PATH=$(abspath $(BIN)):$$PATH CORES=$(if $(filter all,$(CORES)),2,$(CORES)) bash scripts/test_paper.sh

test-slurm: $(STAMP)
	$(PYTEST) -m slurm $(PYTEST_ARGS)

# Headless Chromium (Debian: apt-get install -y chromium) opens results/report.html.
test-browser: $(STAMP)
	$(PYTEST) -m browser tests/browser $(PYTEST_ARGS)

report: $(STAMP)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --cores $(CORES) --report results/report.html

# ruff (check + format, settings in pyproject.toml) for the Python, the import layers of src/advgen
# (scripts/check_layers.py: no cycle, no import upwards), mypy (strict on the pipeline layer, the
# commands and the specs; the rest against mypy-baseline.txt, which only shrinks:
# scripts/mypy_baseline.py), snakefmt and --lint for the workflow.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_layers.py
	$(BIN)/python scripts/mypy_baseline.py
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile workflow

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/snakefmt Snakefile workflow

dag-benchmark: $(STAMP)
	PATH=$(abspath $(BIN)):$$PATH $(BIN)/python benchmarks/dag.py

clean:
	rm -rf results logs .snakemake
