//! Size of a plugin call's result, checked against the plugin's output limit.
//!
//! The size counts the text and bytes a result carries, because those grow
//! without bound in a misbehaving plugin. Fixed-size fields count nothing,
//! except numbers in tables and chart series, which count 8 bytes each
//! because a plugin can return any number of them.

use super::bindings::adapter::exports::kefu::plugin::adapter::{
    Formatted, ParseError, Parsed, Recognition,
};
use super::bindings::rule::exports::kefu::plugin::rule::Action;
use super::bindings::types::{Message, Party};
use super::bindings::widget::exports::kefu::plugin::widget::{
    Cell, Description, ParameterKind, Table, View,
};

/// Bytes of text and data in a value returned by a plugin.
pub trait OutputSize {
    fn output_size(&self) -> usize;
}

impl OutputSize for u8 {
    fn output_size(&self) -> usize {
        0
    }
}

impl OutputSize for String {
    fn output_size(&self) -> usize {
        self.len()
    }
}

impl<T: OutputSize> OutputSize for Option<T> {
    fn output_size(&self) -> usize {
        self.as_ref().map_or(0, T::output_size)
    }
}

impl<T: OutputSize> OutputSize for Vec<T> {
    fn output_size(&self) -> usize {
        self.iter().map(T::output_size).sum()
    }
}

impl<T: OutputSize, E: OutputSize> OutputSize for Result<T, E> {
    fn output_size(&self) -> usize {
        match self {
            Ok(value) => value.output_size(),
            Err(error) => error.output_size(),
        }
    }
}

impl OutputSize for (String, String) {
    fn output_size(&self) -> usize {
        self.0.len() + self.1.len()
    }
}

impl OutputSize for Party {
    fn output_size(&self) -> usize {
        self.name.output_size() + self.address.len()
    }
}

impl OutputSize for Message {
    fn output_size(&self) -> usize {
        self.sender.output_size()
            + self.customer.output_size()
            + self.subject.output_size()
            + self.body_text.len()
            + self.external_id.output_size()
            + self.thread_key.output_size()
            + self.replies_to.output_size()
            + self
                .automation
                .as_ref()
                .map_or(0, |automation| automation.evidence.len())
            + self
                .call
                .as_ref()
                .map_or(0, |call| call.destination.len() + call.disposition.len())
            + self
                .attachments
                .iter()
                .map(|attachment| attachment.file_name.len() + attachment.content_type.len())
                .sum::<usize>()
            + self.notes.output_size()
    }
}

impl OutputSize for Parsed {
    fn output_size(&self) -> usize {
        self.messages.output_size()
            + self
                .rejected
                .iter()
                .map(|rejected| rejected.reason.len())
                .sum::<usize>()
    }
}

impl OutputSize for ParseError {
    fn output_size(&self) -> usize {
        match self {
            ParseError::Unsupported(reason) | ParseError::Malformed(reason) => reason.len(),
        }
    }
}

impl OutputSize for Recognition {
    fn output_size(&self) -> usize {
        self.extensions.output_size()
            + self.content_types.output_size()
            + self.webhook_path.output_size()
    }
}

impl OutputSize for Formatted {
    fn output_size(&self) -> usize {
        self.subject.output_size()
            + self.headers.output_size()
            + self.content_type.len()
            + self.body.len()
    }
}

impl OutputSize for Action {
    fn output_size(&self) -> usize {
        match self {
            Action::OpenTicket(ticket) => {
                ticket.ticket_type.len() + ticket.priority.len() + ticket.reason.len()
            }
            Action::ScheduleTimer(timer) => timer.name.len(),
            Action::SetType(text)
            | Action::SetPriority(text)
            | Action::SetStatus(text)
            | Action::Assign(text)
            | Action::AddTag(text)
            | Action::AddNote(text)
            | Action::SuggestPhrase(text)
            | Action::SendPhrase(text) => text.len(),
        }
    }
}

impl OutputSize for Description {
    fn output_size(&self) -> usize {
        self.title.len()
            + self.datasets.output_size()
            + self
                .parameters
                .iter()
                .map(|parameter| {
                    parameter.name.len()
                        + parameter.label.len()
                        + parameter.default_value.len()
                        + match &parameter.kind {
                            ParameterKind::Choice(choices) => choices.output_size(),
                            _ => 0,
                        }
                })
                .sum::<usize>()
    }
}

impl OutputSize for Table {
    fn output_size(&self) -> usize {
        self.columns.output_size()
            + self
                .rows
                .iter()
                .flatten()
                .map(|cell| match cell {
                    Cell::Text(text) => text.len(),
                    Cell::Empty => 0,
                    Cell::Integer(_) | Cell::Number(_) => 8,
                })
                .sum::<usize>()
    }
}

impl OutputSize for View {
    fn output_size(&self) -> usize {
        match self {
            View::Table(table) => table.output_size(),
            View::Chart(chart) => {
                chart.title.len()
                    + chart.x_label.len()
                    + chart.y_label.len()
                    + chart.categories.output_size()
                    + chart
                        .series
                        .iter()
                        .map(|series| series.name.len() + series.values.len() * 8)
                        .sum::<usize>()
            }
        }
    }
}
