"""Streamlit-aware plumbing shared by every page.

- ``settings()`` / ``db_path()``: analytics.settings.load_settings() (env FIVESTAR_DB_PATH overrides).
- ``call("metrics.kpis", period, scope, SETTINGS)``: an analytics function run on a
  short-lived read-only connection and cached per (function, arguments, store
  version, settings). Uploads and rollbacks change the store file, hence the
  version, so every cached result is recomputed after a write.
- ``store_info()``: what the sidebar needs (empty? demo? months, units, last upload).
- ``scope_picker()``: the sidebar filters (period kind, period, county, township,
  村/社区). The selection is one non-widget session_state entry, mirrored in the URL
  query (?period=2024Q3&county=…&township=…&type=村), so it survives every page and a
  shared link opens the same view; ``selection()`` returns it.
- ``deferred("rankings.branch_ranking", …)``: the same call made later (a download's data).
- ``write_store()``: a writable connection held briefly (upload, rollback).
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import duckdb
import pandas as pd
import streamlit as st

from analytics import access, store
from analytics.access import AccessDenied
from analytics.audit import Actor
from analytics.periods import Period, available_derived, available_months, available_weeks, default_period_label
from analytics.scope import Scope
from analytics.settings import Settings, load_settings
from analytics.versions import data_token
from ui import safe

ALL = "全部"
# The signed-in account's Actor (set by ui.auth each run; not a widget key).
ACTOR_KEY = "auth_actor"
# Period kinds the sidebar offers (cadence.md §1), those with data only (周 when weekly data exists).
KIND_LABELS = {"week": "按周", "month": "按月", "quarter": "按季度", "half": "按半年", "year": "按年"}
# The period selectbox's label per kind.
PERIOD_WORDS = {"week": "周", "month": "月份", "quarter": "季度", "half": "半年", "year": "年度"}
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
    """The store file's version: changes on every write (sign-ins and audit records included)."""
    return store.store_version(db_path())


# (store path, file version) -> analytics.versions.data_token, for the latest file version seen.
_DATA_TOKENS: dict[tuple[str, str], str] = {}
# Results that read more than the uploaded data: keyed by the file version (audit.list_events
# shows each sign-in).
FILE_VERSIONED = frozenset({"audit"})


def data_version() -> str:
    """The cache key of the pages' data: the file version, resolved to the store's data token
    (analytics.versions), so that a sign-in — whose login record writes the file — does not
    throw away every cached result (a new session's first page was computed afresh). One
    small query per change of the file, none otherwise."""
    db = db_path()
    key = (db, version())
    token = _DATA_TOKENS.get(key)
    if token is None:
        try:
            with read_store(db, settings()) as con:
                token = "data:" + data_token(con)
        except (store.StoreError, duckdb.Error):  # no store yet, locked, damaged: the file version
            token = "file:" + key[1]
        _DATA_TOKENS.clear()
        _DATA_TOKENS[key] = token
    return token


def _settings_key(s: Settings) -> str:
    return json.dumps(s.values, sort_keys=True, ensure_ascii=False, default=str)


# One read connection for a whole script run (``shared_reads``): opening the store costs ~20–40 ms
# on this machine (DuckDB reads the catalog), and a run used to open one per cache miss — eight on
# 总览 after a filter change, besides the account and the data token. The connection belongs to
# the script thread (a download's callback in a worker thread opens its own) and is closed when
# the run ends, or before this thread opens a writer: no connection outlives a run, so another
# process (an import from the command line) can still take the file.
_SHARED = threading.local()


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    """Within the block, this thread's ``read_store`` calls share one connection (opened at the first)."""
    if getattr(_SHARED, "active", False):  # nested: the outer block owns it
        yield
        return
    _SHARED.active, _SHARED.key, _SHARED.cm, _SHARED.con = True, None, None, None
    try:
        yield
    finally:
        _close_shared()
        _SHARED.active = False


def end_shared_reads() -> None:
    """From here to the end of the ``shared_reads`` block, every read opens its own connection again:
    for a page that writes (an import, a review, an account) through analytics functions that open
    their own writer, which DuckDB refuses while this process holds a read-only connection."""
    _close_shared()
    _SHARED.active = False


def _close_shared() -> None:
    cm = getattr(_SHARED, "cm", None)
    _SHARED.key, _SHARED.cm, _SHARED.con = None, None, None
    if cm is not None:
        cm.__exit__(None, None, None)


def _open_read(db: str, s: Settings) -> tuple[Any, duckdb.DuckDBPyConnection]:
    """A read-only connection; retries briefly while this process holds a writer open."""
    deadline = time.monotonic() + float(s.lock_timeout_s)
    while True:
        try:
            cm = store.open_store(db, read_only=True, settings=s)
            return cm, cm.__enter__()
        except duckdb.ConnectionException:
            # Same file already open with another configuration (a write in progress).
            if time.monotonic() >= deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def read_store(db: str | None = None, s: Settings | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
    """Read-only connection; retries briefly while this process holds a writer open. Inside
    ``shared_reads`` (app.py's run) it is the run's one connection."""
    s = s or settings()
    db = db or db_path()
    if getattr(_SHARED, "active", False):
        key = (db, _settings_key(s), version())
        if _SHARED.key != key:  # first read of the run, or the file changed under it
            _close_shared()
            _SHARED.cm, _SHARED.con = _open_read(db, s)
            _SHARED.key = key
        yield _SHARED.con
        return
    cm, con = _open_read(db, s)
    try:
        yield con
    finally:
        cm.__exit__(None, None, None)


@contextlib.contextmanager
def write_store() -> Iterator[duckdb.DuckDBPyConnection]:
    """Writable connection for one job; the cached results are stale afterwards. The run's shared
    read connection is closed first (DuckDB opens a file once per process per configuration)."""
    if getattr(_SHARED, "active", False):
        _close_shared()
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


def actor() -> Actor:
    """The signed-in account of this session (app.py's ui.auth.gate runs before every page)."""
    value = st.session_state.get(ACTOR_KEY)
    if not isinstance(value, Actor):
        raise AccessDenied("请先登录。")
    return value


def _run(func: str, db: str, s: Settings, who: Actor, args: tuple[Any, ...],
         kwargs: tuple[tuple[str, Any], ...]) -> Any:
    """``analytics.<func>(con, *args, **kwargs)`` on a short-lived read-only connection, within
    the account's reach (``analytics.access.call`` clamps every scope below the pages)."""
    with read_store(db, s) as con:
        return access.call(con, who, func, *(_decode(a, s) for a in args), **{k: _decode(v, s) for k, v in kwargs})


@st.cache_data(show_spinner=False, max_entries=512)
def _cached_call(func: str, db: str, store_version: str, settings_json: str, who: Actor,
                 args: tuple[Any, ...], kwargs: tuple[tuple[str, Any], ...]) -> Any:
    return _run(func, db, Settings(json.loads(settings_json)), who, args, kwargs)


def call(func: str, *args: Any, **kwargs: Any) -> Any:
    """Run ``analytics.<func>(con, *args, **kwargs)`` as the signed-in account, cached by store
    version (and by account: one account's results are never served to another).

    Pass ``SETTINGS`` where the function takes the settings.
    """
    s = settings()
    try:
        return _cached_call(
            func, db_path(), version() if func.split(".")[0] in FILE_VERSIONED else data_version(),
            _settings_key(s), actor(),
            tuple(_encode(a) for a in args),
            tuple(sorted((k, _encode(v)) for k, v in kwargs.items())),
        )
    except store.StoreError as exc:  # damaged store, full disk, locked file: the message, not a traceback
        st.error(str(exc))
        st.stop()


def deferred(func: str, *args: Any, **kwargs: Any) -> Callable[[], Any]:
    """``call`` run later, outside the script run: for a download button's data callable,
    which Streamlit runs on click in a worker thread. Not cached (one download, one
    computation); the store, settings and account are those of this run."""
    db, s, who = db_path(), settings(), actor()
    encoded = tuple(_encode(a) for a in args)
    encoded_kwargs = tuple((k, _encode(v)) for k, v in kwargs.items())
    return lambda: _run(func, db, s, who, encoded, encoded_kwargs)


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
    weeks: list[date] = field(default_factory=list)  # Mondays of the weeks with weekly reports
    halves: list[str] = field(default_factory=list)
    years: list[str] = field(default_factory=list)

    @property
    def kinds(self) -> list[str]:
        """The period kinds with data, shortest first (周 only when weekly data exists)."""
        if not self.months:
            return []
        return [k for k in KIND_LABELS if k != "week" or self.weeks]


@st.cache_data(show_spinner=False, max_entries=64)
def _store_info(db: str, store_version: str, settings_json: str, who: Actor) -> StoreInfo:
    s = Settings(json.loads(settings_json))
    with read_store(db, s) as con:
        months = available_months(con)
        # The pickers offer only the units the account may see.
        options = access.call(con, who, "scope.scope_options")
        quarters = [p.label for p in available_derived(months, "quarter")]
        return StoreInfo(
            empty=not months,
            has_demo=store.has_demo_data(con),
            months=months,
            options=options,
            last_upload=store.last_upload_time(con),
            quarters=quarters,
            weeks=available_weeks(con),
            halves=[p.label for p in available_derived(months, "half")],
            years=[p.label for p in available_derived(months, "year")],
        )


def store_info() -> StoreInfo:
    try:
        return _store_info(db_path(), data_version(), _settings_key(settings()), actor())
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


# The canonical selection: one non-widget session_state entry. Streamlit drops the
# state of widgets a run does not draw (季度对比 draws no period widgets), so the
# widgets never hold the truth: each run sets their values from this entry before
# drawing them, and their on_change callbacks write a user's pick back into it.
SELECTION_KEY = "_selection_state"
# Query-string keys mirroring the selection (a shared link opens the same view).
QUERY_KEYS = ("period", "county", "township", "type")
WIDGET_KEYS = {"kind": "f_kind", "period": "f_period", "county": "f_county", "township": "f_township",
               "type": "f_type"}


@dataclass(frozen=True)
class Choice:
    """The sidebar selection as the widgets hold it (strings; ALL for no filter).

    ``township`` is ``"county|township"`` (a township name can repeat across counties).
    """

    kind: str = "month"
    period: str = ""
    county: str = ALL
    township: str = ALL
    branch_type: str = ALL


def period_options(info: StoreInfo, kind: str) -> list[str]:
    """Period labels of ``kind`` with data, newest first."""
    if kind == "week":
        return [Period.of_week(w).label for w in reversed(info.weeks)]
    if kind == "quarter":
        return list(reversed(info.quarters))
    if kind == "half":
        return list(reversed(info.halves))
    if kind == "year":
        return list(reversed(info.years))
    return [f"{m:%Y-%m}" for m in reversed(info.months)]


def _county_options(info: StoreInfo) -> list[str]:
    return [ALL, *dict.fromkeys(info.options["county"].astype(str))]


def _township_options(info: StoreInfo, county: str) -> list[str]:
    units = info.options
    in_county = units if county == ALL else units[units["county"] == county]
    pairs = dict.fromkeys(zip(in_county["county"].astype(str), in_county["township"].astype(str), strict=True))
    return [ALL, *(f"{c}|{t}" for c, t in pairs)]


def _convert_period(label: str, kind: str, info: StoreInfo) -> str | None:
    """The period of ``kind`` that covers (or lies in) ``label``: 2024-08 -> 2024Q3, 2024Q3 -> its
    latest month with data, 2024-W35 -> 2024-09 (a week counts in the month of its Sunday),
    2024-08 -> its latest week with data (Sunday in August), 2024 -> its latest quarter with
    data. None when there is none."""
    try:
        period = Period.parse(label)
    except ValueError:
        return None
    options = period_options(info, kind)
    if kind == period.kind:
        return label if label in options else None
    if kind == "week":
        inside_weeks = [Period.of_week(w) for w in info.weeks if period.start <= w + timedelta(days=6) <= period.end]
        return inside_weeks[-1].label if inside_weeks else None
    first, last = period.months[0], period.months[-1]
    inside = [m for m in info.months if first <= m <= last]
    if kind == "month":
        return f"{inside[-1]:%Y-%m}" if inside else None
    target = Period.of(kind, last)  # the quarter / half-year / year holding the last month
    if target.start <= first and target.label in options:
        return target.label
    # A longer period to a shorter one (2024 -> its latest quarter with data).
    shorter = Period.of(kind, inside[-1]).label if inside else None
    return shorter if shorter in options else None


def convert_period(label: str, kind: str, info: StoreInfo) -> str | None:
    """The period of ``kind`` with data that covers (or lies in) ``label`` (see _convert_period)."""
    return _convert_period(label, kind, info)


def _valid(choice: Choice, info: StoreInfo) -> Choice:
    """``choice`` with every value the store does not have replaced by its default."""
    kind = choice.kind if choice.kind in info.kinds else "month"
    periods = period_options(info, kind)
    period = choice.period
    if period not in periods:
        period = _convert_period(period, kind, info) or default_period_label(periods)
    county = choice.county if choice.county in _county_options(info) else ALL
    township = choice.township if choice.township in _township_options(info, county) else ALL
    branch_type = choice.branch_type if choice.branch_type in TYPE_OPTIONS else ALL
    return Choice(kind, period, county, township, branch_type)


def _from_query(params: Any, info: StoreInfo) -> Choice:
    """The selection a URL asks for (?period=2024Q3&county=望川区&township=青石镇&type=村).

    Unknown or malformed values fall back to their defaults (never an error): a wrong
    period gives the latest month, an unknown county or township 全部.
    """
    period = str(params.get("period") or "")
    try:
        kind = Period.parse(period).kind
    except ValueError:
        kind = "month"
    if period not in period_options(info, kind):  # a period the store does not hold: the default
        kind, period = "month", ""
    county = str(params.get("county") or ALL)
    name = str(params.get("township") or "")
    township = ALL
    if name:
        pairs = _township_options(info, county)[1:]
        matches = [p for p in pairs if p.split("|", 1)[1] == name]
        if len(matches) == 1:  # a name found in two counties needs ?county= to say which
            township = matches[0]
            county = county if county != ALL else township.split("|", 1)[0]
    return _valid(Choice(kind, period, county, township, str(params.get("type") or ALL)), info)


def _to_query(choice: Choice) -> dict[str, str]:
    values = {"period": choice.period, "county": choice.county,
              "township": choice.township.split("|", 1)[1] if choice.township != ALL else ALL,
              "type": choice.branch_type}
    return {k: v for k, v in values.items() if v != ALL}


def _sync_query(choice: Choice) -> None:
    """Mirror the selection in the URL (only our keys; others such as ?view= stay)."""
    wanted = _to_query(choice)
    for key in QUERY_KEYS:
        if key in wanted:
            if st.query_params.get(key) != wanted[key]:
                st.query_params[key] = wanted[key]
        elif key in st.query_params:
            del st.query_params[key]


def current_choice(info: StoreInfo) -> Choice:
    """The canonical selection: from session_state, or on a session's first run from the URL."""
    stored = st.session_state.get(SELECTION_KEY)
    choice = stored if isinstance(stored, Choice) else _from_query(st.query_params, info)
    choice = _valid(choice, info)  # the store may have changed (upload, clear-demo)
    st.session_state[SELECTION_KEY] = choice
    return choice


def _picked(field_name: str) -> None:
    """on_change of a sidebar widget: write the user's pick into the canonical selection."""
    info = store_info()
    choice = current_choice(info)
    value = st.session_state[WIDGET_KEYS[field_name]]
    if field_name == "kind":
        choice = Choice(value, _convert_period(choice.period, value, info) or "", choice.county, choice.township,
                        choice.branch_type)
    elif field_name == "period":
        choice = Choice(choice.kind, value, choice.county, choice.township, choice.branch_type)
    elif field_name == "county":
        choice = Choice(choice.kind, choice.period, value, choice.township, choice.branch_type)
    elif field_name == "township":
        choice = Choice(choice.kind, choice.period, choice.county, value, choice.branch_type)
    else:
        choice = Choice(choice.kind, choice.period, choice.county, choice.township, value)
    st.session_state[SELECTION_KEY] = _valid(choice, info)


def _selection_of(choice: Choice) -> Selection:
    t_county, t_name = (None, None) if choice.township == ALL else choice.township.split("|", 1)
    scope = Scope(
        county=(choice.county if choice.county != ALL else t_county),
        township=t_name,
        branch_type=None if choice.branch_type == ALL else choice.branch_type,
    )
    # What the account may see (a county account's 全部 is its county): the label says what is shown.
    return Selection(Period.parse(choice.period), access.visible_scope(actor(), scope))


def scope_picker(*, own_periods: bool = False, show: bool = True) -> Selection:
    """Render the sidebar filters and return the selection.

    The selection lives in one session_state entry (``SELECTION_KEY``) and in the URL
    query; the widgets show it and change it. ``own_periods``: the page picks its
    periods itself (季度对比 picks two); the sidebar then shows no period widgets,
    only a pointer to the page's pickers — the selection's period stays for the
    other pages. ``show=False``: no widgets at all (the 简报's presentation view).
    """
    info = store_info()
    if info.empty:
        st.session_state["selection"] = Selection(None, Scope())
        if show:
            st.sidebar.markdown("#### 查看范围")
        return st.session_state["selection"]
    choice = current_choice(info)
    # Widget values are derived from the canonical selection on every run.
    for field_name, key in WIDGET_KEYS.items():
        st.session_state[key] = getattr(choice, "branch_type" if field_name == "type" else field_name)
    if show:
        _draw_widgets(info, choice, own_periods=own_periods)
    _sync_query(choice)
    selection = _selection_of(choice)
    st.session_state["selection"] = selection
    return selection


def _draw_widgets(info: StoreInfo, choice: Choice, *, own_periods: bool) -> None:
    sb = st.sidebar
    sb.markdown("#### 查看范围")
    if own_periods:
        sb.caption("统计周期：在本页选择要对比的两期。")
    else:
        sb.radio("统计周期", info.kinds, key="f_kind", format_func=KIND_LABELS.__getitem__, horizontal=True,
                 on_change=_picked, args=("kind",))
        sb.selectbox(PERIOD_WORDS[choice.kind], period_options(info, choice.kind), key="f_period",
                     format_func=lambda label: Period.parse(label).display, on_change=_picked, args=("period",))
    sb.selectbox("县（市、区）", _county_options(info), key="f_county", on_change=_picked, args=("county",))
    several_counties = info.options["county"].nunique() > 1 and choice.county == ALL
    sb.selectbox(
        "乡镇（街道）", _township_options(info, choice.county), key="f_township", on_change=_picked,
        args=("township",),
        format_func=lambda v: v if v == ALL else (v.replace("|", " / ") if several_counties else v.split("|", 1)[1]),
    )
    sb.radio("村/社区", list(TYPE_OPTIONS), key="f_type", horizontal=True, on_change=_picked, args=("type",))


PRESENT_QUERY = ("view", "present")  # ?view=present: the 简报's presentation view


def presenting() -> bool:
    """Whether the URL asks for the presentation view (the 简报 alone: no sidebar, banner, buttons)."""
    return st.query_params.get(PRESENT_QUERY[0]) == PRESENT_QUERY[1]


def set_presenting(on: bool) -> None:
    """Enter or leave the presentation view (a button's on_click; the rerun shows it)."""
    if on:
        st.query_params[PRESENT_QUERY[0]] = PRESENT_QUERY[1]
    elif PRESENT_QUERY[0] in st.query_params:
        del st.query_params[PRESENT_QUERY[0]]


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
