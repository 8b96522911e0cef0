-- 红榜 of the current period: one row per branch with every reason it qualifies.
-- Extra parameters: $top_n (R2), $red_min (R1 township size),
--   $cur_word/$prev_word ('本月'/'上月' or '本季度'/'上季度').
WITH
-- @include snapshot.sql
,
cur_ranked AS MATERIALIZED (
    -- Rank in the scope (competition ranking on the unrounded score).
    -- Only the current period is ranked; the previous one gives stars and attained.
    -- (Materialized so that the join order stays rank first, then township:
    -- otherwise the planner may join scope_rank and town_stats to each other
    -- first, a product of scores × townships.)
    SELECT s.*, r.rank
    FROM scored s
    JOIN scope_rank r ON r.which = s.which AND r.score_key = s.score_key
    WHERE s.which = 'cur'
),
ranked AS (
    SELECT c.*,
           -- Top of the township (rank 1 there, ties included) = its best ranking
           -- key; the township's branch count in this period (in scope).
           c.score_key = t.town_best AS town_top,
           t.town_size,
           -- The township's own word for itself in reason texts.
           CASE WHEN c.township LIKE '%街道' OR c.township LIKE '%办事处' THEN '街道'
                WHEN c.township LIKE '%镇' OR c.township LIKE '%乡' THEN '乡镇'
                ELSE '乡镇（街道）' END AS unit_word
    FROM cur_ranked c
    JOIN town_stats t ON t.which = 'cur' AND t.county = c.county AND t.township = c.township
),
prev AS (
    SELECT county, township, branch, stars, attained FROM scored WHERE which = 'prev'
),
joined AS (
    SELECT c.*, p.stars AS prev_stars, p.attained AS prev_attained, p.branch IS NOT NULL AS in_prev
    FROM ranked c
    LEFT JOIN prev p
      ON p.county = c.county AND p.township = c.township AND p.branch = c.branch
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
    FROM joined j
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
           f.rank, f.stars, f.score, f.task_rate
    FROM flagged f
    WHERE f.r1 OR f.r2 OR f.r3 OR f.r4
)
SELECT county, township, branch, reasons, reason_text, rank, stars, score
FROM final
ORDER BY rank, stars DESC, task_rate DESC NULLS LAST,
         branch COLLATE "binary", township COLLATE "binary", county COLLATE "binary"
