-- A token of the store's data (for UI caches): it changes whenever data shown on the
-- pages can change, and not when only the sign-in records or the audit log do.
-- Every data row belongs to an upload, and which upload is in force for a unit is
-- upload_scope.is_current; so uploads (added, accepted, returned, rolled back, cleared)
-- and their scope rows (in force or not) decide the data.
WITH
upload_rows AS (
    SELECT count(*) AS n, coalesce(max(seq), 0) AS last_seq,
           coalesce(sum(hash(upload_id, state, accepted_seq, rolled_back_at, reviewed_at)), 0) AS h
    FROM uploads
),
scope_rows AS (
    SELECT count(*) AS n, coalesce(sum(hash(upload_id, county, township, period, is_current)), 0) AS h
    FROM upload_scope
),
final AS (
    SELECT u.n || ':' || u.last_seq || ':' || u.h || '/' || s.n || ':' || s.h AS token
    FROM upload_rows u, scope_rows s
)
SELECT token FROM final
