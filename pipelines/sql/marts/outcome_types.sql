-- Each outcome with its kind, volume, reach and time span.
-- Grain: one row per outcome (key).
-- Reads: stg_outcomes.
with outcomes as (
    select * from stg_outcomes
),

summarised as (
    select
        outcome_key,
        any_value(outcome_kind) as outcome_kind,
        count(*) as n_rows,
        count(distinct account_id) as n_accounts,
        min(occurred_on) as first_on,
        max(occurred_on) as last_on,
        sum(value::decimal(38, 9))::double as total_value,
        case when any_value(outcome_kind) = 'binary' then sum(value::decimal(38, 9))::double end as n_yes
    from outcomes
    group by outcome_key
)

select * from summarised
