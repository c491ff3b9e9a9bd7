-- Children looked after by placement type per authority and reporting period (the last
-- children_in_care_history_months month ends and the 903 years to 31 March): at the period end,
-- during the period, started and ceased in it. Counts of children only. Definitions: docs/children-in-care-figures.md.
with periods as (
    select la_code, period_type, period_start, period_end, financial_year
    from {{ ref('int_children_in_care_reporting_periods') }}
),

types as (
    select placement_type, placement_type_name, display_order
    from {{ ref('children_in_care_placement_type_names') }}
),

children as (
    select * from {{ ref('int_children_in_care_children_in_periods') }}
),

counts as (
    select la_code, period_type, period_end, placement_type_at_period_end as placement_type,
           'looked_after_at_period_end' as figure, count(*) as children
    from children where looked_after_at_period_end
    group by la_code, period_type, period_end, placement_type_at_period_end
    union all
    select la_code, period_type, period_end, placement_type_during_period,
           'looked_after_during_period', count(*)
    from children
    group by la_code, period_type, period_end, placement_type_during_period
    union all
    select la_code, period_type, period_end, placement_type_at_start, 'started_in_period', count(*)
    from children where started_in_period
    group by la_code, period_type, period_end, placement_type_at_start
    union all
    select la_code, period_type, period_end, placement_type_at_cease, 'ceased_in_period', count(*)
    from children where ceased_in_period
    group by la_code, period_type, period_end, placement_type_at_cease
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    types.placement_type,
    types.placement_type_name,
    types.display_order,
    cast(coalesce(sum(counts.children) filter (where counts.figure = 'looked_after_at_period_end'), 0) as integer)
        as looked_after_at_period_end,
    cast(coalesce(sum(counts.children) filter (where counts.figure = 'looked_after_during_period'), 0) as integer)
        as looked_after_during_period,
    cast(coalesce(sum(counts.children) filter (where counts.figure = 'started_in_period'), 0) as integer)
        as started_in_period,
    cast(coalesce(sum(counts.children) filter (where counts.figure = 'ceased_in_period'), 0) as integer)
        as ceased_in_period
from periods
cross join types
left join counts
    on counts.la_code = periods.la_code
    and counts.period_type = periods.period_type
    and counts.period_end = periods.period_end
    and counts.placement_type = types.placement_type
group by periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
         types.placement_type, types.placement_type_name, types.display_order
