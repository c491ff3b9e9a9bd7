-- One row per placement move as DfE counts placements (int_children_in_care_care_episodes): a
-- placement that began after another in the same period of care, on move_date. Its reason is the
-- REASON_PLACE_CHANGE of the episode that ended that day (the 903 records the reason on the
-- episode that ends the placement), grouped by seed children_in_care_placement_change_groups;
-- blank is not_recorded.
with moves as (
    select la_code, child_key, period_of_care_number, placement_number, placement_start as move_date
    from {{ ref('int_children_in_care_placements') }}
    where placement_number > 1
),

ending_episodes as (
    select la_code, child_key, dec, reason_place_change
    from {{ ref('stg_children_in_care__episodes') }}
    where dec is not null and (ls is null or ls not in ('V3', 'V4'))
)

select
    moves.la_code,
    moves.child_key,
    moves.period_of_care_number,
    moves.placement_number,
    moves.move_date,
    coalesce(ending_episodes.reason_place_change, 'not_recorded') as reason_place_change,
    coalesce(groups.move_group, 'other') as move_group
from moves
left join ending_episodes
    on ending_episodes.la_code = moves.la_code
    and ending_episodes.child_key = moves.child_key
    and ending_episodes.dec = moves.move_date
left join {{ ref('children_in_care_placement_change_groups') }} as groups
    on groups.reason_place_change = coalesce(ending_episodes.reason_place_change, 'not_recorded')
