"""五星看板 — entry point: page config, navigation, shared sidebar. No logic here.

Run: ``streamlit run app.py`` (``make run``). The store path comes from the
settings (``db_path``; the environment variable FIVESTAR_DB_PATH overrides).
"""

from __future__ import annotations

import streamlit as st

from ui import components, state

st.set_page_config(page_title="五星看板", page_icon="★", layout="wide", initial_sidebar_state="auto")

PAGES = {
    "看板": [
        st.Page("pages/overview.py", title="总览", icon=":material/dashboard:", default=True),
        st.Page("pages/battle_map.py", title="作战图", icon=":material/grid_view:"),
        st.Page("pages/ranking.py", title="排名", icon=":material/leaderboard:"),
        st.Page("pages/red_black.py", title="红黑榜", icon=":material/flag:"),
        st.Page("pages/compare.py", title="季度对比", icon=":material/compare_arrows:"),
        st.Page("pages/briefing.py", title="简报", icon=":material/article:"),
    ],
    "数据": [
        st.Page("pages/upload.py", title="数据上传", icon=":material/upload_file:"),
    ],
}

page = st.navigation(PAGES)
components.inject_css()
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
# 季度对比 picks its two periods on the page; the sidebar period would only confuse there.
state.scope_picker(own_periods=page.url_path == "compare")
info = state.store_info()
st.sidebar.caption(state.data_as_of_caption(info))
if info.has_demo:
    st.info(
        "当前为示例数据：县、乡镇和村（社区）名称及数字均为虚构，仅用于演示。"
        "正式使用前请在命令行运行 `make clear-demo` 清除示例数据，再上传本地台账。",
        icon=":material/info:",
    )
page.run()
