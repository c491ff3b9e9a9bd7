-- One row per placement as DfE counts them (int_children_in_care_care_episodes says when one
-- starts): from its first episode's DECOM to its last episode's DEC (NULL while it continues),
-- with the placement before it in the same period of care (for placed-for-adoption stability).
with placements as (
    select
        la_code,
        child_key,
        period_of_care_number,
        placement_number,
        min(decom) as placement_start,
        case when bool_or(dec is null) then null else max(dec) end as placement_end,
        -- the episode that started the placement says where it is (a temporary episode never does)
        (array_agg(place order by decom))[1] as place,
        (array_agg(placement_type order by decom))[1] as placement_type
    from {{ ref('int_children_in_care_care_episodes') }}
    where placement_number > 0
    group by la_code, child_key, period_of_care_number, placement_number
)

select
    placements.*,
    -- placed for adoption (A3-A6: with consent or under a placement order)
    placements.place in ('A3', 'A4', 'A5', 'A6') as is_placed_for_adoption,
    lag(placements.placement_start) over (
        partition by placements.la_code, placements.child_key, placements.period_of_care_number
        order by placements.placement_number
    ) as previous_placement_start
from placements
