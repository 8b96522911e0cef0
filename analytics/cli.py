"""Handlers of ``python -m analytics`` sub-commands (argument parsing is in __main__).

Each handler returns the exit code: 0 success, 1 refused input / failed command,
2 usage error. Store trouble (``StoreError``, e.g. the file is locked by another
process) is turned into a Chinese message on stderr and exit 1 by ``__main__``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from analytics import store
from analytics.ingest.model import ImportResult, Problem
from analytics.settings import Settings, load_settings

if TYPE_CHECKING:
    import pandas as pd

    from analytics.audit import Actor

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_PERIOD_RE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*$")


def _usage_error(message: str) -> int:
    print(f"用法错误：{message}", file=sys.stderr)
    return EXIT_USAGE


def normalize_period_arg(text: str) -> str | None:
    """'2024-08' / '2024-8' / '2024年8月' -> '2024-08'; a week (cadence.md §1: 2024-W35,
    2024年第35周, 2024年8月第4周, 2024年8月19日至25日) -> '2024-W35'; None when it is neither."""
    match = _PERIOD_RE.match(text)
    if not match:
        from analytics.periods import WEEK, Period

        try:
            period = Period.parse(text.strip())
        except ValueError:
            return None
        return period.label if period.kind == WEEK else None
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        return None
    return f"{year:04d}-{month:02d}"


def _cadence_period_arg(text: str) -> str | None:
    from analytics.ingest.cadence import period_arg

    return period_arg(text)


def _print(line: str = "", out: TextIO | None = None) -> None:
    print(line, file=out or sys.stdout, flush=True)


def _problem_lines(problems: list[Problem], total: int, limit: int, what: str) -> list[str]:
    lines = [f"    {p}" for p in problems[:limit]]
    if total > min(len(problems), limit):
        lines.append(f"    ……另有 {total - min(len(problems), limit)} 个{what}未列出")
    return lines


def describe_result(result: ImportResult, settings: Settings) -> list[str]:
    """A readable Chinese summary of one file's import, every problem on its own line."""
    limit = int(settings.max_listed_problems)
    lines: list[str] = []
    if not result.ok:
        total = max(result.errors_total, len(result.errors))
        lines.append(f"【拒收】{result.file}：共 {total} 个问题，未写入任何数据。请修改后重新上传：")
        lines += _problem_lines(result.errors, total, limit, "问题")
    elif result.duplicate_of:
        lines.append(f"【未变化】{result.file}：{result.notice}")
    else:
        tag = "【待审核】" if result.state == "pending" else "【已导入】"
        lines.append(f"{tag}{result.file}：{result.notice}")
    if result.warnings:
        lines.append(f"  警告 {len(result.warnings)} 条（不影响导入，请核对）：")
        lines += _problem_lines(result.warnings, len(result.warnings), limit, "警告")
    if result.skipped_sheets:
        lines.append(f"  已跳过的工作表（不是台账）：{'、'.join(result.skipped_sheets)}")
    return lines


# --- acting as an account (access.md §5) --------------------------------------


class _NoAccount(Exception):
    pass


def _actor(args: argparse.Namespace, settings: Settings) -> Actor:
    """The command line's own full rights, or ``--as LOGIN``'s (an active account)."""
    from analytics import accounts
    from analytics.audit import cli_actor

    login = getattr(args, "as_login", None)
    if not login:
        return cli_actor()
    with store.open_store(args.db, read_only=True, settings=settings) as con:
        account = accounts.get_account(con, login)
    if account is None or not account.active:
        raise _NoAccount(f"--as {login}：没有这个账号，或账号已停用。用 `python -m analytics users list` 查看。")
    return account.actor()


# --- ingest ------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace) -> int:
    from analytics.ingest import ingest_file
    from analytics.ingest.load import set_write_threads
    from analytics.ingest.read import read_ahead

    set_write_threads(1)  # a one-shot process: see analytics/ingest/load.py WRITE_THREADS

    period = None
    if args.period is not None:
        period = normalize_period_arg(args.period) or _cadence_period_arg(args.period)
        if period is None:
            return _usage_error(f"--period “{args.period}” 不是月份或周，应写成 YYYY-MM（例如 2024-08），"
                                "周报写成 2024-W35（考核评分也可写季度 2024Q3，验收结果写年度 2024）。")
    county = args.county.strip() if args.county and args.county.strip() else None
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        for f in missing:
            kind = "是文件夹，不是文件" if Path(f).is_dir() else "不存在"
            print(f"用法错误：{f} {kind}。", file=sys.stderr)
        return EXIT_USAGE
    settings = load_settings()
    try:
        actor = _actor(args, settings)
    except _NoAccount as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    results: list[ImportResult] = []
    for index, file in enumerate(args.files):
        read_ahead(file, settings)  # no-op when already started (python -m analytics starts the first)
        if index + 1 < len(args.files):
            read_ahead(args.files[index + 1], settings)  # read the next file while this one is loaded
        result = ingest_file(
            file, period=period, county=county, db=args.db, uploader=args.uploader, settings=settings, actor=actor
        )
        results.append(result)
        if args.json:
            _print(json.dumps(result.to_dict(), ensure_ascii=False))
        else:
            for line in describe_result(result, settings):
                _print(line)
    if not args.json and len(results) > 1:
        n_new = sum(1 for r in results if r.ok and not r.duplicate_of)
        n_same = sum(1 for r in results if r.duplicate_of)
        n_refused = sum(1 for r in results if not r.ok)
        _print(f"共 {len(results)} 个文件：已导入 {n_new}，未变化 {n_same}，拒收 {n_refused}。")
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


# --- uploads -----------------------------------------------------------------


def _fmt_scope(scope: list[tuple[str, str]]) -> str:
    from analytics.ingest import format_scope

    return format_scope(scope, max_townships=3)


def uploads_frame(records: list[store.UploadRecord]) -> pd.DataFrame:
    import pandas as pd

    rows = []
    for r in records:
        status = store.STATUS_LABELS.get(r.status, r.status)
        if r.status == "rolled_back" and r.rolled_back_at is not None:
            status += f"（{r.rolled_back_at:%m-%d %H:%M}）"
        rows.append({
            "编号": r.upload_id,
            "上传时间": f"{r.uploaded_at:%Y-%m-%d %H:%M}",
            "文件": r.file_name,
            "上传人": r.uploader or "—",
            "月份": r.period_label,
            "范围": "、".join(dict.fromkeys(c for c, _ in r.scope)) if r.is_register else _fmt_scope(r.scope),
            "支部": r.n_branches,
            "任务": r.n_tasks,
            "状态": status + ("·示例" if r.is_demo else ""),
            "警告": len(r.warnings),
        })
    return pd.DataFrame(rows, columns=["编号", "上传时间", "文件", "上传人", "月份", "范围", "支部", "任务", "状态", "警告"])


def cmd_uploads(args: argparse.Namespace) -> int:
    settings = load_settings()
    with store.open_store(args.db, read_only=True, settings=settings) as con:
        records = store.list_uploads(con)
    if args.json:
        for rec in records:
            _print(json.dumps(rec.to_dict(), ensure_ascii=False))
        return EXIT_OK
    if not records:
        _print("还没有任何上传。用 `python -m analytics ingest 文件.xlsx` 导入台账。")
        return EXIT_OK
    import pandas as pd

    with pd.option_context(
        "display.unicode.east_asian_width", True,
        "display.max_rows", None, "display.max_columns", None, "display.width", 1000,
        "display.max_colwidth", 60,
    ):
        _print(uploads_frame(records).to_string(index=False))
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec.status] = counts.get(rec.status, 0) + 1
    summary = "，".join(f"{store.STATUS_LABELS[k]} {v}" for k, v in counts.items())
    _print(f"共 {len(records)} 次上传：{summary}。")
    return EXIT_OK


# --- rollback ----------------------------------------------------------------


def cmd_rollback(args: argparse.Namespace) -> int:
    from analytics import access

    settings = load_settings()
    upload_id = args.upload_id.strip().upper()
    try:
        actor = _actor(args, settings)
    except _NoAccount as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    reason = getattr(args, "reason", None)
    with store.open_store(args.db, settings=settings) as con:
        target = store.get_upload(con, upload_id)
        try:
            access.require_rollback(actor, target.scope if target else [], reason)
        except access.AccessDenied as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return EXIT_FAILED
        rec = store.rollback(con, upload_id, by=getattr(args, "by", None), actor=actor, reason=reason)
        if rec.is_register:  # register.md: the previous register (and goals) of each county is current again
            from analytics import register

            counties = list(dict.fromkeys(c for c, _ in rec.scope))
            with_register = set(register.counties_with_register(con))
            if args.json:
                _print(json.dumps({**rec.to_dict(), "counties": counties}, ensure_ascii=False))
                return EXIT_OK
            _print(f"已回滚名册上传 {rec.upload_id}（{rec.file_name}）。原始文件和数据仍保留在历史中。")
            for county in counties:
                now = "恢复为此前的名册" if county in with_register else "现在没有名册（按没有名册的方式处理台账）"
                _print(f"  {county}：{now}。")
            return EXIT_OK
        now_current = [
            (county, township, store.current_upload_for(con, rec.period, county, township, rec.period_kind))
            for county, township in rec.scope
        ]
    if args.json:
        payload: dict[str, Any] = rec.to_dict()
        payload["now_current"] = [
            {"county": c, "township": t, "upload_id": u} for c, t, u in now_current
        ]
        _print(json.dumps(payload, ensure_ascii=False))
        return EXIT_OK
    _print(f"已回滚上传 {rec.upload_id}（{rec.file_name}，{rec.period_label}）。原始文件和数据仍保留在历史中。")
    for county, township, current in now_current:
        if current is None:
            _print(f"  {county} {township} {rec.period_label}：现在没有生效的数据（此前没有更早的版本）。")
        else:
            _print(f"  {county} {township} {rec.period_label}：现在生效的是 {current}。")
    return EXIT_OK


# --- demo data ---------------------------------------------------------------


def cmd_init_demo(args: argparse.Namespace) -> int:
    from analytics.ingest import load_demo

    settings = load_settings()
    outcome = load_demo(
        args.db, settings=settings, samples_dir=getattr(args, "samples", None), force=getattr(args, "force", False)
    )
    if outcome.skipped_reason is not None:
        _print(outcome.skipped_reason)
        return EXIT_OK
    loaded = [r for r in outcome.results if r.ok]
    for result in outcome.results:
        for line in describe_result(result, settings):
            _print(line)
    _print(f"已载入示例（演示）数据：{len(loaded)} 个文件。正式使用前可运行 `python -m analytics clear-demo` 删除。")
    if not outcome.ok:
        print(
            f"示例数据中有 {len(outcome.results) - len(loaded)} 个本应通过的文件被拒收，请检查 sample_uploads/。",
            file=sys.stderr,
        )
        return EXIT_FAILED
    return EXIT_OK


def cmd_clear_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    from analytics.audit import cli_actor

    with store.open_store(args.db, settings=settings) as con:
        n = store.clear_demo(con, actor=cli_actor())
    if n:
        _print(f"已删除 {n} 次示例（演示）上传及其数据和原始文件。之后不会再自动载入示例数据。")
    else:
        _print("数据库中没有示例（演示）数据，无需删除。之后不会再自动载入示例数据。")
    return EXIT_OK


# --- accounts, audit, backup (shared/spec/access.md §5) ------------------------


def _read_password_stdin() -> str:
    """One line from standard input (``--password-stdin``), without its line break."""
    return sys.stdin.readline().rstrip("\r\n")


def cmd_users_add(args: argparse.Namespace) -> int:
    from analytics import accounts, audit

    settings = load_settings()
    password = _read_password_stdin() if args.password_stdin else None
    try:
        with store.open_store(args.db, settings=settings) as con:
            account, temp = accounts.add_account(
                con, args.login, role=args.role, county=args.county, township=args.township, name=args.name,
                password=password, by=audit.cli_actor(),
            )
    except accounts.AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    _print(f"已添加账号 {account.login}（{account.name}，{account.role_label}，{account.unit_label}）。")
    if password is None:
        _print(f"临时密码：{temp}")
        _print("请把临时密码当面或电话告知本人；首次登录时须设置新密码。此密码不会再次显示。")
    return EXIT_OK


def cmd_users_list(args: argparse.Namespace) -> int:
    from analytics import accounts

    settings = load_settings()
    with store.open_store(args.db, read_only=True, settings=settings) as con:
        items = accounts.list_accounts(con)
    if args.json:
        for account in items:
            _print(json.dumps(account.to_dict(), ensure_ascii=False))
        return EXIT_OK
    if not items:
        _print("还没有账号。用 `python -m analytics users add 登录名 --role admin` 创建第一个系统管理员。")
        return EXIT_OK
    for a in items:
        demo = "·示例" if a.is_demo else ""
        _print(f"{a.login}\t{a.name}\t{a.role_label}\t{a.unit_label}\t{a.state_label}{demo}")
    _print(f"共 {len(items)} 个账号。")
    return EXIT_OK


def cmd_users_disable(args: argparse.Namespace) -> int:
    from analytics import accounts, audit

    settings = load_settings()
    try:
        with store.open_store(args.db, settings=settings) as con:
            account = accounts.disable_account(con, args.login, by=audit.cli_actor())
    except accounts.AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    _print(f"已停用账号 {account.login}（{account.name}）。其操作记录保留。")
    return EXIT_OK


def cmd_users_reset_password(args: argparse.Namespace) -> int:
    from analytics import accounts, audit

    settings = load_settings()
    password = _read_password_stdin() if args.password_stdin else None
    try:
        with store.open_store(args.db, settings=settings) as con:
            temp = accounts.reset_password(con, args.login, by=audit.cli_actor(), password=password)
    except accounts.AccountError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    _print(f"已重置账号 {args.login} 的密码；下次登录时须设置新密码。")
    if password is None:
        _print(f"临时密码：{temp}")
    return EXIT_OK


def _review_payload(rec: store.UploadRecord, preview: pd.DataFrame | None = None) -> dict[str, Any]:
    payload = rec.to_dict()
    if preview is not None:
        payload["preview"] = [
            {k: (None if v is None or v != v else v) for k, v in row.items()}  # NaN -> null
            for row in preview.astype(object).to_dict("records")
        ]
    return payload


def cmd_review_list(args: argparse.Namespace) -> int:
    from analytics import review

    settings = load_settings()
    with store.open_store(args.db, read_only=True, settings=settings) as con:
        waiting = review.pending(con)
        previews = {r.upload_id: review.preview(con, r.upload_id) for r in waiting} if args.json else {}
    if args.json:
        for rec in waiting:
            _print(json.dumps(_review_payload(rec, previews[rec.upload_id]), ensure_ascii=False, default=str))
        return EXIT_OK
    if not waiting:
        _print("没有待审核的报送。")
        return EXIT_OK
    for r in waiting:
        _print(f"{r.upload_id}\t{r.uploaded_at:%Y-%m-%d %H:%M}\t{r.submitted_by or r.uploader or '—'}\t"
               f"{r.period_label}\t{_fmt_scope(r.scope)}\t{r.file_name}\t支部 {r.n_branches}")
    _print(f"共 {len(waiting)} 份待审核。通过：review accept 编号 --as 账号；退回：review return 编号 --as 账号 --reason 原因。")
    return EXIT_OK


def _review_action(args: argparse.Namespace, accept: bool) -> int:
    from analytics import access, review

    settings = load_settings()
    try:
        actor = _actor(args, settings)
    except _NoAccount as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        with store.open_store(args.db, settings=settings) as con:
            if accept:
                done = review.accept(con, args.upload_id, actor=actor)
                _print(f"已通过 {done.record.upload_id}（{done.record.file_name}，{done.record.period_label}），现已生效。")
                if done.replaced:
                    _print(f"  替换了此前的版本 {'、'.join(done.replaced)}（可回滚恢复）。")
                for other in done.auto_returned:
                    _print(f"  同一乡镇同一月份的另一份待审核报送 {other} 已自动退回（{review.SUPERSEDED_REASON}）。")
            else:
                rec = review.return_upload(con, args.upload_id, actor=actor, reason=args.reason)
                _print(f"已退回 {rec.upload_id}（{rec.file_name}），原因：{rec.review_reason}")
    except access.AccessDenied as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


def cmd_review_accept(args: argparse.Namespace) -> int:
    return _review_action(args, accept=True)


def cmd_review_return(args: argparse.Namespace) -> int:
    return _review_action(args, accept=False)


def cmd_audit(args: argparse.Namespace) -> int:
    from datetime import date

    from analytics import audit

    since = None
    if args.since:
        try:
            since = date.fromisoformat(args.since.strip())
        except ValueError:
            return _usage_error(f"--since “{args.since}” 不是日期，应写成 YYYY-MM-DD，例如 2024-08-01。")
    settings = load_settings()
    with store.open_store(args.db, read_only=True, settings=settings) as con:
        events = audit.list_events(con, since=since)
    if args.json:
        for row in events.to_dict("records"):
            row["at"] = row["at"].isoformat(sep=" ", timespec="seconds")
            row["details"] = json.loads(row["details"]) if row["details"] else {}
            row = {k: (None if v is None or (isinstance(v, float) and v != v) else v) for k, v in row.items()}
            _print(json.dumps(row, ensure_ascii=False, default=str))
        return EXIT_OK
    if events.empty:
        _print("没有操作记录。")
        return EXIT_OK
    for r in events.itertuples(index=False):
        unit = " ".join(str(x) for x in (r.county, r.township, r.period) if isinstance(x, str) and x)
        obj = r.object if isinstance(r.object, str) else ""
        _print(f"{r.at:%Y-%m-%d %H:%M:%S}\t{r.account}\t{r.action_label}\t{obj}\t{unit}")
    _print(f"共 {len(events)} 条记录。")
    return EXIT_OK


def cmd_backup(args: argparse.Namespace) -> int:
    from analytics.backup import backup

    result = backup(args.db, args.out_dir, settings=load_settings())
    _print(f"已备份到 {result.path}（{len(result.tables)} 张表，上传 {result.tables.get('uploads', 0)} 次，已核对行数一致）。")
    if result.removed:
        _print(f"已删除较早的备份 {len(result.removed)} 份（设置 backup_keep）。")
    return EXIT_OK


def cmd_restore(args: argparse.Namespace) -> int:
    from analytics.backup import restore

    counts = restore(args.db, args.backup_file, settings=load_settings())
    _print(f"已从 {args.backup_file} 恢复数据库（上传 {counts.get('uploads', 0)} 次，已核对）。")
    return EXIT_OK


# --- submission status (register.md §3) -----------------------------------------


def cmd_status(args: argparse.Namespace) -> int:
    """``python -m analytics status --period 2024-08 [--county C] [--json]``: who submitted the
    month's ledger, who is late, who still owes one. 0 ok, 1 store problem, 2 bad arguments."""
    from datetime import date

    from analytics import submissions
    from analytics.periods import Period
    from analytics.report import format_table
    from analytics.scope import Scope

    try:
        period = Period.parse(args.period)
        today = date.fromisoformat(args.today) if args.today else date.today()
    except ValueError as exc:
        return _usage_error(str(exc))
    settings = load_settings()
    try:
        due = submissions.due_date(period, settings)
    except submissions.PeriodNotMonthError as exc:
        return _usage_error(str(exc))
    path = store.resolve_db_path(args.db, settings)
    if not path.exists():
        print(f"错误：数据库文件 {path} 不存在。请用 --db 指定，或先用 `python -m analytics ingest` 导入台账。",
              file=sys.stderr)
        return EXIT_FAILED
    scope = Scope(county=args.county or None)
    with store.open_store(path, read_only=True, settings=settings) as con:
        frame = submissions.status(con, period, scope, settings, today)
    if args.json:
        _print(json.dumps(submissions.to_json(frame, period, due), ensure_ascii=False, indent=2))
        return EXIT_OK
    counts = submissions.status_counts(frame)
    table = submissions.status_table(frame)
    columns: list[tuple[str, str, Callable[[Any], str], str]] = [(str(c), str(c), _cell, "text")
                                                                 for c in table.columns]
    _print(f"{period.display}台账报送情况 — 范围：{scope.label} — 报送截止 {due:%Y-%m-%d}（按 {today:%Y-%m-%d} 统计）")
    _print("，".join(f"{k} {v}" for k, v in counts.items()) + f"；共 {len(frame)} 个乡镇（街道）。")
    _print()
    _print(format_table(table, columns))
    reminder = submissions.reminder_text(frame, period, due, scope, today)
    if reminder:
        _print()
        _print("可复制的提醒：")
        _print(reminder)
    return EXIT_OK


def _cell(value: Any) -> str:
    import pandas as pd

    return "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


# --- delegated ---------------------------------------------------------------


def cmd_report(args: argparse.Namespace) -> int:
    from analytics.report import run_report

    return run_report(args)


def cmd_make_samples(args: argparse.Namespace) -> int:
    from analytics.sample_data import write_samples

    write_samples(args.out_dir)
    return 0


__all__ = [
    "cmd_audit",
    "cmd_backup",
    "cmd_clear_demo",
    "cmd_ingest",
    "cmd_init_demo",
    "cmd_make_samples",
    "cmd_report",
    "cmd_restore",
    "cmd_review_accept",
    "cmd_review_list",
    "cmd_review_return",
    "cmd_rollback",
    "cmd_status",
    "cmd_uploads",
    "cmd_users_add",
    "cmd_users_disable",
    "cmd_users_list",
    "cmd_users_reset_password",
    "describe_result",
    "normalize_period_arg",
    "uploads_frame",
]


# --- the branch register and declared goals (shared/spec/register.md §1–§2) ---------


def cmd_register_import(args: argparse.Namespace) -> int:
    from analytics import register

    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        for f in missing:
            print(f"用法错误：{f} {'是文件夹，不是文件' if Path(f).is_dir() else '不存在'}。", file=sys.stderr)
        return EXIT_USAGE
    county = args.county.strip() if args.county and args.county.strip() else None
    settings = load_settings()
    try:
        actor = _actor(args, settings)
    except _NoAccount as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE
    results = []
    for file in args.files:
        result = register.import_file(file, county=county, db=args.db, uploader=args.uploader, settings=settings,
                                      actor=actor)
        results.append(result)
        if args.json:
            _print(json.dumps(register.describe(result), ensure_ascii=False))
        else:
            for line in describe_result(result, settings):
                _print(line.replace("【已导入】", "【名册已导入】"))
    return EXIT_OK if all(r.ok for r in results) else EXIT_FAILED


def cmd_register_template(args: argparse.Namespace) -> int:
    from analytics import register
    from analytics.register_template import build_register_template, register_template_file_name

    county = args.county.strip() if args.county and args.county.strip() else None
    branches: list[dict[Any, Any]] = []
    goals: list[dict[Any, Any]] = []
    if args.prefilled:
        settings = load_settings()
        with store.open_store(args.db, read_only=True, settings=settings) as con:
            branches = register.known_branches(con, county).to_dict("records")
            goals = register.goal_rows(con, county).to_dict("records")
        if not branches:
            print("数据库中还没有任何支部（没有上传过台账或名册），无法预填；可先用空白模板：去掉 --prefilled。",
                  file=sys.stderr)
            return EXIT_FAILED
    out = Path(args.output or register_template_file_name(county, prefilled=args.prefilled))
    out.write_bytes(build_register_template(branches=branches, goals=goals, county=county))
    what = f"预填了 {len(branches)} 个支部" if args.prefilled else "空白"
    _print(f"已生成名册模板（{what}）：{out}")
    return EXIT_OK


def cmd_register_list(args: argparse.Namespace) -> int:
    from analytics import register

    county = args.county.strip() if args.county and args.county.strip() else None
    settings = load_settings()
    with store.open_store(args.db, read_only=True, settings=settings) as con:
        df = register.unregistered_branches(con, county)
        with_register = register.counties_with_register(con)
    if args.json:
        for row in df.to_dict("records"):
            _print(json.dumps({k: (None if v is None or v != v else v) for k, v in row.items()}, ensure_ascii=False,
                              default=str))
        return EXIT_OK
    if not with_register:
        _print("还没有任何县（市、区）导入支部名册。用 `python -m analytics register import 名册.xlsx` 导入。")
        return EXIT_OK
    if df.empty:
        _print(f"已导入名册的县（市、区）：{'、'.join(with_register)}。台账中的支部都在名册中，无需核对。")
        return EXIT_OK
    import pandas as pd

    table = df.rename(columns={"county": "县（市、区）", "township": "乡镇（街道）", "branch": "村（社区）",
                               "branch_type": "类型", "last_period": "最近月份", "months": "月数", "reason": "情况"})
    with pd.option_context("display.unicode.east_asian_width", True, "display.max_rows", None,
                           "display.width", 1000):
        _print(table.to_string(index=False))
    _print(f"共 {len(df)} 个支部在台账中但不在名册中（或名册中已撤并）：请补入名册，或改正台账中的名称。")
    return EXIT_OK
