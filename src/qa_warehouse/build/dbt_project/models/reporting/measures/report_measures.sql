-- The measures the reports show: names, sections, units, targets, thresholds and polarity, as the
-- measure_targets seed sets them (published so that BI tools and exports label figures alike).
select
    measure_code,
    measure_name,
    area as section,
    display_order,
    unit,
    breakdown_by,
    year_figure,
    target,
    green_from,
    amber_from,
    polarity
from {{ ref('measure_targets') }}
