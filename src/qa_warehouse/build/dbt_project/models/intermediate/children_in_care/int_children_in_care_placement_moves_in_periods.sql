-- Placement moves per authority, reporting period and REASON_PLACE_CHANGE (every reason of seed
-- children_in_care_placement_change_groups in every period, 0 when none): moves whose move_date
-- is in the period, and the children who moved (a child counted once per reason).
with periods as (
    select la_code, period_type, period_start, period_end, financial_year
    from {{ ref('int_children_in_care_reporting_periods') }}
),

moves as (
    select
        periods.la_code,
        periods.period_type,
        periods.period_end,
        moves.reason_place_change,
        count(*) as moves,
        count(distinct moves.child_key) as children
    from periods
    inner join {{ ref('int_children_in_care_placement_moves') }} as moves
        on moves.la_code = periods.la_code
        and moves.move_date between periods.period_start and periods.period_end
    group by periods.la_code, periods.period_type, periods.period_end, moves.reason_place_change
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    periods.financial_year,
    groups.reason_place_change,
    groups.move_group,
    cast(coalesce(moves.moves, 0) as integer) as moves,
    cast(coalesce(moves.children, 0) as integer) as children
from periods
cross join {{ ref('children_in_care_placement_change_groups') }} as groups
left join moves
    on moves.la_code = periods.la_code
    and moves.period_type = periods.period_type
    and moves.period_end = periods.period_end
    and moves.reason_place_change = groups.reason_place_change
