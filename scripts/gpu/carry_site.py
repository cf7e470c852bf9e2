"""Assemble the Python packages a lent GPU machine lacks into one folder to carry there.

The GPU machines run their own Python (3.12) and torch and reach no package registry. This
copies, from the environment running this script, every distribution in the dependency closure
of the names given that the machine's image does not hold: pure-Python ones file by file (their
``.dist-info`` too: Snakemake finds its plugins through entry points), compiled ones as the same
version's CPython 3.12 manylinux wheel, downloaded with pip and unpacked. Large distributions
that the device check does not import are left out (``--skip``).

    python scripts/gpu/carry_site.py .gpu-carry/site jsonschema snakemake mlxtend
"""

from __future__ import annotations

import argparse
import importlib.metadata as md
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: distributions the machines' image holds (the lent machines' package list)
ON_DEVICE = set(
    """absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio attrs botorch build
    certifi charset-normalizer click cloudpickle cmake colorama contourpy coverage cycler cython einops filelock
    fonttools frozenlist fsspec h11 h5py httpcore httpx humanize hypothesis idna imageio iniconfig jinja2 joblib
    kiwisolver lazy-loader markdown markdown-it-py markupsafe matplotlib mdurl mpmath msgpack multidict
    mypy-extensions narwhals networkx ninja numpy packaging pandas pathspec patsy pillow pip pluggy portalocker
    propcache protobuf psutil pyarrow pygments pyparsing pytest pytest-xdist python-dateutil pyyaml regex
    requests rich safetensors scikit-learn scipy setuptools shellingham simplejson six sortedcontainers
    statsmodels sympy tabulate threadpoolctl tifffile toolz torch torchvision tqdm typer typing-extensions
    typing-inspect urllib3 werkzeug wheel wrapt xxhash yarl zipp""".split()
)
PLATFORMS = ("manylinux_2_17_x86_64", "manylinux2014_x86_64", "manylinux_2_28_x86_64", "manylinux_2_5_x86_64")


def key(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(names: list[str]) -> dict[str, md.Distribution]:
    """Every installed distribution ``names`` need (extras left out), by normalised name."""
    found: dict[str, md.Distribution] = {}
    todo = list(names)
    while todo:
        name = key(todo.pop())
        if name in found:
            continue
        try:
            dist = md.distribution(name)
        except md.PackageNotFoundError:
            continue
        found[name] = dist
        if name in ON_DEVICE:  # the machine's own copy brings what it needs (torch: triton, CUDA)
            continue
        for req in dist.requires or []:
            if "extra ==" not in req:
                todo.append(re.split(r"[ ;<>=!~\[(]", req.strip())[0])
    return found


def compiled(dist: md.Distribution) -> bool:
    return any(str(f).endswith((".so", ".pyd")) for f in dist.files or [])


def copy_pure(dist: md.Distribution, dest: Path) -> None:
    for f in dist.files or []:
        src = Path(dist.locate_file(f))
        if "__pycache__" in f.parts or ".." in f.parts or not src.is_file():
            continue
        target = dest / f
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target)


def fetch_wheel(dist: md.Distribution, dest: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        platforms = [a for p in PLATFORMS for a in ("--platform", p)]
        pin = f"{dist.metadata['Name']}=={dist.version}"
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:"]
        cmd += ["--python-version", "3.12", "--implementation", "cp", *platforms, "-d", tmp, pin]
        subprocess.run(cmd, check=True, capture_output=True, text=True)
        for wheel in Path(tmp).glob("*.whl"):
            with zipfile.ZipFile(wheel) as z:
                z.extractall(dest)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("names", nargs="+")
    parser.add_argument("--skip", default="pulp", help="distributions left out (comma-separated)")
    args = parser.parse_args()
    skip = {key(s) for s in args.skip.split(",") if s.strip()}
    args.dest.mkdir(parents=True, exist_ok=True)
    for name, dist in sorted(closure(args.names).items()):
        if name in ON_DEVICE or name in skip:
            continue
        how = "wheel" if compiled(dist) else "copy"
        (fetch_wheel if how == "wheel" else copy_pure)(dist, args.dest)
        print(f"{how:5s} {name} {dist.version}")
    size = sum(f.stat().st_size for f in args.dest.rglob("*") if f.is_file())
    print(f"{args.dest}: {size / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
