-- Shared fragment (two SELECT-list items over `f`, a row of black_flagged; not run
-- on its own): the codes of the reasons a present branch is on the 黑榜 (B4 entries
-- have their own, black_entries.sql), and their Chinese text joined with "；"
-- (black_entries.sql, list_heads.sql).
-- The codes, e.g. ['B1', 'B3'].
list_filter([CASE WHEN f.b1 THEN 'B1' END, CASE WHEN f.b2 THEN 'B2' END,
             CASE WHEN f.b3 THEN 'B3' END, CASE WHEN f.b5 THEN 'B5' END],
            lambda x: x IS NOT NULL) AS reasons,
-- Their texts in the order B1, B2, B3, B5, joined with '；'.
array_to_string(list_filter([
    -- 未评分 (cadence.md §3): the branch's assessment counted 0 in the rank that put it last.
    CASE WHEN f.b1 THEN $cur_word || f.unit_word || '排名末位'
                        || CASE WHEN f.unscored THEN '（未评分，考核评分按 0 分计）' ELSE '' END END,
    CASE WHEN f.b2 THEN '较' || $prev_word || '减少' || (f.prev_stars - f.stars) || '星' END,
    CASE WHEN f.b3 THEN '逾期任务' || f.overdue || '项' END,
    CASE WHEN f.b5 THEN '连续' || $stag_k || '个月星级和已完成任务数无变化，未达到创建目标' END
], lambda x: x IS NOT NULL), '；') AS reason_text
