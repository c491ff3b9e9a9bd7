-- Every 903 episode (short breaks excluded) with the start of the period of care and of the
-- placement it belongs to. A period of care is a run of episodes each starting on the day the one
-- before ceased; a placement is a run within it with the same PLACE, URN and placement postcode,
-- so a change of legal status alone (RNE L) is not a move. Short breaks (LS V3, V4) are not
-- "looked after" in DfE's counts of children looked after, so they start nothing here.
with episodes as (
    select child_key, la_code, decom, dec, ls, place, urn, pl_post
    from {{ ref('stg_children_in_care__episodes') }}
    where ls is null or ls not in ('V3', 'V4')
),

ordered as (
    select
        episodes.*,
        lag(dec) over by_child as previous_dec,
        lag(place) over by_child as previous_place,
        lag(urn) over by_child as previous_urn,
        lag(pl_post) over by_child as previous_pl_post
    from episodes
    window by_child as (partition by la_code, child_key order by decom)
),

flagged as (
    select
        ordered.*,
        previous_dec is distinct from decom as starts_period_of_care,
        previous_dec is distinct from decom
            or place is distinct from previous_place
            or urn is distinct from previous_urn
            or pl_post is distinct from previous_pl_post as starts_placement
    from ordered
),

numbered as (
    select
        flagged.*,
        sum(case when starts_period_of_care then 1 else 0 end) over by_child as period_of_care_number,
        sum(case when starts_placement then 1 else 0 end) over by_child as placement_number
    from flagged
    window by_child as (partition by la_code, child_key order by decom rows unbounded preceding)
)

select
    child_key,
    la_code,
    decom,
    dec,
    ls,
    place,
    min(decom) over (partition by la_code, child_key, period_of_care_number) as period_of_care_start,
    min(decom) over (partition by la_code, child_key, placement_number) as placement_start
from numbered
