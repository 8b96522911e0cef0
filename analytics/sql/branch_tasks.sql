-- Tasks of one branch for a period: those of the report of the branch's snapshot
-- (its latest month inside the period; a week: its weekly report).
-- Parameters: $grain/$start (period), $county/$township/$branch,
--   $village_names/$community_names (star names per slot).
WITH
-- @include branch_snapshot_month.sql
,
final AS (
    SELECT t.star_slot,
           -- The branch's own type's name of the slot (§2).
           CASE WHEN m.branch_type = '社区' THEN list_extract($community_names::VARCHAR[], t.star_slot)
                ELSE list_extract($village_names::VARCHAR[], t.star_slot) END AS star_name,
           t.task, t.measure, t.owner, t.deadline, t.done, t.done_date,
           -- battle-map.md §1 (read by problems.branch_task_detail; NULL star_slot = 未分星).
           t.team, t.star_owner, t.department, t.accepted, t.accepted_date,
           -- Overdue = deadline ≤ the last day of the report's period (month end / Sunday) and not done.
           coalesce(t.deadline <= t.period_end AND NOT t.done, false) AS overdue
    FROM v_task t
    JOIN snapshot_month m ON t.period = m.source_period AND t.period_kind = m.source_kind
    WHERE t.county = $county AND t.township = $township AND t.branch = $branch
)
SELECT * FROM final
ORDER BY star_slot, deadline NULLS LAST, task COLLATE "binary"
