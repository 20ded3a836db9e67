-- Pre-aggregated activity counts (long exports and wide one-column-per-type exports).
-- Grain: one row per account × period × activity type (period_on null for undated tables).
-- Reads: raw_activity_counts.
with raw_counts as (
    select * from raw_activity_counts
),

keyed as (
    select
        account_id,
        period_on,
        coalesce(nullif(trim(regexp_replace(lower(trim(activity_type)), '[^a-z0-9]+', '_', 'g'), '_'), ''), 'unnamed')
            as activity_key,
        trim(activity_type) as activity_label,
        load_id,
        n_activities
    from raw_counts
),

per_load as (
    -- rows of one load with the same key add up (one export can split a month over lines)
    select account_id, period_on, activity_key, any_value(activity_label) as activity_label, load_id,
           sum(n_activities) as n_activities
    from keyed
    group by account_id, period_on, activity_key, load_id
),

latest as (
    -- the same account × period × type in a later load supersedes the earlier one
    select * from per_load
    qualify row_number() over (partition by account_id, period_on, activity_key order by load_id desc) = 1
)

select account_id, period_on, activity_key, activity_label, n_activities, load_id from latest
