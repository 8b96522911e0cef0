-- Shared prelude (included by star_view_tasks.sql and star_view_problems.sql, not run on
-- its own): the snapshot reports whose rows are listed, one per branch, as bound lists
-- of the same length ($pick_county, $pick_township, $pick_branch, $pick_kind, $pick_period:
-- the first branches of the page, analytics.problems.star_view).
picked AS (
    SELECT unnest($pick_county::VARCHAR[]) AS county, unnest($pick_township::VARCHAR[]) AS township,
           unnest($pick_branch::VARCHAR[]) AS branch, unnest($pick_kind::VARCHAR[]) AS source_kind,
           unnest($pick_period::DATE[]) AS source_period
)
