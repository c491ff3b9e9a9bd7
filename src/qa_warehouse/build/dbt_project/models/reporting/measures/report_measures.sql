-- The measures the reports show: names, sections, units, targets, thresholds and polarity, as the
-- measure_targets seed sets them (published so that BI tools and exports label figures alike), and
-- the section of the quarterly performance report each is in (seeds report_sections and
-- report_section_titles; NULL for a measure not yet mapped, which tests/test_report_sections.py fails).
select
    measures.measure_code,
    measures.measure_name,
    measures.area as section,
    measures.display_order,
    measures.unit,
    measures.breakdown_by,
    measures.year_figure,
    measures.target,
    measures.green_from,
    measures.amber_from,
    measures.polarity,
    measure_sections.report_section,
    titles.section_order as report_section_order,
    titles.section_title as report_section_title
from {{ ref('measure_targets') }} as measures
left join {{ ref('report_sections') }} as measure_sections
    on measure_sections.measure_code = measures.measure_code
left join {{ ref('report_section_titles') }} as titles
    on titles.report_section = measure_sections.report_section
