"""One registry per vocabulary (attacks, generator kinds, sweeps, defense attacks, figure
families): each is the one place its names are listed, the schema's enums and sections equal
it, and code asks its flags what an entry can do: no module outside the registry compares a
value with the registry's names (:func:`test_no_code_outside_a_registry_compares_its_names`)."""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from advgen.attacks.registry import REGISTRY
from advgen.config import load_yaml, schema_path
from advgen.defense import attacks
from advgen.defense.attacks import DEFENSE_ATTACKS
from advgen.errors import ConfigError
from advgen.generators import GENERATOR_KINDS, Generators, generator_kind, with_encoder
from advgen.pipeline.figure_kinds import draws_figures
from advgen.pipeline.jobkinds import JOB_KINDS
from advgen.sweeps.registry import SWEEPS
from tests.unit.defense_helpers import purify_spec

REPO = Path(__file__).resolve().parents[2]


def schema(name: str) -> dict:
    return load_yaml(schema_path(name))


def job_rules() -> set[str]:
    """The rules workflow/rules/jobs.smk generates: one per job kind."""
    from advgen.pipeline.jobkinds import JOB_KINDS

    return {kind.name for kind in JOB_KINDS}


# --- generator kinds
def test_generator_kinds_are_the_config_sections():
    top = schema("config.schema.yaml")["properties"]
    assert {k.section for k in GENERATOR_KINDS.values()} <= set(top)
    # the training jobs' checkpoints
    assert GENERATOR_KINDS["gan"].checkpoint("g") == "results/gans/g/checkpoint.pt"
    assert GENERATOR_KINDS["autoencoder"].checkpoint("a") == "results/autoencoders/a/checkpoint.pt"


def test_generator_kind_flags():
    # an autoencoder's encoder (D(E(x)) purification, E(x) inversion starts); a GAN has none
    assert [k.name for k in GENERATOR_KINDS.values() if k.has_encoder] == ["autoencoder"]
    assert with_encoder() == "an autoencoder"


def test_one_answer_to_gan_or_autoencoder():
    config = {"gans": {"g": {}, "both": {}}, "autoencoders": {"a": {}, "both": {}}}
    assert generator_kind(config, "g").name == "gan"
    assert generator_kind(config, "a").name == "autoencoder"
    assert Generators(config).checkpoint("a") == "results/autoencoders/a/checkpoint.pt"
    with pytest.raises(
        ConfigError, match=r"^sweeps.x: unknown generator 'nope' \(defined in gans/autoencoders: a, both, g\)"
    ):
        generator_kind(config, "nope", "sweeps.x")
    with pytest.raises(ConfigError, match="'both' names both a GAN and an autoencoder"):
        Generators(config).checkpoint("both")


# --- sweeps
def test_sweeps_are_the_schema_sections_and_have_their_rules():
    assert list(SWEEPS) == list(schema("sweeps.schema.yaml")["$defs"]["sweeps"]["properties"])
    assert {s.rule for s in SWEEPS.values()} <= job_rules()
    assert {s.split for s in SWEEPS.values()} <= {"train", "test"}
    from advgen.sweeps.summary import problems

    assert [line for s in SWEEPS.values() for line in problems(s)] == []  # each entry complete


@pytest.mark.parametrize("name", list(SWEEPS))
def test_sweep_flags_match_the_schema(name):
    """A sweep's flags are what its block of sweeps.schema.yaml says it has, and its smoke caps
    and grids are keys of that block."""
    sweep, defs = SWEEPS[name], schema("sweeps.schema.yaml")["$defs"]
    keys = defs[name]["properties"]
    assert "encoder" in defs["init_choice"]["enum"]
    assert sweep.encoder_init == ("init" in keys)
    assert sweep.sgd_lr == ("sgd_lr" in keys)
    assert sweep.masks == ("mask" in keys)
    assert sweep.latent_path == ("latent" in keys)
    assert set(sweep.smoke) | set(sweep.smoke_grids) <= set(keys)


# --- defense attacks
def test_defense_attacks_are_the_schema_enum():
    enum = schema("defense.schema.yaml")["$defs"]["attack"]["enum"]
    assert list(DEFENSE_ATTACKS) == enum


def test_grey_box_defense_attacks_say_how_they_are_crafted():
    greybox = {n: a.greybox for n, a in DEFENSE_ATTACKS.items() if a.greybox is not None}
    assert set(greybox) == {n for n, a in DEFENSE_ATTACKS.items() if a.threat == attacks.GREYBOX}
    spec = purify_spec(pgd_steps=7, seed=3)
    crafted = {n: g(spec) for n, g in greybox.items()}
    assert crafted == {"fgsm": ("FGSM", {}), "pgd": ("PGD", {"steps": 7, "seed": 3})}
    assert {name for name, _ in crafted.values()} <= set(REGISTRY)


def test_defense_attacks_metadata():
    from advgen.defense.adaptive import ADAPTIVE_ATTACK_FUNCTIONS

    # every adaptive attack has code, every grey-box one is crafted on the bare classifier
    adaptive = {n for n, a in DEFENSE_ATTACKS.items() if a.threat == attacks.ADAPTIVE}
    assert adaptive == set(ADAPTIVE_ATTACK_FUNCTIONS)
    assert attacks.applicable("none") == ("fgsm", "pgd")
    assert attacks.automatic("reconstruct") == ("bpda", "exact", "latent")
    assert attacks.automatic("project") == ("bpda", "eot", "unroll_short", "unroll", "latent", "eot_rand")
    assert "autoattack_rand" in attacks.applicable("project")  # opt-in: listed, not automatic
    assert attacks.threat("pgd") == "greybox" and attacks.threat("something_new") == "adaptive"
    assert attacks.attack_size("pgd", purify_spec(pgd_steps=7), None)["attack_steps"] == 7


# --- no capability check by name
@dataclass(frozen=True)
class Vocabulary:
    """A registry's names, the modules where comparing them is the registry's own business
    (paths under src/advgen; a folder ends in ``/``, a prefix matches a module or a package),
    and ``homonyms``: module -> the names compared there that are words of another vocabulary."""

    names: frozenset[str]
    home: tuple[str, ...]
    homonyms: Mapping[str, frozenset[str]] = field(default_factory=dict)


VOCABULARIES = {
    "attacks": Vocabulary(frozenset(REGISTRY), ("attacks/",)),
    "generator kinds": Vocabulary(frozenset(GENERATOR_KINDS), ("generators.py",)),
    "sweeps": Vocabulary(frozenset(SWEEPS), ("sweeps/registry.py",)),
    "defense attacks": Vocabulary(
        frozenset(DEFENSE_ATTACKS),
        ("defense/attacks.py",),
        {
            "claims/statistics/stats.py": frozenset({"exact"}),  # an estimate's level
            "classifiers/pool.py": frozenset({"fgsm"}),  # the pool's own attacks (pool_attack)
            # the training mode pgd (advgen.classifiers.modes)
            "classifiers/replicates.py": frozenset({"pgd"}),
            "classifiers/training.py": frozenset({"pgd"}),
            "smoke.py": frozenset({"pgd"}),
            # the gradient an attack takes through a purifier (straight-through, exact, unrolled)
            "defense/purify.py": frozenset({"bpda", "exact"}),
            "robustness/masking_job.py": frozenset({"bpda", "exact", "unroll"}),
            "sweeps/grid.py": frozenset({"latent"}),  # the interpolation sweep's grid axis
        },
    ),
    # the job kinds that draw figures, made in pipeline/figure_kinds.py
    "figure families": Vocabulary(
        frozenset(k.name.removeprefix("plot_") for k in JOB_KINDS if draws_figures(k)),
        ("pipeline/figure_kinds.py",),
    ),
}
SRC = REPO / "src" / "advgen"


def name_checks(source: str, names: frozenset[str]) -> dict[int, set[str]]:
    """Line -> the names that ``source`` compares a value with: ``==``, ``!=``, ``in``, ``not
    in``, ``.isin([...])``, ``.startswith(...)`` / ``.endswith(...)`` and ``case "name":``."""

    def named(node: ast.AST | None) -> set[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value} & names
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            return set().union(*(named(e) for e in node.elts))
        return set()

    found: dict[int, set[str]] = {}
    for node in ast.walk(ast.parse(source)):
        hits: set[str] = set()
        if isinstance(node, ast.Compare):
            hits = set().union(*(named(n) for n in [node.left, *node.comparators]))
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("isin", "startswith", "endswith")
        ):
            hits = set().union(*(named(a) for a in node.args))
        elif isinstance(node, ast.MatchValue):
            hits = named(node.value)
        if hits:
            found.setdefault(node.lineno, set()).update(hits)
    return found


def test_the_scan_finds_every_form_of_a_check_by_name():
    names = frozenset({"PGD", "gan", "inversion", "fgsm"})
    source = (
        'a == "PGD"\n'
        'b in ("gan", "X")\n'
        'df["attack"].isin(["fgsm"])\n'
        'figure.family.startswith("inversion")\n'
        'match kind:\n    case "gan":\n        pass\n'
        'c != "pgd"\n'  # another word (case matters)
        'SWEEPS["inversion"]\n'  # a lookup in the registry is no comparison
    )
    assert name_checks(source, names) == {1: {"PGD"}, 2: {"gan"}, 3: {"fgsm"}, 4: {"inversion"}, 6: {"gan"}}


@pytest.mark.parametrize("vocabulary", list(VOCABULARIES))
def test_no_code_outside_a_registry_compares_its_names(vocabulary):
    """Code asks a registry's flags what an entry can do (``GENERATOR_KINDS[k].has_encoder``,
    ``SWEEPS[s].masks``, ``DEFENSE_ATTACKS[a].greybox``, ``REGISTRY[a].transferable``), never
    compares its name; the homonyms listed are compared as words of other vocabularies, and
    each is still compared where listed (the list only shrinks)."""
    vocab = VOCABULARIES[vocabulary]
    offenders, homonyms_seen = {}, {}
    for path in sorted(SRC.rglob("*.py")):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(vocab.home):
            continue
        allowed = vocab.homonyms.get(rel, frozenset())
        checks = name_checks(path.read_text(encoding="utf-8"), vocab.names)
        homonyms_seen[rel] = set().union(*checks.values()) & allowed if checks else set()
        lines = sorted(line for line, names in checks.items() if names - allowed)
        if lines:
            offenders[rel] = lines
    assert offenders == {}, f"ask the {vocabulary} registry's flags, not names"
    assert {m: set(n) for m, n in vocab.homonyms.items()} == {m: homonyms_seen[m] for m in vocab.homonyms}
