-- Shared fragment (a SELECT, not run on its own): the scope's rows of the period
-- $period_grain/$period_start with attained, score and ranking key. Included as
-- `-- @include scored_period.sql cur` (or `prev`), like in_scope.sql.
SELECT s.county, s.township, s.branch, s.branch_type, s.stars, s.target_stars, s.tasks_done, s.tasks_total,
       s.task_rate, s.name_order,
       -- attained = target_stars IS NOT NULL AND stars >= target_stars.
       coalesce(s.stars >= s.target_stars, false) AS attained,
       -- score = w_stars × stars / 5 + w_tasks × task_rate, NULL task_rate counted as 0; unrounded.
       $w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0) AS score,
       -- Ranking key: the score cleared of floating-point noise (1e-9).
       round($w_stars::DOUBLE * s.stars / 5.0 + $w_tasks::DOUBLE * coalesce(s.task_rate, 0.0), 9) AS score_key
FROM branch_snapshot s
WHERE
-- @include in_scope.sql period
