-- Every 903 episode that counts for children looked after (short breaks left out) with the start
-- of its period of care and of its placement, as int_children_in_care_care_episodes numbers them
-- (DfE's counting: a change of legal status alone, a temporary T0-T4 episode or a PLACE recorded
-- again under its replacement code is not a move). The visits, reviews and plans measures read
-- the starts from here.
select
    child_key,
    la_code,
    decom,
    dec,
    ls,
    place,
    min(decom) over (partition by la_code, child_key, period_of_care_number) as period_of_care_start,
    -- placement 0 is a period of care that opens with a temporary episode, before its first placement
    min(decom) over (partition by la_code, child_key, period_of_care_number, placement_number) as placement_start
from {{ ref('int_children_in_care_care_episodes') }}
