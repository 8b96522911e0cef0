-- 分星推进: the open problems of one star of the picked branches' snapshot reports
-- (star_picked.sql; closed ones are left out), by county, township, branch, deadline.
WITH
-- @include star_picked.sql
,
final AS (
    -- Overdue = open and deadline <= the last day of the report's period.
    SELECT p.county, p.township, p.branch, p.problem, p.measure, p.owner, p.deadline, p.closed,
           p.closed_date,
           coalesce(p.deadline <= p.period_end, false) AS overdue
    FROM v_problem p
    JOIN picked c ON c.county = p.county AND c.township = p.township AND c.branch = p.branch
                 AND c.source_period = p.period AND c.source_kind = p.period_kind
    WHERE p.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end AND p.star_slot = $slot::INTEGER
      AND NOT p.closed
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary",
         deadline NULLS LAST, problem COLLATE "binary"
-- @if limit
-- The page shows the first $limit rows (the battle-map Excel holds them all).
LIMIT $limit
-- @end
