"""A Snakemake profile's resources, checked before anything is submitted.

Snakemake reads a profile's ``config.yaml`` as command-line options and evaluates its resource
values only while it builds the DAG: ``mem_mb: lots`` is a traceback there, and a partition
such as ``debug;touch x``, a GPU count beyond the profile's own cap or a wall time of a million
years pass the dry run and reach ``sbatch``. :func:`check_profile` reads the profile strictly
(:func:`advgen.config_files.parse_yaml`) and checks every resource it sets (``default-resources``,
``set-resources``, ``resources``), one :class:`~advgen.errors.ConfigError` line naming the file,
line and key:

* sizes (``mem_mb``, ``mem_mib``, ``disk_mb``, ``disk_mib``): whole numbers of MB up to
  :data:`MAX_MB`; ``runtime``: whole minutes (or ``30m``, ``12h``, ``2d``) up to :data:`MAX_MINUTES`;
* ``cpus_per_task``: a whole number up to :data:`MAX_CPUS`, or ``threads`` (the rule's);
* ``gpu``: a whole number, in ``set-resources`` / ``default-resources`` at most the profile's
  ``resources: gpu=N`` (a job asking for more would never run), itself at most :data:`MAX_GPUS`;
* every text value (``slurm_partition``, ``slurm_account``, ``gpu_model``, ``slurm_extra``, ...):
  no shell metacharacter, quote or line break (the plugin puts them on an ``sbatch`` line), and
  names (partition, account, QoS, GPU model) as SLURM spells them; no ``--gres``/``--gpus`` in
  ``slurm_extra`` (the plugin rejects it: ``gpu`` and ``gpu_model`` ask for GPUs);
* a job uses one GPU (it leases one device): ``gpu`` of a rule at most 1, and with the SLURM
  executor the per-submission cap ``resources: gpu=N`` too (a group runs its jobs one after another);
* ``set-threads``: whole numbers of cores from 1 to :data:`MAX_CPUS`;
* ``jobs`` and ``cores``: a whole number from 1, or ``all``/``unlimited``;
* the rules ``set-resources`` and ``set-threads`` name: rules of the workflow (where the caller
  passes them, :func:`advgen.pipeline.rules.rule_names`), else the setting applies to nothing.

``workflow/rules/common.smk`` runs it on the ``--profile`` of the ``snakemake`` command line
(:func:`profiles_in`), so ``snakemake --profile profiles/slurm -n`` refuses a bad value before the
DAG is built; ``advgen check-profile DIR`` runs it by hand.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

from advgen.errors import ConfigError

#: the largest memory or disk request, MB (16 TiB)
MAX_MB = 16 * 1024 * 1024
#: the longest wall time, minutes (30 days)
MAX_MINUTES = 30 * 24 * 60
#: the most cores one job may ask for
MAX_CPUS = 1024
#: the most GPUs a profile may count
MAX_GPUS = 64

SIZES = ("mem_mb", "mem_mib", "disk_mb", "disk_mib")
#: resources naming a SLURM object (partition, account, QoS, GPU model, constraint, reservation)
NAMES = ("slurm_partition", "slurm_account", "slurm_qos", "gpu_model", "constraint", "slurm_reservation")
_NAME = re.compile(r"[A-Za-z0-9_.:+-]+(,[A-Za-z0-9_.:+-]+)*")
_UNSAFE = re.compile(r"[;&|`$<>\\'\"\n\r\t(){}*?!#~]")
_DURATION = re.compile(r"(\d+)([smhdw])")
_UNIT_MINUTES = {"s": 1 / 60, "m": 1, "h": 60, "d": 24 * 60, "w": 7 * 24 * 60}
#: the profile's sections that assign resources (``set-resources`` per rule)
SECTIONS = ("default-resources", "resources", "set-resources")
#: the GPUs one job uses (it leases one device, advgen.device)
JOB_GPUS = 1
#: sbatch options asking for GPUs, which the SLURM plugin refuses in slurm_extra
_GPU_OPTIONS = re.compile(r"(?:^|\s)(--gres|--gpus(?:-per-\w+)?|-G)(?:[=\s]|$)")
#: the profile's job and core counts (``all``/``unlimited``: Snakemake's words for no limit)
COUNTS = ("jobs", "cores")


def profile_file(profile: str | Path) -> Path | None:
    """The YAML file of profile ``profile`` (a folder holding ``config.yaml`` or ``profile.yaml``,
    or the file itself; a bare name is looked up as Snakemake does, in the user's and the
    system's ``snakemake`` configuration folders), else ``None``."""
    candidates = [Path(profile)]
    if os.sep not in str(profile):
        xdg = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
        candidates += [Path(xdg) / "snakemake" / str(profile), Path("/etc/xdg/snakemake") / str(profile)]
    for path in candidates:
        if path.is_file():
            return path
        for name in ("profile.yaml", "config.yaml"):
            if (path / name).is_file():
                return path / name
    return None


def profiles_in(argv: Sequence[str], environ: Mapping[str, str]) -> list[Path]:
    """The profile files a ``snakemake`` command line uses: each ``--profile`` (``--profile X``
    or ``--profile=X``), else ``$SNAKEMAKE_PROFILE``."""
    given: list[str] = []
    for i, arg in enumerate(argv):
        if arg == "--profile" and i + 1 < len(argv):
            given.append(argv[i + 1])
        elif arg.startswith("--profile="):
            given.append(arg.split("=", 1)[1])
    if not given and environ.get("SNAKEMAKE_PROFILE"):
        given.append(environ["SNAKEMAKE_PROFILE"])
    return [path for path in (profile_file(p) for p in given) if path is not None]


def _entries(value: Any) -> dict[str, Any]:
    """A resource section as {name: value}: a mapping, or a list of ``name=value`` strings."""
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    if isinstance(value, list):
        pairs = [str(item).split("=", 1) for item in value]
        return {pair[0].strip(): (pair[1].strip() if len(pair) == 2 else None) for pair in pairs}
    return {}


def _number(value: Any) -> int | None:
    """``value`` as a whole number (an int, or its text), else ``None``."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\d+", value.strip()):
        return int(value)
    return None


def _minutes(value: Any) -> float | None:
    """A ``runtime`` in minutes: a whole number, or a duration such as ``1h30m``; else ``None``."""
    number = _number(value)
    if number is not None:
        return float(number)
    text = str(value).strip() if isinstance(value, str) else ""
    if text and re.fullmatch(rf"(?:{_DURATION.pattern})+", text):
        return sum(int(n) * _UNIT_MINUTES[unit] for n, unit in _DURATION.findall(text))
    return None


def resource_problem(name: str, value: Any, gpu_cap: int | None) -> str | None:
    """Why ``name: value`` is refused, else ``None`` (see the module docstring)."""
    if value is None:
        return "has no value"
    if isinstance(value, str) and _UNSAFE.search(value):
        bad = _UNSAFE.search(value).group(0)  # type: ignore[union-attr]
        return f"{value!r} holds {bad!r}: no shell metacharacter, quote or line break in a resource"
    if name in SIZES:
        n = _number(value)
        if n is None or not 1 <= n <= MAX_MB:
            return f"{value!r} is not a whole number of MB between 1 and {MAX_MB:,}"
    elif name == "runtime":
        minutes = _minutes(value)
        if minutes is None or not 0 < minutes <= MAX_MINUTES:
            limit = f"{MAX_MINUTES:,} (30 days)"
            return f"{value!r} is not a wall time of whole minutes (or 30m, 12h, 2d) up to {limit}"
    elif name == "cpus_per_task":
        n = _number(value)
        if value != "threads" and (n is None or not 1 <= n <= MAX_CPUS):
            return f"{value!r} is not a whole number of cores between 1 and {MAX_CPUS} (or threads)"
    elif name == "gpu":
        n = _number(value)
        cap = MAX_GPUS if gpu_cap is None else gpu_cap
        if n is None or not 0 <= n <= cap:
            where = "the profile's resources: gpu" if gpu_cap is not None else "the limit"
            return f"{value!r} is not a whole number of GPUs between 0 and {cap} ({where})"
    elif name == "slurm_extra" and isinstance(value, str) and _GPU_OPTIONS.search(value):
        option = _GPU_OPTIONS.search(value).group(1)  # type: ignore[union-attr]
        return f"{value!r} holds {option}: the SLURM plugin rejects it; ask for GPUs with gpu (and gpu_model)"
    elif name in NAMES and not (isinstance(value, str) and _NAME.fullmatch(value)):
        return f"{value!r} is not a SLURM name (letters, digits and _ . : + -, comma-separated)"
    elif isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a finite number"
    return None


def _count_problem(value: Any) -> str | None:
    if value in ("all", "unlimited") or (_number(value) or 0) >= 1:
        return None
    return f"{value!r} is not a whole number from 1 (or all, unlimited)"


def check_profile(path: str | Path, rules: Collection[str] | None = None) -> None:
    """Check the resources of the profile file ``path``; one :class:`ConfigError` line naming
    ``FILE:LINE: <section>.<key>``. ``rules``: the workflow's rule names, which ``set-resources``
    and ``set-threads`` may name (``None``: not checked)."""
    from advgen.config_files import key_line, parse_yaml

    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read the profile ({getattr(exc, 'strerror', None) or exc})"
        ) from None
    profile = parse_yaml(text, str(path))
    if not isinstance(profile, Mapping):
        raise ConfigError(f"{path}: a profile is a mapping of snakemake options")

    def fail(keys: list[str], problem: str) -> ConfigError:
        _, line = key_line(path, keys)
        where = f"{path}:{line}" if line else str(path)
        return ConfigError(f"{where}: {'.'.join(keys)}: {problem}")

    overrides = profile.get("set-resources")
    if overrides is not None and not isinstance(overrides, Mapping):
        raise fail(["set-resources"], "expected a mapping of rule -> resources")
    blocks: list[tuple[list[str], Any]] = [
        (["resources"], profile.get("resources")),  # first: its gpu is the cap of the others
        (["default-resources"], profile.get("default-resources")),
        *((["set-resources", str(rule)], value) for rule, value in (overrides or {}).items()),
    ]
    gpu_cap: int | None = None
    for keys, block in blocks:
        if block is not None and not isinstance(block, Mapping | list):
            raise fail(keys, "expected a mapping (or a list of name=value)")
        for name, value in _entries(block).items():
            problem = resource_problem(name, value, None if keys == ["resources"] else gpu_cap)
            if problem is not None:
                raise fail([*keys, name], problem)
        if keys == ["resources"]:
            gpu_cap = _number(_entries(block).get("gpu"))
            if gpu_cap is not None and gpu_cap > JOB_GPUS and profile.get("executor") == "slurm":
                raise fail(
                    ["resources", "gpu"],
                    f"{gpu_cap} GPUs per SLURM submission, but a submission runs its jobs one after "
                    f"another, each on {JOB_GPUS} GPU: at most {JOB_GPUS}",
                )
        elif "gpu" in _entries(block) and (_number(_entries(block)["gpu"]) or 0) > JOB_GPUS:
            raise fail(
                [*keys, "gpu"], f"{_entries(block)['gpu']!r}: a job uses {JOB_GPUS} GPU (at most {JOB_GPUS})"
            )
    threads = profile.get("set-threads")
    if threads is not None and not isinstance(threads, Mapping | list):
        raise fail(["set-threads"], "expected a mapping of rule -> cores (or a list of rule=cores)")
    for rule, value in _entries(threads).items():
        n = _number(value)
        if n is None or not 1 <= n <= MAX_CPUS:
            raise fail(
                ["set-threads", rule], f"{value!r} is not a whole number of cores between 1 and {MAX_CPUS}"
            )
    if rules is not None:
        for section, block in (("set-resources", overrides), ("set-threads", threads)):
            for rule in _entries(block):
                if rule not in rules:
                    raise fail(
                        [section, rule], f"no rule {rule!r} in the workflow (a typo applies to nothing)"
                    )
    for name in COUNTS:
        if name in profile:
            problem = _count_problem(profile[name])
            if problem is not None:
                raise fail([name], problem)
