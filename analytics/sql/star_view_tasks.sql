-- 分星推进: the tasks of one star of the picked branches' snapshot reports
-- (star_picked.sql), by county, township, branch, deadline.
WITH
-- @include star_picked.sql
,
final AS (
    -- Overdue = deadline <= the last day of the report's period (month end, a week's
    -- Sunday) and not done (no deadline: never overdue).
    SELECT t.county, t.township, t.branch, t.task, t.measure, t.team, t.star_owner, t.department,
           t.owner, t.deadline, t.done, t.accepted, t.accepted_date, t.done_date,
           coalesce(t.deadline <= t.period_end AND NOT t.done, false) AS overdue
    FROM v_task t
    JOIN picked c ON c.county = t.county AND c.township = t.township AND c.branch = t.branch
                 AND c.source_period = t.period AND c.source_kind = t.period_kind
    -- (a weekly report counted in a month may start up to 6 days before it)
    WHERE t.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end AND t.star_slot = $slot::INTEGER
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary",
         deadline NULLS LAST, task COLLATE "binary"
-- @if limit
-- The page shows the first $limit rows (the battle-map Excel holds them all).
LIMIT $limit
-- @end
