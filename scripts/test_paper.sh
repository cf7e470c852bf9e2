#!/usr/bin/env bash
# `make test-paper`: config/paper.yaml's whole DAG, end to end, on fake data in torchvision's formats.
#
# In a scratch copy of the workflow (PAPER_SMOKE_DIR, default a new temporary folder; results/
# of this checkout are never touched): write small fake MNIST, Fashion-MNIST, CIFAR-10 and
# CelebA into its resources/ (`advgen fake-data`), derive config/paper-smoke.yaml from
# config/paper.yaml (`advgen paper-smoke-config`), run every job with the report, then check
# that nothing is left to do and that the report exists. SNAKEMAKE_ARGS adds options to the
# run (on a GPU machine: SNAKEMAKE_ARGS="--resources gpu=1").
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
cores="${CORES:-2}"
dir="${PAPER_SMOKE_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/advgen-paper-smoke.XXXXXX")}"
mkdir -p "$dir"
for name in Snakefile workflow config profiles docs/sources; do  # the claims page reads docs/sources
    rm -rf "${dir:?}/$name"
    mkdir -p "$(dirname "$dir/$name")"
    cp -r "$repo/$name" "$dir/$name"
done
export PYTHONPATH="$repo/src${PYTHONPATH:+:$PYTHONPATH}"
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}" MKL_NUM_THREADS="${MKL_NUM_THREADS:-1}"
cd "$dir"
echo "test-paper: working in $dir ($cores cores)"
start=$SECONDS
advgen fake-data --root resources --train 400 --test 100
advgen paper-smoke-config config/paper.yaml -o config/paper-smoke.yaml
# The jobs start warm, as in any local run (advgen.warm: forks of one process that imported torch
# once; at smoke sizes a job is mostly start-up). ADVGEN_WARM=0 starts every job as a fresh process.
# shellcheck disable=SC2086  # SNAKEMAKE_ARGS is a list of options
snakemake --configfile config/paper-smoke.yaml --cores "$cores" --show-failed-logs ${SNAKEMAKE_ARGS:-} \
    --report results/report.html --report-after-run
left="$(snakemake --configfile config/paper-smoke.yaml -n --quiet rules 2>&1 || true)"
if ! grep -q "Nothing to be done" <<<"$left"; then
    echo "test-paper: jobs left after the run:" >&2
    echo "$left" >&2
    exit 1
fi
test -s results/report.html
echo "test-paper: every job of the paper DAG ran; report at $dir/results/report.html ($((SECONDS - start)) s)"
