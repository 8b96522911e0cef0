"""SQL of the analytics core: one query per ``.sql`` file, values always bound.

Queries may include a shared fragment with a line ``-- @include NAME.sql``
(replaced by that file's text); ``-- @include NAME.sql cur`` also renames the
fragment's ``$period_…`` parameters to ``$cur_…`` (one condition, two periods). Named parameters are written ``$name``;
``run`` binds only the parameters a query mentions, so callers can pass one
common parameter dict.

A block between ``-- @if NAME``, an optional ``-- @else`` and ``-- @end`` is kept
when parameter NAME is set (not None) and dropped otherwise (the ``@else`` part
the other way round). It chooses the query's shape, never a value: values stay
bound. Used where a filter that is not set would still cost a join (DuckDB folds
a NULL parameter into the plan but keeps a join against an empty input).
"""

from __future__ import annotations

import functools
import re
import warnings
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

_DIR = Path(__file__).parent

# DuckDB warns that Arrow output of an ``execute`` result costs one extra copy;
# measured negligible here (see docs/metrics-notes.md), so silence it for this module only.
warnings.filterwarnings("ignore", message="Arrow output on a DB-API result", category=UserWarning,
                        module=r"analytics\.sql")
_INCLUDE = re.compile(r"^[ \t]*--[ \t]*@include[ \t]+(\S+)(?:[ \t]+(\w+))?[ \t]*$", re.MULTILINE)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_BLOCK = re.compile(r"^[ \t]*--[ \t]*@(if|else|end)\b[ \t]*(\w*)[ \t]*$")


@functools.cache
def load(name: str) -> str:
    """Text of ``analytics/sql/NAME`` with every ``-- @include`` expanded."""
    text = (_DIR / name).read_text(encoding="utf-8")
    return _INCLUDE.sub(_expand, text)


def _expand(match: re.Match[str]) -> str:
    text = load(match.group(1)).rstrip().rstrip(";")
    return text.replace("$period_", f"${match.group(2)}_") if match.group(2) else text


@functools.cache
def conditions(name: str) -> frozenset[str]:
    """The parameters named by the query's ``-- @if`` lines."""
    return frozenset(m.group(2) for line in load(name).splitlines()
                     if (m := _BLOCK.match(line)) and m.group(1) == "if")


@functools.cache
def query(name: str, set_params: frozenset[str] = frozenset()) -> str:
    """``load(name)`` with its ``-- @if`` blocks resolved; ``set_params`` = the parameters that are set."""
    return resolve_blocks(load(name), set_params, name)


def resolve_blocks(text: str, set_params: frozenset[str], name: str = "SQL") -> str:
    """``text`` keeping the ``-- @if NAME`` parts whose NAME is in ``set_params``
    (their ``-- @else`` parts otherwise); blocks may nest."""
    kept: list[str] = []
    stack: list[tuple[bool, bool]] = []  # per open block: (its condition holds, this part is kept)
    for number, line in enumerate(text.splitlines(), 1):
        m = _BLOCK.match(line)
        if m is None:
            if all(keep for _, keep in stack):
                kept.append(line)
        elif m.group(1) == "if":
            if not m.group(2):
                raise ValueError(f"{name}: -- @if without a parameter name (expanded line {number})")
            holds = m.group(2) in set_params
            stack.append((holds, holds))
        elif not stack:
            raise ValueError(f"{name}: -- @{m.group(1)} without -- @if (expanded line {number})")
        elif m.group(1) == "else":
            holds, _ = stack[-1]
            stack[-1] = (holds, not holds)
        else:
            stack.pop()
    if stack:
        raise ValueError(f"{name}: -- @if without -- @end")
    return "\n".join(kept) + "\n"


@functools.cache
def param_names(name: str, set_params: frozenset[str] = frozenset()) -> frozenset[str]:
    """Names of the ``$parameters`` a query uses (comments included; harmless)."""
    sql = "\n".join(line.split("--", 1)[0] for line in query(name, set_params).splitlines())
    return frozenset(_PARAM.findall(sql))


def prepare(name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The query text for ``params`` (``-- @if`` blocks resolved) and the subset of
    ``params`` it uses; a missing one is a programming error."""
    set_params = frozenset(key for key in conditions(name) if params.get(key) is not None)
    needed = param_names(name, set_params)
    missing = needed - params.keys()
    if missing:
        raise KeyError(f"{name}: missing SQL parameters {sorted(missing)}")
    return query(name, set_params), {key: params[key] for key in needed}


# Arrow -> pandas with nullable integer/boolean columns (NULL stays NA, ints stay ints).
# DATE columns arrive as datetime.date objects, LIST columns as arrays.
_PANDAS_TYPES: dict[pa.DataType, Any] = {
    pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(), pa.int32(): pd.Int32Dtype(),
    pa.int64(): pd.Int64Dtype(), pa.uint8(): pd.UInt8Dtype(), pa.uint16(): pd.UInt16Dtype(),
    pa.uint32(): pd.UInt32Dtype(), pa.uint64(): pd.UInt64Dtype(), pa.bool_(): pd.BooleanDtype(),
}


def to_pandas(table: pa.Table) -> pd.DataFrame:
    return table.to_pandas(types_mapper=_PANDAS_TYPES.get)


def as_dates(df: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The ``columns`` as ``datetime.date`` objects (None when missing). DuckDB DATE columns
    already arrive that way (``to_pandas``): only other dtypes are converted (converting
    51,000 dates that are already dates cost ~10 ms per 作战图 at province scale)."""
    for column in columns:
        if df[column].dtype != object:
            df[column] = pd.to_datetime(df[column]).dt.date.astype(object).where(df[column].notna(), None)
    return df


def run_arrow(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pa.Table:
    """Execute query ``name`` with its parameters bound; the result as an Arrow table."""
    return con.execute(*prepare(name, params)).to_arrow_table()


def run(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> pd.DataFrame:
    """Execute query ``name`` with its parameters bound; the result as a DataFrame.

    Goes through Arrow: several times faster than ``.df()`` for wide string
    results. ``execute`` (not ``con.sql``) because a connection may still hold an
    unfinished result (e.g. after ``fetchone``), which ``con.sql`` refuses.
    """
    return to_pandas(con.execute(*prepare(name, params)).to_arrow_table())


def fetch(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """Execute query ``name``; the rows as tuples (for tiny results)."""
    return con.execute(*prepare(name, params)).fetchall()


def snapshot_params(period: Any, scope: Any, settings: Any, previous: Any = None) -> dict[str, Any]:
    """Parameters of the ``snapshot.sql`` prelude: current/previous period, scope, weights.

    ``previous`` defaults to ``period.previous()``.
    """
    prev = previous if previous is not None else period.previous()
    return {
        "cur_grain": period.kind, "cur_start": period.start, "cur_end": period.end,
        "prev_grain": prev.kind, "prev_start": prev.start, "prev_end": prev.end,
        **scope.params(),
        **score_params(settings),
    }


def score_params(settings: Any) -> dict[str, Any]:
    """The score weights (cadence.md §3). ``w_assessment`` is None when its weight is 0: the
    queries then leave the assessment join out (``-- @if w_assessment``), as before scores existed."""
    w_assessment = float(settings.score_weight_assessment)
    return {
        "w_stars": float(settings.score_weight_stars),
        "w_tasks": float(settings.score_weight_tasks),
        "w_assessment": w_assessment if w_assessment > 0 else None,
        "assessment_max": float(settings.assessment_max) if float(settings.assessment_max) > 0 else 100.0,
    }
