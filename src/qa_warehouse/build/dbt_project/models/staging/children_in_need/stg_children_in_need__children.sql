-- The children of the current census, one row per child: the pseudonymous key with the id as the
-- authority delivered it (LAchildID), which only the restricted exception lists read (a manager
-- finds the child by it). Where the authority uses one id, LAchildID is the 903's CHILD, and
-- child_key is the same as the children in care models' (docs/children-in-need-figures.md).
with current_snapshot as (
    {{ current_snapshot('raw_children_in_need', 'cin_census') }}
)

select
    {{ pseudonymise('lachildid') }} as child_key,
    trim(la_code) as la_code,
    max(trim(lachildid)) as la_child_id
from current_snapshot
where nullif(trim(lachildid), '') is not null
group by 1, 2
