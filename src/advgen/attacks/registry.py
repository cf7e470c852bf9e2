"""The attacks advgen knows, with their metadata: one entry per attack (no torch import).

Everything that lists attacks is derived from :data:`REGISTRY`: ``advgen.attacks.ATTACKS``
(name -> class), :data:`MINIMAL_ATTACKS` (the minimal-perturbation attacks, whose unbounded
perturbations make the minimal-perturbation table), the capability lists (:data:`TRANSFER_ATTACKS`,
:data:`BASELINE_ATTACKS`, :data:`REFERENCE_ATTACKS`, :data:`MASKING_BLACKBOX`: code asks what an
attack can do, never its name), the smoke config's cost caps (:mod:`advgen.smoke`), and, written by
:mod:`advgen.registries` and checked equal by its test, the schema's ``attack`` enum, its
``params`` branch per attack with the constructor's defaults, and the lists of ``README.md`` and
``config/README.md``. An attack's defaults are stated once, in its constructor, which this module
reads from the source (:func:`constructor_defaults`); so is the rest of what the schema says of
its ``params``: each argument's description, its line of the class docstring's ``Arguments:``
(:func:`constructor_docs`); each numeric one's range, the class attribute ``bounds``
(:func:`constructor_bounds`); each string one's values, the class attribute ``choices``
(``norm``: the entry's :attr:`AttackInfo.norms`; :func:`constructor_choices`). Adding an
attack: its class file under ``advgen/attacks/`` and its entry here, then ``python -m
advgen.registries --write`` writes the copies (docs/contributing.md, "Adding an attack").

Importing this module imports neither torch nor an attack: the workflow's DAG reads it.
"""

from __future__ import annotations

import ast
import functools
import importlib
import importlib.util
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from advgen.smoke_sizes import STEPS as _STEPS  # attack steps of the smoke config

#: the kinds of attack: gradients of the model, or only its scores / predictions
KINDS = ("white-box", "black-box")


@dataclass(frozen=True)
class AttackInfo:
    """One attack's metadata.

    Attributes:
        name: the class name, and the ``attack`` of a ``robustness.attacks`` entry.
        module: the module of :mod:`advgen.attacks` defining the class.
        paper: the paper it follows (authors year).
        norms: the distance measures it takes, its default first (linf, l2, l0 pixels,
            spatial: share of the rotation/translation range).
        kind: "white-box" (input gradients) or "black-box" (scores or predictions only).
        smoke: caps on the parameters that bound its cost in the paper smoke config.
        transferable: crafts the examples of a transfer matrix (``robustness.transfer``;
            Szegedy et al. 2014, Goodfellow et al. 2015): a budgeted attack crafts at the
            matrix's eps, a minimal one transfers its minimal perturbations (eps inf).
        baseline: the gradient attack whose robust accuracy the reference evaluation checks
            (the PGD vs AutoAttack gap, :mod:`advgen.robustness.gap`; Croce & Hein 2020).
        reference: the reference evaluation (Croce & Hein 2020): its curves are drawn over the
            baseline's, the gap is measured against it, and the classifiers it runs on are
            the default ones of the gradient-masking checks.
        masking_blackbox: the black-box attack the gradient-masking checks compare PGD with
            (Carlini et al. 2019, Sec. 5: a gradient-free attack must not beat the gradient
            one); its constructor takes the checks' ``n_queries``.

    Code that depends on what an attack can do reads these flags, never the attack's name.
    """

    name: str
    module: str
    paper: str
    norms: tuple[str, ...]
    kind: str
    smoke: dict[str, Any] = field(default_factory=dict)
    transferable: bool = False
    baseline: bool = False
    reference: bool = False
    masking_blackbox: bool = False

    @property
    def norm(self) -> str:
        """The default distance measure."""
        return self.norms[0]

    @property
    def minimal(self) -> bool:
        """A minimal-perturbation attack (its class derives from
        :class:`advgen.attacks.MinimalAttack`: it searches without a budget, and ``eps`` inf is
        its minimal perturbation)."""
        return "MinimalAttack" in _bases(self.name)

    @property
    def eps(self) -> float:
        """The class's default budget (inf: the minimal perturbation), read from its constructor."""
        return constructor_defaults(self.name)["eps"]

    @property
    def params(self) -> dict[str, Any]:
        """The constructor arguments a config's ``params`` may set (those between ``eps`` and
        the keyword-only ones), with their defaults: the one statement of an attack's defaults,
        which the schema repeats (:mod:`advgen.registries` writes and checks it)."""
        return {
            k: v for k, v in constructor_defaults(self.name).items() if k in constructor_params(self.name)
        }


@functools.cache
def _module(name: str) -> tuple[str, ast.Module]:
    """(path, parsed source) of the module defining attack ``name`` (no import)."""
    spec = importlib.util.find_spec(f"advgen.attacks.{REGISTRY[name].module}")
    if spec is None or spec.origin is None:
        raise ImportError(f"advgen.attacks.{REGISTRY[name].module}: module not found")
    return spec.origin, ast.parse(Path(spec.origin).read_text(encoding="utf-8"), spec.origin)


@functools.cache
def _class(name: str) -> ast.ClassDef:
    """Attack ``name``'s class statement, parsed from its module's source (no import)."""
    origin, tree = _module(name)
    for node in tree.body:
        if isinstance(node, ast.ClassDef) and node.name == name:
            return node
    raise LookupError(f"{origin}: no class {name}")


def _bases(name: str) -> tuple[str, ...]:
    return tuple(ast.unparse(b) for b in _class(name).bases)


def _init(name: str) -> ast.FunctionDef:
    """The ``__init__`` of attack ``name``'s class."""
    for item in _class(name).body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            return item
    raise LookupError(f"advgen.attacks.{REGISTRY[name].module}: class {name} has no __init__")


def _literal(node: ast.expr) -> Any:
    """A default's value: a literal, or ``math.inf`` / ``-math.inf``."""
    if isinstance(node, ast.Attribute) and ast.unparse(node) == "math.inf":
        return math.inf
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_literal(node.operand)
    return ast.literal_eval(node)


@functools.cache
def constructor_defaults(name: str) -> dict[str, Any]:
    """The defaults of attack ``name``'s constructor (argument -> value), read from its source
    without importing it (torch): the constructor is where an attack's defaults are stated."""
    args = _init(name).args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults) :], args.defaults, strict=True))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d is not None]
    return {arg.arg: _literal(default) for arg, default in pairs}


@functools.cache
def constructor_params(name: str) -> tuple[str, ...]:
    """The arguments of attack ``name``'s constructor that a config's ``params`` may set: the
    positional ones after ``model`` and ``eps`` (``seed`` and ``batch_size`` come from the entry
    and the job)."""
    args = _init(name).args
    names = [a.arg for a in args.posonlyargs + args.args]
    return tuple(names[names.index("eps") + 1 :])


@functools.cache
def constructor_annotations(name: str) -> dict[str, str]:
    """The annotations of attack ``name``'s constructor arguments, as source text."""
    args = _init(name).args
    return {a.arg: ast.unparse(a.annotation) for a in args.posonlyargs + args.args if a.annotation}


#: the headers of a docstring's argument list (Google style; torchattacks writes "Arguments:")
ARGUMENT_HEADERS = ("Arguments:", "Args:")


def plain(text: str) -> str:
    """A docstring's text as a schema description: one line, ``code`` as `code`, roles
    (``:class:`APGD```) as their target, no final period."""
    text = " ".join(text.split())
    text = re.sub(r":\w+:`~?([^`]+)`", r"\1", text)
    return text.replace("``", "`").removesuffix(".")


@functools.cache
def constructor_docs(name: str) -> dict[str, str]:
    """Argument -> its description in attack ``name``'s class docstring: the ``Arguments:`` (or
    ``Args:``) section, one ``name: text`` entry per argument (``a, b: text`` for several), its
    text continued on more-indented lines (:func:`plain` text)."""
    lines = (ast.get_docstring(_class(name)) or "").splitlines()
    start = next((i for i, line in enumerate(lines) if line.strip() in ARGUMENT_HEADERS), None)
    if start is None:
        return {}
    header = _indent(lines[start])
    entries: list[tuple[list[str], list[str]]] = []
    entry_indent = None
    for line in lines[start + 1 :]:
        if not line.strip():
            continue
        indent = _indent(line)
        if indent <= header:
            break
        match = re.fullmatch(r"(\w+(?:, \w+)*)(?: \([^)]*\))?: (.*)", line.strip())
        if match and indent == (entry_indent or indent):
            entry_indent = indent
            entries.append((match.group(1).split(", "), [match.group(2)]))
        elif entries:
            entries[-1][1].append(line.strip())
    return {arg: plain(" ".join(text)) for args, text in entries for arg in args}


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _module_value(name: str, node: ast.expr) -> Any:
    """A class attribute's value: a literal, whose parts may name literals the module defines."""
    if isinstance(node, ast.Dict):
        return {
            _module_value(name, k): _module_value(name, v)
            for k, v in zip(node.keys, node.values, strict=True)
            if k
        }
    if isinstance(node, ast.Name):
        origin, tree = _module(name)
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == node.id for t in stmt.targets
            ):
                return _module_value(name, stmt.value)
        raise LookupError(f"{origin}: {node.id} is no literal of the module")
    return ast.literal_eval(node)


def _class_attribute(name: str, attribute: str) -> Any:
    """The value of ``attribute`` in attack ``name``'s own class statement (None: not stated)."""
    for stmt in _class(name).body:
        targets = (
            stmt.targets
            if isinstance(stmt, ast.Assign)
            else [stmt.target]
            if isinstance(stmt, ast.AnnAssign)
            else []
        )
        value = stmt.value if isinstance(stmt, ast.Assign | ast.AnnAssign) else None
        if any(isinstance(t, ast.Name) and t.id == attribute for t in targets) and value is not None:
            return _module_value(name, value)
    return None


_INTERVAL = re.compile(r"([\[(])\s*(-?[0-9.e+-]+)\s*,\s*(-?[0-9.e+-]+)\s*([\])])")


def _number(text: str) -> int | float:
    return int(text) if re.fullmatch(r"-?\d+", text) else float(text)


def interval(text: str) -> dict[str, int | float]:
    """An interval (``"[1, 1000000]"``, ``"(0, 1]"``: a parenthesis leaves its end out) as JSON
    Schema keywords: ``minimum`` / ``exclusiveMinimum`` and ``maximum`` / ``exclusiveMaximum``.

    Raises:
        ValueError: not an interval of two numbers, the lower first.
    """
    match = _INTERVAL.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is no interval (write '[low, high]', '(' or ')' for an open end)")
    low, high = _number(match.group(2)), _number(match.group(3))
    if not low < high:
        raise ValueError(f"{text!r}: the lower end must come first")
    return {
        "exclusiveMinimum" if match.group(1) == "(" else "minimum": low,
        "exclusiveMaximum" if match.group(4) == ")" else "maximum": high,
    }


@functools.cache
def constructor_bounds(name: str) -> dict[str, dict[str, int | float]]:
    """Argument -> its range (JSON Schema keywords, :func:`interval`), from the ``bounds``
    attribute of attack ``name``'s own class statement (``{"n_queries": "[1, 1000000]"}``)."""
    return {arg: interval(text) for arg, text in (_class_attribute(name, "bounds") or {}).items()}


@functools.cache
def constructor_choices(name: str) -> dict[str, tuple[str, ...]]:
    """Argument -> the values it takes: the ``choices`` attribute of attack ``name``'s own class
    statement (``{"loss": LOSSES}``: literals, or names of the module's literals), and a
    ``norm`` argument's, the entry's :attr:`AttackInfo.norms`."""
    choices = {arg: tuple(values) for arg, values in (_class_attribute(name, "choices") or {}).items()}
    if "norm" in constructor_params(name):
        choices["norm"] = REGISTRY[name].norms
    return choices


REGISTRY: dict[str, AttackInfo] = {
    info.name: info
    for info in (
        AttackInfo("FGSM", "fgsm", "Goodfellow et al. 2015", ("linf",), "white-box", transferable=True),
        AttackInfo(
            "PGD",
            "pgd",
            "Madry et al. 2018",
            ("linf", "l2"),
            "white-box",
            {"steps": _STEPS, "restarts": 1},
            transferable=True,
            baseline=True,
        ),
        AttackInfo(
            "LBFGS",
            "lbfgs",
            "Szegedy et al. 2014",
            ("l2",),
            "white-box",
            {"search_steps": 2, "steps": _STEPS},
            transferable=True,
        ),
        AttackInfo(
            "DeepFool",
            "deepfool",
            "Moosavi-Dezfooli et al. 2016",
            ("l2",),
            "white-box",
            {"steps": _STEPS},
        ),
        AttackInfo(
            "OnePixel",
            "onepixel",
            "Su et al. 2019",
            ("l0",),
            "black-box",
            {"population": 20, "steps": 3},
        ),
        AttackInfo(
            "Spatial",
            "spatial",
            "Engstrom et al. 2019",
            ("spatial",),
            "black-box",
            {"rotations": 3, "translations": 3},
        ),
        AttackInfo(
            "APGD",
            "apgd",
            "Croce & Hein 2020",
            ("linf", "l2"),
            "white-box",
            {"n_iter": _STEPS, "n_restarts": 1},
        ),
        AttackInfo("APGDT", "apgdt", "Croce & Hein 2020", ("linf", "l2"), "white-box", {"n_iter": _STEPS}),
        AttackInfo("FAB", "fab", "Croce & Hein 2020", ("linf", "l2"), "white-box", {"n_iter": _STEPS}),
        AttackInfo(
            "Square",
            "square",
            "Andriushchenko et al. 2020",
            ("linf", "l2"),
            "black-box",
            {"n_queries": 20},
            masking_blackbox=True,
        ),
        AttackInfo(
            "AutoAttack",
            "autoattack",
            "Croce & Hein 2020",
            ("linf", "l2"),
            "white-box",
            {"n_iter": _STEPS, "n_queries": 20},
            reference=True,
        ),
        AttackInfo("RandomSign", "random_sign", "Goodfellow et al. 2015", ("linf",), "black-box"),
    )
}

#: the minimal-perturbation attacks (their ``eps`` inf rows make the minimal-perturbation table)
MINIMAL_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.minimal)
#: the attacks that craft transfer matrices; :data:`BUDGET_TRANSFER_ATTACKS`: those of them that
#: craft at a budget (the capacity sweep's matrices compare models at one eps)
TRANSFER_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.transferable)
BUDGET_TRANSFER_ATTACKS = tuple(name for name in TRANSFER_ATTACKS if not REGISTRY[name].minimal)
#: the baseline attacks and the reference evaluation they are checked against
BASELINE_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.baseline)
REFERENCE_ATTACKS = tuple(name for name, info in REGISTRY.items() if info.reference)
#: the black-box attack of the gradient-masking checks (one entry has the flag)
(MASKING_BLACKBOX,) = (name for name, info in REGISTRY.items() if info.masking_blackbox)


def listing(names: tuple[str, ...] | list[str]) -> str:
    """``"A, B or C"``: names in a message."""
    names = list(names)
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} or {names[-1]}"


def attack_class(name: str) -> type:
    """The class of the attack ``name`` (imports its module, and torch)."""
    info = REGISTRY[name]
    return getattr(importlib.import_module(f"advgen.attacks.{info.module}"), info.name)
