-- Branches the county must reconcile with its register (register.md §1): in the current
-- monthly ledgers of a county that HAS a register, but not in it (or listed as 撤并).
-- A county without a register has nothing to reconcile. Parameters: $county, $township (NULL = all).
WITH
registered_counties AS (
    SELECT DISTINCT county FROM v_register
),
ledger AS (
    -- Every branch of the county's current ledgers, with its latest month and type there.
    SELECT b.county, b.township, b.branch,
           arg_max(b.branch_type, b.period) AS branch_type,
           max(b.period) AS last_period,
           count(DISTINCT b.period) AS months
    FROM v_branch_month b
    JOIN registered_counties c ON c.county = b.county
    WHERE ($county::VARCHAR IS NULL OR b.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR b.township = $township::VARCHAR)
    GROUP BY b.county, b.township, b.branch
),
final AS (
    SELECT l.county, l.township, l.branch, l.branch_type, l.last_period, l.months,
           -- Not in the register at all, or registered as merged away (撤并).
           CASE WHEN r.branch IS NULL THEN '不在名册中' ELSE '名册中已撤并' END AS reason
    FROM ledger l
    LEFT JOIN v_register r
      ON r.county = l.county AND r.township = l.township AND r.branch = l.branch
    WHERE r.branch IS NULL OR r.status = '撤并'
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
