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
    titles.section_title as report_section_title,
    -- a sentence from the seed's own fields, so a BI tool's measure picker says what the figure is
    -- (docs/reports.md "How each measure is counted" gives each numerator and denominator)
    measures.measure_name || ': '
    || case measures.unit
        when 'percentage' then 'a percentage, numerator / denominator x 100'
        when 'count' then 'a count'
        when 'rate_per_10000' then 'a rate per 10,000 children aged 0 to 17 (ONS population)'
        when 'average' then 'an average, numerator / denominator'
        else measures.unit
    end
    || case measures.polarity
        when 'higher_is_better' then '; higher is better'
        when 'lower_is_better' then '; lower is better'
        else ''
    end
    || case
        when measures.breakdown_by = 'authority' then '; the authority total only'
        else '; the authority total and by ' || replace(measures.breakdown_by, '_', ' ')
    end
    || case measures.year_figure
        when 'year_end' then '; its financial-year figure is the 31 March position'
        else '; its financial-year figure is the four quarters added up'
    end
    || coalesce('; in the quarterly performance report''s section ' || titles.section_title, '')
    || '.' as description
from {{ ref('measure_targets') }} as measures
left join {{ ref('report_sections') }} as measure_sections
    on measure_sections.measure_code = measures.measure_code
left join {{ ref('report_section_titles') }} as titles
    on titles.report_section = measure_sections.report_section
