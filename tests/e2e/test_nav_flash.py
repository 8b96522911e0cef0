"""Browser: a new server's first session never shows Streamlit's page list made from the pages/
folder's file names (overview, battle map …), not even for a moment before app.py's Chinese menu.

Streamlit runs a process's first script run in its pages-folder mode (a pages/ folder sits next to
app.py), which sends that English list before app.py's st.navigation replaces it; only that first
run of each server process does, so every case here starts its own server. A MutationObserver,
installed before any of the page's own scripts (``add_init_script``), records the label of every
sidebar or top navigation link the page ever holds, from the very first paint to the signed-in page.
"""

from __future__ import annotations

import re
import shutil
from typing import Any

import pytest

from tests.e2e.conftest import DemoStore, serve_app
from tests.e2e.helpers import APP_TIMEOUT_MS, DESKTOP, ROOT, goto

pytestmark = pytest.mark.browser

# Every label a navigation link shows (its icon's ligature text left out), whenever it changes.
RECORD_NAV_JS = """
(() => {
  window.__navLabels = [];
  const record = () => {
    for (const a of document.querySelectorAll('[data-testid="stSidebarNav"] a, [data-testid="stTopNav"] a')) {
      const copy = a.cloneNode(true);
      copy.querySelectorAll('[data-testid="stIconMaterial"], [data-testid="stIconEmoji"]').forEach(i => i.remove());
      const label = copy.textContent.trim();
      if (!window.__navLabels.includes(label)) window.__navLabels.push(label);
    }
  };
  new MutationObserver(record).observe(document, {childList: true, subtree: true, characterData: true});
})();
"""

# The labels Streamlit derives from the pages/ folder (file stem, "_" shown as a space) and app.py.
FILE_LABELS = {"app"} | {p.stem.replace("_", " ") for p in (ROOT / "pages").glob("*.py")}
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.mark.parametrize("path", ["", "ranking"], ids=["root", "page-url"])
def test_a_new_servers_first_session_never_lists_the_page_files(browser: Any, demo_store: DemoStore,
                                                                tmp_path_factory: pytest.TempPathFactory,
                                                                path: str) -> None:
    work = tmp_path_factory.mktemp("navflash")
    db = work / "fivestar.duckdb"
    shutil.copy(demo_store.path, db)  # a sign-in writes its record: this server's own store
    assert {"overview", "battle map", "red black"} <= FILE_LABELS  # what the flash would show
    with serve_app(db, work, log_name=f"streamlit-navflash-{path or 'root'}.log") as url:
        context = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        context.set_default_timeout(APP_TIMEOUT_MS)
        context.add_init_script(RECORD_NAV_JS)
        page = context.new_page()
        try:
            goto(page, f"{url}/{path}")  # the server's first session: sign-in page, then the page
            page.wait_for_function("() => window.__navLabels.includes('排名')")
            labels = page.evaluate("window.__navLabels")
        finally:
            context.close()
    assert "总览" in labels and "作战图" in labels  # the recorder saw the app's own menu
    assert not FILE_LABELS & set(labels), labels
    assert all(CJK.search(label) for label in labels), labels
