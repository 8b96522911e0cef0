"""排名: branch / township / county rankings with rank-change arrows."""

from __future__ import annotations

import streamlit as st

from analytics import flags, metrics
from ui import awards, charts, components, format, safe, state
from ui.state import SETTINGS

state.entrypoint_guard()
sel = state.require_data()
period, scope = sel.period, sel.scope
assert period is not None
components.page_header("排名", sel)

levels = {"branch": "村（社区）", "township": "乡镇（街道）", "county": "县（市、区）"}
c1, c2 = st.columns([3, 2])
unit = c1.segmented_control("排名对象", list(levels), format_func=levels.__getitem__, default="branch",
                            key="rank_unit") or "branch"
peer = "scope"
if unit == "branch":
    peer_labels = {"scope": "在所选范围内排名", "township": "在本乡镇（街道）内排名"}
    peer = c2.radio("比较范围", list(peer_labels), format_func=peer_labels.__getitem__, key="rank_peer",
                    horizontal=True)

if unit == "branch":
    ranking = state.call("rankings.branch_ranking", period, scope, SETTINGS, peer=peer)
elif unit == "township":
    ranking = state.call("rankings.township_ranking", period, scope, SETTINGS)
else:
    ranking = state.call("rankings.county_ranking", period, scope, SETTINGS)

if ranking.empty:
    st.warning(f"{period.display}在“{safe.md(scope.label)}”范围内没有可排名的数据。")
    st.stop()

st.caption(
    f"按综合得分从高到低排名（并列同名次）；“变化”为与{period.previous().display}相比名次的升降："
    "↑ 上升，↓ 下降，— 不变，新 上期未参与排名。"
    + ("乡镇、县区按所辖支部的平均综合得分排名。" if unit != "branch" else "")
)
# cadence.md §3–§4: the score as configured, 未评分, and which red/black rules this period has.
unscored_note = ("；没有考核评分的支部考核部分按 0 分计，标“未评分”"
                 if float(state.settings().score_weight_assessment) > 0 else "")
st.caption(safe.md(f"{metrics.score_formula(state.settings())}{unscored_note}。红黑榜：{flags.rules_note(period.kind, state.settings())}"))

title, chart_name = f"{levels[unit]}综合得分排名", f"{levels[unit]}排名"
if unit == "branch" and peer == "township":
    # The ranking lists township by township (county, township in name order); a
    # township is its county and name (城关镇 repeats across counties).
    towns = ranking[["county", "township"]].drop_duplicates()
    pairs = zip(towns["county"], towns["township"], strict=True)
    town_of = dict(zip(format.unit_names(towns, "township"), pairs, strict=True))
    chosen = st.selectbox("图表显示的乡镇（街道）", list(town_of), key="rank_chart_township")
    county, township = town_of[chosen]
    # One township's ranking (its branch names are unique): its title and PNG file name say which.
    chart_df = ranking[(ranking["county"] == county) & (ranking["township"] == township)].assign(
        name=lambda df: df["branch"])
    title, chart_name = f"{safe.plot(chosen)}{title}", f"{chosen}{chart_name}"
else:
    # Names told apart over the whole ranking, not only over the rows the chart shows.
    chart_df = format.with_unit_names(ranking, unit)
n_max = len(chart_df)
if n_max > 10:
    top_n = st.slider("图表显示前几名", 5, min(n_max, 100), min(20, n_max), step=5, key="rank_top")
    chart_df = chart_df.head(top_n)
title += f"（前 {len(chart_df)} 名）" if len(chart_df) < n_max else ""
components.chart(
    charts.ranking_bar(chart_df, label="name", title=title, color_by_stars=unit == "branch"),
    chart_name, sel, key="rank_chart",
)

table = format.ranking_table(ranking, unit, quarter=period.kind in format.SNAPSHOT_KINDS)
if unit == "branch" and format.period_note(period.kind):
    st.caption(format.period_note(period.kind))
components.table(table, key="rank_table", pinned="村（社区）" if unit == "branch" else None)
components.xlsx_download(
    "下载排名（Excel）", {f"{levels[unit]}排名": table},
    f"{components.file_stem(levels[unit] + '排名', period.label, scope.label)}.xlsx",
    title=f"{levels[unit]}综合得分排名（{period.display}，{scope.label}）", key="rank_xlsx",
)

# cadence.md §5: for a year, the year-end acceptance (awarded level next to the self-reported one).
if period.kind == "year":
    awards.show(period.start.year, sel, key="rank_awards")
