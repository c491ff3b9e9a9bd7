-- Every 903 episode that counts for children looked after, numbered into periods of care and
-- placements as DfE counts them (docs/children-in-care-figures.md):
-- * episodes under a series of short breaks (LS V3, V4) are left out, as in DfE's statistics;
-- * a period of care is a run of episodes each starting on the day the one before ended: a
--   child who leaves care and comes back starts a new period;
-- * within a period of care a new placement starts when PLACE, URN or the placement postcode
--   (PL_POST) changes; a change of legal status alone (RNE L) is not a move, nor is a PLACE
--   recorded again under the code DfE replaced it with (children_in_care_place_recodes);
-- * a temporary placement (T0-T4: hospital, holiday, carer unavailable, 7 days or less) neither
--   starts a placement nor ends one: it belongs to the placement before it, and the child going
--   back to the same carer afterwards is the same placement (placement_number 0 when a period of
--   care opens with one).
with episodes as (
    select
        episodes.la_code,
        episodes.child_key,
        episodes.decom,
        episodes.dec,
        episodes.rne,
        episodes.ls,
        episodes.place,
        episodes.place_provider,
        episodes.rec,
        nullif(trim(episodes.urn), '') as urn,
        {{ normalised_postcode('episodes.home_post') }} as home_postcode,
        {{ normalised_postcode('episodes.pl_post') }} as placement_postcode,
        coalesce(episodes.place in ('T0', 'T1', 'T2', 'T3', 'T4'), false) as is_temporary
    from {{ ref('stg_children_in_care__episodes') }} as episodes
    where episodes.ls is null or episodes.ls not in ('V3', 'V4')
),

periods_numbered as (
    select
        *,
        sum(case when decom = previous_dec then 0 else 1 end) over (
            partition by la_code, child_key order by decom rows unbounded preceding
        ) as period_of_care_number
    from (
        select *, lag(dec) over (partition by la_code, child_key order by decom) as previous_dec
        from episodes
    ) as sequenced
),

-- placement changes are judged between the non-temporary episodes of a period of care
settled as (
    select
        la_code, child_key, decom, place, urn, placement_postcode,
        lag(decom) over same_period as previous_decom,
        lag(place) over same_period as previous_place,
        lag(urn) over same_period as previous_urn,
        lag(placement_postcode) over same_period as previous_placement_postcode
    from periods_numbered
    where not is_temporary
    window same_period as (partition by la_code, child_key, period_of_care_number order by decom)
),

placement_starts as (
    select
        la_code, child_key, decom,
        case
            when previous_decom is null then 1
            when (urn is distinct from previous_urn)
                or (placement_postcode is distinct from previous_placement_postcode) then 1
            -- DfE replacing a retired code (H5 by K3) is a new name for the same placement
            when (place is distinct from previous_place)
                and not exists (select 1 from {{ ref('children_in_care_place_recodes') }} as recodes
                                where recodes.retired_place = settled.previous_place
                                  and recodes.new_place = settled.place) then 1
            else 0
        end as starts_placement
    from settled
),

numbered as (
    select
        periods_numbered.*,
        coalesce(placement_starts.starts_placement, 0) as starts_placement,
        sum(coalesce(placement_starts.starts_placement, 0)) over (
            partition by periods_numbered.la_code, periods_numbered.child_key, periods_numbered.period_of_care_number
            order by periods_numbered.decom rows unbounded preceding
        ) as placement_number
    from periods_numbered
    left join placement_starts
        on placement_starts.la_code = periods_numbered.la_code
        and placement_starts.child_key = periods_numbered.child_key
        and placement_starts.decom = periods_numbered.decom
),

-- the placement type of each episode: the row for its provider, else the row for any provider
typed as (
    select
        numbered.*,
        coalesce(
            (select types.placement_type from {{ ref('children_in_care_placement_type_codes') }} as types
             where types.place = numbered.place and types.place_provider = numbered.place_provider),
            (select types.placement_type from {{ ref('children_in_care_placement_type_codes') }} as types
             where types.place = numbered.place and nullif(types.place_provider, '') is null),
            'other'
        ) as placement_type
    from numbered
)

select
    typed.la_code,
    typed.child_key,
    typed.period_of_care_number,
    typed.placement_number,
    typed.starts_placement = 1 as starts_placement,
    typed.decom,
    typed.dec,
    typed.rne,
    typed.ls,
    typed.place,
    typed.place_provider,
    typed.placement_type,
    typed.is_temporary,
    typed.rec,
    typed.urn,
    typed.home_postcode,
    typed.placement_postcode,
    -- DfE's PL_DISTANCE: straight line between the two postcode centroids, in miles to 0.1
    -- (metres / 1000 / 1.6093, as the 903 guidance and validator compute it); NULL when either
    -- postcode is blank or not in the ONS directory (not known, never near or far)
    round(cast(sqrt(power(home.easting - placement.easting, 2) + power(home.northing - placement.northing, 2))
               / 1000 / 1.6093 as numeric), 1) as placement_distance_miles
from typed
left join {{ ref('stg_reference__postcode_centroids') }} as home
    on home.postcode = typed.home_postcode
left join {{ ref('stg_reference__postcode_centroids') }} as placement
    on placement.postcode = typed.placement_postcode
