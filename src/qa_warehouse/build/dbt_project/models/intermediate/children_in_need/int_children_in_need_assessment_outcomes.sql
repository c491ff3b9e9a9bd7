-- Every assessment with its due date, the 45th working day after it started (seed
-- children_in_need_timescales, assessment_within; working days skip weekends and England bank
-- holidays), and, once authorised, whether that was in time (authorised on or before the due date).
with due as (
    select
        assessments.*,
        {{ nth_working_day_after('assessments.assessment_start_date',
                                 children_in_need_timescale('assessment_within', as_length=true)) }} as due_date
    from {{ ref('stg_children_in_need__assessments') }} as assessments
)

select
    due.*,
    -- NULL while the assessment is open
    due.assessment_authorisation_date <= due.due_date as in_time
from due
