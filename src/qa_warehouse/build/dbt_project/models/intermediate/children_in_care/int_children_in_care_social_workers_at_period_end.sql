-- One row per child looked after at each reporting period end D (short breaks excluded), with
-- the number of different social workers (SW_ID) allocated to the child at any time in the 12
-- months to D: an SWEpisodes row with SW_DECOM <= D and SW_DEC blank or after the day 12 months
-- before D, so a social worker allocated before the window who was still allocated in it counts
-- (DfE, Stability measures for children looked after: social worker stability). 0: none recorded.
select
    children.la_code,
    children.period_type,
    children.period_end,
    children.child_key,
    cast(count(distinct social_workers.sw_key) as integer) as social_workers_in_12_months
from {{ ref('int_children_in_care_children_in_periods') }} as children
left join {{ ref('stg_children_in_care__sw_episodes') }} as social_workers
    on social_workers.la_code = children.la_code
    and social_workers.child_key = children.child_key
    and social_workers.sw_decom <= children.period_end
    and (social_workers.sw_dec is null
         or social_workers.sw_dec > cast(children.period_end - interval '1 year' as date))
where children.looked_after_at_period_end
group by children.la_code, children.period_type, children.period_end, children.child_key
