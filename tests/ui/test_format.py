"""Display helpers on tiny literal inputs: unit names that stay apart, the distribution table."""

from __future__ import annotations

import pandas as pd

from ui import format


def test_distinct_names_add_as_much_place_as_it_takes() -> None:
    names = ["张庄村", "张庄村", "张庄村", "王庄村"]
    townships = ["城关镇", "城关镇", "李集镇", "城关镇"]
    counties = ["甲县", "乙县", "乙县", "甲县"]
    assert format.distinct_names(names, [townships, counties]) == [
        "张庄村（甲县城关镇）", "张庄村（乙县城关镇）", "张庄村（李集镇）", "王庄村"]
    # Unique names stay bare; a missing place is left out; no places: names as they are.
    assert format.distinct_names(["东镇", "西镇"], [["甲县", "乙县"]]) == ["东镇", "西镇"]
    assert format.distinct_names(["东镇", "东镇"], [["甲县", None]]) == ["东镇（甲县）", "东镇"]
    assert format.distinct_names(["甲县", "甲县"]) == ["甲县", "甲县"]


def test_unit_names_use_the_places_the_frame_has() -> None:
    towns = pd.DataFrame({"county": ["甲县", "乙县", "乙县"], "township": ["城关镇", "城关镇", "南镇"]})
    assert format.unit_names(towns, "township") == ["城关镇（甲县）", "城关镇（乙县）", "南镇"]
    # Without a county column a repeated name cannot be told apart and stays as it is.
    assert format.unit_names(towns[["township"]], "township") == ["城关镇", "城关镇", "南镇"]


def test_distribution_table_one_row_per_unit_in_order() -> None:
    rows = []
    for unit, county, counts in (("城关镇", "乙县", [0, 0, 2, 0, 0, 0]), ("东镇", "甲县", [1, 0, 0, 0, 0, 1]),
                                 ("城关镇", "甲县", [0, 1, 0, 0, 0, 0])):
        rows += [{"unit": unit, "county": county, "level": lv, "level_label": "", "count": n, "share": 0.0}
                 for lv, n in zip(range(5, -1, -1), counts, strict=True)]
    table = format.distribution_table(pd.DataFrame(rows), "township")
    assert list(table.columns) == ["县（市、区）", "乡镇（街道）", "支部数", "五星", "四星", "三星", "二星", "一星", "无星",
                                   "三星及以上占比"]
    assert table.values.tolist() == [
        ["乙县", "城关镇", 2, 0, 0, 2, 0, 0, 0, 1.0],
        ["甲县", "东镇", 2, 1, 0, 0, 0, 0, 1, 0.5],
        ["甲县", "城关镇", 1, 0, 1, 0, 0, 0, 0, 1.0],
    ]
    empty_unit = pd.DataFrame([{"unit": "村", "county": None, "level": lv, "level_label": "", "count": 0,
                                "share": None} for lv in range(5, -1, -1)])
    by_type = format.distribution_table(empty_unit, "branch_type")
    assert list(by_type.columns[:2]) == ["类型", "支部数"]
    assert by_type.iloc[0]["支部数"] == 0 and by_type.iloc[0]["三星及以上占比"] is None


def test_with_unit_names_tells_apart_over_all_rows() -> None:
    ranking = pd.DataFrame({"county": ["甲县", "乙县", "甲县"], "township": ["城关镇", "城关镇", "东镇"],
                            "branch": ["一村", "二村", "一村"], "rank": [1, 2, 3]})
    # The first two rows only: 一村 is still named with its township (another 一村 is further down).
    assert ranking.pipe(format.with_unit_names, "branch").head(2)["name"].tolist() == ["一村（城关镇）", "二村"]


def test_the_weekly_red_flag_is_called_the_weekly_red_star() -> None:
    import pandas as pd

    from ui import format as fmt

    rows = pd.DataFrame({"county": ["甲县"], "township": ["东镇"], "branch": ["一村"], "reasons": [["R1"]],
                         "reason_text": ["本周乡镇排名第一（周红星）"], "rank": [1], "stars": [3], "score": [56.0]})
    assert fmt.flag_table(rows, red=True, kind="week").iloc[0]["旗"].endswith("周红星")
    assert fmt.flag_table(rows, red=True).iloc[0]["旗"].endswith("红旗")
