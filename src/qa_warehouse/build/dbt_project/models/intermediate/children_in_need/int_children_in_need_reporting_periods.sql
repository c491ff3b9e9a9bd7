-- The periods each authority's children in need figures are evaluated over, from its current
-- census extract date E, named as reporting.measure_values names period kinds:
--   month:          the last children_in_need_history_months month ends on or before E;
--   quarter:        the last children_in_need_history_quarters financial quarter ends on or before E;
--   financial_year: the census collection years (1 April - 31 March, the financial year) that
--                   ended on or before E, at most children_in_need_history_years, and only those
--                   ending on or after the authority's first referral in the census (years with data).
with snapshots as (
    select
        la_code,
        extract_date,
        -- the last 31 March on or before the extract date
        make_date(cast(extract(year from cast(extract_date + 1 - interval '3 months' as date)) as integer), 3, 31)
            as last_year_end
    from {{ ref('stg_children_in_need__current_loads') }}
),

first_referrals as (
    select la_code, min(referral_date) as first_referral_date
    from {{ ref('stg_children_in_need__referrals') }}
    group by la_code
),

months as (
    select snapshots.la_code, 'month' as period_type, reporting_window.period_start, reporting_window.period_end
    from snapshots
    {{ reporting_window('snapshots.extract_date', var('children_in_need_history_months')) }}
),

quarters as (
    select snapshots.la_code, 'quarter' as period_type, reporting_window.period_start, reporting_window.period_end
    from snapshots
    {{ reporting_window('snapshots.extract_date', var('children_in_need_history_quarters'), 'quarter') }}
),

years as (
    select
        snapshots.la_code,
        'financial_year' as period_type,
        make_date(cast(extract(year from snapshots.last_year_end) as integer) - years_back - 1, 4, 1) as period_start,
        make_date(cast(extract(year from snapshots.last_year_end) as integer) - years_back, 3, 31) as period_end
    from snapshots
    cross join generate_series(0, {{ var('children_in_need_history_years') }} - 1) as years_back (years_back)
    inner join first_referrals on first_referrals.la_code = snapshots.la_code
    where make_date(cast(extract(year from snapshots.last_year_end) as integer) - years_back, 3, 31)
        >= first_referrals.first_referral_date
),

periods as (
    select *, cast(extract(year from period_end - interval '3 months') as integer) as financial_year_start
    from months
    union all
    select *, cast(extract(year from period_end - interval '3 months') as integer) from quarters
    union all
    select *, cast(extract(year from period_end - interval '3 months') as integer) from years
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    snapshots.extract_date,
    -- the financial (census collection) year the period ends in, e.g. 2024/25
    periods.financial_year_start || '/' || lpad(cast((periods.financial_year_start + 1) % 100 as text), 2, '0')
        as financial_year
from periods
inner join snapshots on snapshots.la_code = periods.la_code
