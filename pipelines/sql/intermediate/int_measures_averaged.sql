-- Activity measures averaged over the sub-periods inside each period (no zero filling).
-- Grain: one row per account × period × measure (period_on null when undated).
-- Reads: stg_activity_measures.
with measures as (
    select
        account_id,
        date_trunc(getvariable('payoff_grain'), period_on)::date as period_on,
        measure_key,
        value
    from stg_activity_measures
),

averaged as (
    select account_id, period_on, measure_key, sum(value::decimal(38, 9))::double / count(*) as value, count(*) as n_values
    from measures
    group by all
)

select * from averaged
