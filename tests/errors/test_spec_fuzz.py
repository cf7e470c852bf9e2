"""Every job spec is checked as a config is: a ``--spec`` nested thousands deep, with NaN,
Infinity or numbers that overflow, duplicate keys, lone surrogates, unknown fields, or any of its
numbers made negative, huge or NaN, is one line naming ``--spec`` (and the field), exit status 2,
before any file is read; never a traceback, never exit 0. Any field set to ``null`` is refused so
by the schema, or is one the typed spec declares optional (the schema and the dataclass agree).

The commands are found from the command line's parser (every ``--spec`` added with
:func:`advgen.commands._args.add_spec`, which names the schema definition that checks it); each
has a valid spec, the first one the workflow's plans write (:data:`CONFIGS`: the tiny ``.test``
configs, then the default and the paper's; a by-hand command takes a job kind's spec of its
definition), which passes its definition and is mutated one number at a time. In process
(:func:`advgen.cli.main`), like the rest of the bad-input corpus.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from advgen.cli import build_parser
from advgen.commands._args import SpecType
from advgen.config import complete_entry
from advgen.pipeline.check import checked_pipeline
from advgen.pipeline.jobkinds import JOB_KINDS
from advgen.specs import spec_dict
from tests.conftest import REPO
from tests.errors.conftest import assert_one_line_error, run_cli

#: the configs whose plans write the base specs: the tiny ones first, then the default and the
#: paper's (the one whose data sets torchvision downloads)
CONFIGS = [
    *sorted((REPO / ".test" / "config").glob("*.yaml")),
    REPO / "config" / "config.yaml",
    REPO / "config" / "paper.yaml",
]


def _spec_commands() -> dict[str, tuple[argparse.ArgumentParser, SpecType]]:
    out = {}
    for name, parser in build_parser().commands.items():
        for action in parser._actions:
            if isinstance(action.type, SpecType):
                out[name] = (parser, action.type)
    return out


COMMANDS = _spec_commands()


def _plans() -> Iterator[Any]:
    """The plans of :data:`CONFIGS`, then the replicates config's with its seeds stacked (the
    stacked kinds' jobs: advgen.pipeline.stacking)."""
    for config in CONFIGS:
        yield checked_pipeline([config])
    replicates = REPO / ".test" / "config" / "replicates.yaml"
    stacked = {**yaml.safe_load(replicates.read_text()), "stack_seeds": "always"}
    yield checked_pipeline([replicates], stacked, base=REPO)


def _planned_specs() -> dict[str, Any]:
    """Command -> the first spec the plans of :data:`CONFIGS` write for it (a job kind's
    command: its first job's; a by-hand command: the first of its definition's)."""
    by_definition: dict[str, Any] = {}
    by_command: dict[str, Any] = {}
    for plan in _plans():
        for kind in JOB_KINDS:
            jobs = kind.each(plan)
            if jobs and kind.command not in by_command:
                by_command[kind.command] = spec_dict(kind.spec(plan, jobs[0]))
                by_definition.setdefault(kind.spec_type.__name__, by_command[kind.command])
        if set(COMMANDS) <= set(by_command) | {
            c for c, (_, t) in COMMANDS.items() if t.definition in by_definition
        }:
            break
    return {
        command: by_command[command] if command in by_command else by_definition[spec_type.definition]
        for command, (_, spec_type) in COMMANDS.items()
        if command in by_command or spec_type.definition in by_definition
    }


BASE_SPECS = _planned_specs()


def _argv(command: str, spec: str) -> list[str]:
    """``command --spec SPEC`` with every other required argument (paths under results/, never read)."""
    parser = COMMANDS[command][0]
    argv, positional = [command], []
    for action in parser._actions:
        if isinstance(action.type, SpecType):
            argv += ["--spec", spec]
        elif action.required:  # (positionals of nargs ? or * and an optional subcommand are not)
            value = "x=results/x.pt" if action.dest in ("input", "output") else f"results/{action.dest}.pt"
            if action.choices:
                value = str(next(iter(action.choices)))
            if action.option_strings:
                argv += [action.option_strings[-1], value]
            else:
                positional.append(value)
    if command == "claims":
        argv += ["--config", "results/claims.yaml", "--html", "results/claims.html"]
    return argv + positional


def test_every_job_command_has_a_valid_base_spec() -> None:
    assert len(COMMANDS) >= 30
    assert sorted(COMMANDS) == sorted(BASE_SPECS)
    for command, (_, spec_type) in COMMANDS.items():
        complete_entry(BASE_SPECS[command], spec_type.schema, spec_type.definition)  # raises if not


DEEP = '{"a": ' + "[" * 5000 + "]" * 5000 + "}"
# id -> (the --spec text from the base spec's JSON, the words the line names)
GENERIC: dict[str, tuple[Any, str]] = {
    "nested-5000-deep": (lambda base: DEEP, "--spec: nested 5001 levels deep"),
    "nan-literal": (lambda base: base[:-1] + ', "zz": NaN}', "--spec: zz: NaN is not a number JSON allows"),
    "infinity": (lambda base: base[:-1] + ', "zz": -Infinity}', "--spec: zz: -Infinity is not a number"),
    "float-overflow": (
        lambda base: base[:-1] + ', "zz": 1e400}',
        "--spec: zz: the number 1e400 is out of range",
    ),
    "integer-10-pow-400": (
        lambda base: base[:-1] + ', "zz": 1' + "0" * 400 + "}",
        "--spec: zz: an integer of 401 digits",
    ),
    "duplicate-key": (lambda base: base[:-1] + ', "zz": 1, "zz": 2}', "--spec: duplicate key 'zz'"),
    "lone-surrogate": (
        lambda base: base[:-1] + ', "zz": "\\ud800"}',
        "--spec: zz: '\\ud800' holds a lone surrogate",
    ),
    "surrogate-key": (lambda base: base[:-1] + ', "\\udcff": 1}', "lone surrogate"),
    "unknown-field": (
        lambda base: base[:-1] + ', "zz_unknown": 1}',
        "--spec: zz_unknown: unknown key 'zz_unknown'",
    ),
}


def _text(spec: Any) -> str:
    text = json.dumps(spec)
    return text if text != "{}" else "{ }"


@pytest.mark.parametrize("case", sorted(GENERIC))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_malformed_spec_is_one_line(command: str, case: str, workdir: Path, capsys) -> None:
    make, words = GENERIC[case]
    spec = make(_text(BASE_SPECS[command]))
    if spec.startswith("{ ,"):  # the empty spec of robust-features-table
        spec = "{" + spec[3:]
    code, err = run_cli(_argv(command, spec), capsys)
    assert_one_line_error(code, err, words, workdir=workdir)


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(value, dict):
        for key, v in value.items():
            yield from _leaves(v, (*path, key))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def _numbers(spec: Any) -> list[tuple[tuple[Any, ...], Any]]:
    """The numbers of ``spec`` (booleans aside): the first of each field name, at most four
    under each top-level key (a map of runs repeats one field under many names)."""
    seen, per_key, out = set(), {}, []
    for path, value in _leaves(spec):
        if path[0] == "recipes":  # the claims page's record of the model entries' specs: compared
            continue  # with the freeze record's, never run (advgen.claims.freeze.freeze_record.recipes)
        field = next((p for p in reversed(path) if isinstance(p, str)), "")
        if isinstance(value, bool) or not isinstance(value, int | float) or field in seen:
            continue
        if per_key.setdefault(path[0], 0) == 4:
            continue
        seen.add(field)
        per_key[path[0]] += 1
        out.append((path, value))
    return out


def _replaced(spec: Any, path: tuple[Any, ...], raw: str) -> str:
    """``spec`` as JSON text with the value at ``path`` written as ``raw``."""
    spec = json.loads(json.dumps(spec))
    node = spec
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = "__value__"
    return json.dumps(spec).replace('"__value__"', raw)


#: mutation -> (the raw JSON written at a number, whether it applies to floats too)
MUTATIONS = {"negative": ("-5", True), "nan": ("NaN", True), "huge-integer": ("1000000000000000", False)}


@pytest.mark.parametrize("mutation", sorted(MUTATIONS))
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_number_of_a_spec_is_range_checked(command: str, mutation: str, workdir: Path, capsys) -> None:
    raw, floats = MUTATIONS[mutation]
    base = BASE_SPECS[command]
    numbers = [(p, v) for p, v in _numbers(base) if floats or isinstance(v, int)]
    for path, _ in numbers:
        field = next(p for p in reversed(path) if isinstance(p, str))
        code, err = run_cli(_argv(command, _replaced(base, path, raw)), capsys)
        assert_one_line_error(code, err, "--spec: ", field, workdir=workdir)


def _with(command: str, path: tuple[Any, ...], raw: str) -> str:
    return _replaced(BASE_SPECS[command], path, raw)


# (command, the field, its raw JSON value, the words the line names): what the schema passed and
# the job's code refused with a traceback
CODE_BOUNDS = [
    ("interpolate", ("steps",), "null", "--spec: steps: null, but latent inversion runs the inversion"),
    ("interpolate", ("lr",), "null", "--spec: lr: null, but latent inversion runs the inversion"),
    ("interpolate", ("restarts",), "null", "--spec: restarts: null, but latent inversion"),
    (
        "prepare-data",
        ("dataset", "test_fraction"),
        "1e-320",
        "--spec: dataset.test_fraction: 1e-320 puts 1 of the 1,797 images in the test split",
    ),
    (
        "prepare-data",
        ("dataset", "test_fraction"),
        "0.9999999",
        "--spec: dataset.test_fraction: 0.9999999 puts 0 of the 1,797 images in the train split",
    ),
]


@pytest.mark.parametrize(
    ("command", "path", "raw", "words"), CODE_BOUNDS, ids=[f"{c[0]}-{c[1][-1]}-{c[2]}" for c in CODE_BOUNDS]
)
def test_what_the_schema_passes_the_code_accepts(
    command: str, path: tuple[Any, ...], raw: str, words: str, workdir: Path, capsys
) -> None:
    argv = _argv(command, _with(command, path, raw))
    if command == "prepare-data":  # the check runs before the source is loaded: a real output path
        argv = [a if a != "x=results/x.pt" else "split=results/data/digits/train.pt" for a in argv]
    code, err = run_cli(argv, capsys)
    assert_one_line_error(code, err, words, workdir=workdir)


def test_encoder_latents_leave_the_inversion_settings_null() -> None:
    spec = dict(BASE_SPECS["interpolate"], latent="encoder")
    spec.update(dict.fromkeys(("steps", "optimizer", "lr", "restarts", "prior_weight")))
    spec_type = COMMANDS["interpolate"][1]
    complete_entry(spec, spec_type.schema, spec_type.definition)  # raises if not


def _null_paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Every field of ``value`` (objects and lists included, the first item of a list only), once
    per field name's place: ``runs.<any run>.epochs`` once."""
    seen: set[tuple[Any, ...]] = set()

    def walk(node: Any, at: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
        place = tuple(p if isinstance(p, str) else 0 for p in at)
        if at and place in seen:
            return
        seen.add(place)
        if at:
            yield at
        items = (
            node.items() if isinstance(node, dict) else enumerate(node[:1]) if isinstance(node, list) else ()
        )
        for key, v in items:
            yield from walk(v, (*at, key))

    yield from walk(value, path)


def _hint_at(cls: type, path: tuple[Any, ...]) -> Any:
    """The type the typed spec ``cls`` declares at ``path`` (``Any`` where it declares none)."""
    import dataclasses
    import types
    import typing
    from collections.abc import Mapping

    hint: Any = cls
    for key in path:
        if typing.get_origin(hint) in (typing.Union, types.UnionType):
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        origin = typing.get_origin(hint) or hint
        args = [a for a in typing.get_args(hint) if a is not Ellipsis]
        if isinstance(origin, type) and dataclasses.is_dataclass(origin):
            hint = typing.get_type_hints(origin).get(key, Any)
        elif origin in (tuple, list) and args:
            hint = args[0]
        elif origin in (dict, Mapping) and len(args) == 2:
            hint = args[1]
        else:
            return Any
    return hint


def _admits_none(hint: Any) -> bool:
    import types
    import typing

    union = typing.get_origin(hint) in (typing.Union, types.UnionType)
    return hint is Any or (union and type(None) in typing.get_args(hint))


@pytest.mark.parametrize("command", sorted(set(COMMANDS) - {"claims"}))
def test_a_null_field_is_one_line_or_a_field_the_code_leaves_empty(command: str) -> None:
    """Each field of the base spec set to ``null``, one at a time, through the spec reader (fast:
    no command runs): the schema refuses it with one line naming ``--spec`` and the field, or
    the typed spec declares the field optional (``X | None``), so the code that reads it handles
    ``None``. A field the schema lets be null and the dataclass does not is a mismatch either way
    (the typed spec's own refusal, or a value its code never expects)."""
    from advgen.commands._jobkind import commands
    from advgen.errors import ConfigError
    from advgen.jobs import load_spec

    spec_type = commands()[command].spec_type
    base = BASE_SPECS[command]
    for path in _null_paths(base):
        try:
            load_spec(_replaced(base, path, "null"), spec_type=spec_type)
        except ConfigError as exc:
            field = next((p for p in reversed(path) if isinstance(p, str)), "")
            # the schema's line (``--spec: FIELD: ...``), not the typed spec's (``--spec.FIELD: expected
            # int, got None``: a null the schema passed and the dataclass does not declare)
            assert str(exc).startswith("--spec: ") and "\n" not in str(exc) and field in str(exc), (path, exc)
            continue
        hint = _hint_at(spec_type, path)
        assert _admits_none(hint), f"{command} {path}: the schema allows null, {spec_type.__name__} {hint}"
