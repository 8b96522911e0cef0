"""Declared goals (创建目标) and each unit's progress towards them (shared/spec/register.md §2).

    goal_progress(con, period, scope, settings) -> one row per unit and level 5, 4, 3:
        unit_level ('total' | 'county' | 'township'), county, township, level, goal_source,
        branches, declared, declared_at_least, reached, reached_at_least, gap, due, due_text

Goals are exact levels: "五星2个、四星7个、三星5个" is 2 branches at five stars, 7 at four
and 5 at three (14 in all). ``reached`` counts branches at exactly that level,
``reached_at_least`` at that level or more; ``gap`` is how many more branches must
reach that level or more (declared at ≥ L − reached at ≥ L, never below 0), so a
branch promoted above its level never opens a gap below it.

Each unit shows its own goals: a township its row of the goals sheet, a county its
own row or else the sum of its townships' rows (``goal_source`` 'own' / 'townships'),
the whole store the sum of its counties ('counties'). The retired setting
``district_goals`` stands for the whole store's goal while no goals sheet exists
('setting'); ``setting_notice`` says what to do about it.
"""

from __future__ import annotations

from typing import Any

import duckdb
import pandas as pd

from analytics import sql
from analytics.periods import Period
from analytics.scope import Scope
from analytics.settings import Settings

PROGRESS_COLUMNS = [
    "unit_level", "county", "township", "level", "goal_source", "branches", "declared", "declared_at_least",
    "reached", "reached_at_least", "gap", "due", "due_text",
]
SOURCE_LABELS = {"own": "", "townships": "乡镇合计", "counties": "县区合计", "setting": "设置 district_goals"}
LEVEL_WORDS = {5: "五星", 4: "四星", 3: "三星"}


def setting_goals(settings: Settings | None) -> dict[int, int]:
    """The retired setting ``district_goals`` as {level: count} for levels 5, 4, 3 (empty when not set)."""
    raw = (settings.district_goals if settings is not None else {}) or {}
    return {int(level): int(count) for level, count in raw.items() if int(level) in LEVEL_WORDS}


def goal_progress(
    con: duckdb.DuckDBPyConnection, period: Period, scope: Scope, settings: Settings | None = None
) -> pd.DataFrame:
    """Per unit of the scope and level 5, 4, 3: declared vs reached (exact and ≥), gap, due.

    Rows: the whole store (no county chosen), its counties (no township chosen), the
    townships of a chosen county (or the chosen township), in that order. A unit that
    declared nothing has NULL declared / gap. The branch_type filter is not applied:
    goals are declared per unit, not per type of branch.
    """
    fallback = setting_goals(settings)
    params: dict[str, Any] = {
        "cur_grain": period.kind, "cur_start": period.start,
        "county": scope.county or None, "township": scope.township or None,
        "setting_5": fallback.get(5) if fallback else None,
        "setting_4": fallback.get(4) if fallback else None,
        "setting_3": fallback.get(3) if fallback else None,
    }
    return sql.run(con, "goal_progress.sql", params)[PROGRESS_COLUMNS]


def has_goals_sheet(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether any county has a current goals sheet."""
    return bool(con.execute("SELECT EXISTS (SELECT 1 FROM v_goal)").fetchone()[0])  # type: ignore[index]


def setting_notice(progress: pd.DataFrame, settings: Settings | None) -> str | None:
    """What to tell the reader about the retired setting ``district_goals`` (None when it is not set)."""
    if not setting_goals(settings):
        return None
    if (progress["goal_source"] == "setting").any():
        return ("全域创建目标取自设置 district_goals（按“恰好该星级”计）。该设置已停用：请在“数据上传”页上传"
                "创建目标表（一行一个县区或乡镇），上传后本设置不再使用，可从 fivestar.toml 中删除。")
    if progress["goal_source"].isin(["own", "townships", "counties"]).any() or progress.empty:
        return "已有创建目标表，设置 district_goals 不再使用，可从 fivestar.toml 中删除。"
    return None


def _missing(value: Any) -> bool:
    return value is None or (not isinstance(value, (str, list)) and bool(pd.isna(value)))


def _int(value: Any) -> int | None:
    return None if _missing(value) else int(value)


def unit_name(unit_level: str, county: Any, township: Any, goal_source: Any = None) -> str:
    """How a row of ``goal_progress`` names its unit: 全部 / the county / the township,
    with where a summed goal comes from (二七区（乡镇合计））."""
    name = "全部" if unit_level == "total" else str(township) if unit_level == "township" else str(county)
    note = SOURCE_LABELS.get(str(goal_source), "") if isinstance(goal_source, str) else ""
    return f"{name}（{note}）" if note else name


def due_label(due: Any, due_text: Any, goal_source: Any = None) -> str:
    """The deadline as written (2024年底), else the date (a sum of goals with different
    deadlines: the latest, "最晚 2025-06-30"), else "—"."""
    if isinstance(due_text, str) and due_text.strip():
        return due_text.strip()
    if _missing(due):
        return "—"
    latest = "最晚 " if goal_source in ("townships", "counties") else ""
    return f"{latest}{pd.Timestamp(due):%Y-%m-%d}"


GOAL_TABLE_COLUMNS = ["单位", "星级", "目标", "现有", "及以上（现有/目标）", "差距", "完成时限"]


def goal_table(progress: pd.DataFrame) -> pd.DataFrame:
    """``goal_progress`` as the table on 总览 and 简报 (Chinese headers, narrow enough for a
    screenshot or a phone): three rows per unit, one per level 五星/四星/三星, with its goal, the
    branches at exactly that level, those at that level or more against the goals at that level
    or more, and the gap. The unit and its deadline are written on the unit's first row only."""
    rows: list[dict[str, Any]] = []
    units: dict[tuple[Any, ...], list[dict[Any, Any]]] = {}
    for rec in progress.to_dict("records"):
        key = tuple(None if _missing(rec[k]) else rec[k] for k in ("unit_level", "county", "township"))
        units.setdefault(key, []).append(rec)
    for (unit_level, county, township), recs in units.items():
        first = recs[0]
        declared_any = not _missing(first["declared"])
        source = first["goal_source"] if declared_any else None
        for i, r in enumerate(recs):
            target = _int(r["declared_at_least"])
            rows.append({
                "单位": unit_name(str(unit_level), county, township, source) if i == 0 else "",
                "星级": LEVEL_WORDS[int(r["level"])],
                "目标": _int(r["declared"]),
                "现有": _int(r["reached"]),
                "及以上（现有/目标）": f"{_int(r['reached_at_least'])}/{'—' if target is None else target}",
                "差距": _int(r["gap"]),
                "完成时限": "" if i else (due_label(first["due"], first["due_text"], source) if declared_any
                                          else "未申报目标"),
            })
    out = pd.DataFrame(rows, columns=GOAL_TABLE_COLUMNS)
    for col in ("目标", "现有", "差距"):
        out[col] = out[col].astype("Int64")
    return out


GOAL_NOTE = ("目标按“恰好该星级”申报（如五星2个、四星7个、三星5个共14个支部）；“现有”为恰好该星级的支部数，"
             "“及以上”为该星级及以上的支部数与目标数；差距 = 该星级及以上的目标数 − 现有数（不小于0）。"
             "县区未单独申报的，显示所辖乡镇目标之和（乡镇合计）；全部显示各县区之和（县区合计）。目标按单位统计，不区分村/社区。")
