-- Shared fragment (CTEs after snapshot_current.sql and list_rows.sql; not run on
-- its own): the 红榜 entries of the current period, unordered, as `red_entries`:
-- one row per branch with every reason it qualifies (red_list.sql, list_heads.sql).
-- Extra parameters: $top_n (R2), $red_min (R1 township size),
--   $cur_word/$prev_word ('本月'/'上月' or '本季度'/'上季度').
red_flagged AS (
    SELECT j.*,
           -- R1 红旗: top-ranked branch (all tied at 1) of a township with ≥ $red_min branches:
           -- its key is the township's best.
           j.score_key = j.town_best AND j.town_size >= $red_min AS r1,
           -- R2 前十: ranked $top_n or better in the scope (a tie at N lets more in).
           j.rank <= $top_n AS r2,
           -- R3 晋星: stars increased since the previous period (only that one).
           j.in_prev AND j.stars > j.prev_stars AS r3,
           -- R4 达标: attained now; present before without having attained the
           -- target it had then (no target then = not attained).
           j.in_prev AND j.attained AND NOT j.prev_attained AS r4
    FROM placed j
),
red_entries AS (
    SELECT f.county, f.township, f.branch,
           list_filter([CASE WHEN f.r1 THEN 'R1' END, CASE WHEN f.r2 THEN 'R2' END,
                        CASE WHEN f.r3 THEN 'R3' END, CASE WHEN f.r4 THEN 'R4' END],
                       lambda x: x IS NOT NULL) AS reasons,
           array_to_string(list_filter([
               CASE WHEN f.r1 THEN $cur_word || f.unit_word || '排名第一' END,
               CASE WHEN f.r2 THEN $cur_word || '排名第' || f.rank || '名（前' || $top_n || '名）' END,
               CASE WHEN f.r3 THEN '较' || $prev_word || '增加' || (f.stars - f.prev_stars) || '星' END,
               CASE WHEN f.r4 THEN '达到创建目标（' || ['一星', '二星', '三星', '四星', '五星'][f.target_stars] || '）' END
           ], lambda x: x IS NOT NULL), '；') AS reason_text,
           f.rank, f.stars, f.score, f.task_rate, f.name_order
    FROM red_flagged f
    WHERE f.r1 OR f.r2 OR f.r3 OR f.r4
)
