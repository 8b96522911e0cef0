"""数据上传 → 支部名册 / 创建目标 (register.md §1–§2): templates, check and import, the register
in force and the branches to reconcile. The page section; the work is in ``analytics.register``
(rights enforced there too: ``access.register_refusal``)."""

from __future__ import annotations

import hashlib

import pandas as pd
import streamlit as st

from analytics import access, register, store
from analytics.audit import Actor
from analytics.exports import problems_frame
from analytics.register_template import build_register_template, register_template_file_name
from ui import components, safe, state, theme

UNREGISTERED_LABELS = {"county": "县（市、区）", "township": "乡镇（街道）", "branch": "村（社区）",
                       "branch_type": "台账中的类型", "last_period": "最近报送月份", "months": "报送月数",
                       "reason": "情况"}
SUMMARY_LABELS = {"county": "县（市、区）", "branches": "名册支部", "villages": "村", "communities": "社区",
                  "merged": "撤并", "new": "新设", "goal_rows": "目标条数", "upload_id": "名册版本"}
GOAL_LABELS = {"county": "县（市、区）", "township": "乡镇（街道）", "goal_5": "五星", "goal_4": "四星",
               "goal_3": "三星", "due_text": "完成时限"}


def render() -> None:
    who = state.actor()
    may_import = access.register_refusal(who, [who.county] if who.county else []) is None
    st.subheader("支部名册 / 创建目标")
    st.caption(
        "县（市、区）导入本县的支部名册（每个村、社区一行：类型、支部书记、包村领导、创建专班、状态）和创建目标"
        "（如“五星2个、四星7个、三星5个”）。导入后替换本县此前的整个名册（旧版本可在上传历史中回滚）；"
        "此后导入的台账以名册中的类型为准（名为“…社区”而按村的标准创建的，名册填“村”即可），"
        "名册中没有的支部会提示并列在下方，便于核对。"
    )
    summary = state.call("register.register_summary")
    county_scope = who.county if who.county else None
    with st.expander("下载名册模板", icon=":material/table_view:", expanded=summary.empty and may_import):
        st.markdown("模板含 **支部名册** 和 **创建目标** 两张表，类型（村/社区）和状态（在册/撤并/新设）带下拉选项。")
        t1, t2 = st.columns(2)
        t1.download_button("下载空白名册模板", data=build_register_template(),
                           file_name=register_template_file_name(), mime=components.XLSX_MIME,
                           icon=":material/download:", key="reg_tpl_blank", on_click="ignore")
        if state.store_info().empty:
            t2.caption("还没有任何台账或名册，无法预填支部名单。")
        else:
            # Built on click (a province's register is tens of thousands of rows): the branches the
            # store knows within the account's reach, with the register's fields where it has them.
            fetch_known = state.deferred("register.known_branches")
            fetch_goals = state.deferred("register.goal_rows")
            t2.download_button(
                "下载预填名册（已知的全部支部和目标）",
                data=lambda: build_register_template(branches=fetch_known().to_dict("records"),
                                                     goals=fetch_goals().to_dict("records"), county=county_scope),
                file_name=register_template_file_name(county_scope, prefilled=True), mime=components.XLSX_MIME,
                icon=":material/download:", key="reg_tpl_filled", on_click="ignore")

    if may_import:
        _import_form(who)
    else:
        st.caption("支部名册和创建目标由县（市、区）管理员或系统管理员导入。")

    if summary.empty:
        st.caption("还没有县（市、区）导入支部名册：台账照常导入，类型按名称判断。")
        return
    st.markdown("##### 生效中的名册")
    components.table(summary[list(SUMMARY_LABELS)].rename(columns=SUMMARY_LABELS), key="reg_summary")
    goals = state.call("register.goal_rows")
    if not goals.empty:
        shown = goals.assign(township=goals["township"].fillna("（县本级）"))[list(GOAL_LABELS)]
        st.markdown("##### 创建目标")
        components.table(shown.rename(columns=GOAL_LABELS), key="reg_goals")
    missing = state.call("register.unregistered_branches")
    st.markdown("##### 名册外支部（待核对）")
    if missing.empty:
        st.caption("台账中的支部都在名册中。")
        return
    st.caption(f"共 {len(missing)} 个支部在台账中、但不在本县（市、区）的名册中（或名册中已撤并）："
               "请在名册中补充后重新导入，或改正台账中的名称。")
    table = missing.rename(columns=UNREGISTERED_LABELS)
    components.table(table, key="reg_missing")
    components.xlsx_download("下载名册外支部（Excel）", {"名册外支部": table}, "名册外支部.xlsx",
                             title="台账中有、名册中没有的支部", key="reg_missing_xlsx")


def _import_form(who: Actor) -> None:
    c1, c2 = st.columns([1, 2])
    county_text = c1.text_input("县（市、区）（表格中没有县区时填写）", key="reg_county",
                                value=who.county or "", placeholder="如 二七区")
    file = c2.file_uploader("选择名册文件（xlsx、xls、csv）", type=None, accept_multiple_files=False,
                            key=f"reg_file_{st.session_state.get('reg_generation', 0)}")
    for notice in st.session_state.pop("reg_done", []):
        st.success(safe.md(notice))
    if file is None:
        return
    data = file.getvalue()
    county_arg = county_text.strip() or None
    key = (hashlib.sha256(data).hexdigest(), county_arg)
    cache: dict[tuple[str, str | None], register.StagedRegister] = st.session_state.get("reg_staged", {})
    if key not in cache:
        with st.spinner(f"正在检查 {safe.md(file.name)}……"):
            cache = {key: register.stage(data, file.name, county=county_arg, settings=state.settings())}
        st.session_state["reg_staged"] = cache
    staged = cache[key]
    with st.container(border=True):
        if not staged.ok or staged.parsed is None:
            total = max(staged.errors_total, len(staged.errors))
            st.markdown(f"**{theme.MARK_ERROR} {safe.md(staged.file_name)}** — 未通过检查，不会导入（共 {total} 个问题）")
            st.caption("请按下表逐条修改原文件后重新上传。“单元格”即 Excel 左上角名称框中的位置。")
            st.dataframe(problems_frame(list(staged.errors) + list(staged.warnings)), hide_index=True,
                         key="reg_errors")
            return
        parsed = staged.parsed
        st.markdown(f"**{theme.MARK_OK} {safe.md(staged.file_name)}** — 检查通过，可以导入")
        m = st.columns(4)
        m[0].metric("县（市、区）", "、".join(staged.counties))
        m[1].metric("名册支部", f"{parsed.register.num_rows} 个")
        m[2].metric("创建目标", f"{parsed.goals.num_rows} 条")
        m[3].metric("提示", f"{len(staged.warnings)} 条")
        if parsed.has_register:
            preview = pd.DataFrame(parsed.register.to_pylist())[register.REGISTER_LIST_COLUMNS].head(50)
            with st.expander("预览名册（前 50 行）"):
                st.dataframe(preview.rename(columns={
                    "county": "县（市、区）", "township": "乡镇（街道）", "branch": "村（社区）", "branch_type": "类型",
                    "secretary": "支部书记", "liaison": "包村领导", "team": "创建专班", "status": "状态"}),
                    hide_index=True, key="reg_preview", placeholder=components.MISSING)
        if staged.warnings:
            with st.expander(f"提示（不影响导入）：{len(staged.warnings)} 条"):
                st.dataframe(problems_frame(staged.warnings), hide_index=True, key="reg_warn")
        st.caption("导入后替换这些县（市、区）此前的整个名册（和创建目标），旧版本可回滚。")
        if st.button("确认导入名册", type="primary", key="reg_confirm", icon=":material/check:"):
            try:
                result = register.load(staged, db=state.db_path(), uploader=who.name or who.login,
                                       settings=state.settings(), actor=who)
            except store.StoreError as exc:
                st.error(safe.md(exc))
                return
            if result.ok:
                st.session_state["reg_done"] = [result.notice or "已导入"]
            else:
                st.session_state["reg_done"] = []
                st.error(safe.md(result.notice or "未导入"))
                return
            st.session_state["reg_staged"] = {}
            st.session_state["reg_generation"] = st.session_state.get("reg_generation", 0) + 1
            state.clear_caches()
            st.rerun()
