"""报送审核: the county's queue of township submissions (before → after per branch, accept or
return with a reason); a township sees its own submissions, their state and the reason."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from analytics import access, review, store
from analytics.ingest import format_scope
from ui import components, safe, state

state.entrypoint_guard()
st.title("报送审核")
who = state.actor()
reviewer = who.role in ("admin", "county") or access.full_rights(who)
st.caption(
    "乡镇（街道）账号上传的台账先进入这里等待审核，审核通过前不计入任何统计；通过后立即生效并替换该乡镇该月此前的版本（可回滚）。"
    if reviewer else "本乡镇（街道）提交的台账及审核结果。被退回的报送请按原因修改后重新上传。"
)

PREVIEW_HEADERS = {
    "township": "乡镇（街道）", "branch": "村（社区）", "stars_before": "星级（现）", "stars_after": "星级（报送）",
    "tasks_done_before": "已完成任务（现）", "tasks_done_after": "已完成任务（报送）",
    "target_before": "创建目标（现）", "target_after": "创建目标（报送）", "change": "变化",
}


def _done(message: str) -> None:
    state.clear_caches()
    st.session_state["review_notice"] = message
    st.rerun()


notice = st.session_state.pop("review_notice", None)
if notice:
    st.success(safe.md(notice))

if reviewer:
    queue = state.call("review.pending")
    st.subheader(f"待审核（{len(queue)} 份）")
    if not queue:
        st.caption("没有待审核的报送。")
    for rec in queue:
        with st.container(border=True):
            st.markdown(
                f"**{rec.upload_id}** · {safe.md(rec.file_name)} · {rec.period_display} · "
                f"{safe.md(format_scope(rec.scope, max_townships=3))} · 提交人 {safe.md(rec.submitted_by or '—')} · "
                f"{rec.uploaded_at:%Y-%m-%d %H:%M}"
            )
            preview = state.call("review.preview", rec.upload_id)
            changed = preview[preview["change"] != "same"]
            st.caption(f"支部 {len(preview)} 个：新增 {int((preview['change'] == 'added').sum())}、"
                       f"有变化 {int((preview['change'] == 'changed').sum())}、"
                       f"本次未报 {int((preview['change'] == 'dropped').sum())}。下表列出有变化的支部（现 → 报送）。")
            shown = changed.assign(change=changed["change"].map(review.CHANGE_LABELS))[list(PREVIEW_HEADERS)]
            components.table(shown.rename(columns=PREVIEW_HEADERS).reset_index(drop=True), key=f"rv_prev_{rec.upload_id}",
                             height=min(38 + 35 * max(len(shown), 1), 420))
            c1, c2, c3 = st.columns([1, 2, 1])
            if c1.button("审核通过", key=f"rv_ok_{rec.upload_id}", type="primary", icon=":material/check:"):
                try:
                    with state.write_store() as con:
                        done = review.accept(con, rec.upload_id, actor=who)
                except (access.AccessDenied, store.StoreError) as exc:
                    st.error(safe.md(str(exc)))
                else:
                    extra = f"；另一份报送 {'、'.join(done.auto_returned)} 已自动退回" if done.auto_returned else ""
                    _done(f"已通过 {rec.upload_id}，现已生效{extra}。")
            reason = c2.text_input("退回原因", key=f"rv_reason_{rec.upload_id}", placeholder="如：一村星级与实际不符，请核实",
                                   label_visibility="collapsed")
            if c3.button("退回", key=f"rv_back_{rec.upload_id}", icon=":material/undo:"):
                try:
                    with state.write_store() as con:
                        review.return_upload(con, rec.upload_id, actor=who, reason=reason)
                except (access.AccessDenied, store.StoreError) as exc:
                    st.error(safe.md(str(exc)))
                else:
                    _done(f"已退回 {rec.upload_id}，乡镇（街道）可以看到原因。")

st.subheader("报送记录" if reviewer else "本乡镇（街道）的报送")
records = state.call("review.submissions")
if not records:
    st.caption("还没有报送记录。")
else:
    table = pd.DataFrame([{  # the state and the reason first: what a township looks for
        "上传编号": r.upload_id,
        "月份": r.period_label,
        "状态": store.STATUS_LABELS.get(r.status, r.status),
        "退回原因": r.review_reason or "",
        "文件名": r.file_name,
        "上传时间": r.uploaded_at,
        "提交人": r.submitted_by or r.uploader or "",
        "审核人": r.reviewed_by or "",
        "范围": format_scope(r.scope, max_townships=3),
    } for r in records])
    st.dataframe(table, hide_index=True, key="rv_history", placeholder=components.MISSING,
                 column_config={"上传时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm"),
                                "退回原因": st.column_config.TextColumn(width="large")})
