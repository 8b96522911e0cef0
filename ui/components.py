"""Small Streamlit building blocks shared by the pages (header, chart, downloads, CSS)."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from analytics import goals as goal_rules
from analytics.exports import frames_to_xlsx
from analytics.settings import Settings
from ui import charts, format, safe, theme
from ui.state import Selection

XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a missing value looks like in every table (st.dataframe otherwise shows "None").
MISSING = "—"

# Fonts that render Chinese, a readable metric size on phones, and a print
# layout without sidebar, toolbar and buttons (for 打印 / 另存为 PDF).
CSS = f"""
<style>
html, body {{ font-family: "Source Sans Pro", {theme.FONT_FAMILY}; }}
[data-testid="stAppDeployButton"] {{ display: none; }}
/* The sidebar script's element (below) takes no room in the page. */
[data-testid="stElementContainer"]:has(> [data-testid="stHtml"] > script:only-child) {{ display: none; }}
[data-testid="stMetricValue"] {{ font-size: 1.9rem; }}
[data-testid="stMetricLabel"] p {{ font-size: 0.95rem; }}
/* The file uploader's built-in English ("Upload", "50MB per file • XLSX…") in Chinese;
   the widget label above it already names the types and the size limit. */
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p {{ font-size: 0; }}
[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after {{
  content: "选择文件"; font-size: 0.875rem; }}
[data-testid="stFileUploaderDropzoneInstructions"] span {{ font-size: 0; }}
[data-testid="stFileUploaderDropzoneInstructions"] span::after {{
  content: "或把文件拖到这里"; font-size: 0.875rem; }}
/* Streamlit adds a "Fullscreen" button to the Plotly toolbar with an English title that
   plotly's locale (charts.PLOTLY_ZH_CN) does not reach: its tooltip (drawn from data-title) in Chinese. */
.js-plotly-plot .plotly .modebar-btn[data-title="Fullscreen"]::after {{ content: "全屏" !important; }}
.js-plotly-plot .plotly .modebar-btn[data-title="Close fullscreen"]::after {{ content: "退出全屏" !important; }}
/* Two renderings of one content, one shown per screen width: containers keyed
   desk_… (desktop tables, charts) and phone_… (ui/mobile grids and cards, compact charts). */
@media (min-width: 641px) {{ [class*="st-key-phone_"] {{ display: none !important; }} }}
@media (max-width: 640px) {{
  [class*="st-key-desk_"] {{ display: none !important; }}
  /* The plotly toolbar would cover the chart titles (a phone has no hover anyway). */
  .js-plotly-plot .modebar-container {{ display: none !important; }}
  [data-testid="stMetricValue"] {{ font-size: 1.5rem; }}
  /* KPI cards two per row on phones instead of one per row */
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) {{ flex-flow: row wrap !important; gap: 0.5rem !important; }}
  [data-testid="stHorizontalBlock"]:has([data-testid="stMetric"]) > [data-testid="stColumn"] {{
    flex: 1 1 calc(50% - 0.5rem) !important; min-width: calc(50% - 0.5rem) !important; width: calc(50% - 0.5rem) !important;
  }}
  /* KPI labels such as "五星支部 · 目标10个" wrap instead of ending in "…" */
  [data-testid="stMetricLabel"] p {{ white-space: normal !important; overflow: visible !important;
                                     text-overflow: clip !important; }}
  [data-testid="stMetricLabel"] > div {{ overflow: visible !important; }}
  h1 {{ font-size: 1.6rem !important; }}
}}
@media print {{
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  [data-testid="stDecoration"], [data-testid="stDownloadButton"], [data-testid="stBaseButton-secondary"],
  .stDownloadButton, .stButton, .stFileUploader, [data-testid="stExpander"] {{ display: none !important; }}
  .block-container {{ padding: 0.5rem 1rem !important; max-width: 100% !important; }}
  .js-plotly-plot .modebar {{ display: none !important; }}
}}
</style>
"""


# On a phone the sidebar is an overlay over the page, and Streamlit leaves it open after a
# pick: the leader sees the filters, not the result. This closes it after each pick of a
# sidebar selectbox option, radio or page link when the screen is under 640 px wide (the
# width where the overlay covers the page). Streamlit has no setting for it; the script
# uses Streamlit's test ids, checked by tests/e2e/test_phone_layout.py. Installed once
# per browser tab; it never reads or sends anything.
SIDEBAR_AUTO_CLOSE_JS = """
<script>
(() => {
  if (window.__fsSidebarAutoClose) return;
  window.__fsSidebarAutoClose = true;
  const SIDEBAR = '[data-testid="stSidebar"]';
  let fromSidebar = false;
  const narrow = () => window.matchMedia('(max-width: 640px)').matches;
  const close = () => setTimeout(() => {
    const sidebar = document.querySelector(SIDEBAR);
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (sidebar && button && sidebar.getBoundingClientRect().right > 1) button.click();
  }, 120);
  document.addEventListener('focusin', (e) => {
    const t = e.target;
    if (t && t.closest && !t.closest('[role="listbox"]')) fromSidebar = !!t.closest(SIDEBAR);
  }, true);
  document.addEventListener('click', (e) => {
    const t = e.target;
    if (!narrow() || !t || !t.closest) return;
    if ((fromSidebar && t.closest('[role="option"]'))
        || t.closest(SIDEBAR + ' [data-testid="stRadio"] label')
        || t.closest('[data-testid="stSidebarNav"] a')) close();
  }, true);
})();
</script>
"""


# Streamlit's own English that no setting reaches: the data-frame toolbar's tooltips and button
# labels (Download as CSV, Search, Fullscreen, Show/hide columns), the "Page not found" dialog of an
# address with no page, a selectbox's "Choose an option". Each text or label exactly equal to an
# entry (or matching a pattern) is replaced where it appears; nothing else is touched, nothing is
# read or sent. Installed once per browser tab; tests/e2e/test_chinese_ui.py checks each.
UI_ZH = {
    "Download as CSV": "下载 CSV 文件", "Search": "在表中查找", "Fullscreen": "全屏", "Close fullscreen": "退出全屏",
    "Exit fullscreen": "退出全屏", "Show/hide columns": "显示或隐藏列", "Page not found": "页面不存在",
    "Close": "关闭", "Choose an option": "请选择", "Clear all": "全部清除", "Clear value": "清除",
}
UI_ZH_PATTERNS = (  # (JavaScript regular expression, replacement)
    (r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
     "您打开的网址没有对应的页面，已为您打开首页。"),
    (r"^You have requested page (\S*), but no corresponding file was found in the app's pages directory\..*$",
     "您打开的网址 $1 没有对应的页面，已为您打开首页。"),
)
UI_ZH_JS = """
<script>
(() => {
  if (window.__fsZh) return;
  window.__fsZh = true;
  const TEXT = TEXT_JSON;
  const PATTERNS = PATTERNS_JSON.map(([re, out]) => [new RegExp(re), out]);
  const zh = (value) => {
    const t = (value || '').trim();
    if (Object.prototype.hasOwnProperty.call(TEXT, t)) return TEXT[t];
    for (const [re, out] of PATTERNS) if (re.test(t)) return t.replace(re, out);
    return null;
  };
  const TEXTS = '[data-testid="stTooltipContent"] p, [role="dialog"] h2, [role="dialog"] div';
  const fix = (root) => {
    if (!root || !root.querySelectorAll) return;
    for (const el of [root, ...root.querySelectorAll(TEXTS)]) {
      if (el.matches && el.matches(TEXTS) && el.children.length === 0) {
        const z = zh(el.textContent); if (z !== null) el.textContent = z;
      }
    }
    for (const el of [root, ...root.querySelectorAll('[aria-label], [placeholder]')]) {
      for (const a of ['aria-label', 'placeholder']) {
        const v = el.getAttribute && el.getAttribute(a);
        const z = v ? zh(v) : null; if (z !== null) el.setAttribute(a, z);
      }
    }
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'childList') r.addedNodes.forEach(n => fix(n.nodeType === 3 ? n.parentElement : n));
      else fix(r.type === 'characterData' ? r.target.parentElement : r.target);
    }
  }).observe(document.body, {childList: true, subtree: true, characterData: true, attributes: true,
                             attributeFilter: ['aria-label', 'placeholder']});
  fix(document.body);
})();
</script>
"""


# A new browser session loads Streamlit's code for each kind of element only when the first
# element of that kind is drawn: the Plotly chunk (~4.7 MB of JavaScript, ~0.5–1 s to run on
# this machine) after the sign-in and the page's run, so the first chart waited for it. The
# first screen (the sign-in page) already loads the code the pages need, while the visitor
# signs in: the chart, metric and sidebar widget chunks are imported (fetched and run: then
# they are ready when the page arrives), the table chunk only fetched and compiled
# (modulepreload: no page needs it first). Chunk names come from Streamlit's own static folder
# (they carry a content hash); same-origin only; imported once per browser tab.
IMPORT_CHUNKS = ("PlotlyChart", "Metric", "Radio", "Selectbox", "ButtonGroup", "Checkbox")
PRELOAD_CHUNKS = ("DataFrame",)


def _chunk_files(prefixes: tuple[str, ...]) -> list[str]:
    static = Path(st.__file__).parent / "static" / "static" / "js"
    return sorted(p.name for prefix in prefixes for p in static.glob(f"{prefix}.*.js"))


PRELOAD_JS = """
<script>
(() => {
  if (window.__fsPreload) return;
  window.__fsPreload = true;
  const index = document.querySelector('script[type="module"][src*="static/js/index."]');
  if (!index) return;
  const url = (name) => new URL(name, index.src).href;
  for (const name of PRELOAD_JSON) {
    const link = document.createElement('link');
    link.rel = 'modulepreload';
    link.crossOrigin = 'anonymous';  // as Streamlit's own module scripts
    link.href = url(name);
    document.head.appendChild(link);
  }
  const run = () => { for (const name of IMPORT_JSON) import(url(name)).catch(() => {}); };
  if (window.requestIdleCallback) requestIdleCallback(run, {timeout: 1000}); else setTimeout(run, 0);
})();
</script>
"""


# The scripts with their data filled in (constants of this module, JSON-encoded: no user text).
PRELOAD_HTML = PRELOAD_JS.replace("PRELOAD_JSON", json.dumps(_chunk_files(PRELOAD_CHUNKS))).replace(
    "IMPORT_JSON", json.dumps(_chunk_files(IMPORT_CHUNKS)))
UI_ZH_HTML = UI_ZH_JS.replace("TEXT_JSON", json.dumps(UI_ZH, ensure_ascii=False)).replace(
    "PATTERNS_JSON", json.dumps(UI_ZH_PATTERNS, ensure_ascii=False))


def inject_css() -> None:
    st.html(CSS)
    st.html(PRELOAD_HTML, unsafe_allow_javascript=True)
    st.html(SIDEBAR_AUTO_CLOSE_JS, unsafe_allow_javascript=True)
    st.html(UI_ZH_HTML, unsafe_allow_javascript=True)


# The 简报's presentation view: no sidebar, header or toolbar; the page is one flowing
# document (Streamlit scrolls inside stMain, which would print only one screenful);
# the exit button shows only under the pointer and never on paper.
# Columns side by side, as on paper: in the print rules below, and under the class fs-measure
# while PRESENT_FIT_JS measures the briefing (a phone screen stacks columns, paper does not).
_PAPER_COLUMNS = """
SCOPE [data-testid="stHorizontalBlock"] { display: flex !important; flex-wrap: nowrap !important; }
SCOPE [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
  flex: 1 1 0 !important; width: auto !important; min-width: 0 !important; }
SCOPE [data-testid="stHorizontalBlock"] [data-testid="stPlotlyChart"] .svg-container { width: 100% !important; }
"""

PRESENT_CSS = """
<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stHeader"],
[data-testid="stToolbar"], [data-testid="stDecoration"], [data-testid="stStatusWidget"] { display: none !important; }
.block-container { padding-top: 1.5rem !important; max-width: 1200px !important; }
.st-key-present_exit { position: fixed; top: 6px; right: 10px; z-index: 1000; width: auto !important;
                       opacity: 0; transition: opacity 0.2s; }
.st-key-present_exit:hover, .st-key-present_exit:focus-within { opacity: 1; }
/* Compact: the whole briefing on one A4 page (and one screenful to screenshot). */
.block-container { padding-top: 0.75rem !important; padding-bottom: 1rem !important; }
[data-testid="stMain"] [data-testid="stVerticalBlock"] { gap: 0.55rem; }
[data-testid="stMain"] h1 { padding: 0.25rem 0 0 !important; }
[data-testid="stMain"] h4 { padding: 0.3rem 0 0.1rem !important; }
[data-testid="stMetric"] { padding: 0.45rem 0.7rem !important; }
[data-testid="stMetricValue"] { font-size: 1.6rem; }
[data-testid="stMetricDelta"], [data-testid="stMetricDelta"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important; }
table.bt { font-size: 13px !important; line-height: 1.4 !important; }
table.bt th, table.bt td { padding: 3px 6px !important; }
.js-plotly-plot .modebar-container { display: none !important; }
@media print {
  @page { size: A4 portrait; margin: 8mm; }
  html, body, .stApp, [data-testid="stAppViewContainer"], [data-testid="stMain"] {
    height: auto !important; overflow: visible !important; position: static !important; }
  /* The briefing is laid out 1200 px wide (charts keep the width they were drawn at, at most
     1200 px) and zoomed to one A4 page: --fs-print-zoom, set by PRESENT_FIT_JS before printing,
     fits both the width (194 mm ≈ 733 px) and the height (281 mm ≈ 1062 px). */
  .block-container { padding: 0 !important; width: 1200px !important; max-width: 1200px !important;
                     zoom: var(--fs-print-zoom, 0.6); }
  /* Columns stay side by side on paper (a chart drawn at its screen width would push its
     column onto a row of its own). */
  PAPER_COLUMNS
  .st-key-present_exit { display: none !important; }
  [data-testid="stPlotlyChart"], table.bt tr, [data-testid="stMetric"] { break-inside: avoid; }
  [data-testid="stElementContainer"]:has(h4) { break-after: avoid; }  /* a table's heading stays with it */
}
MEASURE_COLUMNS
</style>
""".replace("PAPER_COLUMNS", _PAPER_COLUMNS.replace("SCOPE ", "")).replace(
    "MEASURE_COLUMNS", _PAPER_COLUMNS.replace("SCOPE", "html.fs-measure"))


# Before printing (the browser's 打印, and Playwright's page.pdf), measure the briefing at the
# 1200 px print layout width and set the zoom that puts it on one A4 page (PRESENT_CSS). Reads
# only the page's own layout; installed once per browser tab.
PRESENT_FIT_JS = """
<script>
(() => {
  if (window.__fsPrintFit) return;
  window.__fsPrintFit = true;
  const LAYOUT = 1200, PAGE_W = 725, PAGE_H = 1040;  // px; A4 inside 8 mm margins, less a little
  window.addEventListener('beforeprint', () => {
    const c = document.querySelector('[data-testid="stMain"] .block-container');
    if (!c) return;
    const old = c.style.cssText;
    document.documentElement.classList.add('fs-measure');
    c.style.width = LAYOUT + 'px'; c.style.maxWidth = LAYOUT + 'px'; c.style.padding = '0';
    const h = c.scrollHeight;
    c.style.cssText = old;
    document.documentElement.classList.remove('fs-measure');
    const zoom = Math.min(PAGE_W / LAYOUT, PAGE_H / Math.max(h, 1));
    document.documentElement.style.setProperty('--fs-print-zoom', zoom.toFixed(3));
  });
})();
</script>
"""


def inject_present_css() -> None:
    st.html(PRESENT_CSS)
    st.html(PRESENT_FIT_JS, unsafe_allow_javascript=True)


def page_header(title: str, sel: Selection, *, subtitle: str | None = None) -> None:
    """Page title with the period and scope it shows (so a screenshot explains itself)."""
    st.title(title)
    # The whole line as text: the scope label holds names from the ledgers.
    st.caption(safe.md(subtitle or f"{sel.period.display if sel.period else '无数据'} · 范围：{sel.scope.label}"))


def chart(fig: go.Figure, name: str, sel: Selection, *, key: str | None = None, period_text: str | None = None) -> None:
    """A plotly chart with the shared modebar config (PNG 2x, Chinese file name) and the
    chart-title rule: its title names the period (``period_text`` overrides, e.g. two
    compared periods) and the scope, so a screenshot or PNG explains itself."""
    period = sel.period.label if sel.period else ""
    shown = period_text or (sel.period.display if sel.period else "无数据")
    charts.title_with_context(fig, f"{shown} · {sel.scope.label}", fallback=name)  # in place (a copy costs ~10 ms)
    st.plotly_chart(fig, theme=None, key=key, config=charts.plotly_config(name, period, sel.scope.label))


def _arrow_css(value: object) -> str:
    text = str(value)
    if text.startswith("↑"):
        return f"color: {theme.STATUS_COLORS['achieved']}; font-weight: 600;"
    if text.startswith("↓"):
        return f"color: {theme.RED}; font-weight: 600;"
    return ""


# Tables show every row up to this many (a full-page screenshot then holds them all, e.g.
# every branch of a county on 作战图); longer tables scroll inside a box this tall and say so.
TABLE_MAX_ROWS = 100
ROW_PX = 35  # st.dataframe's row (and header) height


def fit_height(n_rows: int, *, cap: int = TABLE_MAX_ROWS) -> int:
    """A st.dataframe height that shows ``n_rows`` rows without an inner scroll bar (at most ``cap``)."""
    return ROW_PX * (min(max(n_rows, 1), cap) + 1) + 3


def overflow_note(n_rows: int, *, cap: int = TABLE_MAX_ROWS) -> None:
    """Below a table taller than ``cap`` rows: where the rest is."""
    if n_rows > cap:
        st.caption(f"共 {n_rows} 行，表格显示前 {cap} 行的高度，其余在表内向下滚动查看（或下载 Excel）。")


# Above this many rows tables skip pandas Styler (its HTML/CSS pass takes seconds on a
# city-scale scope) and format through column_config instead.
STYLER_MAX_ROWS = 800
# The most branch rows the 作战图 sends in one run (a city, ~1.5 MB): a larger scope shows its
# township summary and pages through the branches (one giant table failed with MessageSizeError).
BATTLE_PAGE_ROWS = 5000
# 分星推进's task and problem lists show this many rows (the counts above them cover all).
STAR_LIST_ROWS = 500


def table(frame: pd.DataFrame, *, key: str, height: int | str | None = None, pinned: str | None = None,
          wide: str | None = None) -> None:
    """st.dataframe with the shared formats: rates as 62.1%, scores with one decimal,
    rank-change arrows coloured (↑ green, ↓ red), missing values as "—". Default height:
    every row up to TABLE_MAX_ROWS (``fit_height``), with a note when there are more."""
    if height is None:
        height = fit_height(len(frame))
        _table(frame, key=key, height=height, pinned=pinned, wide=wide)
        overflow_note(len(frame))
    else:
        _table(frame, key=key, height=height, pinned=pinned, wide=wide)


def _table(frame: pd.DataFrame, *, key: str, height: int | str, pinned: str | None, wide: str | None) -> None:
    config: dict[str, object] = {}
    if pinned and pinned in frame.columns:
        config[pinned] = st.column_config.TextColumn(pinned=True)
    if wide and wide in frame.columns:
        config[wide] = st.column_config.TextColumn(width="large")
    if len(frame) > STYLER_MAX_ROWS:
        plain = frame.copy()
        for col in plain.columns:
            name = str(col)
            if "率" in name or "占比" in name:  # fractions 0..1, shown as 62.1%
                plain[col] = plain[col].astype(float) * 100
                config[name] = st.column_config.NumberColumn(format="%.1f%%")
            elif "得分" in name:
                config[name] = st.column_config.NumberColumn(format="%.1f")
        st.dataframe(plain, hide_index=True, key=key, height=height, column_config=config,  # type: ignore[arg-type]
                     placeholder=MISSING)
        return
    formats: dict[str, object] = {}
    for col in frame.columns:
        name = str(col)
        if "率" in name or "占比" in name:
            formats[name] = format.pct
        elif "变化" in name and pd.api.types.is_float_dtype(frame[col]):  # 得分变化: +7.5 / -1.2
            formats[name] = lambda v: MISSING if format.is_missing(v) else format.float_delta(v)
        elif "得分" in name:
            formats[name] = format.score
        elif pd.api.types.is_integer_dtype(frame[col]):
            formats[name] = lambda v: MISSING if format.is_missing(v) else str(int(v))
    styled = frame.style.format(formats, na_rep=MISSING)  # type: ignore[arg-type]
    arrows = [c for c in frame.columns if str(c) in ("变化", "名次变化")]
    if arrows:
        styled = styled.map(_arrow_css, subset=arrows)  # type: ignore[arg-type]
    st.dataframe(styled, hide_index=True, key=key, height=height, column_config=config,  # type: ignore[arg-type]
                 placeholder=MISSING)


def xlsx_download(
    label: str,
    frames: Mapping[str, pd.DataFrame] | Callable[[], Mapping[str, pd.DataFrame]],
    file_name: str,
    *,
    title: str | None = None,
    note: str | None = None,
    key: str | None = None,
) -> None:
    """A download of ``frames`` as one workbook, built on click; ``frames`` may be a callable
    (sheets fetched only when the user downloads)."""
    st.download_button(
        label, data=lambda: frames_to_xlsx(frames() if callable(frames) else frames, title=title, note=note),
        file_name=file_name,
        mime=XLSX_MIME, key=key, icon=":material/download:", on_click="ignore",
    )


def file_stem(*parts: str) -> str:
    return charts.safe_filename(*parts)


def goals_title(sel: Selection) -> str:
    """The goals table's heading: names the period and the scope (a screenshot explains itself)."""
    return f"创建目标进度 · {sel.period.display if sel.period else '无数据'} · {sel.scope.label}"


def goals_table(progress: pd.DataFrame, sel: Selection, settings: Settings) -> None:
    """Declared goals per unit (analytics.goals.goal_progress) as a full-height table a leader can
    screenshot: Chinese headers, the period and scope in its heading, the rules under it. A
    scope where nobody declared a goal gets a pointer to the goals sheet instead."""
    from ui import briefing  # the briefing's table markup: the same table on 总览 and 简报

    st.markdown(f"#### {safe.md(goals_title(sel))}")
    notice = goal_rules.setting_notice(progress, settings)
    if progress.empty or progress["declared"].isna().all():
        st.caption("本范围尚未申报创建目标。县区在“数据上传”页上传创建目标表（一行一个县区或乡镇：五星、四星、三星各几个、"
                   "完成时限）后，这里逐单位列出目标与现有数。")
        if notice:
            st.caption(notice)  # our own text (no names from files)
        return
    table = goal_rules.goal_table(progress)
    st.html(f"<style>{briefing.TABLE_CSS}</style>{briefing.table_html(table)}")
    st.caption(goal_rules.GOAL_NOTE)
    if notice:
        st.info(notice, icon=":material/info:")  # our own text
