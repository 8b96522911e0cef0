"""Pure formatting helpers (numbers, rank arrows, table columns) shared by pages and exports."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

import pandas as pd

from analytics.spec import LEVEL_LABELS, STATUS_LABELS, star_name
from ui import theme


def is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def rank_change_text(change: Any) -> str:
    """↑2 (moved up two places), ↓1, — (unchanged), 新 (absent last period)."""
    if is_missing(change):
        return "新"
    n = int(change)
    if n > 0:
        return f"↑{n}"
    if n < 0:
        return f"↓{-n}"
    return "—"


def pct(value: Any, digits: int = 1) -> str:
    return "—" if is_missing(value) else f"{float(value) * 100:.{digits}f}%"


def score(value: Any) -> str:
    return "—" if is_missing(value) else f"{float(value):.1f}"


def level(value: Any) -> str:
    return "—" if is_missing(value) else LEVEL_LABELS[int(value)]


def target(value: Any) -> str:
    return "未申报" if is_missing(value) else LEVEL_LABELS[int(value)]


def day(value: Any) -> str:
    """A date as 2024-09-30 ("" when missing)."""
    if is_missing(value):
        return ""
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def status_cell(code: Any) -> str:
    key = theme.status_key(code)
    return f"{theme.STATUS_ICONS[key]} {theme.STATUS_LABEL[key]}"


def int_delta(delta: Any) -> int | None:
    return None if is_missing(delta) else int(delta)


def float_delta(delta: Any, digits: int = 1) -> str | None:
    if is_missing(delta):
        return None
    return f"{float(delta):+.{digits}f}"


def pp_delta(delta: Any) -> str | None:
    """A change of a 0..1 rate in percentage points: "+2.5 个百分点"."""
    if is_missing(delta):
        return None
    return f"{float(delta) * 100:+.1f} 个百分点"


# --- unit names on charts and pickers ---------------------------------------------

# The places that tell units of one level apart, innermost first: township
# and branch names repeat across the province (城关镇, 张庄村).
PLACE_COLUMNS: dict[str, tuple[str, ...]] = {
    "branch": ("township", "county"), "township": ("county",), "unit": ("county",), "county": (),
}


def distinct_names(names: Sequence[str], places: Sequence[Sequence[Any]] = ()) -> list[str]:
    """Display names of distinct units: a name shared by several units is followed by
    as many of its places (innermost first in ``places``, shown outermost first) as it
    takes to tell them apart — "城关镇（乙县）", "张庄村（乙县城关镇）". Unique names stay bare.
    """
    labels = [str(n) for n in names]
    for depth in range(1, len(places) + 1):
        counts = Counter(labels)
        if all(counts[label] == 1 for label in labels):
            break
        for i, label in enumerate(labels):
            if counts[label] > 1:
                where = "".join(str(p[i]) for p in reversed(places[:depth]) if not is_missing(p[i]))
                labels[i] = f"{names[i]}（{where}）" if where else str(names[i])
    return labels


def unit_names(df: pd.DataFrame, column: str) -> list[str]:
    """``distinct_names`` of the rows of ``df`` (one row per unit), named by ``column``
    (branch / township / county / unit) and told apart by the PLACE_COLUMNS it has."""
    places = [df[c].tolist() for c in PLACE_COLUMNS.get(column, ()) if c in df.columns]
    return distinct_names(df[column].astype(str).tolist(), places)


def with_unit_names(df: pd.DataFrame, column: str) -> pd.DataFrame:
    """``df`` with a column ``name``: ``unit_names`` over all of ``df``. A chart of some of
    the rows (the first 20, the largest changes) labelled by it still tells a 城关镇 apart
    from one that is not shown."""
    return df.assign(name=unit_names(df, column))


# --- display tables (Chinese headers) --------------------------------------------


DATA_MONTH = "数据月份"
# Under a quarter's tables: which month each branch's row is.
QUARTER_NOTE = "按季度查看时，每个支部取其在该季度内最近一次报送的月份的台账；“数据月份”列注明是哪个月。"
# The same for every period kind (cadence.md §1); a month's note says weekly reports stand in for a missing one.
PERIOD_NOTES = {
    "week": "按周查看时，只统计报送了周报的乡镇（街道），每个支部取其本周的周报。",
    "month": "",
    "quarter": QUARTER_NOTE,
    "half": "按半年查看时，每个支部取其在该半年内最近一次报送的月份的台账；“数据月份”列注明是哪个月。",
    "year": "按年度查看时，每个支部取其在该年内最近一次报送的月份的台账；“数据月份”列注明是哪个月。",
}
# Kinds whose branch rows come from different months (a 数据月份 column says which).
SNAPSHOT_KINDS = ("quarter", "half", "year")


def period_note(kind: str) -> str:
    """The note under a period's tables saying which report each branch's row is ("" for a month)."""
    return PERIOD_NOTES.get(kind, "")


def month_text(value: Any) -> str:
    """A month as 2024年8月 ("" when missing)."""
    if is_missing(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.year}年{ts.month}月"


def ranking_table(df: pd.DataFrame, unit: str = "branch", *, quarter: bool = False) -> pd.DataFrame:
    """A ranking frame (rankings.*) as the table people read: 名次, 变化, names, numbers;
    in a quarter (``quarter``) the branch table says each branch's 数据月份."""
    out = pd.DataFrame({"名次": df["rank"].astype("Int64"), "变化": df["rank_change"].map(rank_change_text)})
    if unit == "branch":
        out["县（市、区）"] = df["county"].to_numpy()
        out["乡镇（街道）"] = df["township"].to_numpy()
        out["村（社区）"] = df["branch"].to_numpy()
        out["类型"] = df["branch_type"].to_numpy()
        out["星级"] = df["stars"].map(level).to_numpy()
        out["创建目标"] = df["target_stars"].map(target).to_numpy()
        out["任务完成率"] = df["task_rate"].astype(float).to_numpy()
        out["综合得分"] = df["score"].astype(float).round(1).to_numpy()
        if assessed(df):
            out[ASSESSMENT] = assessment_cells(df)
        if quarter:
            out[DATA_MONTH] = df["period"].map(month_text).to_numpy()
        return out
    if unit == "township":
        out["县（市、区）"] = df["county"].to_numpy()
        out["乡镇（街道）"] = df["township"].to_numpy()
    else:
        out["县（市、区）"] = df["county"].to_numpy()
    out["支部数"] = df["branches"].astype("Int64").array
    out["平均得分"] = df["score"].astype(float).round(1).to_numpy()
    out["五星"] = df["five"].astype("Int64").array
    out["四星"] = df["four"].astype("Int64").array
    out["三星"] = df["three"].astype("Int64").array
    out["目标达成率"] = df["attainment_rate"].astype(float).to_numpy()
    out["任务完成率"] = df["task_rate"].astype(float).to_numpy()
    if "unscored" in df.columns and df["unscored"].fillna(0).astype(int).sum() > 0:
        out[UNSCORED] = df["unscored"].astype("Int64").array
    return out


# cadence.md §3: the assessment score in a ranking, or 未评分 (its weight > 0, no score: counted 0).
ASSESSMENT = "考核评分"
UNSCORED_MARK = "未评分"
UNSCORED = "未评分支部"


def assessed(df: pd.DataFrame) -> bool:
    """Whether the ranking's score has an assessment part (a score shown, or a branch 未评分)."""
    return "unscored" in df.columns and bool(
        df["assessment"].notna().any() or df["unscored"].fillna(False).astype(bool).any())


def assessment_cells(df: pd.DataFrame) -> Any:
    """Each branch's assessment score with one decimal, or 未评分."""
    marks = df["unscored"].fillna(False).astype(bool).to_numpy()
    values = df["assessment"].map(score).to_numpy()
    return [UNSCORED_MARK if m else v for m, v in zip(marks, values, strict=True)]


UNIT_HEADERS = {"county": "县（市、区）", "township": "乡镇（街道）", "branch_type": "类型"}


def distribution_by_unit(df: pd.DataFrame) -> pd.DataFrame:
    """A per-unit level distribution (metrics.level_distribution, long) as one row per unit
    in the order of ``df``: index (county, unit) — a unit is its name and county, county ""
    when it has none — and the counts of levels 5..0 as columns."""
    keyed = df.assign(county=df["county"].astype(str).fillna(""), unit=df["unit"].astype(str))
    units = pd.MultiIndex.from_frame(keyed[["county", "unit"]].drop_duplicates())
    counts = keyed.pivot_table(index=["county", "unit"], columns="level", values="count", aggfunc="sum", fill_value=0)
    return counts.reindex(index=units, columns=range(5, -1, -1), fill_value=0)


def distribution_table(df: pd.DataFrame, by: str) -> pd.DataFrame:
    """A per-unit level distribution (metrics.level_distribution, ``by`` = county / township /
    branch_type) as one row per unit: 支部数, the six levels' counts and 三星及以上占比."""
    counts = distribution_by_unit(df)
    out = pd.DataFrame()
    if by == "township":
        out["县（市、区）"] = counts.index.get_level_values("county").to_numpy()
    out[UNIT_HEADERS[by]] = counts.index.get_level_values("unit").to_numpy()
    total = counts.sum(axis=1).to_numpy()
    out["支部数"] = total
    for lv in range(5, -1, -1):
        out[LEVEL_LABELS[lv]] = counts[lv].to_numpy()
    at_least_three = counts[[5, 4, 3]].sum(axis=1).to_numpy()
    out["三星及以上占比"] = [a / t if t else None for a, t in zip(at_least_three, total, strict=True)]
    return out


def flag_table(df: pd.DataFrame, *, red: bool, kind: str = "month") -> pd.DataFrame:
    """A red/black list (flags.*) as the table people read; flags shown as ▲ 红旗 / ▼ 黑旗 (theme.flag_mark),
    R1 of a week as ▲ 周红星 (cadence.md §4; ``kind``: the period's kind)."""
    flag_code = "R1" if red else "B1"
    shown = theme.flag_mark(red)
    if red and kind == "week":
        shown = shown.replace("红旗", "周红星")

    def mark(reasons: Any) -> str:
        codes = list(reasons) if not is_missing(reasons) else []
        if flag_code in codes:
            return shown
        return ""

    return pd.DataFrame({
        "旗": df["reasons"].map(mark).to_numpy(),
        "县（市、区）": df["county"].to_numpy(),
        "乡镇（街道）": df["township"].to_numpy(),
        "村（社区）": df["branch"].map(lambda b: "（全乡镇未报送）" if is_missing(b) else b).to_numpy(),
        "上榜原因": df["reason_text"].to_numpy(),
        "名次": df["rank"].astype("Int64").array,
        "星级": df["stars"].map(level).to_numpy(),
        "综合得分": df["score"].astype(float).round(1).to_numpy(),
    })


def star_headers(df: pd.DataFrame) -> list[str]:
    """Star column headers for the branch types present: village names, or "产业兴旺/共建共享" when mixed."""
    types = set(df["branch_type"].dropna()) if len(df) else {"村"}
    if not types:
        types = {"村"}
    headers = []
    for slot in range(1, 6):
        names = sorted({star_name(slot, t) for t in types}, key=lambda n: n != star_name(slot, "村"))
        headers.append("/".join(n.removesuffix("星") for n in names) if len(names) > 1 else names[0])
    return headers


def battle_table(df: pd.DataFrame, *, quarter: bool = False) -> pd.DataFrame:
    """battle_map.battle_map as the 作战图 table (branch first, then level, target, the five stars).

    In a quarter (``quarter``) a 数据月份 column says which month's row each branch is.

    Status cells hold their Chinese labels (the page colours them); the county
    column comes last and only when the rows span several counties.
    """
    out = pd.DataFrame({
        "村（社区）": df["branch"].to_numpy(),
        "乡镇（街道）": df["township"].to_numpy(),
        "星级": df["stars"].map(level).to_numpy(),
        "创建目标": df["target_stars"].map(target).to_numpy(),
        "差距": df["gap"].astype("Int64").array,
    })
    for slot, header in enumerate(star_headers(df), start=1):
        out[header] = df[f"star_{slot}"].map(lambda c: STATUS_LABELS.get(c if isinstance(c, str) else None,
                                                                            STATUS_LABELS[None])).to_numpy()
    out["任务完成率"] = df["task_rate"].astype(float).to_numpy()
    out["逾期任务"] = df["overdue"].astype("Int64").array
    out["软弱涣散"] = df["weak"].map(lambda w: "软弱涣散" if w is True or w == 1 else "").to_numpy()
    out["已完成任务"] = df["tasks_done"].astype("Int64").array
    out["任务总数"] = df["tasks_total"].astype("Int64").array
    out["综合得分"] = df["score"].astype(float).round(1).to_numpy()
    if assessed(df):
        out[ASSESSMENT] = assessment_cells(df)
    out["名次"] = df["rank"].astype("Int64").array
    out["类型"] = df["branch_type"].to_numpy()
    out["支部书记"] = df["secretary"].to_numpy()
    # register.md §1: 包村领导 and 创建专班 from the branch register, when the rows have any.
    for column, label in (("liaison", "包村领导"), ("team", "创建专班")):
        if column in df and df[column].notna().any():
            out[label] = df[column].to_numpy()
    if quarter:
        out[DATA_MONTH] = df["period"].map(month_text).to_numpy()
    if len(df) and df["county"].nunique() > 1:
        out["县（市、区）"] = df["county"].to_numpy()
    return out


STATUS_CELL_COLORS = {theme.STATUS_LABEL[k]: (theme.STATUS_COLORS[k], theme.STATUS_TEXT_COLORS[k])
                      for k in theme.STATUS_ORDER}


def status_css(value: Any) -> str:
    """CSS for a status cell of ``battle_table`` (used with pandas Styler.map)."""
    colors = STATUS_CELL_COLORS.get(str(value))
    if not colors:
        return ""
    background, text = colors
    return f"background-color: {background}; color: {text};"


def trend_missing_townships(trend: pd.DataFrame) -> list[int]:
    """Per month of metrics.trend, how many of the scope's townships did not report (0 = complete)."""
    if "townships" not in trend.columns or "townships_total" not in trend.columns:
        return [0] * len(trend)
    return [max(int(t) - int(r), 0) for r, t in zip(trend["townships"], trend["townships_total"], strict=True)]


def trend_gaps_note(trend: pd.DataFrame, *, weekly: bool = False) -> str:
    """"空心点的月份数据不全：2024年7月有 1 个乡镇（街道）未报送。" ("" when every month is complete);
    ``weekly``: the points are weeks (第35周有 1 个…)."""
    def when(p: Any) -> str:
        ts = pd.Timestamp(p)
        return f"{ts.isocalendar()[0]}年第{ts.isocalendar()[1]}周" if weekly else f"{ts:%Y年%-m月}"

    parts = [f"{when(p)}有 {m} 个"
             for p, m in zip(trend["period"], trend_missing_townships(trend), strict=True) if m]
    if not parts:
        return ""
    return (f"空心点的{'周' if weekly else '月份'}数据不全，三星及以上等数量因此偏低：" + "，".join(parts)
            + "乡镇（街道）未报送（按所选范围内报送过的乡镇计）。")


def transition_matrix(matrix: pd.DataFrame) -> pd.DataFrame:
    """compare.transition (五星 … 无星) in the one order the screen and the Excel use:
    无星 → 五星 down the rows (上期) and across the columns (本期), so promotions sit above
    the diagonal. Missing levels are 0."""
    order = [theme.LEVEL_LABEL[lv] for lv in reversed(theme.LEVELS_DESC)]
    return matrix.reindex(index=order, columns=order).fillna(0).astype(int)


def township_summary(df: pd.DataFrame) -> pd.DataFrame:
    """battle_map.battle_map rows summed per township (the 作战图 of a scope too large for one
    table): 支部数, 三星及以上, 未达目标, 软弱涣散, 逾期任务, 平均综合得分 — in county, township order."""
    keyed = df.assign(
        _three=df["stars"].astype(float) >= 3,
        _gap=df["gap"].fillna(0).astype(float) > 0,
        _weak=df["weak"].map(lambda w: w is True or w == 1),
        _overdue=df["overdue"].fillna(0).astype(float),
        _score=df["score"].astype(float),
    )
    g = keyed.groupby(["county", "township"], sort=True)
    out = pd.DataFrame({
        "支部数": g.size(),
        "三星及以上": g["_three"].sum(),
        "未达目标": g["_gap"].sum(),
        "软弱涣散": g["_weak"].sum(),
        "逾期任务": g["_overdue"].sum(),
        "平均综合得分": g["_score"].mean().round(1),
    }).reset_index().rename(columns={"county": "县（市、区）", "township": "乡镇（街道）"})
    for col in ("支部数", "三星及以上", "未达目标", "软弱涣散", "逾期任务"):
        out[col] = out[col].astype("Int64")
    return out


# --- battle-map branch detail (battle-map.md §4) ------------------------------

UNSTARRED = "未分星"
OVERDUE_CSS = "background-color: #FDECEA; color: #B71C1C;"


def _flag(value: Any) -> bool:
    return value is True or (not is_missing(value) and value == 1)


def task_groups(tasks: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The tasks by star, in slot order, 未分星 (no slot) last; each group carries ``_group``
    (the slot, 0 for 未分星) for widget keys."""
    keyed = tasks.assign(_group=tasks["star_slot"].fillna(0).astype(int))
    out: list[tuple[str, pd.DataFrame]] = []
    for slot in sorted(keyed["_group"].unique(), key=lambda s: (s == 0, s)):
        group = keyed[keyed["_group"] == slot]
        name = UNSTARRED if slot == 0 else str(group["star_name"].dropna().iloc[0]
                                               if group["star_name"].notna().any() else f"第{slot}星")
        out.append((name, group))
    return out


def task_state(done: Any, accepted: Any) -> str:
    """已验收 / 已完成 / 未完成."""
    if _flag(accepted):
        return "已验收"
    return "已完成" if _flag(done) else "未完成"


def task_detail_table(tasks: pd.DataFrame, *, with_unit: bool = False) -> pd.DataFrame:
    """The columns a branch's tasks are shown (and exported) with; dates stay dates."""
    cols: dict[str, Any] = {}
    if with_unit:
        cols = {"县（市、区）": tasks["county"].to_numpy(), "乡镇（街道）": tasks["township"].to_numpy(),
                "村（社区）": tasks["branch"].to_numpy()}
    cols.update({
        "所属星": tasks["star_name"].where(tasks["star_slot"].notna(), UNSTARRED).to_numpy(),
        "重点任务": tasks["task"].to_numpy(),
        "具体举措": tasks["measure"].to_numpy(),
        "专班人员": tasks["team"].to_numpy(),
        "领星人": tasks["star_owner"].to_numpy(),
        "责任单位": tasks["department"].to_numpy(),
        "负责人": tasks["owner"].to_numpy(),
        "完成时限": tasks["deadline"].to_numpy(),
        "状态": [task_state(d, a) for d, a in zip(tasks["done"], tasks["accepted"], strict=True)],
        "完成时间": tasks["done_date"].to_numpy(),
        "验收时间": tasks["accepted_date"].to_numpy(),
        "逾期": tasks["overdue"].map(lambda o: "逾期" if _flag(o) else "").to_numpy(),
    })
    return pd.DataFrame(cols)


def problem_table(problems: pd.DataFrame, *, with_unit: bool = False) -> pd.DataFrame:
    """The columns a problem list is shown (and exported) with; dates stay dates."""
    cols: dict[str, Any] = {}
    if with_unit:
        cols = {"县（市、区）": problems["county"].to_numpy(), "乡镇（街道）": problems["township"].to_numpy(),
                "村（社区）": problems["branch"].to_numpy()}
    cols.update({
        "所属星": problems["star_name"].where(problems["star_slot"].notna(), UNSTARRED).to_numpy(),
        "存在问题": problems["problem"].to_numpy(),
        "整改措施": problems["measure"].to_numpy(),
        "责任人": problems["owner"].to_numpy(),
        "整改时限": problems["deadline"].to_numpy(),
        "销号": problems["closed"].map(lambda c: "已销号" if _flag(c) else "未销号").to_numpy(),
        "销号时间": problems["closed_date"].to_numpy(),
        "逾期": problems["overdue"].map(lambda o: "逾期" if _flag(o) else "").to_numpy(),
    })
    return pd.DataFrame(cols)


def overdue_style(table: pd.DataFrame) -> Any:
    """Rows marked 逾期 in red; date columns as 2024-09-30."""
    dates = [c for c in table.columns if str(c).endswith(("时限", "时间"))]
    return table.style.apply(
        lambda r: [OVERDUE_CSS if r["逾期"] else "" for _ in r], axis=1
    ).format({c: day for c in dates}, na_rep="")


def star_view_table(branches: pd.DataFrame, *, several_townships: bool = True) -> pd.DataFrame:
    """problems.star_view's ``branches`` as the 分星推进 table (status as 已达标 / 创建中 / …)."""
    out: dict[str, Any] = {}
    if several_townships:
        out["乡镇（街道）"] = branches["township"].to_numpy()
    out.update({
        "村（社区）": branches["branch"].to_numpy(),
        "状态": branches["status"].map(lambda c: STATUS_LABELS.get(c if isinstance(c, str) else None,
                                                                STATUS_LABELS[None])).to_numpy(),
        "任务": branches["tasks"].astype("Int64").to_numpy(),
        "已完成": branches["tasks_done"].astype("Int64").to_numpy(),
        "已验收": branches["tasks_accepted"].astype("Int64").to_numpy(),
        "逾期任务": branches["tasks_overdue"].astype("Int64").to_numpy(),
        "未销号问题": branches["open_problems"].astype("Int64").to_numpy(),
        "逾期问题": branches["overdue_problems"].astype("Int64").to_numpy(),
        "相关人员": branches["people"].to_numpy(),
    })
    return pd.DataFrame(out)


def star_township_table(townships: pd.DataFrame) -> pd.DataFrame:
    """problems.star_view's ``townships`` as the 分星推进 township summary (a scope too large for one
    table): branches by status for the star, the star's tasks and open problems, and the page of
    the branch list each township is on."""
    out = pd.DataFrame({
        "县（市、区）": townships["county"].to_numpy(),
        "乡镇（街道）": townships["township"].to_numpy(),
        "支部数": townships["branches"].astype("Int64").to_numpy(),
        **{STATUS_LABELS[None if key == "unknown" else key]: townships[key].astype("Int64").to_numpy()
           for key in ("achieved", "in_progress", "not_started", "unknown")},
        "任务": townships["tasks"].astype("Int64").to_numpy(),
        "已完成": townships["tasks_done"].astype("Int64").to_numpy(),
        "已验收": townships["tasks_accepted"].astype("Int64").to_numpy(),
        "逾期任务": townships["tasks_overdue"].astype("Int64").to_numpy(),
        "未销号问题": townships["open_problems"].astype("Int64").to_numpy(),
        "逾期问题": townships["overdue_problems"].astype("Int64").to_numpy(),
        "支部明细页": townships["page"].astype("Int64").to_numpy(),
    })
    return out


def drop_empty(table: pd.DataFrame, optional: Sequence[str]) -> pd.DataFrame:
    """``table`` without those ``optional`` columns that hold nothing (all missing or blank)."""
    empty = [c for c in optional if c in table.columns
             and table[c].map(lambda v: is_missing(v) or str(v).strip() == "").all()]
    return table.drop(columns=empty)


def phone_task_table(shown: pd.DataFrame) -> pd.DataFrame:
    """``task_detail_table`` for a 390 px screen: task, deadline and state (逾期 when overdue)
    fit without sideways scrolling; the 逾期 flag stays for the red rows (last column)."""
    out = shown[["重点任务", "完成时限", "状态", "逾期"]].copy()
    out["状态"] = out["状态"].where(out["逾期"] == "", "逾期")
    return out


# cadence.md §5: year-end acceptance, awarded vs self-reported (ui/awards.py, the briefing).
BELOW = "低于自报"


def award_table(df: pd.DataFrame) -> pd.DataFrame:
    """awards.award_vs_reported as the table people read."""
    return pd.DataFrame({
        "县（市、区）": df["county"].to_numpy(),
        "乡镇（街道）": df["township"].to_numpy(),
        "村（社区）": df["branch"].to_numpy(),
        "自报星级": df["reported_stars"].map(level).to_numpy(),
        "自报月份": df["reported_period"].map(month_text).to_numpy(),
        "评定星级": df["awarded_stars"].map(level).to_numpy(),
        "验收时间": df["accepted_at"].map(day).to_numpy(),
        "对比": [BELOW if b else ("高于自报" if not is_missing(d) and d > 0 else
                                 "一致" if not is_missing(d) else "未自报")
                 for b, d in zip(df["below"].fillna(False).astype(bool), df["difference"], strict=True)],
    })


def award_summary(df: pd.DataFrame, year: int) -> str:
    """One sentence: how many branches were accepted, how many below their own report."""
    below = int(df["below"].fillna(False).astype(bool).sum())
    levels = df["awarded_stars"].dropna().astype(int)
    counts = "、".join(f"{level(k)} {int((levels == k).sum())} 个" for k in (5, 4, 3) if (levels == k).any())
    return (f"{year}年度验收授星：{len(df)} 个支部已验收" + (f"（{counts}）" if counts else "")
            + f"；评定星级低于自报星级的 {below} 个。")
