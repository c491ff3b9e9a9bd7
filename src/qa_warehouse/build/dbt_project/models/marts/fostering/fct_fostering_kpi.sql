-- The fostering KPIs: one row per authority, team (NULL on the authority-wide row), period end
-- and measure, with the counts, the exact percentage, RAG against the measure's thresholds and
-- the direction of travel from the previous month end. Every team in dim_fostering_team gets a row for
-- every period and measure, with zeros where it has no population.
with measures as (
    select * from {{ ref('measure_targets') }} where area = 'fostering'
),

team_counts as (
    select
        team_key,
        period_end,
        measure_code,
        count(*) filter (where outcome = 'in_time') as in_time,
        count(*) filter (where outcome = 'out_of_time') as out_of_time,
        count(*) filter (where outcome = 'not_yet_due') as not_yet_due
    from {{ ref('int_fostering_measure_outcomes') }}
    group by team_key, period_end, measure_code
),

team_rows as (
    select
        periods.la_code,
        teams.team,
        teams.team_key,
        periods.period_end,
        measures.measure_code,
        coalesce(team_counts.in_time, 0) as in_time,
        coalesce(team_counts.out_of_time, 0) as out_of_time,
        coalesce(team_counts.not_yet_due, 0) as not_yet_due
    from {{ ref('int_fostering_reporting_periods') }} as periods
    inner join {{ ref('dim_fostering_team') }} as teams
        on teams.la_code = periods.la_code
    cross join measures
    left join team_counts
        on team_counts.team_key = teams.team_key
        and team_counts.period_end = periods.period_end
        and team_counts.measure_code = measures.measure_code
),

-- The authority-wide row sums its teams; built from the periods so that an authority with no
-- teams still has its (empty) rows.
authority_rows as (
    select
        periods.la_code,
        cast(null as text) as team,
        cast(null as text) as team_key,
        periods.period_end,
        measures.measure_code,
        coalesce(sum(team_rows.in_time), 0) as in_time,
        coalesce(sum(team_rows.out_of_time), 0) as out_of_time,
        coalesce(sum(team_rows.not_yet_due), 0) as not_yet_due
    from {{ ref('int_fostering_reporting_periods') }} as periods
    cross join measures
    left join team_rows
        on team_rows.la_code = periods.la_code
        and team_rows.period_end = periods.period_end
        and team_rows.measure_code = measures.measure_code
    group by periods.la_code, periods.period_end, measures.measure_code
),

kpi_rows as (
    select 'team' as reporting_level, * from team_rows
    union all
    select 'authority' as reporting_level, * from authority_rows
),

with_previous as (
    select
        kpi_rows.*,
        kpi_rows.in_time + kpi_rows.out_of_time as assessed,
        -- periods are consecutive month ends, so the previous row is the previous month end
        lag(kpi_rows.in_time) over same_series as previous_in_time,
        lag(kpi_rows.in_time + kpi_rows.out_of_time) over same_series as previous_assessed
    from kpi_rows
    window same_series as (
        partition by kpi_rows.la_code, kpi_rows.team, kpi_rows.measure_code
        order by kpi_rows.period_end
    )
),

-- RAG and direction of travel come from macros/measure_scoring.sql, as in every other table.
scored as (
    select
        with_previous.*,
        measures.measure_name,
        measures.display_order,
        measures.target,
        measures.polarity,
        {{ rag('with_previous.in_time', 'with_previous.assessed', 'measures.green_from', 'measures.amber_from',
            'measures.polarity') }} as rag
    from with_previous
    inner join measures
        on measures.measure_code = with_previous.measure_code
)

select
    scored.la_code,
    scored.team,
    scored.team_key,
    scored.reporting_level,
    scored.period_end,
    dates.financial_year,
    dates.financial_quarter,
    scored.measure_code,
    scored.measure_name,
    scored.display_order,
    cast(scored.in_time as integer) as in_time,
    cast(scored.out_of_time as integer) as out_of_time,
    cast(scored.not_yet_due as integer) as not_yet_due,
    {{ percentage('scored.in_time', 'scored.assessed') }} as percentage,
    scored.target,
    scored.rag,
    {{ percentage('scored.previous_in_time', 'scored.previous_assessed') }} as previous_percentage,
    {{ direction_of_travel('scored.in_time', 'scored.assessed', 'scored.previous_in_time', 'scored.previous_assessed',
        'scored.polarity') }} as direction_of_travel
from scored
inner join {{ ref('dim_calendar') }} as dates
    on dates.date_day = scored.period_end
