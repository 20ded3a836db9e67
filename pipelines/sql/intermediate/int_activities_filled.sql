-- Activity counts with explicit zeros: a period the activity exports cover but with no activity is 0.
-- Grain: one row per account × period × activity type, for periods inside the activity data's span;
--        undated (one-row-per-account) counts keep period_on null and are not filled.
-- Reads: int_activities_counted, int_accounts_unioned, int_periods_spanned.
with counted as (
    select * from int_activities_counted
),

span as (
    select min(period_on) as lo, max(period_on) as hi from counted where period_on is not null
),

activity_keys as (
    select distinct activity_key from counted where period_on is not null
),

grid as (
    select a.account_id, p.period_on, k.activity_key
    from int_accounts_unioned a
    cross join int_periods_spanned p
    cross join activity_keys k
    cross join span s
    where p.period_on between s.lo and s.hi
),

filled as (
    select g.account_id, g.period_on, g.activity_key,
           coalesce(c.n_activities, 0) as n_activities,
           coalesce(c.minutes, 0) as minutes,
           coalesce(c.n_timed, 0) as n_timed
    from grid g
    left join counted c using (account_id, period_on, activity_key)
),

undated as (
    select account_id, period_on, activity_key, n_activities, minutes, n_timed
    from counted where period_on is null
)

select * from filled
union all
select * from undated
