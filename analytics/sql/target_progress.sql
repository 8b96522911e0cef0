-- Target progress of the current period, per level 5, 4, 3 (branch targets, metrics.md;
-- declared goals per unit are goal_progress.sql).
WITH
-- @include snapshot.sql
,
cur AS (
    SELECT * FROM scored WHERE which = 'cur'
),
levels AS (
    SELECT unnest([5, 4, 3]) AS level
),
final AS (
    SELECT l.level::INTEGER AS level,
           ['一星', '二星', '三星', '四星', '五星'][l.level] AS level_label,
           -- target(L) = branches whose target_stars = L
           count(c.branch) FILTER (WHERE c.target_stars = l.level) AS target,
           -- reached(L) = those among them with stars ≥ L
           count(c.branch) FILTER (WHERE c.target_stars = l.level AND c.stars >= l.level) AS reached
    FROM levels l
    LEFT JOIN cur c ON true
    GROUP BY l.level
)
SELECT level, level_label, target, reached,
       CASE WHEN target > 0 THEN reached / target END AS rate
FROM final
ORDER BY level DESC
