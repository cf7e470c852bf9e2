"""Claims expressions (:mod:`advgen.claims.reading.expressions`): our grammar gives pandas' results, bit for bit.

Every ``value`` and ``query`` of ``config/claims.yaml`` is evaluated on a synthetic table both
by the grammar's evaluator and by pandas' ``DataFrame.eval`` / ``DataFrame.query`` with the
python engine (what the claims engine used before; here only, as the reference). ``entry(x)``
is compared with the pandas expression it replaced, ``x.str.replace('_seed[0-9]+$', '', regex=True)``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from advgen.claims.reading import expressions
from advgen.claims.reading.claims_file import read_claims_file

ROOT = Path(__file__).resolve().parents[2]
CLAIMS = ROOT / "config" / "claims.yaml"
ROWS = 2000


def _pandas_text(text: str) -> str:
    """The pandas expression of ``text``: ``entry(x)`` as the string method chain it stands for,
    ``logit(p, n)`` as the empirical logit's arithmetic."""
    text = re.sub(r"logit\((\w+), (\w+)\)", r"log((\1 * \2 + 0.5) / (\2 - \1 * \2 + 0.5))", text)
    return re.sub(r"entry\((\w+)\)", r"\1.str.replace('_seed[0-9]+$', '', regex=True)", text)


def _expressions() -> tuple[list[str], list[str]]:
    values, queries = set(), set()
    for claim in read_claims_file(CLAIMS).claims:
        for term in claim.all_terms():
            values.add(term.value)
            if term.query:
                queries.add(term.query)
    return sorted(values), sorted(queries)


VALUES, QUERIES = _expressions()


def _column_kinds(texts: list[str]) -> tuple[dict[str, set[str]], dict[str, set[float]], set[str]]:
    """The string literals each column is compared with, the numbers each is compared with, and
    the columns ``entry`` reads (run names)."""
    strings: dict[str, set[str]] = {}
    numbers: dict[str, set[float]] = {}
    runs: set[str] = set()
    for text in texts:
        for node in ast.walk(ast.parse(text, mode="eval")):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "entry":
                runs |= {a.id for a in node.args if isinstance(a, ast.Name)}
            if isinstance(node, ast.Compare):
                sides = [node.left, *node.comparators]
                names = [s.id for s in sides if isinstance(s, ast.Name)]
                for side in sides:
                    if isinstance(side, ast.Constant) and isinstance(side.value, str):
                        for name in names:
                            strings.setdefault(name, set()).add(side.value)
                    elif isinstance(side, ast.Constant) and isinstance(side.value, int | float):
                        for name in names:
                            numbers.setdefault(name, set()).add(float(side.value))
    return strings, numbers, runs


def synthetic_table(texts: list[str], seed: int = 0) -> pd.DataFrame:
    """Every column the expressions read: string columns drawn from the literals they are
    compared with (and one other value), run names with and without ``_seed<k>``, numbers
    drawn from the constants they are compared with, random values, NaN and inf."""
    rng = np.random.default_rng(seed)
    strings, numbers, runs = _column_kinds(texts)
    names = sorted({c for t in texts for c in expressions.columns(t)})
    out: dict[str, object] = {}
    run_names = np.array(["fc10", "fc10_seed1", "fc100_100", "fc100_100_seed2", "fc_seed", "fc10_seed12x"])
    for name in names:
        if name in runs or name in ("source", "target"):
            out[name] = rng.choice(run_names, ROWS)
        elif name in strings:
            out[name] = rng.choice(np.array(sorted(strings[name]) + ["other"]), ROWS)
        else:
            pool = np.concatenate(
                [
                    rng.normal(0.5, 2.0, 8),
                    rng.random(8) * 1e-3,
                    [0.0, 1.0, 3.0, -1.0, np.nan, np.inf, -np.inf, 2e9],
                ]
            )
            compared = np.array(sorted(numbers.get(name, ())), dtype=float)
            drawn = rng.choice(pool, ROWS)
            if len(compared):  # half the rows hold a number the expressions compare the column with
                drawn = np.where(rng.random(ROWS) < 0.5, rng.choice(compared, ROWS), drawn)
            out[name] = drawn
    return pd.DataFrame(out, index=pd.RangeIndex(ROWS) * 3 + 7)


def test_the_claims_file_has_expressions_of_every_kind() -> None:
    assert len(VALUES) > 10 and len(QUERIES) > 20
    assert any("entry(" in q for q in QUERIES) and any("abs(" in v for v in VALUES)


def _pandas_eval(table: pd.DataFrame, text: str) -> object:
    """pandas' value of ``text``; pandas has no element-wise ``minimum`` / ``maximum``, so one
    around the whole expression is numpy's of pandas' two arguments."""
    whole = re.fullmatch(r"(minimum|maximum)\((.+)\)", text)
    if whole:
        args = [a.strip() for a in whole.group(2).split(",")]
        if len(args) == 2:
            first, second = (table.eval(_pandas_text(a), engine="python") for a in args)
            return getattr(np, whole.group(1))(first, second)
    return table.eval(_pandas_text(text), engine="python")


@pytest.mark.parametrize("text", VALUES)
def test_value_is_bit_identical_to_pandas(text: str) -> None:
    table = synthetic_table(VALUES)
    ours = pd.Series(expressions.evaluate(text, table), index=table.index)
    theirs = pd.Series(_pandas_eval(table, text), index=table.index)
    a = pd.to_numeric(ours, errors="raise").astype("float64").to_numpy()
    b = pd.to_numeric(theirs, errors="raise").astype("float64").to_numpy()
    assert np.array_equal(a.view(np.int64), b.view(np.int64)), text


@pytest.mark.parametrize("text", QUERIES)
def test_query_selects_the_rows_pandas_selects(text: str) -> None:
    table = synthetic_table(QUERIES)
    ours = expressions.select(table, text)
    theirs = table.query(_pandas_text(text), engine="python")
    pd.testing.assert_frame_equal(ours, theirs)
    assert 0 < len(ours) < len(table), f"{text}: the synthetic table does not exercise it"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a + b * 2 - c / 4", [1 + 2 * 2 - 3 / 4, 2 + 3 * 2 - 4 / 4]),
        ("-a ** 2", [-1.0, -4.0]),
        ("abs(a - c)", [2.0, 2.0]),
        ("sqrt(c + 1)", [2.0, np.sqrt(5.0)]),
        ("exp(log(b))", [np.exp(np.log(2.0)), np.exp(np.log(3.0))]),
        ("minimum(a, b) + maximum(a, c)", [1 + 3, 2 + 4]),
        ("1 < b <= 2", [True, False]),
        ("s in ['x', 'z']", [True, False]),
        ("s not in ['x']", [False, True]),
        ("not (a == 1) or s == 'y'", [False, True]),
        ("entry(r) == 'm'", [True, True]),
        ("a / 0", [np.inf, np.inf]),
        ("logit(a - 1, c)", [np.log(0.5 / 3.5), np.log(4.5 / 0.5)]),  # rates 0 and 1: finite
    ],
)
def test_grammar_computes(text: str, expected: list[object]) -> None:
    table = pd.DataFrame(
        {"a": [1.0, 2.0], "b": [2.0, 3.0], "c": [3.0, 4.0], "s": ["x", "y"], "r": ["m", "m_seed3"]}
    )
    assert list(expressions.evaluate(text, table)) == expected


@pytest.mark.parametrize(
    ("text", "refused"),
    [
        ("a.__class__", "attribute access (.__class__)"),
        ("a.str.len()", "attribute access (.len)"),
        ("a + 0 * a.__class__.__init__.__globals__.get('sys')", "attribute access"),
        ("eval('1')", "calling eval"),
        ("__import__('os').system('true')", "attribute access"),
        ("__import__('os')", "calling __import__"),
        ("(lambda: 0)()", "lambda"),
        ("(a + b)(c)", "calling an expression"),
        ("lambda: 0", "lambda"),
        ("[x for x in a]", "comprehensions"),
        ("f'{a}'", "f-strings"),
        ("a[0]", "subscripts"),
        ("a @ a", "the operator '@'"),
        ("a // 2", "the operator '//'"),
        ("~a", "the operator '~'"),
        ("a if b else c", "conditional expressions"),
        ("(x := 1)", "assignment"),
        ("abs(a, b)", "abs() takes 1 argument"),
        ("abs(x=a)", "keyword arguments"),
        ("a is None", "the comparison 'is'"),
        ("None", "the literal None"),
        ("b'x'", "the literal b'x'"),
        ("a in b", "in / not in takes a literal list"),
        ("a in [b]", "in / not in takes a list of numbers or strings"),
        ("__class__", "double underscores"),
        ("10 ** " + "9" * 400, "too large"),
        ("a" + " + a" * 400, "longer than 1000 characters"),
        ("-" * 60 + "a", "nesting deeper than"),
        ("import os", "not a valid expression"),
        ("a = 1", "not a valid expression"),
        ("", "must be a non-empty string"),
    ],
)
def test_outside_the_grammar_is_refused(text: str, refused: str) -> None:
    with pytest.raises(expressions.ExpressionError, match=re.escape(refused)):
        expressions.check(text)


def test_runtime_faults_are_expression_errors() -> None:
    table = pd.DataFrame({"a": [1.0], "s": ["x"], "b": [True]})
    with pytest.raises(expressions.ExpressionError, match="no column 'c'"):
        expressions.evaluate("a + c", table)
    with pytest.raises(expressions.ExpressionError, match="not a condition"):
        expressions.select(table, "a + 1")
    for text, error in [
        ("s > 1", "TypeError"),
        ("b / b", "NotImplementedError"),
        ("b ** b", "NotImplementedError"),
        ("entry(a)", "AttributeError"),
    ]:
        with pytest.raises(
            expressions.ExpressionError, match=f"cannot be computed on this table \\({error}: "
        ):
            expressions.evaluate(text, table)
    arrow = table.astype({"s": "string[pyarrow]"})
    with pytest.raises(expressions.ExpressionError, match=r"\(ArrowNotImplementedError: "):
        expressions.evaluate("abs(s)", arrow)
    assert len(expressions.select(table, "1 == 1")) == 1 and len(expressions.select(table, "1 == 2")) == 0


TYPES = {"eps": expressions.NUMBER, "attack": expressions.STRING, "correct": expressions.BOOL}


#: the type an expression must have -> (expression, what the refusal says)
REFUSED = {
    expressions.NUMBER: {
        "abs(attack)": "abs() of a string ('attack'), expected a number",
        "(eps > 0) / (eps > 0)": "arithmetic (/) on two true/false values",
        "correct ** correct": "arithmetic (**) on two true/false values",
        "attack + 1": "arithmetic (+) on a string",
        "-attack": "a sign on a string value",
        "logit(correct, 10)": "logit() of a true/false",
        "entry(attack)": "not a number (its values are strings)",
    },
    expressions.BOOL: {
        "not eps": "not of a number",
        "eps and correct": "and of a number ('eps')",
        "attack < 1": "a string ordered against a number",
        "eps + 1": "not a condition (its values are numbers",
    },
    expressions.STRING: {"entry(eps)": "entry() of a number ('eps'), expected a string"},
}


@pytest.mark.parametrize(
    ("text", "want", "refused"),
    [(text, want, refused) for want, cases in REFUSED.items() for text, refused in cases.items()],
)
def test_types_refused_before_the_table_is_read(text: str, want: str, refused: str) -> None:
    with pytest.raises(expressions.ExpressionError, match=re.escape(refused)):
        expressions.check_types(text, TYPES, want)


@pytest.mark.parametrize(
    ("text", "want", "kind"),
    [
        ("abs(eps - 1) * correct", expressions.NUMBER, expressions.NUMBER),
        ("correct", expressions.NUMBER, expressions.BOOL),
        ("attack == 'fgsm' and not correct", expressions.BOOL, expressions.BOOL),
        ("entry(attack) in ['a']", expressions.BOOL, expressions.BOOL),
        ("unknown / unknown", expressions.NUMBER, expressions.ANY),
        ("abs(unknown)", expressions.NUMBER, expressions.NUMBER),
    ],
)
def test_types_accepted(text: str, want: str, kind: str) -> None:
    assert expressions.check_types(text, TYPES, want) == kind


def test_columns_excludes_function_names() -> None:
    assert expressions.columns("abs(z_var - 1) + entry(source)") == {"z_var", "source"}
