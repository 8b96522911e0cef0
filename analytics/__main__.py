"""Command line: ``python -m analytics <command>``.

Thin: parses arguments and hands off to the same functions the pages call.

    ingest FILE... [--db PATH] [--period YYYY-MM] [--county NAME] [--uploader NAME] [--json]
    uploads [--db PATH] [--json]                 upload history
    rollback UPLOAD_ID [--db PATH] [--json]      withdraw an upload
    report --period 2024-08|2024Q3 [--db PATH] [--county C] [--township T] [--json] [--xlsx PATH]
    init-demo [--db PATH] [--samples DIR] [--force]   load sample_uploads/ into an empty store (demo data)
    clear-demo [--db PATH]                       delete the demo data
    make-samples [DIR]                           regenerate the sample ledgers

Exit codes: 0 success, 1 refused input / failed command (also: store locked), 2 usage error.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import argparse
    import subprocess


def build_parser() -> argparse.ArgumentParser:
    import argparse  # here, not at the top: ``ingest`` starts its reader process before this import

    parser = argparse.ArgumentParser(prog="python -m analytics", description="五星看板 命令行工具")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="导入台账文件（全部通过才写入）")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--db", help="DuckDB 文件路径（默认见设置 db_path）")
    p.add_argument("--period", help="报送月份 YYYY-MM（表格中没有月份时使用）")
    p.add_argument("--county", help="县（市、区）名称（表格中没有县区时使用）")
    p.add_argument("--uploader", help="上传人（记入上传历史）")
    p.add_argument("--json", action="store_true", help="每个文件输出一行 JSON")
    p.set_defaults(handler="cmd_ingest")

    p = sub.add_parser("uploads", help="上传历史")
    p.add_argument("--db")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="cmd_uploads")

    p = sub.add_parser("rollback", help="回滚一次上传（恢复该乡镇该月的上一版本）")
    p.add_argument("upload_id", metavar="UPLOAD_ID")
    p.add_argument("--db")
    p.add_argument("--by", help="操作人")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler="cmd_rollback")

    p = sub.add_parser("report", help="指标报告（与页面同一套计算）")
    p.add_argument("--period", required=True, help="月份 2024-08 或季度 2024Q3")
    p.add_argument("--db")
    p.add_argument("--county")
    p.add_argument("--township")
    p.add_argument("--branch-type", choices=["村", "社区"])
    p.add_argument("--json", action="store_true")
    p.add_argument("--xlsx", metavar="PATH", help="另存为格式化的 Excel 工作簿")
    p.set_defaults(handler="cmd_report")

    p = sub.add_parser("init-demo", help="数据库为空时载入示例（演示）数据")
    p.add_argument("--db")
    p.add_argument("--samples", metavar="DIR", help="示例台账文件夹（默认 sample_uploads/）")
    p.add_argument("--force", action="store_true", help="即使示例数据曾被清除或设置关闭，也在空库中载入")
    p.set_defaults(handler="cmd_init_demo")

    p = sub.add_parser("clear-demo", help="删除示例（演示）数据")
    p.add_argument("--db")
    p.set_defaults(handler="cmd_clear_demo")

    p = sub.add_parser("make-samples", help="重新生成 sample_uploads/ 示例台账")
    p.add_argument("out_dir", nargs="?", default="sample_uploads")
    p.set_defaults(handler="cmd_make_samples")
    return parser


# The reader process started by ``_start_reader_first`` (python -m analytics ingest only).
_EARLY_READER: subprocess.Popen[bytes] | None = None

# How long the command line waits for its first file to reach the reader process
# before importing DuckDB & co. (copying a file of the largest allowed size takes well under this).
_SEND_WAIT_S = 2.0


def _start_reading(files: list[str]) -> None:
    """Begin reading the first file in the sandboxed reader (other core) before the heavy imports."""
    import os

    from analytics.ingest.read import adopt_reader, read_ahead, warm_up
    from analytics.settings import load_settings

    if _EARLY_READER is not None:
        adopt_reader(_EARLY_READER)
    warm_up()
    if files and os.path.isfile(files[0]):
        read_ahead(files[0], load_settings(), wait_sent_s=_SEND_WAIT_S)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)  # exits 2 on usage errors
    if args.command == "ingest":
        _without_pandas()
        _start_reading(args.files)
    from analytics import cli  # after read-ahead started: DuckDB & co. import while the file is read
    from analytics.store import StoreError

    try:
        return int(getattr(cli, args.handler)(args))
    except StoreError as exc:  # locked / unreadable store: a message, not a traceback
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("已中断。正在进行的导入没有提交，数据库保持原样。", file=sys.stderr)
        return 130


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
    loudly with ModuleNotFoundError in the CLI tests.
    """
    if "pandas" not in sys.modules:
        sys.meta_path.insert(0, _PandasAbsent)  # type: ignore[arg-type]


def _start_reader_first() -> None:
    """Start the sandboxed reader process before importing anything else (``ingest`` only).

    It needs ~0.1 s to import its libraries, and importing ``analytics.ingest.read``
    takes ~0.06 s, so it is started by ``analytics/ingest/_spawn.py`` (standard library
    only) loaded by path, without the ``analytics.ingest`` package; ``_start_reading``
    hands the process to ``analytics.ingest.read``.
    """
    import importlib.util
    import os

    global _EARLY_READER
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ingest", "_spawn.py")
    spec = importlib.util.spec_from_file_location("_fivestar_spawn", path)
    if spec is None or spec.loader is None:
        return
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    try:
        _EARLY_READER = module.start_zygote()
    except OSError:
        _EARLY_READER = None  # analytics.ingest.read starts it (and reports trouble) the usual way


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
    _start_reader_first()
    _exit_now(main())
