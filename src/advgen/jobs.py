"""A command's start-up, the same for every job: its spec, its seed and its device.

The device reaches every job one way: the job's request is its spec's ``device`` (which the
workflow fills from the config's ``device``; a job whose spec wraps a config entry, such as
``train-gan``'s, passes it as ``device=``), else ``auto``;
:func:`start_job` sets IEEE float32 arithmetic on every backend (:mod:`advgen.precision`), seeds
every generator from the spec's ``seed`` and leases that device
(:func:`advgen.device.lease_device`). A request that cannot be met (``cuda`` without CUDA)
is a :class:`~advgen.errors.DeviceError`: one line, exit status 2.

:func:`load_spec` (and :func:`advgen.config.parse_spec`) note the job's spec as the JSON it
arrived in, :func:`start_job` a dict spec it is given (:func:`advgen.provenance.note_job_spec`):
every checkpoint and table the job writes records that digest next to the code digest.

No torch import at module level (the CLI imports commands to build its parser).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

from advgen.errors import ConfigError
from advgen.provenance import note_job_spec


def load_spec(
    text: str, *, definition: str | None = None, require_seed: bool = False, spec_type: type | None = None
) -> Any:
    """The ``--spec`` JSON of a job (:func:`advgen.config.parse_spec`: strict JSON); with
    ``definition``, checked against ``generative.schema.yaml#/$defs/<definition>`` with its
    defaults filled in, else with ``spec_type`` against its own definition in
    ``jobs.schema.yaml`` (:func:`advgen.config.check_spec`: types and ranges); with
    ``spec_type`` (a frozen dataclass), returned as that typed spec (:func:`advgen.specs.typed_spec`:
    an unknown or missing field is one line)."""
    from advgen.config import check_spec, complete_entry, parse_spec

    spec = parse_spec(text)
    if definition is not None:
        spec = complete_entry(spec, "generative.schema.yaml", definition)
    elif spec_type is not None:
        check_spec(spec_type.__name__, spec)
    if require_seed and "seed" not in spec:
        raise ConfigError("--spec: seed: missing required key 'seed'")
    note_job_spec(spec)
    if spec_type is not None:
        from advgen.specs import typed_spec

        return typed_spec(spec_type, spec)
    return spec


def _field(spec: Any, name: str) -> Any:
    """``spec[name]`` of a dict spec, ``spec.name`` of a typed one; ``None`` where absent."""
    if isinstance(spec, Mapping):
        return spec.get(name)
    return getattr(spec, name, None)


def device_request(spec: Any, flag: str | None = None) -> str:
    """The device a job asks for: ``flag`` if given, else the spec's ``device``, else ``"auto"``."""
    if flag is not None:
        return flag
    return str(_field(spec, "device") or "auto")


@contextlib.contextmanager
def start_job(spec: Any, *, device: str | None = None, seed: bool = True) -> Iterator[str]:
    """Set IEEE float32 on every backend (:func:`advgen.precision.ieee_float32`), seed from the
    spec's ``seed`` (when ``seed`` and present) and lease the job's device; ``spec`` is a dict or
    a typed spec (:mod:`advgen.specs`).

    Yields:
        The torch device string of the lease (``"cpu"`` or ``"cuda:<i>"``).
    """
    from advgen.device import lease_device
    from advgen.precision import ieee_float32

    ieee_float32()  # the job's float32 arithmetic, the same on every host (advgen.precision)
    if isinstance(spec, Mapping):  # a typed spec's JSON was noted where it was parsed (load_spec)
        note_job_spec(spec)
    if seed and _field(spec, "seed") is not None:
        from advgen.seeding import seed_everything

        seed_everything(_field(spec, "seed"))
    with lease_device(device_request(spec, device)) as leased:
        yield leased
