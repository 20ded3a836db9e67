-- Activity volume by calendar month and type: what was logged when (data-quality view).
-- Grain: one row per month × activity type with activity.
-- Reads: stg_activity_events, stg_activity_counts.
with events as (
    select date_trunc('month', occurred_on)::date as month_on, activity_key, account_id, 1.0 as n_activities
    from stg_activity_events
),

counts as (
    select date_trunc('month', period_on)::date as month_on, activity_key, account_id, n_activities
    from stg_activity_counts
    where period_on is not null
),

combined as (
    -- distinct accounts across both sources: one account in both counts once
    select month_on, activity_key, sum(n_activities) as n_activities, count(distinct account_id) as n_accounts
    from (select * from events union all select * from counts)
    group by all
)

select * from combined
