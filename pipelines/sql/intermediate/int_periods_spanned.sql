-- The period spine: every period at the build grain between the first and last dated fact.
-- Grain: one row per period (week starting Monday, month or quarter).
-- Reads: stg_activity_events, stg_activity_counts, stg_activity_measures, stg_outcomes.
with dated as (
    select min(occurred_on) as lo, max(occurred_on) as hi from stg_activity_events
    union all
    select min(period_on), max(period_on) from stg_activity_counts
    union all
    select min(period_on), max(period_on) from stg_activity_measures
    union all
    select min(occurred_on), max(occurred_on) from stg_outcomes
),

bounds as (
    select
        date_trunc(getvariable('payoff_grain'), min(lo))::date as lo,
        date_trunc(getvariable('payoff_grain'), max(hi))::date as hi
    from dated
),

spanned as (
    select unnest(generate_series(lo, hi, getvariable('payoff_period_step')::interval)) as period_on
    from bounds
    where lo is not null
)

select period_on::date as period_on from spanned
