-- One row per period of care: from the first episode's DECOM to the last episode's DEC (NULL
-- while the child is looked after), with the placement types the child started and ended in.
select
    la_code,
    child_key,
    period_of_care_number,
    min(decom) as period_of_care_start,
    -- an open last episode leaves the period open
    case when bool_or(dec is null) then null else max(dec) end as period_of_care_end,
    (array_agg(placement_type order by decom))[1] as first_placement_type,
    (array_agg(placement_type order by decom desc))[1] as last_placement_type
from {{ ref('int_children_in_care_care_episodes') }}
group by la_code, child_key, period_of_care_number
