-- The children looked after at each reporting period end D (an episode that started on or before
-- D and had not ceased by D: DEC after D or blank), short breaks excluded, with the start of their
-- current period of care and placement and their date of birth. The population of the visits,
-- reviews and plans measures.
with children as (
    select la_code, child_key, max(dob) as dob
    from {{ ref('stg_children_in_care__header') }}
    group by la_code, child_key
)

select
    periods.la_code,
    periods.period_type,
    periods.period_start,
    periods.period_end,
    spells.child_key,
    spells.period_of_care_start,
    spells.placement_start,
    children.dob
from {{ ref('int_children_in_care_reporting_periods') }} as periods
inner join {{ ref('int_children_in_care_care_episode_spells') }} as spells
    on spells.la_code = periods.la_code
    and spells.decom <= periods.period_end
    and (spells.dec is null or spells.dec > periods.period_end)
left join children
    on children.la_code = spells.la_code
    and children.child_key = spells.child_key
