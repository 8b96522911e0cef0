-- Shared fragment (a WHERE condition, not run on its own): the row `s` of
-- branch_snapshot belongs to the period $period_grain/$period_start and to the
-- scope. Included as `-- @include in_scope.sql cur` (or `prev`): "$period_" is
-- replaced by "$cur_" (or "$prev_").
-- Snapshot rule, kept in branch_snapshot by the store: a month is its rows; a
-- quarter takes, for each branch (county, township, branch), its latest month
-- inside the quarter. Scope: the whole store or a filter on county / township /
-- branch_type. A branch_type filter sees a branch whose type changed inside a
-- quarter at its latest month of that type (is_latest false), as filtering the
-- months first would.
s.grain = $period_grain::VARCHAR AND s.period_start = $period_start::DATE
AND ($county::VARCHAR IS NULL OR s.county = $county::VARCHAR)
AND ($township::VARCHAR IS NULL OR s.township = $township::VARCHAR)
AND CASE WHEN $branch_type::VARCHAR IS NULL THEN s.is_latest
         ELSE s.branch_type = $branch_type::VARCHAR END
