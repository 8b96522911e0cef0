-- Branches of two periods side by side (季度对比): A = $prev_* (the earlier
-- period, any), B = $cur_*. Full outer join: a branch present in only one
-- period has NULLs on the other side.
WITH
-- @include snapshot_pair.sql
,
a_rank AS (
    -- Competition ranking (1, 2, 2, 4) in the scope within each period: 1 + the
    -- number of branches with a higher ranking key (per distinct key).
    SELECT score_key,
           CAST(1 + coalesce(sum(n) OVER (ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM (SELECT score_key, count(*) AS n FROM prev_scored GROUP BY score_key)
),
b_rank AS (
    SELECT score_key,
           CAST(1 + coalesce(sum(n) OVER (ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM (SELECT score_key, count(*) AS n FROM cur_scored GROUP BY score_key)
),
a AS (SELECT s.*, r.rank FROM prev_scored s JOIN a_rank r ON r.score_key = s.score_key),
b AS (SELECT s.*, r.rank FROM cur_scored s JOIN b_rank r ON r.score_key = s.score_key),
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
           b.task_rate AS task_rate_b,
           -- Name order (kept by the store per period): B's where the branch is in
           -- B, else A's; names are only compared between rows on the same side.
           coalesce(b.name_order, a.name_order) AS name_order
    FROM a
    FULL OUTER JOIN b ON a.county = b.county AND a.township = b.township AND a.branch = b.branch
)
-- Unordered: compare.py orders the rows (compare._order) from task_rate_b,
-- name_order and the ranks: an ORDER BY here would sort every wide row with its
-- names (~15 ms for 52,000 rows), numpy sorts three number keys (~4 ms).
SELECT *
FROM final
