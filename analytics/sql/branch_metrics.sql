-- Per branch and period: battle-map.md §5 metrics (tasks_accepted, accept_rate,
-- open_problems, overdue_problems, weak) for the scope, by county, township, branch.
WITH
-- @include problem_metrics.sql
,
final AS (
    SELECT * FROM branch_metrics
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
