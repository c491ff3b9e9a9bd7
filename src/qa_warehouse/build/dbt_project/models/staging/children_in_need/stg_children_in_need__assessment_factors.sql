-- The factors identified at each assessment (DfE's AssessmentFactors codes), one row per
-- assessment and factor: the flat layout's comma-separated Factors unnested.
select distinct
    assessments.la_code,
    assessments.child_key,
    assessments.referral_date,
    assessments.assessment_start_date,
    assessments.assessment_authorisation_date,
    factors.factor
from {{ ref('stg_children_in_need__assessments') }} as assessments
cross join lateral unnest(string_to_array(assessments.assessment_factors, ',')) as factors (factor)
where factors.factor <> ''
