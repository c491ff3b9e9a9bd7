-- The fostering KPIs: one row per authority, team (NULL on the authority-wide row), period end
-- and measure, with the counts, the exact percentage, RAG against the measure's thresholds and
-- the direction of travel from the previous month end. Every team in dim_team gets a row for
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
    inner join {{ ref('dim_team') }} as teams
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

-- RAG and direction compare exact fractions (100 * in_time against threshold * assessed, and
-- cross-multiplied shares), so a boundary is never missed by a rounded division.
scored as (
    select
        with_previous.*,
        measures.measure_name,
        measures.display_order,
        measures.target,
        measures.polarity,
        case
            when with_previous.assessed = 0 then null
            when measures.polarity = 'higher_is_better' then
                case
                    when 100 * with_previous.in_time >= measures.green_from * with_previous.assessed then 'green'
                    when 100 * with_previous.in_time >= measures.amber_from * with_previous.assessed then 'amber'
                    else 'red'
                end
            when measures.polarity = 'lower_is_better' then
                case
                    when 100 * with_previous.in_time <= measures.green_from * with_previous.assessed then 'green'
                    when 100 * with_previous.in_time <= measures.amber_from * with_previous.assessed then 'amber'
                    else 'red'
                end
        end as rag,
        -- > 0: the share went up; < 0: down; 0: unchanged (NULL when either share is undefined)
        case
            when with_previous.assessed > 0 and with_previous.previous_assessed > 0 then
                sign(
                    with_previous.in_time::numeric * with_previous.previous_assessed
                    - with_previous.previous_in_time::numeric * with_previous.assessed
                )
        end as change_sign
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
    case
        when scored.change_sign is null then null
        when scored.change_sign = 0 then 'no_change'
        when (scored.change_sign > 0) = (scored.polarity = 'higher_is_better') then 'improving'
        else 'declining'
    end as direction_of_travel
from scored
inner join {{ ref('dim_date') }} as dates
    on dates.date_day = scored.period_end
