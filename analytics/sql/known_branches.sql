-- Every branch the store knows, for the pre-filled register template (register.md §1):
-- the current register's rows, plus the branches of the current ledgers it does not
-- hold (with their latest type and secretary, status 在册). Parameters: $county, $township (NULL = all).
WITH
ledger AS (
    SELECT d.county, d.township, d.branch,
           arg_max(d.branch_type, d.period) AS branch_type,
           arg_max(d.secretary, d.period) AS secretary
    FROM v_branch_month_detail d
    WHERE ($county::VARCHAR IS NULL OR d.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR d.township = $township::VARCHAR)
    GROUP BY d.county, d.township, d.branch
),
registered AS (
    SELECT county, township, branch, branch_type, secretary, liaison, team, status
    FROM v_register
    WHERE ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
),
final AS (
    SELECT * FROM registered
    UNION ALL
    SELECT l.county, l.township, l.branch, l.branch_type, l.secretary,
           NULL AS liaison, NULL AS team, '在册' AS status
    FROM ledger l
    WHERE NOT EXISTS (SELECT 1 FROM registered r
                      WHERE r.county = l.county AND r.township = l.township AND r.branch = l.branch)
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
