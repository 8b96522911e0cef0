"""The one rule for user text on screens (ui/safe.py): the helpers on the security probe's
strings, every unsafe_allow_html / st.html call in pages/ and ui/ fed only through them,
and the phone views (ui/mobile.py) and charts keeping hostile names as text.

How Streamlit really renders the escaped Markdown is checked in a browser by
tests/e2e/test_hostile_names.py; here the helpers' output is checked character by character.
"""

from __future__ import annotations

import ast
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from ui import charts, mobile, safe

ROOT = Path(__file__).resolve().parents[2]

# The probe's names (issue 14), HTML with and without spaces.
PROBE = [
    "<iframe srcdoc='<script>parent.document.title=\"PWNED\"</script>'>县",
    "<style>*{filter:blur(5px)}</style>镇",
    "<img src=x onerror=alert(1)>村",
    "<img/src=x/onerror=alert(2)>村",
    "<form><input placeholder=请输入密码></form>村",
    "**粗体**村",
    "$$\\LaTeX$$村",
    "$x$村",
    ":red[红色]村",
    ":material/home:村",
    ":smile:村",
    "![img](http://198.51.100.1/x.png)村",
    "[链接](http://198.51.100.1)村",
    "<a href=http://198.51.100.1>点</a>村",
    "http://198.51.100.1/a村",
    "WWW.example.com村",
    "a@198.51.100.1村",
    "`代码`村",
    "~~删除~~村",
    "&lt;b&gt;实体村",
    "a|b|c村",
    "# 标题村",
    "> 引用村",
    "- 列表村",
    "12. 序号村",
    "反斜杠\\*村",
    "换行\n# 标题",
]
MD_SYNTAX = "\\`*_~[]<>&$:|"


def _unescaped(text: str) -> list[str]:
    """Markdown syntax characters in ``text`` not preceded by an escaping backslash."""
    bad, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            i += 2  # an escape pair: the next character is text
            continue
        if text[i] in MD_SYNTAX:
            bad.append(text[i])
        i += 1
    return bad


@pytest.mark.parametrize("name", PROBE)
def test_md_escapes_every_syntax_character(name: str) -> None:
    out = safe.md(name)
    assert _unescaped(out) == []
    assert "\n" not in out  # one line: a break would start a new block
    # Unescaping gives the name back (line break -> space; word joiners are invisible).
    plain = re.sub(r"\\(.)", r"\1", out).replace(safe.WORD_JOINER, "")
    assert plain == name.replace("\n", " ")
    # GFM autolinks and Streamlit icons work on the text after unescaping: they are broken up.
    assert not re.search(r"(?i)://|www\.|[\w.+-]@|:material/", re.sub(r"\\(.)", r"\1", out))


def test_md_exact_outputs() -> None:
    assert safe.md("**粗体**村") == r"\*\*粗体\*\*村"
    assert safe.md(":red[红色]村") == r"\:red\[红色\]村"
    assert safe.md("$$\\LaTeX$$村") == r"\$\$\\LaTeX\$\$村"
    assert safe.md("# 标题") == r"\# 标题"
    assert safe.md("- 列表") == r"\- 列表"
    assert safe.md("12. 序号") == r"12\. 序号"
    assert safe.md("http://x.cn") == "http\\:\u2060//x.cn"
    # Ordinary text keeps its punctuation: captions stay readable in the source.
    assert safe.md("北镇2024-09.xlsx") == "北镇2024-09.xlsx"
    assert safe.md(None) == ""


@pytest.mark.parametrize("name", PROBE)
def test_html_and_plot_escape_markup(name: str) -> None:
    out = safe.html(name)
    assert "<" not in out and ">" not in out and "'" not in out and '"' not in out
    assert safe.html("a&b") == "a&amp;b"
    p = safe.plot(name)
    assert "<" not in p and ">" not in p
    assert safe.plot("<b>粗</b>&村") == "&lt;b&gt;粗&lt;/b&gt;&amp;村"


# --- every unsafe_allow_html / st.html call gets only escaped text ----------------------

# Functions that build HTML from escaped text (tested below and in test_briefing_exports.py).
HTML_BUILDERS = {"safe.html", "briefing.table_html", "mobile.battle_grid_html", "mobile.flag_cards_html",
                 "mobile.submission_cards_html"}


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def _is_constant(node: ast.AST) -> bool:
    """A literal or a module constant (UPPER_CASE name), e.g. briefing.TABLE_CSS."""
    if isinstance(node, ast.Constant):
        return True
    name = _dotted(node).rsplit(".", 1)[-1]
    return bool(name) and name.isupper()


def _safe_value(node: ast.AST) -> bool:
    if _is_constant(node):
        return True
    if isinstance(node, ast.Call) and _dotted(node.func) in HTML_BUILDERS:
        return True
    if isinstance(node, ast.JoinedStr):
        return all(_safe_value(v.value) for v in node.values if isinstance(v, ast.FormattedValue))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _safe_value(node.left) and _safe_value(node.right)
    return False


def _html_sinks(tree: ast.AST) -> list[ast.Call]:
    """Calls that render their first argument as HTML: X.html(...) and
    X.markdown(..., unsafe_allow_html=True)."""
    sinks = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute) or not node.args:
            continue
        if _dotted(node.func) in ("safe.html", "html.escape", "_html.escape"):
            continue  # the escaping functions themselves
        unsafe = any(k.arg == "unsafe_allow_html" and not (isinstance(k.value, ast.Constant) and not k.value.value)
                     for k in node.keywords)
        if node.func.attr == "html" or (node.func.attr in ("markdown", "write", "caption") and unsafe):
            sinks.append(node)
    return sinks


def _sources() -> list[Path]:
    return sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])


def test_every_html_sink_gets_only_escaped_text() -> None:
    found, bad = 0, []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for call in _html_sinks(tree):
            found += 1
            if not _safe_value(call.args[0]):
                bad.append(f"{path.relative_to(ROOT)}:{call.lineno}: {ast.unparse(call.args[0])[:120]}")
    assert found >= 6  # briefing (3), red_black, battle_map, components (CSS, script)
    assert bad == [], "HTML built from text that did not pass ui/safe.html:\n" + "\n".join(bad)


def test_the_ast_check_catches_a_raw_name() -> None:
    code = 'st.markdown(f"<h1>{b.title}</h1>", unsafe_allow_html=True)\nst.html(f"<p>{name}</p>")\n'
    calls = _html_sinks(ast.parse(code))
    assert len(calls) == 2 and not any(_safe_value(c.args[0]) for c in calls)
    ok = 'st.markdown(f"<h1>{safe.html(b.title)}</h1>", unsafe_allow_html=True)'
    assert all(_safe_value(c.args[0]) for c in _html_sinks(ast.parse(ok)))


# --- phone views ---------------------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(markup: str) -> _Tags:
    p = _Tags()
    p.feed(markup)
    p.close()
    return p


def battle_rows(names: list[str], township: str = "<style>*{filter:blur(5px)}</style>镇") -> pd.DataFrame:
    rows = []
    for i, name in enumerate(names):
        rows.append({"county": PROBE[0], "township": township, "branch": name, "branch_type": "村",
                     "stars": i % 6, "target_stars": 4 if i % 2 else None, "gap": 1, "overdue": i % 3,
                     "weak": i == 1, "score": 50.0 + i, "star_1": "achieved", "star_2": "in_progress",
                     "star_3": "not_started", "star_4": None, "star_5": "achieved"})
    return pd.DataFrame(rows)


ALLOWED_TAGS = {"style", "div", "span", "i", "table", "colgroup", "col", "thead", "tbody", "tr", "th", "td",
                "small", "b", "br"}


def test_battle_grid_keeps_hostile_names_as_text() -> None:
    markup = mobile.battle_grid_html(battle_rows(PROBE), several_townships=True)
    parsed = _parse(markup)
    assert set(parsed.tags) <= ALLOWED_TAGS
    assert parsed.tags.count("style") == 1 and parsed.tags.count("tr") == len(PROBE) + 1
    assert not any(k in ("src", "href", "onerror", "srcdoc", "placeholder") for k, _ in parsed.attrs)
    text = "".join(parsed.text)
    for name in PROBE:
        assert name in text
    # Five status cells per branch, coloured by class, with their marks.
    assert markup.count("class='s s-achieved'") == 2 * len(PROBE)
    assert markup.count("class='s s-unknown'") == len(PROBE)
    assert "逾期 2 项" in text and "软弱涣散" in text and "目标四星" in text and "目标未申报" in text


def test_battle_grid_rows_are_capped_on_a_phone() -> None:
    markup = mobile.battle_grid_html(battle_rows([f"{i}村" for i in range(12)]), several_townships=False, limit=5)
    assert markup.count("<tr>") == 6
    assert "手机上列出前 5 个（共 12 个）" in markup


def test_flag_cards_keep_hostile_names_and_show_reasons() -> None:
    table = pd.DataFrame({
        "旗": ["红旗", ""], "县（市、区）": [PROBE[0], "甲县"], "乡镇（街道）": [PROBE[1], "东镇"],
        "村（社区）": [PROBE[2], PROBE[5]], "上榜原因": ["本月乡镇排名第一", "<b>原因</b>"],
        "名次": pd.array([1, None], dtype="Int64"), "星级": ["五星", "三星"], "综合得分": [100.0, None],
    })
    markup = mobile.flag_cards_html(table, accent="#C62828")
    parsed = _parse(markup)
    assert set(parsed.tags) <= ALLOWED_TAGS
    text = "".join(parsed.text)
    assert all(v in text for v in (PROBE[0], PROBE[1], PROBE[2], PROBE[5], "<b>原因</b>", "本月乡镇排名第一"))
    assert "第 1 名 · 五星 · 100.0 分" in text and "三星" in text
    assert markup.count("class='fs-card'") == 2


def test_submission_cards_keep_hostile_names_as_text() -> None:
    table = pd.DataFrame({
        "县（市、区）": [PROBE[0], "甲县"], "乡镇（街道）": [PROBE[1], "东镇"], "状态": ["已退回", "已报送"],
        "说明": ["退回原因：<b>重报</b>", ""], "报送时间": ["2024-09-03 10:00", ""], "上传编号": ["U00001", ""],
        "报送支部数": pd.array([2, None], dtype="Int64"), "名册支部数": pd.array([3, None], dtype="Int64"),
        "缺报支部": [PROBE[2], ""],
    })
    markup = mobile.submission_cards_html(table)
    parsed = _parse(markup)
    assert set(parsed.tags) <= ALLOWED_TAGS
    text = "".join(parsed.text)
    assert all(v in text for v in (PROBE[0], PROBE[1], PROBE[2], "退回原因：<b>重报</b>"))
    assert "报送 2 个支部 / 名册 3 个" in text and "缺报支部：" in text
    assert markup.count("class='fs-card'") == 2


# --- charts ----------------------------------------------------------------------------


def test_charts_show_names_as_text() -> None:
    name = "<a href=http://198.51.100.1>点</a>村"
    ranking = pd.DataFrame({"branch": [name], "township": ["东镇"], "county": ["甲县"], "rank": [1],
                            "score": [90.0], "stars": [4]})
    fig = charts.ranking_bar(ranking)
    assert list(fig.data[0].y) == ["1. &lt;a href=http://198.51.100.1&gt;点&lt;/a&gt;村"]
    cmp = pd.DataFrame({"township": [name], "county": ["甲县"], "score_a": [1.0], "score_b": [2.0]})
    assert list(charts.compare_bars(cmp).data[0].y) == ["&lt;a href=http://198.51.100.1&gt;点&lt;/a&gt;村"]
    dist = pd.DataFrame([{"unit": name, "county": "甲县", "level": lv, "level_label": "x", "count": 1, "share": 1 / 6}
                         for lv in range(6)])
    assert list(charts.level_distribution_bars(dist).data[0].y) == ["&lt;a href=http://198.51.100.1&gt;点&lt;/a&gt;村"]
    tree = charts.hierarchy_treemap(battle_rows([name]).assign(county="<b>县</b>"))
    labels = list(tree.data[0].labels)
    assert labels[:2] == ["&lt;b&gt;县&lt;/b&gt;", "&lt;style&gt;*{filter:blur(5px)}&lt;/style&gt;镇"]
    assert labels[2].startswith("&lt;a href") and "<a" not in "".join(tree.data[0].customdata)


def test_offline_briefing_keeps_hostile_names_as_text() -> None:
    from analytics.flags import ListHead
    from analytics.periods import Period
    from analytics.rankings import RankingEnds
    from analytics.scope import Scope
    from tests.ui.test_briefing_exports import RANKING, RED, _kpis
    from ui import briefing

    county, township, branch = PROBE[0], PROBE[1], PROBE[2]
    ranking = RANKING.assign(county=county, township=township, branch=[branch, PROBE[13]])
    red = RED.assign(county=county, township=township, branch=branch, reason_text="<b>原因</b>")
    dist = pd.DataFrame({"unit": [PROBE[13]] * 6 + ["乙镇"] * 6, "county": county, "level": [5, 4, 3, 2, 1, 0] * 2,
                         "level_label": "x", "count": 1, "share": 1 / 6})
    b = briefing.make_briefing(Period.parse("2024-08"), Scope(county=county, township=township), kpis=_kpis(),
                               distribution=dist, township_distribution=dist,
                               ranking=RankingEnds(top=ranking, bottom=ranking.tail(1)),
                               red=ListHead(rows=red, total=1), black=ListHead(rows=red.iloc[0:0], total=0))
    page = briefing.to_html(b)
    outside_scripts = re.sub(r"<script\b.*?</script>", "", page, flags=re.S)
    parsed = _parse(outside_scripts)
    assert not {"iframe", "img", "form", "input", "a", "b"} & set(parsed.tags)
    assert parsed.tags.count("style") == 1  # the page's own
    text = "".join(parsed.text)
    assert county in text and township in text and branch in text and "<b>原因</b>" in text
    # In the figures' JSON (inside <script>) a name cannot close the script: "<" is an entity there.
    scripts = re.findall(r"<script\b[^>]*>(.*?)</script>", page, flags=re.S)
    figures = [s for s in scripts if "newPlot" in s and len(s) < 1_000_000]  # not plotly.js itself
    assert len(figures) == len(b.figures) == 2
    assert all("<img" not in s and "<a href" not in s and "</" not in s for s in figures)
    assert "&lt;a href=http://198.51.100.1&gt;点&lt;/a&gt;村" in page


def test_upload_page_shows_a_hostile_file_name_as_text(seeded_db: Path) -> None:
    """The upload preview, the import notice and the rollback confirmation name the file as text."""
    from tests.ui.test_pages import _filled_template, open_page

    name = "![x](http://198.51.100.1/f.png)**北镇**.xlsx"
    at = open_page("pages/upload.py")
    at.file_uploader[0].set_value([(name, _filled_template(), "application/octet-stream")])
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    shown = [m.value for m in at.markdown if "检查通过" in m.value]
    assert len(shown) == 1 and safe.md(name) in shown[0] and name not in shown[0]
    at.button(key="up_confirm").click()
    at.run()
    assert [s.value for s in at.success] == ["已导入为 U00007（2024-09，甲县：北镇），支部 2 个，任务 0 条。"]
    at.selectbox(key="rb_choice").set_value("U00007").run()
    confirm = at.checkbox(key="rb_confirm_U00007")
    assert safe.md(name) in confirm.label and name not in confirm.label


def test_briefing_lists_with_reasons_become_cards_on_a_phone() -> None:
    from ui import briefing

    with_reason = briefing.table_html(pd.DataFrame({"村（社区）": [PROBE[2]], "上榜原因": ["本月乡镇排名第一"]}))
    assert "<table class='bt list'>" in with_reason and safe.html(PROBE[2]) in with_reason
    assert "<table class='bt'>" in briefing.table_html(pd.DataFrame({"名次": [1]}))
    assert "table.bt.list thead { display: none; }" in briefing.TABLE_CSS
