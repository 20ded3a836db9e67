-- Accounts with their attributes as columns (numeric where every value is a number).
-- Grain: one row per account id mentioned anywhere.
-- Reads: int_accounts_unioned, int_attributes_typed.
with numeric_wide as (
    pivot (select account_id, attribute_key, value_number from int_attributes_typed where is_numeric)
    on attribute_key using first(value_number) group by account_id
),

text_wide as (
    pivot (select account_id, attribute_key, value_text from int_attributes_typed where not is_numeric)
    on attribute_key using first(value_text) group by account_id
),

joined as (
    select u.*, n.* exclude (account_id), t.* exclude (account_id)
    from int_accounts_unioned u
    left join numeric_wide n using (account_id)
    left join text_wide t using (account_id)
)

select * from joined
