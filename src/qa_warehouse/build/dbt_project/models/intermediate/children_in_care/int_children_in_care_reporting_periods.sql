-- The periods each authority's children in care figures are evaluated over, from its current 903
-- Episodes extract date E:
--   month: the children_in_care_history_months (dbt var) calendar months whose month end is on or
--          before E (the latest last);
--   year:  the 903 collection years (1 April - 31 March) that ended on or before E, at most 3,
--          and only those that end after the authority's first episode began (years with data).
with episode_snapshots as (
    select
        la_code,
        extract_date,
        -- the last 31 March on or before the extract date
        make_date(cast(extract(year from cast(extract_date + 1 - interval '3 months' as date)) as integer), 3, 31)
            as last_year_end
    from {{ ref('stg_children_in_care__current_loads') }}
    where extract = 'ssda903_episodes'
),

first_episodes as (
    select la_code, min(decom) as first_decom
    from {{ ref('stg_children_in_care__episodes') }}
    group by la_code
),

months as (
    select
        episode_snapshots.la_code,
        'month' as period_type,
        reporting_window.period_start,
        reporting_window.period_end
    from episode_snapshots
    {{ reporting_window('episode_snapshots.extract_date', var('children_in_care_history_months') | int) }}
),

years as (
    select
        episode_snapshots.la_code,
        'year' as period_type,
        make_date(cast(extract(year from episode_snapshots.last_year_end) as integer) - years_back - 1, 4, 1)
            as period_start,
        make_date(cast(extract(year from episode_snapshots.last_year_end) as integer) - years_back, 3, 31) as period_end
    from episode_snapshots
    cross join generate_series(0, 2) as years_back (years_back)
    inner join first_episodes on first_episodes.la_code = episode_snapshots.la_code
    where make_date(cast(extract(year from episode_snapshots.last_year_end) as integer) - years_back, 3, 31)
        >= first_episodes.first_decom
),

periods as (
    select * from months
    union all
    select * from years
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    -- the 903 year is the UK financial year: one calendar holds it
    dim_date.financial_year
from periods
inner join {{ ref('dim_calendar') }} as dim_date on dim_date.date_day = periods.period_end
