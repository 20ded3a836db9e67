-- How many accounts each activity type reached.
-- Grain: one row per activity type (key).
-- Reads: int_activities_counted.
with reach as (
    -- an account reached through events and through counts is one account; int_activities_counted holds
    -- every account × type pair of both (dated or not), already grouped by period: fewer rows to read
    select activity_key, count(distinct account_id) as n_accounts
    from int_activities_counted
    group by activity_key
)

select * from reach
