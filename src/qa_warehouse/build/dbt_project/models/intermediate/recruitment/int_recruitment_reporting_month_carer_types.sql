-- Every reporting month of each authority for each carer type (the recruitment contract's codes),
-- so that the funnel, conversion and timeliness tables show zeros where nothing happened.
select
    months.*,
    carer_types.carer_type
from {{ ref('int_recruitment_reporting_months') }} as months
cross join (values ('mainstream'), ('kinship')) as carer_types (carer_type)
