-- Every panel value in long form, under its panel column name: n_* activities, m_* measures, o_* outcomes.
-- Grain: one row per account × period × panel column with a value (binary outcomes: the yes share and
--        o_<name>_n events). Activities are sparse here: the build fills their zeros in the wide panel.
-- Reads: int_activities_counted, int_measures_averaged, int_outcomes_aggregated.
with activities as (
    select account_id, period_on, 'n_' || activity_key as column_name, n_activities as value
    from int_activities_counted
),

measures as (
    select account_id, period_on, 'm_' || measure_key as column_name, value
    from int_measures_averaged
),

outcomes as (
    select account_id, period_on, 'o_' || outcome_key as column_name,
           case when outcome_kind = 'binary' then value / n_events else value end as value
    from int_outcomes_aggregated
),

outcome_events as (
    select account_id, period_on, 'o_' || outcome_key || '_n' as column_name, n_events::double as value
    from int_outcomes_aggregated
    where outcome_kind = 'binary'
)

select * from activities
union all select * from measures
union all select * from outcomes
union all select * from outcome_events
