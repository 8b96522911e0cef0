-- The weak-branch rectification record (软弱涣散整顿) of one branch as of a period:
-- its row in the latest month up to the period's end that has one (a record is
-- not re-uploaded every month), with that month; plus the ledger's free-text
-- 存在问题, secretary and the weak flag of the branch's snapshot month.
-- Parameters: $start/$end (period), $county/$township/$branch.
WITH
snapshot_month AS (
    SELECT max(d.period) AS period
    FROM v_branch_month_detail d
    WHERE d.period BETWEEN $start AND $end
      AND d.county = $county AND d.township = $township AND d.branch = $branch
),
ledger AS (
    SELECT d.period, d.weak, d.problems AS ledger_problems, d.secretary, d.notes
    FROM v_branch_month_detail d
    JOIN snapshot_month m ON d.period = m.period
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
