"""Issue 13 item 5: no emoji anywhere a user looks; the marks are one glyph set every CJK font has.

Emoji (🚩 ✅ ❌ 🟢 …) render as boxes on office PCs and 国产 OS desktops without a colour-emoji
font. The pages, the UI helpers and the offline briefing HTML use only ``theme.GLYPHS``
(plus ordinary CJK text), and each of those glyphs is in Noto Sans CJK SC.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.ui.test_briefing_exports import _brief
from ui import briefing, theme

ROOT = Path(__file__).resolve().parents[2]
# Emoji and pictographs, dingbats and miscellaneous symbols, the emoji variation selector.
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\uFE0F]")


def emoji_in(text: str) -> list[str]:
    return [ch for ch in EMOJI.findall(text) if ch not in theme.GLYPHS]


@pytest.mark.parametrize("path", sorted([*ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py"), ROOT / "app.py"]),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_no_emoji_in_page_and_ui_source(path: Path) -> None:
    found = [(n, emoji_in(line)) for n, line in enumerate(path.read_text().splitlines(), 1) if emoji_in(line)]
    assert not found, found


def test_no_emoji_in_the_offline_briefing() -> None:
    b = _brief()
    html = briefing.to_html(b)
    assert not emoji_in(html)
    assert theme.flag_mark(True) in html  # the red list's flag column uses the glyph set


def test_glyphs_are_in_the_cjk_font() -> None:
    assert shutil.which("fc-list"), "fontconfig (fc-list) is needed, see README"
    for glyph in sorted(theme.GLYPHS):
        families = subprocess.run(["fc-list", f":charset={ord(glyph):x}", "family"], capture_output=True,
                                  text=True, check=True).stdout
        assert "Noto Sans CJK SC" in families, f"{glyph} (U+{ord(glyph):04X}) is not in Noto Sans CJK SC"
