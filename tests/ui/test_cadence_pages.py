"""Pages with assessment scores, the flag calendar and year-end acceptance (cadence.md §3–§5),
on the tiny store of conftest.py plus literal score and award rows."""

from __future__ import annotations

from pathlib import Path

import pytest

from analytics import store
from tests.factories import build_store
from tests.ui.conftest import BRANCHES, TASKS, with_account
from tests.ui.test_pages import frame, metrics, open_page


def to_year(at):  # type: ignore[no-untyped-def]
    """The sidebar set to 按年 (the year of the period shown)."""
    at.radio(key="f_kind").set_value("year")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.fixture
def scored_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = with_account(build_store(tmp_path / "ui.duckdb", BRANCHES, TASKS))
    with store.open_store(db) as con:
        # August scores for 东镇's two branches; 西镇 and 南镇 have none (未评分 when scores count).
        for branch, points in (("一村", 70.0), ("二村", 95.0)):
            con.execute("INSERT INTO assessment (upload_id, period, period_kind, county, township, branch, item, points)"
                        " VALUES ('T00001', DATE '2024-08-01', 'month', '甲县', '东镇', ?, '总分', ?)", [branch, points])
        # Year-end acceptance of 2024: 四村 reported 5 stars in August, accepted at 4.
        for county, township, branch, awarded in (("乙县", "南镇", "四村", 4), ("甲县", "东镇", "一村", 4)):
            con.execute("INSERT INTO award (upload_id, period, county, township, branch, awarded_stars, accepted_at)"
                        " VALUES ('T00002', DATE '2024-01-01', ?, ?, ?, ?, DATE '2024-12-20')",
                        [county, township, branch, awarded])
    settings = tmp_path / "fivestar.toml"
    settings.write_text("score_weight_assessment = 50\n", encoding="utf-8")
    monkeypatch.setenv("FIVESTAR_DB_PATH", str(db))
    monkeypatch.setenv("FIVESTAR_SETTINGS", str(settings))
    return db


def test_ranking_shows_the_assessment_unscored_the_rules_and_the_years_acceptance(scored_db: Path) -> None:
    at = open_page("pages/ranking.py")
    table = frame(at, "综合得分")
    got = dict(zip(table["村（社区）"], table["考核评分"], strict=True))
    assert got == {"一村": "70.0", "二村": "95.0", "四村": "未评分", "三社区": "未评分", "五社区": "未评分"}
    # 二村: 60 × 2/5 + 40 × 6/29 + 50 × 95/100 = 24 + 8.28 + 47.5
    assert table.set_index("村（社区）").loc["二村", "综合得分"] == round(24 + 240 / 29 + 47.5, 1)
    captions = " ".join(c.value for c in at.caption)
    assert "综合得分 = 60 × 星级 / 5 + 40 × 任务完成率 + 50 × 考核评分 / 100" in captions
    assert "未评分" in captions and "B1 黑旗（只在季度评定）" in captions
    # The acceptance belongs to the year view (cadence.md §5), not to a month.
    assert "2024年度验收授星" not in " ".join(m.value for m in at.markdown)
    to_year(at)
    markdown = " ".join(m.value for m in at.markdown)
    assert "2024年度验收授星" in markdown and "评定星级低于自报星级的 1 个" in markdown
    below = frame(at, "评定星级")
    assert list(below["村（社区）"]) == ["四村"] and list(below["自报星级"]) == ["五星"]
    assert list(below["评定星级"]) == ["四星"]


def test_red_black_says_which_rules_apply_and_has_no_black_flag_on_a_month(scored_db: Path) -> None:
    at = open_page("pages/red_black.py")
    notes = " ".join(i.value for i in at.info)
    assert "本月评定：红榜 R1 红旗、R2 前十、R3 晋星、R4 达标" in notes and "B1 黑旗（只在季度评定）" in notes
    m = metrics(at)
    assert m["▼ 黑旗"] == "不评"
    options = at.multiselect(key="rb_codes").options
    assert not any("B1" in o for o in options) and any("R1" in o for o in options)


def test_battle_map_and_briefing_show_the_acceptance_of_the_year(scored_db: Path) -> None:
    at = open_page("pages/battle_map.py")
    grid = frame(at, "差距").set_index("村（社区）")
    assert (grid.loc["一村", "考核评分"], grid.loc["三社区", "考核评分"]) == ("70.0", "未评分")
    assert "2024年度验收授星" not in " ".join(m.value for m in at.markdown)
    to_year(at)
    assert "2024年度验收授星（评定星级与自报星级对照）" in " ".join(m.value for m in at.markdown)
    assert list(frame(at, "评定星级")["村（社区）"]) == ["四村"]
    brief = open_page("pages/briefing.py")
    text = " ".join(m.value for m in brief.markdown) + " ".join(c.value for c in brief.caption)
    assert "红黑榜本月评定" in text and "50 × 考核评分 ÷ 100" in text
    assert "2024年度验收" not in text
    html = " ".join(h.proto.body for h in brief.get("html"))
    assert "考核评分" in html and "未评分" in html  # the ranking tables of the briefing
    to_year(brief)
    text = " ".join(m.value for m in brief.markdown) + " ".join(c.value for c in brief.caption)
    assert "2024年度验收：评定星级低于自报星级" in text
