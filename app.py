"""五星看板 — entry point: page config, navigation, shared sidebar. No logic here.

Run: ``streamlit run app.py`` (``make run``). The store path comes from the
settings (``db_path``; the environment variable FIVESTAR_DB_PATH overrides).
"""

from __future__ import annotations

import streamlit as st

from ui import auth, components, state

st.set_page_config(page_title="五星看板", page_icon="★", layout="wide", initial_sidebar_state="auto")
components.inject_css()

ALL_ROLES = ("admin", "county", "township", "viewer")
# (menu section, page file, title, icon, the roles whose menu shows it). What each role may
# do is decided below the pages (analytics.access), whichever page it reaches.
PAGE_SPECS = (
    ("看板", "pages/overview.py", "总览", ":material/dashboard:", ALL_ROLES),
    ("看板", "pages/battle_map.py", "作战图", ":material/grid_view:", ALL_ROLES),
    ("看板", "pages/ranking.py", "排名", ":material/leaderboard:", ALL_ROLES),
    ("看板", "pages/red_black.py", "红黑榜", ":material/flag:", ALL_ROLES),
    ("看板", "pages/compare.py", "季度对比", ":material/compare_arrows:", ALL_ROLES),
    ("看板", "pages/briefing.py", "简报", ":material/article:", ALL_ROLES),
    ("看板", "pages/submissions.py", "报送情况", ":material/assignment_turned_in:", ALL_ROLES),
    ("数据", "pages/upload.py", "数据上传", ":material/upload_file:", ("admin", "county", "township")),
    ("数据", "pages/review.py", "报送审核", ":material/fact_check:", ("admin", "county", "township")),
    ("管理", "pages/audit_log.py", "操作记录", ":material/history:", ("admin", "county")),
    ("管理", "pages/accounts.py", "账号管理", ":material/manage_accounts:", ("admin",)),
)
# The 看板 pages only read the store; the 数据 and 管理 pages also write to it.
PAGE_SECTIONS = {title: section for section, _, title, *_ in PAGE_SPECS}
# The whole run reads the store through one connection (ui/state.py shared_reads), closed at its end.
with state.shared_reads():
    # Every page needs a signed-in account (access.md §2); without one the sign-in page is all there
    # is — at every page's address, so a shared link opens its page after signing in.
    account = auth.gate([f.removeprefix("pages/").removesuffix(".py") for _, f, *_ in PAGE_SPECS])

    PAGES: dict[str, list[st.Page]] = {}
    for section, file, title, icon, roles in PAGE_SPECS:
        if account.role in roles:
            PAGES.setdefault(section, []).append(st.Page(file, title=title, icon=icon, default=file == PAGE_SPECS[0][1]))
        else:  # not in this role's menu: its address says so in Chinese (no English "Page not found")
            PAGES.setdefault(PAGE_SPECS[0][0], []).append(st.Page(
                auth.no_access_page(title), title=title, icon=icon, visibility="hidden",
                url_path=file.removeprefix("pages/").removesuffix(".py")))

    # The sidebar menu is off in .streamlit/config.toml (so that Streamlit's own list of the pages/
    # folder's file names is never drawn); this menu is the app's own, so it goes back on here.
    st.set_option("client.showSidebarNavigation", True)
    page = st.navigation(PAGES)
    # 简报's presentation view (?view=present): nothing but the briefing, which carries its own
    # demo marker; the selection still comes from the session or the URL.
    present = page.url_path == "briefing" and state.presenting()
    if present:
        components.inject_present_css()
        state.scope_picker(show=False)
        page.run()
        st.stop()
    st.sidebar.markdown("### ★ 五星看板")
    st.sidebar.caption("“五星”支部创建工作看板")
    auth.sign_out_button(account)
    # 季度对比 picks its two periods on the page; the sidebar period would only confuse there.
    state.scope_picker(own_periods=page.url_path == "compare")
    info = state.store_info()
    st.sidebar.caption(state.data_as_of_caption(info))
    if info.has_demo:
        st.info(
            "当前为示例数据：县、乡镇和村（社区）名称及数字均为虚构，仅用于演示。"
            "正式使用前请由系统管理员在“账号管理”页（或命令行 `make clear-demo`）清除示例数据，再上传本地台账。",
            icon=":material/info:",
        )
    if PAGE_SECTIONS.get(page.title) != "看板":  # the pages that write (import, review, accounts)
        state.end_shared_reads()
    page.run()
