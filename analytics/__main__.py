"""Command line: ``python -m analytics <command>``.

Thin: parses arguments and hands off to the same functions the pages call.

    ingest FILE... [--db PATH] [--period YYYY-MM|YYYY-Www] [--county NAME] [--uploader NAME] [--json]
    uploads [--db PATH] [--json]                 upload history
    rollback UPLOAD_ID [--db PATH] [--json]      withdraw an upload
    report --period 2024-W35|2024-08|2024Q3|2024H1|2024 [--db PATH] [--county C] [--township T] [--json] [--xlsx PATH]
    status --period 2024-08 [--db PATH] [--county C] [--today DATE] [--json]   submission status
    init-demo [--db PATH] [--samples DIR] [--force]   load sample_uploads/ into an empty store (demo data)
    clear-demo [--db PATH]                       delete the demo data
    make-samples [DIR]                           regenerate the sample ledgers
    users add|list|disable|reset-password …      accounts (shared/spec/access.md §5)
    review list|accept|return …                  review of township submissions
    audit [--since DATE] [--json]                the audit log
    backup [DIR] / restore FILE                  a checked copy of the store / put one back
    register import FILE… [--as LOGIN] | template [--prefilled] | list   the branch register and goals

Exit codes: 0 success, 1 refused input / failed command (also: store locked), 2 usage error.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import argparse

    from analytics.ingest._spawn import ZygoteProcess


def build_parser() -> argparse.ArgumentParser:
    import argparse  # here, not at the top: ``ingest`` starts its reader process before this import

    parser = argparse.ArgumentParser(prog="python -m analytics", description="五星看板 命令行工具")
    db_help = "DuckDB 文件路径（默认见设置 db_path）"
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="导入台账文件（全部通过才写入）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--db", help=db_help)
    p.add_argument("--period", help="报送月份 YYYY-MM，周报写 2024-W35（表格中没有期间时使用）")
    p.add_argument("--county", help="县（市、区）名称（表格中没有县区时使用）")
    p.add_argument("--uploader", help="上传人（记入上传历史）")
    p.add_argument("--as", dest="as_login", metavar="LOGIN",
                   help="以该账号的身份上传：只能上传其范围内的台账，乡镇账号的上传等待县区审核")
    p.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    p.set_defaults(handler="cmd_ingest")

    p = sub.add_parser("uploads", help="上传历史")
    p.add_argument("--db", help=db_help)
    p.add_argument("--json", action="store_true", help="每次上传输出一行 JSON")
    p.set_defaults(handler="cmd_uploads")

    p = sub.add_parser("rollback", help="回滚一次上传（恢复该乡镇该月的上一版本）")
    p.add_argument("upload_id", metavar="UPLOAD_ID")
    p.add_argument("--db", help=db_help)
    p.add_argument("--by", help="操作人")
    p.add_argument("--as", dest="as_login", metavar="LOGIN", help="以该账号的身份回滚（县区管理员或系统管理员，须写原因）")
    p.add_argument("--reason", help="回滚原因")
    p.add_argument("--json", action="store_true", help="输出一行 JSON")
    p.set_defaults(handler="cmd_rollback")

    p = sub.add_parser("report", help="指标报告（与页面同一套计算）")
    p.add_argument("--period", required=True,
                   help="周 2024-W35、月份 2024-08、季度 2024Q3、半年 2024H1 或年度 2024")
    p.add_argument("--db", help=db_help)
    p.add_argument("--county", help="只看这个县（市、区）")
    p.add_argument("--township", help="只看这个乡镇（街道）；多个县区有同名乡镇时须同时给出 --county")
    p.add_argument("--branch-type", choices=["村", "社区"], help="只看村或社区")
    p.add_argument("--json", action="store_true", help="输出一个 JSON 对象（月份/季度、范围、星级分布、乡镇与支部排名、红黑榜），而不是表格")
    p.add_argument("--xlsx", metavar="PATH", help="另存为格式化的 Excel 工作簿")
    p.set_defaults(handler="cmd_report")

    p = sub.add_parser("status", help="报送情况：哪些乡镇（街道）已报送、逾期、待审核、被退回或未报送")
    p.add_argument("--period", required=True, help="月份，如 2024-08")
    p.add_argument("--db", help=db_help)
    p.add_argument("--county", help="只看这个县（市、区）")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="按这一天统计是否逾期（默认今天）")
    p.add_argument("--json", action="store_true",
                   help="输出一个 JSON 对象：{period, due, townships: [{county, township, status, …}]}")
    p.set_defaults(handler="cmd_status")

    p = sub.add_parser("init-demo", help="数据库为空时载入示例（演示）数据")
    p.add_argument("--db", help=db_help)
    p.add_argument("--samples", metavar="DIR", help="示例台账文件夹（默认 sample_uploads/）")
    p.add_argument("--force", action="store_true", help="即使示例数据曾被清除或设置关闭，也在空库中载入")
    p.set_defaults(handler="cmd_init_demo")

    p = sub.add_parser("clear-demo", help="删除示例（演示）数据")
    p.add_argument("--db", help=db_help)
    p.set_defaults(handler="cmd_clear_demo")

    p = sub.add_parser("users", help="账号管理（添加、列出、停用、重置密码）")
    users = p.add_subparsers(dest="users_command", required=True)
    u = users.add_parser("add", help="添加账号，打印一次临时密码（首次登录须修改）")
    u.add_argument("login", metavar="LOGIN", help="登录名")
    u.add_argument("--role", required=True, choices=["admin", "county", "township", "viewer"],
                   help="角色：admin 系统管理员 / county 县区管理员 / township 乡镇（街道）填报员 / viewer 领导查看")
    u.add_argument("--county", help="所属县（市、区）（county、township 必填；viewer 可选）")
    u.add_argument("--township", help="所属乡镇（街道）（township 必填；viewer 可选）")
    u.add_argument("--name", help="显示名，如 张三（东镇）")
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取临时密码，而不是自动生成")
    u.add_argument("--db", help=db_help)
    u.set_defaults(handler="cmd_users_add")
    u = users.add_parser("list", help="列出全部账号")
    u.add_argument("--json", action="store_true", help="每个账号输出一行 JSON")
    u.add_argument("--db", help=db_help)
    u.set_defaults(handler="cmd_users_list")
    u = users.add_parser("disable", help="停用账号（不能再登录，记录保留）")
    u.add_argument("login", metavar="LOGIN", help="登录名")
    u.add_argument("--db", help=db_help)
    u.set_defaults(handler="cmd_users_disable")
    u = users.add_parser("reset-password", help="重置密码，打印一次临时密码（下次登录须修改）")
    u.add_argument("login", metavar="LOGIN", help="登录名")
    u.add_argument("--password-stdin", action="store_true", help="从标准输入读取临时密码，而不是自动生成")
    u.add_argument("--db", help=db_help)
    u.set_defaults(handler="cmd_users_reset_password")

    p = sub.add_parser("review", help="审核乡镇（街道）的报送（列出、通过、退回）")
    review = p.add_subparsers(dest="review_command", required=True)
    r = review.add_parser("list", help="列出待审核的报送")
    r.add_argument("--json", action="store_true", help="每份报送输出一行 JSON（含逐支部的变化预览）")
    r.add_argument("--db", help=db_help)
    r.set_defaults(handler="cmd_review_list")
    r = review.add_parser("accept", help="审核通过：该报送立即生效，替换该乡镇该月此前的版本")
    r.add_argument("upload_id", metavar="UPLOAD_ID")
    r.add_argument("--as", dest="as_login", metavar="LOGIN", required=True, help="审核人账号（县区管理员或系统管理员）")
    r.add_argument("--db", help=db_help)
    r.set_defaults(handler="cmd_review_accept")
    r = review.add_parser("return", help="退回报送，并写明原因（乡镇可以看到）")
    r.add_argument("upload_id", metavar="UPLOAD_ID")
    r.add_argument("--as", dest="as_login", metavar="LOGIN", required=True, help="审核人账号（县区管理员或系统管理员）")
    r.add_argument("--reason", required=True, help="退回原因（至少 4 个字）")
    r.add_argument("--db", help=db_help)
    r.set_defaults(handler="cmd_review_return")

    p = sub.add_parser("audit", help="操作记录（谁在何时做了什么）")
    p.add_argument("--since", help="只列出这一天及以后的记录，如 2024-08-01")
    p.add_argument("--json", action="store_true", help="每条记录输出一行 JSON")
    p.add_argument("--db", help=db_help)
    p.set_defaults(handler="cmd_audit")

    p = sub.add_parser("backup", help="备份整个数据库（看板运行时也可以）")
    p.add_argument("out_dir", nargs="?", metavar="DIR", help="备份文件夹（默认为数据库旁的 backups/）")
    p.add_argument("--db", help=db_help)
    p.set_defaults(handler="cmd_backup")

    p = sub.add_parser("restore", help="用备份文件恢复数据库（须先停止看板）")
    p.add_argument("backup_file", metavar="FILE", help="backup 生成的备份文件")
    p.add_argument("--db", help=db_help)
    p.set_defaults(handler="cmd_restore")

    p = sub.add_parser("register", help="支部名册与创建目标（导入、模板、名册外支部）")
    reg = p.add_subparsers(dest="register_command", required=True)
    r = reg.add_parser("import", help="导入支部名册 / 创建目标（替换该县区的整个名册）")
    r.add_argument("files", nargs="+", metavar="FILE")
    r.add_argument("--db", help=db_help)
    r.add_argument("--county", help="县（市、区）名称（表格中没有县区时使用）")
    r.add_argument("--uploader", help="上传人（记入上传历史）")
    r.add_argument("--as", dest="as_login", metavar="LOGIN", help="以该账号的身份导入（县区管理员或系统管理员）")
    r.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    r.set_defaults(handler="cmd_register_import")
    r = reg.add_parser("template", help="生成名册模板（含 支部名册、创建目标 两张表，类型和状态带下拉）")
    r.add_argument("--prefilled", action="store_true", help="预填数据库中已有的支部和目标")
    r.add_argument("--county", help="只预填该县（市、区）")
    r.add_argument("-o", "--output", help="输出文件（默认 支部名册模板.xlsx）")
    r.add_argument("--db", help=db_help)
    r.set_defaults(handler="cmd_register_template")
    r = reg.add_parser("list", help="列出台账中有、名册中没有的支部（待核对）")
    r.add_argument("--county", help="只看该县（市、区）")
    r.add_argument("--db", help=db_help)
    r.add_argument("--json", action="store_true", help="每个支部输出一行 JSON")
    r.set_defaults(handler="cmd_register_list")

    p = sub.add_parser("make-samples", help="重新生成 sample_uploads/ 示例台账")
    p.add_argument("out_dir", nargs="?", default="sample_uploads", help="输出文件夹（默认 sample_uploads/）")
    p.set_defaults(handler="cmd_make_samples")
    return parser


# The reader process started by ``_start_reader_first`` (python -m analytics ingest only),
# and (path, bytes, request) of the first file, whose request it has been sent already.
_EARLY_READER: ZygoteProcess | None = None
_EARLY_REQUEST: tuple[str, bytes, dict[str, Any]] | None = None

# How long the command line waits for its first file to reach the reader process
# before importing DuckDB & co. (copying a file of the largest allowed size takes well under this).
_SEND_WAIT_S = 2.0


def _start_reading(files: list[str]) -> None:
    """Begin reading the first file in the sandboxed reader (other core) before the heavy imports."""
    import os

    from analytics.ingest.read import adopt_reader, read_ahead, warm_up
    from analytics.settings import load_settings

    if _EARLY_READER is not None:
        adopt_reader(_EARLY_READER, _EARLY_REQUEST)
    warm_up()
    if files and os.path.isfile(files[0]):
        read_ahead(files[0], load_settings(), wait_sent_s=_SEND_WAIT_S)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    if args.command == "ingest":
        _start_reading(args.files)
    from analytics import cli  # after read-ahead started: DuckDB & co. import while the file is read
    from analytics.store import StoreError
    from analytics.terminal import SafeWriter

    # Names and file names come from ledgers: no control character of theirs reaches the terminal.
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout = SafeWriter(stdout, json=bool(getattr(args, "json", False)))  # type: ignore[assignment]
    sys.stderr = SafeWriter(stderr)  # type: ignore[assignment]
    try:
        return int(getattr(cli, args.handler)(args))
    except StoreError as exc:  # locked / unreadable store: a message, not a traceback
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。正在进行的导入没有提交，数据库保持原样。", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`… | head`): stop quietly, as other command-line
        # tools do. Whatever was being written was committed or not as the command decided before.
        import os

        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())  # the interpreter's final flush must not fail again
        return 141  # 128 + SIGPIPE
    finally:
        sys.stdout, sys.stderr = stdout, stderr


class _PandasAbsent:
    """Import finder that reports pandas as not installed (see ``_without_pandas``)."""

    @staticmethod
    def find_spec(name: str, path: object = None, target: object = None) -> None:
        if name == "pandas" or name.startswith("pandas."):
            raise ModuleNotFoundError("the ingest command does not use pandas", name=name)
        return None


def _without_pandas() -> None:
    """Keep pandas out of the ``ingest`` process.

    pyarrow imports pandas the first time it converts Python values (to check
    whether they are pandas objects), which adds ~30 MB to the process for
    nothing: the import path builds Arrow tables and DuckDB rows, never a
    DataFrame. Told that pandas is absent, pyarrow skips it (the same path as an
    installation without pandas). A future use of pandas in this command fails
    loudly with ModuleNotFoundError in the tests that run the command as a process
    (tests/ingest/test_early_reader.py). Installed by ``python -m analytics ingest``
    only, not by ``main()``: a program calling ``main`` (the tests do) keeps its pandas.
    """
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _PandasAbsent)  # type: ignore[arg-type]


def _start_reader_first(argv: list[str]) -> None:
    """Start the sandboxed reader process and send it the first file, before importing
    anything else (``ingest`` only).

    The reader is this process forked (``_spawn.fork_zygote``; a new interpreter, the
    fallback, needs ~25 ms more to start) by ``analytics/ingest/_spawn.py`` (standard
    library only) loaded by path, without the ``analytics.ingest`` package, whose
    import takes ~25 ms. While the reader imports fastexcel, the first file's request
    is written to its pipe; ``_start_reading`` hands both to ``analytics.ingest.read``.
    The reader then starts on the file ~30 ms after this process did, about when a
    plain script that only reads it with fastexcel would.
    """
    import importlib.util
    import os

    global _EARLY_READER, _EARLY_REQUEST
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ingest", "_spawn.py")
    spec = importlib.util.spec_from_file_location("_fivestar_spawn", path)
    if spec is None or spec.loader is None:
        return
    spawn = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(spawn)
    try:
        _EARLY_READER = spawn.fork_zygote()
    except OSError:
        try:
            _EARLY_READER = spawn.start_zygote()
        except OSError:
            _EARLY_READER = None  # analytics.ingest.read starts it (and reports trouble) the usual way
            return
    try:
        _EARLY_REQUEST = _send_first_file(spawn, _EARLY_READER, argv)
    except Exception:  # an optimisation only: read_ahead sends the file the usual way
        _EARLY_REQUEST = None


def _send_first_file(spawn: Any, proc: ZygoteProcess, argv: list[str]) -> tuple[str, bytes, dict[str, Any]] | None:
    """Write the request for the command's first file to the reader; (path, bytes, request).

    None when there is nothing to send early (usage error, no such file, empty or too
    large: ``analytics.ingest.read`` deals with those as usual).
    """
    import contextlib
    import io
    import os

    from analytics.settings import load_settings

    with contextlib.redirect_stderr(io.StringIO()):  # main() reports usage errors
        try:
            args = build_parser().parse_args(argv)
        except SystemExit:
            return None
    first = args.files[0]
    if not os.path.isfile(first):
        return None
    settings = load_settings()
    if not 0 < os.path.getsize(first) <= settings.max_upload_mb * 1024 * 1024:
        return None
    with open(first, "rb") as fh:
        data = fh.read()  # (changed meanwhile to empty or too large: read.py refuses it as usual)
    work_dir = spawn.new_work_dir()
    try:
        request: dict[str, Any] = spawn.write_request(
            data, os.path.basename(first), work_dir, memory_mb=settings.parse_memory_mb,
            timeout_s=settings.parse_timeout_s, max_expanded_mb=settings.max_expanded_mb,
            max_expansion_ratio=settings.max_expansion_ratio, max_columns=settings.max_columns_per_sheet,
        )
        spawn.send_request(proc, request)
    except BaseException:
        import shutil

        shutil.rmtree(work_dir, ignore_errors=True)
        raise
    return first, data, request


def _exit_now(code: int) -> None:
    """End ``python -m analytics ingest`` without the interpreter's teardown.

    Tearing down the modules an import loads (pyarrow, DuckDB, numpy, pandas) takes
    up to 0.1 s after all the work is done. Everything that matters is finished by
    then: the store is committed and closed, temporary files are removed, the reader
    process ends when its pipe closes. Output is flushed first; a failing flush (a
    closed pipe) falls back to the normal exit, which reports it.
    """
    import logging
    import os

    read = sys.modules.get("analytics.ingest.read")
    if read is not None:
        read.remove_work_dirs()  # of reads not finished, e.g. after a usage error
    elif _EARLY_REQUEST is not None:
        import shutil

        shutil.rmtree(_EARLY_REQUEST[2]["dir"], ignore_errors=True)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        sys.exit(code)
    logging.shutdown()
    os._exit(code)


if __name__ == "__main__":
    # Arrow's default pool (mimalloc) keeps memory it freed; for one run of the
    # command line the system allocator gives a much lower peak at the same speed.
    # Must be set before pyarrow is imported; an explicit setting is respected.
    import os

    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    if sys.argv[1:2] != ["ingest"]:
        sys.exit(main())
    _start_reader_first(sys.argv[1:])
    _without_pandas()  # this process only: main() may also run inside another program (the tests)
    _exit_now(main())
