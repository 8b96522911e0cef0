-- Shared prelude (included by other queries, not run on its own): the
-- per-branch snapshot of two periods with task_rate, score and level.
-- Parameters: $cur_grain/$cur_start    the period shown ('month' | 'quarter', first day)
--             $prev_grain/$prev_start  the period compared with (usually the previous
--                                      one; $prev_grain NULL = none)
--             $county/$township/$branch_type  the scope (NULL = no filter)
--             $w_stars/$w_tasks        score weights (settings)
-- Rows are tagged which = 'cur' | 'prev' (both when the two periods are the same).
snap AS NOT MATERIALIZED (
    -- Both periods' rows in the scope (snapshot rule and scope: in_scope.sql; the
    -- table branch_snapshot is refreshed in the transaction of every load,
    -- rollback and demo deletion).
    SELECT 'cur' AS which, s.*
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
    UNION ALL
    SELECT 'prev' AS which, s.*
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql prev
),
rated AS (
    SELECT s.*,
           -- (task_rate = tasks_done / tasks_total, NULL when unknown or total 0: stored.)
           -- attained = target_stars IS NOT NULL AND stars >= target_stars.
           coalesce(s.stars >= s.target_stars, false) AS attained,
           -- level label: 五星 (5) … 无星 (0).
           ['无星', '一星', '二星', '三星', '四星', '五星'][s.stars + 1] AS level_label
    FROM snap s
),
-- @if w_assessment
assessed AS (
    -- cadence.md §3: each branch's assessment score for either period.
    SELECT 'cur' AS which, * FROM (
        -- @include assessment_period.sql cur
    )
    UNION ALL
    SELECT 'prev' AS which, * FROM (
        -- @include assessment_period.sql prev
    )
),
-- @end
scored AS (
    SELECT r.*,
           -- @if w_assessment
           -- 未评分: no assessment score for the period while its weight is > 0 (counted as 0).
           a.assessment, a.assessment IS NULL AS unscored,
           -- @else
           NULL::DOUBLE AS assessment, false AS unscored,
           -- @end
           -- score = w_stars × stars / 5 + w_tasks × task_rate (+ w_assessment × assessment /
           -- assessment_max, cadence.md §3), NULL task_rate and missing assessment counted as 0; unrounded.
           $w_stars::DOUBLE * r.stars / 5.0 + $w_tasks::DOUBLE * coalesce(r.task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
           AS score,
           -- Ranking key: the unrounded score, only cleared of floating-point noise
           -- (1e-9) so that equal scores computed along different paths tie.
           round($w_stars::DOUBLE * r.stars / 5.0 + $w_tasks::DOUBLE * coalesce(r.task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
           , 9) AS score_key
    FROM rated r
    -- @if w_assessment
    LEFT JOIN assessed a ON a.which = r.which AND a.county = r.county AND a.township = r.township
                        AND a.branch = r.branch
    -- @end
),
score_counts AS (
    SELECT which, score_key, count(*) AS n FROM scored GROUP BY which, score_key
),
scope_rank AS (
    -- Competition ranking (1, 2, 2, 4) in the scope, per period, on the ranking
    -- key: 1 + the number of branches with a higher score (computed per distinct
    -- score, the same as rank() OVER (PARTITION BY which ORDER BY score_key DESC)).
    SELECT which, score_key,
           CAST(1 + coalesce(sum(n) OVER (PARTITION BY which ORDER BY score_key DESC
                                          ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) AS BIGINT) AS rank
    FROM score_counts
),
town_stats AS (
    -- Per period and township (in scope): branch count, best and worst ranking key.
    SELECT which, county, township, count(*) AS town_size,
           max(score_key) AS town_best, min(score_key) AS town_worst
    FROM scored
    GROUP BY which, county, township
)
