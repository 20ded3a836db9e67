-- Outcome records by calendar month: which months each outcome's exports cover (data-quality view).
-- Grain: one row per month × outcome with a dated record.
-- Reads: stg_outcomes. An append takes in activity events only, so it never changes this table.
with dated as (
    select date_trunc('month', occurred_on)::date as month_on, outcome_key, account_id
    from stg_outcomes
    where occurred_on is not null
)

select month_on, outcome_key, count(*) as n_records, count(distinct account_id) as n_accounts
from dated
group by all
