"""报送情况: who submitted the month's (or week's) ledger, who is late, who still owes one (register.md §3)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from analytics.periods import Period, add_months
from analytics.submissions import STATUSES, due_date, reminder_text, status_counts, status_table
from ui import components, mobile, safe, state
from ui.state import SETTINGS

state.entrypoint_guard()
sel = state.require_data()
assert sel.period is not None
scope = sel.scope
info = state.store_info()
settings = state.settings()
today = date.today()

st.title("报送情况")
pick, _ = st.columns([1, 3])
if sel.period.kind == "week":
    # Weekly ledgers (cadence.md §1): the sidebar's week, or another week with weekly reports.
    weeks = sorted(info.weeks, reverse=True)
    chosen = pick.selectbox("报送周", weeks, index=weeks.index(sel.period.start) if sel.period.start in weeks else 0,
                            key="sub_week", format_func=lambda w: Period.of_week(w).display)
    period = Period.of_week(chosen)
else:
    # The month: the sidebar's (a quarter: its latest month with data), or a later month nobody
    # has reported yet up to last month — the one offices chase in the first days of a month.
    default = sel.period.start if sel.period.kind == "month" else max(m for m in info.months if m <= sel.period.end)
    last_month = add_months(today.replace(day=1), -1)
    later = []
    month = add_months(info.months[-1], 1)
    while month <= last_month and len(later) < 3:
        later.append(month)
        month = add_months(month, 1)
    months = sorted({*info.months, *later}, reverse=True)
    chosen = pick.selectbox("报送月份", months, index=months.index(default), key="sub_month",
                            format_func=lambda m: f"{m.year}年{m.month}月")
    period = Period.of_month(chosen)
due = due_date(period, settings)
# The whole line as text: the scope label holds names from the ledgers.
st.caption(safe.md(f"{period.display}台账 · 范围：{scope.label} · 报送截止 {due.year}年{due.month}月{due.day}日"
                   f"（按 {today.year}年{today.month}月{today.day}日 统计）"))
if sel.period.kind not in ("month", "week"):
    st.caption(f"报送情况按月（或按周）统计：此处显示{period.display}。")

frame = state.call("submissions.status", period, scope, SETTINGS, today=today)
if frame.empty:
    st.info(f"{period.display}在所选范围内没有应报送的乡镇（街道）："
            + ("前两周没有任何乡镇报送周报。" if period.kind == "week"
               else "没有上传支部名册，前两个月也没有任何乡镇报送台账。"))
    st.stop()

counts = status_counts(frame)
cols = st.columns(len(STATUSES))
helps = {"已报送": "审核通过、在截止日期前报送", "逾期报送": "审核通过，但在截止日期之后报送",
         "待审核": "已报送，等待县区审核", "已退回": "报送被退回，须修改后重新报送",
         "未报送": "还没有收到台账" + ("（已过截止日期）" if today > due else "")}
for col, name in zip(cols, STATUSES, strict=True):
    col.metric(name, f"{counts[name]} 个", border=True, help=helps[name])

several = frame["county"].nunique() > 1
table = status_table(frame, several_counties=several)
st.subheader(safe.md(f"各乡镇（街道）报送情况 · {period.display} · {scope.label}"))
# Column widths that fit a 1440 px screen without scrolling sideways (a screenshot shows every column).
WIDTHS = {"乡镇（街道）": 110, "县（市、区）": 90, "状态": 72, "说明": 150, "报送时间": 128, "上传编号": 72,
          "报送支部数": 80, "名册支部数": 80, "缺报支部": 220}
config = {col: (st.column_config.NumberColumn(width=w) if col.endswith("支部数")
                else st.column_config.TextColumn(width=w, pinned=col == "乡镇（街道）"))
          for col, w in WIDTHS.items() if col in table.columns}
with st.container(key="desk_sub_table"):
    st.dataframe(table, hide_index=True, key="sub_table", height=components.fit_height(len(table)),
                 column_config=config, placeholder=components.MISSING)  # type: ignore[arg-type]
    components.overflow_note(len(table))
with st.container(key="phone_sub_cards"):
    st.html(mobile.submission_cards_html(table))

reminder = reminder_text(frame, period, due, scope, today)
st.subheader("催报提醒")
if reminder:
    st.caption("点右上角的复制按钮，粘贴到工作群。")
    st.code(reminder, language=None, wrap_lines=True)
else:
    st.success("所有应报送的乡镇（街道）都已报送或正在审核，无需催报。", icon=":material/check_circle:")

count_frame = pd.DataFrame({"状态": list(counts), "乡镇（街道）数": list(counts.values())})
components.xlsx_download(
    "下载报送情况（Excel）", {"报送情况": table, "统计": count_frame},
    f"{components.file_stem('报送情况', period.label, scope.label)}.xlsx",
    title=f"“五星”支部创建台账报送情况（{period.display}，{scope.label}）",
    note=f"报送截止 {due:%Y-%m-%d}，按 {today:%Y-%m-%d} 统计", key="sub_xlsx",
)
st.caption(
    f"每月 {int(settings.monthly_due_day)} 日前报送上月台账（设置 monthly_due_day）；周报在周后的第 "
    f"{int(settings.weekly_due_weekday)} 天前报送（设置 weekly_due_weekday）。应报送的乡镇（街道）：按月，已上传支部名册的县区"
    "为名册中的乡镇（街道）（已撤并的除外），没有名册的县区为前两个月报送过台账的乡镇（街道）；按周，为前两周报送过周报的乡镇（街道）。"
    "报送时间为提交时间（不是审核时间）；同一乡镇多次报送时，以最早一份仍有效的审核通过报送为准。"
    "缺报支部：名册中有、报送的台账中没有的支部。"
)
