"""数据上传: check ledgers (preview or full error list), confirm to load, history with rollback, template."""

from __future__ import annotations

import hashlib
from collections import Counter

import pandas as pd
import streamlit as st

from analytics import access, ingest, store
from analytics.exports import problems_frame, problems_to_xlsx
from analytics.ingest import cadence
from analytics.ingest.cadence import period_display
from analytics.ingest.model import ParsedLedger
from analytics.periods import Period, add_months
from analytics.scope import Scope
from analytics.template import build_template, template_file_name
from ui import components, register_upload, safe, state, theme
from ui.state import SETTINGS

state.entrypoint_guard()
st.title("数据上传")
st.caption("上传各乡镇（街道）的月度台账；县区还可上传考核评分表（量化考核、观摩评分）和年度验收结果。系统先逐条检查，确认无误后才写入；同一乡镇同一月份重复上传时以新版本为准，旧版本可回滚恢复。")
s = state.settings()
info = state.store_info()
sel = state.selection()



def own_kind_preview(parsed: ParsedLedger) -> pd.DataFrame:
    """Assessment scores as one row per branch with its items and total; acceptance as read."""
    if parsed.kind == "assessment":
        rows = parsed.assessment.to_pandas()
        wide = rows.pivot_table(index=["county", "township", "branch"], columns="item", values="points",
                                aggfunc="first", sort=False)
        items = [c for c in wide.columns if c != "总分"] + (["总分"] if "总分" in wide.columns else [])
        return wide[items].reset_index().rename(columns={
            "county": "县（市、区）", "township": "乡镇（街道）", "branch": "村（社区）"})
    rows = parsed.awards.to_pandas()
    return pd.DataFrame({"县（市、区）": rows["county"], "乡镇（街道）": rows["township"], "村（社区）": rows["branch"],
                         "评定星级": rows["awarded_stars"], "验收时间": rows["accepted_at"]})


# --- template -----------------------------------------------------------------
with st.expander("下载标准台账模板", expanded=info.empty, icon=":material/table_view:"):
    st.markdown(
        "模板含 **星级台账**（每个村/社区一行）、**任务台账**（每项重点任务一行，可选）和 **填表说明** 三张表，"
        "状态、创建目标等列带下拉选项。其他格式的台账只要表头含有所需的列，也可以直接上传。"
    )
    t1, t2 = st.columns(2)
    t1.download_button(
        "下载空白模板", data=build_template(), file_name=template_file_name(),
        mime=components.XLSX_MIME, icon=":material/download:", key="tpl_blank", on_click="ignore",
    )
    if sel.period is not None and sel.scope.township:
        bm = state.call("battle_map.battle_map", sel.period, Scope(sel.scope.county, sel.scope.township), SETTINGS)
        nxt = Period.of_month(add_months(sel.period.end.replace(day=1), 1))
        filled = build_template(
            period=nxt.label, county=sel.scope.county, township=sel.scope.township,
            branches=bm[["county", "township", "branch", "branch_type", "target_stars"]].to_dict("records"),
        )
        t2.download_button(
            f"下载{safe.md(sel.scope.township)}预填模板（{nxt.display}，含 {len(bm)} 个支部名单）", data=filled,
            file_name=template_file_name(nxt.label, sel.scope.township), mime=components.XLSX_MIME,
            icon=":material/download:", key="tpl_filled", on_click="ignore",
        )
    else:
        t2.caption("在左侧选择一个乡镇（街道），可下载预填了该乡镇支部名单的模板。")

# --- upload and check -------------------------------------------------------------
st.subheader("上传台账")
c1, c2, c3 = st.columns(3)
period_text = c1.text_input("报送期间（表格中没有时填写）", key="up_period", placeholder="如 2024-08，周报如 2024-W35",
                            help="台账填月份（2024-08），周报填周（2024-W35）；考核评分表可填季度（2024Q3），"
                                 "验收结果可填年度（2024）。")
county_text = c2.text_input("县（市、区）（表格中没有县区时填写）", key="up_county", placeholder="如 甲县")
who = state.actor()
uploader = c3.text_input("上传人", key="up_uploader", value=who.name or who.login, placeholder="姓名或单位")
period_arg: str | None = None
if period_text.strip():
    try:
        picked = Period.parse(period_text.strip())
        if picked.kind == "half":  # half-years are derived, never uploaded
            raise ValueError(picked.kind)
        period_arg = picked.label
    except ValueError:
        # cadence.md §2/§5: another form the validator reads for a score or acceptance sheet.
        period_arg = cadence.period_arg(period_text)
        if period_arg is None:
            st.error(f"报送期间“{safe.md(period_text)}”无法识别，请写成 2024-08 这样的年-月格式，周报写成 2024-W35"
                     "（考核评分可写季度 2024Q3，验收结果可写年度 2024）。")
county_arg = county_text.strip() or None

files = st.file_uploader(
    f"选择台账文件（可多选；支持 xlsx、xlsm、xls、csv，单个不超过 {s.max_upload_mb} MB）",
    # Any file is taken (the widget's own refusal is an English tooltip on a red icon);
    # ingest.stage refuses other types with a Chinese message naming the file and the types.
    type=None, accept_multiple_files=True, max_upload_size=int(s.max_upload_mb),
    key=f"up_files_{st.session_state.get('up_generation', 0)}",
)

def show_problems(table: pd.DataFrame, *, key: str) -> None:
    """A problem list people can act on: the explanation (how to fix) wraps over up to four
    lines instead of ending in "…"; the narrow columns leave it room, and every column fits
    a desktop screen (the grid draws only the columns in view)."""
    widths = {"类型": 48, "代码": 128, "工作表": 70, "单元格": 92, "行": 40, "列": 36, "单元格内容": 86,
              "问题说明及修改方法": 360}
    st.dataframe(
        table, hide_index=True, key=key, placeholder="", row_height=100,
        height=min(40 + 100 * len(table), 40 + 100 * 6),
        column_config={c: st.column_config.TextColumn(width=w) if c != "行" else
                       st.column_config.NumberColumn(width=w) for c, w in widths.items()},
    )


# Staged files (their raw bytes included) live in this session only while they are selected:
# at most max_staged_files files / max_staged_mb MB; imported batches and removed files are freed.
old_cache: dict[tuple[str, str | None, str | None], ingest.Staged] = st.session_state.get("staged", {})
cache: dict[tuple[str, str | None, str | None], ingest.Staged] = {}
staged_list: list[ingest.Staged] = []
if files:
    # register.md §1: the register in force is applied while checking (its type wins; warnings).
    register_lookup = None if info.empty else state.call("register.type_lookup")
    limit_files, limit_bytes = int(s.max_staged_files), float(s.max_staged_mb) * 1024 * 1024
    held, over = 0, []
    progress = st.progress(0.0, text="正在检查台账……")
    for i, f in enumerate(files, start=1):
        if len(staged_list) >= limit_files or held + f.size > limit_bytes:
            over.append(f.name)
            continue
        data = f.getvalue()
        key = (hashlib.sha256(data).hexdigest(), period_arg, county_arg)
        if key not in cache:
            if key in old_cache:
                cache[key] = old_cache[key]
            else:
                with st.status(f"正在检查 {safe.md(f.name)}（{len(data) / 1024 / 1024:.1f} MB）……",
                               expanded=False) as status:
                    cache[key] = ingest.stage(data, f.name, period=period_arg, county=county_arg, settings=s,
                                              register=register_lookup)
                    status.update(label=f"已检查 {safe.md(f.name)}", state="complete")
            held += len(data)
        staged_list.append(cache[key])
        progress.progress(i / len(files), text=f"已检查 {i}/{len(files)} 个文件")
    progress.empty()
    if over:
        st.warning(f"一次最多检查 {limit_files} 个文件、合计 {s.max_staged_mb} MB；以下 {len(over)} 个文件未检查，"
                   f"请先导入本批，再上传它们：{safe.md('、'.join(over))}")
st.session_state["staged"] = cache  # only what is selected now: removed files are freed

# Files of this batch for the same township-month: only the one the user picks is imported.
overlaps = ingest.batch_overlaps(staged_list)
skip: set[int] = set()
conflict_of: dict[int, list[int]] = {}
for group in overlaps:
    for i in group:
        conflict_of[i] = [j for j in group if j != i]
# An identical re-upload of a version in force: say so before the user confirms.
identical: dict[int, str] = {}
if not info.empty:
    for idx, sf in enumerate(staged_list):
        if sf.ok and sf.parsed is not None:
            dup = state.call("store.find_current_duplicate", sf.sha256, sf.parsed.period, sorted(sf.scope),
                             sf.parsed.period_kind)
            if dup:
                identical[idx] = dup

for idx, sf in enumerate(staged_list):
    with st.container(border=True):
        if sf.ok and sf.parsed is not None:
            period_label = period_display(sf.parsed.period_kind, sf.parsed.period)
            own_kind = sf.parsed.kind != "ledger"  # assessment scores / acceptance (cadence.md §2, §5)
            if idx in identical:
                st.markdown(f"**{theme.MARK_OK} {safe.md(sf.file_name)}** — 与已生效的上传 {identical[idx]} 完全相同，"
                            "导入不会有任何变化")
            else:
                st.markdown(f"**{theme.MARK_OK} {safe.md(sf.file_name)}** — 检查通过，可以导入")
            if idx in conflict_of:
                others = "、".join(staged_list[j].file_name for j in conflict_of[idx])
                st.warning(f"与本批的 {safe.md(others)} 是同一乡镇（街道）同一月份的台账：同时导入时后一个会替换前一个。"
                           "请在下方“同一乡镇同一月份的文件”中选择要导入的一个，另一个不导入。", icon=":material/warning:")
            m = st.columns(4)
            kind_word = {"assessment": "考核评分", "acceptance": "验收结果"}.get(sf.parsed.kind)
            m[0].metric("验收年度" if sf.parsed.kind == "acceptance" else "考核期间" if own_kind
                        else "报送周" if sf.parsed.period_kind == "week" else "报送月份", period_label)
            m[1].metric("支部", f"{sf.parsed.n_branches} 个")
            if own_kind:
                m[2].metric("类别", kind_word or "")
            else:
                m[2].metric("任务", f"{sf.parsed.tasks.num_rows} 条")
            m[3].metric("提示", f"{len(sf.warnings)} 条")
            replaces = "" if idx in identical else "导入后将替换这些乡镇该月已有的数据（旧版本可回滚）。"
            st.caption(f"覆盖范围：{safe.md(ingest.format_scope(sf.scope, max_townships=12))}。{replaces}")
            if sf.skipped_sheets:
                st.caption(f"未读取的工作表：{safe.md('、'.join(sf.skipped_sheets))}")
            if own_kind:
                with st.expander("预览将写入的数据（前 50 行）"):
                    st.dataframe(own_kind_preview(sf.parsed).head(50), hide_index=True, key=f"up_preview_{idx}",
                                 placeholder=components.MISSING)
            else:
                preview = sf.parsed.branches.to_pandas()
                with st.expander("预览将写入的数据（前 50 行）"):
                    cols = ["county", "township", "branch", "branch_type", "target_stars", "stars", "tasks_done", "tasks_total"]
                    st.dataframe(preview[cols].head(50).rename(columns={
                        "county": "县（市、区）", "township": "乡镇（街道）", "branch": "村（社区）", "branch_type": "类型",
                        "target_stars": "创建目标", "stars": "星级", "tasks_done": "已完成任务", "tasks_total": "任务总数"}),
                        hide_index=True, key=f"up_preview_{idx}", placeholder=components.MISSING)
            if sf.warnings:
                with st.expander(f"提示（不影响导入）：{len(sf.warnings)} 条"):
                    show_problems(problems_frame(sf.warnings), key=f"up_warn_{idx}")
        else:
            total = max(sf.errors_total, len(sf.errors))
            st.markdown(f"**{theme.MARK_ERROR} {safe.md(sf.file_name)}** — 未通过检查，不会导入（共 {total} 个问题）")
            st.caption("请按下表逐条修改原文件后重新上传。“单元格”即 Excel 左上角名称框中的位置。")
            table = problems_frame(list(sf.errors) + list(sf.warnings))
            show_problems(table, key=f"up_err_{idx}")
            if total > len(sf.errors):
                st.caption(f"仅列出前 {len(sf.errors)} 个问题，其余 {total - len(sf.errors)} 个请修改后再次检查。")
            st.download_button(
                "下载问题清单（Excel）", data=problems_to_xlsx(list(sf.errors) + list(sf.warnings), file_name=sf.file_name),
                file_name=f"问题清单_{sf.file_name.rsplit('.', 1)[0]}.xlsx", mime=components.XLSX_MIME,
                key=f"up_err_xlsx_{idx}", icon=":material/download:", on_click="ignore",
            )

if overlaps:
    st.markdown("##### 同一乡镇同一月份的文件")
    for group in overlaps:
        sf0 = staged_list[group[0]]
        pick = st.radio(
            f"{period_display(sf0.parsed.period_kind, sf0.parsed.period) if sf0.parsed else ''} "
            f"{safe.md(ingest.format_scope(sf0.scope, max_townships=6))}：选择要导入的文件（其余不导入）",
            group, index=None, format_func=lambda i: safe.md(staged_list[i].file_name),  # radio options are Markdown
            key="up_pick_" + hashlib.sha256("|".join(staged_list[i].sha256 for i in group).encode()).hexdigest()[:16],
        )
        skip.update(i for i in group if i != pick)
accepted = [sf for i, sf in enumerate(staged_list) if sf.ok and i not in skip]
if staged_list:
    refused = sum(1 for sf in staged_list if not sf.ok)
    held_back = len(skip)
    if accepted:
        label = f"确认导入 {len(accepted)} 个文件" + (f"（另有 {refused} 个未通过，不导入）" if refused else "") + (
            f"（{held_back} 个同乡镇同月份的文件不导入）" if held_back else "")
        if st.button(label, type="primary", key="up_confirm", icon=":material/check:"):
            results = []
            with st.status("正在导入……", expanded=True) as status:
                for sf in accepted:
                    try:
                        result = ingest.load(sf, db=state.db_path(), uploader=uploader.strip() or None, settings=s,
                                             actor=who)
                    except store.StoreError as exc:
                        st.error(f"{safe.md(sf.file_name)}：{safe.md(exc)}")
                        continue
                    results.append(result)
                    st.write(safe.md(f"{sf.file_name}：{getattr(result, 'notice', '') or ('已导入' if result.ok else '未导入')}"))
                status.update(label=f"导入完成：{sum(r.ok for r in results)} 个文件", state="complete")
            st.session_state["up_done"] = [getattr(r, "notice", "") or r.file for r in results]
            st.session_state["staged"] = {}
            state.clear_caches()
            st.session_state["up_generation"] = st.session_state.get("up_generation", 0) + 1
            st.rerun()
    elif skip:
        st.warning("请先在上方选择同一乡镇同一月份的文件中要导入的一个。")
    else:
        st.warning("没有可导入的文件：请按问题清单修改后重新上传。")
for notice in st.session_state.pop("up_done", []):
    st.success(safe.md(notice))  # notices name files and townships

# --- the branch register and declared goals (register.md) ---------------------------
register_upload.render()

# --- history and rollback ------------------------------------------------------------
st.subheader("上传历史")
HISTORY_ROWS = 300
records = state.call("store.list_uploads", limit=HISTORY_ROWS)
if not records:
    st.caption("还没有上传记录。")
    st.stop()
n_total = state.call("store.count_uploads")
if n_total > len(records):
    st.caption(f"共 {n_total} 次上传，下面列出最近 {len(records)} 次；全部历史可用命令 `python -m analytics uploads` 查看。")
hist = pd.DataFrame([{
    "上传编号": r.upload_id,
    "上传时间": r.uploaded_at,
    "文件名": r.file_name,
    "上传人": r.uploader or "",
    "月份": r.period_label,  # 名册 for a register upload (it has no month)
    # A register names its counties; a county-wide file (scores, acceptance, a district ledger) its
    # township count: the column stays narrow.
    "范围": "、".join(dict.fromkeys(c for c, _ in r.scope)) if r.is_register
    else ingest.format_scope(r.scope, max_townships=2) if len(r.scope) <= 2 else "；".join(
        f"{c}：{n} 个乡镇（街道）" for c, n in sorted(Counter(c for c, _t in r.scope).items())),
    "支部": r.n_branches,
    "任务": r.n_tasks,
    "提示": len(r.warnings),
    "状态": store.STATUS_LABELS.get(r.status, r.status) + ("（示例）" if r.is_demo else ""),
    "回滚": f"{r.rolled_back_at:%Y-%m-%d %H:%M} {r.rolled_back_by or ''}".strip() if r.rolled_back_at else "",
} for r in records])
st.dataframe(hist, hide_index=True, key="up_history", placeholder=components.MISSING,
             column_config={"上传时间": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm")})
components.xlsx_download("下载上传历史（Excel）", {"上传历史": hist.assign(范围=[ingest.format_scope(r.scope) for r in records])},
                         "上传历史.xlsx", title="台账上传历史", key="up_hist_xlsx")

st.markdown("##### 回滚一次上传")
st.caption("回滚后，该次上传涉及的乡镇恢复为此前的版本（没有更早版本的则不再有该月数据）。原始文件仍保存在历史中。")
live = [r for r in records if r.counts]
if not live:
    st.caption("没有可回滚的上传。")
    st.stop()
by_id = {r.upload_id: r for r in live}
choice = st.selectbox(
    "选择要回滚的上传", list(by_id), key="rb_choice",
    format_func=lambda u: f"{u} · {by_id[u].file_name} · {by_id[u].period_label} · {store.STATUS_LABELS.get(by_id[u].status, '')}",
)
rb_reason = st.text_input("回滚原因（必填，记入操作记录）", key="rb_reason", placeholder="如：该乡镇报错了月份")
# One confirmation box per upload: a tick given for one row never carries over to the next
# (after a rollback the selection moves on to another upload with an unticked box).
confirm = st.checkbox(f"我确认要回滚 {choice}（{safe.md(by_id[choice].file_name)}）", key=f"rb_confirm_{choice}")
if st.button("回滚", disabled=not confirm, key="rb_do", icon=":material/undo:"):
    try:
        access.require_rollback(who, by_id[choice].scope, rb_reason)
        with state.write_store() as con:
            rec = store.rollback(con, choice, by=uploader.strip() or None, actor=who, reason=rb_reason.strip())
        state.clear_caches()
        st.session_state["up_done"] = [f"已回滚 {rec.upload_id}（{rec.file_name}），相关乡镇已恢复为此前的版本。"]
        st.session_state.pop(f"rb_confirm_{choice}", None)
        st.rerun()
    except (store.StoreError, access.AccessDenied) as exc:
        st.error(safe.md(exc))
