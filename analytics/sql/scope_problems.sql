-- The battle-map Excel's 问题清单 sheet: every problem (open and closed) of the
-- scope's branches, of each branch's snapshot month; open first within a branch.
-- Parameters: as scope_tasks.sql.
WITH
-- @include scope_rows.sql
,
final AS (
    SELECT p.county, p.township, p.branch, p.star_slot,
           -- The branch's own type's name of the slot (§2); NULL slot = 未分星.
           CASE WHEN c.branch_type = '社区' THEN list_extract($community_names::VARCHAR[], p.star_slot)
                ELSE list_extract($village_names::VARCHAR[], p.star_slot) END AS star_name,
           p.problem, p.measure, p.owner, p.deadline, p.closed, p.closed_date,
           -- Overdue = open and deadline ≤ the month's last day.
           -- (the last day of the report's period: month end, or a weekly report's Sunday)
           coalesce(NOT p.closed AND p.deadline <= p.period_end, false) AS overdue
    FROM v_problem p
    JOIN cur_rows c ON c.county = p.county AND c.township = p.township AND c.branch = p.branch
                   AND c.source_period = p.period AND c.source_kind = p.period_kind
    WHERE p.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary",
         closed, deadline NULLS LAST, problem COLLATE "binary"
