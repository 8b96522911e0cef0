-- Shared prelude (included by the star_view_* queries, not run on its own): the
-- scope's branches of one period with their snapshot report and their status for
-- one star.
-- Parameters: $cur_grain/$cur_start/$cur_end  the period; $county/$township/$branch_type
--             the scope; $slot  the star (1–5); $village_names/$community_names.
cur_rows AS (
    -- Snapshot rule: a quarter takes each branch's latest month inside it.
    SELECT s.county, s.township, s.branch, s.branch_type, s.period, s.secretary,
           -- The report the row comes from (a monthly one, or a weekly one: cadence.md §1).
           s.source_kind, s.source_period,
           -- The star's status: slot $slot of the branch's five (achieved / in_progress / not_started / NULL).
           list_extract([s.star_1, s.star_2, s.star_3, s.star_4, s.star_5], $slot::INTEGER) AS status,
           -- The branch's own type's name of the star (§2).
           CASE WHEN s.branch_type = '社区' THEN list_extract($community_names::VARCHAR[], $slot::INTEGER)
                ELSE list_extract($village_names::VARCHAR[], $slot::INTEGER) END AS star_name
    FROM branch_snapshot s
    WHERE
    -- @include in_scope.sql cur
)
