-- Complaints, compliments and comments per authority, financial quarter (of received_date),
-- service, record type and theme (not_recorded when blank), over the reporting quarters of
-- complaints.
with counted as (
    select
        la_code,
        quarter_start,
        service,
        record_type,
        coalesce(theme, 'not_recorded') as theme,
        count(*) as records
    from {{ ref('fct_qa_complaints') }}
    group by la_code, quarter_start, service, record_type, coalesce(theme, 'not_recorded')
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.service,
    counted.record_type,
    counted.theme,
    cast(counted.records as integer) as records
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'complaints'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.quarter_start
