-- 分星推进 per township: the scope's branches of each township by their status for one
-- star, and the sums of that star's task and problem counts, by county, township.
WITH
-- @include star_scope.sql
,
final AS (
    SELECT c.county, c.township,
           count(*) AS branches,
           count(*) FILTER (WHERE c.status = 'achieved') AS achieved,
           count(*) FILTER (WHERE c.status = 'in_progress') AS in_progress,
           count(*) FILTER (WHERE c.status = 'not_started') AS not_started,
           -- 未填报: the ledger left the star blank.
           count(*) FILTER (WHERE c.status IS NULL) AS unknown,
           CAST(coalesce(sum(s.tasks), 0) AS BIGINT) AS tasks,
           CAST(coalesce(sum(s.tasks_done), 0) AS BIGINT) AS tasks_done,
           CAST(coalesce(sum(s.tasks_accepted), 0) AS BIGINT) AS tasks_accepted,
           CAST(coalesce(sum(s.tasks_overdue), 0) AS BIGINT) AS tasks_overdue,
           CAST(coalesce(sum(s.open_problems), 0) AS BIGINT) AS open_problems,
           CAST(coalesce(sum(s.overdue_problems), 0) AS BIGINT) AS overdue_problems
    FROM cur_rows c
    -- @include star_join.sql
    GROUP BY c.county, c.township
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary"
