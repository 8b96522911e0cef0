-- Branches of two periods side by side (季度对比): A = 'prev' rows ($prev_*),
-- B = 'cur' rows ($cur_*). Full outer join: a branch present in only one
-- period has NULLs on the other side.
WITH
-- @include snapshot.sql
,
ranked AS (
    SELECT s.*,
           -- Rank in the scope within each period (competition ranking).
           r.rank
    FROM scored s
    JOIN scope_rank r ON r.which = s.which AND r.score_key = s.score_key
),
a AS (SELECT * FROM ranked WHERE which = 'prev'),
b AS (SELECT * FROM ranked WHERE which = 'cur'),
final AS (
    SELECT coalesce(b.county, a.county) AS county,
           coalesce(b.township, a.township) AS township,
           coalesce(b.branch, a.branch) AS branch,
           a.branch IS NOT NULL AS in_a,
           b.branch IS NOT NULL AS in_b,
           a.stars AS stars_a, b.stars AS stars_b,
           a.score AS score_a, b.score AS score_b,
           b.score - a.score AS score_delta,
           a.rank AS rank_a, b.rank AS rank_b,
           -- rank_change = rank in A − rank in B (positive = moved up).
           a.rank - b.rank AS rank_change,
           b.task_rate AS task_rate_b
    FROM a
    FULL OUTER JOIN b ON a.county = b.county AND a.township = b.township AND a.branch = b.branch
)
SELECT *
FROM final
ORDER BY rank_b NULLS LAST, stars_b DESC, task_rate_b DESC NULLS LAST, rank_a,
         branch COLLATE "binary", township COLLATE "binary", county COLLATE "binary"
