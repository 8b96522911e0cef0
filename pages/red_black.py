"""红黑榜: red and black lists with flags and every reason; printable; Excel export."""

from __future__ import annotations

import streamlit as st

from analytics.flags import REASON_LABELS
from ui import components, format, state
from ui.state import SETTINGS

state.entrypoint_guard()
sel = state.require_data()
period, scope = sel.period, sel.scope
assert period is not None
components.page_header("红黑榜", sel, subtitle=f"{period.display} · 范围：{scope.label} · 每条均注明上榜原因")

red = state.call("flags.red_list", period, scope, SETTINGS)
black = state.call("flags.black_list", period, scope, SETTINGS)
red_table = format.flag_table(red, red=True)
black_table = format.flag_table(black, red=False)

s = state.settings()
codes = st.multiselect(
    "按原因筛选", list(REASON_LABELS), format_func=lambda c: f"{REASON_LABELS[c]}（{c}）", key="rb_codes",
    placeholder="全部原因",
)
if codes:
    keep_red = red["reasons"].map(lambda rs: any(c in rs for c in codes))
    keep_black = black["reasons"].map(lambda rs: any(c in rs for c in codes))
    red_table, black_table = red_table[keep_red.to_numpy()], black_table[keep_black.to_numpy()]
printable = st.toggle("打印版式（完整表格，便于打印或截图）", key="rb_print")

m = st.columns(4)
m[0].metric("红榜", f"{len(red_table)} 条", border=True)
m[1].metric("🚩 红旗", f"{int(red['reasons'].map(lambda r: 'R1' in r).sum())} 个", border=True)
m[2].metric("黑榜", f"{len(black_table)} 条", border=True)
m[3].metric("⚑ 黑旗", f"{int(black['reasons'].map(lambda r: 'B1' in r).sum())} 个", border=True)


def show(title: str, table, color: str, key: str) -> None:
    st.markdown(f"<h3 style='color:{color};margin-bottom:0'>{title}</h3>", unsafe_allow_html=True)
    if table.empty:
        st.caption("本期无")
        return
    if printable:
        shown = table.assign(综合得分=table["综合得分"].map(format.score), 名次=table["名次"].map(
            lambda r: "" if format.is_missing(r) else str(int(r))))
        st.table(shown.astype(object).where(shown.notna(), "").set_index("旗"))
    else:
        components.table(table, key=key, pinned="村（社区）", wide="上榜原因")


show("红榜", red_table, "#C62828", "rb_red")
show("黑榜", black_table, "#212121", "rb_black")

st.caption(
    f"红榜：红旗＝各乡镇（街道）排名第一（至少 {s.red_flag_min_branches} 个支部）；前十＝范围内排名前 {s.red_top_n}；"
    f"晋星＝比{period.previous_word}增加星级；达标＝本期达到创建目标且{period.previous_word}未达到。"
    f"黑榜：黑旗＝各乡镇（街道）排名最后（至少 {s.black_flag_min_branches} 个支部）；降星＝比{period.previous_word}减少星级；"
    f"逾期＝逾期任务 {s.overdue_threshold} 项及以上；未报送＝{period.previous_word}报送、本期未报送；"
    f"停滞＝连续 {s.stagnation_months} 个月星级和已完成任务数没有变化且未达到目标。"
)
components.xlsx_download(
    "下载红黑榜（Excel）", {"红榜": red_table, "黑榜": black_table},
    f"{components.file_stem('红黑榜', period.label, scope.label)}.xlsx",
    title=f"“五星”支部创建红黑榜（{period.display}，{scope.label}）", key="rb_xlsx",
)
