-- Assessment timeliness per authority, month of panel and carer type: assessments that reached
-- panel in the month, within 8 months of the receipt of the application (Fostering NMS 14.3) or
-- not, and the average days from application to panel. A panel without an application date is
-- counted among the panels as not known (application_date_not_known), never dropped.
with months as (
    select * from {{ ref('int_recruitment_reporting_month_carer_types') }}
),

counted as (
    select
        months.la_code,
        months.period_start,
        months.carer_type,
        count(enquiries.enquiry_key) as panels,
        count(*) filter (where enquiries.panel_within_8_months) as within_8_months,
        count(*) filter (where not enquiries.panel_within_8_months) as over_8_months,
        count(enquiries.enquiry_key) filter (where enquiries.panel_within_8_months is null)
            as application_date_not_known,
        avg(enquiries.days_application_to_panel) as average_days_application_to_panel
    from months
    left join {{ ref('fct_recruitment_enquiries') }} as enquiries
        on enquiries.la_code = months.la_code
        and enquiries.carer_type = months.carer_type
        and enquiries.panel_date between months.period_start and months.period_end
    group by months.la_code, months.period_start, months.carer_type
)

select
    months.la_code,
    months.period_start,
    months.period_end,
    months.financial_year,
    months.financial_quarter,
    months.carer_type,
    cast(counted.panels as integer) as panels,
    cast(counted.within_8_months as integer) as within_8_months,
    cast(counted.over_8_months as integer) as over_8_months,
    cast(counted.application_date_not_known as integer) as application_date_not_known,
    {{ percentage('counted.within_8_months', 'counted.panels') }} as within_8_months_percentage,
    cast(counted.average_days_application_to_panel as numeric) as average_days_application_to_panel
from months
inner join counted
    on counted.la_code = months.la_code
    and counted.period_start = months.period_start
    and counted.carer_type = months.carer_type
