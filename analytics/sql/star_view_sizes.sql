-- 分星推进's paging: the number of branches of each township of the scope in the
-- period (the `branches` of star_view_townships.sql), by county, township. Read
-- on its own so that the page's branches can be fetched while the per-township
-- summary (which joins the per-star counts) is still being computed.
WITH
final AS (
    SELECT s.county, s.township, count(*) AS branches
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
    GROUP BY s.county, s.township
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township COLLATE "binary"
