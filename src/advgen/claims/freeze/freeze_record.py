"""The freeze record: its one writer (:func:`record`), what it records of a run
(:func:`run_parts`) and a run compared with it; its format is :mod:`advgen.claims.freeze.freeze_format`,
its one reader :func:`advgen.claims.freeze.freeze_reader.read_freeze`.

``advgen freeze`` (:mod:`advgen.commands.freeze`) writes it once, before the confirmatory run
(``docs/default_run/freeze.json``, the claims file's ``freeze:``); the claims page reads it
(:mod:`advgen.claims.freeze.phase`) and ``advgen freeze --verify`` checks every part of it
(:func:`verify`)::

    {
      "format": 3,
      "round": 3,
      "claims_file": "config/claims.yaml",
      "claims_sha256": "<sha256 of the claims file's bytes>",
      "date": "YYYY-MM-DD",
      "commit": "<the commit frozen>",
      "seed_base": 2000,
      "claims": {"<claim id>": "<advgen.claims.reading.spec.digest of the claim>", ...},
      "plan": {"<claim id>": {"n": 5, "unit": "seeds", "needed": 5, "underpowered": false}, ...},
      "power_plan": {"path": "docs/default_run/power_plan.json", "sha256": "<its sha256>"},
      "analysis": {"package": "advgen.claims", "sha256": "<digest of its source files>"},
      "config": {"<config file>": "<its sha256>", ...},
      "seeds": {"<role>": {"<run>": <seed>, ...}, ...},
      "recipes": {"gans": {"<entry>": {"spec": {...}, "seeds": [...]}}, "autoencoders": {...},
                  "classifiers": {...}},
      "numerics": {"<role>": "autocast: bf16; float32: ieee", "<classifier role>": "autocast: off; float32: ieee"},
      "hardware": {"cpu": "...", "cpu_flags": "avx2 avx512f ...", "gpu": "none", "torch": "2.x", "cuda": "none"},
      "program": {"package": "<digest of every file of advgen>",
                  "workflow": "<of the Snakefile and workflow/>"},
      "versions": {"<distribution>": "<version>", ...},
      "resolved_config": {"config": {...every default filled in...},
                          "resolved": {"device": "cpu", "stack_seeds": false}},
      "reruns": [{"date": "YYYY-MM-DD", "reason": "..."}]
    }

Every part is required but ``reruns`` (and ``commit`` before format 3). Format 3 (since
2026-11-29) records the program the round runs: the digest of the whole advgen package and of
the workflow, the resolved config, the versions of the packages advgen runs on and the host's
CPU flags. Round 2's record is format 2 (no program, versions, resolved config or CPU flags);
round 1's format 1 (2026-11-27: no ``round``, ``analysis``, ``numerics`` or ``hardware``, the
generators' recipes only). Older records are read, and ``--verify`` says which parts they do not
record; a round's record has at least its round's format (:data:`ROUND_FORMAT`), and a record
dated before its format existed, or a format-1 record with a ``round``, is refused. The reader
is strict (:mod:`advgen.strict_json`: a key twice in one object, ``NaN``, an
unknown key, a missing part, a date that is no calendar date, a special file are one
:class:`ConfigError` line naming the file and key). ``claims_file``, the power plan's ``path``
and the config files are as given to the freeze tool (relative to the repository root), so
``--verify`` runs from there. The ``plan`` is the power plan (``advgen power-plan --json``) per
claim (:func:`planned_from_power_plan`). ``numerics`` is each role's training precision as its run
computes (a generator's ``speed.autocast`` and ``speed.fp32_precision``; a classifier has no such
lever and computes what every job sets, IEEE float32 without autocast, :mod:`advgen.precision`);
``hardware`` is the host ``advgen freeze`` ran on, which is the host the round is run on.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from advgen.claims.freeze.bounded_files import sha256
from advgen.claims.freeze.freeze_format import ANALYSIS, FORMAT, RECIPE_SECTIONS, Freeze, Planned
from advgen.claims.freeze.freeze_reader import calendar_date
from advgen.claims.reading.model import ClaimsFile

# the format is :mod:`advgen.claims.freeze.freeze_format`, the reader :mod:`advgen.claims.freeze.freeze_reader`
# (its names that callers read from here are imported above as themselves)


# --- what a run is: its roles' runs and seeds, the recipes, the numerics, the analysis, the host


def recipes(config: Mapping[str, Any], sections: Sequence[str] = RECIPE_SECTIONS) -> dict[str, Any]:
    """``{section: {entry: {"spec": ..., "seeds": [...]}}}`` for the model sections of a
    validated config: each entry's spec without its seed (the runs of a replicated entry share it)."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    for section in sections:
        entries: dict[str, dict[str, Any]] = {}
        for name, run in sorted((config.get(section) or {}).items()):
            entry = run.get("replicate_of", name)
            spec = {k: v for k, v in run.items() if k not in ("seed", "replicate_of")}
            rec = entries.setdefault(entry, {"spec": spec, "seeds": []})
            rec["seeds"].append(int(run.get("seed", config.get("seed", 0))))
        out[section] = {
            name: {"spec": e["spec"], "seeds": sorted(e["seeds"])} for name, e in sorted(entries.items())
        }
    return out


#: the float32 precision every job sets unless its run asks for TensorFloat-32 (:func:`advgen.precision.ieee_float32`)
IEEE = "ieee"


def precision(run: Mapping[str, Any] | None, section: str) -> str:
    """A run's training precision as it computes: a generator's ``speed.autocast`` (``off``,
    ``bf16``, ``auto``) and float32 precision (``speed.fp32_precision``: ``ieee`` unless ``tf32``);
    a classifier has neither lever and computes IEEE float32 without autocast, as every job sets it
    (:mod:`advgen.precision`; before 2026-11-29 recorded as "float32" whatever ran)."""
    if run is None:
        return "not a model run"
    speed = {} if section == "classifiers" else (run.get("speed") or {})
    return f"autocast: {speed.get('autocast', 'off')}; float32: {speed.get('fp32_precision') or IEEE}"


def numerics(config: Mapping[str, Any], roles: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Role -> the training precision of its runs (:func:`precision`; distinct values joined)."""
    out = {}
    for role, runs in sorted(roles.items()):
        found = set()
        for run in runs:
            section = next((s for s in RECIPE_SECTIONS if run in (config.get(s) or {})), "")
            found.add(precision((config.get(section) or {}).get(run) if section else None, section))
        out[role] = ", ".join(sorted(found))
    return out


def run_parts(config: Mapping[str, Any], roles: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """What a run of a validated ``config`` is, as a freeze records it: each role's runs and their
    seeds, the recipes of every model entry, each role's numerics (``roles``: role -> runs)."""
    from advgen.seed_base import run_seeds

    seeds = run_seeds(config)
    return {
        "seeds": {
            role: {run: seeds[run] for run in runs if run in seeds} for role, runs in sorted(roles.items())
        },
        "recipes": recipes(config),
        "numerics": numerics(config, roles),
    }


#: the folder of :mod:`advgen.claims` (this module lies in its ``freeze`` subpackage)
PACKAGE_ROOT = Path(__file__).resolve().parents[1]
#: the advgen package (every file of it is the program's first part)
ADVGEN_ROOT = PACKAGE_ROOT.parent


def analysis_digest() -> str:
    """The digest of the analysis code: every file of the installed :mod:`advgen.claims`
    package, its subpackages included, by relative path and content, in sorted order
    (:func:`advgen.provenance.digest_tree`)."""
    from advgen.provenance import digest_tree

    return digest_tree(PACKAGE_ROOT)


def workflow_root() -> Path | None:
    """The checkout the installed package is read from (an editable install's ``src/advgen``:
    the folder with the ``Snakefile``), None where there is none."""
    root = ADVGEN_ROOT.parents[1] if len(ADVGEN_ROOT.parents) > 1 else None
    return root if root is not None and (root / "Snakefile").is_file() else None


def workflow_digest(root: Path) -> str:
    """The digest of the workflow: the ``Snakefile`` and every file under ``workflow/``, by
    relative path and content (:func:`advgen.provenance.package_files`' rules)."""
    import hashlib

    from advgen.provenance import package_files

    files = [root / "Snakefile"]
    if (root / "workflow").is_dir():
        files += package_files(root / "workflow")
    h = hashlib.sha256()
    for path in files:
        rel = path.relative_to(root).as_posix().encode()
        data = path.read_bytes()
        h.update(len(rel).to_bytes(4, "big") + rel + len(data).to_bytes(8, "big") + data)
    return h.hexdigest()


def program(root: Path | None = None) -> dict[str, str]:
    """The program's digests: ``package`` (every file of the installed advgen package, the
    ``$ADVGEN_CODE_DIGEST`` override ignored) and ``workflow`` (the Snakefile and workflow/ of
    ``root``, the checkout by default; "not found" where there is none)."""
    from advgen.provenance import digest_tree

    root = root if root is not None else workflow_root()
    return {
        "package": digest_tree(ADVGEN_ROOT),
        "workflow": workflow_digest(root) if root is not None else "not found",
    }


def versions() -> dict[str, str]:
    """The installed version of advgen and of every distribution it requires, transitively
    (:mod:`importlib.metadata`: what the round runs on, not the ranges pyproject.toml allows);
    extras are left out, markers that do not apply here too."""
    import re
    from importlib import metadata

    out: dict[str, str] = {}
    todo = ["advgen"]
    while todo:
        name = todo.pop()
        key = re.sub(r"[-_.]+", "-", name).lower()
        if key in out:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        out[key] = dist.version
        for req in dist.requires or ():
            spec, _, marker = req.partition(";")
            if "extra" in marker:
                continue
            if marker.strip() and not _marker_applies(marker):
                continue
            match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", spec.strip())
            if match:
                todo.append(match.group(0))
    return dict(sorted(out.items()))


def _marker_applies(marker: str) -> bool:
    try:
        from packaging.markers import Marker

        return bool(Marker(marker.strip()).evaluate())
    except Exception:  # noqa: BLE001 (no packaging, or a marker it cannot read: count the requirement)
        return True


#: the CPU flags that change which kernels a host runs (vector widths, bfloat16 and matrix units,
#: fused multiply-add): two CPUs of one model name may differ in them
KERNEL_FLAGS = ("avx", "avx2", "fma", "f16c", "avx_vnni", "sse4_1", "sse4_2")
KERNEL_FLAG_PREFIXES = ("avx512", "amx")


def cpu(cpuinfo: str | Path = "/proc/cpuinfo") -> tuple[str, str]:
    """The CPU's model name and its kernel-relevant flags (:data:`KERNEL_FLAGS`, every
    ``avx512*`` and ``amx*``), space-separated and sorted."""
    import platform

    model, flags = platform.processor() or platform.machine(), ""
    try:
        text = Path(cpuinfo).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return model, flags
    for line in text.splitlines():
        key, _, value = line.partition(":")
        if key.strip() == "model name" and model in (platform.processor(), platform.machine()):
            model = value.strip()
        elif key.strip() == "flags" and not flags:
            found = value.split()
            flags = " ".join(
                sorted(f for f in found if f in KERNEL_FLAGS or f.startswith(KERNEL_FLAG_PREFIXES))
            )
    return model, flags


def gpu_name(proc: str | Path = "/proc/driver/nvidia/gpus") -> str:
    """The GPU's model as the NVIDIA driver lists it (no torch), "none" without one."""
    names = []
    folder = Path(proc)
    for info in sorted(folder.glob("*/information")) if folder.is_dir() else []:
        for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Model:"):
                names.append(line.split(":", 1)[1].strip())
    return ", ".join(names) or "none"


def this_host() -> dict[str, str]:
    """The host's CPU model and kernel flags, GPU model (or "none"), torch and CUDA versions."""
    import torch

    model, flags = cpu()
    gpu = torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none"
    return {
        "cpu": model,
        "cpu_flags": flags,
        "gpu": gpu,
        "torch": torch.__version__,
        "cuda": torch.version.cuda or "none",
    }


def run_host() -> dict[str, str]:
    """This host as a claims job sees it, without torch: the CPU model and flags, the GPU the
    driver lists."""
    model, flags = cpu()
    return {"cpu": model, "cpu_flags": flags, "gpu": gpu_name()}


def host_text(host: Mapping[str, str]) -> str:
    flags = f" ({host['cpu_flags'] or 'no AVX'})" if "cpu_flags" in host else ""
    text = f"{host.get('cpu')}{flags}, GPU {host.get('gpu')}"
    if "torch" in host:
        text += f", torch {host.get('torch')}, CUDA {host.get('cuda')}"
    return text


def runs_of(claim: Any, roles: Mapping[str, Sequence[str]]) -> int | None:
    """The runs a config gives a claim: the fewest of any role its sides name (None where a side
    names no role, or one the config does not fill: a sweep that follows another model's seeds)."""
    counts = []
    for term in claim.terms:
        if not term.roles:
            return None
        for role in term.roles:
            if role not in roles:
                return None
            counts.append(len(roles[role]))
    return min(counts) if counts else None


def plan_as_run(
    plan: Mapping[str, Planned], claims: Sequence[Any], roles: Mapping[str, Sequence[str]]
) -> dict[str, Planned]:
    """The power plan's line of each claim with the n the frozen config runs (a claim planned in
    seeds, whose sides name roles): that n, and where it is below the n needed, underpowered with
    the n needed. (Before 2026-11-29 the record held the budget's size for a claim past it, 10
    seeds where 4 ran.)"""
    by_id = {c.id: c for c in claims}
    out = {}
    for cid, planned in plan.items():
        runs = runs_of(by_id[cid], roles) if cid in by_id and planned.unit.startswith("seeds") else None
        if runs is None:
            out[cid] = planned
            continue
        needed = planned.needed or planned.n
        short = runs < needed
        out[cid] = Planned(runs, planned.unit, needed if short else None, short)
    return out


# --- the writer


def record(
    claims: ClaimsFile,
    *,
    claims_file: str,
    date: str,
    seed_base: int,
    plan: Mapping[str, Planned],
    power_plan: tuple[str, str],
    config: Mapping[str, str],
    run: Mapping[str, Any],
    analysis: str,
    hardware: Mapping[str, str],
    commit: str = "",
    round_: int = 1,
    program_parts: Mapping[str, str] | None = None,
    package_versions: Mapping[str, str] | None = None,
    resolved_config: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The freeze record of ``claims`` (see the module docstring), as JSON data: ``power_plan``
    its (path, sha256), ``config`` each config file's sha256, ``run`` the run's parts
    (:func:`run_parts`), ``analysis`` :func:`analysis_digest`, ``hardware`` :func:`this_host`,
    ``round_`` the confirmatory round it freezes, ``program_parts`` :func:`program` (its default),
    ``package_versions`` :func:`versions` (its default), ``resolved_config`` the config with its
    defaults and what it resolves to."""
    if calendar_date(date) is None:
        raise ValueError(f"date {date!r} is not a date YYYY-MM-DD")
    if set(run) != {"seeds", "recipes", "numerics"}:
        raise ValueError(f"run parts {sorted(run)} are not seeds, recipes and numerics")
    return {
        "format": FORMAT,
        "round": round_,
        "claims_file": claims_file,
        "claims_sha256": claims.sha256,
        "date": date,
        "commit": commit,
        "seed_base": seed_base,
        "claims": {c.id: c.digest for c in claims.claims},
        "plan": {
            cid: {"n": p.n, "unit": p.unit, "needed": p.needed, "underpowered": p.underpowered}
            for cid, p in sorted(plan.items())
        },
        "power_plan": {"path": power_plan[0], "sha256": power_plan[1]},
        "analysis": {"package": ANALYSIS, "sha256": analysis},
        "config": dict(config),
        **run,
        "hardware": dict(hardware),
        "program": dict(program_parts if program_parts is not None else program()),
        "versions": dict(package_versions if package_versions is not None else versions()),
        "resolved_config": dict(resolved_config or {}),
        "reruns": [],
    }


# --- comparing a run with the record, and --verify


def flat(value: Any, prefix: str = "") -> dict[str, Any]:
    if isinstance(value, Mapping) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flat(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    return {prefix: value}


def differences(frozen: Any, now: Any, limit: int = 3) -> list[str]:
    """Where ``now`` differs from ``frozen`` (nested mappings), as ``key: frozen X, now Y`` (at
    most ``limit``, then how many more)."""
    a, b = flat(frozen), flat(now)
    keys = sorted(k for k in set(a) | set(b) if a.get(k, ...) != b.get(k, ...))

    def shown(d: dict[str, Any], k: str) -> str:
        return "absent" if k not in d else repr(d[k])

    out = [f"{k}: frozen {shown(a, k)}, now {shown(b, k)}" for k in keys[:limit]]
    if len(keys) > limit:
        out.append(f"{len(keys) - limit} more")
    return out


def run_differences(freeze: Freeze, run: Mapping[str, Any]) -> dict[str, list[str]]:
    """Part -> where ``run`` (:func:`run_parts`) differs from the record, for the parts it
    records (a format-1 record: the generators' recipes, no numerics); [] where it matches."""
    frozen = freeze.run_parts()
    out = {}
    for part, value in frozen.items():
        current = run.get(part, {})
        if part == "recipes":
            current = {s: (current or {}).get(s, {}) for s in value}
        out[part] = differences(value, current)
    return out


PART_NAMES = {"seeds": "roles, runs and seeds", "recipes": "recipes", "numerics": "numerics"}


@dataclass(frozen=True)
class Check:
    """One part ``--verify`` checked: its name, whether it is as frozen (None: not recorded,
    or, for the hardware, not a condition), and what was compared."""

    part: str
    ok: bool | None
    text: str


def hash_check(part: str, path: str, frozen: str, what: str) -> Check:
    """The check of a file's sha256 against the one frozen."""
    now = sha256(path, what)
    same = now == frozen
    return Check(part, same, f"{path}: sha256 {frozen[:12]} " + ("as frozen" if same else f"now {now[:12]}"))
