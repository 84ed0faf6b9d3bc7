//! The words of the built-in report widgets in the language of the UI.
//!
//! The built-in widgets are plugins that write English titles, series
//! names and axis labels. The reports screen shows them through
//! [`translate`], which maps every text those widgets write and returns
//! any other text unchanged. The chart's data keeps the English names,
//! because the drill-down finds a bar's dataset column by its series name.

use kefu_core::plugin::PluginKind;
use kefu_core::plugin::builtin::BUILTIN_PLUGINS;
use kefu_report::Chart;

use super::catalog::{current, fill_in};
use crate::language::Language;

/// True when `widget` is the id of a built-in report widget, whose texts
/// [`translate`] maps.
pub fn is_builtin_widget(widget: &str) -> bool {
    BUILTIN_PLUGINS
        .iter()
        .any(|plugin| plugin.id == widget && plugin.kind == PluginKind::Widget)
}

/// Returns `english` in the UI's language when the built-in widget
/// `widget` writes it, or else `english` unchanged.
pub fn translate(widget: &str, english: &str) -> String {
    translate_in(current(), widget, english)
}

/// Returns `english` in `language` when the built-in widget `widget`
/// writes it, or else `english` unchanged.
pub fn translate_in(language: Language, widget: &str, english: &str) -> String {
    let text = |id| fill_in(language, id, &[]);
    if !is_builtin_widget(widget) {
        return english.to_string();
    }
    if let Some(dimension) = english.strip_prefix("Tickets created and resolved by ") {
        let dimension = match dimension.to_ascii_lowercase().as_str() {
            "agent" => text("dimension-agent"),
            "type" => text("dimension-type"),
            "tier" => text("dimension-tier"),
            "channel" => text("dimension-channel"),
            _ => return english.to_string(),
        };
        return fill_in(
            language,
            "widget-tickets-created-resolved-by",
            &[("dimension", dimension.into())],
        );
    }
    if let Some(channel) = english.strip_prefix("Messages per day: ") {
        return fill_in(
            language,
            "widget-messages-per-day-channel",
            &[("channel", translate_in(language, widget, channel).into())],
        );
    }
    let key = match english {
        "Tickets created and resolved" => "widget-tickets-created-resolved",
        "Open tickets (backlog)" => "widget-backlog",
        "Tickets created by channel" => "widget-tickets-by-channel",
        "Tickets created by weekday and hour" => "widget-tickets-by-weekday-hour",
        "Messages per day" => "widget-messages-per-day",
        "Created" => "widget-created",
        "Resolved" => "widget-resolved",
        "Open" => "widget-open",
        "Tickets" => "widget-tickets",
        "Messages" => "widget-messages",
        "Day" => "widget-day",
        "Hour of the day" => "widget-hour-of-day",
        "Email" | "email" => "channel-email",
        "Chat" | "chat" => "channel-chat",
        "Phone" | "phone" => "channel-phone",
        "Mon" => "weekday-mon",
        "Tue" => "weekday-tue",
        "Wed" => "weekday-wed",
        "Thu" => "weekday-thu",
        "Fri" => "weekday-fri",
        "Sat" => "weekday-sat",
        "Sun" => "weekday-sun",
        _ => return english.to_string(),
    };
    text(key)
}

/// Returns a copy of `chart` for drawing, with the texts of the built-in
/// widget `widget` in the UI's language: the title, the axis labels, the
/// series names and the categories the widget writes itself.
pub fn translate_chart(widget: &str, chart: &Chart) -> Chart {
    translate_chart_in(current(), widget, chart)
}

/// Returns a copy of `chart` for drawing with the texts of the built-in
/// widget `widget` in `language`.
pub fn translate_chart_in(language: Language, widget: &str, chart: &Chart) -> Chart {
    let mut translated = chart.clone();
    translated.title = translate_in(language, widget, &chart.title);
    translated.x_label = translate_in(language, widget, &chart.x_label);
    translated.y_label = translate_in(language, widget, &chart.y_label);
    for series in &mut translated.series {
        series.name = translate_in(language, widget, &series.name);
    }
    for category in &mut translated.categories {
        *category = translate_category_in(language, widget, category);
    }
    translated
}

/// Returns a category of the built-in widget `widget` in the UI's
/// language when the widget writes it itself (a weekday or a channel).
/// Other categories are values from the data, such as agent names, and
/// stay as written.
pub fn translate_category(widget: &str, category: &str) -> String {
    translate_category_in(current(), widget, category)
}

fn translate_category_in(language: Language, widget: &str, category: &str) -> String {
    const WRITTEN: [&str; 13] = [
        "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun", "email", "chat", "phone", "Email", "Chat",
        "Phone",
    ];
    if WRITTEN.contains(&category) {
        translate_in(language, widget, category)
    } else {
        category.to_string()
    }
}

#[cfg(test)]
mod tests {
    use kefu_report::{ChartKind, Series};

    use super::*;

    fn chart(title: &str, categories: &[&str], series: &[&str]) -> Chart {
        Chart {
            kind: ChartKind::Bar,
            title: title.to_string(),
            categories: categories.iter().map(|name| name.to_string()).collect(),
            series: series
                .iter()
                .map(|name| Series {
                    name: name.to_string(),
                    values: vec![1.0; categories.len()],
                })
                .collect(),
            x_label: String::new(),
            y_label: "Tickets".to_string(),
        }
    }

    #[test]
    fn builtin_chart_drawn_in_chinese() {
        let english = chart(
            "Tickets created and resolved by Agent",
            &["lin", "email", "Mon"],
            &["Created", "Resolved"],
        );

        let translated = translate_chart_in(Language::SimplifiedChinese, "ticket-volume", &english);

        assert_eq!(translated.title, "按客服统计的新建与已解决工单");
        assert_eq!(translated.y_label, "工单");
        assert_eq!(translated.series[0].name, "新建");
        assert_eq!(translated.series[1].name, "已解决");
        assert_eq!(translated.categories, ["lin", "邮件", "周一"]);
        assert_eq!(translated.series[0].values, english.series[0].values);
    }

    #[test]
    fn builtin_texts_stay_english_in_english() {
        for text in [
            "Tickets created and resolved",
            "Open tickets (backlog)",
            "Tickets created by channel",
            "Tickets created by weekday and hour",
            "Messages per day",
            "Hour of the day",
        ] {
            assert_eq!(translate_in(Language::English, "backlog", text), text);
        }
        assert_eq!(
            translate_in(
                Language::English,
                "messages-per-day",
                "Messages per day: Chat"
            ),
            "Messages per day: Chat"
        );
    }

    #[test]
    fn third_party_widget_text_unchanged() {
        let english = chart("Tickets created by channel", &["email"], &["Created"]);

        let translated =
            translate_chart_in(Language::SimplifiedChinese, "channel-bars-widget", &english);

        assert_eq!(translated, english);
    }

    #[test]
    fn unknown_builtin_text_unchanged() {
        let text = "Tickets created and resolved by weekday";
        assert_eq!(
            translate_in(Language::SimplifiedChinese, "ticket-volume", text),
            text
        );
        assert_eq!(
            translate_in(
                Language::SimplifiedChinese,
                "messages-per-day",
                "Messages per day: Phone"
            ),
            "每日消息数：电话"
        );
    }
}
