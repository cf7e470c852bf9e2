"""The attack registry (advgen.attacks.registry) is the one list of attacks.

These tests keep docs/contributing.md's "Adding an attack" true: everything else that names
attacks either derives from the registry (``ATTACKS``, ``MINIMAL_ATTACKS``, the smoke caps) or
is tested equal to it here (the schema's enum and its ``params`` branches, the classes'
defaults, the attack table of ``advgen.attacks``), and the ``.test`` robustness study runs the
registry's newer curve attacks. That no code outside the registry compares attack names is
tested with the other registries' names in ``tests/unit/test_registries.py``.
"""

from __future__ import annotations

import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from torch import nn

import advgen.attacks
from advgen.attacks import ATTACKS
from advgen.attacks.base import MinimalAttack
from advgen.attacks.registry import KINDS, MINIMAL_ATTACKS, REGISTRY, attack_class
from advgen.config import load_yaml, schema_path, validate_config

REPO = Path(__file__).resolve().parents[2]
SCHEMA = yaml.safe_load(schema_path("robustness.schema.yaml").read_text(encoding="utf-8"))["$defs"]


def _branches() -> dict[str, str]:
    """The schema's ``params`` branch per attack name: name -> $defs key."""
    out = {}
    for branch in SCHEMA["attack_params"]["allOf"]:
        name = branch["if"]["properties"]["attack"]["const"]
        out[name] = branch["then"]["properties"]["params"]["$ref"].rsplit("/", 1)[1]
    return out


def test_the_schema_enum_is_the_registry():
    assert SCHEMA["attack"]["properties"]["attack"]["enum"] == list(REGISTRY), (
        "robustness.schema.yaml $defs.attack.properties.attack.enum must list advgen.attacks.registry.REGISTRY"
    )


@pytest.mark.parametrize("name", list(REGISTRY))
def test_each_attack_has_a_params_branch_that_fits_its_class(name):
    branches = _branches()
    assert name in branches, f"robustness.schema.yaml: add an allOf branch for {name}'s params"
    params = SCHEMA[branches[name]]
    assert params["additionalProperties"] is False
    defaults = attack_class(name)(nn.Identity()).params.defaults()
    assert list(params.get("properties", {})) == list(defaults) == list(REGISTRY[name].defaults)
    for key, prop in params.get("properties", {}).items():
        if "default" in prop:
            assert prop["default"] == defaults[key], f"{branches[name]}.{key}: default differs from {name}'s"


@pytest.mark.parametrize("name", list(REGISTRY))
def test_each_entry_describes_its_class(name):
    info, cls = REGISTRY[name], attack_class(name)
    assert cls.name == name == cls.__name__ and cls.__module__ == f"advgen.attacks.{info.module}"
    attack = cls(nn.Identity())
    assert cls.Params is info.params and type(attack.params) is info.params
    assert info.minimal == issubclass(cls, MinimalAttack) == math.isinf(info.eps)
    assert attack.eps == info.eps
    assert info.norm == attack.norm == info.defaults.get("norm", cls.norm)
    assert info.kind in KINDS and info.paper in (cls.__doc__ or "") + (
        sys.modules[cls.__module__].__doc__ or ""
    )
    # the smoke caps are parameters of the class that the schema accepts
    assert set(info.smoke) <= set(SCHEMA[_branches()[name]].get("properties", {}))


def test_attacks_and_minimal_attacks_derive_from_the_registry():
    assert list(ATTACKS) == list(REGISTRY)
    assert all(ATTACKS[name] is attack_class(name) for name in REGISTRY)
    assert MINIMAL_ATTACKS == ("LBFGS", "DeepFool")
    with pytest.raises(AttributeError, match="Nope"):
        advgen.attacks.Nope  # noqa: B018


def test_the_attack_table_of_the_package_lists_every_attack():
    doc = advgen.attacks.__doc__ or ""
    for name, info in REGISTRY.items():
        line = next((line for line in doc.splitlines() if line.startswith(name + " ")), None)
        assert line is not None and info.paper in line, f"advgen/attacks/__init__.py: add {name} to the table"


def test_the_test_study_runs_apgd_and_square_as_curve_attacks():
    config = validate_config(load_yaml(REPO / ".test" / "config" / "robustness.yaml"))
    used = {spec["attack"] for spec in config["robustness"]["attacks"].values()}
    assert {"APGD", "Square"} <= used
    for name in ("APGD", "Square"):
        assert name in (REPO / "config" / "README.md").read_text(encoding="utf-8")


def test_the_registry_imports_no_torch():
    code = (
        "import sys; from advgen.attacks.registry import REGISTRY, MINIMAL_ATTACKS; import advgen.robustness.plan; "
        "print('torch' in sys.modules)"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO / "src"))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_capability_flags():
    from advgen.attacks import registry

    # the papers' transfer attacks (Szegedy et al. 2014 L-BFGS, Goodfellow et al. 2015 FGSM, PGD)
    assert {"FGSM", "PGD", "LBFGS"} <= set(registry.TRANSFER_ATTACKS)
    assert {"DeepFool", "OnePixel", "Spatial"}.isdisjoint(registry.TRANSFER_ATTACKS)
    assert registry.BUDGET_TRANSFER_ATTACKS == tuple(
        a for a in registry.TRANSFER_ATTACKS if a not in registry.MINIMAL_ATTACKS
    )
    assert "LBFGS" not in registry.BUDGET_TRANSFER_ATTACKS
    # Croce & Hein 2020: PGD checked against AutoAttack
    assert registry.BASELINE_ATTACKS == ("PGD",) and registry.REFERENCE_ATTACKS == ("AutoAttack",)
    assert registry.listing(["A"]) == "A" and registry.listing(("A", "B", "C")) == "A, B or C"
