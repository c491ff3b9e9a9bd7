-- Withdrawals per authority, month of withdrawal, carer type, the stage withdrawn from (the
-- last stage reached: enquiry, initial_visit, application, assessment, after_panel) and reason.
-- Rows only where something was withdrawn.
select
    months.la_code,
    months.period_start,
    months.period_end,
    months.financial_year,
    months.financial_quarter,
    enquiries.carer_type,
    enquiries.withdrawn_from_stage,
    enquiries.withdrawal_reason,
    cast(count(*) as integer) as withdrawals
from {{ ref('fct_recruitment_enquiries') }} as enquiries
inner join {{ ref('int_recruitment_reporting_months') }} as months
    on months.la_code = enquiries.la_code
    and enquiries.withdrawn_date between months.period_start and months.period_end
group by months.la_code, months.period_start, months.period_end, months.financial_year, months.financial_quarter,
    enquiries.carer_type, enquiries.withdrawn_from_stage, enquiries.withdrawal_reason
