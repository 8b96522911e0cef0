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
-- Ties share the rank and are listed by stars desc, task_rate desc (unknown
-- last), then name in Unicode code-point order (branch, township, county:
-- name_order, kept by the store).
ORDER BY rank, stars DESC, task_rate DESC NULLS LAST, name_order
