//! The words of the form that saves, renames and deletes saved views.

use super::catalog::{fill, text};
use super::verbatim;

/// Returns the label of the to-do screen's button that opens the form.
pub fn save_as_view() -> &'static str {
    text("saved-view-save-as")
}

/// Returns the label of the button beside a saved view above the
/// conversation list, which opens the form on that view.
pub fn edit_button() -> &'static str {
    text("saved-view-edit-button")
}

pub fn save_title() -> &'static str {
    text("saved-view-save-title")
}

pub fn edit_title(name: &str) -> String {
    fill("saved-view-edit-title", &[("name", verbatim(name))])
}

pub fn name_placeholder() -> &'static str {
    text("saved-view-name-placeholder")
}

pub fn save() -> &'static str {
    text("saved-view-save")
}

pub fn rename() -> &'static str {
    text("saved-view-rename")
}

pub fn overwrite() -> &'static str {
    text("saved-view-overwrite")
}

pub fn replace_filter() -> &'static str {
    text("saved-view-replace-filter")
}

pub fn replace_filter_hint() -> &'static str {
    text("saved-view-replace-filter-hint")
}

pub fn delete() -> &'static str {
    text("saved-view-delete")
}

pub fn cancel() -> &'static str {
    text("saved-view-cancel")
}

pub fn confirm_delete(name: &str) -> String {
    fill("saved-view-confirm-delete", &[("name", verbatim(name))])
}

pub fn name_empty() -> &'static str {
    text("saved-view-name-empty")
}

pub fn name_too_long(length: usize, max: usize) -> String {
    fill(
        "saved-view-name-too-long",
        &[("length", length.into()), ("max", max.into())],
    )
}

/// Formats the line for a new view whose name another view has, with the
/// offer to overwrite that view.
pub fn name_taken_overwrite(name: &str) -> String {
    fill(
        "saved-view-name-taken-overwrite",
        &[("name", verbatim(name))],
    )
}

/// Formats the line for a rename to a name another view has.
pub fn name_taken(name: &str) -> String {
    fill("saved-view-name-taken", &[("name", verbatim(name))])
}

pub fn overdue_not_saved() -> &'static str {
    text("saved-view-overdue-not-saved")
}

pub fn view_gone(name: &str) -> String {
    fill("saved-view-gone", &[("name", verbatim(name))])
}

pub fn no_database() -> &'static str {
    text("saved-view-no-database")
}

pub fn write_failed(error: &str) -> String {
    fill("saved-view-write-failed", &[("error", error.into())])
}

/// Formats the line in the top bar after a save.
pub fn saved(name: &str) -> String {
    fill("saved-view-saved", &[("name", verbatim(name))])
}

pub fn renamed(from: &str, to: &str) -> String {
    fill(
        "saved-view-renamed",
        &[("from", verbatim(from)), ("to", verbatim(to))],
    )
}

pub fn filter_replaced(name: &str) -> String {
    fill("saved-view-filter-replaced", &[("name", verbatim(name))])
}

pub fn deleted(name: &str) -> String {
    fill("saved-view-deleted", &[("name", verbatim(name))])
}
