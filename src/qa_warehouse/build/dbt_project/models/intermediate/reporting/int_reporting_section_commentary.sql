-- The authority's narrative on a whole section of the quarterly performance report for a period
-- (the commentary extract's rows that name a section, not a measure): the report carries it on
-- every row of that section and quarter, its no_data row included.
select
    la_code,
    report_section,
    period_kind,
    period_end,
    narrative as section_commentary,
    action as section_commentary_action,
    owner as section_commentary_owner,
    author as section_commentary_author
from {{ ref('stg_commentary__entries') }}
where report_section is not null
