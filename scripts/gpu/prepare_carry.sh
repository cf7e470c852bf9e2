#!/usr/bin/env bash
# Before scripts/gpu/device_check.sh runs on a lent GPU machine: what that machine cannot make
# itself, in .gpu-carry/ of this checkout (git-ignored; carry it with the run).
#
#   .gpu-carry/paper_config.json  config/paper.yaml validated with its defaults (the machine's
#                                 Python has no jsonschema): benchmarks/train_step.py --config-json
#   .gpu-carry/site.tar.xz        with --site: jsonschema, Snakemake, mlxtend, torchmetrics, the
#                                 BibTeX readers and typst's compiler for the CV (and what they
#                                 need that the machine's image lacks) for Python 3.12, for the
#                                 GAN tests' spec checks and the default study; needs the package
#                                 registry here (pip download of the compiled ones)
#   .gpu-carry/baseline.tar.xz    the code of the per-seed baseline commit (BASELINE_COMMIT, default
#   .gpu-carry/baseline.commit    3a5da7b: the study one job per seed, 485 jobs in 508 s on an H200;
#                                 8885a94 has the same code), for device_check.sh's baseline step
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
py="${PYTHON:-$repo/.venv/bin/python}"
rm -rf .gpu-carry
mkdir -p .gpu-carry
PYTHONPATH="$repo/src" "$py" benchmarks/train_step.py --dump-config .gpu-carry/paper_config.json
echo "wrote .gpu-carry/paper_config.json"
baseline="${BASELINE_COMMIT:-3a5da7b}"
git archive --format=tar "$baseline" | xz -T0 -6 >.gpu-carry/baseline.tar.xz
git rev-parse --short "$baseline" >.gpu-carry/baseline.commit
echo "wrote .gpu-carry/baseline.tar.xz ($(cat .gpu-carry/baseline.commit))"
if [[ "${1:-}" == "--site" ]]; then
    "$py" scripts/gpu/carry_site.py .gpu-carry/site jsonschema snakemake mlxtend torchmetrics bibtexparser pylatexenc typst
    # one archive: the folder and typst's compiler (81 MiB unpacked) fit the 64 MiB a run carries only packed
    find .gpu-carry/site -name __pycache__ -type d -prune -exec rm -rf {} +
    tar -C .gpu-carry -cf - site | xz -T0 -6 >.gpu-carry/site.tar.xz && rm -rf .gpu-carry/site
fi
du -sh .gpu-carry
