-- Star-level distribution of the current period, per unit × all six levels.
-- Extra parameter: $by = NULL | 'county' | 'township' | 'branch_type'.
WITH
-- @include snapshot.sql
,
cur AS (
    SELECT s.*,
           -- The unit a branch is counted in ("全部" = the whole scope).
           CASE $by::VARCHAR WHEN 'county' THEN s.county
                             WHEN 'township' THEN s.township
                             WHEN 'branch_type' THEN s.branch_type
                             ELSE '全部' END AS unit,
           -- A township is identified with its county (names can repeat across counties).
           CASE WHEN $by::VARCHAR = 'township' THEN s.county END AS unit_county
    FROM scored s
    WHERE s.which = 'cur'
),
units AS (
    SELECT unit, unit_county, count(*) AS branches FROM cur GROUP BY ALL
    -- With no grouping the whole scope is always one unit, even when empty.
    UNION ALL
    SELECT '全部', NULL, 0 WHERE $by::VARCHAR IS NULL AND NOT EXISTS (SELECT 1 FROM cur)
),
levels AS (
    SELECT l AS level FROM range(0, 6) t(l)
),
counts AS (
    SELECT unit, unit_county, stars AS level, count(*) AS n FROM cur GROUP BY ALL
),
final AS (
    SELECT u.unit, u.unit_county, l.level::INTEGER AS level,
           ['无星', '一星', '二星', '三星', '四星', '五星'][l.level + 1] AS level_label,
           -- Every level is listed, zeros included.
           coalesce(c.n, 0) AS count,
           -- share = count / branches of the unit (NULL for an empty unit).
           CASE WHEN u.branches > 0 THEN coalesce(c.n, 0) / u.branches END AS share
    FROM units u
    CROSS JOIN levels l
    LEFT JOIN counts c
      ON c.unit = u.unit AND c.unit_county IS NOT DISTINCT FROM u.unit_county AND c.level = l.level
)
-- county: the county of a township unit (by = 'township'), else NULL.
SELECT unit, unit_county AS county, level, level_label, count, share
FROM final
ORDER BY unit_county COLLATE "binary" NULLS FIRST, unit COLLATE "binary", level DESC
