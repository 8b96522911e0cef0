-- Problems (问题清单) of one branch for a period: those of the branch's snapshot
-- month (its latest month inside the period), open first.
-- Parameters: $grain/$start (period), $county/$township/$branch,
--   $village_names/$community_names (star names per slot).
WITH
-- @include branch_snapshot_month.sql
,
final AS (
    SELECT p.star_slot,
           -- The branch's own type's name of the slot (§2); NULL = the problem names no star.
           CASE WHEN m.branch_type = '社区' THEN list_extract($community_names::VARCHAR[], p.star_slot)
                ELSE list_extract($village_names::VARCHAR[], p.star_slot) END AS star_name,
           p.problem, p.measure, p.owner, p.deadline, p.closed, p.closed_date,
           -- Overdue = open and deadline ≤ the last day of the report's period (month end / Sunday).
           coalesce(NOT p.closed AND p.deadline <= p.period_end, false) AS overdue
    FROM v_problem p
    JOIN snapshot_month m ON p.period = m.source_period AND p.period_kind = m.source_kind
    WHERE p.county = $county AND p.township = $township AND p.branch = $branch
)
SELECT * FROM final
ORDER BY closed, deadline NULLS LAST, star_slot NULLS LAST, problem COLLATE "binary"
