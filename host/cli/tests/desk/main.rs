//! `kefu agents`, `kefu phrases`, `kefu rules`, `kefu tickets` and
//! `kefu tasks` run as the real binary on temporary databases. One test
//! binary, so the suite links it once.

mod agents;
mod phrases;
mod rules;
mod support;
mod tickets;
