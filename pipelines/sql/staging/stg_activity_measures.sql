-- Activity measures that are not counts (e.g. average first-response hours, CSAT).
-- Grain: one row per account × period × measure (period_on null for undated tables).
-- Reads: raw_activity_measures.
with raw_measures as (
    select * from raw_activity_measures
),

keyed as (
    select
        account_id,
        period_on,
        coalesce(nullif(trim(regexp_replace(lower(trim(measure)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as measure_key,
        load_id,
        value
    from raw_measures
),

per_load as (
    select account_id, period_on, measure_key, load_id, sum(value::decimal(38, 9))::double / count(*) as value, count(*) as n_values
    from keyed
    group by account_id, period_on, measure_key, load_id
),

latest as (
    select * from per_load
    qualify row_number() over (partition by account_id, period_on, measure_key order by load_id desc) = 1
)

select account_id, period_on, measure_key, value, n_values, load_id from latest
