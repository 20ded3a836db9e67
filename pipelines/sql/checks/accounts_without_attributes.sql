-- Accounts that activity or outcome exports mention but no accounts export describes.
-- Grain: one row per such account (zero rows = pass when an accounts export is loaded).
-- Reads: int_accounts_unioned.
with unioned as (
    select * from int_accounts_unioned
)

select account_id, has_activity, has_outcome
from unioned
where not has_attributes
  and exists (select 1 from stg_account_attributes)
