-- The OC2 rows of the current delivery whose child is not in DfE's OC2 cohort for the return's
-- 903 year (not looked after continuously for 12 months at 31 March, short breaks excluded): not
-- counted in the OC2 measures, listed here so that the data team can see which.
select
    la_code,
    child_key,
    period_start,
    period_end,
    extract_date,
    load_id
from {{ ref('int_children_in_care_oc2_returns') }}
where not in_cohort
