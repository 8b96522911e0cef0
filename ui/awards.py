"""The year-end acceptance section (年度验收 / 授星, cadence.md §5) shown on 排名, 作战图 and 简报:
the awarded level next to the self-reported one, and the branches awarded less than they reported.

Shown for the year of the selected period (the year view arrives with year periods: then the
pages call ``show`` only when the selected period is a year — see docs/decisions.md).
"""

from __future__ import annotations

import streamlit as st

from ui import components, safe, state
from ui.format import BELOW, award_summary, award_table


def show(year: int, sel: state.Selection, *, key: str) -> None:
    """The section on a page: a summary, the branches below their report, the whole table."""
    df = state.call("awards.award_vs_reported", year, sel.scope)
    st.markdown(f"#### {year}年度验收授星（评定星级与自报星级对照）")
    if df.empty:
        st.caption(f"{year}年度尚未上传验收结果（县区或管理员在“数据上传”上传“验收结果”表后显示）。")
        return
    st.markdown(safe.md(award_summary(df, year)))
    table = award_table(df)
    below = table[table["对比"] == BELOW]
    if len(below):
        components.table(below, key=f"{key}_below", pinned="村（社区）")
    with st.expander(f"全部已验收支部（{len(table)} 个）"):
        components.table(table, key=f"{key}_all", pinned="村（社区）")
