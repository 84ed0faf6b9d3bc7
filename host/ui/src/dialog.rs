//! A dialog shown over the window, such as the phrase picker.

use iced::widget::{center, container, mouse_area, opaque, stack};
use iced::{Color, Element};

use crate::style;

/// Shows `content` in a card over `base`, which is dimmed and takes no
/// clicks. A click on the dimmed part sends `on_dismiss`.
pub fn modal<'a, Message: Clone + 'a>(
    base: Element<'a, Message>,
    content: Element<'a, Message>,
    on_dismiss: Message,
) -> Element<'a, Message> {
    let card = opaque(container(content).style(style::dialog));
    let backdrop = center(card).style(|_theme| container::Style {
        background: Some(
            Color {
                a: 0.6,
                ..Color::BLACK
            }
            .into(),
        ),
        ..container::Style::default()
    });
    stack![base, opaque(mouse_area(backdrop).on_press(on_dismiss))].into()
}
