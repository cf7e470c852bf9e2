"""A claim side's ``value`` and ``query``: expressions of a small grammar of our own, data never code.

The grammar is a subset of Python's expression syntax, parsed with :mod:`ast` and checked node
by node when the claims file is read (:func:`check`):

* column names of the side's table, numbers, strings (``attack == 'fgsm'``), ``True``/``False``;
* arithmetic ``+ - * / **`` and unary ``-``/``+``;
* comparisons ``== != < <= > >=``, chained (``0 < eps <= 0.3``), and ``in`` / ``not in`` a
  literal list (``attack in ['fgsm', 'pgd40']``);
* ``and``, ``or``, ``not``;
* calls of the functions of :data:`FUNCTIONS` (``abs(z_var - 1)``, ``entry(source)``).

Everything else (attribute access, subscripts, calls of other names, keyword arguments,
lambdas, comprehensions, f-strings, ``:=``, conditional expressions, names with double
underscores) is refused with one line. :func:`evaluate` then computes the expression on a
pandas DataFrame, vectorised: a name is a column (a Series), a number a float64 scalar, and the
operators are pandas'/NumPy's, so the result is the one pandas' own ``DataFrame.eval`` gives
(``and``/``or``/``not`` are the element-wise ``&``/``|``/``~``, as there).

Where the column types are known (:mod:`advgen.columns`), :func:`check_types` refuses when
the config is checked what pandas could not compute (arithmetic on names or on two true/false
values, ``abs`` of a name, a name ordered against a number); :func:`evaluate` turns whatever
still fails on a table into one :class:`ExpressionError` line.
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable
from typing import Any

#: the longest expression accepted (the claims file's longest is about 150 characters)
MAX_CHARS = 1000
#: the deepest nesting of operations accepted
MAX_DEPTH = 40
#: the replicate suffix of a run's name (``<entry>_seed<k>``, :mod:`advgen.replicates`)
_SEED_SUFFIX = r"_seed[0-9]+$"


def _entry(values: Any) -> Any:
    """The config entry a run belongs to: its name without the replicate suffix ``_seed<k>``."""
    if isinstance(values, str):
        return re.sub(_SEED_SUFFIX, "", values)
    return values.str.replace(_SEED_SUFFIX, "", regex=True)


#: name -> (number of arguments, what it computes); NumPy's function of that name, or ``entry``
FUNCTIONS: dict[str, tuple[int, str]] = {
    "abs": (1, "absolute value"),
    "sqrt": (1, "square root"),
    "log": (1, "natural logarithm"),
    "exp": (1, "exponential"),
    "minimum": (2, "element-wise minimum of two values"),
    "maximum": (2, "element-wise maximum of two values"),
    "entry": (1, "a run's config entry: its name without the replicate suffix _seed<k>"),
    "logit": (
        2,
        "empirical logit of a rate p over n examples: log((p n + 1/2) / (n - p n + 1/2)) (Cox 1970)",
    ),
}


def _function(name: str) -> Callable[..., Any]:
    import numpy as np

    if name == "logit":
        from advgen.claims.statistics.proportions import empirical_logit

        return empirical_logit
    return _entry if name == "entry" else getattr(np, name)


_BINARY: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}
_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
}
_SYMBOLS = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Invert: "~",
    ast.Is: "is",
    ast.IsNot: "is not",
}
_REFUSED = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripts",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.FormattedValue: "f-strings",
    ast.NamedExpr: "assignment (:=)",
    ast.IfExp: "conditional expressions",
    ast.Starred: "starred arguments",
    ast.Dict: "dict literals",
    ast.Set: "set literals",
    ast.List: "lists (only as the right side of in / not in)",
    ast.Tuple: "tuples (only as the right side of in / not in)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}


_REFUSED_CALLEES = (ast.Attribute, ast.Subscript, ast.Lambda)


class ExpressionError(ValueError):
    """An expression outside the grammar, or one that cannot be computed on a table."""


def _refuse(what: str) -> ExpressionError:
    return ExpressionError(f"not allowed in a claims expression: {what}")


def _literal(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and type(node.value) in (int, float, str, bool):
        return _number(node.value)
    raise _refuse("in / not in takes a list of numbers or strings")


def _number(value: Any) -> Any:
    """A number as a float (an integer beyond float's range is refused); other literals as they are."""
    if type(value) in (int, float):
        try:
            return float(value)
        except OverflowError:
            raise _refuse(f"the number {str(value)[:20]}... (too large)") from None
    return value


def _check(node: ast.AST, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise _refuse(f"nesting deeper than {MAX_DEPTH} levels")
    for kind, what in _REFUSED.items():
        if isinstance(node, kind):
            detail = f" (.{node.attr})" if isinstance(node, ast.Attribute) else ""
            raise _refuse(what + detail)
    if isinstance(node, ast.Constant):
        if type(node.value) not in (int, float, str, bool):
            raise _refuse(f"the literal {node.value!r}")
        _number(node.value)
    elif isinstance(node, ast.Name):
        if "__" in node.id:
            raise _refuse(f"the name {node.id!r} (double underscores)")
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise _refuse(f"the operator {_SYMBOLS.get(type(node.op), type(node.op).__name__)!r}")
        _check(node.left, depth + 1)
        _check(node.right, depth + 1)
    elif isinstance(node, ast.UnaryOp):
        if isinstance(node.op, ast.Invert):
            raise _refuse("the operator '~' (use not)")
        _check(node.operand, depth + 1)
    elif isinstance(node, ast.BoolOp):
        for value in node.values:
            _check(value, depth + 1)
    elif isinstance(node, ast.Compare):
        _check(node.left, depth + 1)
        for op, right in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                if not isinstance(right, ast.List | ast.Tuple) or not right.elts:
                    raise _refuse("in / not in takes a literal list ([...])")
                for element in right.elts:
                    _literal(element)
            elif type(op) in _COMPARE:
                _check(right, depth + 1)
            else:
                raise _refuse(f"the comparison {_SYMBOLS.get(type(op), type(op).__name__)!r} (use == or !=)")
    elif isinstance(node, ast.Call):
        if isinstance(node.func, _REFUSED_CALLEES):  # a.method(), f()(): name what is refused
            _check(node.func, depth + 1)
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            called = node.func.id if isinstance(node.func, ast.Name) else "an expression"
            raise _refuse(f"calling {called} (the functions: {', '.join(sorted(FUNCTIONS))})")
        name = node.func.id
        if node.keywords:
            raise _refuse(f"keyword arguments of {name}()")
        arity = FUNCTIONS[name][0]
        if len(node.args) != arity:
            raise _refuse(f"{name}() takes {arity} argument{'s' if arity > 1 else ''}")
        for arg in node.args:
            _check(arg, depth + 1)
    else:
        raise _refuse(type(node).__name__)


def parse(text: str) -> ast.expr:
    """The checked syntax tree of ``text``; :class:`ExpressionError` (one line) outside the grammar."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("must be a non-empty string")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"longer than {MAX_CHARS} characters")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise ExpressionError(f"not a valid expression ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError):  # the parser's own limits; NUL bytes
        raise ExpressionError("not a valid expression (too deeply nested)") from None
    _check(tree.body, 0)
    return tree.body


def check(text: str) -> str:
    """``text`` if it is an expression of the grammar, else :class:`ExpressionError`."""
    parse(text)
    return text


def columns(text: str) -> set[str]:
    """The column names an expression reads (function names excluded)."""
    body = parse(text)
    called = {id(n.func) for n in ast.walk(body) if isinstance(n, ast.Call)}
    return {n.id for n in ast.walk(body) if isinstance(n, ast.Name) and id(n) not in called}


#: the types :func:`check_types` knows: a column's or a sub-expression's (``ANY``: unknown)
NUMBER, BOOL, STRING, ANY = "number", "true/false", "string", "any"
#: the argument types of each function
_ARGUMENTS: dict[str, tuple[str, ...]] = {
    "entry": (STRING,),
    **{name: (NUMBER,) * arity for name, (arity, _) in FUNCTIONS.items() if name != "entry"},
}


def _type(node: ast.expr, types: Any) -> str:
    """The type of a checked expression's value, or :class:`ExpressionError` (one line)."""
    if isinstance(node, ast.Constant):
        return {bool: BOOL, str: STRING}.get(type(node.value), NUMBER)
    if isinstance(node, ast.Name):
        return str(types.get(node.id, ANY))
    if isinstance(node, ast.BinOp):
        symbol = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}[type(node.op)]
        sides = (_type(node.left, types), _type(node.right, types))
        if STRING in sides:
            raise ExpressionError(f"arithmetic ({symbol}) on a string ({_text(node)!r})")
        if sides == (BOOL, BOOL):
            raise ExpressionError(f"arithmetic ({symbol}) on two true/false values ({_text(node)!r})")
        return ANY if ANY in sides else NUMBER
    if isinstance(node, ast.UnaryOp):
        operand = _type(node.operand, types)
        if isinstance(node.op, ast.Not):
            if operand in (NUMBER, STRING):
                raise ExpressionError(f"not of a {operand}, not a condition ({_text(node)!r})")
            return BOOL
        if operand in (STRING, BOOL):
            raise ExpressionError(f"a sign on a {operand} value ({_text(node)!r})")
        return operand
    if isinstance(node, ast.BoolOp):
        for value in node.values:
            kind = _type(value, types)
            if kind in (NUMBER, STRING):
                word = "and" if isinstance(node.op, ast.And) else "or"
                raise ExpressionError(f"{word} of a {kind} ({_text(value)!r}), not a condition")
        return BOOL
    if isinstance(node, ast.Compare):
        left = _type(node.left, types)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                continue
            right = _type(right_node, types)
            ordered = not isinstance(op, ast.Eq | ast.NotEq)
            if ordered and {left, right} == {STRING, NUMBER}:
                raise ExpressionError(f"a string ordered against a number ({_text(node)!r})")
            left = right
        return BOOL
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    name = node.func.id
    for arg, wanted in zip(node.args, _ARGUMENTS[name], strict=True):
        kind = _type(arg, types)
        if kind not in (wanted, ANY) and not (wanted == NUMBER and kind == BOOL and name != "logit"):
            raise ExpressionError(f"{name}() of a {kind} ({_text(arg)!r}), expected a {wanted}")
    return STRING if name == "entry" else NUMBER


def _text(node: ast.AST) -> str:
    return ast.unparse(node)


def check_types(text: str, types: Any, want: str = ANY) -> str:
    """The type of ``text``'s value given ``types`` (column name -> :data:`NUMBER`, :data:`BOOL`
    or :data:`STRING`; columns not in it are :data:`ANY`); :class:`ExpressionError` for an
    operation pandas cannot compute on those types, or a value of another type than ``want``
    (:data:`BOOL`: a condition; :data:`NUMBER`: a value, true/false counted as 0/1)."""
    kind = _type(parse(text), types)
    if want == BOOL and kind in (NUMBER, STRING):
        raise ExpressionError(f"not a condition (its values are {kind}s, not true/false)")
    if want == NUMBER and kind == STRING:
        raise ExpressionError("not a number (its values are strings)")
    return kind


def _not(value: Any) -> Any:
    import numpy as np

    if isinstance(value, bool | np.bool_):
        return not value
    return ~value


def _isin(value: Any, options: list[Any]) -> Any:
    if hasattr(value, "isin"):
        return value.isin(options)
    return value in options


def _value(node: ast.expr, frame: Any) -> Any:
    import numpy as np

    if isinstance(node, ast.Constant):  # numbers as float64: 10.0 ** 400 is inf, 1 / 0 inf, as in pandas
        value = _number(node.value)
        return np.float64(value) if isinstance(value, float) else value
    if isinstance(node, ast.Name):
        if node.id not in frame.columns:
            raise ExpressionError(f"no column {node.id!r}")
        return frame[node.id]
    if isinstance(node, ast.BinOp):
        return _BINARY[type(node.op)](_value(node.left, frame), _value(node.right, frame))
    if isinstance(node, ast.UnaryOp):
        operand = _value(node.operand, frame)
        if isinstance(node.op, ast.Not):
            return _not(operand)
        return -operand if isinstance(node.op, ast.USub) else +operand
    if isinstance(node, ast.BoolOp):
        combine = operator.and_ if isinstance(node.op, ast.And) else operator.or_
        out = _value(node.values[0], frame)
        for value in node.values[1:]:
            out = combine(out, _value(value, frame))
        return out
    if isinstance(node, ast.Compare):
        out, left = None, _value(node.left, frame)
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            if isinstance(op, ast.In | ast.NotIn):
                assert isinstance(right_node, ast.List | ast.Tuple)
                result = _isin(
                    left,
                    [np.float64(v) if isinstance(v, float) else v for v in map(_literal, right_node.elts)],
                )
                if isinstance(op, ast.NotIn):
                    result = _not(result)
                right = None
            else:
                right = _value(right_node, frame)
                result = _COMPARE[type(op)](left, right)
            out = result if out is None else out & result
            left = right
        return out
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    return _function(node.func.id)(*(_value(arg, frame) for arg in node.args))


def evaluate(text: str, frame: Any) -> Any:
    """The expression on the columns of ``frame`` (a pandas DataFrame): a Series, or a scalar
    for an expression of literals only. Raises :class:`ExpressionError` outside the grammar or
    for a column the table lacks; pandas' and NumPy's own errors (``TypeError`` for a string
    compared with a number) are one :class:`ExpressionError` line too."""
    import numpy as np

    body = parse(text)
    try:
        with np.errstate(all="ignore"):
            return _value(body, frame)
    except ExpressionError:
        raise
    except Exception as exc:  # pandas/NumPy/pyarrow: TypeError, NotImplementedError, ArrowNotImplementedError
        msg = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ExpressionError(f"cannot be computed on this table ({type(exc).__name__}: {msg})") from None


def select(frame: Any, text: str) -> Any:
    """The rows of ``frame`` where the condition ``text`` holds (what ``DataFrame.query`` returns)."""
    import numpy as np
    import pandas as pd

    mask = evaluate(text, frame)
    if isinstance(mask, bool | np.bool_):
        return frame if mask else frame.iloc[:0]
    if not isinstance(mask, pd.Series) or not pd.api.types.is_bool_dtype(mask.dtype):
        kind = getattr(mask, "dtype", type(mask).__name__)
        raise ExpressionError(f"not a condition (its values are {kind}, not true/false)")
    return frame[mask]
