"""红黑榜: every rule R1–R4 / B1–B5 on small literal data with hand-worked results."""

import pytest

from analytics.flags import LIST_COLUMNS, REASON_LABELS, black_list, list_heads, red_list
from analytics.periods import Period
from analytics.scope import Scope
from tests.analytics.conftest import records, row, task

JUN, JUL, AUG = "2024-06", "2024-07", "2024-08"

MONTHLY = [
    # 甲镇: 3 branches in August (R1 and B1 apply); 4 in July (八村 then missing).
    row(AUG, "甲镇", "一村", 4, 20, 29, target=4),  # 48 + 40×20/29 = 75.59 -> scope 1, township 1
    row(JUL, "甲镇", "一村", 3, 10, 29, target=4),  # +1 star; target not attained in July -> R3, R4
    row(AUG, "甲镇", "二村", 2),                    # 24 -> scope 5, township 3 (last) -> B1
    row(JUL, "甲镇", "二村", 3),                    # lost a star -> B2
    row(JUN, "甲镇", "三村", 2, 5, 29, target=3),
    row(JUL, "甲镇", "三村", 2, 5, 29, target=3),
    row(AUG, "甲镇", "三村", 2, 5, 29, target=3),   # 24 + 6.90 = 30.90; same 3 months, not attained -> B5
    row(JUL, "甲镇", "八村", 1),                    # missing in August, township present -> B4 (branch entry)
    # 乙镇: 2 branches tied at the top (both R1), no B1 (fewer than 3 branches).
    row(JUN, "乙镇", "四村", 3),
    row(JUL, "乙镇", "四村", 3),
    row(AUG, "乙镇", "四村", 3),                    # 36, tasks unknown in all 3 months, no target -> B5
    row(JUN, "乙镇", "五村", 1),
    row(AUG, "乙镇", "五村", 3),                    # 36; absent in July: no R3 (only the previous period counts)
    # 丙镇: reported in July, nothing in August -> one township-level B4 entry.
    row(JUL, "丙镇", "六村", 1),
    row(JUL, "丙镇", "七村", 2),
]
TASKS = [
    task(AUG, "甲镇", "二村", "2024-08-10", False, name="a"),   # overdue
    task(AUG, "甲镇", "二村", "2024-08-31", False, name="b"),   # overdue (deadline = last day)
    task(AUG, "甲镇", "二村", "2024-07-20", False, name="c"),   # overdue
    task(AUG, "甲镇", "二村", "2024-09-15", False, name="d"),   # not yet due
    task(AUG, "甲镇", "二村", "2024-08-05", True, name="e"),    # done
    task(AUG, "甲镇", "二村", None, False, name="f"),           # no deadline
    task(AUG, "甲镇", "一村", "2024-08-01", False, name="g"),   # 2 overdue only: below the threshold 3
    task(AUG, "甲镇", "一村", "2024-08-02", False, name="h"),
    task(JUL, "甲镇", "一村", "2024-07-02", False, name="i"),   # July's task: not this period's
    task(JUL, "甲镇", "一村", "2024-07-03", False, name="j"),
]


def test_red_list_month(make_con, settings):
    con = make_con(MONTHLY, TASKS)
    df = red_list(con, Period.parse(AUG), Scope(), settings.replace(red_top_n=2))
    assert list(df.columns) == LIST_COLUMNS
    # Scope ranks: 一村 1, 五村/四村 2 (tie at N=2 lets both in), 三村 4, 二村 5. 五 U+4E94 < 四 U+56DB.
    assert records(df, ["township", "branch", "reasons", "reason_text", "rank", "stars"]) == [
        ("甲镇", "一村", ["R1", "R2", "R3", "R4"],
         "本月乡镇排名第一；本月排名第1名（前2名）；较上月增加1星；达到创建目标（四星）", 1, 4),
        ("乙镇", "五村", ["R1", "R2"], "本月乡镇排名第一；本月排名第2名（前2名）", 2, 3),
        ("乙镇", "四村", ["R1", "R2"], "本月乡镇排名第一；本月排名第2名（前2名）", 2, 3),
    ]


def test_black_list_month(make_con, settings):
    # B1 黑旗 is judged for quarters only by default (cadence.md §4); these check the rule itself on a month.
    settings = settings.replace(black_flag_periods=["month", "quarter"])
    con = make_con(MONTHLY, TASKS)
    df = black_list(con, Period.parse(AUG), Scope(), settings)
    assert list(df.columns) == LIST_COLUMNS
    assert records(df, ["township", "branch", "reasons", "reason_text", "rank", "stars"]) == [
        ("甲镇", "二村", ["B1", "B2", "B3"], "本月乡镇排名末位；较上月减少1星；逾期任务3项", 5, 2),
        ("甲镇", "三村", ["B5"], "连续3个月星级和已完成任务数无变化，未达到创建目标", 4, 2),
        ("乙镇", "四村", ["B5"], "连续3个月星级和已完成任务数无变化，未达到创建目标", 2, 3),
        ("丙镇", None, ["B4"], "上月已报送，本月全乡镇未报送", None, None),
        ("甲镇", "八村", ["B4"], "上月已报送，本月未报送", None, None),
    ]


def test_thresholds_come_from_settings(make_con, settings):
    # B1 黑旗 is judged for quarters only by default (cadence.md §4); these check the rule itself on a month.
    settings = settings.replace(black_flag_periods=["month", "quarter"])
    con = make_con(MONTHLY, TASKS)
    strict = settings.replace(overdue_threshold=2, black_flag_min_branches=2, stagnation_months=4)
    df = black_list(con, Period.parse(AUG), Scope(), strict)
    got = {b: r for b, r in zip(df["branch"], df["reasons"], strict=True)}
    # 一村 now has enough overdue tasks; 乙镇 (2 branches, tied) gets B1 for both; a 4-month
    # window finds no stagnation (no May rows).
    assert got == {"二村": ["B1", "B2", "B3"], "一村": ["B3"], "五村": ["B1"], "四村": ["B1"],
                   None: ["B4"], "八村": ["B4"]}


def test_two_branch_township_red_not_black(make_con, settings):
    con = make_con([row(AUG, "甲镇", "一村", 3), row(AUG, "甲镇", "二村", 1)])
    red = red_list(con, Period.parse(AUG), Scope(), settings.replace(red_top_n=1))
    black = black_list(con, Period.parse(AUG), Scope(), settings)
    assert records(red, ["branch", "reasons"]) == [("一村", ["R1", "R2"])]
    assert len(black) == 0


def test_ties_at_bottom_all_get_black_flag(make_con, settings):
    # B1 黑旗 is judged for quarters only by default (cadence.md §4); these check the rule itself on a month.
    settings = settings.replace(black_flag_periods=["month", "quarter"])
    con = make_con([row(AUG, "甲镇", "一村", 3), row(AUG, "甲镇", "二村", 1), row(AUG, "甲镇", "三村", 1)])
    df = black_list(con, Period.parse(AUG), Scope(), settings)
    assert records(df, ["branch", "reasons", "rank"]) == [("三村", ["B1"], 2), ("二村", ["B1"], 2)]


def test_scope_counts_only_branches_in_scope(make_con, settings):
    # B1 黑旗 is judged for quarters only by default (cadence.md §4); these check the rule itself on a month.
    settings = settings.replace(black_flag_periods=["month", "quarter"])
    # With only 村 in scope, 甲镇 has 2 branches: R1 still, B1 no longer.
    con = make_con([row(AUG, "甲镇", "一村", 3), row(AUG, "甲镇", "二村", 1), row(AUG, "甲镇", "三社区", 0)])
    period = Period.parse(AUG)
    assert records(black_list(con, period, Scope(), settings), ["branch", "reasons"]) == [("三社区", ["B1"])]
    assert len(black_list(con, period, Scope(branch_type="村"), settings)) == 0
    red = red_list(con, period, Scope(branch_type="村"), settings.replace(red_top_n=1))
    assert records(red, ["branch", "reasons"]) == [("一村", ["R1", "R2"])]


def test_r4_needs_previous_presence_and_no_attainment_then(make_con, settings):
    con = make_con([
        row(JUL, "甲镇", "一村", 3, target=3), row(AUG, "甲镇", "一村", 3, target=3),  # attained both: no R4
        row(JUL, "甲镇", "二村", 2), row(AUG, "甲镇", "二村", 3, target=3),            # no target then -> R4
        row(AUG, "甲镇", "三村", 4, target=4),                                          # new: no R4
        row(JUN, "甲镇", "四村", 1, target=3), row(AUG, "甲镇", "四村", 3, target=3),  # absent in July: no R4
    ])
    df = red_list(con, Period.parse(AUG), Scope(), settings.replace(red_top_n=0, red_flag_min_branches=99))
    assert records(df, ["branch", "reasons", "reason_text"]) == [
        ("二村", ["R3", "R4"], "较上月增加1星；达到创建目标（三星）"),
    ]


QUARTERLY = [
    row("2024-05", "甲镇", "一村", 2),
    row("2024-06", "甲镇", "三村", 4),
    row("2024-07", "甲镇", "一村", 1),
    row("2024-08", "甲镇", "一村", 3),   # Q3 snapshot: August, 36 (Q2: 24) -> R3
    row("2024-07", "甲镇", "二村", 2),   # Q3 snapshot: July, 24
    row("2024-07", "甲镇", "四村", 0),
    row("2024-09", "甲镇", "四村", 5),   # Q3 snapshot: September, 60 -> R1
    row("2024-06", "甲镇", "五村", 2),
    row("2024-07", "甲镇", "五村", 2),
    row("2024-08", "甲镇", "五村", 2),   # Q3 snapshot: August; window Jun–Aug crosses into Q2 -> B5
]


def test_quarter_lists(make_con, settings):
    con = make_con(QUARTERLY)
    q3 = Period.parse("2024Q3")
    # Q3 ranks: 四村 1, 一村 2, 二村/五村 3 (tied last: both B1). 三村 only in Q2 -> B4.
    red = red_list(con, q3, Scope(), settings)
    assert records(red, ["branch", "reasons", "reason_text"]) == [
        ("四村", ["R1", "R2"], "本季度乡镇排名第一；本季度排名第1名（前10名）"),
        ("一村", ["R2", "R3"], "本季度排名第2名（前10名）；较上季度增加1星"),
        ("二村", ["R2"], "本季度排名第3名（前10名）"),
        ("五村", ["R2"], "本季度排名第3名（前10名）"),
    ]
    black = black_list(con, q3, Scope(), settings)
    assert records(black, ["branch", "reasons", "reason_text"]) == [
        ("二村", ["B1"], "本季度乡镇排名末位"),
        ("五村", ["B1", "B5"], "本季度乡镇排名末位；连续3个月星级和已完成任务数无变化，未达到创建目标"),
        ("三村", ["B4"], "上季度已报送，本季度未报送"),
    ]


def test_b5_requires_rows_in_every_month_and_equal_tasks(make_con, settings):
    con = make_con([
        # tasks_done known in some months only: not equal -> no B5
        row(JUN, "甲镇", "一村", 2, None, 29), row(JUL, "甲镇", "一村", 2, 5, 29), row(AUG, "甲镇", "一村", 2, 5, 29),
        # tasks_done changed -> no B5
        row(JUN, "甲镇", "二村", 2, 4, 29), row(JUL, "甲镇", "二村", 2, 5, 29), row(AUG, "甲镇", "二村", 2, 5, 29),
        # a gap (no July row) -> no B5
        row(JUN, "甲镇", "三村", 2, 5, 29), row(AUG, "甲镇", "三村", 2, 5, 29),
        # unchanged but attained its target -> no B5
        row(JUN, "乙镇", "四村", 3, 5, 29, target=3), row(JUL, "乙镇", "四村", 3, 5, 29, target=3),
        row(AUG, "乙镇", "四村", 3, 5, 29, target=3),
        # unchanged, target above -> B5
        row(JUN, "乙镇", "五村", 3, 5, 29, target=4), row(JUL, "乙镇", "五村", 3, 5, 29, target=4),
        row(AUG, "乙镇", "五村", 3, 5, 29, target=4),
    ])
    df = black_list(con, Period.parse(AUG), Scope(), settings.replace(black_flag_min_branches=99))
    assert records(df, ["branch", "reasons"]) == [("五村", ["B5"])]


def test_reason_labels():
    assert REASON_LABELS == {"R1": "红旗", "R2": "前十", "R3": "晋星", "R4": "达标",
                             "B1": "黑旗", "B2": "降星", "B3": "逾期", "B4": "未报送", "B5": "停滞"}


def test_unit_word_follows_township_name(make_con, settings):
    # B1 黑旗 is judged for quarters only by default (cadence.md §4); these check the rule itself on a month.
    settings = settings.replace(black_flag_periods=["month", "quarter"])
    con = make_con([row(AUG, "建设路街道", "一社区", 3), row(AUG, "建设路街道", "二社区", 1),
                    row(AUG, "建设路街道", "三社区", 0), row(AUG, "城关", "四村", 2), row(AUG, "城关", "五村", 1)])
    red = red_list(con, Period.parse(AUG), Scope(), settings.replace(red_top_n=0))
    assert dict(zip(red["branch"], red["reason_text"], strict=True)) == {
        "一社区": "本月街道排名第一", "四村": "本月乡镇（街道）排名第一"}
    black = black_list(con, Period.parse(AUG), Scope(), settings)
    assert records(black, ["branch", "reason_text"]) == [("三社区", "本月街道排名末位")]


def test_list_heads_are_the_first_entries_and_the_whole_count(make_con, settings):
    con = make_con(MONTHLY, TASKS)
    aug, narrow = Period.parse(AUG), settings.replace(red_top_n=2)
    red, black = red_list(con, aug, Scope(), narrow), black_list(con, aug, Scope(), narrow)
    assert (len(red), len(black)) == (3, 5)
    for rows in (1, 2, 5, 50):
        heads = list_heads(con, aug, Scope(), narrow, rows)
        for head, whole in ((heads.red, red), (heads.black, black)):
            assert head.total == len(whole)
            assert list(head.rows.columns) == LIST_COLUMNS
            # The same rows, values and order as the whole list's first entries.
            assert records(head.rows, LIST_COLUMNS) == records(whole.head(rows), LIST_COLUMNS)
    # The two B4 entries at the end of the black list: the township entry first, branch None.
    assert records(list_heads(con, aug, Scope(), narrow, 5).black.rows.tail(2), ["township", "branch", "reasons"]) == [
        ("丙镇", None, ["B4"]), ("甲镇", "八村", ["B4"])]


def test_list_heads_of_empty_lists(make_con, settings):
    # One branch, one month: no previous period, no township of 3 -> both lists empty.
    con = make_con([row(AUG, "甲镇", "一村", 2)])
    heads = list_heads(con, Period.parse(AUG), Scope(), settings.replace(red_top_n=0, red_flag_min_branches=2), 10)
    for head in (heads.red, heads.black):
        assert head.total == 0 and head.rows.empty and list(head.rows.columns) == LIST_COLUMNS


def test_list_heads_with_one_list_empty(make_con, settings):
    # B1 黑旗 is judged for quarters only by default (cadence.md §4); these check the rule itself on a month.
    settings = settings.replace(black_flag_periods=["month", "quarter"])
    # One month, a township of 3: 三村 is its last (B1); nothing earns a red entry
    # (R2 off, R1 needs 99 branches, no previous period for R3/R4).
    con = make_con([row(AUG, "甲镇", "一村", 3), row(AUG, "甲镇", "二村", 2), row(AUG, "甲镇", "三村", 1)])
    quiet = settings.replace(red_top_n=0, red_flag_min_branches=99)
    heads = list_heads(con, Period.parse(AUG), Scope(), quiet, 10)
    assert heads.red.total == 0 and heads.red.rows.empty and list(heads.red.rows.columns) == LIST_COLUMNS
    assert heads.black.total == 1
    assert records(heads.black.rows, ["branch", "reasons", "reason_text", "rank"]) == [
        ("三村", ["B1"], "本月乡镇排名末位", 3)]


def test_list_heads_refuse_a_non_positive_row_count(make_con, settings):
    con = make_con(MONTHLY, TASKS)
    for rows in (0, -1):
        with pytest.raises(ValueError, match="rows 应为正整数"):
            list_heads(con, Period.parse(AUG), Scope(), settings, rows)
