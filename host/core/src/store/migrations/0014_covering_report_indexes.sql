-- SQLite uses an index as a covering index only when it contains every
-- column that the query names, also inside an indexed expression. The
-- reports' messages query names sent_at and received_at in
-- coalesce(sent_at, received_at), and the ratings query reads the score,
-- so both indexes of 0013 still read every row of their tables. These
-- versions add those columns, so a report over a year reads only the
-- indexes and not the message bodies.
DROP INDEX messages_report_time;
CREATE INDEX messages_report_time
    ON messages (coalesce(sent_at, received_at), direction, conversation_id, automation_kind,
                 sent_at, received_at);

DROP INDEX ratings_rated_at;
CREATE INDEX ratings_rated_at ON ratings (rated_at, ticket_id, score);
