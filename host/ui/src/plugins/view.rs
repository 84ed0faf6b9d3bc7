//! The Plugins screen's view: the folder, the last change, and one card per
//! plugin.

use iced::widget::{Column, Id, column, container, row, scrollable, space, text};
use iced::{Alignment, Element, Fill, Theme, widget::container::Style};
use kefu_core::plugin::capability::{HTTP_HOST, READ_FOLDER};
use kefu_core::plugin::manifest::Capabilities;
use kefu_core::plugin::{PluginEntry, PluginOrigin, PluginStatus};

use super::{Message, Phase, Plugins};
use crate::{format, labels, style};

/// Widget id of the container around a plugin's card. A built-in and a
/// folder plugin may share a plugin id, so the id names the origin.
pub fn row_id(origin: &PluginOrigin, plugin_id: &str) -> Id {
    match origin {
        PluginOrigin::Builtin => Id::from(format!("plugin-builtin-{plugin_id}")),
        PluginOrigin::Folder(path) => Id::from(format!("plugin-file-{}", path.display())),
        PluginOrigin::Native(path) => Id::from(format!("plugin-native-{}", path.display())),
        PluginOrigin::Direct => Id::from(format!("plugin-direct-{plugin_id}")),
    }
}

pub fn view(plugins: &Plugins) -> Element<'_, Message> {
    let mut page = column![
        text(labels::plugins()).size(16),
        text(labels::plugin_folder(plugins.folder.as_deref()))
            .size(13)
            .style(text::secondary),
        text(labels::grant_hint()).size(12).style(text::secondary),
    ]
    .spacing(6)
    .padding(8);

    if let Some(notice) = &plugins.notice {
        let line = row![
            text(format::clock_time(notice.at)).size(12),
            text(notice.text.text()).size(13),
        ]
        .spacing(8)
        .align_y(Alignment::Center);
        page = page.push(
            container(line)
                .padding([4, 8])
                .width(Fill)
                .style(style::notice_line),
        );
    }
    for error in [&plugins.error, &plugins.watch_error].into_iter().flatten() {
        page = page.push(
            container(text(error.text()).size(13))
                .padding([4, 8])
                .width(Fill)
                .style(style::error_line),
        );
    }

    match plugins.phase {
        Phase::Idle => page = page.push(text(labels::plugins_not_loaded()).size(13)),
        Phase::Loading => page = page.push(text(labels::loading_plugins()).size(13)),
        Phase::Ready(_) | Phase::Failed => {}
    }

    let cards = column(
        sorted(&plugins.entries)
            .into_iter()
            .map(|entry| card(entry, &plugins.entries)),
    )
    .spacing(6);
    page.push(scrollable(cards).spacing(4).height(Fill)).into()
}

/// Built-ins first, in the order they are consulted, then the plugins
/// folder's components and native libraries by file name, then plugins
/// handed over directly.
fn sorted(entries: &[PluginEntry]) -> Vec<&PluginEntry> {
    let mut sorted: Vec<&PluginEntry> = entries.iter().collect();
    // A stable sort keeps the built-ins in the set's order.
    sorted.sort_by_key(|entry| match &entry.origin {
        PluginOrigin::Builtin => (0, None),
        PluginOrigin::Folder(path) | PluginOrigin::Native(path) => (1, Some(path)),
        PluginOrigin::Direct => (2, None),
    });
    sorted
}

/// Builds one plugin's card: name, version, kind, id, origin and status on
/// top, then the reason it does not run, its description and its
/// capabilities.
fn card<'a>(entry: &'a PluginEntry, all: &'a [PluginEntry]) -> Element<'a, Message> {
    let manifest = entry.manifest.as_ref();
    let name = manifest.map_or(labels::no_manifest(), |manifest| manifest.name.as_str());
    let origin = match &entry.origin {
        PluginOrigin::Builtin => labels::builtin().to_string(),
        PluginOrigin::Folder(path) => labels::plugin_file(path),
        PluginOrigin::Native(path) => labels::native_plugin_file(path),
        PluginOrigin::Direct => labels::direct_plugin().to_string(),
    };

    let mut top = row![text(name).size(15)]
        .spacing(8)
        .align_y(Alignment::Center);
    if let Some(manifest) = manifest {
        top = top
            .push(
                text(labels::plugin_version(&manifest.version))
                    .size(12)
                    .style(text::secondary),
            )
            .push(style::badge(
                labels::plugin_kind(manifest.kind),
                style::channel_badge,
            ));
    }
    top = top
        .push(space().width(8))
        .push(text(labels::plugin_id(&entry.id)).size(12))
        .push(text(origin).size(12).style(text::secondary))
        .push(space::horizontal())
        .push(style::badge(
            labels::plugin_status(&entry.status),
            status_badge(&entry.status),
        ));

    let mut content: Column<'a, Message> = column![top].spacing(3);
    if let Some(reason) = status_line(entry, all) {
        let line_style = match entry.status {
            PluginStatus::Broken(_) => style::error_line,
            PluginStatus::Disabled(_) => style::warning_line,
            PluginStatus::Running | PluginStatus::Replaced => style::quiet_line,
        };
        content = content.push(
            container(text(reason).size(12))
                .padding([2, 6])
                .width(Fill)
                .style(line_style),
        );
    }
    if let Some(description) = manifest.and_then(|manifest| manifest.description.as_deref()) {
        content = content.push(text(description).size(13));
    }
    if let Some(manifest) = manifest {
        content = content.push(capabilities(entry, &manifest.capabilities));
    }

    container(content)
        .id(row_id(&entry.origin, &entry.id))
        .padding([6, 10])
        .width(Fill)
        .style(card_style(&entry.status))
        .into()
}

/// Returns the reason the plugin does not run, or `None` when it runs.
fn status_line(entry: &PluginEntry, all: &[PluginEntry]) -> Option<String> {
    match &entry.status {
        PluginStatus::Running => None,
        PluginStatus::Disabled(reason) => Some(labels::plugin_disabled(&entry.id, reason)),
        PluginStatus::Broken(reason) => Some(labels::plugin_broken(reason)),
        PluginStatus::Replaced => {
            let replacement = all.iter().find_map(|other| match &other.origin {
                PluginOrigin::Folder(path) | PluginOrigin::Native(path) if other.id == entry.id => {
                    Some(path.as_path())
                }
                _ => None,
            });
            Some(labels::plugin_replaced(replacement))
        }
    }
}

/// Builds the lines of declared and granted capabilities, and the command
/// for each grant still missing.
fn capabilities<'a>(entry: &PluginEntry, declared: &Capabilities) -> Column<'a, Message> {
    let mut lines = column![
        row![
            text(labels::declared_capabilities(declared)).size(12),
            text(labels::granted_capabilities(&entry.granted)).size(12),
        ]
        .spacing(16)
    ]
    .spacing(2);
    let missing_folders = declared
        .read_folders
        .iter()
        .filter(|folder| !entry.granted.read_folders.contains(folder))
        .map(|folder| (READ_FOLDER, folder));
    let missing_hosts = declared
        .http_hosts
        .iter()
        .filter(|host| !entry.granted.http_hosts.contains(host))
        .map(|host| (HTTP_HOST, host));
    for (capability, value) in missing_folders.chain(missing_hosts) {
        lines = lines.push(
            text(labels::grant_command(&entry.id, capability, value))
                .size(12)
                .style(text::secondary),
        );
    }
    lines
}

fn status_badge(status: &PluginStatus) -> fn(&Theme) -> Style {
    match status {
        PluginStatus::Running => style::running_badge,
        PluginStatus::Disabled(_) => style::disabled_badge,
        PluginStatus::Broken(_) => style::broken_badge,
        PluginStatus::Replaced => style::channel_badge,
    }
}

fn card_style(status: &PluginStatus) -> fn(&Theme) -> Style {
    match status {
        PluginStatus::Running | PluginStatus::Replaced => style::plugin_card,
        PluginStatus::Disabled(_) => style::disabled_plugin_card,
        PluginStatus::Broken(_) => style::broken_plugin_card,
    }
}
