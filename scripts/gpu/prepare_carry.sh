#!/usr/bin/env bash
# Before scripts/gpu/device_check.sh runs on a lent GPU machine: what that machine cannot make
# itself, in .gpu-carry/ of this checkout (git-ignored; carry it with the run).
#
#   .gpu-carry/paper_config.json  config/paper.yaml validated with its defaults (the machine's
#                                 Python has no jsonschema): benchmarks/train_step.py --config-json
#   .gpu-carry/site/              with --site: jsonschema, Snakemake, mlxtend, torchmetrics and the
#                                 BibTeX readers (and what they
#                                 need that the machine's image lacks) for Python 3.12, for the
#                                 GAN tests' spec checks and the default study; needs the package
#                                 registry here (pip download of the compiled ones)
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
py="${PYTHON:-$repo/.venv/bin/python}"
rm -rf .gpu-carry
mkdir -p .gpu-carry
PYTHONPATH="$repo/src" "$py" benchmarks/train_step.py --dump-config .gpu-carry/paper_config.json
echo "wrote .gpu-carry/paper_config.json"
if [[ "${1:-}" == "--site" ]]; then
    "$py" scripts/gpu/carry_site.py .gpu-carry/site jsonschema snakemake mlxtend torchmetrics bibtexparser pylatexenc
fi
du -sh .gpu-carry
