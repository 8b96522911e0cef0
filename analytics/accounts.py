"""Accounts and signing in (shared/spec/access.md §1–§2).

    add_account(con, "zhangsan", role="township", county="甲县", township="东镇", by=actor) -> (Account, temp)
    list_accounts(con) -> list[Account]
    disable_account(con, login, by=actor)
    reset_password(con, login, by=actor) -> temporary password
    change_password(con, login, old, new)
    sign_in(con, login, password, settings) -> SignIn (ok / why not; the account when ok)

Passwords are hashed with argon2id (argon2-cffi's PasswordHasher, its default
memory-hard parameters); neither a password nor its hash is ever logged, printed
or put in a settings file. A new or reset account gets a temporary password and
must choose its own at first sign-in (at least 8 characters, not the login name).

Lockout: after ``login_max_failures`` failed attempts for one login name within
``login_lock_minutes`` minutes, that name is locked for ``login_lock_minutes``
minutes — whether or not the name exists, so the sign-in page tells nothing about
which names exist. Every change is recorded in the audit log in its own
transaction together with the change.
"""

from __future__ import annotations

import contextlib
import functools
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from analytics import access, audit
from analytics.audit import Actor
from analytics.settings import Settings
from analytics.store import transaction

ROLE_LABELS: dict[str, str] = {
    "admin": "系统管理员",
    "county": "县区管理员",
    "township": "乡镇（街道）填报员",
    "viewer": "领导/查看",
}
MIN_PASSWORD_LENGTH = 8
# Temporary passwords: no look-alike characters (0/O, 1/l/I), easy to read out on the phone.
_TEMP_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_TEMP_LENGTH = 12

_HASHER = PasswordHasher()  # argon2id


class AccountError(ValueError):
    """A request about accounts that cannot be done, with a Chinese message."""


@dataclass(frozen=True)
class Account:
    login: str
    name: str
    role: str
    county: str | None
    township: str | None
    active: bool
    must_change: bool
    is_demo: bool
    created_at: datetime

    @property
    def role_label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)

    @property
    def state_label(self) -> str:
        return "停用" if not self.active else ("待改密码" if self.must_change else "正常")

    @property
    def unit_label(self) -> str:
        parts = [p for p in (self.county, self.township) if p]
        return " / ".join(parts) if parts else "全部"

    def actor(self) -> Actor:
        return Actor(login=self.login, role=self.role, county=self.county, township=self.township, name=self.name)

    def to_dict(self) -> dict[str, object]:
        return {
            "login": self.login, "name": self.name, "role": self.role, "county": self.county,
            "township": self.township, "active": self.active, "must_change": self.must_change,
            "is_demo": self.is_demo, "created_at": self.created_at.isoformat(timespec="seconds"),
        }


_COLUMNS = "login, display_name, role, county, township, active, must_change, is_demo, created_at"


def _account(row: tuple[object, ...]) -> Account:
    login, name, role, county, township, active, must_change, is_demo, created = row
    return Account(str(login), str(name), str(role), county, township, bool(active), bool(must_change),  # type: ignore[arg-type]
                   bool(is_demo), created)  # type: ignore[arg-type]


def get_account(con: duckdb.DuckDBPyConnection, login: str) -> Account | None:
    rows = con.execute(f"SELECT {_COLUMNS} FROM account WHERE login = ?", [login]).fetchall()
    return _account(rows[0]) if rows else None


def list_accounts(con: duckdb.DuckDBPyConnection) -> list[Account]:
    rows = con.execute(f"SELECT {_COLUMNS} FROM account ORDER BY role, county, township, login").fetchall()
    return [_account(r) for r in rows]


def count_accounts(con: duckdb.DuckDBPyConnection, *, active_only: bool = True) -> int:
    sql = "SELECT count(*) FROM account" + (" WHERE active" if active_only else "")
    rows = con.execute(sql).fetchall()
    return int(rows[0][0])


def temporary_password() -> str:
    return "".join(secrets.choice(_TEMP_ALPHABET) for _ in range(_TEMP_LENGTH))


def check_new_password(login: str, password: str) -> None:
    """access.md §2: at least 8 characters, not equal to the login name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"新密码至少需要 {MIN_PASSWORD_LENGTH} 个字符。")
    if password.strip().casefold() == login.strip().casefold():
        raise AccountError("新密码不能与登录名相同。")


def _check_unit(role: str, county: str | None, township: str | None) -> None:
    """Each role is bound to a unit of its level (access.md §1)."""
    if role not in ROLE_LABELS:
        raise AccountError(f"角色“{role}”不存在，应为 admin、county、township 或 viewer。")
    if role == "admin" and (county or township):
        raise AccountError("系统管理员（admin）管理全部数据，不能指定县区或乡镇。")
    if role == "county" and (not county or township):
        raise AccountError("县区管理员（county）须用 --county 指定所属县（市、区），不指定乡镇。")
    if role == "township" and not (county and township):
        raise AccountError("乡镇（街道）填报员（township）须同时用 --county 和 --township 指定所属县区和乡镇。")
    if township and not county:
        raise AccountError("指定乡镇（街道）时须同时指定所属县（市、区）。")


def _clean(text: str | None) -> str | None:
    value = (text or "").strip()
    return value or None


def add_account(
    con: duckdb.DuckDBPyConnection,
    login: str,
    *,
    role: str,
    by: Actor,
    county: str | None = None,
    township: str | None = None,
    name: str | None = None,
    password: str | None = None,
    is_demo: bool = False,
    must_change: bool = True,
) -> tuple[Account, str]:
    """Create an account with a temporary password (generated unless given); returns (account, password).

    The account must change the password at first sign-in (``must_change``; a demo
    account's random password is never shown, so it has nothing to change).
    """
    access.require_admin(by, "创建账号")
    login = (login or "").strip()
    if not login or any(ch.isspace() for ch in login) or len(login) > 64:
        raise AccountError("登录名不能为空、不能含空格，且不超过 64 个字符。")
    county, township = _clean(county), _clean(township)
    _check_unit(role, county, township)
    temp = password if password is not None else temporary_password()
    if password is not None:
        check_new_password(login, password)
    with transaction(con):
        if get_account(con, login) is not None:
            raise AccountError(f"登录名“{login}”已存在。")
        now = datetime.now().replace(microsecond=0)
        con.execute(
            "INSERT INTO account (login, display_name, role, county, township, password_hash, must_change,"
            " active, is_demo, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, true, ?, ?)",
            [login, _clean(name) or login, role, county, township, _HASHER.hash(temp), must_change, is_demo, now],
        )
        audit.record(con, by, "account_created", object=login, county=county, township=township,
                     details={"role": role, "name": _clean(name) or login})
    account = get_account(con, login)
    assert account is not None
    return account, temp


def _require(con: duckdb.DuckDBPyConnection, login: str) -> Account:
    account = get_account(con, login)
    if account is None:
        raise AccountError(f"找不到登录名“{login}”。用 `python -m analytics users list` 查看全部账号。")
    return account


def disable_account(con: duckdb.DuckDBPyConnection, login: str, *, by: Actor) -> Account:
    access.require_admin(by, "停用账号")
    account = _require(con, login)
    if by.login == login:
        raise AccountError("不能停用自己正在使用的账号。")
    with transaction(con):
        con.execute("UPDATE account SET active = false, changed_at = ? WHERE login = ?",
                    [datetime.now().replace(microsecond=0), login])
        audit.record(con, by, "account_disabled", object=login, county=account.county, township=account.township)
    return _require(con, login)


def reset_password(con: duckdb.DuckDBPyConnection, login: str, *, by: Actor, password: str | None = None) -> str:
    """A new temporary password (the account must change it at its next sign-in)."""
    access.require_admin(by, "重置密码")
    account = _require(con, login)
    temp = password if password is not None else temporary_password()
    if password is not None:
        check_new_password(login, password)
    with transaction(con):
        con.execute("UPDATE account SET password_hash = ?, must_change = true, changed_at = ? WHERE login = ?",
                    [_HASHER.hash(temp), datetime.now().replace(microsecond=0), login])
        # A reset also lifts a lockout: the failures before it no longer count.
        con.execute("INSERT INTO login_attempt VALUES (?, ?, true)", [login, datetime.now()])
        audit.record(con, by, "password_reset", object=login, county=account.county, township=account.township)
    return temp


def _hash_of(con: duckdb.DuckDBPyConnection, login: str) -> str | None:
    rows = con.execute("SELECT password_hash FROM account WHERE login = ?", [login]).fetchall()
    return str(rows[0][0]) if rows else None


def _verify(stored: str | None, password: str) -> bool:
    if stored is None:
        # Spend the same time as for a real account, so timing tells nothing either.
        with contextlib.suppress(VerificationError, InvalidHashError):
            _HASHER.verify(_dummy_hash(), password)
        return False
    try:
        return bool(_HASHER.verify(stored, password))
    except (VerificationError, InvalidHashError):
        return False


@functools.cache
def _dummy_hash() -> str:
    return _HASHER.hash("not-a-password-of-anyone")


def change_password(con: duckdb.DuckDBPyConnection, login: str, old: str, new: str) -> Account:
    """The account itself chooses a new password (also the forced change after a temporary one)."""
    account = _require(con, login)
    if not _verify(_hash_of(con, login), old):
        raise AccountError("原密码不正确。")
    check_new_password(login, new)
    if new == old:
        raise AccountError("新密码不能与原密码相同。")
    with transaction(con):
        con.execute("UPDATE account SET password_hash = ?, must_change = false, changed_at = ? WHERE login = ?",
                    [_HASHER.hash(new), datetime.now().replace(microsecond=0), login])
        audit.record(con, account.actor(), "password_changed", object=login, county=account.county,
                     township=account.township)
    return _require(con, login)


@dataclass(frozen=True)
class SignIn:
    ok: bool
    account: Account | None = None
    message: str = ""  # Chinese, the same for an unknown name and a wrong password
    locked_until: datetime | None = None


FAILED_MESSAGE = "登录名或密码不正确。"


# Failures of one login name since its last success (or reset), inside the window.
_FAILURES_SQL = """
WITH last_ok AS (
    SELECT max(attempted_at) AS at FROM login_attempt WHERE login = $login AND ok
),
final AS (
    SELECT a.attempted_at
    FROM login_attempt a, last_ok
    WHERE a.login = $login AND NOT a.ok
      AND a.attempted_at > $window_start
      AND (last_ok.at IS NULL OR a.attempted_at > last_ok.at)
)
SELECT attempted_at FROM final ORDER BY attempted_at
"""


def locked_until(con: duckdb.DuckDBPyConnection, login: str, settings: Settings,
                 now: datetime | None = None) -> datetime | None:
    """When a login name's lock ends, or None when it is not locked.

    Locked: ``login_max_failures`` failures within ``login_lock_minutes`` minutes;
    the lock lasts ``login_lock_minutes`` from the failure that reached the limit.
    """
    now = now or datetime.now()
    window = timedelta(minutes=float(settings.login_lock_minutes))
    limit = int(settings.login_max_failures)
    failures = [r[0] for r in con.execute(
        _FAILURES_SQL, {"login": login, "window_start": now - 2 * window}).fetchall()]
    # Slide over the failures: the first run of `limit` within one window locks from its last one.
    for i in range(limit - 1, len(failures)):
        if failures[i] - failures[i - limit + 1] <= window:
            until = failures[i] + window
            if until > now:
                return until  # type: ignore[no-any-return]
    return None


def sign_in(con: duckdb.DuckDBPyConnection, login: str, password: str, settings: Settings,
            *, now: datetime | None = None) -> SignIn:
    """Check a login name and password; record the attempt and the event (one transaction)."""
    now = now or datetime.now()
    login = (login or "").strip()
    attempt = Actor(login=login or "（空）", role="", name=login)
    until = locked_until(con, login, settings, now)
    if until is not None:
        audit.record_alone(con, attempt, "sign_in_failed", object=login, at=now,
                           details={"reason": "locked", "locked_until": until.isoformat(timespec="seconds")})
        return SignIn(False, message=f"该账号因多次登录失败已暂时锁定，请于 {until:%H:%M} 后再试。",
                      locked_until=until)
    account = get_account(con, login)
    good = _verify(_hash_of(con, login), password) and account is not None and account.active
    with transaction(con):
        con.execute("INSERT INTO login_attempt VALUES (?, ?, ?)", [login, now, good])
        if good:
            assert account is not None
            audit.record(con, account.actor(), "sign_in", object=login, county=account.county,
                         township=account.township, at=now)
        else:
            audit.record(con, attempt, "sign_in_failed", object=login, at=now)
    if good:
        return SignIn(True, account=account)
    until = locked_until(con, login, settings, now)
    if until is not None:
        audit.record_alone(con, attempt, "lockout", object=login, at=now,
                           details={"locked_until": until.isoformat(timespec="seconds")})
        return SignIn(False, message=f"连续登录失败次数过多，该账号已锁定至 {until:%H:%M}。", locked_until=until)
    return SignIn(False, message=FAILED_MESSAGE)


# --- demo accounts (access.md §6) ------------------------------------------------

DEMO_LOGINS = ("demo-admin", "demo-county", "demo-township", "demo-leader")


def ensure_demo_accounts(con: duckdb.DuckDBPyConnection, *, by: Actor) -> list[Account]:
    """While demo data is loaded: one demo account per role (a county reviewer, a township
    uploader, a leader viewer, and an administrator), offered with one click on the sign-in
    page. Their units are taken from the demo data (the county with the most branches and
    its first township). Idempotent; ``store.clear_demo`` deletes them with the data."""
    existing = {a.login for a in list_accounts(con) if a.is_demo}
    rows = con.execute(
        "SELECT county, min(township) FROM v_branch_month b JOIN uploads u USING (upload_id) "
        "WHERE u.is_demo GROUP BY county ORDER BY count(*) DESC, county LIMIT 1"
    ).fetchall()
    if not rows:
        return []
    county, township = str(rows[0][0]), str(rows[0][1])
    wanted = {
        "demo-admin": ("admin", None, None, "系统管理员（示例）"),
        "demo-county": ("county", county, None, f"{county}组织部（示例）"),
        "demo-township": ("township", county, township, f"{township}填报员（示例）"),
        "demo-leader": ("viewer", None, None, "县委领导（示例）"),
    }
    for login, (role, c, t, name) in wanted.items():
        if login not in existing and get_account(con, login) is None:
            add_account(con, login, role=role, county=c, township=t, name=name, by=by, is_demo=True,
                        must_change=False)
    return [a for a in list_accounts(con) if a.is_demo]


def sign_in_demo(con: duckdb.DuckDBPyConnection, login: str) -> SignIn:
    """One-click sign-in of a demo account (only demo accounts, only while demo data is loaded)."""
    account = get_account(con, login)
    demo_loaded = con.execute("SELECT count(*) FROM uploads WHERE is_demo").fetchall()[0][0] > 0
    if account is None or not account.is_demo or not account.active or not demo_loaded:
        return SignIn(False, message="示例账号不可用。")
    with transaction(con):
        con.execute("INSERT INTO login_attempt VALUES (?, ?, true)", [login, datetime.now()])
        audit.record(con, account.actor(), "sign_in", object=login, county=account.county,
                     township=account.township, details={"demo": True})
    return SignIn(True, account=account)


__all__ = [
    "DEMO_LOGINS",
    "FAILED_MESSAGE",
    "MIN_PASSWORD_LENGTH",
    "ROLE_LABELS",
    "Account",
    "AccountError",
    "SignIn",
    "add_account",
    "change_password",
    "check_new_password",
    "count_accounts",
    "disable_account",
    "ensure_demo_accounts",
    "get_account",
    "list_accounts",
    "locked_until",
    "reset_password",
    "sign_in",
    "sign_in_demo",
    "temporary_password",
]
