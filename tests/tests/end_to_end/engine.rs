//! The ticket engine on a real database: the lifecycle, the to-do list,
//! bulk work, SLA deadlines, routing and time rules.

mod tickets;
mod time_rules;
