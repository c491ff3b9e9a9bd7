-- The authority's narrative on a measure's figure for a period (the commentary extract): what is
-- behind the data, the action, its owner and the author. reporting.measure_values carries it
-- beside the authority total of the same measure, period kind and period end.
select
    la_code,
    measure_code,
    period_kind,
    period_end,
    narrative as commentary,
    action as commentary_action,
    owner as commentary_owner,
    author as commentary_author
from {{ ref('stg_commentary__entries') }}
where measure_code is not null
