-- Lists look up each customer's address by customer id; without this index
-- every row of a conversation or ticket list scanned all identities.
CREATE INDEX customer_identities_customer ON customer_identities (customer_id, kind);
