"""From submission to data that counts (shared/spec/access.md §1 E_SCOPE, §3 review, §5 CLI):
a township's upload waits unseen until its county accepts it; returned ones never count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analytics import access, accounts, audit, review, store
from analytics.__main__ import main
from analytics.ingest import load, stage
from analytics.metrics import kpis
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings
from tests.ingest.test_pipeline import GOOD_ROWS, ledger_xlsx

SETTINGS = Settings({"lock_timeout_s": 5})
CLI = audit.cli_actor()
AUG = Period.parse("2024-08")

# 甲县: 甲镇 一村 (3★) and 二村 (0★), 乙镇 三村 (5★).
JIA_ONLY = [r for r in GOOD_ROWS if r[0] == "甲镇"]
JIA_BETTER = [["甲镇", "一村", "√", "√", "√", "√", "√"], ["甲镇", "二村", "√", "√", "√", "创建中", "创建中"]]


def _accounts(db: Path) -> dict[str, audit.Actor]:
    with store.open_store(db, settings=SETTINGS) as con:
        made = {
            "jia": accounts.add_account(con, "jia", role="township", county="甲县", township="甲镇", by=CLI)[0],
            "yi": accounts.add_account(con, "yi", role="township", county="甲县", township="乙镇", by=CLI)[0],
            "county": accounts.add_account(con, "jiaxian", role="county", county="甲县", by=CLI)[0],
            "other": accounts.add_account(con, "bingxian", role="county", county="丙县", by=CLI)[0],
            "viewer": accounts.add_account(con, "leader", role="viewer", by=CLI)[0],
        }
    return {k: a.actor() for k, a in made.items()}


# The same rows give the same bytes: openpyxl stamps the file with the current second, so two
# files written a second apart differ and "the same file again" would not be identical.
_BYTES: dict[str, bytes] = {}


def _upload(db: Path, rows: list[list[object]], actor: audit.Actor, name: str = "甲镇8月.xlsx",
            settings: Settings = SETTINGS):  # type: ignore[no-untyped-def]
    data = _BYTES.setdefault(repr(rows), ledger_xlsx(rows))
    return load(stage(data, name, settings=settings), db=db, settings=settings, actor=actor)


def _five_star_count(db: Path) -> int:
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return int(kpis(con, AUG, Scope(), SETTINGS)["five"]["value"])


def _current_rows(db: Path) -> int:
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        return int(con.execute("SELECT count(*) FROM v_branch_month").fetchall()[0][0])


def test_a_township_account_uploads_only_for_its_own_township(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    both = _upload(db, GOOD_ROWS, who["jia"])  # the file also holds 乙镇
    assert not both.ok and [p.code for p in both.errors] == ["E_SCOPE"]
    [problem] = both.errors
    assert (problem.sheet, problem.row, problem.value) == ("星级台账", 5, "乙镇")  # 乙镇's first row
    assert problem.message.startswith("文件中含有 甲县乙镇 的台账，不在本账号（甲县甲镇）可以上传的范围内")
    assert not _upload(db, GOOD_ROWS, who["other"]).ok  # another county's manager
    viewer = _upload(db, JIA_ONLY, who["viewer"])
    assert not viewer.ok and "查看账号不能上传" in viewer.errors[0].message
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.count_uploads(con) == 0  # nothing written for any refusal
        refused = audit.list_events(con, action="upload_refused")
    assert len(refused) == 3 and set(refused["account"]) == {"jia", "bingxian", "leader"}


def test_a_pending_submission_changes_nothing_until_accepted(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    first = _upload(db, GOOD_ROWS, who["county"], name="县汇总.xlsx")  # a county upload counts at once
    assert first.ok and first.state == "accepted"
    assert _five_star_count(db) == 1 and _current_rows(db) == 3
    sub = _upload(db, JIA_BETTER, who["jia"])
    assert sub.ok and sub.state == "pending" and sub.upload_id == "U00002"
    assert "等待县（市、区）审核" in str(sub.notice)
    # Not in any view, ranking, KPI or history-in-force count.
    assert _five_star_count(db) == 1 and _current_rows(db) == 3
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        assert store.count_uploads(con, in_force_only=True) == 1
        assert [r.upload_id for r in review.pending(con)] == ["U00002"]
        assert review.pending(con, who["other"]) == []  # another county does not see it
        pv = review.preview(con, "U00002")
        rec = store.get_upload(con, "U00002")
    assert rec is not None and (rec.status, rec.submitted_by) == ("pending", "jia")
    assert pv[["branch", "stars_before", "stars_after", "change"]].values.tolist() == [
        ["一村", 3, 5, "changed"], ["二村", 0, 3, "changed"]]
    # Only its county's manager (or an admin) may accept it.
    with store.open_store(db, settings=SETTINGS) as con:
        with pytest.raises(access.AccessDenied):
            review.accept(con, "U00002", actor=who["other"])
        with pytest.raises(access.AccessDenied):
            review.accept(con, "U00002", actor=who["jia"])
        done = review.accept(con, "U00002", actor=who["county"])
    assert done.replaced == ("U00001",) and done.record.status == "current"
    assert _five_star_count(db) == 2 and _current_rows(db) == 3  # 一村 now five stars; 乙镇 untouched
    with store.open_store(db, read_only=True, settings=SETTINGS) as con:
        first_rec = store.get_upload(con, "U00001")
        events = audit.list_events(con)
    assert first_rec is not None and first_rec.status == "partly_current"
    assert list(events["action"])[:2] == ["upload_accepted", "upload_submitted"]
    assert events.iloc[0]["account"] == "jiaxian"


def test_returning_needs_a_reason_the_township_sees_and_the_data_never_counts(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    _upload(db, JIA_ONLY, who["county"], name="原始.xlsx")
    sub = _upload(db, JIA_BETTER, who["jia"])
    with store.open_store(db, settings=SETTINGS) as con:
        with pytest.raises(access.AccessDenied, match="原因"):
            review.return_upload(con, str(sub.upload_id), actor=who["county"], reason="不")
        rec = review.return_upload(con, str(sub.upload_id), actor=who["county"], reason="一村星级与验收结果不符，请核实")
        with pytest.raises(store.StoreError, match="不是待审核"):
            review.accept(con, str(sub.upload_id), actor=who["county"])
        with pytest.raises(store.StoreError, match="不能回滚"):
            store.rollback(con, str(sub.upload_id), actor=who["county"], reason="试一试回滚")
    assert (rec.status, rec.review_reason, rec.reviewed_by) == ("returned", "一村星级与验收结果不符，请核实", "jiaxian")
    assert _five_star_count(db) == 0
    # The same file again is a new submission (the returned one does not make it identical).
    again = _upload(db, JIA_BETTER, who["jia"])
    assert again.ok and again.state == "pending" and again.duplicate_of is None
    # ... and submitting it twice is one submission.
    twice = _upload(db, JIA_BETTER, who["jia"])
    assert twice.duplicate_of == again.upload_id and twice.state == "pending"


def test_accepting_one_of_two_pending_submissions_returns_the_other(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    a = _upload(db, JIA_ONLY, who["jia"], name="第一次.xlsx")
    b = _upload(db, JIA_BETTER, who["jia"], name="第二次.xlsx")
    with store.open_store(db, settings=SETTINGS) as con:
        done = review.accept(con, str(b.upload_id), actor=who["county"])
        other = store.get_upload(con, str(a.upload_id))
        assert review.pending(con) == []
    assert done.auto_returned == (a.upload_id,)
    assert other is not None and (other.status, other.review_reason) == ("returned", review.SUPERSEDED_REASON)
    assert _five_star_count(db) == 1


def test_the_latest_accepted_version_wins_whatever_the_submission_order(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    late = _upload(db, JIA_BETTER, who["jia"], name="先交后审.xlsx")  # submitted first, accepted last
    _upload(db, JIA_ONLY, who["county"], name="县里直接上传.xlsx")
    assert _five_star_count(db) == 0
    with store.open_store(db, settings=SETTINGS) as con:
        review.accept(con, str(late.upload_id), actor=who["county"])
    assert _five_star_count(db) == 1


def test_review_can_be_switched_off(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    alone = SETTINGS.replace(review_required=False)
    result = _upload(db, JIA_BETTER, who["jia"], settings=alone)
    assert result.state == "accepted" and _five_star_count(db) == 1


def test_rollback_rights_and_reason(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    who = _accounts(db)
    up = _upload(db, JIA_ONLY, who["county"])
    units = [("甲县", "甲镇")]
    with pytest.raises(access.AccessDenied):
        access.require_rollback(who["jia"], units, "乡镇自己想撤回")
    with pytest.raises(access.AccessDenied):
        access.require_rollback(who["other"], units, "别的县来回滚")
    with pytest.raises(access.AccessDenied, match="原因"):
        access.require_rollback(who["county"], units, None)
    access.require_rollback(who["county"], units, "数据报错了，回滚")
    access.require_rollback(CLI, units, None)  # the command line keeps its full rights
    with store.open_store(db, settings=SETTINGS) as con:
        rec = store.rollback(con, str(up.upload_id), actor=who["county"], reason="数据报错了，回滚")
        event = audit.list_events(con, action="upload_rolled_back").iloc[0]
    assert (rec.status, rec.rollback_reason) == ("rolled_back", "数据报错了，回滚")
    assert event["account"] == "jiaxian" and json.loads(event["details"])["reason"] == "数据报错了，回滚"


def test_cli_ingest_as_review_list_accept_and_return(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIVESTAR_LOCK_TIMEOUT_S", "5")
    db = tmp_path / "s.duckdb"
    _accounts(db)
    jia = tmp_path / "甲镇.xlsx"
    jia.write_bytes(ledger_xlsx(JIA_BETTER))
    both = tmp_path / "两镇.xlsx"
    both.write_bytes(ledger_xlsx(GOOD_ROWS))
    assert main(["ingest", str(both), "--as", "jia", "--db", str(db), "--json"]) == 1
    [refused] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert refused["errors"][0]["code"] == "E_SCOPE" and refused["state"] is None
    assert main(["ingest", str(jia), "--as", "jia", "--db", str(db), "--json"]) == 0
    [line] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (line["ok"], line["state"], line["upload_id"]) == (True, "pending", "U00001")
    assert main(["ingest", str(jia), "--as", "nobody", "--db", str(db)]) == 2
    capsys.readouterr()
    assert main(["review", "list", "--db", str(db), "--json"]) == 0
    [waiting] = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert waiting["upload_id"] == "U00001" and waiting["status"] == "pending"
    assert [(p["branch"], p["change"]) for p in waiting["preview"]] == [("一村", "added"), ("二村", "added")]
    assert main(["review", "accept", "U00001", "--as", "bingxian", "--db", str(db)]) == 1
    assert "县区管理员" in capsys.readouterr().err
    assert main(["review", "accept", "U00001", "--as", "jiaxian", "--db", str(db)]) == 0
    assert "已通过 U00001" in capsys.readouterr().out
    assert main(["ingest", str(jia), "--as", "jia", "--db", str(db)]) == 0  # identical to the one in force
    assert "完全相同" in capsys.readouterr().out
    jia.write_bytes(ledger_xlsx(JIA_ONLY))
    assert main(["ingest", str(jia), "--as", "jia", "--db", str(db)]) == 0
    assert "【待审核】" in capsys.readouterr().out
    assert main(["review", "return", "U00002", "--as", "jiaxian", "--reason", "请补充任务台账", "--db", str(db)]) == 0
    assert "已退回 U00002" in capsys.readouterr().out
    assert main(["review", "list", "--db", str(db)]) == 0
    assert "没有待审核的报送" in capsys.readouterr().out
    assert main(["rollback", "U00001", "--as", "jia", "--reason", "想撤回本镇数据", "--db", str(db)]) == 1
    assert main(["rollback", "U00001", "--as", "jiaxian", "--reason", "核实后撤回", "--db", str(db)]) == 0
