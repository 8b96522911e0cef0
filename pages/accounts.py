"""账号管理 (administrators): accounts per level, temporary passwords, disabling, and clearing the
demo data from the app. Every action checks the administrator's rights in analytics itself."""

from __future__ import annotations

from collections.abc import Callable

import duckdb
import pandas as pd
import streamlit as st

from analytics import access, accounts, store
from analytics.accounts import ROLE_LABELS
from ui import components, safe, state

state.entrypoint_guard()
st.title("账号管理")
who = state.actor()
st.caption("每个账号绑定一个单位：县区管理员管本县（市、区），乡镇（街道）填报员只能上传本乡镇的台账并等待审核，"
           "领导/查看账号只能查看。新账号和重置后的账号得到一次性显示的临时密码，首次登录须修改。")

notice = st.session_state.pop("acc_notice", None)
if notice:
    st.success(safe.md(notice))


def _write(action: Callable[[duckdb.DuckDBPyConnection], str], message: str) -> None:
    """Run one account action on a writable store; show its message after the rerun, or the refusal."""
    try:
        with state.write_store() as con:
            extra = action(con)
    except (accounts.AccountError, access.AccessDenied, store.StoreError) as exc:
        st.error(safe.md(str(exc)))
        return
    state.clear_caches()
    st.session_state["acc_notice"] = message + extra
    st.rerun()


with state.read_store() as con:
    items = accounts.list_accounts(con)
    has_demo = store.has_demo_data(con)
table = pd.DataFrame([{
    "登录名": a.login, "姓名": a.name, "角色": a.role_label, "单位": a.unit_label,
    "状态": a.state_label,
    "示例": "是" if a.is_demo else "", "创建时间": a.created_at,
} for a in items])
st.dataframe(table, hide_index=True, key="acc_table", placeholder=components.MISSING)

st.subheader("新建账号")
with st.form("acc_add", border=True):
    c1, c2, c3 = st.columns(3)
    login = c1.text_input("登录名", key="acc_login")
    name = c2.text_input("姓名或单位", key="acc_name")
    role = c3.selectbox("角色", list(ROLE_LABELS), format_func=ROLE_LABELS.__getitem__, key="acc_role")
    c4, c5 = st.columns(2)
    county = c4.text_input("县（市、区）（县区、乡镇账号必填）", key="acc_county")
    township = c5.text_input("乡镇（街道）（乡镇账号必填）", key="acc_township")
    if st.form_submit_button("创建账号", type="primary"):
        def add(con: duckdb.DuckDBPyConnection) -> str:
            temp = accounts.add_account(con, login, role=role, county=county, township=township, name=name,
                                        by=who)[1]
            return f" 临时密码：{temp}（只显示这一次，请当面或电话告知本人）"

        _write(add, f"已创建账号 {login}。")

st.subheader("停用账号 / 重置密码")
active = [a.login for a in items if a.active]
if active:
    c1, c2, c3 = st.columns([2, 1, 1])
    target = c1.selectbox("账号", active, key="acc_target")
    if c2.button("重置密码", key="acc_reset"):
        _write(lambda con: f" 新的临时密码：{accounts.reset_password(con, target, by=who)}（只显示这一次）",
               f"已重置 {target} 的密码。")
    if c3.button("停用", key="acc_disable"):
        _write(lambda con: f"（{accounts.disable_account(con, target, by=who).name}）", f"已停用账号 {target}")

st.subheader("示例数据")
if has_demo:
    st.caption("清除全部示例（演示）数据、其原始文件和示例账号；之后不会再自动载入。此操作记入操作记录。")
    sure = st.checkbox("我确认要清除示例数据", key="acc_demo_sure")
    if st.button("清除示例数据", disabled=not sure, key="acc_demo_clear", icon=":material/delete:"):
        _write(lambda con: f"（{store.clear_demo(con, actor=who)} 次示例上传及示例账号）", "已清除示例数据")
else:
    st.caption("数据库中没有示例数据。")
