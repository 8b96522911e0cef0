-- The current declared goals (register.md §2), optionally of one county; the county's
-- own goal (township NULL) first. Parameters: $county (NULL = every county).
WITH final AS (
    SELECT g.county, g.township, g.goal_5, g.goal_4, g.goal_3, g.due, g.due_text
    FROM v_goal g
    WHERE ($county::VARCHAR IS NULL OR g.county = $county::VARCHAR)
      -- A township sees its own goal and its county's.
      AND ($township::VARCHAR IS NULL OR g.township IS NULL OR g.township = $township::VARCHAR)
)
SELECT * FROM final
ORDER BY county COLLATE "binary", township IS NOT NULL, township COLLATE "binary"
