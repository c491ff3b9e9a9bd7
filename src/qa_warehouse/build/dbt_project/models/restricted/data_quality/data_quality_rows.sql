-- The data team's list: every finding of the current deliveries, row by row, with the subject as
-- delivered (a child's id in the authority's own system) so the record can be found and corrected
-- at source. Restricted: the data-quality role reads it; the BI role never does.
select
    la_code,
    extract,
    file_name,
    extract_date,
    source_row,
    subject,
    rule,
    rule_source,
    severity,
    is_held,
    column_name,
    value,
    message
from {{ ref('fct_data_quality_findings') }}
