-- Assessments completed (authorised) in each reporting period by factor identified at assessment
-- (DfE's AssessmentFactors codes; an assessment with several factors counts under each), with all
-- assessments completed in the period and the share that had the factor. Rows only for factors
-- recorded in the period.
with periods as (
    select * from {{ ref('int_children_in_need_reporting_periods') }}
),

completed as (
    select
        periods.la_code, periods.period_type, periods.period_end,
        count(*) as assessments_completed
    from periods
    inner join {{ ref('stg_children_in_need__assessments') }} as assessments
        on assessments.la_code = periods.la_code
        and assessments.assessment_authorisation_date between periods.period_start and periods.period_end
    group by 1, 2, 3
),

counted as (
    select
        periods.la_code, periods.period_type, periods.period_start, periods.period_end, periods.financial_year,
        factors.factor,
        count(*) as assessments
    from periods
    inner join {{ ref('stg_children_in_need__assessment_factors') }} as factors
        on factors.la_code = periods.la_code
        and factors.assessment_authorisation_date between periods.period_start and periods.period_end
    group by 1, 2, 3, 4, 5, 6
)

select
    counted.la_code,
    counted.period_type,
    counted.period_start,
    counted.period_end,
    counted.financial_year,
    counted.factor,
    cast(counted.assessments as integer) as assessments,
    cast(completed.assessments_completed as integer) as assessments_completed,
    {{ percentage('counted.assessments', 'completed.assessments_completed') }} as percentage
from counted
inner join completed
    on completed.la_code = counted.la_code
    and completed.period_type = counted.period_type
    and completed.period_end = counted.period_end
