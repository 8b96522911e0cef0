"""The audit log (shared/spec/access.md §4): who did what, append-only, in the store.

    record(con, actor, "upload_accepted", object="U00012", county=…, township=…, period="2024-08",
           details={...})     # inside the transaction of the change it records
    list_events(con, since=date(2024, 8, 1), county=None, account=None, action=None) -> DataFrame

One row per event: time, account (or ``命令行:<os user>``), role, action, the
object (upload id, account, period/township) and details as JSON. ``record``
never opens a transaction of its own: the caller writes the event in the same
transaction as the change, so a change and its record are committed together or
not at all. Events that change nothing else (a sign-in, a refusal, a backup) are
written by ``record_alone`` in a transaction of their own.

Append-only: this module offers no way to change or delete an event, and no other
module writes the table (tests/test_audit.py checks the code for UPDATE/DELETE
on ``audit_log``). No password or hash is ever passed in ``details``
(``record`` refuses keys that look like one).
"""

from __future__ import annotations

import contextlib
import getpass
import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypedDict

import duckdb

if TYPE_CHECKING:
    import pandas as pd

# Every event the log knows (access.md §4), with the label the pages and the CLI show.
ACTION_LABELS: dict[str, str] = {
    "sign_in": "登录成功",
    "sign_in_failed": "登录失败",
    "sign_out": "退出登录",
    "lockout": "账号锁定",
    "upload_submitted": "提交上传（待审核）",
    "upload_accepted": "上传通过",
    "upload_returned": "上传退回",
    "upload_rolled_back": "上传回滚",
    "upload_identical": "重复上传（内容相同）",
    "upload_refused": "上传被拒收",
    "demo_loaded": "载入示例数据",
    "demo_cleared": "清除示例数据",
    "account_created": "创建账号",
    "account_changed": "修改账号",
    "account_disabled": "停用账号",
    "password_reset": "重置密码",
    "password_changed": "修改密码",
    "register_changed": "名册变更",
    "goals_changed": "目标变更",
    "register_refused": "名册被拒收",
    "backup": "备份",
    "restore": "恢复备份",
}

EVENT_COLUMNS = ["seq", "at", "account", "role", "action", "action_label", "object", "county", "township",
                 "period", "details"]

# Keys that must never reach the log (a password or its hash, in any spelling).
_SECRET_HINTS = ("password", "passwd", "hash", "secret", "密码")


@dataclass(frozen=True)
class Actor:
    """Who acts: a signed-in account, or the command line (full rights, access.md §5)."""

    login: str
    role: str  # admin | county | township | viewer ('' for the app before sign-in)
    county: str | None = None
    township: str | None = None
    name: str | None = None
    kind: str = "account"  # account | cli (the command line) | web (the app before sign-in)

    @property
    def label(self) -> str:
        return self.name or self.login


def cli_actor() -> Actor:
    """The command line without ``--as``: ``命令行:<os user>`` with full rights."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        user = "unknown"
    return Actor(login=f"命令行:{user}", role="admin", name=f"命令行:{user}", kind="cli")


class Place(TypedDict):
    county: str | None
    township: str | None
    period: str | None


def place(scope: list[tuple[str, str]], period: date, kind: str = "month") -> Place:
    """The county/township/period columns of an upload's event (a unit only when it is one);
    ``kind`` 'week': the period is written 2024-W35."""
    counties = {c for c, _ in scope}
    return Place(
        county=next(iter(counties)) if len(counties) == 1 else None,
        township=scope[0][1] if len(scope) == 1 else None,
        period=period.strftime("%G-W%V") if kind == "week" else period.strftime("%Y-%m"),
    )


def web_actor(name: str | None) -> Actor:
    """The app before accounts sign in: the free-text uploader name, marked as such."""
    label = f"网页:{(name or '').strip() or '未署名'}"
    return Actor(login=label, role="", name=label, kind="web")


_INSERT_SQL = """
INSERT INTO audit_log (seq, occurred_at, account, role, action, object, county, township, period, details)
SELECT coalesce(max(seq), 0) + 1, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM audit_log
"""


def _check_details(details: dict[str, Any]) -> None:
    for key in details:
        if any(hint in key.lower() for hint in _SECRET_HINTS):
            raise ValueError(f"audit details must not carry secrets (key {key!r})")


def record(
    con: duckdb.DuckDBPyConnection,
    actor: Actor,
    action: str,
    *,
    object: str | None = None,
    county: str | None = None,
    township: str | None = None,
    period: str | None = None,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event; call inside the caller's transaction (the change and its record commit together)."""
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    details = details or {}
    _check_details(details)
    con.execute(_INSERT_SQL, [
        (at or datetime.now()).replace(microsecond=0), actor.login, actor.role, action, object,
        county, township, period, json.dumps(details, ensure_ascii=False, default=str),
    ])


def record_alone(con: duckdb.DuckDBPyConnection, actor: Actor, action: str, **kwargs: Any) -> None:
    """``record`` in a transaction of its own (events that change nothing else)."""
    con.execute("BEGIN TRANSACTION")
    try:
        record(con, actor, action, **kwargs)
        con.execute("COMMIT")
    except BaseException:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise


# Filters are bound values; a NULL filter is no filter.
_LIST_SQL = """
WITH final AS (
    SELECT seq, occurred_at AS at, account, role, action, object, county, township, period, details
    FROM audit_log
    WHERE ($since IS NULL OR occurred_at >= $since)
      AND ($until IS NULL OR occurred_at < $until)
      AND ($account IS NULL OR account = $account)
      AND ($action IS NULL OR action = $action)
      -- A county sees the events of its county (access.md §4); events with no county
      -- (sign-ins, accounts) are the admin's.
      AND ($county IS NULL OR county = $county)
      AND ($township IS NULL OR township = $township)
)
SELECT * FROM final ORDER BY seq DESC LIMIT $limit
"""


def list_events(
    con: duckdb.DuckDBPyConnection,
    *,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    account: str | None = None,
    action: str | None = None,
    county: str | None = None,
    township: str | None = None,
    limit: int = 10_000,
) -> pd.DataFrame:
    """Events, newest first, with the action's Chinese label."""
    frame = con.execute(_LIST_SQL, {
        "since": since, "until": until, "account": account, "action": action,
        "county": county, "township": township, "limit": int(limit),
    }).df()
    frame["action_label"] = frame["action"].map(lambda a: ACTION_LABELS.get(a, a))
    return frame[EVENT_COLUMNS]


__all__ = [
    "ACTION_LABELS", "EVENT_COLUMNS", "Actor", "cli_actor", "list_events", "place", "record", "record_alone", "web_actor",
]
