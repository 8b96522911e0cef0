-- Branch ranking of the current period with the previous period's rank; peer
-- group = the scope (branch_ranking_township.sql ranks within each township).
WITH
-- @include snapshot_current.sql
,
-- @include branch_ranking_rows.sql
,
final AS (
    SELECT * FROM ranked_rows
)
SELECT * EXCLUDE (name_order)
FROM final
ORDER BY
-- @include ranking_order.sql
