-- Number of task-sheet rows (任务台账) per branch of the period, in the scope:
-- the tasks of each branch's snapshot month (its latest month in the period),
-- the same month branch_tasks.sql reads. Branches without task rows are absent.
-- Reads the period's snapshot rows directly (in_scope.sql): no score, rank or
-- previous period is needed, so the snapshot.sql prelude is left out.
WITH
final AS (
    SELECT s.county, s.township, s.branch, s.task_rows AS tasks
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
      AND s.task_rows > 0
)
SELECT *
FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
