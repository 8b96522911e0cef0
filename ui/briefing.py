"""The one-page briefing (简报): assembled once, shown on the page and saved as offline HTML.

    b = make_briefing(period, scope, kpis=…, distribution=…, ranking=RankingEnds, red=ListHead,
                      black=ListHead, uploads=…)
    html = to_html(b)                                   # self-contained: plotly.js embedded
    xlsx = to_xlsx(b, complete_tables(ranking, red, black))  # the complete lists as a workbook

The page shows only the ends of the ranking and the first entries of the red and
black lists (what the analytics' ``branch_ranking_ends`` / ``list_heads`` return);
the workbook takes the complete lists, fetched when it is downloaded.

Pure: no Streamlit, so the HTML can be tested directly.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from analytics import goals as goal_rules
from analytics.exports import frames_to_xlsx
from analytics.flags import ListHead
from analytics.periods import Period
from analytics.rankings import RankingEnds
from analytics.scope import Scope
from ui import charts, format, theme

TOP_N = 10
BOTTOM_N = 5
LIST_ROWS = 10  # red/black rows shown on the page; the Excel holds all
DEMO_MARK = "示例数据"
DEMO_NOTE = "本简报由示例（演示）数据生成，县、乡镇、村（社区）名称及数字均为虚构。"


@dataclass
class Headline:
    label: str
    value: str
    note: str = ""


@dataclass
class Briefing:
    title: str
    subtitle: str
    summary: str
    headlines: list[Headline]
    figures: list[tuple[str, go.Figure]]
    tables: list[tuple[str, pd.DataFrame, str]]  # (title, table, note under it)
    source_note: str
    file_stem: str
    context: str = ""  # "2024年第3季度 · 望川区": every chart title names it (charts.title_with_context)
    demo: bool = False  # made from the demo data: marked 示例数据 in the subtitle, title area and footer
    goals: pd.DataFrame | None = None  # the declared goals per unit (goals.goal_table), also a sheet of the Excel


# How a period's rows are taken (cadence.md §1), for the briefing's source note.
SOURCE_NOTES = {
    "week": "周数据取各支部本周的周报。",
    "quarter": "季度数据取每个支部本季度最新一个月的台账。",
    "half": "半年数据取每个支部该半年最新一个月的台账。",
    "year": "年度数据取每个支部本年度最新一个月的台账。",
}

def _scope_title(scope: Scope) -> str:
    parts = [p for p in (scope.county, scope.township) if p]
    return "".join(parts)


def _change_words(delta: Any, unit: str, prev_word: str) -> str:
    if format.is_missing(delta):
        return ""
    n = int(delta)
    if n > 0:
        return f"，比{prev_word}增加 {n} {unit}"
    if n < 0:
        return f"，比{prev_word}减少 {-n} {unit}"
    return f"，与{prev_word}持平"


def make_briefing(
    period: Period,
    scope: Scope,
    *,
    kpis: dict[str, Any],
    distribution: pd.DataFrame,
    ranking: RankingEnds,
    red: ListHead,
    black: ListHead,
    township_distribution: pd.DataFrame | None = None,
    several_counties: bool | None = None,
    uploads: int | None = None,
    last_upload: datetime | None = None,
    today: date | None = None,
    demo: bool = False,
    problem_counts: Mapping[str, Any] | None = None,
    goals: pd.DataFrame | None = None,
    goals_notice: str | None = None,
    score_note: str = "综合得分 = 60 × 星级 ÷ 5 + 40 × 重点任务完成率",
    rules_note: str | None = None,
    awards: pd.DataFrame | None = None,
    award_year: int | None = None,
) -> Briefing:
    """Assemble the briefing from the same analytics results the pages show.

    ``ranking`` holds at least the first TOP_N and the last BOTTOM_N rows, ``red`` and
    ``black`` at least LIST_ROWS entries. ``several_counties``: whether tables need a
    county column (default: the rows given come from more than one county).
    ``problem_counts``: the scope's 'total' row of ``problems.unit_problem_weak_counts``
    (weak branches, open / overdue problems, tasks done vs accepted; battle-map.md §4).
    ``goals``: ``goals.goal_progress`` of the scope (declared goals per unit, register.md §2);
    ``goals_notice``: what to say about the retired setting district_goals (goals.setting_notice).
    """
    today = today or date.today()
    where = _scope_title(scope)
    type_word = f"（{scope.branch_type}）" if scope.branch_type else ""
    title = f"{where}“五星”支部创建工作简报"
    as_of = kpis.get("data_as_of")
    as_of_text = f"{as_of.year}年{as_of.month}月" if as_of else "—"
    if as_of and period.kind == "week":  # a week's data is as of its Sunday
        as_of_text = f"{period.end.year}年{period.end.month}月{period.end.day}日"
    subtitle = (f"{period.display} · 范围：{scope.label} · 数据截至 {as_of_text} · "
                f"生成于 {today.year}年{today.month}月{today.day}日" + (f" · {DEMO_MARK}" if demo else ""))
    k = {key: kpis[key] for key in kpis if isinstance(kpis[key], dict) and "value" in kpis[key]}
    targets = kpis.get("targets", {})
    prev = period.previous_word
    n = int(k["branches"]["value"] or 0)
    summary = (
        f"{period.display}，{where or '全域'}{type_word}共有 {n} 个村（社区）党支部参与“五星”支部创建。"
        f"三星及以上 {k['at_least_three']['value']} 个，占 {format.pct(k['at_least_three_share']['value'])}"
        f"{_change_words(k['at_least_three']['delta'], '个', prev)}；"
        f"其中五星 {k['five']['value']} 个、四星 {k['four']['value']} 个、三星 {k['three']['value']} 个。"
        f"平均综合得分 {format.score(k['avg_score']['value'])}，重点任务完成率 {format.pct(k['task_rate']['value'])}。"
        f"本期红榜 {red.total} 条、黑榜 {black.total} 条。"
    )
    if problem_counts is not None:
        pc = {key: int(problem_counts[key] or 0) for key in (
            "weak", "weak_prev", "weak_cleared", "open_problems", "overdue_problems", "tasks_done",
            "tasks_accepted", "tasks_total")}
        summary += (
            f"软弱涣散支部 {pc['weak']} 个（{prev} {pc['weak_prev']} 个，已转化 {pc['weak_cleared']} 个）；"
            f"问题清单未销号 {pc['open_problems']} 个，其中逾期 {pc['overdue_problems']} 个；"
            f"重点任务已完成 {pc['tasks_done']} 项、已验收 {pc['tasks_accepted']} 项。"
        )
    declared = goals is not None and not goals.empty and bool(goals["declared"].notna().any())
    if declared:
        assert goals is not None
        summary += _goals_sentence(goals)
    headlines = [
        Headline("支部总数", f"{n}", "个"),
        Headline("三星及以上", f"{k['at_least_three']['value']}",
                 f"占 {format.pct(k['at_least_three_share']['value'])}"),
        Headline("五星", f"{k['five']['value']}", f"申报 {targets.get(5, 0)} 个"),
        Headline("四星", f"{k['four']['value']}", f"申报 {targets.get(4, 0)} 个"),
        Headline("三星", f"{k['three']['value']}", f"申报 {targets.get(3, 0)} 个"),
        Headline("平均综合得分", format.score(k["avg_score"]["value"]),
                 f"{prev} {format.score(k['avg_score']['previous'])}"),
        Headline("任务完成率", format.pct(k["task_rate"]["value"]), ""),
        Headline("红榜 / 黑榜", f"{red.total} / {black.total}", "条"),
    ]
    if problem_counts is not None:
        headlines += [
            Headline("软弱涣散", f"{pc['weak']}", f"{prev} {pc['weak_prev']} 个，已转化 {pc['weak_cleared']} 个"),
            Headline("未销号问题", f"{pc['open_problems']}", f"其中逾期 {pc['overdue_problems']} 个"),
            Headline("任务完成 / 验收", f"{pc['tasks_done']} / {pc['tasks_accepted']}", f"共 {pc['tasks_total']} 项"),
        ]
    figures: list[tuple[str, go.Figure]] = [("星级分布", charts.level_bar(distribution, title="星级分布"))]
    if township_distribution is not None and 1 < len(township_distribution[["unit", "county"]].drop_duplicates()) <= 25:
        figures.append(("各单位星级分布", charts.level_distribution_bars(
            township_distribution, title="各单位星级分布（按占比）", mode="share")))

    if several_counties is None:
        counties = pd.concat([ranking.top["county"], ranking.bottom["county"], red.rows["county"],
                              black.rows["county"]])
        several_counties = counties.nunique() > 1
    county_col = ["县（市、区）"] if several_counties else []
    compact_cols = ["名次", "变化", *county_col, "乡镇（街道）", "村（社区）", "星级", "任务完成率", "综合得分"]
    # cadence.md §3: the assessment score (or 未评分) when the score has an assessment part.
    if format.assessed(ranking.top) or format.assessed(ranking.bottom):
        compact_cols.append(format.ASSESSMENT)
    top = format.ranking_table(ranking.top, "branch").reindex(columns=compact_cols).head(TOP_N)
    # The last rows, shown when the scope has more branches than the top table (they may overlap it).
    bottom = format.ranking_table(ranking.bottom, "branch").reindex(columns=compact_cols).tail(BOTTOM_N)
    if n <= TOP_N:
        bottom = bottom.iloc[0:0]
    flag_cols = ["旗", *county_col, "乡镇（街道）", "村（社区）", "上榜原因"]
    tables: list[tuple[str, pd.DataFrame, str]] = [
        (f"综合得分前 {len(top)} 名", top, ""),
    ]
    if len(bottom):
        tables.append((f"综合得分后 {len(bottom)} 名", bottom, ""))
    goal_table = goal_rules.goal_table(goals) if declared and goals is not None else None
    if goal_table is not None:
        tables.append((f"创建目标进度（{period.display} · {scope.label}）", goal_table,
                       goal_rules.GOAL_NOTE + (goals_notice or "")))
    more = "，完整名单见 Excel"
    for name, head, is_red in (("红榜", red, True), ("黑榜", black, False)):
        shown = format.flag_table(head.rows, red=is_red, kind=period.kind)[flag_cols].head(LIST_ROWS)
        note = f"共 {head.total} 条" + (f"，此处列出前 {LIST_ROWS} 条{more}" if head.total > LIST_ROWS else "")
        tables.append((name, shown, note))
    if awards is not None and award_year is not None and not awards.empty:
        # cadence.md §5: the branches the county awarded fewer stars than they reported.
        table = format.award_table(awards)
        below = table[table["对比"] == format.BELOW].drop(columns=["对比", *([] if several_counties else ["县（市、区）"])])
        tables.append((f"{award_year}年度验收：评定星级低于自报星级", below.head(LIST_ROWS),
                       format.award_summary(awards, award_year)))
    uploads_text = f"共 {uploads} 次上传，" if uploads is not None else ""
    last_text = f"最近更新 {last_upload:%Y-%m-%d %H:%M}，" if last_upload else ""
    source_note = (
        f"数据来源：各乡镇（街道）报送的“五星”支部创建月度台账（{uploads_text}{last_text}数据截至 {as_of_text}）。"
        + score_note + "；排名并列时名次相同。"
        + (f"{rules_note}" if rules_note else "")
        + SOURCE_NOTES.get(period.kind, "")
        + (DEMO_NOTE if demo else "")
    )
    return Briefing(
        title=title, subtitle=subtitle, summary=summary, headlines=headlines, figures=figures,
        tables=tables, source_note=source_note,
        file_stem=charts.safe_filename("五星支部创建简报", period.label, scope.label),
        context=f"{period.display} · {scope.label}", demo=demo, goals=goal_table,
    )


def _goals_sentence(goals: pd.DataFrame) -> str:
    """The scope's own declared goals against what it reached, in one sentence (the first unit of
    ``goal_progress`` is the scope itself: the whole store, the county or the township)."""
    key = ["" if format.is_missing(v) else str(v) for v in goals.iloc[0][["unit_level", "county", "township"]]]
    own = goals[(goals["unit_level"] == key[0]) & (goals["county"].fillna("") == key[1])
                & (goals["township"].fillna("") == key[2])].set_index("level")
    if own["declared"].isna().all():
        return ""
    words = goal_rules.LEVEL_WORDS
    declared = "、".join(f"{words[lv]} {int(own.at[lv, 'declared'])} 个" for lv in (5, 4, 3))
    reached = "、".join(f"{words[lv]} {int(own.at[lv, 'reached'])} 个" for lv in (5, 4, 3))
    due = goal_rules.due_label(own.at[5, "due"], own.at[5, "due_text"])
    gaps = [f"{words[lv]}及以上尚差 {int(own.at[lv, 'gap'])} 个" for lv in (5, 4, 3) if int(own.at[lv, "gap"]) > 0]
    tail = "；".join(gaps) if gaps else "各级目标均已达到"
    return f"创建目标：{declared}（完成时限 {due}），现有{reached}，{tail}。"


def complete_tables(ranking: pd.DataFrame, red: pd.DataFrame, black: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The complete ranking and lists (branch_ranking, red_list, black_list) as the workbook's sheets."""
    return {"排名": format.ranking_table(ranking, "branch"), "红榜": format.flag_table(red, red=True),
            "黑榜": format.flag_table(black, red=False)}


# --- tables (the page and the offline HTML render the same markup) ---------------

# Columns whose text may wrap (long reasons); every other cell stays on one line,
# so a narrow screen scrolls the table sideways instead of breaking "五星" or a
# county name character by character.
WRAP_COLUMNS = frozenset({"上榜原因"})
MISSING = "—"

TABLE_CSS = f"""
.bt-wrap {{ overflow-x: auto; margin: 0 0 6px; }}
table.bt {{ border-collapse: collapse; width: 100%; font-size: 14px; line-height: 1.5; color: {theme.TEXT}; }}
table.bt th {{ background: #F2DCDB; font-weight: 600; text-align: left; padding: 6px 10px;
              border: 1px solid #E3D3D1; white-space: nowrap; }}
table.bt td {{ padding: 5px 10px; border: 1px solid #E6E9ED; white-space: nowrap; vertical-align: top; }}
table.bt tbody tr:nth-child(even) td {{ background: #FAFAFA; }}
table.bt .num {{ text-align: right; font-variant-numeric: tabular-nums; }}
table.bt td.wrap {{ white-space: normal; min-width: 14em; width: 100%; }}
table.bt td.up {{ color: {theme.STATUS_COLORS["achieved"]}; font-weight: 600; }}
table.bt td.down {{ color: {theme.RED}; font-weight: 600; }}
@media (max-width: 640px) {{
  table.bt {{ font-size: 13px; }}
  table.bt th, table.bt td {{ padding: 4px 6px; }}
  table.bt td.wrap {{ min-width: 11em; }}
  /* A list with reasons (红榜/黑榜) as one card per entry: the reason on its own line, no sideways scrolling. */
  table.bt.list, table.bt.list tbody, table.bt.list tr {{ display: block; width: 100%; }}
  table.bt.list thead {{ display: none; }}
  table.bt.list tr {{ border: 1px solid #E6E9ED; border-radius: 6px; margin: 0 0 6px; padding: 4px 8px; }}
  table.bt.list td {{ display: inline; border: none; padding: 0 6px 0 0; background: none !important; }}
  table.bt.list td.wrap {{ display: block; min-width: 0; width: auto; padding: 2px 0 0; }}
  table.bt.list td:empty {{ display: none; }}
}}
"""


def _cell_text(column: str, value: Any) -> str:
    if format.is_missing(value) or value == "":
        return MISSING if column not in ("旗", "变化", "单位", "完成时限") else ""  # a unit's later rows
    if "率" in column:
        return format.pct(value)
    if "得分" in column:
        return format.score(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _cell_class(column: str, text: str) -> str:
    if column in WRAP_COLUMNS:
        return "wrap"
    if column in ("名次", "目标", "现有", "差距") or "率" in column or "得分" in column:
        return "num"
    if column == "变化":
        return "up" if text.startswith("↑") else "down" if text.startswith("↓") else ""
    return ""


def table_html(df: pd.DataFrame) -> str:
    """A briefing table as HTML (class ``bt``, styled by TABLE_CSS): rates as 62.1%,
    scores with one decimal, missing values "—", ↑ green / ↓ red, no index."""
    columns = [str(c) for c in df.columns]
    head = "".join(
        f"<th class='{'num' if _cell_class(c, '') == 'num' else ''}'>{html.escape(c)}</th>" for c in columns
    )
    rows = []
    for record in df.itertuples(index=False, name=None):
        cells = []
        for column, value in zip(columns, record, strict=True):
            text = _cell_text(column, value)
            cells.append(f"<td class='{_cell_class(column, text)}'>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    kind = "bt list" if WRAP_COLUMNS & set(columns) else "bt"  # a list with reasons: cards on a phone
    return (f"<div class='bt-wrap'><table class='{kind}'><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>")


# --- offline HTML -------------------------------------------------------------

_CSS = f"""
body {{ font-family: {theme.FONT_FAMILY}; color: {theme.TEXT}; margin: 0; background: #FFFFFF; }}
.page {{ max-width: 1100px; margin: 0 auto; padding: 24px 20px 40px; }}
h1 {{ color: {theme.PRIMARY}; font-size: 28px; margin: 0 0 6px; text-align: center; }}
.sub {{ text-align: center; color: #546E7A; margin-bottom: 18px; font-size: 14px; }}
.summary {{ font-size: 16px; line-height: 1.8; background: #FFF8F6; border-left: 4px solid {theme.PRIMARY};
            padding: 10px 14px; margin: 0 0 16px; }}
.kpis {{ display: grid; grid-template-columns: repeat(auto-fit, minmax(120px, 1fr)); gap: 10px; margin-bottom: 16px; }}
.kpi {{ border: 1px solid #E0E0E0; border-radius: 8px; padding: 8px 10px; text-align: center; }}
.kpi .v {{ font-size: 26px; font-weight: 700; color: {theme.PRIMARY}; }}
.kpi .l {{ font-size: 13px; color: #455A64; }}
.kpi .n {{ font-size: 12px; color: #78909C; }}
.charts {{ display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 12px; }}
@media (max-width: 700px) {{ .charts {{ grid-template-columns: minmax(0, 1fr); }} }}
h2 {{ font-size: 18px; border-bottom: 2px solid {theme.PRIMARY}; padding-bottom: 4px; margin: 22px 0 8px; }}
.note {{ color: #78909C; font-size: 12px; margin-top: 4px; }}
.demo {{ text-align: center; margin: 0 auto 6px; width: fit-content; padding: 2px 12px; border-radius: 10px;
         background: #FFF3E0; color: #E65100; font-size: 13px; font-weight: 600; border: 1px solid #FFB74D; }}
.source {{ margin-top: 24px; color: #607D8B; font-size: 12px; border-top: 1px solid #E0E0E0; padding-top: 8px; }}
@media print {{ .page {{ padding: 0; }} .modebar {{ display: none !important; }} }}
"""


def to_html(b: Briefing) -> str:
    """A self-contained HTML page: CSS inline, plotly.js embedded once, no external references."""
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{html.escape(b.title)} {html.escape(b.subtitle.split(' · ')[0])}"
        f"{'（' + DEMO_MARK + '）' if b.demo else ''}</title>",
        f"<style>{_CSS}{TABLE_CSS}</style></head><body><div class='page'>",
        *([f"<div class='demo'>{DEMO_MARK} · 仅用于演示</div>"] if b.demo else []),
        f"<h1>{html.escape(b.title)}</h1>",
        f"<div class='sub'>{html.escape(b.subtitle)}</div>",
        f"<p class='summary'>{html.escape(b.summary)}</p>",
        "<div class='kpis'>",
    ]
    for h in b.headlines:
        parts.append(
            f"<div class='kpi'><div class='l'>{html.escape(h.label)}</div><div class='v'>{html.escape(h.value)}</div>"
            f"<div class='n'>{html.escape(h.note)}</div></div>"
        )
    parts.append("</div><div class='charts'>")
    for i, (name, fig) in enumerate(b.figures):
        config = charts.plotly_config(name)
        config["responsive"] = True  # follow the page width (a phone, a printout)
        config["toImageButtonOptions"]["filename"] = charts.safe_filename(name, b.file_stem)
        if b.context:
            fig = charts.title_with_context(go.Figure(fig), b.context, fallback=name)
        parts.append("<div>" + pio.to_html(
            fig, full_html=False, include_plotlyjs=(i == 0), config=config,
            default_width="100%", default_height=f"{fig.layout.height or 360}px",
        ) + "</div>")
    parts.append("</div>")
    for title, table, note in b.tables:
        parts.append(f"<h2>{html.escape(title)}</h2>")
        parts.append(table_html(table) if len(table) else "<p class='note'>本期无</p>")
        if note:
            parts.append(f"<p class='note'>{html.escape(note)}</p>")
    parts.append(f"<p class='source'>{html.escape(b.source_note)}</p>")
    parts.append("</div></body></html>")
    return "\n".join(parts)


def to_xlsx(b: Briefing, complete: dict[str, pd.DataFrame]) -> bytes:
    """The briefing's headline numbers and the complete lists (``complete_tables``) as a workbook."""
    headline = pd.DataFrame({"指标": [h.label for h in b.headlines], "数值": [h.value for h in b.headlines],
                             "说明": [h.note for h in b.headlines]})
    frames = {"简报要点": headline, **({"创建目标": b.goals} if b.goals is not None else {}), **complete}
    return frames_to_xlsx(frames, title=b.title, note=b.subtitle)
