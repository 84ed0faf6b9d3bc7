//! `kefu agents`, `kefu phrases` and `kefu rules` run as the real binary on
//! temporary databases. One test binary, so the suite links it once.

mod agents;
mod phrases;
mod rules;
