-- Assessments, one row per child, episode and start date (AssessmentActualStartDate), with the
-- authorisation date (blank while open) and the factors identified (comma-separated codes).
select
    la_code,
    child_key,
    referral_date,
    assessment_start_date,
    max(assessment_authorisation_date) as assessment_authorisation_date,
    max(assessment_factors) as assessment_factors
from {{ ref('stg_children_in_need__events') }}
where event_type in ('AssessmentActualStartDate', 'AssessmentAuthorisationDate')
    and child_key is not null
    and assessment_start_date is not null
group by la_code, child_key, referral_date, assessment_start_date
