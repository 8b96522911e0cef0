"""Red and black lists (红黑榜) with every reason (metrics.md "Red and black lists")."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings

REASON_LABELS: dict[str, str] = {
    "R1": "红旗",
    "R2": "前十",
    "R3": "晋星",
    "R4": "达标",
    "B1": "黑旗",
    "B2": "降星",
    "B3": "逾期",
    "B4": "未报送",
    "B5": "停滞",
}
LIST_COLUMNS = ["county", "township", "branch", "reasons", "reason_text", "rank", "stars", "score"]
RED_RULES = ("R1", "R2", "R3", "R4")
BLACK_RULES = ("B1", "B2", "B3", "B4", "B5")
# cadence.md §4: R1 judged for a week is the weekly red star.
WEEKLY_RED_STAR = "周红星"
PERIOD_KIND_WORDS = {"week": "周", "month": "月", "quarter": "季度", "half": "半年", "half_year": "半年", "year": "年度"}


def rule_periods(settings: Settings) -> dict[str, tuple[str, ...]]:
    """cadence.md §4: the period kinds each red/black rule is judged for — R1 by
    ``red_flag_periods``, B1 by ``black_flag_periods``, the rest by ``list_rule_periods``."""
    def kinds(value: Any) -> tuple[str, ...]:
        return tuple(str(v).strip() for v in (value or ()) if str(v).strip())

    rest = kinds(settings.list_rule_periods)
    out = {code: rest for code in (*RED_RULES, *BLACK_RULES)}
    out["R1"] = kinds(settings.red_flag_periods)
    out["B1"] = kinds(settings.black_flag_periods)
    return out


def rules_for(kind: str, settings: Settings) -> tuple[str, ...]:
    """The rules judged for a period kind ('week' | 'month' | 'quarter' | …), in R1…B5 order."""
    return tuple(code for code, kinds in rule_periods(settings).items() if kind in kinds)


def reason_label(code: str, kind: str = "month") -> str:
    """A reason's name: R1 judged for a week is 周红星 (cadence.md §4), else REASON_LABELS."""
    if code == "R1" and kind == "week":
        return WEEKLY_RED_STAR
    return REASON_LABELS.get(code, code)


def rules_note(kind: str, settings: Settings) -> str:
    """The sentence the pages show: which rules apply to the period shown (cadence.md §4)."""
    codes = rules_for(kind, settings)
    word = PERIOD_KIND_WORDS.get(kind, kind)
    periods = rule_periods(settings)

    def named(items: list[str]) -> str:
        return "、".join(f"{c} {reason_label(c, kind)}" for c in items) or "无"

    text = (f"本{word}评定：红榜 {named([c for c in codes if c in RED_RULES])}；"
            f"黑榜 {named([c for c in codes if c in BLACK_RULES])}。")
    off = [c for c in (*RED_RULES, *BLACK_RULES) if c not in codes]
    if off:
        text += "不评：" + "；".join(
            f"{c} {reason_label(c, kind)}（"
            + ("只在" + "、".join(PERIOD_KIND_WORDS.get(k, k) for k in periods[c]) + "评定" if periods[c] else "已关闭")
            + "）" for c in off) + "。"
    return text


@dataclass
class ListHead:
    """The first entries of a red or black list and the size of the whole list (a briefing)."""

    rows: pd.DataFrame  # LIST_COLUMNS, at most the requested number of entries, in list order
    total: int  # entries in the whole list


@dataclass
class ListHeads:
    """The heads of both lists of one period and scope."""

    red: ListHead
    black: ListHead


def _params(period: Period, scope: Scope, settings: Settings) -> dict[str, Any]:
    stag_k = max(int(settings.stagnation_months), 1)
    prev2 = period.previous().previous()  # B4 without a register: the two previous periods
    on = rules_for(period.kind, settings)
    return {
        **sql.snapshot_params(period, scope, settings),
        "prev2_grain": prev2.kind, "prev2_start": prev2.start,
        "cur_word": period.word,
        "prev_word": period.previous_word,
        "prev2_word": "上上月" if period.kind == "month" else "上上季度",
        "top_n": int(settings.red_top_n),
        "red_min": int(settings.red_flag_min_branches),
        "black_min": int(settings.black_flag_min_branches),
        "overdue_min": int(settings.overdue_threshold),
        "stag_k": stag_k,
        # cadence.md §4: a rule not configured for this kind of period returns no entries.
        **{f"on_{code.lower()}": code in on for code in (*RED_RULES, *BLACK_RULES)},
        "r1_tail": f"（{WEEKLY_RED_STAR}）" if period.kind == "week" else "",
    }


def _finish(table: pa.Table) -> pd.DataFrame:
    # The API promises plain lists of codes and None for a township-level entry's branch;
    # Arrow builds those Python objects far faster than a per-row map over the DataFrame.
    reasons = pd.Series(table.column("reasons").to_pylist(), dtype=object)
    branch = pd.Series(table.column("branch").to_pylist(), dtype=object)
    df = sql.to_pandas(table.drop_columns(["reasons", "branch"]))
    df.insert(2, "branch", branch)
    df.insert(3, "reasons", reasons)
    return df[LIST_COLUMNS].reset_index(drop=True)


def red_list(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """红榜: R1 红旗, R2 前十, R3 晋星, R4 达标 — one row per branch, all its reasons."""
    return _finish(sql.run_arrow(con, "red_list.sql", _params(period, scope, settings)))


def black_list(con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings) -> pd.DataFrame:
    """黑榜: B1 黑旗, B2 降星, B3 逾期, B4 未报送 (township-level entries have branch None), B5 停滞."""
    return _finish(sql.run_arrow(con, "black_list.sql", _params(period, scope, settings)))


def list_heads(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings, rows: int
) -> ListHeads:
    """The first ``rows`` entries of ``red_list`` and of ``black_list`` and how many each has in all.

    One query: both lists judge the same rows, computed once (the 简报 page).
    """
    if int(rows) < 1:
        raise ValueError(f"rows 应为正整数，收到 {rows!r}")
    table = sql.run_arrow(con, "list_heads.sql", {**_params(period, scope, settings), "rows": int(rows)})
    # Per list: its entries in order (pos 1, 2, …), then one row holding only the total.
    heads = {}
    for name in ("red", "black"):
        part = table.filter(pc.equal(table.column("list"), name))
        entries = part.filter(pc.is_valid(part.column("pos")))
        total = part.filter(pc.is_null(part.column("pos"))).column("total")[0].as_py()
        heads[name] = ListHead(rows=_finish(entries.drop_columns(["list", "pos", "total"])), total=int(total))
    return ListHeads(red=heads["red"], black=heads["black"])


def on_both_lists(red: pd.DataFrame, black: pd.DataFrame) -> pd.DataFrame:
    """Branches on the red list and the black list of the same period (e.g. 晋星 and 黑旗):
    county, township, branch, red_reasons, black_reasons (codes), in red-list order.

    The lists are judged by different rules, so a branch can earn both; readers are told so
    rather than left to think one list is wrong. Township-level entries (no branch) are left out.
    """
    key = ["county", "township", "branch"]
    both = red[[*key, "reasons"]].merge(
        black.loc[black["branch"].notna(), [*key, "reasons"]], on=key, suffixes=("_red", "_black"),
    )
    return both.rename(columns={"reasons_red": "red_reasons", "reasons_black": "black_reasons"}).reset_index(drop=True)


def both_lists_note(both: pd.DataFrame) -> str:
    """One sentence naming each branch on both lists with its reasons ("" when none)."""
    if both.empty:
        return ""

    def reasons(codes: Any) -> str:
        return "、".join(REASON_LABELS.get(c, c) for c in codes)

    names = "；".join(
        f"{r.township} {r.branch}（红榜：{reasons(r.red_reasons)}；黑榜：{reasons(r.black_reasons)}）"
        for r in both.itertuples(index=False)
    )
    return f"注意：{len(both)} 个支部同时在红榜和黑榜上（两榜按不同规则评出，并不矛盾）：{names}。"
