-- Townships of a comparison of two periods (季度对比), from the branch rows of
-- compare_branches.sql, registered as the relation `branch_pairs` (in_a, in_b,
-- score_a, score_b per branch; no parameters).
-- A township's score and rank in a period follow unit_ranking.sql: the mean
-- score of its branches in that period, competition ranking (1, 2, 2, 4) on that
-- mean rounded to 9 decimals among the scope's townships present in the period.
WITH
units AS (
    SELECT county, township,
           count(*) FILTER (WHERE in_a) AS branches_a,
           count(*) FILTER (WHERE in_b) AS branches_b,
           -- avg skips NULL: a branch absent from a period counts only in the other.
           avg(score_a) AS score_a,
           avg(score_b) AS score_b
    FROM branch_pairs
    GROUP BY county, township
),
ranked AS (
    SELECT u.*,
           -- A township absent from a period has a NULL mean there: sorted after
           -- every other one, it does not change their ranks (and is dropped below).
           rank() OVER (ORDER BY round(u.score_a, 9) DESC NULLS LAST) AS rank_a,
           rank() OVER (ORDER BY round(u.score_b, 9) DESC NULLS LAST) AS rank_b
    FROM units u
),
final AS (
    SELECT county, township, branches_a, branches_b, score_a, score_b,
           score_b - score_a AS score_delta,
           rank_a, rank_b,
           -- rank_change = rank in A − rank in B (positive = moved up).
           rank_a - rank_b AS rank_change
    FROM ranked
    -- Townships present in both periods.
    WHERE branches_a > 0 AND branches_b > 0
)
SELECT *
FROM final
-- As the township ranking of B: rank, ties by name (code-point order).
ORDER BY rank_b, township COLLATE "binary", county COLLATE "binary"
