"""The schema's enums, the attacks' params branches (each parameter's description, type, values,
range and default, as the attack's params dataclass states them) and the lists of README.md and
config/README.md are the registries' copies (advgen.registries): equal to them, and the check
catches a copy that drifts, or a dataclass that leaves something unstated (negative controls on
copies in tmp_path and on a dataclass declared in the test)."""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path

import pytest
import yaml

from advgen import registries
from advgen.attacks import params as attack_params
from advgen.attacks.fields import AttackParams, interval, param
from advgen.attacks.registry import REGISTRY
from advgen.classifiers.modes import STACKED_MODES, SWEPT_MODES, TRAINING_MODES
from advgen.config import SCHEMA_DIR
from advgen.data.sources import BUNDLED_SOURCES, DATA_SOURCES
from advgen.errors import ConfigError
from advgen.registries import attack_copies, docs_lists, schema_copies
from advgen.robustness.tables import MASKING_CHECK_REGISTRY, MASKING_CHECKS
from tests.unit.test_schema_lint import Schemas, edit_once, schemas  # noqa: F401 (schemas: a fixture)

REPO = Path(__file__).resolve().parents[2]


def test_the_schema_holds_the_registries():
    assert schema_copies.schema_problems() == []


def test_the_readmes_hold_the_registries_lists():
    assert docs_lists.docs_problems() == []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in REGISTRY)  # the intro names every attack


def test_a_stale_schema_is_caught_and_rewritten(schemas: Path):
    robustness, defense, data = (schemas / f"{n}.schema.yaml" for n in ("robustness", "defense", "data"))
    original = {p: p.read_text(encoding="utf-8") for p in (robustness, defense, data)}
    last = list(REGISTRY)[-1]
    edit_once(robustness, f", {last}]", "]")  # an attack left out
    edit_once(
        robustness,
        "        default: 5000\n      n_target_classes:",
        "        default: 500\n      n_target_classes:",
    )
    edit_once(robustness, "      - if: {properties: {attack: {const: FAB}}}\n", "")
    edit_once(defense, "eot_rand, autoattack_rand]", "eot_rand]")
    edit_once(data, "cifar10, celeba]", "cifar10]")
    edit_once(robustness, "enum: [standard, fgsm_mix, pgd, pool]", "enum: [standard, fgsm_mix, pgd]")
    edit_once(robustness, "pixels changed (OnePixel),", "pixels changed,")  # the eps grid's meanings
    problems = schema_copies.schema_problems(schemas)
    assert len(problems) == 7, problems
    assert any("autoattack_params.properties.n_queries.default: 500," in p for p in problems)
    assert sorted(schema_copies.write_schema(schemas)) == sorted(map(str, original))
    assert schema_copies.schema_problems(schemas) == []
    assert {p: p.read_text(encoding="utf-8") for p in original} == original  # written back as it was


def test_stale_settings_defaults_are_caught_and_rewritten(schemas: Path):
    """The masking checks' sizes and the adaptive attacks' budget default to their dataclasses'
    fields (MaskingSettings, AdaptiveBudget): a schema default that drifts is caught and written."""
    robustness, defense = schemas / "robustness.schema.yaml", schemas / "defense.schema.yaml"
    edit_once(
        robustness, "        default: 0.02\n      max_examples:", "        default: 0.05\n      max_examples:"
    )
    edit_once(defense, "latent_lr: 0.05,", "latent_lr: 0.5,")  # budget's own default
    edit_once(
        defense,
        "            default: 200\n          latent_lr:",
        "            default: 20\n          latent_lr:",
    )
    problems = schema_copies.schema_problems(schemas)
    assert len(problems) == 3, problems
    assert any("masking_checks.properties.tolerance.default: 0.05, not 0.02" in p for p in problems)
    assert any("purify.properties.budget.properties.latent_steps.default: 20, not 200" in p for p in problems)
    assert any("purify.properties.budget.default: not" in p for p in problems)
    assert sorted(schema_copies.write_schema(schemas)) == sorted(map(str, (defense, robustness)))
    assert schema_copies.schema_problems(schemas) == []
    written = yaml.safe_load(defense.read_text(encoding="utf-8"))["$defs"]["purify"]["properties"]["budget"]
    assert written["default"]["latent_lr"] == 0.05 and written["properties"]["latent_steps"]["default"] == 200


def test_an_attack_without_params_gets_them_from_its_dataclass(schemas: Path):
    robustness = schemas / "robustness.schema.yaml"
    text = robustness.read_text(encoding="utf-8")
    start = text.index("  pgd_params:\n")
    robustness.write_text(text[:start] + text[text.index("  apgd_params:\n") :], encoding="utf-8")
    assert schema_copies.schema_problems(schemas) == [
        "robustness.schema.yaml: $defs.pgd_params: missing (PGD's params)"
    ]
    schema_copies.write_schema(schemas)
    assert schema_copies.schema_problems(schemas) == []
    params = yaml.safe_load(robustness.read_text(encoding="utf-8"))["$defs"]["pgd_params"]
    props = params["properties"]
    assert params["additionalProperties"] is False
    assert {k: p["default"] for k, p in props.items() if "default" in p} == {
        k: v for k, v in REGISTRY["PGD"].defaults.items() if k != "early_stop"
    }
    assert list(props) == ["alpha", "steps", "norm", "random_start", "restarts", "early_stop"]
    assert props["steps"]["type"] == "integer" and props["alpha"]["type"] == ["number", "null"]
    # described and bounded as the dataclass states: its fields' docs, bounds and norms
    assert props["steps"] == {
        "description": "iterations (Madry et al.: 40 on MNIST)",
        "type": "integer",
        "minimum": 1,
        "maximum": 1000000,
        "default": 40,
    }
    assert props["alpha"]["exclusiveMinimum"] == 0 and props["norm"]["enum"] == ["linf", "l2"]
    # the schema lint passes on the written branch
    assert not [p for p in Schemas(schemas).problems() if "robustness.schema.yaml" in p]


@pytest.mark.parametrize("name", list(REGISTRY))
def test_every_attack_parameter_is_described_and_bounded_by_its_dataclass(name):
    params = yaml.safe_load((SCHEMA_DIR / attack_copies.ATTACK_SCHEMA).read_text(encoding="utf-8"))["$defs"][
        attack_copies.params_def(name)
    ]["properties"]
    cls = REGISTRY[name].params
    assert list(params) == list(cls.defaults())
    for f in dataclasses.fields(cls):
        prop = params[f.name]
        assert prop["description"] == cls.docs()[f.name], f"{name}.{f.name}"
        if {int, float} & set(cls.types(f)) and bool not in cls.types(f):
            assert {k: prop[k] for k in attack_copies.BOUNDS if k in prop} == cls.bounds(f), (
                f"{name}.{f.name}"
            )
            assert len(cls.bounds(f)) == 2, f"{name}.{f.name}: a lower and an upper bound"
    assert attack_copies.attack_problems() == []


def test_a_stale_or_stray_parameter_key_is_caught_and_rewritten(schemas: Path):
    """The bug the writer now rules out: a description broken at a comma into a stray key."""
    robustness = schemas / "robustness.schema.yaml"
    original = robustness.read_text(encoding="utf-8")
    edit_once(
        robustness,
        "        description: 'model queries per input (paper and AutoAttack: 5,000)'\n",
        "        description: model queries per input (paper 5\n        000): None\n",
    )
    edit_once(
        robustness,
        "        exclusiveMinimum: 0\n        maximum: 1\n        default: 0.8\n",
        "        default: 0.8\n",
    )
    problems = schema_copies.schema_problems(schemas)
    where = "robustness.schema.yaml: $defs.square_params.properties"
    assert problems == [
        f"{where}.n_queries.description: 'model queries per input (paper 5', "
        "not 'model queries per input (paper and AutoAttack: 5,000)'",
        f"{where}.n_queries: '000)', which Square's dataclass does not state",
        f"{where}.p_init.exclusiveMinimum: None, not 0",
        f"{where}.p_init.maximum: None, not 1",
    ]
    schema_copies.write_schema(schemas)
    assert robustness.read_text(encoding="utf-8") == original


@dataclasses.dataclass(frozen=True)
class HalfStatedParams(AttackParams):
    """An attack's parameters that leave their range, values and a description out."""

    n_queries: int = param(20, "queries")
    loss: str = param("ce", "the loss")
    scale: float = param(0.5, "", bounds="[0, 1]")


def test_a_dataclass_that_leaves_a_parameter_unstated_is_caught(monkeypatch: pytest.MonkeyPatch):
    where = f"{__name__}.HalfStatedParams"
    assert HalfStatedParams.unstated() == [
        f"{where}.n_queries: no range (param(..., bounds='[low, high]'))",
        f"{where}.loss: no values (param(..., choices=(...)))",
        f"{where}.scale: no description (param(default, doc))",
    ]
    monkeypatch.setitem(REGISTRY, "Square", dataclasses.replace(REGISTRY["Square"], params=HalfStatedParams))
    assert len(attack_copies.attack_problems()) == 3
    assert registries.main([]) == 1


def test_a_range_is_an_interval():
    assert interval("[1, 1000000]") == {"minimum": 1, "maximum": 1000000}
    assert interval("(0, 1]") == {"exclusiveMinimum": 0, "maximum": 1}
    assert interval("[0.5, 2)") == {"minimum": 0.5, "exclusiveMaximum": 2}
    for bad in ("1, 2", "[2, 1]", "[0, inf]", "[a, 1]"):
        with pytest.raises(ValueError, match="interval|lower end"):
            interval(bad)


def test_params_are_checked_once_against_their_dataclass():
    """Unknown keys, wrong types, values out of range or not among the choices: one line each;
    numbers converted to the field's type (the conversions the constructors made)."""
    pgd = attack_params.PGDParams
    assert pgd.of(None, 10.0) == pgd(steps=10) and isinstance(pgd(alpha=1).alpha, float)
    for kwargs, message in (
        ({"step": 3}, "PGD: unknown parameter 'step' (expected one of alpha, steps,"),
        ({"steps": 0}, "PGD: steps must be >= 1, got 0"),
        ({"steps": 2.5}, "PGD: steps must be an integer, got 2.5"),
        ({"alpha": 0.0}, "PGD: alpha must be > 0, got 0.0"),
        ({"norm": "l1"}, "PGD: unknown norm 'l1' (expected one of linf, l2)"),
        ({"random_start": "yes"}, "PGD: random_start must be true or false"),
    ):
        with pytest.raises(ConfigError, match=re.escape(message)):
            pgd.of(**kwargs)
    with pytest.raises(ConfigError, match="FGSM: unknown parameter 'steps' \\(expected none\\)"):
        attack_params.FGSMParams.of(steps=3)
    assert REGISTRY["Square"].checked({"n_queries": 7}).n_queries == 7  # type: ignore[attr-defined]


def test_a_stale_docs_list_is_caught(tmp_path: Path):
    for rel in docs_lists.DOCS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, tmp_path / rel)
    assert docs_lists.docs_problems(tmp_path) == []
    *_, before_last, last = REGISTRY
    edit_once(
        tmp_path / "README.md", f"{before_last} and {last}<!--", f"{before_last}<!--"
    )  # an entry missing
    config = tmp_path / "config" / "README.md"
    edit_once(
        config, "`celeba`<!-- /registry:data_sources -->", "`celeba`, `svhn`<!-- /registry:data_sources -->"
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("<!-- registry:defense_attacks -->", "<!-- registry:defence -->"))
    problems = docs_lists.docs_problems(tmp_path)
    assert problems[0] == "README.md: the registry:attacks block differs from the registry"
    assert any("registry:data_sources block" in p for p in problems)
    assert "config/README.md: no <!-- registry:defense_attacks --> block" in problems
    assert len(problems) == 3, problems
    edit_once(config, "<!-- registry:defence -->", "<!-- registry:defense_attacks -->")
    assert len(docs_lists.write_docs(tmp_path)) == 2
    assert docs_lists.docs_problems(tmp_path) == []


def test_the_vocabularies_derive_from_their_registries():
    from advgen.claims import DATA_LABELS
    from advgen.classifiers.modes import STACKED_MODES as replicates_modes
    from advgen.classifiers.training import MODES
    from advgen.data.fake_sources import SOURCES as FAKE_SOURCES
    from advgen.data.registry import SOURCES
    from advgen.robustness.masking import CHECK_FUNCTIONS

    # data sources: one label each, in the manifest and on the claims page
    assert list(SOURCES) == list(DATA_SOURCES)
    assert (
        {n: s.description for n, s in SOURCES.items()}
        == DATA_LABELS
        == {n: s.label for n, s in DATA_SOURCES.items()}
    )
    assert BUNDLED_SOURCES == ("digits", "mnist_sample")
    assert all(SOURCES[n].downloadable == (n not in BUNDLED_SOURCES) for n in SOURCES)
    assert FAKE_SOURCES == ("mnist", "fashion_mnist", "cifar10", "celeba")
    # training modes
    assert MODES == tuple(TRAINING_MODES) == ("standard", "fgsm_mix", "pgd", "pool")
    assert replicates_modes is STACKED_MODES and STACKED_MODES == SWEPT_MODES == (
        "standard",
        "fgsm_mix",
        "pgd",
    )
    assert [n for n, m in TRAINING_MODES.items() if m.adversarial] == ["fgsm_mix", "pgd"]
    # masking checks: each has its code, in the registry's order
    assert list(CHECK_FUNCTIONS) == list(MASKING_CHECKS) == list(MASKING_CHECK_REGISTRY)


def test_the_module_runs_as_a_check():
    assert registries.main([]) == 0
