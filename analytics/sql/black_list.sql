-- 黑榜 of the current period: one row per branch (or per township for a
-- township-level B4) with every reason it qualifies (black_entries.sql), worst first.
WITH
-- @include snapshot_current.sql
,
-- @include list_rows.sql
,
-- @include black_entries.sql
,
final AS (
    SELECT * FROM black_entries
)
SELECT county, township, branch, reasons, reason_text, rank, stars, score
FROM final
ORDER BY
-- @include black_order.sql
