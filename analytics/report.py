"""The report: JSON (metrics.md "Report command"), Chinese text tables, Excel workbook.

Built from the same functions the pages call (rankings, flags, metrics).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
from collections.abc import Callable, Sequence
from typing import IO, Any

import duckdb
import pandas as pd

from analytics.flags import black_list, red_list
from analytics.metrics import level_distribution, score_formula
from analytics.periods import Period, available_months
from analytics.problems import unit_problem_weak_counts
from analytics.rankings import branch_ranking, county_ranking, township_ranking
from analytics.scope import Scope, scope_options
from analytics.settings import Settings, load_settings
from analytics.store import StoreError, open_store, resolve_db_path

BRANCH_KEYS = ["county", "township", "branch", "stars", "task_rate", "score", "rank", "rank_change"]
TOWNSHIP_KEYS = [
    "township", "county", "score", "rank", "rank_change", "prev_rank", "branches",
    "five", "four", "three", "attained", "with_target", "attainment_rate", "task_rate",
]
LIST_KEYS = ["county", "township", "branch", "reasons"]
# battle-map.md §5: per unit, weak branches and problems (see analytics.problems).
UNIT_COUNT_KEYS = [
    "branches", "weak", "weak_prev", "weak_cleared", "open_problems", "overdue_problems",
    "tasks_done", "tasks_accepted", "tasks_total",
]

# Rows of the current period in scope (to tell "no data" apart from an empty list).
COUNT_ROWS_SQL = """
SELECT count(*)
FROM v_branch_month
WHERE period BETWEEN $start AND $end
  AND ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
  AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
  AND ($branch_type::VARCHAR IS NULL OR branch_type = $branch_type::VARCHAR)
"""


def _plain(value: Any) -> Any:
    """A DataFrame cell as a JSON-ready Python value (NaN/NA -> None)."""
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    return value


def _column(series: pd.Series) -> list[Any]:
    """A column as JSON-ready Python values, converted a column at a time: ``tolist``
    already yields Python scalars for numeric, boolean and string columns; missing
    values become None. Object columns (lists, mixed values) go through ``_plain``."""
    if series.dtype == object:
        return [_plain(value) for value in series.tolist()]
    missing = series.isna().to_numpy(dtype=bool)
    return [None if gap else value for value, gap in zip(series.tolist(), missing, strict=True)]


def _records(df: pd.DataFrame, keys: Sequence[str]) -> list[dict[str, Any]]:
    columns = [_column(df[key]) for key in keys]
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]


def count_rows(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> int:
    row = con.execute(COUNT_ROWS_SQL, {"start": period.start, "end": period.end, **scope.params()}).fetchone()
    return int(row[0]) if row else 0


def build_report(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    """The ``--json`` object: period, scope, distribution, rankings, red and black lists,
    weak branches and problems per unit."""
    dist = level_distribution(con, period, scope, settings=settings)
    return {
        "period": period.label,
        "scope": scope.to_dict(),
        "distribution": {str(label): int(n) for label, n in zip(dist["level_label"], dist["count"], strict=True)},
        "township_ranking": _records(township_ranking(con, period, scope, settings), TOWNSHIP_KEYS),
        "branch_ranking": _records(branch_ranking(con, period, scope, settings), _branch_keys(settings)),
        "red_list": _records(red_list(con, period, scope, settings), LIST_KEYS),
        "black_list": _records(black_list(con, period, scope, settings), LIST_KEYS),
        "weak_and_problems": _unit_counts(con, period, scope, settings),
    }


def _unit_counts(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    """{"total": {...}, "counties": [{county, ...}], "townships": [{county, township, ...}]}."""
    df = unit_problem_weak_counts(con, period, scope, settings)
    total = _records(df[df["level"] == "total"], UNIT_COUNT_KEYS)
    return {
        "total": total[0] if total else dict.fromkeys(UNIT_COUNT_KEYS, 0),
        "counties": _records(df[df["level"] == "county"], ["county", *UNIT_COUNT_KEYS]),
        "townships": _records(df[df["level"] == "township"], ["county", "township", *UNIT_COUNT_KEYS]),
    }


# --- presentation helpers ------------------------------------------------------------


def _score(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else f"{value:.1f}"


def _rate(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else f"{value * 100:.1f}%"


def _int(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else str(int(value))


def _change(value: Any) -> str:
    """rank_change as ↑2 / ↓1 / 持平 / 新 (absent before)."""
    value = _plain(value)
    if value is None:
        return "新"
    if value > 0:
        return f"↑{int(value)}"
    if value < 0:
        return f"↓{-int(value)}"
    return "持平"


def _text(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else str(value)


def _stars(value: Any) -> str:
    value = _plain(value)
    return "" if value is None else ["无星", "一星", "二星", "三星", "四星", "五星"][int(value)]


# A column of a presented table: header, source column, formatter, Excel kind.
Column = tuple[str, str, Callable[[Any], str], str]

COUNTY_TABLE: list[Column] = [
    ("排名", "rank", _int, "int"), ("升降", "rank_change", _change, "text"), ("县（市、区）", "county", _text, "text"),
    ("支部数", "branches", _int, "int"), ("综合得分", "score", _score, "score"), ("五星", "five", _int, "int"),
    ("四星", "four", _int, "int"), ("三星", "three", _int, "int"), ("达标率", "attainment_rate", _rate, "rate"),
    ("任务完成率", "task_rate", _rate, "rate"),
]
TOWNSHIP_TABLE: list[Column] = [
    *COUNTY_TABLE[:3], ("乡镇（街道）", "township", _text, "text"), *COUNTY_TABLE[3:],
]
BRANCH_TABLE: list[Column] = [
    ("排名", "rank", _int, "int"), ("升降", "rank_change", _change, "text"), ("县（市、区）", "county", _text, "text"),
    ("乡镇（街道）", "township", _text, "text"), ("村（社区）", "branch", _text, "text"),
    ("类型", "branch_type", _text, "text"), ("星级", "stars", _stars, "text"),
    ("创建目标", "target_stars", _stars, "text"), ("任务完成率", "task_rate", _rate, "rate"),
    ("综合得分", "score", _score, "score"),
]
# cadence.md §3: with an assessment weight > 0 the branch ranking also shows each branch's assessment
# score, or 未评分 (no score for the period: counted 0).
ASSESSMENT_COLUMN: Column = ("考核评分", "assessment_shown", _text, "text")


def _assessed(settings: Settings) -> bool:
    return float(settings.score_weight_assessment) > 0


def _branch_keys(settings: Settings) -> list[str]:
    return [*BRANCH_KEYS, "assessment", "unscored"] if _assessed(settings) else BRANCH_KEYS


def _branch_table(settings: Settings) -> list[Column]:
    return [*BRANCH_TABLE, ASSESSMENT_COLUMN] if _assessed(settings) else BRANCH_TABLE


def _branches(df: pd.DataFrame) -> pd.DataFrame:
    """The branch ranking with ``assessment_shown``: the score with one decimal, or 未评分."""
    shown = [("未评分" if bool(u) else _score(a)) for a, u in zip(df["assessment"], df["unscored"].fillna(False),
                                                                  strict=True)]
    return df.assign(assessment_shown=shown)


LIST_TABLE: list[Column] = [
    ("县（市、区）", "county", _text, "text"), ("乡镇（街道）", "township", _text, "text"),
    ("村（社区）", "branch", lambda v: _text(v) or "（全乡镇（街道））", "text"),
    ("类别", "reasons", lambda v: "、".join(v), "text"), ("理由", "reason_text", _text, "text"),
    ("排名", "rank", _int, "int"), ("星级", "stars", _stars, "text"), ("综合得分", "score", _score, "score"),
]


def _width(text: str) -> int:
    """Display width: East Asian wide/full-width characters count 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_table(df: pd.DataFrame, columns: list[Column]) -> str:
    cells = [[fmt(v) for v in df[src]] for _, src, fmt, _ in columns]
    headers = [h for h, _, _, _ in columns]
    widths = [max([_width(h), *(_width(c) for c in col)]) for h, col in zip(headers, cells, strict=True)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(headers, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for i in range(len(df)):
        lines.append("  ".join(_pad(col[i], w) for col, w in zip(cells, widths, strict=True)).rstrip())
    if len(df) == 0:
        lines.append("（无）")
    return "\n".join(lines)


def _title(period: Period, scope: Scope) -> str:
    return f"五星支部创建指标报告 — {period.display} — 范围：{scope.label}"


def write_report_text(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings,
                      out: IO[str]) -> None:
    """Human-readable Chinese tables."""
    dist = level_distribution(con, period, scope, settings=settings)
    red, black = red_list(con, period, scope, settings), black_list(con, period, scope, settings)
    total = int(dist["count"].sum())
    parts = [_title(period, scope), "", f"一、星级分布（共 {total} 个支部）",
             format_table(dist, [("星级", "level_label", _text, "text"), ("数量", "count", _int, "int"),
                                 ("占比", "share", _rate, "rate")])]
    section = 2
    numbers = "一二三四五六七"
    if scope.county is None:
        parts += ["", f"{numbers[section - 1]}、县（市、区）排名",
                  format_table(county_ranking(con, period, scope, settings), COUNTY_TABLE)]
        section += 1
    parts += ["", f"{numbers[section - 1]}、乡镇（街道）排名",
              format_table(township_ranking(con, period, scope, settings), TOWNSHIP_TABLE),
              "", f"{numbers[section]}、支部排名",
              format_table(_branches(branch_ranking(con, period, scope, settings)), _branch_table(settings)),
              "", f"{numbers[section + 1]}、红榜（{len(red)}）", format_table(red, LIST_TABLE),
              "", f"{numbers[section + 2]}、黑榜（{len(black)}）", format_table(black, LIST_TABLE),
              "", f"注：{score_formula(settings)}（任务完成率未知按 0 计"
                  + ("，没有考核评分的支部考核部分按 0 计并标“未评分”" if float(settings.score_weight_assessment) > 0 else "")
                  + "），显示保留一位小数，排名按未取整的得分。"]
    out.write("\n".join(parts) + "\n")


# --- Excel ------------------------------------------------------------------------------


def write_report_xlsx(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings,
                      path_or_buffer: Any) -> None:
    """Rankings and red/black lists as a formatted workbook.

    Sheets: [县区排名 when the scope spans counties], 镇街排名, 支部排名, 红榜, 黑榜;
    row 1 a title with period and scope, row 2 Chinese headers (frozen). Every
    value goes through the export guard (analytics.exports.write_cell), so text such as
    “=1+1” is never evaluated.
    """
    from analytics.exports import new_workbook, write_cell  # local: only the --xlsx report needs it

    sheets: list[tuple[str, pd.DataFrame, list[Column], str | None]] = []
    if scope.county is None:
        sheets.append(("县区排名", county_ranking(con, period, scope, settings), COUNTY_TABLE, None))
    sheets += [
        ("镇街排名", township_ranking(con, period, scope, settings), TOWNSHIP_TABLE, None),
        ("支部排名", _branches(branch_ranking(con, period, scope, settings)), _branch_table(settings), None),
        ("红榜", red_list(con, period, scope, settings), LIST_TABLE, "red"),
        ("黑榜", black_list(con, period, scope, settings), LIST_TABLE, "black"),
    ]
    workbook = new_workbook(path_or_buffer)
    try:
        base = {"font_name": "等线", "font_size": 11, "valign": "vcenter"}
        title_fmt = workbook.add_format({**base, "bold": True, "font_size": 14})
        header_fill = {"red": "#C00000", "black": "#000000", None: "#1F4E78"}
        row_fill = {"red": "#FDE9E7", "black": "#D9D9D9", None: None}
        for name, df, columns, tone in sheets:
            ws = workbook.add_worksheet(name)
            header_fmt = workbook.add_format({**base, "bold": True, "font_color": "#FFFFFF", "align": "center",
                                              "bg_color": header_fill[tone], "border": 1, "text_wrap": True})
            kinds = {"text": {}, "int": {"num_format": "0"}, "score": {"num_format": "0.0"},
                     "rate": {"num_format": "0.0%"}}
            cell_fmt = {kind: workbook.add_format({**base, "border": 1, **extra,
                                                   **({"bg_color": row_fill[tone]} if row_fill[tone] else {})})
                        for kind, extra in kinds.items()}
            ws.merge_range(0, 0, 0, len(columns) - 1, f"{name} — {period.display} — 范围：{scope.label}", title_fmt)
            ws.set_row(0, 24)
            for c, (header, _, _, _) in enumerate(columns):
                write_cell(ws, 1, c, header, header_fmt)
            ws.freeze_panes(2, 0)
            widths = [_width(h) + 2 for h, _, _, _ in columns]
            for r, row in enumerate(df[[src for _, src, _, _ in columns]].itertuples(index=False, name=None), start=2):
                for c, ((_, src, fmt, kind), value) in enumerate(zip(columns, row, strict=True)):
                    plain = _plain(value)
                    if kind == "text" or src == "rank_change":
                        text = fmt(value)
                        write_cell(ws, r, c, text, cell_fmt["text"])
                        widths[c] = max(widths[c], _width(text) + 2)
                    elif plain is None:
                        write_cell(ws, r, c, None, cell_fmt[kind])
                    else:
                        write_cell(ws, r, c, float(plain), cell_fmt[kind])
            for c, w in enumerate(widths):
                ws.set_column(c, c, min(max(w, 6), 60))
            if len(df) == 0:
                write_cell(ws, 2, 0, "（无）", cell_fmt["text"])
    finally:
        workbook.close()


# --- command ------------------------------------------------------------------------------


def _no_data_message(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope) -> str:
    months = [m.strftime("%Y-%m") for m in available_months(con)]
    have = "、".join(months[-12:]) if months else "（数据库中还没有任何数据，请先导入台账）"
    return f"{period.display}（范围：{scope.label}）没有数据。数据库中已有的月份：{have}"


def _ambiguous_township(con: duckdb.DuckDBPyConnection, scope: Scope) -> str | None:
    """A message when ``scope`` names a township without a county and that name is a
    township of several counties (城关镇): the report would merge them."""
    if not scope.township or scope.county:
        return None
    units = scope_options(con)
    counties = sorted(set(units.loc[units["township"] == scope.township, "county"].astype(str)))
    if len(counties) < 2:
        return None
    return (f"乡镇（街道）“{scope.township}”在 {len(counties)} 个县（市、区）都有（{'、'.join(counties)}），"
            "请用 --county 指定是哪一个。")


def run_report(args: argparse.Namespace) -> int:
    """``python -m analytics report``: 0 ok, 1 no data / store problem, 2 bad period or an
    ambiguous --township."""
    try:
        period = Period.parse(args.period)
    except ValueError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    settings = load_settings()
    scope = Scope(county=args.county or None, township=args.township or None,
                  branch_type=getattr(args, "branch_type", None) or None)
    path = resolve_db_path(args.db, settings)
    if not path.exists():
        print(f"错误：数据库文件 {path} 不存在。请用 --db 指定，或先用 `python -m analytics ingest` 导入台账。",
              file=sys.stderr)
        return 1
    try:
        with open_store(path, read_only=True, settings=settings) as con:
            ambiguous = _ambiguous_township(con, scope)
            if ambiguous:
                print(f"错误：{ambiguous}", file=sys.stderr)
                return 2
            if count_rows(con, period, scope) == 0:
                print(f"错误：{_no_data_message(con, period, scope)}", file=sys.stderr)
                return 1
            if args.json:
                report = build_report(con, period, scope, settings)
                print(json.dumps(report, ensure_ascii=False, indent=2))
            else:
                write_report_text(con, period, scope, settings, sys.stdout)
            if getattr(args, "xlsx", None):
                write_report_xlsx(con, period, scope, settings, args.xlsx)
                print(f"已保存 Excel 报告：{args.xlsx}", file=sys.stderr if args.json else sys.stdout)
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"错误：无法写入文件：{exc}", file=sys.stderr)
        return 1
    return 0
