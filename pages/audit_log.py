"""操作记录: the audit log (access.md §4) with filters and an Excel download — an administrator
sees everything, a county account its county (decided in analytics.access, not here)."""

from __future__ import annotations

from datetime import date, timedelta

import streamlit as st

from analytics.accounts import ROLE_LABELS
from analytics.audit import ACTION_LABELS
from ui import components, state

state.entrypoint_guard()
st.title("操作记录")
st.caption("谁在什么时间做了什么：登录、上传、审核、回滚、账号变更、备份与恢复等。记录只增不改，不含任何密码。")

today = date.today()
c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
span = c1.date_input("时间范围", value=(today - timedelta(days=30), today), key="al_span", format="YYYY-MM-DD")
action = c2.selectbox("操作", [None, *ACTION_LABELS], key="al_action",
                      format_func=lambda a: "全部操作" if a is None else ACTION_LABELS[a])
account = c3.text_input("账号（登录名）", key="al_account", placeholder="全部账号").strip() or None
# The unit filter: the sidebar's county/township (an account's reach is applied below the page).
unit = state.selection().scope
c4.text_input("单位", value=unit.label, disabled=True, key="al_unit", help="在左侧“查看范围”中选择县（市、区）和乡镇（街道）")
start, end = (span[0], span[1]) if isinstance(span, tuple) and len(span) == 2 else (today - timedelta(days=30), today)

events = state.call("audit.list_events", since=start, until=end + timedelta(days=1), action=action, account=account,
                    county=unit.county, township=unit.township)
events["role"] = events["role"].map(lambda r: ROLE_LABELS.get(r, "命令行" if r == "" else r))
table = events.rename(columns={
    "at": "时间", "account": "账号", "role": "角色", "action_label": "操作", "object": "对象",
    "county": "县（市、区）", "township": "乡镇（街道）", "period": "月份", "details": "详情",
})[["时间", "账号", "角色", "操作", "对象", "县（市、区）", "乡镇（街道）", "月份", "详情"]]
st.caption(f"共 {len(table)} 条记录（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）。")
st.dataframe(table, hide_index=True, key="al_table", placeholder=components.MISSING,
             column_config={"时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
                            "详情": st.column_config.TextColumn(width="large")})
components.xlsx_download("下载操作记录（Excel）", {"操作记录": table},
                         f"操作记录_{start:%Y%m%d}-{end:%Y%m%d}.xlsx",
                         title=f"操作记录（{start:%Y-%m-%d} 至 {end:%Y-%m-%d}）", key="al_xlsx")
