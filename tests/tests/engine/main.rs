//! The ticket engine on a real database: the lifecycle, the to-do list,
//! bulk work, SLA deadlines, routing and time rules. One test binary, so
//! the suite links the engine once.

mod tickets;
mod time_rules;
