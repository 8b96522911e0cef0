-- The current branch register (register.md §1), optionally of one county.
-- Parameters: $county, $township (NULL = every county / township).
WITH final AS (
    SELECT r.county, r.township, r.branch, r.branch_type, r.secretary, r.liaison, r.team, r.status
    FROM v_register r
    WHERE ($county::VARCHAR IS NULL OR r.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR r.township = $township::VARCHAR)
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary", branch COLLATE "binary"
