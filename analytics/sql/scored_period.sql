-- Shared fragment (a SELECT, not run on its own): the scope's rows of the period
-- $period_grain/$period_start with attained, score and ranking key. Included as
-- `-- @include scored_period.sql cur` (or `prev`), like in_scope.sql.
SELECT s.county, s.township, s.branch, s.branch_type, s.stars, s.target_stars, s.tasks_done, s.tasks_total,
       s.task_rate, s.name_order,
       -- attained = target_stars IS NOT NULL AND stars >= target_stars.
       coalesce(s.stars >= s.target_stars, false) AS attained,
       -- @if w_assessment
       -- 未评分: no assessment score for the period while its weight is > 0 (counted as 0).
       a.assessment, a.assessment IS NULL AS unscored,
       -- @else
       NULL::DOUBLE AS assessment, false AS unscored,
       -- @end
       -- score = w_stars × stars / 5 + w_tasks × task_rate (+ w_assessment × assessment /
       -- assessment_max, cadence.md §3), NULL task_rate and missing assessment counted as 0; unrounded.
       $w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0)
       -- @if w_assessment
       + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
       -- @end
       AS score,
       -- Ranking key: the score cleared of floating-point noise (1e-9).
       round($w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0)
       -- @if w_assessment
       + $w_assessment::DOUBLE * coalesce(a.assessment, 0.0) / $assessment_max::DOUBLE
       -- @end
       , 9) AS score_key
FROM branch_snapshot s
-- @if w_assessment
LEFT JOIN (
    -- @include assessment_period.sql period
) a ON a.county = s.county AND a.township = s.township AND a.branch = s.branch
-- @end
WHERE
-- @include in_scope.sql period
