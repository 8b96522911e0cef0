-- The battle-map Excel's 任务 sheet: every task of the scope's branches, of each
-- branch's snapshot month, by county, township, branch, star (未分星 last), deadline.
-- Parameters: $cur_grain/$cur_start/$cur_end the period; $county/$township/$branch_type
--   the scope; $village_names/$community_names (star names per slot).
WITH
-- @include scope_rows.sql
,
final AS (
    SELECT t.county, t.township, t.branch, t.star_slot,
           -- The branch's own type's name of the slot (§2); NULL slot = 未分星.
           CASE WHEN c.branch_type = '社区' THEN list_extract($community_names::VARCHAR[], t.star_slot)
                ELSE list_extract($village_names::VARCHAR[], t.star_slot) END AS star_name,
           t.task, t.measure, t.team, t.star_owner, t.department, t.owner, t.deadline, t.done,
           t.done_date, t.accepted, t.accepted_date,
           -- Overdue = deadline ≤ the month's last day and not done (no deadline: never).
           -- (the last day of the report's period: month end, or a weekly report's Sunday)
           coalesce(t.deadline <= t.period_end AND NOT t.done, false) AS overdue
    FROM v_task t
    JOIN cur_rows c ON c.county = t.county AND c.township = t.township AND c.branch = t.branch
                   AND c.source_period = t.period AND c.source_kind = t.period_kind
    WHERE t.period BETWEEN CAST($cur_start::DATE - 6 AS DATE) AND $cur_end
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary",
         star_slot NULLS LAST, deadline NULLS LAST, task COLLATE "binary"
