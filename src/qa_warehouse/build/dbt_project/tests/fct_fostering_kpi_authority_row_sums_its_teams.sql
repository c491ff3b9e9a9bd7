-- The authority-wide row (team NULL) holds exactly the sum of its team rows, and there is one
-- authority row for every authority, period and measure that has team rows.
with team_totals as (
    select la_code, period_end, measure_code,
        sum(in_time) as in_time, sum(out_of_time) as out_of_time, sum(not_yet_due) as not_yet_due
    from {{ ref('fct_fostering_kpi') }}
    where team is not null
    group by la_code, period_end, measure_code
),

authority_rows as (
    select la_code, period_end, measure_code, in_time, out_of_time, not_yet_due
    from {{ ref('fct_fostering_kpi') }}
    where team is null
)

select
    coalesce(authority_rows.la_code, team_totals.la_code) as la_code,
    coalesce(authority_rows.period_end, team_totals.period_end) as period_end,
    coalesce(authority_rows.measure_code, team_totals.measure_code) as measure_code,
    authority_rows.in_time + authority_rows.out_of_time + authority_rows.not_yet_due as authority_total,
    team_totals.in_time + team_totals.out_of_time + team_totals.not_yet_due as sum_of_teams
from authority_rows
full outer join team_totals
    on team_totals.la_code = authority_rows.la_code
    and team_totals.period_end = authority_rows.period_end
    and team_totals.measure_code = authority_rows.measure_code
where team_totals.la_code is not null
    and (
        authority_rows.la_code is null
        or authority_rows.in_time <> team_totals.in_time
        or authority_rows.out_of_time <> team_totals.out_of_time
        or authority_rows.not_yet_due <> team_totals.not_yet_due
    )
