//! Kefu UI.
