//! Kefu core.
