-- Branch ranking of the current period with the previous period's rank.
-- Extra parameter: $peer = 'scope' | 'township' (peer group of the ranking).
WITH
-- @include snapshot.sql
,
ranked AS (
    -- Competition ranking (1, 2, 2, 4) by score descending on the unrounded
    -- score; peer group = the scope (scope_rank), or each township ("within
    -- township"). Only the branch for the chosen $peer runs.
    SELECT s.*, r.rank
    FROM scored s
    JOIN scope_rank r ON r.which = s.which AND r.score_key = s.score_key
    WHERE $peer <> 'township'
    UNION ALL
    SELECT s.*, rank() OVER (PARTITION BY s.which, s.county, s.township ORDER BY s.score_key DESC) AS rank
    FROM scored s
    WHERE $peer = 'township'
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.stars, c.target_stars,
           c.task_rate, c.score, c.rank,
           p.rank AS prev_rank,
           -- rank_change = previous rank − rank (positive = moved up); NULL when
           -- the branch was absent in the previous period (same peer group).
           p.rank - c.rank AS rank_change
    FROM ranked c
    LEFT JOIN ranked p
      ON p.which = 'prev' AND p.county = c.county AND p.township = c.township AND p.branch = c.branch
    WHERE c.which = 'cur'
)
SELECT *
FROM final
-- Ties share the rank and are listed by stars desc, task_rate desc (unknown
-- last), then name in Unicode code-point order.
ORDER BY rank, stars DESC, task_rate DESC NULLS LAST,
         branch COLLATE "binary", township COLLATE "binary", county COLLATE "binary"
