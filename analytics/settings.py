"""Every setting, declared once with its default and help text.

Values come from, in increasing priority: the defaults below, the settings file
(``fivestar.toml`` in the working directory, or the file named by the
environment variable ``FIVESTAR_SETTINGS``), and environment variables
``FIVESTAR_<NAME>`` (upper case). ``tests/test_docs.py`` checks that every
setting here is documented in README.md.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SETTINGS_FILE_ENV = "FIVESTAR_SETTINGS"
DEFAULT_SETTINGS_FILE = "fivestar.toml"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    # --- store and import -------------------------------------------------
    Setting("db_path", "data/fivestar.duckdb", "DuckDB 数据文件路径（命令行 --db 优先）。"),
    Setting("max_upload_mb", 50, "单个上传文件的大小上限（MB），超过则拒收（E_FILE）。"),
    Setting(
        "max_expanded_mb", 500,
        "工作簿解压后内容的上限（MB），防止压缩炸弹；实际上限为 max(本值, max_expansion_ratio × 文件大小)。",
    ),
    Setting(
        "max_expansion_ratio", 20,
        "工作簿解压后与压缩文件大小之比的上限（真实台账约 3–12 倍）；大文件的解压上限按此比例放宽，"
        "使不超过 max_upload_mb 的真实台账都能读取，而压缩炸弹（数百倍以上）仍被拒收。",
    ),
    Setting("max_columns_per_sheet", 200, "每张工作表含数据的列数上限（台账只有几十列）；超过则拒收（E_FILE），不予读取。"),
    Setting("max_branches_per_upload", 60_000, "一次上传的星级台账支部行数上限（一个地市约 5,000 个）；超过则拒收（E_FILE）。"),
    Setting("max_task_rows_per_upload", 1_800_000, "一次上传的明细行数上限（任务台账（作战图）、问题清单、软弱涣散整顿表合计）；超过则拒收（E_FILE）。"),
    Setting(
        "max_stored_warnings", 1000,
        "每次上传保存和显示的警告条数上限；其余只计数，以一条 W_MORE_WARNINGS 汇总。",
    ),
    Setting("parse_memory_mb", 2048, "解析子进程的内存上限（MB）；超出即按损坏文件拒收。"),
    Setting("parse_timeout_s", 120, "解析单个文件的时间上限（秒）；超时即拒收。"),
    Setting("lock_timeout_s", 15, "数据库被其他程序占用时，等待的最长时间（秒）。"),
    Setting(
        "allow_future_periods", False,
        "是否接收报送月份晚于本月的台账；默认拒收（E_PERIOD），以免一个填错的未来月份成为默认月份、遮住真实数据。",
    ),
    Setting("max_listed_problems", 200, "拒收报告中逐条列出的问题数上限，其余只计数。"),
    Setting("load_sample_when_empty", True, "数据库为空时，启动应用是否自动载入示例（演示）数据。"),
    Setting("max_staged_files", 30, "上传页一次最多检查并暂存多少个文件（每个会话）；多出的请导入后再分批上传。"),
    Setting("max_staged_mb", 300, "上传页暂存待导入文件的总大小上限（MB，每个会话）；导入或移除文件后即释放。"),
    # --- accounts and sign-in (shared/spec/access.md) ------------------------
    Setting("login_max_failures", 5, "同一登录名在 login_lock_minutes 分钟内连续登录失败多少次后锁定。"),
    Setting("login_lock_minutes", 15, "登录失败计数的时间窗口，也是锁定时长（分钟）。"),
    Setting("session_idle_minutes", 30, "看板登录后多少分钟无操作即自动退出，须重新登录。"),
    Setting("server_address", "127.0.0.1",
            "make run 监听的地址：默认只允许本机访问；设为 0.0.0.0 可供局域网访问（此时务必为每个人建立账号）。"),
    Setting("review_required", True, "乡镇（街道）账号的上传是否须经县区审核通过后才计入统计；关闭后所有上传立即生效。"),
    Setting("backup_keep", 14, "命令 backup 在备份文件夹中保留的最近备份份数（更早的自动删除；0 = 全部保留）。"),
    # --- metrics (shared/spec/metrics.md) -----------------------------------
    Setting("score_weight_stars", 60.0, "综合得分中星级部分的权重：weight × stars / 5。"),
    Setting("score_weight_tasks", 40.0, "综合得分中任务完成率部分的权重：weight × task_rate。"),
    Setting(
        "score_weight_assessment", 0.0,
        "综合得分中考核评分（量化考核、观摩评分）部分的权重：weight × 考核总分 / assessment_max；"
        "大于 0 时，没有考核评分的支部这一部分计 0 分并标注“未评分”。",
    ),
    Setting("assessment_max", 100.0, "考核评分的满分（考核总分除以它得到 0–1 的得分率）。"),
    Setting(
        "red_flag_periods", ["week", "month", "quarter"],
        "R1 红旗在哪些期间评定（week 周、month 月、quarter 季度、half 半年、year 年）；按周评定时称“周红星”。",
    ),
    Setting(
        "black_flag_periods", ["quarter"],
        "B1 黑旗在哪些期间评定；默认只在季度评定（按月份查看时没有黑旗）。",
    ),
    Setting(
        "list_rule_periods", ["month", "quarter"],
        "其余红黑榜规则（R2 前十、R3 晋星、R4 达标、B2 降星、B3 逾期、B4 未报送、B5 停滞）在哪些期间评定。",
    ),
    Setting("red_top_n", 10, "R2 前十：范围内排名前 N 名（含并列）的支部进入红榜。"),
    Setting("red_flag_min_branches", 2, "R1 红旗：乡镇（街道）至少有多少个支部才评红旗。"),
    Setting("black_flag_min_branches", 3, "B1 黑旗：乡镇（街道）至少有多少个支部才评黑旗。"),
    Setting("overdue_threshold", 3, "B3 逾期：逾期任务达到多少项进入黑榜。"),
    Setting("stagnation_months", 3, "B5 停滞：连续多少个自然月星级与已完成任务数不变（含本月）。"),
    Setting(
        "district_goals",
        {},
        "已停用，请改用创建目标表（见 README“创建目标”）。仍设置时，仅在没有任何创建目标表时作为全域目标"
        "（如 {\"5\": 2, \"4\": 7, \"3\": 5}：五星 2 个、四星 7 个、三星 5 个，按恰好该星级计），只在“全部”范围显示。",
    ),
    # --- reporting calendar (shared/spec/register.md §3) ----------------------
    Setting("monthly_due_day", 5, "月度台账的报送截止日：次月几日（默认 5：8 月的台账 9 月 5 日前报送）；次月没有这一天时取月末。"),
    Setting("weekly_due_weekday", 1, "周报的报送截止日：该周之后的星期几（1 = 星期一 … 7 = 星期日；默认 1：下周一）。"),
)

_BY_NAME = {s.name: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    values: dict[str, Any] = field(default_factory=dict)

    def __getattr__(self, name: str) -> Any:
        if name in _BY_NAME:
            return self.values.get(name, _BY_NAME[name].default)
        raise AttributeError(name)

    def replace(self, **changes: Any) -> Settings:
        unknown = set(changes) - set(_BY_NAME)
        if unknown:
            raise KeyError(f"未知设置项：{', '.join(sorted(unknown))}")
        return Settings({**self.values, **changes})


def _coerce(setting: Setting, raw: Any) -> Any:
    default = setting.default
    if isinstance(raw, str) and not isinstance(default, str):
        if isinstance(default, bool):
            return raw.strip().lower() in {"1", "true", "yes", "on", "是"}
        if isinstance(default, int):
            return int(raw)
        if isinstance(default, float):
            return float(raw)
        if isinstance(default, dict):
            return json.loads(raw)
        if isinstance(default, list):  # '["week", "month"]' or 'week,month'
            text = raw.strip()
            return json.loads(text) if text.startswith("[") else [p.strip() for p in text.split(",") if p.strip()]
    if isinstance(default, float) and isinstance(raw, int):
        return float(raw)
    return raw


def load_settings(path: str | os.PathLike[str] | None = None, env: dict[str, str] | None = None) -> Settings:
    """Defaults <- settings file <- FIVESTAR_* environment variables."""
    env = dict(os.environ) if env is None else env
    values: dict[str, Any] = {}
    file = Path(path or env.get(SETTINGS_FILE_ENV) or DEFAULT_SETTINGS_FILE)
    if file.is_file():
        import tomllib  # only with a settings file (~6 ms: the command line reads settings before its reader starts)

        with file.open("rb") as fh:
            data = tomllib.load(fh)
        for key, raw in data.items():
            if key not in _BY_NAME:
                raise KeyError(f"设置文件 {file} 中有未知设置项：{key}")
            values[key] = _coerce(_BY_NAME[key], raw)
    for setting in SETTINGS:
        raw_env = env.get(f"FIVESTAR_{setting.name.upper()}")
        if raw_env is not None:
            values[setting.name] = _coerce(setting, raw_env)
    return Settings(values)
