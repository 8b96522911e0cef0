"""The one rule for user text on screens: a value that came from a file or a form
(county/township/branch names, secretary, task texts, file names, uploader, messages
that quote a cell) is shown as text — never as Markdown, HTML or plotly markup.

- ``md(value)``: for every Streamlit element that renders Markdown (st.markdown,
  caption, info/success/warning/error, write(str), title/subheader, metric label and
  help, widget and button labels, radio/pills options, status/expander labels,
  st.table cells). The characters that start Markdown or Streamlit syntax anywhere in
  a line get CommonMark's backslash escape: ``\\ ` * _ ~ [ ] < > & $ : |`` — so
  ``**bold**``, code, ``$``/``$$`` (KaTeX), ``:red[…]``/``:material/…:``/``:smile:``
  (Streamlit directives, emoji), ``![img](…)``, ``[link](…)``, ``<html>``,
  ``&entities;`` and ``|`` come out as typed; a value that begins with a block
  marker (``#``, ``>``, ``-``, ``+``, ``=``, ``1.``) has that escaped too. Other
  punctuation stays as it is, so the source of a caption stays readable
  ("北镇2024-09.xlsx"). Line breaks become spaces (a break would start a new
  block). GFM turns bare ``http://…``, ``www.…`` and ``a@b.cn`` into links *after*
  escapes are resolved, so a WORD JOINER (U+2060, invisible, no width) goes into
  ``:⁠//``, ``www⁠.`` and before ``@`` — the text reads the same and is no link;
  likewise ``:⁠material/…:`` (Streamlit swaps icons in after escaping).
- ``html(value)``: for the few places that must use ``unsafe_allow_html`` or
  ``st.html``: ``< > & " '`` as entities.
- ``plot(value)``: for text that goes into a plotly figure (titles, category ticks,
  bar/treemap labels, hover text): plotly renders a subset of HTML there
  (``<a href>``, ``<b>``, ``<br>``, ``<span style>``) and decodes entities, so
  ``< > &`` become entities and show as typed.

st.dataframe draws on a canvas (text only); selectbox/multiselect option labels
are plain text. Pages pass user text through these helpers at the point where it
enters a string of markup; tests/ui/test_safe.py checks the helpers on the probe's
strings and that every f-string value in an ``unsafe_allow_html``/``st.html`` call
passes one of them.
"""

from __future__ import annotations

import html as _html
import re
from typing import Any

# Markdown/Streamlit syntax anywhere in a line (CommonMark allows a backslash before each).
_MD_INLINE = re.compile(r"([\\`*_~\[\]<>&$:|])")
# Block markers, only at the start of the value: heading, quote, list, setext line, ordered list.
_MD_BLOCK_START = re.compile(r"^(\s*)([#>+=-]|\d+(?=[.)]))")
_LINE_BREAKS = re.compile(r"[\r\n\u2028\u2029\u0085\v\f]+")
# What is turned into markup in text nodes, after escapes are resolved: GFM's autolinks
# (scheme "://", "www.", e-mail "@") and Streamlit's icons (":material/…:", ":streamlit:").
_AUTOLINK = re.compile(r"(?i)(:(?=//|material/|streamlit:)|www(?=\.)|(?=@))")
WORD_JOINER = "\u2060"


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def md(value: Any) -> str:
    """``value`` as literal text inside Streamlit Markdown."""
    text = _AUTOLINK.sub(lambda m: m.group(1) + WORD_JOINER, _LINE_BREAKS.sub(" ", _text(value)))
    text = _MD_INLINE.sub(r"\\\1", text)
    return _MD_BLOCK_START.sub(lambda m: m.group(1) + _escape_block(m.group(2)), text)


def _escape_block(marker: str) -> str:
    # "12." -> "12\." (the dot makes the list); "#", ">", "-", "+", "=" -> "\#" …
    return marker + "\\" if marker[0].isdigit() else "\\" + marker


def html(value: Any) -> str:
    """``value`` as literal text inside HTML (element content or a quoted attribute)."""
    return _html.escape(_text(value), quote=True)


def plot(value: Any) -> str:
    """``value`` as literal text inside a plotly string (title, tick, label, hover)."""
    return _text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def plot_all(values: Any) -> list[str]:
    """``plot`` over a sequence (category labels of a trace)."""
    return [plot(v) for v in values]
