#!/usr/bin/env bash
# The project as a wheel, not as a source tree: what `workflow/envs/advgen.yaml`'s `pip: ../..`
# does under `snakemake --use-conda`, without conda.
#
#   1. build the wheel once (pip wheel --no-deps --no-build-isolation: setuptools from $DEPS);
#   2. install it, non-editable and without its dependencies, into a NEW virtual environment
#      (no --system-site-packages) outside the checkout;
#   3. give that environment the pinned third-party packages of $DEPS (default: the `.venv` that
#      `make test` installed) through one `.pth` path line, appended after its own site-packages:
#      the wheel's `advgen` is found first, and the `.pth` files of $DEPS (advgen's editable hook
#      among them) are not run, so nothing imports the source tree. A check then proves that
#      every pin of the wheel is met. Copying torch and the CUDA libraries instead (~6 GB) would
#      take minutes and disk for nothing this check needs;
#   4. from a scratch folder outside the checkout (only `config/cv/` and `config/claims.yaml`, the
#      CV's data and the claims page's claims, copied in),
#      with PYTHONPATH unset: `snakemake -n`, then the generative test config up to the sample
#      quality table (prepare-data, train-classifier, train-gan, train-ae, sample-quality) and
#      the CV (cv build), with the checkout's Snakefile.
#
#   bash scripts/ci/wheel_workflow.sh [DEPS_VENV]      (default: .venv)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
deps=$(cd "${1:-$repo/.venv}" && pwd)
start=$SECONDS
work=$(mktemp -d "${TMPDIR:-/tmp}/advgen-wheel.XXXXXX")
trap 'rm -rf "$work"' EXIT
case "$work/" in "$repo"/*) echo "wheel_workflow: scratch folder $work is inside the checkout" >&2; exit 1 ;; esac

# Build from a copy of what the wheel is made of, so that no build/ or egg-info lands in the checkout.
mkdir "$work/src"
tar -C "$repo" --exclude=__pycache__ -cf - pyproject.toml README.md src | tar -C "$work/src" -xf -
"$deps/bin/python" -m pip wheel --quiet --no-deps --no-build-isolation --wheel-dir "$work/dist" "$work/src"
wheel=$(ls "$work"/dist/advgen-*.whl)
# The data files the package needs at run time are in the wheel.
"$deps/bin/python" - "$wheel" <<'PY'
import sys, zipfile
names = set(zipfile.ZipFile(sys.argv[1]).namelist())
need = ["advgen/schemas/config.schema.yaml", "advgen/schemas/cv.schema.yaml", "advgen/cv/templates/cv.typ.j2"]
missing = [n for n in need if n not in names]
sys.exit(f"wheel_workflow: {sys.argv[1]} lacks {missing}" if missing else 0)
PY
echo "wheel_workflow: built $(basename "$wheel") in $((SECONDS - start)) s"

# No pip inside the new environment (seeding it costs most of the venv's time): $DEPS's pip installs into it.
"$deps/bin/python" -m venv --without-pip "$work/venv"
site=$("$work/venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
dep_site=$("$deps/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
"$deps/bin/python" -m pip --python "$work/venv/bin/python" install --quiet --no-deps --no-index "$wheel"
echo "$dep_site" > "$site/zz_advgen_pinned_deps.pth"
# Every pin of the wheel (not of its extras) is met in the new environment.
"$work/venv/bin/python" - <<'PY'
from importlib.metadata import distribution, version, PackageNotFoundError
from packaging.requirements import Requirement

bad = []
for text in distribution("advgen").requires or []:
    req = Requirement(text)
    if req.marker is not None and not req.marker.evaluate({"extra": ""}):
        continue
    try:
        have = version(req.name)
    except PackageNotFoundError:
        have = None
    if have is None or not req.specifier.contains(have, prereleases=True):
        bad.append(f"{req} (found {have})")
raise SystemExit(f"wheel_workflow: unmet pins: {', '.join(bad)}" if bad else 0)
PY
echo "wheel_workflow: venv with the wheel ready at $((SECONDS - start)) s"

run=$work/run
mkdir -p "$run/config"
cp -r "$repo/config/cv" "$run/config/cv"
cp "$repo/config/claims.yaml" "$run/config/claims.yaml"
cd "$run"
unset PYTHONPATH
export PATH="$work/venv/bin:$PATH" OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
where=$(python -c 'import advgen, pathlib; print(pathlib.Path(advgen.__file__).resolve())')
case "$where" in "$site"/*) ;; *) echo "wheel_workflow: advgen imported from $where, not from the wheel" >&2; exit 1 ;; esac

# the tiny generative config, with a CV (`cv: {}`: config/cv/'s files; a config without `cv:` plans no CV job)
config=$repo/.test/config/generative.yaml
printf 'cv: {}\n' > "$run/with_cv.yaml"
snake=(python -m snakemake -s "$repo/Snakefile" --directory "$run")
"${snake[@]}" -n -q --configfile "$config" "$run/with_cv.yaml" > /dev/null
"${snake[@]}" results/sample_quality/summary.parquet results/cv/cv.md --cores 2 -q --configfile "$config" "$run/with_cv.yaml"
python - <<'PY'
import pandas as pd
table = pd.read_parquet("results/sample_quality/summary.parquet")
assert {"tiny_ns", "tiny_ae"} <= set(table["model"]), table
print(f"wheel_workflow: sample quality of {len(table)} rows:", ", ".join(sorted(table["model"])))
PY
test -s results/cv/cv.pdf
echo "wheel_workflow: done in $((SECONDS - start)) s"
