-- Month-by-month history of one branch (all months in the store).
-- Parameters: $county/$township/$branch, $w_stars/$w_tasks.
WITH
-- @if w_assessment
assessed_months AS (
    -- @include assessment_months.sql
),
-- @end
rows_of_branch AS (
    SELECT v.*,
           -- @if w_assessment
           a.assessment,
           -- @end
           -- task_rate = tasks_done / tasks_total, NULL when unknown or total 0.
           CASE WHEN v.tasks_done IS NULL OR v.tasks_total IS NULL OR v.tasks_total = 0 THEN NULL
                ELSE v.tasks_done::DOUBLE / v.tasks_total END AS task_rate
    FROM v_branch_month v
    -- @if w_assessment
    LEFT JOIN (SELECT period, assessment FROM assessed_months WHERE branch = $branch) a USING (period)
    -- @end
    WHERE v.county = $county AND v.township = $township AND v.branch = $branch
),
final AS (
    SELECT period, stars, target_stars, star_1, star_2, star_3, star_4, star_5,
           tasks_done, tasks_total, task_rate,
           -- score as in metrics.md (NULL task_rate counted as 0), with the month's assessment when
           -- its weight is > 0 (cadence.md §3; missing counted as 0).
           $w_stars::DOUBLE * stars / 5.0 + $w_tasks::DOUBLE * coalesce(task_rate, 0.0)
           -- @if w_assessment
           + $w_assessment::DOUBLE * coalesce(assessment, 0.0) / $assessment_max::DOUBLE
           -- @end
           AS score
    FROM rows_of_branch
)
SELECT * FROM final ORDER BY period
