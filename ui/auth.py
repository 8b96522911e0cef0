"""Signing in to the app (shared/spec/access.md §2, §6): the gate app.py runs before any page.

    account = gate()        # the signed-in account, or the sign-in page and st.stop()
    sign_out_button()       # in the sidebar of every page

The session holds only the login name and the time of the last activity
(``st.session_state[SESSION_KEY]``, not a widget key, so nothing in the browser can
set it). Every run reads the account from the store again — a disabled account or a
changed role takes effect at once — and ends the session after
``session_idle_minutes`` without activity. What the account may see is decided
below the pages (``analytics.access``), never here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import streamlit as st

from analytics import accounts, store
from analytics.accounts import Account
from ui import safe, state

SESSION_KEY = "auth_session"
NOTICE_KEY = "auth_notice"


@dataclass(frozen=True)
class Session:
    login: str
    seen: float  # time.time() of the last run


def _read_account(login: str) -> Account | None:
    with state.read_store() as con:
        return accounts.get_account(con, login)


def _start(account: Account) -> None:
    st.session_state[SESSION_KEY] = Session(account.login, time.time())
    st.session_state[state.ACTOR_KEY] = account.actor()


def _end(notice: str | None = None) -> None:
    st.session_state.pop(SESSION_KEY, None)
    st.session_state.pop(state.ACTOR_KEY, None)
    if notice:
        st.session_state[NOTICE_KEY] = notice


def current_account() -> Account | None:
    """The signed-in account of this session (None after idle expiry or when disabled)."""
    session = st.session_state.get(SESSION_KEY)
    if not isinstance(session, Session):
        return None
    idle_s = float(state.settings().session_idle_minutes) * 60
    if time.time() - session.seen > idle_s:
        _end(f"超过 {state.settings().session_idle_minutes} 分钟没有操作，已自动退出，请重新登录。")
        return None
    try:
        account = _read_account(session.login)
    except store.StoreError as exc:  # a damaged store, a full disk: its message, not a traceback
        st.error(str(exc))
        st.stop()
    if account is None or not account.active:
        _end("该账号已停用，请联系系统管理员。")
        return None
    st.session_state[SESSION_KEY] = Session(account.login, time.time())
    st.session_state[state.ACTOR_KEY] = account.actor()
    return account


def sign_out_button(account: Account) -> None:
    """The signed-in ``account`` (as ``gate`` returned it this run) and its sign-out button."""
    st.sidebar.caption(f"当前账号：{safe.md(account.name)}（{account.role_label}，{safe.md(account.unit_label)}）")
    if st.sidebar.button("退出登录", key="auth_sign_out", icon=":material/logout:"):
        with state.write_store() as con:
            from analytics import audit

            audit.record_alone(con, account.actor(), "sign_out", object=account.login,
                               county=account.county, township=account.township)
        _end("已退出登录。")
        st.rerun()


def _store_facts() -> tuple[int, list[Account], bool]:
    """(active accounts, demo accounts, demo data loaded)."""
    with state.read_store() as con:
        n = accounts.count_accounts(con)
        demo = [a for a in accounts.list_accounts(con) if a.is_demo and a.active]
        has_demo = store.has_demo_data(con)
    return n, demo, has_demo


# A failed sign-in's message, shown under the form by the run that follows the callback.
ERROR_KEY = "auth_error"


def _signed_in(result: accounts.SignIn) -> None:
    """After a sign-in attempt: start the session, or keep the message for the sign-in page."""
    if result.ok and result.account is not None:
        _start(result.account)
    else:
        st.session_state[ERROR_KEY] = result.message


# The sign-in happens in the buttons' on_click callbacks, which Streamlit runs before the script:
# the click's own run already passes the gate and draws the page (issue 13's cold start: the
# sign-in page was drawn again, then st.rerun() started the page's run).
def _submit_sign_in() -> None:
    with state.write_store() as con:
        _signed_in(accounts.sign_in(con, str(st.session_state.get("auth_login_name") or ""),
                                    str(st.session_state.get("auth_password") or ""), state.settings()))


def _sign_in_demo(login: str) -> None:
    with state.write_store() as con:
        _signed_in(accounts.sign_in_demo(con, login))


def _sign_in_form() -> None:
    with st.form("auth_form", clear_on_submit=False, border=True):
        st.text_input("登录名", key="auth_login_name")
        st.text_input("密码", type="password", key="auth_password")
        st.form_submit_button("登录", type="primary", icon=":material/login:", on_click=_submit_sign_in)
    error = st.session_state.pop(ERROR_KEY, None)
    if error:
        st.error(error)


def _demo_buttons(demo: list[Account]) -> None:
    st.info("当前为示例数据：可以用下面的示例账号一键登录，体验不同角色看到和能做的事。", icon=":material/info:")
    order = {"county": 0, "township": 1, "viewer": 2, "admin": 3}
    cols = st.columns(2)
    for i, account in enumerate(sorted(demo, key=lambda a: order.get(a.role, 9))):
        label = f"{account.name}（{account.role_label}）"
        cols[i % 2].button(safe.md(label), key=f"auth_demo_{account.login}", use_container_width=True,
                           on_click=_sign_in_demo, args=(account.login,))


def _change_password(account: Account) -> None:
    st.subheader("请设置新密码")
    st.caption("您正在使用临时密码。新密码至少 8 个字符，且不能与登录名相同。")
    with st.form("auth_change", border=True):
        old = st.text_input("临时密码（或原密码）", type="password", key="auth_old")
        new = st.text_input("新密码", type="password", key="auth_new")
        again = st.text_input("再次输入新密码", type="password", key="auth_again")
        submitted = st.form_submit_button("保存新密码", type="primary")
    if submitted:
        if new != again:
            st.error("两次输入的新密码不一致。")
            return
        try:
            with state.write_store() as con:
                accounts.change_password(con, account.login, old, new)
        except accounts.AccountError as exc:
            st.error(str(exc))
            return
        st.session_state[NOTICE_KEY] = "新密码已保存。"
        st.rerun()


def _sign_in_page() -> None:
    """The only page a visitor without a session gets (with its first-run and demo notices)."""
    st.title("★ 五星看板")
    st.caption("“五星”支部创建工作看板")
    notice = st.session_state.pop(NOTICE_KEY, None)
    if notice:
        st.info(notice)
    account = current_account()
    if account is not None:  # signed in with a temporary password
        _change_password(account)
        return
    try:
        n_accounts, demo, has_demo = _store_facts()
    except store.StoreError as exc:
        st.error(str(exc))
        return
    if n_accounts == 0:
        st.warning("还没有任何账号。看板不允许访问者自行创建账号：请在服务器上用命令行创建第一个系统管理员，"
                   "命令会打印一次临时密码，首次登录时须修改。")
        st.code("python -m analytics users add 管理员登录名 --role admin --name 姓名", language="bash")
        st.caption("之后由系统管理员在“账号管理”页为各县区、乡镇（街道）和领导建立账号。")
        return
    st.subheader("登录")
    _sign_in_form()
    if has_demo and demo:
        _demo_buttons(demo)


def gate(url_paths: list[str]) -> Account:
    """The signed-in account; otherwise the sign-in page and stop.

    The sign-in page answers at every page's address (``url_paths``, the first being the
    default page), so a link to a page opens that page once signed in; it goes through
    st.navigation, so Streamlit leaves its pages-folder mode and lists no pages.
    """
    account = current_account()
    if account is not None and not account.must_change:
        return account
    pages = [st.Page(_sign_in_page, title="登录", icon=":material/login:", url_path=path, default=i == 0)
             for i, path in enumerate(url_paths)]
    page = st.navigation(pages, position="hidden")
    page.run()
    st.stop()
    raise AssertionError("unreachable")  # st.stop() raises


def no_access_page(title: str) -> Callable[[], None]:
    """The page at the address of a page the signed-in role has no menu entry for (e.g. a
    shared link to 账号管理 opened by a 乡镇 account): says so in Chinese, instead of
    Streamlit's English "Page not found" dialog."""

    def page() -> None:
        account = current_account()
        role = account.role_label if account is not None else ""
        st.title(title)
        st.warning(f"您的账号（{role}）不能使用“{title}”页面。请从左侧菜单选择页面；如需此功能，请联系系统管理员。",
                   icon=":material/block:")

    page.__name__ = f"no_access_{title}"
    return page


__all__ = ["SESSION_KEY", "Session", "current_account", "gate", "no_access_page", "sign_out_button"]
