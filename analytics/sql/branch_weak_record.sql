-- The weak-branch rectification record (软弱涣散整顿) of one branch as of a period:
-- its row in the latest report up to the period's end that has one (a record is
-- not re-uploaded every month), with that report's period; plus the ledger's free-text
-- 存在问题, secretary and the weak flag of the report of the branch's snapshot (its
-- latest month in the period; a week: its weekly report; cadence.md §1).
-- Parameters: $grain/$start/$end (period), $county/$township/$branch.
WITH
snapshot_month AS (
    SELECT s.period, s.source_kind, s.source_period
    FROM branch_snapshot s
    WHERE s.grain = $grain::VARCHAR AND s.period_start = $start::DATE AND s.is_latest
      AND s.county = $county AND s.township = $township AND s.branch = $branch
),
ledger AS (
    SELECT m.period, d.weak, d.problems AS ledger_problems, d.secretary, d.notes
    FROM v_branch_month_detail d
    JOIN snapshot_month m ON d.period = m.source_period AND d.period_kind = m.source_kind
    WHERE d.county = $county AND d.township = $township AND d.branch = $branch
),
record AS (
    SELECT w.period AS record_period, w.situations, w.plan, w.liaison, w.identified, w.state, w.cleared
    FROM v_weak w
    WHERE w.county = $county AND w.township = $township AND w.branch = $branch AND w.period <= $end
    ORDER BY w.period DESC
    LIMIT 1
),
final AS (
    SELECT l.period, l.weak, l.ledger_problems, l.secretary, l.notes, r.*
    FROM ledger l
    LEFT JOIN record r ON true
)
SELECT * FROM final
