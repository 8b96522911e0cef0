"""Who may see and do what (shared/spec/access.md §1, §3): the one place rights are decided.

Every write an account can cause — an upload (``analytics.ingest.load``), accepting or
returning a submission (``analytics.review``), a rollback — asks this module first, below
the pages and the command line, so no widget state or hand-made request can widen it.

    reach(actor)                      -> Reach: the part of the hierarchy the actor sees
    out_of_reach(actor, units)        -> the (county, township) units it may not upload for (E_SCOPE)
    needs_review(actor, settings)     -> a township account's upload waits for review
    require_review(actor, upload)     -> AccessDenied unless county (its county) or admin
    require_rollback(actor, upload, reason)

Actors with full rights: ``admin`` accounts and the command line without ``--as``
(``audit.cli_actor``). The app acts as ``audit.web_actor`` until the sign-in pages land:
it keeps today's full rights.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from analytics.audit import Actor
from analytics.settings import Settings

if TYPE_CHECKING:  # analytics.scope imports pandas, which `ingest` (an upload with --as) never loads
    from analytics.scope import Scope

MIN_REASON_LENGTH = 4  # "a reason of at least a few characters"


def full_rights(actor: Actor) -> bool:
    return actor.role == "admin" or actor.kind in ("cli", "web")


class AccessDenied(PermissionError):
    """An action outside the actor's rights, with a Chinese message."""


@dataclass(frozen=True)
class Reach:
    """What an actor sees: the whole store (county None), a county, or a township."""

    county: str | None = None
    township: str | None = None

    def covers(self, county: str, township: str | None = None) -> bool:
        if self.county is not None and county != self.county:
            return False
        return self.township is None or township is None or township == self.township


def reach(actor: Actor) -> Reach:
    """access.md §1 "sees": admin everything; county its county; a township account its
    county (rankings and lists are shared within a county); a viewer its unit."""
    if full_rights(actor):
        return Reach()
    if actor.role in ("county", "township"):
        return Reach(actor.county)
    return Reach(actor.county, actor.township)  # viewer: whole store, a county or a township


# cadence.md §2 / §5: uploads a township may not submit for itself (scores, year-end acceptance).
COUNTY_ONLY_UPLOADS: dict[str, str] = {"assessment": "考核评分", "acceptance": "年度验收结果"}


def out_of_reach(actor: Actor, units: Iterable[tuple[str, str]], *, kind: str = "ledger") -> list[tuple[str, str]]:
    """The units of an upload the actor may not write (access.md §1 "may write"). ``kind``: what
    the upload is (uploads.kind); scores and acceptance are the county's or the admin's only."""
    units = sorted(set(units))
    if full_rights(actor):
        return []
    if kind in COUNTY_ONLY_UPLOADS and actor.role != "county":
        return units
    if actor.role == "county":
        return [u for u in units if u[0] != actor.county]
    if actor.role == "township":
        return [u for u in units if u != (actor.county, actor.township)]
    return units  # a viewer writes nothing


def scope_refusal(actor: Actor, units: list[tuple[str, str]], *, kind: str = "ledger") -> str:
    """The E_SCOPE message naming the township(s) out of reach."""
    named = "、".join(f"{c}{t}" for c, t in units[:10]) + (f" 等 {len(units)} 个" if len(units) > 10 else "")
    if actor.role == "viewer":
        return "查看账号不能上传台账。"
    if kind in COUNTY_ONLY_UPLOADS and actor.role == "township":
        return (f"{COUNTY_ONLY_UPLOADS[kind]}由县（市、区）或系统管理员上传，乡镇（街道）账号不能上传"
                "（不能为本单位评分或验收）。")
    own = f"{actor.county}{actor.township or ''}"
    return f"文件中含有 {named} 的台账，不在本账号（{own}）可以上传的范围内：请只上传本单位的台账。"


def needs_review(actor: Actor, settings: Settings) -> bool:
    """A township account's upload waits for a county's review (unless ``review_required`` is off)."""
    return actor.role == "township" and bool(settings.review_required)


def _county_of(units: list[tuple[str, str]]) -> set[str]:
    return {c for c, _ in units}


def require_review(actor: Actor, units: list[tuple[str, str]]) -> None:
    """Accepting or returning a submission: its county's county account, or an admin."""
    if full_rights(actor):
        return
    if actor.role == "county" and _county_of(units) <= {actor.county}:
        return
    raise AccessDenied("只有本县（市、区）的县区管理员或系统管理员可以审核这份报送。")


def require_rollback(actor: Actor, units: list[tuple[str, str]], reason: str | None) -> None:
    """Rollback: county (its county) and admin only, with a reason (the command line's own rights aside)."""
    if not full_rights(actor) and not (actor.role == "county" and _county_of(units) <= {actor.county}):
        raise AccessDenied("只有本县（市、区）的县区管理员或系统管理员可以回滚上传。")
    if actor.kind == "account":
        require_reason(reason, "回滚")


def register_refusal(actor: Actor, counties: list[str]) -> str | None:
    """The branch register and declared goals (access.md §1, register.md §1): ``county`` accounts
    for their own county, ``admin`` (and the command line) for any; None when allowed, else why not."""
    if full_rights(actor):
        return None
    if actor.role == "county":
        other = [c for c in counties if c != actor.county]
        if not other:
            return None
        return (f"文件中含有 {'、'.join(other[:10])} 的名册或创建目标，不在本账号（{actor.county}）的范围内："
                "县区管理员只能导入本县（市、区）的名册。")
    return "只有县区管理员和系统管理员可以导入支部名册和创建目标；乡镇（街道）账号请把名册交县（市、区）导入。"


def require_register(actor: Actor, counties: list[str]) -> None:
    """AccessDenied unless ``register_refusal`` allows it (the pages ask before offering the upload)."""
    denied = register_refusal(actor, counties)
    if denied is not None:
        raise AccessDenied(denied)


def require_admin(actor: Actor, what: str) -> None:
    """Accounts and the demo data are the administrator's (and the command line's)."""
    if not full_rights(actor) or actor.kind == "web":
        raise AccessDenied(f"只有系统管理员可以{what}。")


def require_reason(reason: str | None, what: str) -> str:
    text = (reason or "").strip()
    if len(text) < MIN_REASON_LENGTH:
        raise AccessDenied(f"{what}须写明原因（至少 {MIN_REASON_LENGTH} 个字）。")
    return text


# --- reads: the one gateway the pages' analytics calls go through -------------------------


def visible_scope(actor: Actor, scope: Scope) -> Scope:
    """The scope clamped to what the actor sees; a scope outside it is refused (never widened).

    A county account asking for "全部" gets its county; asking for another county is an error.
    """
    seen = reach(actor)
    county, township = scope.county, scope.township
    if seen.county is not None:
        if county not in (None, seen.county):
            raise AccessDenied(f"本账号只能查看 {seen.county} 的数据。")
        county = seen.county
    if seen.township is not None:
        if township not in (None, seen.township):
            raise AccessDenied(f"本账号只能查看 {seen.county}{seen.township} 的数据。")
        township = seen.township
    return replace(scope, county=county, township=township)


def history_reach(actor: Actor) -> Reach:
    """Upload history and raw files: a township account sees only its own township's (§1)."""
    if actor.role == "township" and not full_rights(actor):
        return Reach(actor.county, actor.township)
    return reach(actor)


# Functions whose result is filtered by keyword arguments county/township: which reach applies.
_FILTERED_BY_REACH: dict[str, str] = {
    "store.list_uploads": "history",
    "store.count_uploads": "history",
    "review.pending": "history",
    "review.submissions": "history",
    "review.preview": "history",
    "scope.scope_options": "sees",
    "audit.list_events": "audit",
    # register.md: the register, goals and branches to reconcile of the units the actor sees.
    "register.register_rows": "sees",
    "register.register_summary": "sees",
    "register.unregistered_branches": "sees",
    "register.known_branches": "sees",
    "register.goal_rows": "sees",
    "register.branch_people": "sees",
}


def call(con: Any, actor: Actor, func: str, *args: Any, **kwargs: Any) -> Any:
    """``analytics.<func>(con, *args, **kwargs)`` within the actor's reach.

    Every ``Scope`` argument is clamped by ``visible_scope``; a ``county``/``township``
    argument naming a unit out of reach is refused; list functions get the reach as
    their county/township filter. The pages call analytics only through this.
    """
    from analytics.scope import Scope

    module, name = func.rsplit(".", 1)
    fn = getattr(importlib.import_module(f"analytics.{module}"), name)
    bound = inspect.signature(fn).bind(con, *args, **kwargs)
    seen = reach(actor)
    for key, value in list(bound.arguments.items()):
        if isinstance(value, Scope):
            bound.arguments[key] = visible_scope(actor, value)
        elif key == "county" and isinstance(value, str) and seen.county not in (None, value):
            raise AccessDenied(f"本账号只能查看 {seen.county} 的数据。")
        elif key == "township" and isinstance(value, str) and seen.township not in (None, value):
            raise AccessDenied(f"本账号只能查看 {seen.county}{seen.township} 的数据。")
    which = _FILTERED_BY_REACH.get(func)
    if which is not None:
        limit = history_reach(actor) if which == "history" else seen
        if which == "audit" and not full_rights(actor) and actor.role != "county":
            raise AccessDenied("操作记录只有系统管理员和县区管理员可以查看。")
        bound.arguments["county"] = limit.county if limit.county is not None else bound.arguments.get("county")
        if limit.township is not None:
            bound.arguments["township"] = limit.township
        elif which != "audit":
            bound.arguments.setdefault("township", None)
    return fn(*bound.args, **bound.kwargs)


__all__ = [
    "COUNTY_ONLY_UPLOADS",
    "MIN_REASON_LENGTH",
    "AccessDenied",
    "Reach",
    "call",
    "full_rights",
    "history_reach",
    "needs_review",
    "out_of_reach",
    "reach",
    "register_refusal",
    "require_admin",
    "require_reason",
    "require_register",
    "require_review",
    "require_rollback",
    "scope_refusal",
    "visible_scope",
]
