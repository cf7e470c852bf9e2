"""The schema's enums, the attacks' params branches and defaults, and the lists of README.md and
config/README.md are the registries' copies (advgen.registries): equal to them, and the check
catches a copy that drifts (negative controls on copies in tmp_path)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from advgen import registries
from advgen.attacks.registry import REGISTRY, constructor_defaults
from advgen.classifiers.modes import STACKED_MODES, SWEPT_MODES, TRAINING_MODES
from advgen.config import SCHEMA_DIR
from advgen.data.sources import BUNDLED_SOURCES, DATA_SOURCES
from advgen.robustness.tables import MASKING_CHECK_REGISTRY, MASKING_CHECKS

REPO = Path(__file__).resolve().parents[2]


def test_the_schema_holds_the_registries():
    assert registries.schema_problems() == []


def test_the_readmes_hold_the_registries_lists():
    assert registries.docs_problems() == []
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert all(name in readme for name in REGISTRY)  # the intro names every attack


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SCHEMA_DIR, tmp_path / "schemas"))


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_stale_schema_is_caught_and_rewritten(schemas: Path):
    robustness, defense, data = (schemas / f"{n}.schema.yaml" for n in ("robustness", "defense", "data"))
    original = {p: p.read_text(encoding="utf-8") for p in (robustness, defense, data)}
    last = list(REGISTRY)[-1]
    _edit(robustness, f", {last}]", "]")  # an attack left out
    _edit(
        robustness,
        "        default: 5000\n      n_target_classes:",
        "        default: 500\n      n_target_classes:",
    )
    _edit(robustness, "      - if: {properties: {attack: {const: FAB}}}\n", "")
    _edit(defense, "eot_rand, autoattack_rand]", "eot_rand]")
    _edit(data, "cifar10, celeba]", "cifar10]")
    _edit(robustness, "enum: [standard, fgsm_mix, pgd, pool]", "enum: [standard, fgsm_mix, pgd]")
    _edit(robustness, "pixels changed (OnePixel),", "pixels changed,")  # the eps grid's meanings
    problems = registries.schema_problems(schemas)
    assert len(problems) == 7, problems
    assert any("autoattack_params.properties.n_queries.default: 500," in p for p in problems)
    assert sorted(registries.write_schema(schemas)) == sorted(map(str, original))
    assert registries.schema_problems(schemas) == []
    assert {p: p.read_text(encoding="utf-8") for p in original} == original  # written back as it was


def test_stale_settings_defaults_are_caught_and_rewritten(schemas: Path):
    """The masking checks' sizes and the adaptive attacks' budget default to their dataclasses'
    fields (MaskingSettings, AdaptiveBudget): a schema default that drifts is caught and written."""
    robustness, defense = schemas / "robustness.schema.yaml", schemas / "defense.schema.yaml"
    _edit(
        robustness, "        default: 0.02\n      max_examples:", "        default: 0.05\n      max_examples:"
    )
    _edit(defense, "latent_lr: 0.05,", "latent_lr: 0.5,")  # budget's own default
    _edit(
        defense,
        "            default: 200\n          latent_lr:",
        "            default: 20\n          latent_lr:",
    )
    problems = registries.schema_problems(schemas)
    assert len(problems) == 3, problems
    assert any("masking_checks.properties.tolerance.default: 0.05, not 0.02" in p for p in problems)
    assert any("purify.properties.budget.properties.latent_steps.default: 20, not 200" in p for p in problems)
    assert any("purify.properties.budget.default: not" in p for p in problems)
    assert sorted(registries.write_schema(schemas)) == sorted(map(str, (defense, robustness)))
    assert registries.schema_problems(schemas) == []
    written = yaml.safe_load(defense.read_text(encoding="utf-8"))["$defs"]["purify"]["properties"]["budget"]
    assert written["default"]["latent_lr"] == 0.05 and written["properties"]["latent_steps"]["default"] == 200


def test_an_attack_without_params_gets_them_from_its_constructor(schemas: Path):
    robustness = schemas / "robustness.schema.yaml"
    text = robustness.read_text(encoding="utf-8")
    start = text.index("  pgd_params:\n")
    robustness.write_text(text[:start] + text[text.index("  apgd_params:\n") :], encoding="utf-8")
    assert registries.schema_problems(schemas) == [
        "robustness.schema.yaml: $defs.pgd_params: missing (PGD's params)"
    ]
    registries.write_schema(schemas)
    assert registries.schema_problems(schemas) == []
    params = yaml.safe_load(robustness.read_text(encoding="utf-8"))["$defs"]["pgd_params"]
    props = params["properties"]
    assert params["additionalProperties"] is False
    assert {k: p["default"] for k, p in props.items()} == {
        k: v for k, v in constructor_defaults("PGD").items() if k in props
    }
    assert list(props) == ["alpha", "steps", "norm", "random_start", "restarts", "early_stop"]
    assert props["steps"]["type"] == "integer" and props["alpha"]["type"] == ["number", "null"]


def test_a_stale_docs_list_is_caught(tmp_path: Path):
    for rel in registries.DOCS:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, tmp_path / rel)
    assert registries.docs_problems(tmp_path) == []
    *_, before_last, last = REGISTRY
    _edit(tmp_path / "README.md", f"{before_last} and {last}<!--", f"{before_last}<!--")  # an entry missing
    config = tmp_path / "config" / "README.md"
    _edit(
        config, "`celeba`<!-- /registry:data_sources -->", "`celeba`, `svhn`<!-- /registry:data_sources -->"
    )
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("<!-- registry:defense_attacks -->", "<!-- registry:defence -->"))
    problems = registries.docs_problems(tmp_path)
    assert problems[0] == "README.md: the registry:attacks block differs from the registry"
    assert any("registry:data_sources block" in p for p in problems)
    assert "config/README.md: no <!-- registry:defense_attacks --> block" in problems
    assert len(problems) == 3, problems
    _edit(config, "<!-- registry:defence -->", "<!-- registry:defense_attacks -->")
    assert len(registries.write_docs(tmp_path)) == 2
    assert registries.docs_problems(tmp_path) == []


def test_the_vocabularies_derive_from_their_registries():
    from advgen.claims import DATA_LABELS
    from advgen.classifiers.replicates import STACKED_MODES as replicates_modes
    from advgen.classifiers.training import MODES
    from advgen.data import SOURCES
    from advgen.data.fake_sources import SOURCES as FAKE_SOURCES
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
