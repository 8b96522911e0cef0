-- 红榜 of the current period: one row per branch with every reason it qualifies.
-- Extra parameters: $top_n (R2), $red_min (R1 township size),
--   $cur_word/$prev_word ('本月'/'上月' or '本季度'/'上季度').
--   $limit (the first entries only; NULL = all).
WITH
-- @include snapshot_current.sql
,
ranked AS (
    SELECT s.*, r.rank,
           -- Top of the township (rank 1 there, ties included) = its best ranking
           -- key; the township's branch count in this period (in scope).
           s.score_key = t.town_best AS town_top,
           t.town_size,
           -- The township's own word for itself in reason texts.
           CASE WHEN s.township LIKE '%街道' OR s.township LIKE '%办事处' THEN '街道'
                WHEN s.township LIKE '%镇' OR s.township LIKE '%乡' THEN '乡镇'
                ELSE '乡镇（街道）' END AS unit_word
    FROM scored s
    -- Rank in the scope (competition ranking on the unrounded score).
    JOIN scope_rank r ON r.score_key = s.score_key
    JOIN town_stats t ON t.county = s.county AND t.township = s.township
),
flagged AS (
    SELECT j.*,
           -- R1 红旗: top-ranked branch (all tied at 1) of a township with ≥ $red_min branches.
           j.town_top AND j.town_size >= $red_min AS r1,
           -- R2 前十: ranked $top_n or better in the scope (a tie at N lets more in).
           j.rank <= $top_n AS r2,
           -- R3 晋星: stars increased since the previous period (only that one).
           j.in_prev AND j.stars > j.prev_stars AS r3,
           -- R4 达标: attained now; present before without having attained the
           -- target it had then (no target then = not attained).
           j.in_prev AND j.attained AND NOT j.prev_attained AS r4
    FROM ranked j
),
final AS (
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
    FROM flagged f
    WHERE f.r1 OR f.r2 OR f.r3 OR f.r4
)
SELECT county, township, branch, reasons, reason_text, rank, stars, score,
       -- How many entries the whole list has (before $limit).
       count(*) OVER () AS total
FROM final
-- The ranking's order: rank, stars desc, task_rate desc (unknown last), then
-- name in code-point order (name_order).
ORDER BY rank, stars DESC, task_rate DESC NULLS LAST, name_order
-- The first $limit entries (NULL: all).
LIMIT $limit
