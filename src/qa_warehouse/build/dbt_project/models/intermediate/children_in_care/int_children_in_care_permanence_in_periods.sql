-- Permanence per authority and reporting period (docs/children-in-care-permanence.md): children
-- adopted, leaving care on a special guardianship order or a child arrangements order in the
-- period (the order's day, the period of care's last DEC, in it), adoption timeliness (adoption
-- scorecard A1, A3 and the time to the order) and children placed for adoption at the period end
-- who are waiting for the order. Every period has a row (0 and NULL averages when none).
with periods as (
    select la_code, period_type, period_start, period_end, financial_year
    from {{ ref('int_children_in_care_reporting_periods') }}
),

orders as (
    select
        periods.la_code,
        periods.period_type,
        periods.period_end,
        count(distinct orders.child_key) filter (where orders.permanence_order = 'adoption') as children_adopted,
        count(distinct orders.child_key) filter (
            where orders.permanence_order = 'adoption'
            and orders.moved_in_with_adoptive_family_on < cast(orders.entered_care_on + interval '14 months' as date)
        ) as adopted_within_14_months,
        round(avg(orders.moved_in_with_adoptive_family_on - orders.entered_care_on)
            filter (where orders.permanence_order = 'adoption')) as average_days_entering_care_to_moving_in,
        round(avg(orders.order_made_on - orders.entered_care_on)
            filter (where orders.permanence_order = 'adoption')) as average_days_entering_care_to_adoption_order,
        round(avg(orders.order_made_on - orders.moved_in_with_adoptive_family_on)
            filter (where orders.permanence_order = 'adoption')) as average_days_moving_in_to_adoption_order,
        count(distinct orders.child_key) filter (where orders.permanence_order = 'special_guardianship_order')
            as special_guardianship_orders,
        count(distinct orders.child_key) filter (where orders.permanence_order = 'child_arrangements_order')
            as child_arrangements_orders
    from periods
    inner join {{ ref('int_children_in_care_permanence_orders') }} as orders
        on orders.la_code = periods.la_code
        and orders.order_made_on between periods.period_start and periods.period_end
    group by periods.la_code, periods.period_type, periods.period_end
),

-- placed for adoption (A3-A6) at D: the placement open at D (a temporary episode belongs to it)
awaiting_order as (
    select periods.la_code, periods.period_type, periods.period_end, count(distinct placements.child_key) as children
    from periods
    inner join {{ ref('int_children_in_care_placements') }} as placements
        on placements.la_code = periods.la_code
        and placements.is_placed_for_adoption
        and placements.placement_start <= periods.period_end
        and (placements.placement_end is null or placements.placement_end > periods.period_end)
    group by periods.la_code, periods.period_type, periods.period_end
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    cast(coalesce(orders.children_adopted, 0) as integer) as children_adopted,
    cast(coalesce(orders.adopted_within_14_months, 0) as integer) as adopted_within_14_months,
    cast(orders.average_days_entering_care_to_moving_in as integer) as average_days_entering_care_to_moving_in,
    cast(orders.average_days_entering_care_to_adoption_order as integer)
        as average_days_entering_care_to_adoption_order,
    cast(orders.average_days_moving_in_to_adoption_order as integer) as average_days_moving_in_to_adoption_order,
    cast(coalesce(orders.special_guardianship_orders, 0) as integer) as special_guardianship_orders,
    cast(coalesce(orders.child_arrangements_orders, 0) as integer) as child_arrangements_orders,
    cast(coalesce(awaiting_order.children, 0) as integer) as placed_for_adoption_at_period_end
from periods
left join orders
    on orders.la_code = periods.la_code
    and orders.period_type = periods.period_type
    and orders.period_end = periods.period_end
left join awaiting_order
    on awaiting_order.la_code = periods.la_code
    and awaiting_order.period_type = periods.period_type
    and awaiting_order.period_end = periods.period_end
