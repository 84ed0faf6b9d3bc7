# The words of Kefu's desktop workbench in English.
#
# Each message is `id = text`. Placeholders such as { $count } are filled
# in by the app, and numbers show with commas between thousands. A message
# may pick a plural form with a selector, one variant per line:
#   tickets = { $count ->
#           [one] 1 ticket
#          *[other] { $count } tickets
#       }
# zh-CN.ftl must have the same ids and placeholders; a test checks it.
# Apart from selectors, keep each message on one line, because Fluent
# keeps the line breaks of a multi-line value.

## The window and the workbench

window-title = Kefu 客服
refresh = Refresh
# The button that switches to the Plugins screen, and its heading.
plugins = Plugins
# The button that switches back from the Plugins screen.
workbench = Workbench
conversations = Conversations
tickets = Tickets
unanswered = Unanswered
# The views above the conversation list, each with its count, for example
# "Mine 4". Unanswered and All count conversations, the others count
# unfinished tickets.
view-all = All { $count }
view-unanswered = Unanswered { $count }
view-mine = Mine { $count }
view-vip = VIP { $count }
view-due-soon = Due soon { $count }
view-saved = { $name } { $count }
view-failed = Could not read the views: { $error }. Press { refresh } to try again.
view-truncated = This view lists the conversations of its first { $limit } tickets; narrow it with a saved view to see the rest.
no-subject = (no subject)
attachments = Attachments:
empty-database = No conversations yet. Import mail, chat or call logs with: kefu ingest PATH
no-selection = Select a conversation to read its messages.
no-messages = This conversation has no messages.
no-tickets = No tickets yet.

# Headers of the ticket list, in column order.
ticket-id = ID
ticket-type = Type
ticket-priority = Priority
ticket-source = Source
ticket-status = Status
ticket-customer = Customer
ticket-subject = Subject

channel-email = Email
channel-chat = Chat
channel-phone = Phone
direction-inbound = Inbound
direction-outbound = Outbound
automation-auto-reply = Auto-reply
automation-bounce = Bounce
automation-bulk = Bulk mail
# The marker on a machine-generated message, with the header or pattern
# that identified it.
automation-marker = { $kind } (detected by: { $evidence })
# The details of a phone call on one line. $answered is "yes" or "no";
# $duration and $billed read like 4:05.
call = Call to { $destination }, { $answered ->
        [yes] answered
       *[no] not answered
    }, disposition { $disposition }, duration { $duration }, billed { $billed }
# A note written while reading the message's input.
note = Note: { $note }
attachment-failed = Could not open the attachment: { $error }
attachment = { $name } ({ $size })
# The button above a conversation's messages that shows more of them.
earlier-messages = { $earlier ->
        [one] Show 1 earlier message
       *[other] Show { $earlier } earlier messages
    }
# The same button when it shows only $shown of the $earlier messages.
earlier-messages-window = Show { $shown } earlier messages ({ $earlier } not shown)
message-count = { $count ->
        [one] 1 message
       *[other] { $count } messages
    }
# The header summary, for example "4 conversations, 1 unanswered, 3 tickets".
summary = { $conversations ->
        [one] 1 conversation
       *[other] { $conversations } conversations
    }, { $unanswered } unanswered, { $tickets ->
        [one] 1 ticket
       *[other] { $tickets } tickets
    }
loaded-at = Updated { $time }
open-failed = Could not open the database { $path }: { $error }. Check the path and its permissions, then press { refresh }.
read-failed = Could not read the database: { $error }. Press { refresh } to try again.

## The Plugins screen

loading-plugins = Loading plugins…
plugins-not-loaded = Plugins are not loaded in this window.
builtin = Built-in
# Origin of a plugin that the program handed to the plugin set itself.
direct-plugin = Loaded by the program
# Name shown for a plugin file whose manifest could not be read.
no-manifest = (no manifest)
grant-hint = A plugin uses a capability its manifest declares only after you grant it, for example: kefu plugin grant ID read-folder DIR. A grant applies the next time Kefu loads the plugin.
plugin-sync-panicked = an earlier update of the plugins stopped part way through
plugin-kind-adapter = Channel adapter
plugin-kind-rule = Ticket rule
plugin-kind-widget = Report widget
plugin-status-running = Running
plugin-status-disabled = Disabled
plugin-status-broken = Broken
plugin-status-replaced = Replaced
plugin-version = version { $version }
plugin-id = ID: { $id }
plugin-file = File: { $path }
native-plugin-file = Native library: { $path }
plugin-disabled = Disabled: { $reason }. Run kefu plugin enable { $id } and restart Kefu to run it again.
plugin-broken = Could not load: { $reason }
plugin-replaced-by-file = Replaced by the plugin file { $path }
plugin-replaced = Replaced by a plugin file with the same id
declared-capabilities = Declared capabilities: { $capabilities }
granted-capabilities = Granted: { $capabilities }
grant-command = To grant: kefu plugin grant { $id } { $capability } { $value }
plugin-folder = Plugins folder: { $path }. Files added, replaced or removed there load or unload at once.
no-plugin-folder = No plugins folder is set, so only the built-in plugins load. Start Kefu with --plugins DIR to add your own.
plugin-loaded = Loaded plugin { $id }.
plugin-not-loaded = Could not load plugin { $id }. Its card shows the reason.
plugin-found-disabled = Found plugin { $id }, which is disabled.
plugin-reloaded = Reloaded plugin { $id }.
plugin-removed = Removed plugin { $id }.
# The header summary of the Plugins screen, for example
# "6 plugins: 5 running, 1 broken". $parts are the counts below, joined
# by summary-separator.
plugin-total = { $count ->
        [one] 1 plugin
       *[other] { $count } plugins
    }
plugin-summary = { $total }: { $parts }
plugin-count-running = { $count } running
plugin-count-disabled = { $count } disabled
plugin-count-broken = { $count } broken
plugin-count-replaced = { $count } replaced
# Joins the parts of a summary line.
summary-separator = {", "}
# Joins the items of a list, such as file names or addresses.
list-separator = {", "}
plugins-load-failed = Could not load the plugins: { $error }. Press { refresh } to try again.
plugin-sync-failed = Could not update the plugins from their folder: { $error }. Press { refresh } to load them again.
plugin-watch-failed = Not watching the plugins folder { $path }: { $error }. Press { refresh } to pick up changes there.

## Configuration and background work

desk-config-invalid = Invalid desk configuration: { $error }. Kefu runs on the built-in lifecycle and SLA, without declarative rules, until the file is fixed and Kefu restarted.
rules-config-invalid = Invalid rules: { $error }. Kefu runs without declarative rules until the file is fixed and Kefu restarted.
backup-config-invalid = Invalid backup settings: { $error }. Kefu makes no automatic backups until the file is fixed and Kefu restarted.
alerts-config-invalid = Invalid alert settings: { $error }. Kefu raises alerts with the built-in settings until the file is fixed and Kefu restarted.
# The app shows the three ui.toml lines below in English, the language it
# falls back to when ui.toml cannot be used.
ui-settings-unreadable = Could not read { $path }: { $error }. Kefu runs in English until the file can be read and Kefu restarted.
ui-settings-invalid = Invalid UI settings in { $path }: { $error }. Kefu runs in English until the file is fixed and Kefu restarted.
ui-language-invalid = Invalid language "{ $value }" in { $path }: choose "en", "zh-CN" or "system". Kefu runs in English until the file is fixed and Kefu restarted.
# The status of the last scheduler run, for example
# "Rules run 14:03:05: 2 fired, 0 failed".
scheduler-finished = Rules run { $time }: { $fired } fired, { $failed } failed
scheduler-failed = Rules run { $time } failed
thread-panicked = the thread { $name } panicked, and standard error shows the panic message
webhook-failed = Webhook server not started: { $error }
webhook-listening = Webhook on { $address }

## The customer card

# Name shown for a customer whose name no input gave.
no-name = (no name)
no-tags = Tags: none
addresses = Addresses
split = Split
merge = Merge
cancel = Cancel
merge-heading = Merge another customer into this one
merge-search-hint = Search by name, email address, phone number or chat id
no-customer-found = No other customer matches.
reason-hint = Reason, recorded with the change (optional)
customer-number = Customer #{ $id }
customer-tier = Tier: { $tier }
customer-tags = Tags: { $tags }
# A search result: the customer's number and name.
customer-choice = #{ $id } { $name }
more-customers = { $count } more; type more of the name or address to narrow the list.
history-heading = { $count ->
        [one] History: 1 message on every channel
       *[other] History: { $count } messages on every channel
    }
# Counts that the merge and split lines below fill in.
address-count = { $count ->
        [one] 1 address
       *[other] { $count } addresses
    }
address-count-listed = { $count ->
        [one] 1 address
       *[other] { $count } addresses
    } ({ $addresses })
conversation-count = { $count ->
        [one] 1 conversation
       *[other] { $count } conversations
    }
# Asks to confirm merging customer $from into customer $into. $addresses
# and $conversations are the counts above.
confirm-merge = Merge customer #{ $from } { $name } into customer #{ $into }? { $addresses } and { $conversations }, with their tickets and tasks, move to #{ $into }. Customer #{ $from } stays as a record that points to #{ $into }.
confirm-split = Split { $address } off customer #{ $from }? The address and the conversations it started move to a new customer with the same tier.
# Names the agent that a confirmed change is recorded under.
acting-agent = recorded as { $actor }
merged = Customer #{ $from } merged into #{ $into }: moved { $addresses } and { $conversations }.
split-off = { $addresses } split off customer #{ $from } into new customer #{ $new }, with { $conversations }.
customer-read-failed = Could not read customer #{ $id }: { $error }
customer-change-failed = Nothing was changed: { $error }

## The unlock screen

# Heading of the unlock screen.
database-encrypted = This database is encrypted. Enter its passphrase to open it.
passphrase-hint = Passphrase
unlock = Unlock

## The Reports screen

# The button that switches to the Reports screen.
reports = Reports
report-period = Period:
report-period-hint = 2026-11, 2026-W45 or 2026-11-01..2026-11-15
report-show = Show
report-by = Bars by:
report-loading = Reading the report…
report-empty = Nothing to show in this period.
report-no-widgets = No report widget is running. The Plugins screen shows each widget's state.
report-drill-down-hint = Click a bar, point, slice or cell to list the tickets it counts.
period-day = Day
period-week = Week
period-month = Month
period-custom = Custom
dimension-agent = Agent
dimension-type = Type
dimension-tier = Tier
dimension-channel = Channel
dimension-ticket = Ticket
dimension-time = Time
# The period shown and the time zone its dates are read in.
report-period-zone = { $period }, { $zone }
# A clicked chart value by its series and category, such as "Created, email".
report-selection = { $series }, { $category }
drill-down-heading = { $tickets ->
        [one] { $selection }: 1 ticket
       *[other] { $selection }: { $tickets } tickets
    }
drill-down-details = { $customer } · { $type } · { $status }
report-failed = Could not read the report: { $error }
export = Export:
export-path-hint = File to write, for example ~/Documents/kefu-report-2026-11.xlsx
export-button = Export
export-replace = Replace
export-no-report = Nothing to export yet: wait until the report is shown, then press { export-button } again.
export-path-missing = The file path is empty: enter the file to write, for example ~/kefu-report.xlsx.
export-format-xlsx = Excel
export-format-pdf = PDF
export-format-csv = CSV
export-extension-mismatch = { $path } does not end in the extension of { $format }; change the file name or choose the format its extension names.
export-replace-question = { $count ->
        [one] { $files } exists. Replace it?
       *[other] { $files } exist. Replace them?
    }
export-computing = Exporting { $path }: computing the report…
export-writing-rows = Exporting { $path }: { $done } of { $total } rows written
export-laying-out = Exporting { $path }: { $done } of { $total } table rows laid out
export-drawing-pages = Exporting { $path }: { $done } of { $total } pages drawn
export-saving = Exporting { $path }: saving the file…
export-saved = Saved { $files } ({ $rows } rows)
export-saved-pages = Saved { $files } ({ $rows } rows, { $pages } pages)
export-failed = Could not export the report: { $error }

## The offer of demo data on an empty database

demo-offer = Try Kefu with demo data?
demo-offer-details = Kefu can fill this database with generated customers, conversations on every channel and tickets through their whole lifecycle, so the lists and reports have something to show. Or start empty and import your own data.
demo-customers = Customers
demo-days = Days of history
load-demo-data = Load demo data
start-empty = Start empty
demo-invalid-number = { $field }: "{ $value }" is not a whole number above 0; enter one, for example 200.
demo-progress = Generating demo data: { $done } of { $total } tickets written…
demo-failed = Could not load the demo data: { $error }
# Error line of a report widget's tile.
widget-failed = This widget failed: { $error }

# Texts of the built-in report widgets, drawn on the reports screen.
widget-tickets-created-resolved = Tickets created and resolved
widget-tickets-created-resolved-by = Tickets created and resolved by { $dimension }
widget-backlog = Open tickets (backlog)
widget-tickets-by-channel = Tickets created by channel
widget-tickets-by-weekday-hour = Tickets created by weekday and hour
widget-messages-per-day = Messages per day
widget-messages-per-day-channel = Messages per day: { $channel }
widget-created = Created
widget-resolved = Resolved
widget-open = Open
widget-tickets = Tickets
widget-messages = Messages
widget-day = Day
widget-hour-of-day = Hour of the day
weekday-mon = Mon
weekday-tue = Tue
weekday-wed = Wed
weekday-thu = Thu
weekday-fri = Fri
weekday-sat = Sat
weekday-sun = Sun

## Panes and the composer

# Title of a pane that shows no conversation.
empty-pane = Empty pane
split-right = Split right
split-down = Split down
maximize-pane = Maximise
# The maximised pane's button that shows every pane again.
restore-pane = Restore
pop-out-pane = Pop out
close-pane = Close
draft-placeholder-email = Write an email reply…
draft-placeholder-chat = Write a chat reply…
draft-placeholder-phone = Write a note about the call…
send = Send
save-note = Save note
sent-queued = Reply to ticket #{ $ticket } queued as outbox entry { $entry }.
sent-noted = Call note saved in the history of ticket #{ $ticket }.
# Reasons a send stored nothing, shown inside send-failed.
draft-empty = the draft is empty; write the reply first
draft-has-placeholders = the draft still contains { $placeholders }, a placeholder without a value; replace it with the text the customer should read
conversation-has-no-ticket = conversation { $conversation } has no ticket, so there is nothing to reply on; automatic mail and bounces open no ticket
database-not-open = the database is not open
database-not-open-send = the database is not open; press { refresh } and send again
send-failed = Not sent: { $error }. The draft is kept.
# Delivery states of a reply in the outbox.
outbox-queued = Queued
outbox-retrying = Queued, attempt { $attempts } failed: { $error }
outbox-sending = Sending…
outbox-sent = Sent
outbox-sent-at = Sent { $time }
outbox-failed = Failed: { $error }. `kefu outbox retry { $entry }` queues it again.
unknown-error = unknown error
state-file-moved = The saved panes and drafts in { $path } could not be read ({ $error }). The file was moved to { $aside }, and the workbench starts with one empty pane.
state-file-invalid = The saved panes and drafts in { $path } could not be read ({ $error }), and the workbench starts with one empty pane. Move the file away to keep its drafts.

## Alerts

# The action of a desktop notification that opens its conversation.
open-conversation = Open conversation
# The close button of an alert toast.
dismiss = ×
alert-tier-ordinary = New message
alert-tier-important = Important
alert-tier-reminder = Reminder
alert-tier-sla-warning = SLA warning
alert-tier-sla-breach = SLA breached
# One-line summaries of alerts, for the toast and the desktop
# notification. $customer is the customer's name, $customers the number
# of customers, and $minutes a whole number of minutes.
alert-new-message = New message from { $customer }
alert-new-messages = { $count } new messages from { $customers ->
        [one] 1 customer
       *[other] { $customers } customers
    }
alert-important-message = Important message from { $customer }
alert-important-messages = { $count } important messages from { $customers ->
        [one] 1 customer
       *[other] { $customers } customers
    }
alert-waiting = { $customer } has waited { $minutes } min for an answer
alert-waiting-many = { $count ->
        [one] 1 conversation
       *[other] { $count } conversations
    } have waited { $minutes } min for an answer
alert-sla-warning = SLA deadline in { $minutes } min: { $customer }
alert-sla-warning-many = { $count ->
        [one] 1 ticket
       *[other] { $count } tickets
    } near their SLA deadline, the first in { $minutes } min
alert-sla-breach = SLA deadline passed: { $customer }
alert-sla-breach-many = { $count ->
        [one] 1 ticket
       *[other] { $count } tickets
    } past their SLA deadline
# One line of an alert's body.
alert-line = { $customer }: { $text }
alert-line-count = { $customer } ({ $count }): { $text }
alert-more = … and { $count ->
        [one] 1 more conversation
       *[other] { $count } more conversations
    }

## Phrases and shortcuts

phrases-button = Phrases
phrases-heading = Phrases
close-dialog = Close
phrase-search-hint = Search titles, text, keywords and categories
all-categories = All
no-phrases = The phrase library is empty. Import phrases with: kefu phrases import FILE
no-phrases-found = No phrase matches the search and category.
insert-phrase = Insert
insert-and-send-phrase = Insert and send
suggested-by-rule = Suggested by a rule
suggested-for-message = Suggested
no-unanswered = No conversation is waiting for a reply.
no-conversation-for-phrases = Open a conversation in the focused pane first, so the phrases can be filled in for it.
shortcuts-button = Shortcuts
shortcuts-heading = Keyboard shortcuts
conversation-search-hint = Search conversations
no-conversations-found = No conversation matches the search.
# The line under a phrase's preview for placeholders without a value.
# $names and $markers are lists joined by list-separator.
phrase-missing-values = No value for { $names }, so the text shows { $markers } there. Replace it in the draft before sending.
phrase-agent-hint = Set KEFU_AGENT to an agent's name to fill [agent.name?].
unfilled-placeholders = Replace { $placeholders } with the text the customer should read. The draft cannot be sent while it contains a placeholder.
phrases-failed = Could not open the phrases: { $error }
phrase-use-failed = Phrase { $phrase } was inserted, but counting its use failed: { $error }
shortcut-scope-workbench = Workbench
shortcut-scope-phrase-picker = Phrase picker
shortcut-scope-shortcut-list = This list
shortcut-next-unanswered = Open the next conversation waiting for a reply
shortcut-next-pane = Focus the next pane
shortcut-previous-pane = Focus the previous pane
shortcut-open-phrases = Open the phrases for the focused pane's draft
shortcut-send = Send the focused pane's draft
shortcut-close-pane = Close the focused pane
shortcut-focus-search = Search the conversations
shortcut-show-shortcuts = Show this list
shortcut-open-settings = Open the settings
shortcut-open-todo = Open the to-do panel
shortcut-insert-phrase = Insert the selected phrase into the draft
shortcut-insert-phrase-and-send = Insert the selected phrase and send the draft
shortcut-select-next-phrase = Select the next phrase
shortcut-select-previous-phrase = Select the previous phrase
shortcut-close-dialog = Close
# A button label or hint with the keys of its shortcut, such as "Insert (Enter)".
with-keys = { $label } ({ $keys })
# Key names in shortcuts such as Ctrl+Shift+Tab.
key-ctrl = Ctrl
key-cmd = Cmd
key-shift = Shift
key-up = Up
key-down = Down
key-escape = Esc

## The To-do screen

# The top bar button that opens the To-do screen, and its heading.
todo = To-do
todo-filters = Filters:
todo-everyone = Everyone
todo-mine = Mine
todo-unassigned = Unassigned
todo-overdue = Overdue
todo-clear-filters = Clear filters
todo-tag-filter-placeholder = Tag, then Enter
todo-select-visible = Select visible
todo-clear-selection = Clear selection
todo-set-status = Status:
todo-set-priority = Priority:
todo-agent-placeholder = Agent name
todo-assign = Assign
todo-unassign = Unassign
todo-tag-placeholder = Tag
todo-add-tag = Add tag
todo-none-left = Nothing to do: no unfinished ticket matches the filters.
todo-tasks = Tasks
# Column headers of the list, in column order after the checkbox.
todo-column-id = ID
todo-column-status = Status
todo-column-priority = Priority
todo-column-due = Due
todo-column-assignee = Assignee
todo-column-customer = Customer
todo-column-subject = Subject
todo-tags = Tags
todo-no-due = -
todo-nobody = -
todo-paused = Paused
todo-merged = Merged
todo-detail-close = Close
todo-open-conversation = Open conversation
todo-history = History
todo-work-log = Work log
todo-notes = Notes
todo-no-work = No work logged.
todo-no-notes = No notes.
# The count above the list, for example "1,204 unfinished tickets".
todo-matching = { $count ->
        [one] 1 unfinished ticket
       *[other] { $count } unfinished tickets
    }
todo-selected = { $count } selected
todo-select-matching = Select all { $count }
todo-merge-into = Merge into #{ $target }
todo-merge-hint = To merge, open the ticket to keep and select the others.
# The result line of a bulk change: how many tickets changed, how many had
# the value already, and each skipped ticket with its reason. $action is
# one of the todo-action messages, $reasons the skipped tickets joined by
# todo-reason-separator.
todo-ticket-count = { $count ->
        [one] 1 ticket
       *[other] { $count } tickets
    }
todo-bulk-changed = { $action }: { $tickets } changed
todo-bulk-unchanged = , { $tickets } unchanged
todo-bulk-skipped = , { $tickets } skipped ({ $reasons })
todo-skip-reason = #{ $ticket }: { $reason }
todo-reason-separator = {"; "}
todo-action-status = Status { $status }
todo-action-priority = Priority { $priority }
todo-action-assign = Assign to { $agent }
todo-action-unassign = Unassign
todo-action-tag = Tag { $tag }
todo-bulk-failed = Nothing was changed: { $error }
todo-nothing-selected = Select tickets first, with the boxes on the left.
# A ticket's due time relative to now, for example "overdue 2h 5m" or
# "in 3h 10m"; $span is made of the span messages.
todo-overdue-by = overdue { $span }
todo-due-in = in { $span }
todo-span-minutes = { $minutes }m
todo-span-hours = { $hours }h { $minutes }m
todo-span-days = { $days }d { $hours }h
todo-ticket-heading = #{ $id } { $subject }
# One field line of the detail column.
todo-field = { $name }: { $value }
todo-work-total = { todo-work-log } ({ $minutes } min)
todo-work-entry = { $agent }, { $minutes } min: { $summary }
# A task line: its title, then its due time and assignee when it has them.
todo-task-due = , due { $due }
todo-task-assignee = , { $assignee }
todo-more-tasks = and { $count } more (kefu tasks lists them all)
todo-summary = { $matching }, { $selected }
# One line of a ticket's history: time, actor, what changed and the reason.
todo-history-line = { $time }  { $actor }  { $change }
todo-history-line-reason = { $time }  { $actor }  { $change } ({ $reason })
# A field change in the history, for example "status: open → in-progress".
todo-history-change = { $field }: { $from } → { $to }
# Kinds of events in a ticket's history, in English as the database
# stores them.
todo-history-kind-created = created
todo-history-kind-status = status
todo-history-kind-priority = priority
todo-history-kind-type = type
todo-history-kind-assignee = assignee
todo-history-kind-first-response = first-response
todo-history-kind-merged = merged
todo-history-kind-merged-into = merged-into
todo-history-kind-phrase-send = phrase-send
todo-history-kind-phrase-suggested = phrase-suggested
todo-history-kind-reply-queued = reply-queued
todo-history-kind-reply-withheld = reply-withheld
# Stands for an empty value in a history line, such as no assignee.
todo-none = none
todo-history-tag = tag added: { $tag }
todo-history-work = work logged: { $minutes } min, { $summary }
todo-history-note = note: { $text }
# A note in the Notes section: time, author and text.
todo-note = { $time }  { $actor }: { $text }

## The Settings screen

settings = Settings
settings-appearance = Appearance
settings-theme = Theme
settings-theme-system = Same as the system
settings-theme-light = Light
settings-theme-dark = Dark
settings-language = Language
settings-language-system = Same as the system
# The languages are named in their own language in every translation.
settings-language-en = English
settings-language-zh-cn = 简体中文
settings-save = Save
settings-appearance-saved = Saved to { $path }. The theme and language apply now; lines shown before the change keep their language until Kefu restarts.
settings-alerts = Alerts
settings-alerts-scope = Save for
settings-alerts-everyone = Everyone
settings-alerts-only-me = Only me ([agent.{ $agent }])
settings-tier = Alert
settings-tier-enabled = On
settings-tier-attention = Flash the taskbar
settings-tier-desktop = Desktop notification
settings-tier-sound = Sound
settings-group-window = Group alerts within (seconds)
settings-reminder-after = Remind of an unanswered message after (minutes)
settings-sla-warning-before = Warn before an SLA deadline (minutes)
settings-quiet-hours = Quiet hours
settings-quiet-start = From
settings-quiet-end = Until
settings-number-invalid = { $field }: "{ $value }" is out of range; enter a whole number from { $min } to { $max }.
settings-time-invalid = { $field }: "{ $value }" is not a time of day; enter it as HH:MM in 24-hour time, like 22:00.
settings-quiet-same = Quiet hours start and end at { $time }; enter two different times, or turn quiet hours off.
settings-sound-file = Sound file (WAV or Ogg Vorbis)
settings-sound-file-placeholder = Empty for the built-in sound; relative to the configuration folder
settings-sound-invalid = Sound file { $path } cannot be played: { $reason }. Choose a WAV or Ogg Vorbis file, or leave the field empty for the built-in sound.
settings-important-priorities = Priorities that alert as important
settings-important-priorities-hint = Messages on tickets of these priorities, and from customers in a VIP tier, raise the important alert.
settings-time-zone-section = Reports and SLA
settings-time-zone = Time zone
settings-time-zone-hint = An IANA name such as Asia/Shanghai or Europe/Berlin. Report periods and SLA business hours are counted in it. Saved to sla.toml; Kefu uses it after a restart.
settings-time-zone-invalid = Time zone: "{ $value }" is not an IANA time zone; enter a name like Asia/Shanghai or UTC.
settings-sla-file-kept = sla.toml cannot be used: { $error }. Saving leaves it unchanged; fix the file in an editor.
settings-time-zone-saved = Saved time zone { $zone } to { $path }. Reports and SLA deadlines use it after Kefu restarts.
settings-not-saved = Nothing was saved: correct the fields marked in red.
settings-alerts-saved = Saved to { $path }. The new alert settings apply now.
settings-alerts-overridden = Saved to { $path }, but your own table [agent.{ $agent }] sets some of these values differently, and for you it wins. Choose "Only me" to change them for yourself.
settings-file-kept = Saving leaves { $file } unchanged while it has this error, and Kefu runs on the defaults. Fix the file in an editor, or press "Replace file": Kefu renames the file with ".broken" and the time added to its name and writes a new one with the settings shown here.
settings-replace = Replace file
settings-replaced = Renamed the broken file to { $backup } and saved the settings to { $path }.
settings-save-failed = Saving failed: { $error }
settings-no-folder = Kefu was started without a configuration folder, so these settings cannot be saved. Start it with --config DIR.
settings-profile = Profile
settings-agent-name = Agent: { $agent }
settings-agent-source = Kefu takes the agent name from the KEFU_AGENT environment variable, else the login name.
settings-agent-missing = The database has no agent { $agent } yet. Saving adds one with this profile.
settings-display-name = Display name (fills {"{{"}agent.name{"}}"} in phrases)
settings-available = Available for new tickets
settings-profile-note = The profile is kept in the database, where routing and the phrases read it.
settings-display-name-invalid = Display name: { $error }
settings-no-database = The database is not open, so the profile cannot be saved.
settings-profile-saved = Saved the profile of { $agent }.
settings-profile-added = Added agent { $agent } with this profile.
# A ui.toml whose theme is unknown; $error names the file, line and column.
settings-theme-invalid = Invalid theme setting: { $error }. Kefu follows the system's theme until the file is fixed.

## The form that saves, renames and deletes saved views

saved-view-save-as = Save as view
saved-view-edit-button = Edit
saved-view-save-title = Save the current filters as a view
saved-view-edit-title = Saved view { $name }
saved-view-name-placeholder = View name
saved-view-save = Save
saved-view-rename = Rename
saved-view-overwrite = Replace that view
saved-view-replace-filter = Use the current filters
saved-view-replace-filter-hint = Use the current filters replaces this view's filters with those set on the To-do screen.
saved-view-delete = Delete
saved-view-cancel = Cancel
saved-view-confirm-delete = Delete the saved view { $name }? Its tickets stay as they are.
saved-view-name-empty = Enter a name for the view.
saved-view-name-too-long = The name has { $length } characters; use at most { $max }.
saved-view-name-taken-overwrite = A view named { $name } exists already. Enter another name, or press Replace that view to overwrite its filters.
saved-view-name-taken = A view named { $name } exists already. Enter another name.
saved-view-overdue-not-saved = The Overdue filter compares with the current time, so a saved view cannot keep it. Turn it off on the To-do screen, then save.
saved-view-gone = No saved view is called { $name } any more; another window or kefu tickets views removed it.
saved-view-no-database = The database is not open, so the view cannot be saved. Press { refresh } to try again.
saved-view-write-failed = Could not write the saved view: { $error }
saved-view-saved = Saved view { $name }.
saved-view-renamed = Renamed view { $from } to { $to }.
saved-view-filter-replaced = Replaced the filters of view { $name }.
saved-view-deleted = Deleted view { $name }.
