-- Complaints, compliments and comments per authority, financial quarter (of received_date),
-- service, record type and stage (NULL for compliments and comments), over the reporting
-- quarters of complaints.
with counted as (
    select
        la_code,
        quarter_start,
        service,
        record_type,
        stage,
        count(*) as received,
        count(responded_date) as responded,
        count(*) filter (where within_timescale) as responded_within_timescale,
        count(*) filter (where within_extended_timescale) as responded_within_extended_timescale,
        count(*) filter (where responded_date is null) as awaiting_response,
        count(*) filter (where outcome = 'upheld') as upheld,
        count(*) filter (where outcome = 'partly_upheld') as partly_upheld,
        count(*) filter (where outcome = 'not_upheld') as not_upheld,
        count(*) filter (where outcome = 'withdrawn') as withdrawn,
        count(*) filter (where advocacy) as advocacy_involved
    from {{ ref('fct_qa_complaints') }}
    group by la_code, quarter_start, service, record_type, stage
)

select
    counted.la_code,
    quarters.period_start,
    quarters.period_end,
    quarters.financial_year,
    quarters.financial_quarter,
    counted.service,
    counted.record_type,
    counted.stage,
    cast(counted.received as integer) as received,
    cast(counted.responded as integer) as responded,
    cast(counted.responded_within_timescale as integer) as responded_within_timescale,
    cast(counted.responded_within_extended_timescale as integer) as responded_within_extended_timescale,
    cast(counted.awaiting_response as integer) as awaiting_response,
    cast(counted.upheld as integer) as upheld,
    cast(counted.partly_upheld as integer) as partly_upheld,
    cast(counted.not_upheld as integer) as not_upheld,
    cast(counted.withdrawn as integer) as withdrawn,
    {{ percentage('counted.upheld + counted.partly_upheld',
                  'counted.upheld + counted.partly_upheld + counted.not_upheld') }} as upheld_percentage,
    cast(counted.advocacy_involved as integer) as advocacy_involved
from counted
inner join {{ ref('int_quality_assurance_reporting_quarters') }} as quarters
    on quarters.extract = 'complaints'
    and quarters.la_code = counted.la_code
    and quarters.period_start = counted.quarter_start
