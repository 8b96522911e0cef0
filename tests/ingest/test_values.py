"""Single-value parsing (analytics.ingest.values): marks, levels, numbers, dates, names."""

from __future__ import annotations

from datetime import date

import pyarrow as pa
import pytest

from analytics.ingest import values as V


def test_normalize_array_nfkc_whitespace_and_blank() -> None:
    arr = pa.array(["　樱桃沟 社区\u00a0", "（二）", None, " \u3000 ", "３星", "a\tb\nc"])
    assert V.normalize_array(arr).to_pylist() == ["樱桃沟社区", "(二)", None, None, "3星", "abc"]


def test_normalize_array_dictionary_path_matches_plain_path() -> None:
    values = ["甲 镇", "（乙）镇", None, "　"] * 1000  # long, few distinct values
    assert V.normalize_array(pa.array(values)).to_pylist() == ["甲镇", "(乙)镇", None, None] * 1000


def test_trim_array_keeps_inner_text() -> None:
    arr = pa.array(["  修缮 村部，（一期）  ", "\u3000", None])
    assert V.trim_array(arr).to_pylist() == ["修缮 村部，（一期）", None, None]


def test_map_distinct_values_and_messages() -> None:
    arr = pa.array(["√", "半达标", None, "√", "2"])
    out, errors = V.map_distinct(arr, V.parse_status, pa.string())
    assert out.to_pylist() == ["achieved", None, None, "achieved", "in_progress"]
    assert errors.to_pylist()[0] is None
    assert errors.to_pylist()[1].startswith("无法识别的星级状态，应为 已达标/创建中/未启动")
    assert errors.to_pylist()[2] is None


@pytest.mark.parametrize(
    ("mark", "code"),
    [("已达标", "achieved"), ("创成", "achieved"), ("✔", "achieved"), ("★", "achieved"), ("1", "achieved"),
     ("1.0", "achieved"), ("推进中", "in_progress"), ("○", "in_progress"), ("2", "in_progress"),
     ("未达标", "not_started"), ("✘", "not_started"), ("否", "not_started"), ("0", "not_started")],
)
def test_parse_status_marks(mark: str, code: str) -> None:
    assert V.parse_status(mark) == code


@pytest.mark.parametrize("mark", ["半达标", "3", "优秀", "√√"])
def test_parse_status_refuses_unknown(mark: str) -> None:
    with pytest.raises(ValueError, match="无法识别的星级状态"):
        V.parse_status(mark)


@pytest.mark.parametrize(
    ("text", "level"),
    [("三星", 3), ("3星", 3), ("3", 3), ("★★★", 3), ("三星级", 3), ("三星支部", 3), ("四星级党支部", 4),
     ("五星", 5), ("5.0", 5), ("★★★★☆", 4)],
)
def test_parse_target_forms(text: str, level: int) -> None:
    assert V.parse_target(text) == level


@pytest.mark.parametrize("text", ["二星", "6", "三颗半", "★★", "3.5"])
def test_parse_target_refuses(text: str) -> None:
    with pytest.raises(ValueError, match="创建目标"):
        V.parse_target(text)


def test_parse_target_not_declared() -> None:
    assert V.parse_target("无") is None
    assert V.parse_target("未申报") is None


@pytest.mark.parametrize(("text", "level"), [("0", 0), ("无星", 0), ("二星", 2), ("两星", 2), ("5", 5), ("★", 1)])
def test_parse_stars_reported(text: str, level: int) -> None:
    assert V.parse_stars_reported(text) == level


def test_parse_stars_reported_refuses_six() -> None:
    with pytest.raises(ValueError):
        V.parse_stars_reported("6")


def test_counts_and_fractions() -> None:
    assert V.parse_count("29") == 29
    assert V.parse_count("29.0") == 29
    assert V.parse_count("29项") == 29
    assert V.parse_fraction("18/29") == (18, 29)
    assert V.parse_fraction("18") == (18, None)
    for bad in ("-1", "2.5", "十八"):
        with pytest.raises(ValueError):
            V.parse_count(bad)
    with pytest.raises(ValueError, match="大于任务总数"):
        V.parse_fraction("30/29")


@pytest.mark.parametrize(
    ("text", "nano"),
    [("62%", 620_000_000), ("0.62", 620_000_000), ("62", 620_000_000), ("62.5%", 625_000_000),
     ("1", 1_000_000_000), ("100%", 1_000_000_000), ("0", 0), ("0.5", 500_000_000)],
)
def test_parse_rate(text: str, nano: int) -> None:
    assert V.parse_rate(text) == nano


@pytest.mark.parametrize("text", ["101", "120%", "-5%", "六成"])
def test_parse_rate_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        V.parse_rate(text)


@pytest.mark.parametrize(
    "text",
    ["45535", "45535.0", "2024-08-3100:00:00", "2024-08-31", "2024/8/31", "2024.8.31", "2024年8月31日",
     "8月31日", "20240831", "2024年8月", "8月底"],
)
def test_parse_date_forms(text: str) -> None:
    # (whitespace is already removed by normalization: "2024-08-31 00:00:00" arrives as above)
    assert V.parse_date(text, 2024) == date(2024, 8, 31)


def test_parse_date_year_end_and_no_date() -> None:
    assert V.parse_date("年底", 2024) == date(2024, 12, 31)
    assert V.parse_date("2025年底", 2024) == date(2025, 12, 31)
    assert V.parse_date("长期坚持", 2024) is None


@pytest.mark.parametrize("text", ["2024-02-30", "下月", "12345", "2024-13-01"])
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        V.parse_date(text, 2024)


def test_parse_date_without_year_needs_period() -> None:
    with pytest.raises(ValueError, match="没有年份"):
        V.parse_date("8月31日", None)


@pytest.mark.parametrize(
    ("text", "month"),
    [("2024-08", (2024, 8)), ("2024年8月", (2024, 8)), ("2024.08", (2024, 8)), ("202408", (2024, 8)),
     ("2024-08-0100:00:00", (2024, 8)), ("45505", (2024, 8)), ("8月", (None, 8)), ("2024年08月份", (2024, 8))],
)
def test_parse_month(text: str, month: tuple[int | None, int]) -> None:
    assert V.parse_month(text) == month


def test_find_month_in_text() -> None:
    assert V.find_month_in_text("××区“五星”支部创建工作台账(2024年8月)") == (2024, 8)
    assert V.find_month_in_text("台账2024.08") == (2024, 8)
    assert V.find_month_in_text("台账 2024-8 报送") == (2024, 8)
    assert V.find_month_in_text("甲镇202408") is None
    assert V.find_month_in_text("甲镇202408", compact=True) == (2024, 8)
    assert V.find_month_in_text("甲镇_2024-09", compact=True) == (2024, 9)
    assert V.find_month_in_text("第13期") is None


def test_county_from_title() -> None:
    assert V.county_from_title("二七区“五星”支部创建工作台账") == "二七区"
    assert V.county_from_title("郑州市二七区五星支部创建台账") == "二七区"
    assert V.county_from_title("郑州市新郑市五星支部台账") == "新郑市"
    assert V.county_from_title("中牟县台账") == "中牟县"
    assert V.county_from_title("××区“五星”支部创建工作台账") is None
    assert V.county_from_title("郑州市五星支部创建工作台账") is None
    assert V.county_from_title("五星支部创建工作台账") is None


def test_branch_identity_and_type() -> None:
    assert V.branch_identity("樱桃沟社区党总支") == "樱桃沟社区"
    assert V.branch_identity("一村党支部") == "一村"
    assert V.branch_identity("二村党委") == "二村"
    assert V.branch_identity("党支部") == "党支部"
    assert V.infer_branch_type("樱桃沟社区") == "社区"
    assert V.infer_branch_type("东街居委会") == "社区"
    assert V.infer_branch_type("一村") == "村"
    assert V.infer_branch_type("果园") is None
    assert V.parse_branch_type("农村") == "村"
    assert V.parse_branch_type("社区党支部") == "社区"
    with pytest.raises(ValueError, match="村 或 社区"):
        V.parse_branch_type("乡")


def test_bool_marks() -> None:
    assert V.parse_weak("是") is True
    assert V.parse_weak("√") is True
    assert V.parse_weak("否") is False
    assert V.parse_done("已完成") is True
    assert V.parse_done("推进中") is False
    assert V.parse_done("×") is False
    with pytest.raises(ValueError):
        V.parse_done("差不多")
    # Excel TRUE/FALSE cells arrive as "true"/"false".
    assert V.parse_done("true") is True
    assert V.parse_weak("FALSE") is False
    assert V.parse_status("true") == "achieved"


def test_star_names() -> None:
    assert V.parse_star("产业兴旺") == 2
    assert V.parse_star("共建共享星") == 2
    assert V.parse_star("产业兴旺/共建共享") == 2
    assert V.parse_star("幸福和谐星") == 5
    with pytest.raises(ValueError, match="无法识别的星名"):
        V.parse_star("产业兴旺/幸福和谐")
