"""Helpers for the analytics tests: tiny literal stores opened read-only."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import duckdb
import pytest

from analytics import store
from analytics.settings import Settings
from tests.factories import build_store

MakeCon = Callable[..., duckdb.DuckDBPyConnection]


def row(period: str, township: str, branch: str, stars: int, done: int | None = None, total: int | None = None,
        target: int | None = None, **extra: Any) -> dict[str, Any]:
    """One branch-month row for build_store."""
    return {"period": period, "township": township, "branch": branch, "stars": stars,
            "tasks_done": done, "tasks_total": total, "target_stars": target, **extra}


def task(period: str, township: str, branch: str, deadline: str | None, done: bool, slot: int = 1,
         name: str = "任务", **extra: Any) -> dict[str, Any]:
    return {"period": period, "township": township, "branch": branch, "star_slot": slot, "task": name,
            "deadline": deadline, "done": done, **extra}


@pytest.fixture
def settings() -> Settings:
    """The documented defaults, independent of any fivestar.toml or environment."""
    return Settings({})


@pytest.fixture
def make_con(tmp_path) -> Iterator[MakeCon]:
    opened: list[duckdb.DuckDBPyConnection] = []

    def _make(branches: list[dict[str, Any]], tasks: list[dict[str, Any]] = (),  # type: ignore[assignment]
              **rows: Any) -> duckdb.DuckDBPyConnection:
        path = build_store(tmp_path / f"store{len(opened)}.duckdb", branches, tasks, **rows)
        con = store.connect(path, read_only=True)
        opened.append(con)
        return con

    yield _make
    for con in opened:
        con.close()


def records(df, columns: list[str]) -> list[tuple[Any, ...]]:
    """Rows of selected columns as tuples, NaN/NA as None (for literal comparisons)."""
    out = []
    for values in df[columns].itertuples(index=False, name=None):
        out.append(tuple(None if (not isinstance(v, (list, tuple)) and v is not None and _isna(v)) else
                         (v.item() if hasattr(v, "item") else v) for v in values))
    return out


def _isna(value: Any) -> bool:
    import pandas as pd

    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def pytest_configure(config: pytest.Config) -> None:
    # analytics.sql silences this DuckDB notice at import; pytest resets warning
    # filters per test, so repeat it here (the extra Arrow copy is deliberate).
    config.addinivalue_line("filterwarnings", "ignore:Arrow output on a DB-API result:UserWarning")
