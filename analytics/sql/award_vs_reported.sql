-- Year-end acceptance (cadence.md §5): per branch of the scope with an accepted level
-- for year $year, the level it reported itself (its latest month in the year) next to
-- the level the county awarded, and whether the award is below the report.
-- Parameters: $year, $county/$township/$branch_type (the scope; NULL = no filter).
WITH
awarded AS (
    SELECT county, township, branch, awarded_stars, accepted_at
    FROM v_award
    WHERE year = $year::INTEGER
      AND ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
),
reported AS (
    -- Self-reported = the branch's latest month in the year (metrics.md "year" periods).
    SELECT county, township, branch,
           arg_max(stars, period) AS reported_stars,
           arg_max(branch_type, period) AS branch_type,
           max(period) AS reported_period
    FROM v_branch_month
    WHERE period >= make_date($year::INTEGER, 1, 1) AND period < make_date($year::INTEGER + 1, 1, 1)
      AND ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR township = $township::VARCHAR)
    GROUP BY county, township, branch
),
final AS (
    SELECT a.county, a.township, a.branch, r.branch_type, r.reported_stars, r.reported_period,
           a.awarded_stars, a.accepted_at,
           -- Below: the county accepted fewer stars than the branch reported.
           coalesce(a.awarded_stars < r.reported_stars, false) AS below,
           a.awarded_stars - r.reported_stars AS difference
    FROM awarded a
    LEFT JOIN reported r ON r.county = a.county AND r.township = a.township AND r.branch = a.branch
    -- A branch_type filter keeps the branches whose latest report has that type.
    WHERE $branch_type::VARCHAR IS NULL OR r.branch_type = $branch_type::VARCHAR
)
SELECT *
FROM final
-- The largest shortfalls first, then by name (code-point order).
ORDER BY below DESC, difference NULLS LAST, county COLLATE "binary", township COLLATE "binary",
         branch COLLATE "binary"
