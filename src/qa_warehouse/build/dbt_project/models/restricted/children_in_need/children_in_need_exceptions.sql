-- The child protection managers' list: each child overdue at the census extract date (as_at),
-- with the child's LAchildID as delivered so the case can be found. Restricted: the children in need
-- manager role reads it; the BI role never does. One row per overdue item:
--   icpc_overdue:       a section 47 enquiry with no initial conference yet (none held by as_at,
--                       not marked not required, its episode open) past its 15th working day;
--   cp_review_overdue:  a child protection plan open at as_at whose next review (3 months after the
--                       start, then 6 months after the last review) is before as_at;
--   assessment_overdue: an assessment not yet authorised at as_at past its 45th working day.
-- days_overdue: calendar days from the due date to as_at. Same timescales as the scorecard.
with loads as (
    select la_code, extract_date as as_at from {{ ref('stg_children_in_need__current_loads') }}
),

overdue as (
    select
        loads.la_code, loads.as_at, 'icpc_overdue' as exception_type, enquiries.child_key,
        enquiries.referral_date, enquiries.s47_start_date as started_on, enquiries.icpc_due_date as due_date
    from loads
    inner join {{ ref('int_children_in_need_section_47_outcomes') }} as enquiries
        on enquiries.la_code = loads.la_code
        and enquiries.s47_start_date <= loads.as_at
        and not enquiries.icpc_not_required
        and (enquiries.initial_cpc_date is null or enquiries.initial_cpc_date > loads.as_at)
        and (enquiries.closure_date is null or enquiries.closure_date > loads.as_at)
        and enquiries.icpc_due_date < loads.as_at

    union all

    select
        loads.la_code, loads.as_at, 'cp_review_overdue', reviews.child_key,
        reviews.referral_date, reviews.plan_start_date, reviews.next_review_due
    from loads
    inner join {{ ref('int_children_in_need_review_outcomes') }} as reviews
        on reviews.la_code = loads.la_code
        and reviews.as_at = loads.as_at
        and reviews.next_review_due < loads.as_at

    union all

    select
        loads.la_code, loads.as_at, 'assessment_overdue', assessments.child_key,
        assessments.referral_date, assessments.assessment_start_date, assessments.due_date
    from loads
    inner join {{ ref('int_children_in_need_assessment_outcomes') }} as assessments
        on assessments.la_code = loads.la_code
        and assessments.assessment_start_date <= loads.as_at
        and (assessments.assessment_authorisation_date is null
            or assessments.assessment_authorisation_date > loads.as_at)
        and assessments.due_date < loads.as_at
)

select
    overdue.la_code,
    overdue.as_at,
    overdue.exception_type,
    children.la_child_id,
    overdue.referral_date,
    overdue.started_on,
    overdue.due_date,
    overdue.as_at - overdue.due_date as days_overdue
from overdue
inner join {{ ref('stg_children_in_need__children') }} as children
    on children.la_code = overdue.la_code
    and children.child_key = overdue.child_key
