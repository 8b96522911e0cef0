"""The one colour scheme and font stack used by every chart, table and export.

Star levels run from a deep red (五星) through orange and gold to greys (无星);
star statuses are green (已达标), amber (创建中), light red (未启动) and grey
(未填报). Both are chosen to stay distinguishable on a projector and in a
greyscale print-out (lightness decreases with the level).
"""

from __future__ import annotations

from typing import Final

from analytics.spec import LEVEL_LABELS, STATUS_LABELS

FONT_FAMILY: Final = '"Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'

# level (0..5) -> colour
LEVEL_COLORS: Final[dict[int, str]] = {
    5: "#A50F15",
    4: "#DE2D26",
    3: "#F28E2B",
    2: "#F6C85F",
    1: "#B8C4CE",
    0: "#7F8C99",
}
LEVELS_DESC: Final = (5, 4, 3, 2, 1, 0)
LEVEL_LABEL: Final[dict[int, str]] = dict(LEVEL_LABELS)
LEVEL_COLOR_BY_LABEL: Final[dict[str, str]] = {LEVEL_LABELS[k]: v for k, v in LEVEL_COLORS.items()}

# status code -> colour ("unknown" is the NULL status, 未填报)
STATUS_ORDER: Final = ("achieved", "in_progress", "not_started", "unknown")
STATUS_COLORS: Final[dict[str, str]] = {
    "achieved": "#2E7D32",
    "in_progress": "#F9A825",
    "not_started": "#E57373",
    "unknown": "#CFD8DC",
}
STATUS_LABEL: Final[dict[str, str]] = {
    "achieved": STATUS_LABELS["achieved"],
    "in_progress": STATUS_LABELS["in_progress"],
    "not_started": STATUS_LABELS["not_started"],
    "unknown": STATUS_LABELS[None],
}
# Text colour that stays readable on each status fill.
STATUS_TEXT_COLORS: Final[dict[str, str]] = {
    "achieved": "#FFFFFF",
    "in_progress": "#3E2723",
    "not_started": "#3E2723",
    "unknown": "#37474F",
}
# The one glyph set for marks written in text (tables, metric cards, the briefing and its
# offline HTML, upload results). Only characters that Noto Sans CJK SC, Microsoft YaHei and
# the other CJK fonts carry — never emoji, which show as boxes on office PCs and 国产 OS
# desktops without a colour-emoji font. Colour, where wanted, comes from CSS, not the glyph.
STATUS_ICONS: Final[dict[str, str]] = {
    "achieved": "●",
    "in_progress": "◐",
    "not_started": "○",
    "unknown": "？",
}
MARK_OK: Final = "✓"  # a file passed the check
MARK_ERROR: Final = "×"  # a file was refused (the ballot X, U+2717, is missing from Noto Sans CJK)
FLAG_MARKS: Final[dict[str, str]] = {"red": "▲", "black": "▼"}  # 红旗 (first of a township), 黑旗 (last)
BRAND_MARK: Final = "★"
GLYPHS: Final[frozenset[str]] = frozenset(
    {*STATUS_ICONS.values(), MARK_OK, MARK_ERROR, *FLAG_MARKS.values(), BRAND_MARK}
)


def flag_mark(red: bool) -> str:
    """"▲ 红旗" / "▼ 黑旗"."""
    return f"{FLAG_MARKS['red']} 红旗" if red else f"{FLAG_MARKS['black']} 黑旗"

RED: Final = "#C62828"
BLACK: Final = "#212121"
NEUTRAL: Final = "#90A4AE"
PRIMARY: Final = "#B71C1C"
GRID: Final = "#E6E9ED"
TEXT: Final = "#263238"


def level_text_color(level: int) -> str:
    """White text on the dark level fills, dark text on the light ones."""
    return "#FFFFFF" if level in (5, 4, 0) else "#263238"


def status_key(code: object) -> str:
    """Map a store status (None/NaN included) to a key of STATUS_COLORS."""
    if isinstance(code, str) and code in STATUS_COLORS:
        return code
    return "unknown"
