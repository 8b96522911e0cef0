"""Phone views (under 640 px wide): the 作战图 as a compact grid and the 红黑榜 as cards.

Pages draw these next to their desktop tables inside containers keyed ``phone_…``
and ``desk_…``; the CSS in ``components.CSS`` shows one of the two by screen width.
Pure functions: a DataFrame in, an HTML string out. Every value from a ledger goes
through ``safe.html``, so a name is always text.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from analytics.spec import star_name
from ui import format, safe, theme

# A phone shows at most this many rows; the page says so and points to search and filters.
PHONE_ROWS = 300

_STATUS_CSS = "\n".join(
    f".fs-bm td.s-{key} {{ background: {theme.STATUS_COLORS[key]}; color: {theme.STATUS_TEXT_COLORS[key]}; }}"
    for key in theme.STATUS_ORDER
)

CSS = f"""
.fs-legend {{ font-size: 12px; color: #546E7A; margin: 0 0 4px; }}
.fs-legend span {{ display: inline-block; margin-right: 8px; white-space: nowrap; }}
.fs-legend i {{ display: inline-block; width: 1.3em; margin-right: 3px; text-align: center; font-style: normal; border-radius: 3px; }}
table.fs-bm {{ width: 100%; table-layout: fixed; border-collapse: separate; border-spacing: 2px;
              font-size: 14px; color: {theme.TEXT}; }}
table.fs-bm th {{ font-size: 11px; font-weight: 600; color: #455A64; line-height: 1.2; padding: 2px 1px;
                 text-align: center; vertical-align: bottom; word-break: break-all; }}
table.fs-bm th.n {{ text-align: left; }}
table.fs-bm col.s {{ width: 2.3rem; }}
table.fs-bm col.l {{ width: 3.7rem; }}
table.fs-bm td {{ padding: 3px 2px; vertical-align: middle; }}
table.fs-bm td.n {{ overflow-wrap: anywhere; font-weight: 600; line-height: 1.3; }}
table.fs-bm td.n small, table.fs-bm td.l small {{ display: block; font-weight: 400; font-size: 11px; color: #78909C; }}
table.fs-bm td.n small.w {{ color: {theme.RED}; }}
table.fs-bm td.s {{ text-align: center; border-radius: 4px; font-size: 15px; }}
table.fs-bm td.l {{ text-align: center; font-size: 13px; line-height: 1.25; white-space: nowrap; }}
table.fs-bm tbody tr:nth-child(even) td.n, table.fs-bm tbody tr:nth-child(even) td.l {{ background: #FAFAFA; }}
{_STATUS_CSS}
.fs-cards {{ display: flex; flex-direction: column; gap: 6px; }}
.fs-card {{ border: 1px solid #E0E0E0; border-left: 4px solid var(--fs-accent); border-radius: 6px;
           padding: 6px 10px; color: {theme.TEXT}; font-size: 14px; line-height: 1.45; }}
.fs-card .h {{ display: flex; flex-wrap: wrap; align-items: baseline; gap: 2px 8px; }}
.fs-card .h b {{ font-size: 15px; overflow-wrap: anywhere; }}
.fs-card .flag {{ color: var(--fs-accent); font-weight: 700; white-space: nowrap; }}
.fs-card .t, .fs-card .m {{ font-size: 12px; color: #607D8B; }}
.fs-card .r {{ margin-top: 2px; overflow-wrap: anywhere; }}
.fs-more {{ font-size: 12px; color: #78909C; margin-top: 4px; }}
"""


def _short_star_header(slot: int, types: set[str]) -> str:
    """Two characters per star name (过硬, 兴旺 …); both types' names when the rows mix 村 and 社区."""
    names = sorted({star_name(slot, t).removesuffix("星")[-2:] for t in types},
                   key=lambda n: n != star_name(slot, "村").removesuffix("星")[-2:])
    return "/".join(names)


def battle_grid_html(df: pd.DataFrame, *, several_townships: bool, limit: int = PHONE_ROWS) -> str:
    """battle_map.battle_map rows (in the page's order) as a compact grid: the branch, its five
    status cells (colour and mark) and level/target — readable 390 px wide without scrolling."""
    types = {str(t) for t in df["branch_type"].dropna()} or {"村"}
    legend = "".join(
        f"<span><i class='s-{key}' style='background:{theme.STATUS_COLORS[key]};color:{theme.STATUS_TEXT_COLORS[key]}'>"
        f"{theme.STATUS_ICONS[key]}</i>{theme.STATUS_LABEL[key]}</span>"
        for key in theme.STATUS_ORDER
    )
    head = "<th class='n'>村（社区）</th>" + "".join(
        f"<th>{safe.html(_short_star_header(slot, types))}</th>" for slot in range(1, 6)) + "<th>星级<br>目标</th>"
    rows = []
    for r in df.head(limit).itertuples(index=False):
        notes = []
        if several_townships:
            notes.append(safe.html(r.township))
        if not format.is_missing(r.overdue) and int(r.overdue) > 0:
            notes.append(f"逾期 {int(r.overdue)} 项")
        note = f"<small>{' · '.join(notes)}</small>" if notes else ""
        weak = "<small class='w'>软弱涣散</small>" if r.weak is True or r.weak == 1 else ""
        cells = []
        for slot in range(1, 6):
            key = theme.status_key(getattr(r, f"star_{slot}"))
            cells.append(f"<td class='s s-{key}' title='{theme.STATUS_LABEL[key]}'>{theme.STATUS_ICONS[key]}</td>")
        rows.append(
            f"<tr><td class='n'>{safe.html(r.branch)}{note}{weak}</td>{''.join(cells)}"
            f"<td class='l'>{format.level(r.stars)}<small>目标{format.target(r.target_stars)}</small></td></tr>"
        )
    more = (f"<div class='fs-more'>手机上列出前 {limit} 个（共 {len(df)} 个），可用上方查找或筛选缩小范围；"
            "完整名单请下载 Excel。</div>" if len(df) > limit else "")
    return (f"<style>{CSS}</style><div class='fs-grid' data-testid='fsBattleGrid'><div class='fs-legend'>{legend}</div>"
            "<table class='fs-bm'><colgroup><col class='n'>" + "<col class='s'>" * 5 + "<col class='l'></colgroup>"
            f"<thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>{more}</div>")


def _cell(value: Any) -> str:
    return "" if format.is_missing(value) else str(value)


def flag_cards_html(table: pd.DataFrame, *, accent: str, limit: int = PHONE_ROWS) -> str:
    """A red/black list (format.flag_table) as cards: flag, branch, township, rank · level · score,
    and the reason on its own line."""
    cards = []
    for r in table.head(limit).to_dict("records"):
        meta = [f"第 {int(r['名次'])} 名" if not format.is_missing(r["名次"]) else "",
                _cell(r["星级"]), format.score(r["综合得分"]) + " 分" if not format.is_missing(r["综合得分"]) else ""]
        flag = f"<span class='flag'>{safe.html(r['旗'])}</span>" if _cell(r["旗"]) else ""
        cards.append(
            f"<div class='fs-card'><div class='h'>{flag}<b>{safe.html(_cell(r['村（社区）']))}</b>"
            f"<span class='t'>{safe.html(_cell(r['县（市、区）']))} {safe.html(_cell(r['乡镇（街道）']))}</span>"
            f"<span class='m'>{safe.html(' · '.join(m for m in meta if m))}</span></div>"
            f"<div class='r'>{safe.html(_cell(r['上榜原因']))}</div></div>"
        )
    more = (f"<div class='fs-more'>手机上列出前 {limit} 条（共 {len(table)} 条），完整名单请下载 Excel。</div>"
            if len(table) > limit else "")
    return (f"<style>{CSS}</style><div class='fs-cards' data-testid='fsFlagCards' style='--fs-accent:{accent}'>"
            f"{''.join(cards)}{more}</div>")


# 报送情况: the accent of each status (owing ones red/orange, done ones green).
SUBMISSION_ACCENTS = {"未报送": "#C62828", "已退回": "#D84315", "待审核": "#1565C0", "逾期报送": "#EF6C00",
                      "已报送": "#2E7D32"}


def submission_cards_html(table: pd.DataFrame, *, limit: int = PHONE_ROWS) -> str:
    """The status table (submissions.status_table) as cards: township and status on top, the
    note, received time and branch counts below, the missing branches on their own line."""
    cards = []
    for r in table.head(limit).to_dict("records"):
        accent = SUBMISSION_ACCENTS.get(str(r["状态"]), "#607D8B")
        where = _cell(r.get("县（市、区）", ""))
        counts = ""
        if not format.is_missing(r["报送支部数"]):
            counts = f"报送 {int(r['报送支部数'])} 个支部"
            if not format.is_missing(r["名册支部数"]):
                counts += f" / 名册 {int(r['名册支部数'])} 个"
        meta = " · ".join(m for m in (_cell(r["说明"]), _cell(r["报送时间"]), counts) if m)
        missing = f"<div class='r'>缺报支部：{safe.html(_cell(r['缺报支部']))}</div>" if _cell(r["缺报支部"]) else ""
        cards.append(
            f"<div class='fs-card' style='--fs-accent:{accent}'><div class='h'>"
            f"<b>{safe.html(_cell(r['乡镇（街道）']))}</b><span class='flag'>{safe.html(_cell(r['状态']))}</span>"
            f"<span class='t'>{safe.html(where)}</span></div>"
            f"<div class='m'>{safe.html(meta)}</div>{missing}</div>"
        )
    more = (f"<div class='fs-more'>手机上列出前 {limit} 个（共 {len(table)} 个），完整名单请下载 Excel。</div>"
            if len(table) > limit else "")
    return (f"<style>{CSS}</style><div class='fs-cards' data-testid='fsSubmissionCards'>"
            f"{''.join(cards)}{more}</div>")
