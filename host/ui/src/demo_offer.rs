//! The offer of demo data when the app opens an empty database for the
//! first time: "Load demo data" generates customers, conversations and
//! tickets with [`kefu_core::demo`] on a thread of its own, and "Start
//! empty" keeps the database as it is. The workbench saves the choice in
//! its state file, so the offer is made once per database.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::Utc;
use iced::widget::{Id, button, column, container, row, text, text_input};
use iced::{Alignment, Element, Length, Task};
use kefu_core::Store;
use kefu_core::demo::{self, DemoOptions, DemoSummary};
use kefu_core::desk::Desk;

use crate::background::{self, Step};
use crate::labels::{self, Label};
use crate::saved_state::DemoOfferChoice;
use crate::style;

/// Widget id of the customer count field.
pub fn customers_input_id() -> Id {
    Id::from("demo-offer-customers")
}

/// Widget id of the field for the length of the history in days.
pub fn days_input_id() -> Id {
    Id::from("demo-offer-days")
}

#[derive(Debug, Clone)]
pub enum Message {
    CustomersEdited(String),
    DaysEdited(String),
    LoadPressed,
    StartEmptyPressed,
    /// An update of the generator: tickets written and the total, then
    /// what it stored.
    Progressed(Step<(u64, u64), DemoSummary>),
}

/// Request to the workbench that an update returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Event {
    /// The user made a choice: the demo data is stored, or the user chose
    /// to start empty. The workbench saves the choice and reloads.
    Chosen(DemoOfferChoice),
}

/// State of the offer.
pub struct DemoOffer {
    db_path: PathBuf,
    desk: Arc<Desk>,
    customers: String,
    days: String,
    /// Tickets written and the total while the generator runs.
    loading: Option<(u64, u64)>,
    error: Option<Label>,
}

impl DemoOffer {
    pub fn new(db_path: PathBuf, desk: Arc<Desk>) -> Self {
        Self {
            db_path,
            desk,
            customers: demo::DEFAULT_CUSTOMERS.to_string(),
            days: demo::DEFAULT_DAYS.to_string(),
            loading: None,
            error: None,
        }
    }

    /// Returns the tickets written and the total while demo data loads.
    pub fn progress(&self) -> Option<(u64, u64)> {
        self.loading
    }

    /// Returns the error of the last attempt to load demo data.
    pub fn error(&self) -> Option<String> {
        self.error.as_ref().map(Label::text)
    }

    pub fn update(&mut self, message: Message) -> (Task<Message>, Option<Event>) {
        match message {
            Message::CustomersEdited(value) => {
                self.customers = value;
                (Task::none(), None)
            }
            Message::DaysEdited(value) => {
                self.days = value;
                (Task::none(), None)
            }
            Message::LoadPressed if self.loading.is_none() => match self.options() {
                Ok(options) => (self.load(options), None),
                Err(error) => {
                    self.error = Some(error);
                    (Task::none(), None)
                }
            },
            Message::LoadPressed => (Task::none(), None),
            Message::StartEmptyPressed if self.loading.is_none() => {
                tracing::info!(path = %self.db_path.display(), "starting with an empty database");
                (
                    Task::none(),
                    Some(Event::Chosen(DemoOfferChoice::StartEmpty)),
                )
            }
            Message::StartEmptyPressed => (Task::none(), None),
            Message::Progressed(Step::Progress(progress)) => {
                self.loading = Some(progress);
                (Task::none(), None)
            }
            Message::Progressed(Step::Finished(Ok(summary))) => {
                tracing::info!(
                    path = %self.db_path.display(),
                    customers = summary.customers,
                    tickets = summary.tickets,
                    messages = summary.messages,
                    "loaded demo data"
                );
                self.loading = None;
                (Task::none(), Some(Event::Chosen(DemoOfferChoice::DemoData)))
            }
            Message::Progressed(Step::Finished(Err(error))) => {
                tracing::warn!(path = %self.db_path.display(), "loading demo data failed: {error}");
                self.loading = None;
                self.error = Some(Label::new(move || labels::demo_failed(&error)));
                (Task::none(), None)
            }
        }
    }

    /// Reads the fields into generator options for a history that ends at
    /// the start of today, in the time zone of the SLA calendar.
    fn options(&self) -> Result<DemoOptions, Label> {
        let customers = parse_count(labels::demo_customers, &self.customers)?;
        let days = parse_count(labels::demo_days, &self.days)?;
        let time_zone = self.desk.sla.calendar().time_zone();
        let today = Utc::now().with_timezone(&time_zone).date_naive();
        let end = demo::start_of_day(today, time_zone).map_err(|error| {
            let error = format!("{error:#}");
            Label::new(move || error.clone())
        })?;
        Ok(DemoOptions::new(customers, days, demo::DEFAULT_SEED, end))
    }

    fn load(&mut self, options: DemoOptions) -> Task<Message> {
        self.error = None;
        self.loading = Some((0, u64::from(options.tickets)));
        tracing::info!(
            path = %self.db_path.display(),
            customers = options.customers,
            days = options.days,
            "loading demo data"
        );
        let (db_path, desk) = (self.db_path.clone(), self.desk.clone());
        let work = background::with_progress("kefu-demo", move |report| {
            let generate = || -> anyhow::Result<DemoSummary> {
                let mut store = Store::open(&db_path)?;
                store.set_desk(desk);
                demo::generate(&mut store, &options, &mut |done, total| {
                    report((done, total))
                })
            };
            generate().map_err(|error| format!("{error:#}"))
        });
        Task::run(work, Message::Progressed)
    }

    pub fn view(&self) -> Element<'_, Message> {
        let loading = self.loading.is_some();
        let customers = (!loading).then_some(Message::CustomersEdited as fn(String) -> Message);
        let days = (!loading).then_some(Message::DaysEdited as fn(String) -> Message);
        let fields = row![
            field(
                labels::demo_customers(),
                &self.customers,
                customers_input_id(),
                customers
            ),
            field(labels::demo_days(), &self.days, days_input_id(), days),
        ]
        .spacing(16);
        let buttons = row![
            button(text(labels::load_demo_data()).size(14))
                .on_press_maybe((!loading).then_some(Message::LoadPressed)),
            button(text(labels::start_empty()).size(14))
                .on_press_maybe((!loading).then_some(Message::StartEmptyPressed))
                .style(button::secondary),
        ]
        .spacing(12);

        let mut content = column![
            text(labels::demo_offer()).size(20),
            text(labels::demo_offer_details()).size(14),
            text(labels::empty_database())
                .size(13)
                .style(text::secondary),
            fields,
            buttons,
        ]
        .spacing(14)
        .max_width(560);
        if let Some((done, total)) = self.loading {
            content = content.push(text(labels::demo_progress(done, total)).size(13));
        }
        if let Some(error) = &self.error {
            content = content.push(
                container(text(error.text()).size(13))
                    .padding([6, 12])
                    .style(style::error_line),
            );
        }
        content.into()
    }
}

/// Builds a labelled number field, read-only when `edited` is `None`.
fn field<'a>(
    label: &'static str,
    value: &'a str,
    id: Id,
    edited: Option<fn(String) -> Message>,
) -> Element<'a, Message> {
    let input = text_input("", value)
        .id(id)
        .on_input_maybe(edited)
        .size(14)
        .width(Length::Fixed(90.0));
    row![text(label).size(14), input]
        .spacing(8)
        .align_y(Alignment::Center)
        .into()
}

/// Parses a whole number above 0 from a field, with the message to show
/// when it is not one.
/// Reads a positive whole number typed in the field that `field` names.
fn parse_count(field: fn() -> &'static str, value: &str) -> Result<u32, Label> {
    match value.trim().parse::<u32>() {
        Ok(count) if count > 0 => Ok(count),
        _ => {
            let value = value.to_string();
            Err(Label::new(move || {
                labels::demo_invalid_number(field(), &value)
            }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_count_names_field_and_value() {
        assert_eq!(parse_count(labels::demo_customers, " 50 "), Ok(50));
        let error = parse_count(labels::demo_customers, "fifty")
            .unwrap_err()
            .text();
        assert!(error.contains(labels::demo_customers()), "{error}");
        assert!(error.contains("\"fifty\""), "{error}");
        assert!(parse_count(labels::demo_days, "0").is_err());
    }
}
