-- The team dimension (docs/bi.md): every team a published table names in its `team` column, per
-- authority, with the published areas that name it and, where the workforce's team_establishment
-- extract lists it, its service and funded establishment. Team names only: no person is named.
with named as (
    select distinct la_code, team, 'fostering' as area
    from {{ ref('fostering_kpi_scorecard') }}
    where team is not null
    union
    select distinct la_code, team, 'fostering' as area
    from {{ ref('fostering_carer_register') }}
    union
    select distinct la_code, team, 'fostering' as area
    from {{ ref('fostering_carer_deregistrations') }}
    union
    select distinct la_code, team, 'workforce' as area
    from {{ ref('workforce_monthly') }}
    where team is not null
),

teams as (
    select
        la_code,
        team,
        string_agg(distinct area, ', ' order by area) as areas,
        bool_or(area = 'fostering') as is_fostering_team,
        bool_or(area = 'workforce') as is_workforce_team
    from named
    group by la_code, team
)

select
    {{ team_key('teams.la_code', 'teams.team') }} as team_key,
    teams.la_code,
    teams.team,
    teams.la_code || '|' || teams.team as la_code_team,
    teams.areas,
    teams.is_fostering_team,
    teams.is_workforce_team,
    establishment.service,
    establishment.establishment_fte,
    establishment.extract_date as establishment_as_at
from teams
left join {{ ref('stg_workforce__team_establishment') }} as establishment
    on teams.la_code = establishment.la_code and teams.team = establishment.team
