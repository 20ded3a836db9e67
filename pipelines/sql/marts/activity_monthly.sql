-- Activity volume by calendar month and type: what was logged when (data-quality view).
-- Grain: one row per month × activity type with activity.
-- Reads: int_activities_counted (at the month grain), else stg_activity_events and stg_activity_counts.
with from_counted as (
    -- at the month grain int_activities_counted already holds one row per account × month × type, events
    -- and counts together: its rows are the accounts, and the events need not be read again
    select period_on as month_on, activity_key, sum(n_activities) as n_activities, count(*) as n_accounts
    from int_activities_counted
    where getvariable('payoff_grain') = 'month' and period_on is not null
    group by all
),

events as (
    select date_trunc('month', occurred_on)::date as month_on, activity_key, account_id, 1.0 as n_activities
    from stg_activity_events
    where getvariable('payoff_grain') <> 'month'
),

counts as (
    select date_trunc('month', period_on)::date as month_on, activity_key, account_id, n_activities
    from stg_activity_counts
    where getvariable('payoff_grain') <> 'month' and period_on is not null
),

combined as (
    -- distinct accounts across both sources: one account in both counts once
    select month_on, activity_key, sum(n_activities) as n_activities, count(distinct account_id) as n_accounts
    from (select * from events union all select * from counts)
    group by all
)

select * from from_counted
union all
select * from combined
