-- The latest Ofsted inspection judgement (as every delivery reported inspections) of the
-- children's homes open at each month end, as counts by judgement (every judgement on every month
-- end, 0 included): no home is named.
-- Definitions: docs/residential-figures.md.
with judgements as (
    select judgement, display_order
    from (values ('outstanding', 1), ('good', 2), ('requires_improvement', 3), ('inadequate', 4),
                 ('not_yet_inspected', 5), ('not_known', 6)) as judgements (judgement, display_order)
),

grains as (
    select month_ends.la_code, month_ends.period_end, judgements.judgement, judgements.display_order
    from {{ ref('int_residential_month_ends') }} as month_ends
    cross join judgements
),

open_homes as (
    select la_code, period_end, provision, inspection_judgement
    from {{ ref('fct_residential_home_months') }}
    where is_open_at_period_end
),

counts as (
    select
        la_code, period_end, inspection_judgement as judgement,
        count(*) as homes,
        count(*) filter (where provision = 'internal') as internal_homes,
        count(*) filter (where provision = 'external') as external_homes
    from open_homes
    group by la_code, period_end, inspection_judgement
),

totals as (
    select la_code, period_end, count(*) as open_homes
    from open_homes
    group by la_code, period_end
)

select
    grains.la_code,
    grains.period_end,
    dim_date.financial_year,
    dim_date.financial_quarter,
    grains.judgement,
    grains.display_order,
    cast(coalesce(counts.homes, 0) as integer) as homes,
    cast(coalesce(counts.internal_homes, 0) as integer) as internal_homes,
    cast(coalesce(counts.external_homes, 0) as integer) as external_homes,
    cast(coalesce(totals.open_homes, 0) as integer) as open_homes,
    cast({{ percentage('coalesce(counts.homes, 0)', 'coalesce(totals.open_homes, 0)') }} as numeric) as percentage
from grains
left join counts
    on counts.la_code = grains.la_code
    and counts.period_end = grains.period_end
    and counts.judgement = grains.judgement
left join totals
    on totals.la_code = grains.la_code
    and totals.period_end = grains.period_end
inner join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = grains.period_end
