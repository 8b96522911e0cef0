-- Declared goals (创建目标, register.md §2) against the branches reached, per unit of
-- the scope and per level 5, 4, 3. Units: the whole store ('total', only when no
-- county is chosen), its counties ('county', unless a township is chosen) and, in a
-- county, its townships ('township'). Every unit shows its OWN goals: a township
-- never shows its county's, a county never the store's.
-- Parameters: $cur_grain/$cur_start  the period (snapshot rule: a quarter takes each
--                                    branch's latest month inside it)
--             $county/$township      the scope (NULL = no filter); the branch_type
--                                    filter does not apply: goals are declared per unit
--             $setting_5/$setting_4/$setting_3  the retired setting district_goals
--                                    (NULL when not set): the whole store's goal, used
--                                    only while no goals sheet exists
WITH
cur AS (
    -- The period's branches in the scope, of every type (is_latest: one row per branch).
    SELECT s.county, s.township, s.stars
    FROM branch_snapshot s
    WHERE s.grain = $cur_grain::VARCHAR AND s.period_start = $cur_start::DATE AND s.is_latest
      AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
      AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
),
town_reached AS (
    -- reached(L) = branches at EXACTLY L stars, per township.
    SELECT county, township,
           count(*) FILTER (WHERE stars = 5) AS r5,
           count(*) FILTER (WHERE stars = 4) AS r4,
           count(*) FILTER (WHERE stars = 3) AS r3,
           count(*) AS branches
    FROM cur
    GROUP BY county, township
),
goal_rows AS (
    -- The current goals sheet rows of the counties in scope; a level left blank is 0
    -- declared (at least one level is filled in, the importer checks).
    SELECT county, township, coalesce(goal_5, 0) AS g5, coalesce(goal_4, 0) AS g4,
           coalesce(goal_3, 0) AS g3, due, due_text
    FROM v_goal
    WHERE ($county::VARCHAR IS NULL OR county = $county::VARCHAR)
),
town_goals AS (
    -- A township's own goal (township set). Two rows for one township add up.
    SELECT county, township, sum(g5) AS g5, sum(g4) AS g4, sum(g3) AS g3, max(due) AS due,
           CASE WHEN count(DISTINCT due) = 1 THEN min(due_text) END AS due_text
    FROM goal_rows
    WHERE township IS NOT NULL
    GROUP BY county, township
),
county_own AS (
    -- A county's own goal: its row with the township left blank.
    SELECT county, sum(g5) AS g5, sum(g4) AS g4, sum(g3) AS g3, max(due) AS due,
           CASE WHEN count(DISTINCT due) = 1 THEN min(due_text) END AS due_text
    FROM goal_rows
    WHERE township IS NULL
    GROUP BY county
),
county_sum AS (
    -- A county without its own row shows the sum of ALL its townships' goals (also
    -- those without data this period); the due date is the latest of theirs.
    SELECT county, sum(g5) AS g5, sum(g4) AS g4, sum(g3) AS g3, max(due) AS due,
           CASE WHEN count(DISTINCT due) = 1 THEN min(due_text) END AS due_text
    FROM town_goals
    GROUP BY county
),
county_goals AS (
    SELECT coalesce(o.county, s.county) AS county,
           CASE WHEN o.county IS NOT NULL THEN 'own' ELSE 'townships' END AS goal_source,
           coalesce(o.g5, s.g5) AS g5, coalesce(o.g4, s.g4) AS g4, coalesce(o.g3, s.g3) AS g3,
           coalesce(o.due, s.due) AS due,
           CASE WHEN o.county IS NOT NULL THEN o.due_text ELSE s.due_text END AS due_text
    FROM county_own o
    FULL JOIN county_sum s ON s.county = o.county
),
store_goal AS (
    -- The whole store: the sum of its counties' goals. While no goals sheet exists at all,
    -- the retired setting district_goals stands for the store's own goal (exact levels).
    SELECT 'counties' AS goal_source, sum(g5) AS g5, sum(g4) AS g4, sum(g3) AS g3, max(due) AS due,
           CASE WHEN count(DISTINCT due) = 1 THEN min(due_text) END AS due_text
    FROM county_goals
    HAVING count(*) > 0
    UNION ALL
    SELECT 'setting', coalesce($setting_5::INTEGER, 0), coalesce($setting_4::INTEGER, 0),
           coalesce($setting_3::INTEGER, 0), NULL::DATE, NULL::VARCHAR
    WHERE NOT EXISTS (SELECT 1 FROM v_goal)
      AND coalesce($setting_5::INTEGER, $setting_4::INTEGER, $setting_3::INTEGER) IS NOT NULL
),
units AS (
    -- Townships (in a chosen county): those with data this period or a goal of their own.
    SELECT 'township' AS unit_level, t.county, t.township, 3 AS unit_order,
           g.goal_source, g.g5, g.g4, g.g3, g.due, g.due_text,
           coalesce(r.r5, 0) AS r5, coalesce(r.r4, 0) AS r4, coalesce(r.r3, 0) AS r3,
           coalesce(r.branches, 0) AS branches
    FROM (SELECT county, township FROM town_reached
          UNION SELECT county, township FROM town_goals) t
    LEFT JOIN (SELECT *, 'own' AS goal_source FROM town_goals) g ON g.county = t.county AND g.township = t.township
    LEFT JOIN town_reached r ON r.county = t.county AND r.township = t.township
    WHERE $county::VARCHAR IS NOT NULL
      AND ($township::VARCHAR IS NULL OR t.township = $township::VARCHAR)
    UNION ALL
    -- Counties (unless a township is chosen): reached = all their branches this period.
    SELECT 'county', c.county, NULL, 2,
           g.goal_source, g.g5, g.g4, g.g3, g.due, g.due_text,
           coalesce(r.r5, 0), coalesce(r.r4, 0), coalesce(r.r3, 0), coalesce(r.branches, 0)
    FROM (SELECT county FROM town_reached UNION SELECT county FROM county_goals) c
    LEFT JOIN county_goals g ON g.county = c.county
    LEFT JOIN (SELECT county, sum(r5) AS r5, sum(r4) AS r4, sum(r3) AS r3, sum(branches) AS branches
               FROM town_reached GROUP BY county) r ON r.county = c.county
    WHERE $township::VARCHAR IS NULL
    UNION ALL
    -- The whole store (no county chosen).
    SELECT 'total', NULL, NULL, 1,
           g.goal_source, g.g5, g.g4, g.g3, g.due, g.due_text,
           coalesce(r.r5, 0), coalesce(r.r4, 0), coalesce(r.r3, 0), coalesce(r.branches, 0)
    FROM (SELECT sum(r5) AS r5, sum(r4) AS r4, sum(r3) AS r3, sum(branches) AS branches FROM town_reached) r
    LEFT JOIN store_goal g ON true
    WHERE $county::VARCHAR IS NULL
),
levels AS (
    SELECT unnest([5, 4, 3]) AS level
),
final AS (
    SELECT u.unit_level, u.unit_order, u.county, u.township, l.level, u.goal_source, u.branches,
           -- declared(L): the goal at exactly L stars (NULL: the unit declared none).
           CASE l.level WHEN 5 THEN u.g5 WHEN 4 THEN u.g4 ELSE u.g3 END AS declared,
           -- declared at ≥ L: the goals at L and above ("五星2个、四星7个" = 9 at ≥ 四星).
           CASE l.level WHEN 5 THEN u.g5 WHEN 4 THEN u.g5 + u.g4 ELSE u.g5 + u.g4 + u.g3 END AS declared_at_least,
           -- reached(L): branches at exactly L stars; reached_at_least(L): at L or more.
           CASE l.level WHEN 5 THEN u.r5 WHEN 4 THEN u.r4 ELSE u.r3 END AS reached,
           CASE l.level WHEN 5 THEN u.r5 WHEN 4 THEN u.r5 + u.r4 ELSE u.r5 + u.r4 + u.r3 END AS reached_at_least,
           u.due, u.due_text
    FROM units u
    CROSS JOIN levels l
)
SELECT unit_level, county, township, level, goal_source, branches,
       CAST(declared AS BIGINT) AS declared, CAST(declared_at_least AS BIGINT) AS declared_at_least,
       CAST(reached AS BIGINT) AS reached, CAST(reached_at_least AS BIGINT) AS reached_at_least,
       -- gap(L): branches still to bring to L stars or more (a branch above L counts for
       -- L, so a promotion never opens a gap below): declared ≥ L − reached ≥ L, at least 0;
       -- NULL when the unit declared no goal (greatest() would skip the NULL).
       CASE WHEN declared_at_least IS NOT NULL
            THEN CAST(greatest(declared_at_least - reached_at_least, 0) AS BIGINT) END AS gap,
       due, due_text
FROM final
ORDER BY unit_order, county COLLATE "binary", township COLLATE "binary", level DESC
