-- The authority's narrative on a measure's figure for a period (the commentary extract): what is
-- behind the data, the action, its owner and the author. reporting.measure_values carries it
-- beside the authority total of the same measure, period kind and period end. (Interface; filled
-- from the commentary extract.)
select
    cast(null as text) as la_code,
    cast(null as text) as measure_code,
    cast(null as text) as period_kind,
    cast(null as date) as period_end,
    cast(null as text) as commentary,
    cast(null as text) as commentary_action,
    cast(null as text) as commentary_owner,
    cast(null as text) as commentary_author
where false
