-- The exception list is the list behind the scorecard: at each authority's latest month end, its
-- rows per team and measure number exactly the scorecard's out_of_time (team rows; the
-- authority-wide row is their sum, tested by fct_fostering_kpi_authority_row_sums_its_teams).
with latest_scorecard as (
    select la_code, team, period_end, measure_code, out_of_time
    from {{ ref('fostering_kpi_scorecard') }} as scorecard
    where team is not null
        and period_end = (
            select max(period_end) from {{ ref('fostering_kpi_scorecard') }} as latest
            where latest.la_code = scorecard.la_code
        )
),

listed as (
    select la_code, team, period_end, measure_code, count(*) as rows_listed
    from {{ ref('fostering_exceptions') }}
    group by la_code, team, period_end, measure_code
)

select
    coalesce(latest_scorecard.la_code, listed.la_code) as la_code,
    coalesce(latest_scorecard.team, listed.team) as team,
    coalesce(latest_scorecard.period_end, listed.period_end) as period_end,
    coalesce(latest_scorecard.measure_code, listed.measure_code) as measure_code,
    latest_scorecard.out_of_time,
    listed.rows_listed
from latest_scorecard
full outer join listed
    on listed.la_code = latest_scorecard.la_code
    and listed.team = latest_scorecard.team
    and listed.period_end = latest_scorecard.period_end
    and listed.measure_code = latest_scorecard.measure_code
where coalesce(latest_scorecard.out_of_time, 0) <> coalesce(listed.rows_listed, 0)
