//! Sample views shared by the tests.

use kefu_report::{Cell, Chart, ChartKind, Series, Table};

pub const TITLE: &str = "各渠道消息数 (Messages & replies)";
pub const CATEGORIES: [&str; 4] = ["邮件", "聊天", "电话", "A&B"];

/// A chart of two series over four categories, one of them with a
/// character that SVG must escape.
pub fn chart(kind: ChartKind) -> Chart {
    Chart {
        kind,
        title: TITLE.to_string(),
        categories: CATEGORIES.iter().map(|c| c.to_string()).collect(),
        series: vec![
            Series {
                name: "收到".to_string(),
                values: vec![120.0, 45.5, 30.0, 8.0],
            },
            Series {
                name: "回复".to_string(),
                values: vec![100.0, 40.0, 12.0, 0.0],
            },
        ],
        x_label: "渠道".to_string(),
        y_label: "消息数".to_string(),
    }
}

pub fn all_kinds() -> [ChartKind; 4] {
    [
        ChartKind::Bar,
        ChartKind::Line,
        ChartKind::Pie,
        ChartKind::Heatmap,
    ]
}

/// A table with every kind of cell and text that CSV must quote.
pub fn table() -> Table {
    Table {
        columns: vec![
            "客户".to_string(),
            "subject, first line".to_string(),
            "messages".to_string(),
            "hours".to_string(),
        ],
        rows: vec![
            vec![
                Cell::Text("王芳".to_string()),
                Cell::Text("退款申请：订单 12345".to_string()),
                Cell::Integer(3),
                Cell::Number(1.5),
            ],
            vec![
                Cell::Text("li.lei@example.cn".to_string()),
                Cell::Text("He said \"hi\",\nthen left".to_string()),
                Cell::Integer(-2),
                Cell::Empty,
            ],
        ],
    }
}
