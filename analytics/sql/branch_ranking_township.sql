-- Branch ranking of the current period within each township ("within
-- township" peer group), with the previous period's rank in the same township.
WITH
-- @include snapshot_current.sql
,
cur_counts AS (
    SELECT county, township, score_key, count(*) AS n FROM scored GROUP BY ALL
),
prev_counts AS (
    SELECT county, township,
           round($w_stars::DOUBLE * stars / 5.0 + $w_tasks::DOUBLE * coalesce(task_rate, 0.0), 9) AS score_key,
           count(*) AS n
    FROM prev_rows
    GROUP BY ALL
),
cur_rank AS (
    -- Competition ranking (1, 2, 2, 4) by score descending within the township:
    -- 1 + the branches of the township with a higher score.
    SELECT county, township, score_key,
           CAST(1 + coalesce(sum(n) OVER (PARTITION BY county, township ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM cur_counts
),
prev_rank AS (
    SELECT county, township, score_key,
           CAST(1 + coalesce(sum(n) OVER (PARTITION BY county, township ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM prev_counts
),
final AS (
    SELECT c.county, c.township, c.branch, c.branch_type, c.stars, c.target_stars,
           c.task_rate, c.score, r.rank,
           p.rank AS prev_rank,
           -- rank_change = previous rank − rank (positive = moved up); NULL when
           -- the branch was absent in the previous period.
           p.rank - r.rank AS rank_change,
           c.name_order
    FROM scored c
    JOIN cur_rank r ON r.county = c.county AND r.township = c.township AND r.score_key = c.score_key
    LEFT JOIN prev_rank p ON p.county = c.county AND p.township = c.township AND p.score_key = c.prev_key
)
SELECT * EXCLUDE (name_order)
FROM final
-- The same order as branch_ranking.sql: rank, stars desc, task_rate desc, name.
ORDER BY rank, stars DESC, task_rate DESC NULLS LAST, name_order
