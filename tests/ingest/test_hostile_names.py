"""Issue 14: control and format characters in names and free text (normalisation at the door).

The probe's hostile names are generated here, never checked in as files.
"""

from __future__ import annotations

import unicodedata

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analytics import spec
from analytics.ingest import values as V
from tests.ingest.test_parse_helpers import STARS_V
from tests.ingest.test_validate import ALL, codes, failed, ledger, ok, parse, rows

# Seven look-alikes of 张庄村 from the probe: zero-width, BOM, bidi controls, C0/C1 controls.
LOOKALIKES = [
    "张庄村",
    "张\u200b庄村",  # zero-width space
    "张庄\u200d村",  # zero-width joiner
    "\ufeff张庄村",  # BOM
    "张庄村\u202e",  # right-to-left override
    "\u2066张庄村\u2069",  # isolate controls
    "张\x1b[31m庄村",  # ESC + CSI: ESC and the bracket sequence's control are dropped, text kept
    "张\x00庄\x07村\x85",  # NUL, BEL, NEL
]
CONTROL_OR_FORMAT = {"Cc", "Cf"}


def _bad(text: str) -> list[str]:
    return [f"U+{ord(ch):04X}" for ch in text if unicodedata.category(ch) in CONTROL_OR_FORMAT]


def test_lookalikes_normalise_to_one_name() -> None:
    expected = {"张庄村", "张[31m庄村"}  # the CSI's printable tail is text (harmless once ESC is gone)
    assert {spec.normalize_text(n) for n in LOOKALIKES} == expected
    arrow = V.normalize_array(pa.array(LOOKALIKES)).to_pylist()
    assert arrow == [spec.normalize_text(n) for n in LOOKALIKES]


def test_lookalikes_collide_as_duplicates() -> None:
    names = [n for n in LOOKALIKES if "\x1b" not in n]
    result = failed(parse(ledger(*[["甲镇", n, *ALL] for n in names])))
    assert codes(result.errors) == [f"E_DUPLICATE 星级台账!B{r}" for r in range(3, len(names) + 2)]
    assert all("与 星级台账!B2 重复" in p.message for p in result.errors)


def test_township_lookalikes_are_one_township() -> None:
    result = ok(parse(ledger(["甲\u200b镇", "一村", *ALL], ["\u202e甲镇", "二村", *ALL])))
    assert rows(result, "township", "branch") == [("甲镇", "一村"), ("甲镇", "二村")]
    assert result.scope == [("二七区", "甲镇")]


def test_name_of_only_invisible_characters_is_a_row_error() -> None:
    result = failed(parse(ledger(
        ["甲镇", "一村", *ALL],
        ["\u200b\u200d", "二村", *ALL],  # would otherwise be carried down from 甲镇
        ["甲镇", "\ufeff\x1b", *ALL],
    )))
    assert codes(result.errors) == ["E_VALUE 星级台账!A3", "E_VALUE 星级台账!B4"]
    assert "只含不可见字符" in result.errors[0].message
    assert "乡镇（街道）" in result.errors[0].message
    assert "缺少村（社区）名称" in result.errors[1].message  # not carried down: the usual message


def test_whitespace_only_name_is_still_blank_not_an_error() -> None:
    result = ok(parse(ledger(["甲镇", "一村", *ALL], ["\u3000 ", "二村", *ALL])))
    assert rows(result, "township", "branch") == [("甲镇", "一村"), ("甲镇", "二村")]


def test_free_text_keeps_line_breaks_and_drops_controls() -> None:
    header = ["乡镇", "村(社区)", *STARS_V, "存在问题", "备注"]
    result = ok(parse(ledger(
        ["甲镇", "一村", *ALL, "\t=2+2\r\n道路\x1b]0;owned\x07破损\u202e", "第一行\r第二行\u2028第三行\t完"],
        header=header,
    )))
    [(problems, notes)] = rows(result, "problems", "notes")
    assert problems == "=2+2\n道路]0;owned破损"
    assert notes == "第一行\n第二行\n第三行 完"


def test_free_text_without_controls_is_unchanged() -> None:
    values = pa.array(["  道路 破损 ", "第一行\n第二行", None, "   "])
    assert V.trim_array(values).to_pylist() == ["道路 破损", "第一行\n第二行", None, None]


# --- properties over arbitrary Unicode -------------------------------------------------------

# Characters Python's Unicode database knows (Arrow's may be newer: an unassigned code point
# there can be a letter here). Surrogates cannot be encoded.
ANY_CHAR = st.characters(exclude_categories=("Cs", "Cn"))
HOSTILE = st.sampled_from([
    "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u200e", "\u200f", "\u202a", "\u202e", "\u2066",
    "\u2069", "\x00", "\x1b", "\x07", "\x7f", "\x9b", "\t", "\r", "\n", "\u3000", "\xa0", "\u2028",
])
NAME = st.lists(st.one_of(ANY_CHAR, HOSTILE, st.sampled_from("张庄村镇社区")), max_size=12).map("".join)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAME, min_size=1, max_size=20))
def test_no_control_or_format_character_survives_and_twins_agree(names: list[str]) -> None:
    arrow = V.normalize_array(pa.array(names, pa.string())).to_pylist()
    python = [spec.normalize_text(n) for n in names]
    assert arrow == python
    for value in arrow:
        assert value is None or (value and not _bad(value) and not any(ch.isspace() for ch in value))
    for value in V.trim_array(pa.array(names, pa.string())).to_pylist():
        assert value is None or [c for c in _bad(value) if c != "U+000A"] == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(NAME, min_size=2, max_size=6))
def test_names_equal_after_normalisation_are_duplicates(raw: list[str]) -> None:
    names = [n + "村" for n in raw]  # a village, so the type is inferred
    keys = [V.branch_identity(spec.normalize_text(n) or "") for n in names]
    result = parse(ledger(*[["甲镇", n, *ALL] for n in names]))
    errors = getattr(result, "errors", [])
    duplicate_rows = {p.row for p in errors if p.code == "E_DUPLICATE"}
    first: dict[str, int] = {}
    expected = set()
    for row, key in enumerate(keys, start=2):
        if key in first:
            expected.add(row)
        else:
            first[key] = row
    assert duplicate_rows == expected
    if not expected and not errors:
        assert len(ok(result).branches) == len(names)


def test_free_text_check_on_long_columns_few_or_many_distinct_values() -> None:
    many = [f"任务{i}\n第二行" for i in range(3000)]  # distinct values: checked cell by cell
    many[1234] = "任务\x1b[2J清屏"
    assert V.trim_array(pa.array(many)).to_pylist()[1233:1236] == ["任务1233\n第二行", "任务[2J清屏", "任务1235\n第二行"]
    few = ["整治村容\u3000村貌", "发展产业\u200b"] * 2000  # few distinct values: checked once per value
    assert V.trim_array(pa.array(few)).to_pylist()[:2] == ["整治村容\u3000村貌", "发展产业"]
    clean = ["整治村容\u3000村貌", "第一行\n第二行"] * 2000  # not all printable, but nothing to drop
    assert V.trim_array(pa.array(clean)).to_pylist() == clean
