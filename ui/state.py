"""Streamlit-aware plumbing shared by every page.

- ``settings()`` / ``db_path()``: analytics.settings.load_settings() (env FIVESTAR_DB_PATH overrides).
- ``call("metrics.kpis", period, scope, SETTINGS)``: an analytics function run on a
  short-lived read-only connection and cached per (function, arguments, store
  version, settings). Uploads and rollbacks change the store file, hence the
  version, so every cached result is recomputed after a write.
- ``store_info()``: what the sidebar needs (empty? demo? months, units, last upload).
- ``scope_picker()``: the sidebar filters (period kind, period, county, township,
  村/社区) kept in st.session_state so they persist across pages; ``selection()``
  returns what they say.
- ``deferred("rankings.branch_ranking", …)``: the same call made later (a download's data).
- ``write_store()``: a writable connection held briefly (upload, rollback).
"""

from __future__ import annotations

import contextlib
import importlib
import json
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from analytics import store
from analytics.periods import Period, available_months, default_period_label
from analytics.scope import Scope, scope_options
from analytics.settings import Settings, load_settings
from ui import safe

ALL = "全部"
KIND_LABELS = {"month": "按月", "quarter": "按季度"}
TYPE_OPTIONS = (ALL, "村", "社区")
UPLOAD_PAGE = "pages/upload.py"


class _SettingsMarker:
    """Placeholder for "the current settings" in ``call`` arguments."""

    def __repr__(self) -> str:
        return "SETTINGS"


SETTINGS = _SettingsMarker()


def settings() -> Settings:
    return load_settings()


def db_path() -> str:
    return str(store.resolve_db_path(None, settings()))


def version() -> str:
    return store.store_version(db_path())


def _settings_key(s: Settings) -> str:
    return json.dumps(s.values, sort_keys=True, ensure_ascii=False, default=str)


@contextlib.contextmanager
def read_store(db: str | None = None, s: Settings | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection; retries briefly while this process holds a writer open."""
    s = s or settings()
    deadline = time.monotonic() + float(s.lock_timeout_s)
    while True:
        try:
            cm = store.open_store(db or db_path(), read_only=True, settings=s)
            con = cm.__enter__()
        except duckdb.ConnectionException:
            # Same file already open with another configuration (a write in progress).
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)
            continue
        break
    try:
        yield con
    finally:
        cm.__exit__(None, None, None)


@contextlib.contextmanager
def write_store() -> Iterator[duckdb.DuckDBPyConnection]:
    """Writable connection for one job; the cached results are stale afterwards."""
    with store.open_store(db_path(), settings=settings()) as con:
        yield con


# --- cached analytics calls -------------------------------------------------


def _encode(value: Any) -> Any:
    if isinstance(value, Period):
        return ("__period__", value.label)
    if isinstance(value, Scope):
        return ("__scope__", value.county, value.township, value.branch_type)
    if isinstance(value, _SettingsMarker):
        return ("__settings__",)
    return value


def _decode(value: Any, s: Settings) -> Any:
    if isinstance(value, tuple) and value:
        if value[0] == "__period__":
            return Period.parse(value[1])
        if value[0] == "__scope__":
            return Scope(value[1], value[2], value[3])
        if value[0] == "__settings__":
            return s
    return value


def _run(func: str, db: str, s: Settings, args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """``analytics.<func>(con, *args, **kwargs)`` on a short-lived read-only connection."""
    module, name = func.rsplit(".", 1)
    fn = getattr(importlib.import_module(f"analytics.{module}"), name)
    with read_store(db, s) as con:
        return fn(con, *(_decode(a, s) for a in args), **{k: _decode(v, s) for k, v in kwargs})


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(func: str, db: str, store_version: str, settings_json: str,
                 args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    return _run(func, db, Settings(json.loads(settings_json)), args, kwargs)


def call(func: str, *args: Any, **kwargs: Any) -> Any:
    """Run ``analytics.<func>(con, *args, **kwargs)``, cached by store version.

    Pass ``SETTINGS`` where the function takes the settings.
    """
    s = settings()
    try:
        return _cached_call(
            func, db_path(), version(), _settings_key(s),
            tuple(_encode(a) for a in args),
            tuple(sorted((k, _encode(v)) for k, v in kwargs.items())),
        )
    except store.StoreError as exc:  # damaged store, full disk, locked file: the message, not a traceback
        st.error(str(exc))
        st.stop()


def deferred(func: str, *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """``call`` run later, outside the script run: for a download button's data callable,
    which Streamlit runs on click in a worker thread. Not cached (one download, one
    computation); the store and settings are those of this run."""
    db, s = db_path(), settings()
    encoded = tuple(_encode(a) for a in args)
    encoded_kwargs = tuple((k, _encode(v)) for k, v in kwargs.items())
    return lambda: _run(func, db, s, encoded, encoded_kwargs)


def clear_caches() -> None:
    """Drop cached results (after a write the version changes anyway; this frees memory)."""
    _cached_call.clear()
    _store_info.clear()


# --- store overview -----------------------------------------------------------


@dataclass
class StoreInfo:
    empty: bool
    has_demo: bool
    months: list[date]
    options: pd.DataFrame  # scope_options: county, township, branch_type
    last_upload: datetime | None
    error: str | None = None
    quarters: list[str] = field(default_factory=list)


@st.cache_data(show_spinner=False, max_entries=8)
def _store_info(db: str, store_version: str, settings_json: str) -> StoreInfo:
    s = Settings(json.loads(settings_json))
    with read_store(db, s) as con:
        months = available_months(con)
        options = scope_options(con)
        row = con.execute("SELECT max(uploaded_at) FROM uploads WHERE rolled_back_at IS NULL").fetchone()
        quarters = list(dict.fromkeys(Period.of_quarter(m).label for m in months))
        return StoreInfo(
            empty=not months,
            has_demo=store.has_demo_data(con),
            months=months,
            options=options,
            last_upload=row[0] if row else None,
            quarters=quarters,
        )


def store_info() -> StoreInfo:
    try:
        return _store_info(db_path(), version(), _settings_key(settings()))
    except store.StoreError as exc:
        return StoreInfo(True, False, [], pd.DataFrame(columns=["county", "township", "branch_type"]), None,
                         error=str(exc))


# --- scope picker -------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    period: Period | None
    scope: Scope

    @property
    def label(self) -> str:
        period = self.period.display if self.period else "无数据"
        return f"{period} · {self.scope.label}"


def _reset_if_invalid(key: str, options: list[Any], default: Any) -> None:
    if key not in st.session_state or st.session_state[key] not in options:
        st.session_state[key] = default


def period_options(info: StoreInfo, kind: str) -> list[str]:
    """Period labels, newest first."""
    if kind == "quarter":
        return list(reversed(info.quarters))
    return [f"{m:%Y-%m}" for m in reversed(info.months)]


def scope_picker(*, own_periods: bool = False) -> Selection:
    """Render the sidebar filters and return the selection (persisted in session_state).

    ``own_periods``: the page picks its periods itself (季度对比 picks two); the
    sidebar then shows no period widgets, only a pointer to the page's pickers,
    and keeps the sidebar period for the other pages.
    """
    info = store_info()
    sb = st.sidebar
    sb.markdown("#### 查看范围")
    if info.empty:
        st.session_state["selection"] = Selection(None, Scope())
        return st.session_state["selection"]

    _reset_if_invalid("f_kind", list(KIND_LABELS), "month")
    kind = st.session_state["f_kind"]
    options = period_options(info, kind)
    _reset_if_invalid("f_period", options, default_period_label(options))
    if own_periods:
        # Widget state of widgets not drawn in a run is dropped by Streamlit;
        # re-assigning keeps the sidebar period for the next page.
        st.session_state["f_kind"] = kind
        st.session_state["f_period"] = st.session_state["f_period"]
        sb.caption("统计周期：在本页选择要对比的两期。")
    else:
        sb.radio("统计周期", list(KIND_LABELS), key="f_kind", format_func=KIND_LABELS.__getitem__, horizontal=True)
        kind = st.session_state["f_kind"]
        options = period_options(info, kind)
        _reset_if_invalid("f_period", options, default_period_label(options))
        sb.selectbox("月份" if kind == "month" else "季度", options, key="f_period",
                     format_func=lambda label: Period.parse(label).display)

    units = info.options
    counties = [ALL, *dict.fromkeys(units["county"].astype(str))]
    _reset_if_invalid("f_county", counties, ALL)
    sb.selectbox("县（市、区）", counties, key="f_county")
    county = st.session_state["f_county"]

    in_county = units if county == ALL else units[units["county"] == county]
    pairs = list(dict.fromkeys(zip(in_county["county"].astype(str), in_county["township"].astype(str), strict=True)))
    town_opts = [ALL, *(f"{c}|{t}" for c, t in pairs)]
    _reset_if_invalid("f_township", town_opts, ALL)
    several_counties = len(set(units["county"])) > 1 and county == ALL
    sb.selectbox(
        "乡镇（街道）", town_opts, key="f_township",
        format_func=lambda v: v if v == ALL else (v.replace("|", " / ") if several_counties else v.split("|", 1)[1]),
    )
    _reset_if_invalid("f_type", list(TYPE_OPTIONS), ALL)
    sb.radio("村/社区", list(TYPE_OPTIONS), key="f_type", horizontal=True)

    township_value = st.session_state["f_township"]
    t_county, t_name = (None, None) if township_value == ALL else township_value.split("|", 1)
    scope = Scope(
        county=(county if county != ALL else t_county),
        township=t_name,
        branch_type=None if st.session_state["f_type"] == ALL else st.session_state["f_type"],
    )
    selection = Selection(Period.parse(st.session_state["f_period"]), scope)
    st.session_state["selection"] = selection
    return selection


def entrypoint_guard() -> None:
    """Make sure app.py (navigation, sidebar) runs, also when a page URL is the first request.

    With a ``pages/`` folder next to app.py, Streamlit starts a process in its old
    pages-directory mode and leaves it only when st.navigation is first called. A
    first request for, say, /ranking would run pages/ranking.py alone (no sidebar,
    English page list). Each page calls this first: in that mode it switches the
    flag off, as st.navigation would, and reruns, so app.py runs and routes to the
    same page by its URL path.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def selection() -> Selection:
    """The sidebar selection of this run (scope_picker runs in app.py before the page)."""
    value = st.session_state.get("selection")
    return value if isinstance(value, Selection) else Selection(None, Scope())


def data_as_of_caption(info: StoreInfo) -> str:
    if info.empty:
        return "数据截至：暂无数据"
    latest = info.months[-1]
    text = f"数据截至 {latest.year}年{latest.month}月"
    if info.last_upload:
        text += f"（最近更新 {info.last_upload:%Y-%m-%d %H:%M}）"
    return text


def require_data() -> Selection:
    """The selection, or an empty-store notice pointing to the upload page (and stop)."""
    sel = selection()
    if sel.period is None:
        info = store_info()
        if info.error:
            st.error(safe.md(info.error))  # the store message may quote a path or a value
        st.info("数据库中还没有台账数据。请先到“数据上传”页上传各乡镇（街道）的月度台账，"
                "或下载标准台账模板填写后上传。")
        st.page_link(UPLOAD_PAGE, label="去上传台账", icon=":material/upload_file:")
        st.stop()
    return sel


def period_previous_label(period: Period) -> str:
    return period.previous().display
