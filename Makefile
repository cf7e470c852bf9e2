# advgen: `make run` (the offline default study) and `make test` install what they need.
PYTHON ?= python3.11
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
CORES  ?= all
# The config file(s) of `make run` and `make report`, merged in order as `--configfile` merges them
# (`CONFIG="config/config.yaml my.yaml"`), and the folder that holds the run's results/, logs/
# and .snakemake/ (WORKDIR=demo: the demo's). Paths are relative to this folder.
CONFIG  ?= config/config.yaml
WORKDIR ?= .
DEMO_CONFIG := config/demo.yaml
DEMO_DIR    ?= demo
snakemake_on = cd $(WORKDIR) && PATH=$(abspath $(BIN)):$$PATH $(abspath $(BIN))/snakemake -s $(abspath Snakefile) \
	--cores $(CORES) --configfile $(abspath $(1))
SNAKEMAKE = $(call snakemake_on,$(CONFIG))
# The config files a run in WORKDIR was started with: `make run` records them in
# WORKDIR/results/run_config.txt, `make report` and `make publish-default-run` read them. A results
# folder is data (it may come from someone else): advgen.run_record reads and checks the record and
# hands the files to Snakemake as arguments; no file's text becomes part of a shell line here.
RUN_RECORD = $(BIN)/python -m advgen.run_record

.PHONY: install run publish-default-run demo test test-slow test-fast test-paper test-slurm test-browser report lint format dag-benchmark power-plan freeze clean

# One install for both targets (runtime + test extras), redone when pyproject.toml changes.
$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@echo "Installing advgen and its test extras into $(VENV) (about 6 GB, torch's CUDA libraries included; README, \"Install\")"
	$(BIN)/python -m pip install --progress-bar on -e '.[test]'
	touch $(STAMP)

# The venv alone (runtime + test extras): what `make run`, `make demo` and `make test` start with.
install: $(STAMP)

# The run ends with results/report.html (built after the last job; `make report` rebuilds it).
# It writes only in WORKDIR: results/ (the config files it ran with first, one name a line, in
# results/run_config.txt, which `make report` reads), logs/, .snakemake/ and the data's resources/;
# no tracked file of this checkout changes (tests/workflow/test_make_run.py).
# check-config first: a YAML error in a config file is one line naming FILE:LINE:COLUMN.
# While it runs, a line after each finished job gives the jobs done and an estimate of the time
# left (`--logger advgen-progress`, advgen.pipeline.progress: each rule's job times from this run,
# else from earlier runs' results/benchmarks/).
run: $(STAMP)
	$(BIN)/advgen check-config $(CONFIG)
	$(RUN_RECORD) write --workdir $(WORKDIR) $(CONFIG)
	$(SNAKEMAKE) --logger advgen-progress --report results/report.html --report-after-run

# The maintainers' step after `make run` on the default config: README.md's claims summary and
# the per-claim page docs/default_run/claims.md rewritten from the run's verdict table, which is
# kept beside them in docs/default_run/claims.parquet with the previous round's verdict beside each
# row (round2_verdict for round 3, from PREVIOUS_ROUND: round 2's published table; the test of the
# summary reads it on a clone without results/), and the generators' overview figure the README
# shows copied there too.
PREVIOUS_ROUND ?= docs/rounds/round2/claims_xeone.parquet
publish-default-run: $(STAMP)
	@$(RUN_RECORD) check --workdir . --target publish-default-run config/config.yaml
	mkdir -p docs/default_run
	$(BIN)/advgen claims --readme-summary results/tables/claims.parquet --readme README.md \
		--summary-page docs/default_run/claims.md --freeze docs/default_run/freeze.json \
		--previous-round $(PREVIOUS_ROUND) --table-out docs/default_run/claims.parquet
	cp results/figures/generators_overview.png docs/default_run/generators_overview.png

# The tour: config/demo.yaml (every stage at toy size, offline) in its own folder demo/ (its
# results/, logs/ and .snakemake/; never this checkout's results/): 34 s alone on a 2-core host,
# 145 s beside other work (README, "Measured times").
demo: $(STAMP)
	mkdir -p $(DEMO_DIR)
	$(MAKE) --no-print-directory run CONFIG=$(DEMO_CONFIG) WORKDIR=$(DEMO_DIR)
	@echo
	@echo "Open:"
	@echo "  the report       $(DEMO_DIR)/results/report.html"
	@echo "  the claims page  $(DEMO_DIR)/results/claims.html"
	@echo "  the CV           $(DEMO_DIR)/results/cv/cv.pdf (also cv.html, cv.md)"

# The confirmatory phase: the seeds each claim needs, planned from the previous round's verdict
# table (docs/power_plan.md: 97 % power for the conservative effect; a round's cuts to fit its time
# are its own decision, CUTS="--cut ID=N ..."), then the freeze record of the program, the claims
# file, the recipes, the seeds and the plan (docs/default_run/freeze.json; ROUND, the round it
# starts), before the run on fresh seeds (config/README.md, "Fresh seeds");
# `advgen freeze --verify docs/default_run/freeze.json` checks it later.
CUTS  ?=
ROUND ?= 3
power-plan: $(STAMP)
	$(BIN)/advgen power-plan docs/default_run/claims.parquet --claims config/claims.yaml --markdown docs/power_plan.md \
		--json docs/default_run/power_plan.json $(CUTS)

freeze: $(STAMP)
	$(BIN)/advgen freeze --claims config/claims.yaml --configfile config/config.yaml \
		--power-plan docs/default_run/power_plan.json --out docs/default_run/freeze.json \
		--commit "$$(git rev-parse HEAD)" --round $(ROUND)

# The suite on every core (pytest-xdist; XDIST= runs it in one process), then the few
# timing-sensitive tests (marker `serial`) alone. The end-to-end tier (marker `slow`: workflow
# runs to completion, the rerun-and-recompute table, the whole bad-config corpus through
# Snakemake) is `make test-slow`; CI runs both. docs/contributing.md: one test, the fast loop.
XDIST ?= -n auto
PYTEST := PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m pytest
test: $(STAMP)
	$(PYTEST) -m "not slow and not slurm and not browser and not serial" $(XDIST) $(PYTEST_ARGS)
	$(PYTEST) -m "serial and not slow" $(PYTEST_ARGS)

test-slow: $(STAMP)
	$(PYTEST) -m "slow and not slurm and not browser and not serial" $(XDIST) $(PYTEST_ARGS)

# The quick loop: unit tests and the bad-input corpus (no workflow runs).
test-fast: $(STAMP)
	$(PYTEST) tests/unit tests/errors -m "not slow and not slurm and not browser and not serial" $(XDIST) $(PYTEST_ARGS)

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

# The report of the run in WORKDIR, with the config files that run recorded in
# results/run_config.txt (the report lists the jobs that config makes). A CONFIG given here must
# be the recorded one; a WORKDIR with no record needs CONFIG= (one line says so), and so does a
# WORKDIR that is not a folder, holds no results/ or a record that names no config file; when
# Snakemake cannot make the report (parts of the results missing), WORKDIR/logs/make_report.log
# has its output and one line its error (advgen.run_record).
report: $(STAMP)
	@$(RUN_RECORD) report --workdir $(WORKDIR) --cores $(CORES) --snakemake $(abspath $(BIN))/snakemake \
		--snakefile $(abspath Snakefile) --demo $(DEMO_DIR)=$(DEMO_CONFIG) \
		$(if $(filter file,$(origin CONFIG)),--default-config "$(CONFIG)",--config "$(CONFIG)")

# ruff (check + format, settings in pyproject.toml) for the Python, the import layers of src/advgen
# (scripts/check_layers.py: no cycle, no import upwards), the plans' typed config
# (scripts/check_plan_config.py), no function over 80 lines (scripts/check_function_length.py),
# one import path per name (scripts/check_reexports.py), mypy (strict on the pipeline layer, the
# commands and the specs; the rest against mypy-baseline.txt, which only shrinks:
# scripts/mypy_baseline.py), snakefmt and --lint for the workflow.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python scripts/check_layers.py
	$(BIN)/python scripts/check_plan_config.py
	$(BIN)/python scripts/check_function_length.py
	$(BIN)/python scripts/check_reexports.py
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
	rm -rf results logs .snakemake $(DEMO_DIR)
