"""总览: KPI cards, level distribution, per-star progress, targets, declared goals per unit, trend."""

from __future__ import annotations

import streamlit as st

from analytics import metrics
from ui import charts, components, format, safe, state
from ui.state import SETTINGS

state.entrypoint_guard()
sel = state.require_data()
period, scope = sel.period, sel.scope
assert period is not None
components.page_header("总览", sel)

k = state.call("metrics.kpis", period, scope, SETTINGS)
prev = period.previous().display
targets = k.get("targets", {})

if k["branches"]["value"] == 0:
    st.warning(f"{period.display}在“{safe.md(scope.label)}”范围内没有台账数据。请换一个月份或范围，或到“数据上传”页补报。")
    st.stop()

row1 = st.columns(4)
row1[0].metric("支部总数", f"{k['branches']['value']} 个", format.int_delta(k["branches"]["delta"]),
               delta_color="off", help=f"与{prev}相比", border=True)
row1[1].metric("三星及以上", f"{k['at_least_three']['value']} 个", format.int_delta(k["at_least_three"]["delta"]),
               help=f"与{prev}相比", border=True)
row1[2].metric("三星及以上占比", format.pct(k["at_least_three_share"]["value"]),
               format.pp_delta(k["at_least_three_share"]["delta"]), help=f"与{prev}相比", border=True)
row1[3].metric("平均综合得分", format.score(k["avg_score"]["value"]), format.float_delta(k["avg_score"]["delta"]),
               help=metrics.score_formula(state.settings()), border=True)

row2 = st.columns(4)
for col, key, lv in ((row2[0], "five", 5), (row2[1], "four", 4), (row2[2], "three", 3)):
    declared = targets.get(lv, 0)
    col.metric(f"{format.level(lv)}支部 · 目标{declared}个", f"{k[key]['value']} 个",
               format.int_delta(k[key]["delta"]), help=f"恰好 {lv} 星的支部数，与{prev}相比；括号内为申报该目标的支部数",
               border=True)
row2[3].metric("任务完成率", format.pct(k["task_rate"]["value"]), format.pp_delta(k["task_rate"]["delta"]),
               help="已完成重点任务 ÷ 重点任务总数", border=True)
# Weak branches, problem lists and acceptance (battle-map.md §4): the scope's total row.
counts = state.call("problems.unit_problem_weak_counts", period, scope, SETTINGS, by_unit=False)
total = counts[counts["level"] == "total"].iloc[0]
has_prev = not format.is_missing(k["branches"]["delta"])  # the previous period has data
row3 = st.columns(4)
row3[0].metric("软弱涣散支部", f"{int(total['weak'])} 个",
               format.int_delta(int(total["weak"]) - int(total["weak_prev"])) if has_prev else None,
               delta_color="inverse", help=f"与{prev}相比（{prev} {int(total['weak_prev'])} 个）", border=True)
row3[1].metric("软弱涣散已转化", f"{int(total['weak_cleared'])} 个", f"{period.previous_word} {int(total['weak_prev'])} 个",
               delta_color="off", delta_arrow="off",
               help=f"{prev}为软弱涣散、本期不再是软弱涣散的支部数", border=True)
row3[2].metric("未销号问题", f"{int(total['open_problems'])} 个", f"逾期 {int(total['overdue_problems'])} 个",
               delta_color="red" if int(total["overdue_problems"]) else "off", delta_arrow="off",
               help="问题清单中尚未销号的问题数；逾期 = 未销号且整改时限已过", border=True)
row3[3].metric("已验收任务", f"{int(total['tasks_accepted'])} 项", f"已完成 {int(total['tasks_done'])} 项",
               delta_color="off", delta_arrow="off",
               help=f"重点任务共 {int(total['tasks_total'])} 项：已完成的项数，其中已验收（销号）的项数", border=True)
as_of = k.get("data_as_of")
st.caption(
    # A week's data is as of its Sunday (its rows are that week's reports).
    (f"数据截至 {period.end.year}年{period.end.month}月{period.end.day}日" if as_of and period.kind == "week"
     else f"数据截至 {as_of.year}年{as_of.month}月" if as_of else "数据截至：暂无"),
    help="季度统计取每个支部在该季度内最新一个月的台账。",
)

# --- distribution -----------------------------------------------------------
st.subheader("星级分布")
by_options = {"county": "按县（市、区）", "township": "按乡镇（街道）", "branch_type": "按村/社区"}
default_by = "township" if (scope.county or len(set(state.store_info().options["county"])) == 1) else "county"
if scope.township:
    default_by = "branch_type"
by = st.segmented_control("分组", list(by_options), format_func=by_options.__getitem__, default=default_by,
                          key="overview_by", label_visibility="collapsed") or default_by
left, right = st.columns([3, 2])
with left:
    dist = state.call("metrics.level_distribution", period, scope, by=by)
    n_units = len(dist[["unit", "county"]].drop_duplicates())
    if n_units > charts.MAX_UNIT_BARS:
        # Hundreds of bars are unreadable: every unit in a sortable table instead.
        hint = "选择县（市、区）后可看该县各乡镇（街道）的条形图。" if by == "township" and not scope.county else ""
        st.caption(f"共 {n_units} 个{format.UNIT_HEADERS[by]}，条形图显示不下，下表列出全部（点击列标题可排序）。{hint}")
        components.table(format.distribution_table(dist, by), key="overview_dist_table")
    else:
        mode = "share" if st.toggle("按占比显示", key="overview_share") else "count"
        by_titles = {"county": "各县（市、区）星级分布", "township": "各乡镇（街道）星级分布", "branch_type": "村与社区星级分布"}
        components.chart(charts.level_distribution_bars(dist, title=by_titles[by], mode=mode),
                         "星级分布", sel, key="overview_dist")
with right:
    overall = state.call("metrics.level_distribution", period, scope)
    components.chart(charts.level_bar(overall, title="星级分布（合计）"), "星级分布合计", sel, key="overview_total")

# --- per star and targets ------------------------------------------------------------
left, right = st.columns(2)
with left:
    status = state.call("metrics.star_status_distribution", period, scope)
    components.chart(charts.star_status_bars(status), "分星创建进度", sel, key="overview_stars")
with right:
    progress = state.call("metrics.target_progress", period, scope)
    components.chart(charts.target_progress_chart(progress), "创建目标完成情况", sel, key="overview_targets")

# --- declared goals per unit (register.md §2) ----------------------------------
components.goals_table(state.call("goals.goal_progress", period, scope, SETTINGS), sel, state.settings())

# --- trend ------------------------------------------------------------------
trend = state.call("metrics.trend", scope, SETTINGS, end=period)  # by week when a week is shown
weekly = period.kind == "week"
trend_title = "每周趋势" if weekly else "月度趋势"
if weekly:  # week labels are a list of ticks: one chart per width (spaced for a 390 px screen on a phone)
    with st.container(key="desk_overview_trend"):
        components.chart(charts.trend_chart(trend, title=trend_title, weekly=True), trend_title, sel,
                         key="overview_trend")
    with st.container(key="phone_overview_trend"):
        components.chart(charts.trend_chart(trend, title=trend_title, compact=True, weekly=True), trend_title, sel,
                         key="overview_trend_phone")
else:  # months: one chart, its labels spaced by plotly for the width it is drawn at
    components.chart(charts.trend_chart(trend, title=trend_title, any_width=True), trend_title, sel,
                     key="overview_trend")
if gaps := format.trend_gaps_note(trend, weekly=weekly):
    st.caption(gaps)
