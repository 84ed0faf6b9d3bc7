-- A customer merged into another keeps its row, so `kefu customers show`
-- can say where it went, but owns no addresses or conversations any more.
ALTER TABLE customers ADD COLUMN merged_into INTEGER REFERENCES customers (id);

-- Every change to which customer owns which addresses: merges, splits and
-- links, made by an agent or by Kefu, with who made them, when and why.
CREATE TABLE customer_changes (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('merge', 'split', 'link')),
    -- merge: the customer merged away; split: the customer the address
    -- left; link: NULL.
    from_customer INTEGER REFERENCES customers (id),
    -- merge: the customer kept; split: the new customer; link: the
    -- customer who got the address.
    into_customer INTEGER NOT NULL REFERENCES customers (id),
    -- JSON object: the addresses (`["phone:+8613800138000"]`) and the
    -- conversation ids that moved.
    detail TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT,
    at TEXT NOT NULL
);
CREATE INDEX customer_changes_from ON customer_changes (from_customer);
CREATE INDEX customer_changes_into ON customer_changes (into_customer);
