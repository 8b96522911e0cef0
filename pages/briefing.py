"""简报: a one-page, screenshot-ready summary with offline HTML and Excel downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import flags, goals, metrics
from ui import briefing, components, safe, state
from ui.state import SETTINGS

PRESENT_CHART_HEIGHT = 300  # px, the level chart in the presentation view (340 on the page)

state.entrypoint_guard()
sel = state.require_data()
period, scope = sel.period, sel.scope
assert period is not None
info = state.store_info()

several_counties = not scope.county and info.options["county"].nunique() > 1
# One distribution query: per unit (the chart), added up for the whole scope.
by = "branch_type" if scope.township else "county" if several_counties else "township"
uploads_in_force = state.call("store.count_uploads", in_force_only=True)
by_unit = state.call("metrics.level_distribution", period, scope, by=by)
heads = state.call("flags.list_heads", period, scope, SETTINGS, briefing.LIST_ROWS)
goal_progress = state.call("goals.goal_progress", period, scope, SETTINGS)  # declared goals per unit
b = briefing.make_briefing(
    period, scope,
    kpis=state.call("metrics.kpis", period, scope, SETTINGS),
    distribution=metrics.total_distribution(by_unit),
    township_distribution=None if scope.township else by_unit,
    # The page shows the ends of the ranking and the first entries of each list ...
    ranking=state.call("rankings.branch_ranking_ends", period, scope, SETTINGS,
                       top=briefing.TOP_N, bottom=briefing.BOTTOM_N),
    red=heads.red,
    black=heads.black,
    several_counties=several_counties,
    uploads=uploads_in_force,
    last_upload=info.last_upload,
    demo=info.has_demo,
    problem_counts=state.call("problems.unit_problem_weak_counts", period, scope, SETTINGS, by_unit=False).iloc[0],
    goals=goal_progress,
    goals_notice=goals.setting_notice(goal_progress, state.settings()),
    score_note=metrics.score_formula(state.settings(), divide="÷").replace("任务完成率", "重点任务完成率"),
    rules_note="红黑榜" + flags.rules_note(period.kind, state.settings()),
    # cadence.md §5: for a year, its acceptance (awarded next to self-reported levels).
    awards=state.call("awards.award_vs_reported", period.start.year, scope) if period.kind == "year" else None,
    award_year=period.start.year,
)
# ... the workbook the complete lists, computed when it is downloaded.
complete = [state.deferred("rankings.branch_ranking", period, scope, SETTINGS),
            state.deferred("flags.red_list", period, scope, SETTINGS),
            state.deferred("flags.black_list", period, scope, SETTINGS)]

present = state.presenting()  # ?view=present: nothing but the briefing (app.py hides the rest)
if present:
    with st.container(key="present_exit"):
        st.button("退出演示视图", icon=":material/close:", key="brief_exit", on_click=state.set_presenting,
                  args=(False,))
else:
    d1, d2, d3, _ = st.columns([1, 1, 1, 1])
    with d1:
        st.download_button("下载离线简报（HTML）", data=lambda: briefing.to_html(b), file_name=f"{b.file_stem}.html",
                           mime="text/html", icon=":material/download:", key="brief_html", on_click="ignore",
                           help="单个文件，内含图表脚本，无需联网即可打开、打印或另存为 PDF。")
    with d2:
        st.download_button("下载简报表格（Excel）", file_name=f"{b.file_stem}.xlsx",
                           data=lambda: briefing.to_xlsx(b, briefing.complete_tables(*(fetch() for fetch in complete))),
                           mime=components.XLSX_MIME, icon=":material/download:", key="brief_xlsx", on_click="ignore")
    with d3:
        st.button("演示视图", icon=":material/slideshow:", key="brief_present", on_click=state.set_presenting,
                  args=(True,), help="只显示简报：没有侧栏、按钮和提示，便于投屏、截图和打印（网址加 ?view=present 同效）。")

# Title, subtitle and summary name the county and township: text, never markup.
st.markdown(f"<h1 style='text-align:center;color:#B71C1C;margin-bottom:0'>{safe.html(b.title)}</h1>",
            unsafe_allow_html=True)
st.markdown(f"<p style='text-align:center;color:#546E7A'>{safe.html(b.subtitle)}</p>", unsafe_allow_html=True)
st.info(safe.md(b.summary), icon=":material/summarize:")

# The presentation view is one A4 page (components.PRESENT_CSS): six cards a row, tables in pairs.
# One st.columns per row of cards, so that a phone (two cards a row) keeps their order.
per_row = 6 if present else 4
for start in range(0, len(b.headlines), per_row):
    for col, h in zip(st.columns(per_row), b.headlines[start:start + per_row], strict=False):
        if present:  # no help icons: the note stands under the number, as in the offline HTML
            col.metric(h.label, h.value, h.note or None, delta_color="off", delta_arrow="off", border=True)
        else:
            col.metric(h.label, h.value, help=h.note or None, border=True)

fig_cols = st.columns(len(b.figures)) if len(b.figures) > 1 else [st.container()]
for col, (name, fig) in zip(fig_cols, b.figures, strict=True):
    with col:
        if present and name == "星级分布":  # lower: the presentation view is one A4 page (the unit
            fig.update_layout(height=PRESENT_CHART_HEIGHT)  # bars' height already follows their rows)
        components.chart(fig, name, sel, key=f"brief_fig_{name}")


def show_table(title: str, table: pd.DataFrame, note: str) -> None:
    st.markdown(f"#### {title}")
    if table.empty:
        st.caption("本期无")
        return
    # The same markup as the offline HTML: one line per cell (long reasons wrap),
    # full width, scrolling sideways on a phone instead of breaking names per character.
    st.html(f"<style>{briefing.TABLE_CSS}</style>{briefing.table_html(table)}")
    if note:
        st.caption(note)


if present:  # side by side: top and bottom of the ranking, 红榜 and 黑榜
    rank_tables = [t for t in b.tables if t[0].startswith("综合得分")]
    for pair in (rank_tables, [t for t in b.tables if t not in rank_tables]):
        for col, t in zip(st.columns(2), pair, strict=False):
            with col:
                show_table(*t)
else:
    for t in b.tables:
        show_table(*t)
st.caption(b.source_note)
