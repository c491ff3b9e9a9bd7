-- One row per complaint, compliment or comment, with the working days from receipt to response
-- (days after received_date up to and including responded_date that are not Saturday, Sunday or
-- an England bank holiday) and, for complaints, whether that was within the stage's standard and
-- extended timescales (seed complaint_timescales). Compliments and comments have no stage and no
-- timescale.
with records as (
    select
        record_key,
        la_code,
        record_type,
        received_date,
        case when record_type = 'complaint' then stage end as stage,
        service,
        responded_date,
        outcome,
        coalesce(advocacy, false) as advocacy,
        theme
    from {{ ref('stg_quality_assurance__complaints') }}
),

working_days as (
    select
        records.record_key,
        count(days.day) as working_days_to_response
    from records
    cross join lateral generate_series(records.received_date + 1, records.responded_date, interval '1 day')
        as days (day)
    where extract(isodow from days.day) < 6
        and cast(days.day as date) not in (
            select holidays.holiday_date from {{ ref('bank_holidays_england') }} as holidays
        )
    group by records.record_key
)

select
    records.record_key,
    records.la_code,
    records.record_type,
    records.received_date,
    records.stage,
    records.service,
    records.responded_date,
    records.outcome,
    records.advocacy,
    records.theme,
    case when records.responded_date is not null then coalesce(working_days.working_days_to_response, 0) end
        as working_days_to_response,
    timescales.standard_working_days,
    timescales.extended_working_days,
    case when records.record_type = 'complaint' and records.responded_date is not null then
        coalesce(working_days.working_days_to_response, 0) <= timescales.standard_working_days
    end as within_timescale,
    case when records.record_type = 'complaint' and records.responded_date is not null then
        coalesce(working_days.working_days_to_response, 0) <= timescales.extended_working_days
    end as within_extended_timescale,
    cast(date_trunc('quarter', records.received_date) as date) as quarter_start,
    dim_date.financial_year,
    dim_date.financial_quarter
from records
left join working_days
    on working_days.record_key = records.record_key
left join {{ ref('complaint_timescales') }} as timescales
    on timescales.stage = records.stage
left join {{ ref('dim_calendar') }} as dim_date
    on dim_date.date_day = records.received_date
