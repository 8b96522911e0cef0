"""红黑榜: red and black lists with flags and every reason; printable; Excel export."""

from __future__ import annotations

import streamlit as st

from analytics.flags import REASON_LABELS, both_lists_note, on_both_lists, reason_label, rules_for, rules_note
from ui import components, format, mobile, safe, state, theme
from ui.state import SETTINGS

state.entrypoint_guard()
sel = state.require_data()
period, scope = sel.period, sel.scope
assert period is not None
components.page_header("红黑榜", sel, subtitle=f"{period.display} · 范围：{scope.label} · 每条均注明上榜原因")
# cadence.md §4: which rules this kind of period is judged by (a month has no 黑旗 by default).
judged = rules_for(period.kind, state.settings())
st.info(safe.md(rules_note(period.kind, state.settings())), icon=":material/event_note:")

red = state.call("flags.red_list", period, scope, SETTINGS)
black = state.call("flags.black_list", period, scope, SETTINGS)
both_note = both_lists_note(on_both_lists(red, black))  # of the whole lists, whatever the filter
red_table = format.flag_table(red, red=True, kind=period.kind)
black_table = format.flag_table(black, red=False, kind=period.kind)

s = state.settings()
codes = st.multiselect(
    "按原因筛选", [c for c in REASON_LABELS if c in judged],
    format_func=lambda c: f"{reason_label(c, period.kind)}（{c}）", key="rb_codes",
    placeholder="全部原因", select_all=False,  # no English "Select all" entry
)
if codes:
    keep_red = red["reasons"].map(lambda rs: any(c in rs for c in codes)).to_numpy()
    keep_black = black["reasons"].map(lambda rs: any(c in rs for c in codes)).to_numpy()
    red, black = red[keep_red], black[keep_black]  # the cards below count what the tables show
    red_table, black_table = red_table[keep_red], black_table[keep_black]
printable = st.toggle("打印版式（完整表格，便于打印或截图）", key="rb_print")

filtered = "按所选原因筛选后的条数，与下方表格一致。" if codes else None
m = st.columns(4)
m[0].metric("红榜", f"{len(red_table)} 条", border=True, help=filtered)
m[1].metric(reason_label("R1", period.kind) if period.kind == "week" else theme.flag_mark(True),
            f"{int(red['reasons'].map(lambda r: 'R1' in r).sum())} 个" if "R1" in judged else "不评",
            border=True, help=filtered)
m[2].metric("黑榜", f"{len(black_table)} 条", border=True, help=filtered)
m[3].metric(theme.flag_mark(False),
            f"{int(black['reasons'].map(lambda r: 'B1' in r).sum())} 个" if "B1" in judged else "不评",
            border=True, help=filtered or (None if "B1" in judged else rules_note(period.kind, state.settings())))
if both_note:
    st.warning(safe.md(both_note), icon=":material/info:")  # names branches and townships


def show(title: str, table, color: str, key: str) -> None:
    st.markdown(f"<h3 style='color:{safe.html(color)};margin-bottom:0'>{safe.html(title)}</h3>", unsafe_allow_html=True)
    if table.empty:
        st.caption("本期无")
        return
    with st.container(key=f"phone_{key}"):  # phones: one card per entry, its reason on its own line
        st.html(mobile.flag_cards_html(table, accent=color))
    if printable:
        shown = table.assign(综合得分=table["综合得分"].map(format.score), 名次=table["名次"].map(
            lambda r: "" if format.is_missing(r) else str(int(r))))
        # st.table renders each cell as Markdown: names and reasons as text.
        st.container(key=f"desk_{key}_print").table(
            shown.astype(object).where(shown.notna(), "").map(safe.md).set_index("旗"))
    else:
        with st.container(key=f"desk_{key}"):
            components.table(table, key=key, pinned="村（社区）", wide="上榜原因")


show("红榜", red_table, "#C62828", "rb_red")
show("黑榜", black_table, "#212121", "rb_black")

st.caption(
    f"红榜：红旗＝各乡镇（街道）排名第一（至少 {s.red_flag_min_branches} 个支部）；前十＝范围内排名前 {s.red_top_n}；"
    f"晋星＝比{period.previous_word}增加星级；达标＝本期达到创建目标且{period.previous_word}未达到。"
    f"黑榜：黑旗＝各乡镇（街道）排名最后（至少 {s.black_flag_min_branches} 个支部）；降星＝比{period.previous_word}减少星级；"
    f"逾期＝逾期任务 {s.overdue_threshold} 项及以上；未报送＝{period.previous_word}报送（或已列入支部名册）、本期未报送；"
    f"停滞＝连续 {s.stagnation_months} 个月星级和已完成任务数没有变化且未达到目标。"
)
components.xlsx_download(
    "下载红黑榜（Excel）", {"红榜": red_table, "黑榜": black_table},
    f"{components.file_stem('红黑榜', period.label, scope.label)}.xlsx",
    title=f"“五星”支部创建红黑榜（{period.display}，{scope.label}）", note=both_note or None, key="rb_xlsx",
)
