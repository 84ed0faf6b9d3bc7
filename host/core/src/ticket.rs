//! Ticket vocabulary: the types, priorities and statuses a ticket can have.
//!
//! NOTE: these lists are fixed for now; a configurable lifecycle will
//! replace them with values read from TOML.

/// Ticket types, as `(id, English label, Chinese label)`.
pub const TICKET_TYPES: &[(&str, &str, &str)] = &[
    ("pre-sales", "Pre-sales", "售前"),
    ("after-sales", "After-sales", "售后"),
    ("technical-support", "Technical support", "技术支持"),
    ("complaint", "Complaint", "投诉"),
];

/// Priorities, as `(id, English label, Chinese label)`.
pub const PRIORITIES: &[(&str, &str, &str)] = &[
    ("normal", "Normal", "普通"),
    ("urgent", "Urgent", "加急"),
    ("high", "High", "高优先"),
];

/// Statuses, as `(id, English label, Chinese label)`.
pub const STATUSES: &[(&str, &str, &str)] = &[
    ("open", "Open", "未处理"),
    ("in-progress", "In progress", "处理中"),
    ("waiting-on-customer", "Waiting on customer", "待客户回复"),
    ("resolved", "Resolved", "已解决"),
    ("closed", "Closed", "已关闭"),
];

/// True when `id` is a known status.
pub fn is_status(id: &str) -> bool {
    STATUSES.iter().any(|(known, _, _)| *known == id)
}

/// True when `id` is a known ticket type.
pub fn is_ticket_type(id: &str) -> bool {
    TICKET_TYPES.iter().any(|(known, _, _)| *known == id)
}

/// True when `id` is a known priority.
pub fn is_priority(id: &str) -> bool {
    PRIORITIES.iter().any(|(known, _, _)| *known == id)
}

/// Comma-separated ids of a vocabulary, for error messages.
pub fn ids(vocabulary: &[(&str, &str, &str)]) -> String {
    vocabulary
        .iter()
        .map(|(id, _, _)| *id)
        .collect::<Vec<_>>()
        .join(", ")
}
