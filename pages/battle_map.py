"""作战图: per-branch status grid, hierarchy view, one branch's tasks and history."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import streamlit as st

from ui import awards, charts, components, format, mobile, safe, state, theme
from ui.state import SETTINGS

if TYPE_CHECKING:
    import pandas as pd

state.entrypoint_guard()
sel = state.require_data()
period, scope = sel.period, sel.scope
assert period is not None
components.page_header("作战图", sel)

bm = state.call("battle_map.battle_map", period, scope, SETTINGS)
if bm.empty:
    st.warning(f"{period.display}在“{safe.md(scope.label)}”范围内没有台账数据。")
    st.stop()

# --- filters ----------------------------------------------------------------
f1, f2 = st.columns(2)
search = f1.text_input("查找村（社区）", key="bm_search", placeholder="输入名称中的字")
levels = f2.multiselect("星级", [5, 4, 3, 2, 1, 0], format_func=format.level, key="bm_levels", placeholder="全部星级",
                        select_all=False)  # no English "Select all" entry
flags = st.pills("只看", ["未达目标", "有逾期任务", "软弱涣散", "有未填报的星"], selection_mode="multi", key="bm_flags")

view = bm
if search:
    view = view[view["branch"].astype(str).str.contains(search.strip(), regex=False)]
if levels:
    view = view[view["stars"].isin(levels)]
if "未达目标" in flags:
    view = view[view["gap"].fillna(0) > 0]
if "有逾期任务" in flags:
    view = view[view["overdue"].fillna(0) > 0]
if "软弱涣散" in flags:
    view = view[view["weak"].fillna(False).astype(bool)]
if "有未填报的星" in flags:
    view = view[view[[f"star_{i}" for i in range(1, 6)]].isna().any(axis=1)]
view = view.sort_values(["county", "township", "rank", "branch"], kind="stable").reset_index(drop=True)

st.caption(f"共 {len(bm)} 个支部，当前显示 {len(view)} 个。点击表头可排序；勾选一行可在下方查看该支部的任务和逐月情况。"
           "颜色：绿色 已达标，黄色 创建中，红色 未启动，灰色 未填报。")
# the Excel download holds every row
full_table = format.battle_table(view, quarter=period.kind in format.SNAPSHOT_KINDS)
if format.period_note(period.kind):
    st.caption(format.period_note(period.kind))
n_all = len(view)
if n_all > components.BATTLE_PAGE_ROWS:
    # A scope too large for one table: the township summary, then the branches page by page.
    st.markdown("##### 各乡镇（街道）汇总")
    components.table(format.township_summary(view), key="bm_towns", height=320)
    n_pages = -(-len(view) // components.BATTLE_PAGE_ROWS)
    if not 1 <= st.session_state.get("bm_page", 1) <= n_pages:
        st.session_state["bm_page"] = 1
    page_no = int(st.number_input(
        f"支部明细：第几页（共 {n_pages} 页，每页 {components.BATTLE_PAGE_ROWS} 个；Excel 下载包含全部 {len(view)} 个）",
        min_value=1, max_value=n_pages, step=1, key="bm_page"))
    view = view.iloc[(page_no - 1) * components.BATTLE_PAGE_ROWS:page_no * components.BATTLE_PAGE_ROWS]
    view = view.reset_index(drop=True)
table = format.battle_table(view, quarter=period.kind in format.SNAPSHOT_KINDS)
star_cols = format.star_headers(view)
if len(table) <= components.STYLER_MAX_ROWS:
    shown: object = table.style.map(format.status_css, subset=star_cols).format(  # type: ignore[arg-type]
        {"任务完成率": format.pct, "综合得分": format.score}, na_rep=components.MISSING)
else:  # large scopes: coloured marks instead of cell colours (Styler is too slow here)
    marks = {label: format.status_cell(key) for key, label in theme.STATUS_LABEL.items()}  # ● 已达标 …
    shown = table.assign(**{c: table[c].map(marks) for c in star_cols},
                         任务完成率=table["任务完成率"] * 100)
with st.container(key="phone_bm_grid"):  # phones: the compact grid (ui/mobile.py)
    st.html(mobile.battle_grid_html(view, several_townships=view["township"].nunique() > 1))
event = st.container(key="desk_bm_table").dataframe(  # desktop: the full grid
    shown,  # type: ignore[arg-type]
    hide_index=True,
    placeholder=components.MISSING,
    height=components.fit_height(len(table)),  # every branch in a full-page screenshot (up to 100)
    on_select="rerun",
    selection_mode="single-row",
    key="bm_table",
    column_config={
        "村（社区）": st.column_config.TextColumn(pinned=True),
        **({} if len(table) <= components.STYLER_MAX_ROWS
           else {"任务完成率": st.column_config.NumberColumn(format="%.1f%%"),
                 "综合得分": st.column_config.NumberColumn(format="%.1f")}),
        "差距": st.column_config.NumberColumn(help="创建目标 − 当前星级（已达目标为 0）"),
        "逾期任务": st.column_config.NumberColumn(help="完成时限已过、尚未完成的任务数"),
    },
)
components.overflow_note(len(table))
fetch_tasks = state.deferred("problems.scope_tasks", period, scope, SETTINGS)
fetch_problems = state.deferred("problems.scope_problems", period, scope, SETTINGS)
components.xlsx_download(  # the 任务 and 问题清单 sheets are read only when the user downloads
    "下载作战图（Excel）",
    lambda: {"作战图": full_table, "任务": format.task_detail_table(fetch_tasks(), with_unit=True),
             "问题清单": format.problem_table(fetch_problems(), with_unit=True)},
    f"{components.file_stem('作战图', period.label, scope.label)}.xlsx",
    title=f"“五星”支部创建作战图（{period.display}，{scope.label}）", key="bm_xlsx",
)

# --- hierarchy --------------------------------------------------------------
st.subheader("层级视图")
if n_all > components.BATTLE_PAGE_ROWS:
    st.caption("支部太多，层级视图画不下：请在左侧选择县（市、区）或乡镇（街道）后查看。")
elif st.toggle("显示层级视图（县区 → 乡镇 → 支部，颜色为星级）", value=len(view) <= 400, key="bm_show_tree"):
    components.chart(charts.hierarchy_treemap(view), "层级视图", sel, key="bm_treemap")

# --- one star across the branches (分星推进) -----------------------------------
st.subheader("分星推进")
star_labels = format.star_headers(bm)
slot = st.segmented_control("选择一颗星", [1, 2, 3, 4, 5], format_func=lambda s: star_labels[s - 1], default=1,
                            key="bm_star") or 1
# A scope larger than one page (a province: ~52,000 branches) shows its per-township summary and the
# branches page by page (whole townships, at most BATTLE_PAGE_ROWS a page), like the grid above. The
# lists show the first STAR_LIST_ROWS rows of the page's branches; the counts cover every branch.
# The lists are read only while one of their expanders is open (they rerun the page when toggled).
star_page = int(st.session_state.get("bm_star_page", 1))
lists_open = bool(st.session_state.get("bm_star_tasks_box")) or bool(st.session_state.get("bm_star_problems_box"))
sv = state.call("problems.star_view", period, scope, int(slot), SETTINGS, components.STAR_LIST_ROWS,
                components.BATTLE_PAGE_ROWS, star_page, lists=lists_open)
sv_towns = sv["townships"]
star_pages = int(sv_towns["page"].max()) if len(sv_towns) else 1
if not 1 <= star_page <= star_pages:  # a page of another period / scope: back to the first
    star_page = st.session_state["bm_star_page"] = 1
    sv = state.call("problems.star_view", period, scope, int(slot), SETTINGS, components.STAR_LIST_ROWS,
                    components.BATTLE_PAGE_ROWS, star_page, lists=lists_open)
    sv_towns = sv["townships"]
sv_branches, sv_tasks, sv_problems = sv["branches"], sv["tasks"], sv["problems"]
sv_sum = {c: int(sv_towns[c].sum()) for c in ("branches", "achieved", "in_progress", "not_started", "unknown", "tasks",
                                              "tasks_done", "tasks_accepted", "tasks_overdue", "open_problems",
                                              "overdue_problems")}
st.caption(
    f"{star_labels[slot - 1]}：{sv_sum['branches']} 个支部，"
    + "、".join(f"{theme.STATUS_LABEL[k]} {sv_sum[k]} 个" for k in theme.STATUS_ORDER)
    + f"；该星重点任务 {sv_sum['tasks']} 项（已完成 {sv_sum['tasks_done']} 项，"
    f"已验收 {sv_sum['tasks_accepted']} 项，逾期 {sv_sum['tasks_overdue']} 项）；"
    f"未销号问题 {sv_sum['open_problems']} 个（逾期 {sv_sum['overdue_problems']} 个）。"
)
if star_pages > 1:
    st.markdown("##### 各乡镇（街道）汇总")
    components.table(format.star_township_table(sv_towns), key="bm_star_towns", height=320)
    star_page = int(st.number_input(
        f"支部明细：第几页（共 {star_pages} 页，按乡镇（街道）分页，每页至多 {components.BATTLE_PAGE_ROWS} 个支部）",
        min_value=1, max_value=star_pages, step=1, key="bm_star_page"))
star_table = format.star_view_table(sv_branches, several_townships=sv_branches["township"].nunique() > 1)
star_shown: object = star_table
if len(star_table) <= components.STYLER_MAX_ROWS:
    star_shown = star_table.style.map(format.status_css, subset=["状态"])  # type: ignore[arg-type]
with st.container(key="desk_bm_star"):
    st.dataframe(star_shown, hide_index=True, key="bm_star_table", placeholder="",  # type: ignore[arg-type]
                 height=components.fit_height(len(star_table)),
                 column_config={"村（社区）": st.column_config.TextColumn(pinned=True)})
with st.container(key="phone_bm_star"):  # phones: the branch, its status and the counts that matter
    st.dataframe(star_table[["村（社区）", "状态", "已完成", "任务", "未销号问题"]], hide_index=True, placeholder="",
                 key="bm_star_table_phone", height=components.fit_height(len(star_table)))
page_word = "本页支部" if star_pages > 1 else ""
page_tasks = int(sv_branches["tasks"].sum())
page_problems = int(sv_branches["open_problems"].sum())
tasks_box = st.expander(f"{star_labels[slot - 1]}的重点任务（{sv_sum['tasks']} 项）", key="bm_star_tasks_box",
                        on_change="rerun")
problems_box = st.expander(f"{star_labels[slot - 1]}的未销号问题（{sv_sum['open_problems']} 个）",
                           key="bm_star_problems_box", on_change="rerun")


def _star_list(box: Any, rows: pd.DataFrame, total: int, page_total: int, unit: str, rest: str,
               table: Any, key: str, empty: str) -> None:
    """One of 分星推进's lists (tasks / open problems of the star) in its expander, drawn only while open."""
    if not box.open:
        return
    with box:
        if len(rows) < total:
            st.caption(f"下表列出{page_word}前 {len(rows)} {unit}{f'（本页共 {page_total} {unit}）' if page_word else ''}；"
                       f"{rest}")
        if len(rows):
            shown = table(rows.assign(star_slot=slot, star_name=star_labels[slot - 1]), with_unit=True)
            st.dataframe(format.overdue_style(shown.drop(columns=["所属星"])), hide_index=True, placeholder="", key=key)
        else:
            st.caption(empty)


_star_list(tasks_box, sv_tasks, sv_sum["tasks"], page_tasks, "项", "全部任务见“下载作战图（Excel）”的“任务”表。",
           format.task_detail_table,
           "bm_star_tasks", "本期没有该星的任务。")
_star_list(problems_box, sv_problems, sv_sum["open_problems"], page_problems, "个",
           "全部问题见“下载作战图（Excel）”的“问题清单”表。", format.problem_table,
           "bm_star_problems", "本期没有该星的未销号问题。")

# --- year-end acceptance (cadence.md §5): for a year, awarded next to self-reported ------
if period.kind == "year":
    with st.container(key="bm_awards"):
        awards.show(period.start.year, sel, key="bm_awards")

# --- one branch ---------------------------------------------------------------
st.subheader("支部详情")
keys = [f"{r.county}|{r.township}|{r.branch}" for r in view.itertuples(index=False)]
rows = event.selection.rows if event and event.selection else []
if rows and rows[0] < len(keys):
    st.session_state["bm_branch"] = keys[rows[0]]
if not keys:
    st.info("没有符合筛选条件的支部。")
    st.stop()
# Default: the first branch in grid order that has a task sheet this period (else the first row).
# A default picked for another period/scope is replaced; a branch the user picked is kept.
context = (period.label, scope.county, scope.township, scope.branch_type)
auto = st.session_state.get("bm_branch_auto")
if st.session_state.get("bm_branch") not in keys or (
        auto is not None and auto[0] != context and st.session_state.get("bm_branch") == auto[1]):
    counts = state.call("battle_map.branch_task_counts", period, scope, SETTINGS)
    with_tasks = {f"{c}|{t}|{b}" for c, t, b in zip(counts["county"], counts["township"], counts["branch"],
                                                      strict=True)}
    st.session_state["bm_branch"] = next((k for k in keys if k in with_tasks), keys[0])
    st.session_state["bm_branch_auto"] = (context, st.session_state["bm_branch"])
several = view["county"].nunique() > 1
choice = st.selectbox(
    "选择支部", keys, key="bm_branch",
    format_func=lambda v: " / ".join(v.split("|")[0 if several else 1:]),
)
county, township, branch = choice.split("|", 2)
row = view[(view["county"] == county) & (view["township"] == township) & (view["branch"] == branch)].iloc[0]
weak_rec = state.call("problems.branch_weak_record", period, county, township, branch)
secretary = row["secretary"] if not format.is_missing(row["secretary"]) else (weak_rec or {}).get("secretary")
# 包村领导 and 创建专班 from the branch register (register.md §1); else the rectification record's liaison.
registered_liaison = row.get("liaison")
liaison, liaison_label = (registered_liaison, "包村领导") if not format.is_missing(registered_liaison) else (
    (weak_rec or {}).get("liaison"), "包联领导")
team = row.get("team")
st.markdown(
    f"**{safe.md(branch)}**（{safe.md(township)}，{safe.md(row['branch_type'])}）　星级 **{format.level(row['stars'])}**　"
    f"创建目标 **{format.target(row['target_stars'])}**　综合得分 **{format.score(row['score'])}**　"
    f"书记 {safe.md(secretary) if not format.is_missing(secretary) else '—'}"
    + (f"　{liaison_label} {safe.md(liaison)}" if not format.is_missing(liaison) else "")
    + (f"　创建专班 {safe.md(team)}" if not format.is_missing(team) else "")
    + ("　:red-badge[软弱涣散]" if bool(row["weak"]) else "")
)
# Tasks and the month-by-month chart each take the full width (side by side the
# table lost its last columns and the chart's month ticks stood on end).
tasks = state.call("problems.branch_task_detail", period, county, township, branch)
if tasks.empty:
    st.info("该支部本期没有报送任务台账。")
else:
    n_over = int(tasks["overdue"].fillna(False).astype(bool).sum())
    n_done = int(tasks["done"].fillna(False).astype(bool).sum())
    n_acc = int(tasks["accepted"].fillna(False).astype(bool).sum())
    st.caption(f"重点任务 {len(tasks)} 项：已完成 {n_done} 项，已验收 {n_acc} 项，逾期 {n_over} 项（红色）。按所属星分组。")
    for star_name, group in format.task_groups(tasks):
        g_done = int(group["done"].fillna(False).astype(bool).sum())
        st.markdown(f"**{safe.md(star_name)}**　{len(group)} 项，已完成 {g_done} 项")
        # The heading names the star; optional columns nobody filled in this branch are left out.
        shown = format.drop_empty(format.task_detail_table(group).drop(columns=["所属星"]),
                                  ["专班人员", "领星人", "责任单位", "完成时间", "验收时间"])
        with st.container(key=f"desk_bm_tasks_{group['_group'].iloc[0]}"):
            st.dataframe(format.overdue_style(shown), hide_index=True, placeholder="",
                         height=components.fit_height(len(shown)))
        with st.container(key=f"phone_bm_tasks_{group['_group'].iloc[0]}"):  # phones: task and its state only
            phone = format.phone_task_table(shown)
            st.dataframe(format.overdue_style(phone), hide_index=True, placeholder="",
                         column_order=["重点任务", "完成时限", "状态"], height=components.fit_height(len(phone)))
problems = state.call("problems.branch_problems", period, county, township, branch)
st.markdown("##### 问题清单")
if problems.empty:
    st.caption("该支部本期没有报送问题清单。")
else:
    closed = problems["closed"].fillna(False).astype(bool)
    n_p_over = int(problems["overdue"].fillna(False).astype(bool).sum())
    st.caption(f"问题 {len(problems)} 个：未销号 {int((~closed).sum())} 个（逾期 {n_p_over} 个，红色），已销号 {int(closed.sum())} 个。")
    shown_p = format.problem_table(problems)
    st.dataframe(format.overdue_style(shown_p), hide_index=True, key="bm_problems", placeholder="",
                 height=components.fit_height(len(shown_p)))
if weak_rec is not None and (bool(weak_rec.get("weak")) or weak_rec.get("record_period") is not None):
    st.markdown("##### 软弱涣散整顿")
    items = [("整顿状态", weak_rec.get("state")), ("认定情形", weak_rec.get("situations")),
             ("整顿措施", weak_rec.get("plan")), ("包联领导", weak_rec.get("liaison")),
             ("认定时间", format.day(weak_rec.get("identified")) if weak_rec.get("identified") else None),
             ("销号时间", format.day(weak_rec.get("cleared")) if weak_rec.get("cleared") else None),
             ("台账存在问题", weak_rec.get("ledger_problems"))]
    st.markdown("\n".join(f"- **{k}**：{safe.md(v)}" for k, v in items if not format.is_missing(v))
                or "本期台账标记为软弱涣散，未报送整顿记录。")
history = state.call("battle_map.branch_history", county, township, branch, SETTINGS)
with st.container(key="desk_bm_history"):
    components.chart(charts.branch_history_chart(history, title=f"{safe.plot(branch)} 逐月情况"), f"{branch}逐月情况",
                     sel, key="bm_history")
with st.container(key="phone_bm_history"):  # month ticks spaced for a 390 px screen
    components.chart(charts.branch_history_chart(history, title=f"{safe.plot(branch)} 逐月情况", compact=True),
                     f"{branch}逐月情况", sel, key="bm_history_phone")
