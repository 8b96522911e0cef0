-- Shared fragment (two SELECT-list items over `f`, a row of red_flagged; not run
-- on its own): the codes of the reasons a branch is on the 红榜, and their Chinese
-- text joined with "；" (red_entries.sql, list_heads.sql).
-- The codes, e.g. ['R1', 'R3'].
list_filter([CASE WHEN f.r1 THEN 'R1' END, CASE WHEN f.r2 THEN 'R2' END,
             CASE WHEN f.r3 THEN 'R3' END, CASE WHEN f.r4 THEN 'R4' END],
            lambda x: x IS NOT NULL) AS reasons,
-- Their texts in the order R1–R4, joined with '；'.
array_to_string(list_filter([
    -- $r1_tail: '（周红星）' for a week (cadence.md §4); 未评分 marked where the rank counts it 0 (§3).
    CASE WHEN f.r1 THEN $cur_word || f.unit_word || '排名第一' || $r1_tail
                        || CASE WHEN f.unscored THEN '（未评分）' ELSE '' END END,
    CASE WHEN f.r2 THEN $cur_word || '排名第' || f.rank || '名（前' || $top_n || '名）'
                        || CASE WHEN f.unscored AND NOT f.r1 THEN '（未评分）' ELSE '' END END,
    CASE WHEN f.r3 THEN '较' || $prev_word || '增加' || (f.stars - f.prev_stars) || '星' END,
    CASE WHEN f.r4 THEN '达到创建目标（' || ['一星', '二星', '三星', '四星', '五星'][f.target_stars] || '）' END
], lambda x: x IS NOT NULL), '；') AS reason_text
