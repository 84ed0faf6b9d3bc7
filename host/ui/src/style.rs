//! Styles shared by the panes, derived from the theme's palette, and the
//! badge widget that uses them.

use iced::widget::{button, container, text};
use iced::{Border, Color, Element, Theme, border};

/// Builds a small rounded label, such as a channel name, in one of the badge
/// styles below.
pub fn badge<'a, Message: 'a>(
    label: &'a str,
    style: fn(&Theme) -> container::Style,
) -> Element<'a, Message> {
    container(text(label).size(11))
        .padding([1, 6])
        .style(style)
        .into()
}

/// Styles a clickable list row: flat, shaded on hover, highlighted when
/// selected.
pub fn list_row(selected: bool) -> impl Fn(&Theme, button::Status) -> button::Style {
    move |theme, status| {
        let palette = theme.extended_palette();
        let pair = if selected {
            Some(palette.primary.weak)
        } else if matches!(status, button::Status::Hovered | button::Status::Pressed) {
            Some(palette.background.weak)
        } else {
            None
        };
        button::Style {
            background: pair.map(|pair| pair.color.into()),
            text_color: pair.map_or(palette.background.base.text, |pair| pair.text),
            border: border::rounded(4),
            ..button::Style::default()
        }
    }
}

/// Styles the badge with a conversation's channel.
pub fn channel_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.strong.color.into()),
        text_color: Some(palette.background.strong.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles the mark on a conversation whose latest message waits for a reply.
pub fn unanswered_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.warning.base.color.into()),
        text_color: Some(palette.warning.base.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles a message from the customer.
pub fn inbound_message(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weakest.color.into()),
        text_color: Some(palette.background.weakest.text),
        border: Border {
            width: 1.0,
            radius: 6.0.into(),
            color: palette.background.strong.color,
        },
        ..container::Style::default()
    }
}

/// Styles a message from the support team.
pub fn outbound_message(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.primary.weak.color.scale_alpha(0.35).into()),
        text_color: Some(palette.background.base.text),
        border: Border {
            width: 1.0,
            radius: 6.0.into(),
            color: palette.primary.weak.color,
        },
        ..container::Style::default()
    }
}

/// Styles a machine-generated message's marker or another warning inside a
/// pane.
pub fn warning_line(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.warning.weak.color.into()),
        text_color: Some(palette.warning.weak.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles a line of information inside a pane that needs no action, such as
/// the plugin file that replaces a built-in.
pub fn quiet_line(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.weak.color.into()),
        text_color: Some(palette.background.weak.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles the lines that report a database or configuration error across
/// the top of the window.
pub fn error_line(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.danger.weak.color.into()),
        text_color: Some(palette.danger.weak.text),
        ..container::Style::default()
    }
}

/// Styles the notice of the last change in the plugins folder.
pub fn notice_line(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.success.weak.color.into()),
        text_color: Some(palette.success.weak.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles the status badge of a running plugin.
pub fn running_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.success.base.color.into()),
        text_color: Some(palette.success.base.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles the status badge of a plugin that is disabled.
pub fn disabled_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.warning.base.color.into()),
        text_color: Some(palette.warning.base.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles the status badge of a plugin that could not be loaded.
pub fn broken_badge(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.danger.base.color.into()),
        text_color: Some(palette.danger.base.text),
        border: border::rounded(4),
        ..container::Style::default()
    }
}

/// Styles the card of a running or replaced plugin.
pub fn plugin_card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    card(palette.background.strong.color, 1.0)
}

/// Styles the card of a disabled plugin: a warning-coloured frame.
pub fn disabled_plugin_card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    card(palette.warning.base.color, 2.0)
}

/// Styles the card of a plugin that could not be loaded: a danger-coloured
/// frame.
pub fn broken_plugin_card(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    card(palette.danger.base.color, 2.0)
}

fn card(frame: Color, width: f32) -> container::Style {
    container::Style {
        border: Border {
            width,
            radius: 6.0.into(),
            color: frame,
        },
        ..container::Style::default()
    }
}

/// Styles an open conversation's pane: a thin border, in the primary color
/// when the pane has the focus, which is where the conversation list opens
/// conversations.
pub fn conversation_pane(focused: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let palette = theme.extended_palette();
        let color = if focused {
            palette.primary.strong.color
        } else {
            palette.background.strong.color
        };
        container::Style {
            background: Some(palette.background.base.color.into()),
            border: border::width(1).color(color),
            ..container::Style::default()
        }
    }
}

/// Styles the title bar of an open conversation's pane.
pub fn pane_title_bar(focused: bool) -> impl Fn(&Theme) -> container::Style {
    move |theme| {
        let palette = theme.extended_palette();
        let pair = if focused {
            palette.primary.weak
        } else {
            palette.background.weak
        };
        container::Style {
            background: Some(pair.color.into()),
            text_color: Some(pair.text),
            ..container::Style::default()
        }
    }
}

/// Styles an alert toast: an opaque card whose border colour shows how
/// pressing the tier is. It has no shadow, because the software renderer
/// (tiny-skia) took most of a second to draw one on every redraw.
pub fn toast(theme: &Theme, tier: kefu_core::alerts::Tier) -> container::Style {
    use kefu_core::alerts::Tier;
    let palette = theme.extended_palette();
    let edge = match tier {
        Tier::Ordinary => palette.primary.base.color,
        Tier::Important | Tier::Reminder | Tier::SlaWarning => palette.warning.base.color,
        Tier::SlaBreach => palette.danger.base.color,
    };
    container::Style {
        background: Some(palette.background.base.color.into()),
        text_color: Some(palette.background.base.text),
        border: Border {
            width: 2.0,
            radius: 6.0.into(),
            color: edge,
        },
        ..container::Style::default()
    }
}

/// Styles the card of a dialog shown over the window.
pub fn dialog(theme: &Theme) -> container::Style {
    let palette = theme.extended_palette();
    container::Style {
        background: Some(palette.background.base.color.into()),
        text_color: Some(palette.background.base.text),
        border: Border {
            radius: 8.0.into(),
            width: 1.0,
            color: palette.background.strong.color,
        },
        ..container::Style::default()
    }
}
