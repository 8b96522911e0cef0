-- Shared prelude (after snapshot_current.sql; not run on its own): every branch
-- of the current period with its rank in the scope and the previous period's
-- rank, unordered, as ranked_rows (with name_order for the tie order).
prev_counts AS (
    -- The previous period's rows in the scope per ranking key.
    SELECT score_key, count(*) AS n FROM prev_keys GROUP BY score_key
),
prev_rank AS (
    -- Competition ranking of the previous period, as scope_rank.
    SELECT score_key,
           CAST(1 + coalesce(sum(n) OVER (ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM prev_counts
),
ranked_rows AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.stars, c.target_stars,
           c.task_rate, c.score,
           -- cadence.md §3: the assessment score used and 未评分 (weight > 0, no score).
           c.assessment, c.unscored,
           -- Competition ranking (1, 2, 2, 4) by score descending on the unrounded score.
           r.rank,
           p.rank AS prev_rank,
           -- rank_change = previous rank − rank (positive = moved up); NULL when
           -- the branch was absent in the previous period.
           p.rank - r.rank AS rank_change,
           -- The month whose row represents the branch (a quarter: its latest month in it).
           c.period,
           c.name_order
    FROM scored c
    JOIN scope_rank r ON r.score_key = c.score_key
    LEFT JOIN prev_rank p ON p.score_key = c.prev_key
)
