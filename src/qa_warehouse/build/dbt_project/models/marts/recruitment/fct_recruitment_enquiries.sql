-- One row per foster carer enquiry with its outcome, the stages it reached, the stage it was
-- withdrawn from, the assessment's timeliness (receipt of the application to panel within 8
-- months, NMS 14.3) and its regulation 24 temporary approval's length. Keys only: no source ids.
select
    enquiry_key,
    la_code,
    carer_type,
    enquiry_date,
    initial_visit_date,
    application_date,
    assessment_start_date,
    panel_date,
    approval_date,
    withdrawn_date,
    withdrawal_reason,
    case
        when approval_date is not null then 'approved'
        when withdrawn_date is not null then 'withdrawn'
        else 'in_progress'
    end as outcome,
    -- the last stage reached before the withdrawal
    case
        when withdrawn_date is null then null
        when panel_date is not null then 'after_panel'
        when assessment_start_date is not null then 'assessment'
        when application_date is not null then 'application'
        when initial_visit_date is not null then 'initial_visit'
        else 'enquiry'
    end as withdrawn_from_stage,
    -- Reached a stage: its date, or a later stage's, is recorded (an approved carer whose
    -- application date was not recorded still made an application).
    coalesce(initial_visit_date, application_date, assessment_start_date, panel_date, approval_date) is not null
        as reached_initial_visit,
    coalesce(application_date, assessment_start_date, panel_date, approval_date) is not null as reached_application,
    coalesce(assessment_start_date, panel_date, approval_date) is not null as reached_assessment,
    panel_date - application_date as days_application_to_panel,
    -- Fostering NMS 14.3: the assessment is completed and presented to panel within 8 months of
    -- the receipt of the application (calendar months, month-end clamped). NULL (not known) for a
    -- panel without an application date: reported as not known, never dropped.
    case when panel_date is not null and application_date is not null
        then panel_date <= cast(application_date + {{ recruitment_timescale('application_to_panel') }} as date)
    end as panel_within_8_months,
    reg24_start_date,
    reg24_end_date,
    reg24_end_date - reg24_start_date as reg24_days,
    extract_date
from {{ ref('stg_recruitment__enquiries') }}
