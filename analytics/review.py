"""Review of township submissions (shared/spec/access.md §3).

    pending(con, actor)                   -> submissions waiting, within the actor's reach
    preview(con, upload_id)               -> per branch: stars, tasks, target before -> after
    accept(con, upload_id, actor=…)       -> Accepted(record, auto_returned)
    return_upload(con, upload_id, actor=…, reason=…) -> the returned record

A submission is stored with its rows when it is submitted (``ingest.load`` with a
township account), none of them current. Accepting it is one transaction: its state
becomes 'accepted' with the next acceptance number, ``store.refresh_current`` makes
it the current version of its (period, township) units (the previous version stays
in history, as for any replacement), other pending submissions for any of those
units are returned with the reason “已被更新的报送替代”, and every step is in the
audit log. Returning needs a reason the township sees. Rights: ``analytics.access``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import pandas as pd

from analytics import access, audit, sql, store
from analytics.audit import Actor

SUPERSEDED_REASON = "已被更新的报送替代"
PREVIEW_COLUMNS = ["county", "township", "branch", "stars_before", "stars_after", "tasks_done_before",
                   "tasks_done_after", "tasks_total_before", "tasks_total_after", "target_before",
                   "target_after", "change"]
CHANGE_LABELS = {"added": "新增", "dropped": "本次未报", "changed": "有变化", "same": "无变化"}


@dataclass(frozen=True)
class Accepted:
    record: store.UploadRecord
    auto_returned: tuple[str, ...] = ()
    replaced: tuple[str, ...] = ()


def pending(
    con: duckdb.DuckDBPyConnection, actor: Actor | None = None, *,
    county: str | None = None, township: str | None = None,
) -> list[store.UploadRecord]:
    """Submissions waiting for review, oldest first (of one county / township; within ``actor``'s reach)."""
    records = store.list_uploads(con, state="pending", county=county, township=township)
    if actor is not None:
        seen = access.history_reach(actor)
        records = [r for r in records if all(seen.covers(c, t) for c, t in r.scope)]
    return sorted(records, key=lambda r: r.seq)


def submissions(
    con: duckdb.DuckDBPyConnection, *, county: str | None = None, township: str | None = None, limit: int = 100,
) -> list[store.UploadRecord]:
    """A unit's recent submissions in every state (the township's view: pending, returned with the reason …)."""
    return store.list_uploads(con, limit=limit, county=county, township=township)


def preview(
    con: duckdb.DuckDBPyConnection, upload_id: str, *, county: str | None = None, township: str | None = None,
) -> pd.DataFrame:
    """Per branch, what accepting the submission would change (empty when the submission is not
    of ``county`` / ``township``: an account's reach)."""
    rec = store.get_upload(con, upload_id)
    if rec is None or (county is not None and any(c != county or (township and t != township) for c, t in rec.scope)):
        return pd.DataFrame(columns=PREVIEW_COLUMNS)
    return sql.run(con, "review_preview.sql", {"upload_id": upload_id})[PREVIEW_COLUMNS]


def _pending_record(con: duckdb.DuckDBPyConnection, upload_id: str) -> store.UploadRecord:
    rec = store.get_upload(con, upload_id.strip().upper())
    if rec is None:
        raise store.StoreError(f"找不到上传记录 {upload_id}。用 `python -m analytics review list` 查看待审核的报送。")
    if rec.state != "pending":
        raise store.StoreError(f"上传 {rec.upload_id} {store.STATUS_LABELS.get(rec.status, rec.status)}，不是待审核的报送。")
    return rec


_OTHER_PENDING_SQL = """
-- Other submissions waiting for any (kind, period, county, township) unit of this one.
SELECT DISTINCT o.upload_id
FROM upload_scope o
JOIN upload_scope s ON s.kind = o.kind AND s.period = o.period AND s.county = o.county AND s.township = o.township
JOIN uploads u ON u.upload_id = o.upload_id
WHERE s.upload_id = ? AND o.upload_id <> ? AND u.state = 'pending'
ORDER BY o.upload_id
"""

_RETURN_SQL = """
UPDATE uploads SET state = 'returned', reviewed_by = ?, reviewed_at = ?, review_reason = ?
WHERE upload_id = ? AND state = 'pending'
"""


def accept(con: duckdb.DuckDBPyConnection, upload_id: str, *, actor: Actor) -> Accepted:
    """Make a pending submission the data in force for its units, in one transaction."""
    rec = _pending_record(con, upload_id)
    access.require_review(actor, rec.scope)
    now = datetime.now().replace(microsecond=0)

    with store.transaction(con):
        replaced = tuple(
            u for (u,) in con.execute(
                "SELECT DISTINCT c.upload_id FROM upload_scope c JOIN upload_scope s "
                "ON s.kind = c.kind AND s.period = c.period AND s.county = c.county AND s.township = c.township "
                "AND c.is_current "
                "WHERE s.upload_id = ? ORDER BY 1", [rec.upload_id]).fetchall()
        )
        con.execute(
            "UPDATE uploads SET state = 'accepted', reviewed_by = ?, reviewed_at = ?,"
            " accepted_seq = (SELECT coalesce(max(coalesce(accepted_seq, seq)), 0) + 1 FROM uploads)"
            " WHERE upload_id = ? AND state = 'pending'",
            [actor.login, now, rec.upload_id],
        )
        store.refresh_uploads(con, "upload_id = ?", [rec.upload_id])
        place = audit.place(rec.scope, rec.period, rec.period_kind)
        audit.record(con, actor, "upload_accepted", object=rec.upload_id, **place,
                     details={"file": rec.file_name, "submitted_by": rec.submitted_by, "replaced": list(replaced)})
        others = tuple(u for (u,) in con.execute(_OTHER_PENDING_SQL, [rec.upload_id, rec.upload_id]).fetchall())
        for other in others:
            con.execute(_RETURN_SQL, [actor.login, now, SUPERSEDED_REASON, other])
            audit.record(con, actor, "upload_returned", object=other, **place,
                         details={"reason": SUPERSEDED_REASON, "superseded_by": rec.upload_id})
    updated = store.get_upload(con, rec.upload_id)
    assert updated is not None
    return Accepted(updated, others, replaced)


def return_upload(con: duckdb.DuckDBPyConnection, upload_id: str, *, actor: Actor, reason: str) -> store.UploadRecord:
    """Send a submission back to its township with a reason it sees; nothing of it ever counts."""
    rec = _pending_record(con, upload_id)
    access.require_review(actor, rec.scope)
    text = access.require_reason(reason, "退回")
    now = datetime.now().replace(microsecond=0)

    with store.transaction(con):
        con.execute(_RETURN_SQL, [actor.login, now, text, rec.upload_id])
        audit.record(con, actor, "upload_returned", object=rec.upload_id, **audit.place(rec.scope, rec.period, rec.period_kind),
                     details={"file": rec.file_name, "reason": text, "submitted_by": rec.submitted_by})
    updated = store.get_upload(con, rec.upload_id)
    assert updated is not None
    return updated


__all__ = ["CHANGE_LABELS", "PREVIEW_COLUMNS", "SUPERSEDED_REASON", "Accepted", "accept", "pending", "preview",
           "return_upload", "submissions"]
