-- Every account any export mentions, with where it was first seen.
-- Grain: one row per account id.
-- Reads: stg_account_attributes, int_activities_counted (events and counts), stg_activity_measures, stg_outcomes.
with mentioned as (
    select account_id, true as has_attributes, false as has_activity, false as has_outcome
    from stg_account_attributes
    union all
    select account_id, false, true, false from int_activities_counted  -- every account with events or counts
    union all
    select account_id, false, true, false from stg_activity_measures
    union all
    select account_id, false, false, true from stg_outcomes
),

unioned as (
    select
        account_id,
        bool_or(has_attributes) as has_attributes,
        bool_or(has_activity) as has_activity,
        bool_or(has_outcome) as has_outcome
    from mentioned
    group by account_id
)

select * from unioned
