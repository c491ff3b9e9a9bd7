-- One row per period of care that ended in an order giving the child permanence outside care
-- (docs/children-in-care-permanence.md), from the REC of the period's last episode (903 code
-- list): E11, E12 adopted; E45-E48 special guardianship order; E41 residence or child
-- arrangements order. For an adoption: the day the child entered care (the period's first
-- DECOM), moved in with the adoptive family (the start of the placement the child was adopted
-- from, adoption scorecard A1) and the adoption order (the DEC).
with ends as (
    select
        la_code,
        child_key,
        period_of_care_number,
        (array_agg(rec order by decom desc))[1] as reason_ceased
    from {{ ref('int_children_in_care_care_episodes') }}
    group by la_code, child_key, period_of_care_number
),

last_placements as (
    select
        la_code,
        child_key,
        period_of_care_number,
        (array_agg(placement_start order by placement_number desc))[1] as last_placement_start,
        (array_agg(is_placed_for_adoption order by placement_number desc))[1] as last_placement_is_for_adoption
    from {{ ref('int_children_in_care_placements') }}
    group by la_code, child_key, period_of_care_number
)

select
    care.la_code,
    care.child_key,
    care.period_of_care_number,
    ends.reason_ceased,
    case
        when ends.reason_ceased in ('E11', 'E12') then 'adoption'
        when ends.reason_ceased in ('E45', 'E46', 'E47', 'E48') then 'special_guardianship_order'
        else 'child_arrangements_order'
    end as permanence_order,
    care.period_of_care_start as entered_care_on,
    case when ends.reason_ceased in ('E11', 'E12') then last_placements.last_placement_start end
        as moved_in_with_adoptive_family_on,
    case when ends.reason_ceased in ('E11', 'E12') then last_placements.last_placement_is_for_adoption end
        as adopted_from_adoptive_placement,
    care.period_of_care_end as order_made_on
from {{ ref('int_children_in_care_periods_of_care') }} as care
inner join ends
    on ends.la_code = care.la_code
    and ends.child_key = care.child_key
    and ends.period_of_care_number = care.period_of_care_number
left join last_placements
    on last_placements.la_code = care.la_code
    and last_placements.child_key = care.child_key
    and last_placements.period_of_care_number = care.period_of_care_number
where care.period_of_care_end is not null
    and ends.reason_ceased in ('E11', 'E12', 'E41', 'E45', 'E46', 'E47', 'E48')
