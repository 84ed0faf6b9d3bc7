//! The settings screen's widgets: one section each for the appearance,
//! the time zone, the alerts and the agent's profile.

use iced::widget::{
    Column, button, checkbox, column, container, row, rule, scrollable, text, text_input,
};
use iced::{Alignment, Element, Fill, FillPortion, Theme};
use kefu_core::alerts::Tier;

use super::{
    Field, FileError, LanguageChoice, Message, ResultLine, Scope, SettingsScreen, Switch,
    ThemeChoice, ids,
};
use crate::labels::{self, settings as words};
use crate::style;

/// Width of the labels in front of the theme and language choices, in
/// logical pixels.
const CHOICE_LABEL_WIDTH: f32 = 90.0;
/// Width of the labels in front of the alert fields.
const LABEL_WIDTH: f32 = 330.0;
/// Width of a tier's name in the table of tiers.
const TIER_WIDTH: f32 = 180.0;
/// Width of a column of switches in the table of tiers.
const SWITCH_WIDTH: f32 = 130.0;

/// Builds the screen: the appearance and the profile on the left, the
/// alerts on the right, so the default window shows every Save button.
pub fn view(screen: &SettingsScreen) -> Element<'_, Message> {
    let mut page = column![text(words::settings()).size(20)].spacing(12);
    if screen.config_folder.is_none() {
        page = page.push(line(words::no_folder().to_string(), style::warning_line));
    }
    let left = column![
        appearance(screen),
        rule::horizontal(1),
        time_zone(screen),
        rule::horizontal(1),
        profile(screen)
    ]
    .spacing(16)
    .width(FillPortion(2));
    let right = alerts(screen).width(FillPortion(3));
    page = page.push(row![left, rule::vertical(1), right].spacing(16));
    scrollable(container(page).padding(16).width(Fill))
        .height(Fill)
        .into()
}

/// Builds one button of a choice between a few values, highlighted when
/// selected.
fn choice<'a>(label: impl ToString, selected: bool, message: Message) -> Element<'a, Message> {
    let style: fn(&Theme, button::Status) -> button::Style = if selected {
        button::primary
    } else {
        button::secondary
    };
    button(text(label.to_string()).size(13))
        .on_press(message)
        .style(style)
        .into()
}

fn appearance(screen: &SettingsScreen) -> Column<'_, Message> {
    let mut section = column![text(words::appearance()).size(17)].spacing(8);
    if let Some(error) = &screen.ui_error {
        section = section.push(broken_file(
            error,
            crate::language::SETTINGS_FILE,
            Message::ReplaceUiFile,
            ids::replace_ui_file(),
        ));
    }
    let themes = ThemeChoice::ALL.into_iter().fold(row![], |choices, theme| {
        choices.push(choice(
            words::theme_choice(theme),
            screen.ui_form.theme == theme,
            Message::ThemeSelected(theme),
        ))
    });
    let languages = LanguageChoice::ALL
        .into_iter()
        .fold(row![], |choices, language| {
            choices.push(choice(
                words::language_choice(language),
                screen.ui_form.language == language,
                Message::LanguageSelected(language),
            ))
        });
    section
        .push(labelled(
            words::theme(),
            CHOICE_LABEL_WIDTH,
            themes.spacing(6).into(),
        ))
        .push(labelled(
            words::language(),
            CHOICE_LABEL_WIDTH,
            languages.spacing(6).into(),
        ))
        .push(save_row(
            Message::SaveAppearance,
            ids::save_appearance(),
            screen.ui_result.as_ref(),
        ))
}

fn alerts(screen: &SettingsScreen) -> Column<'_, Message> {
    let mut section = column![text(words::alerts()).size(17)].spacing(8);
    if let Some(error) = &screen.alerts_error {
        section = section.push(broken_file(
            error,
            kefu_core::alerts::config::FILE_NAME,
            Message::ReplaceAlertsFile,
            ids::replace_alerts_file(),
        ));
    }
    let scopes = row![
        choice(
            words::scope_everyone(),
            screen.scope == Scope::Everyone,
            Message::ScopeSelected(Scope::Everyone),
        ),
        choice(
            words::scope_only_me(&screen.agent),
            screen.scope == Scope::OnlyMe,
            Message::ScopeSelected(Scope::OnlyMe),
        ),
    ]
    .spacing(6);
    section = section
        .push(labelled(words::scope(), CHOICE_LABEL_WIDTH, scopes.into()))
        .push(tier_table(screen))
        .push(number_field(screen, Field::GroupWindow))
        .push(number_field(screen, Field::ReminderAfter))
        .push(number_field(screen, Field::SlaWarningBefore));

    section = section.push(important_priorities(screen));
    let mut sound = column![
        row![
            text(words::field(Field::SoundFile))
                .size(13)
                .width(LABEL_WIDTH),
            text_input(
                words::sound_file_placeholder(),
                &screen.alerts_form.sound_file
            )
            .id(ids::field(Field::SoundFile))
            .on_input(|value| Message::FieldEdited(Field::SoundFile, value))
            .size(13)
            .width(Fill),
        ]
        .spacing(10)
        .align_y(Alignment::Center)
    ]
    .spacing(4);
    if let Some(error) = field_error(screen, Field::SoundFile) {
        sound = sound.push(text(error).size(13).style(text::danger));
    }
    section = section.push(sound);

    let form = &screen.alerts_form;
    let quiet = row![
        checkbox(form.quiet_enabled)
            .label(words::quiet_hours())
            .text_size(13)
            .on_toggle(Message::QuietHoursToggled)
            .width(LABEL_WIDTH),
        text(words::field(Field::QuietStart)).size(13),
        field_input(screen, Field::QuietStart, form.quiet_enabled),
        text(words::field(Field::QuietEnd)).size(13),
        field_input(screen, Field::QuietEnd, form.quiet_enabled),
    ]
    .spacing(10)
    .align_y(Alignment::Center);
    section = section.push(quiet);
    for field in [Field::QuietStart, Field::QuietEnd] {
        if let Some(error) = field_error(screen, field) {
            section = section.push(text(error).size(13).style(text::danger));
        }
    }
    section.push(save_row(
        Message::SaveAlerts,
        ids::save_alerts(),
        screen.alerts_result.as_ref(),
    ))
}

fn tier_table(screen: &SettingsScreen) -> Element<'_, Message> {
    let header = Switch::ALL.into_iter().fold(
        row![container(text(words::tier()).size(13)).width(TIER_WIDTH)],
        |header, switch| {
            header.push(container(text(words::switch(switch)).size(13)).width(SWITCH_WIDTH))
        },
    );
    let mut table = column![header].spacing(4);
    for tier in Tier::ALL {
        let line = Switch::ALL.into_iter().fold(
            row![container(text(labels::alert_tier(tier)).size(13)).width(TIER_WIDTH)],
            |line, switch| {
                let on = screen.alerts_form.switch(tier, switch);
                line.push(
                    container(
                        checkbox(on).on_toggle(move |on| Message::SwitchToggled(tier, switch, on)),
                    )
                    .width(SWITCH_WIDTH),
                )
            },
        );
        table = table.push(line.align_y(Alignment::Center));
    }
    table.into()
}

/// Builds the toggles of the priorities that alert in the important tier.
fn important_priorities(screen: &SettingsScreen) -> Element<'_, Message> {
    let lifecycle = &screen.desk.lifecycle;
    let toggles = lifecycle
        .priorities()
        .iter()
        .fold(row![].spacing(6), |toggles, priority| {
            let on = screen.alerts_form.important(&priority.id);
            let toggle = choice(
                labels::priority(lifecycle, &priority.id),
                on,
                Message::ImportantToggled(priority.id.clone(), !on),
            );
            toggles.push(container(toggle).id(ids::important(&priority.id)))
        });
    column![
        labelled(
            words::important_priorities(),
            LABEL_WIDTH,
            toggles.wrap().into()
        ),
        text(words::important_priorities_hint())
            .size(12)
            .style(text::secondary),
    ]
    .spacing(4)
    .into()
}

fn time_zone(screen: &SettingsScreen) -> Column<'_, Message> {
    let mut section = column![text(words::time_zone_section()).size(17)].spacing(8);
    if let Some(error) = &screen.sla_error {
        section = section.push(line(words::sla_file_kept(error), style::error_line));
    }
    section = section.push(labelled(
        words::time_zone(),
        CHOICE_LABEL_WIDTH,
        text_input("Asia/Shanghai", &screen.time_zone_form)
            .id(ids::time_zone())
            .on_input(Message::TimeZoneEdited)
            .on_submit(Message::SaveTimeZone)
            .size(13)
            .width(220)
            .into(),
    ));
    if let Some(error) = &screen.time_zone_error {
        section = section.push(text(error.text()).size(13).style(text::danger));
    }
    section
        .push(
            text(words::time_zone_hint())
                .size(12)
                .style(text::secondary),
        )
        .push(save_row(
            Message::SaveTimeZone,
            ids::save_time_zone(),
            screen.time_zone_result.as_ref(),
        ))
}

fn number_field(screen: &SettingsScreen, field: Field) -> Element<'_, Message> {
    let mut lines = column![
        row![
            text(words::field(field)).size(13).width(LABEL_WIDTH),
            field_input(screen, field, true),
        ]
        .spacing(10)
        .align_y(Alignment::Center)
    ]
    .spacing(4);
    if let Some(error) = field_error(screen, field) {
        lines = lines.push(text(error).size(13).style(text::danger));
    }
    lines.into()
}

fn field_input(screen: &SettingsScreen, field: Field, enabled: bool) -> Element<'_, Message> {
    let input = text_input("", screen.alerts_form.text(field))
        .id(ids::field(field))
        .size(13)
        .width(100);
    if enabled {
        input
            .on_input(move |value| Message::FieldEdited(field, value))
            .into()
    } else {
        input.into()
    }
}

fn field_error(screen: &SettingsScreen, field: Field) -> Option<String> {
    screen
        .field_errors
        .iter()
        .find(|(marked, _)| *marked == field)
        .map(|(_, error)| error.text())
}

fn profile(screen: &SettingsScreen) -> Column<'_, Message> {
    let form = &screen.profile_form;
    let mut section = column![
        text(words::profile()).size(17),
        text(words::agent_name(&screen.agent)).size(14),
        text(words::agent_source()).size(12).style(text::secondary),
    ]
    .spacing(8);
    if screen.profile_saved.is_some() && !form.exists {
        section = section.push(text(words::agent_missing(&screen.agent)).size(13));
    }
    section = section.push(
        column![
            text(words::display_name()).size(13),
            text_input("", &form.display_name)
                .id(ids::display_name())
                .on_input(Message::DisplayNameEdited)
                .size(13)
                .width(320),
        ]
        .spacing(4),
    );
    if let Some(error) = &screen.display_name_error {
        section = section.push(text(error.text()).size(13).style(text::danger));
    }
    section
        .push(
            checkbox(form.available)
                .label(words::available())
                .text_size(13)
                .on_toggle(Message::AvailableToggled),
        )
        .push(text(words::profile_note()).size(12).style(text::secondary))
        .push(save_row(
            Message::SaveProfile,
            ids::save_profile(),
            screen.profile_result.as_ref(),
        ))
}

/// Builds the error of a file that cannot be used, what saving does about
/// it, and the button that replaces the file.
fn broken_file<'a>(
    error: &FileError,
    file: &str,
    replace: Message,
    replace_id: iced::widget::Id,
) -> Element<'a, Message> {
    let lines = column![
        text(error.to_string()).size(13),
        text(words::file_kept(file)).size(13),
        container(
            button(text(words::replace()).size(13))
                .on_press(replace)
                .style(button::danger)
        )
        .id(replace_id),
    ]
    .spacing(6);
    container(lines)
        .padding([6, 12])
        .width(Fill)
        .style(style::error_line)
        .into()
}

fn labelled<'a>(label: &'a str, width: f32, content: Element<'a, Message>) -> Element<'a, Message> {
    row![text(label).size(13).width(width), content]
        .spacing(10)
        .align_y(Alignment::Center)
        .into()
}

fn save_row<'a>(
    save: Message,
    id: iced::widget::Id,
    result: Option<&'a ResultLine>,
) -> Element<'a, Message> {
    let mut lines = row![container(button(text(words::save()).size(14)).on_press(save)).id(id)]
        .spacing(12)
        .align_y(Alignment::Center);
    if let Some(result) = result {
        let (content, failed) = result.text();
        let line_style: fn(&Theme) -> container::Style = if failed {
            style::error_line
        } else {
            style::notice_line
        };
        lines = lines.push(
            container(text(content).size(13))
                .padding([4, 8])
                .width(Fill)
                .style(line_style),
        );
    }
    lines.into()
}

fn line<'a>(content: String, line_style: fn(&Theme) -> container::Style) -> Element<'a, Message> {
    container(text(content).size(13))
        .padding([6, 12])
        .width(Fill)
        .style(line_style)
        .into()
}
