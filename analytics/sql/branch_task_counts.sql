-- Number of task-sheet rows (任务台账) per branch of the period, in the scope:
-- the tasks of each branch's snapshot month (its latest month in the period),
-- the same month branch_tasks.sql reads. Branches without task rows are absent.
WITH
-- @include snapshot.sql
,
cur AS (
    SELECT s.county, s.township, s.branch, s.period
    FROM snap s
    WHERE s.which = 'cur'
),
final AS (
    SELECT c.county, c.township, c.branch, count(*) AS tasks
    FROM v_task t
    JOIN cur c
      ON t.county = c.county AND t.township = c.township AND t.branch = c.branch AND t.period = c.period
    WHERE t.period BETWEEN $cur_start AND $cur_end
    GROUP BY ALL
)
SELECT *
FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
