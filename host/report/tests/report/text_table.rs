//! Plain text tables.

use kefu_report::{Cell, Table, table_text};

use crate::sample;

fn text(value: &str) -> Cell {
    Cell::Text(value.to_string())
}

#[test]
fn table_text_aligns_cjk() {
    let table = Table {
        columns: vec!["渠道".to_string(), "count".to_string(), "note".to_string()],
        rows: vec![
            vec![text("邮件"), Cell::Integer(12), text("ok")],
            vec![text("chat"), Cell::Number(3.5), text("已回复")],
            vec![text("电话 (phone)"), Cell::Empty, Cell::Empty],
        ],
    };
    let expected = "\
渠道          count  note
------------  -----  ------
邮件             12  ok
chat            3.5  已回复
电话 (phone)
";
    assert_eq!(table_text(&table), expected);
}

#[test]
fn table_text_left_aligns_mixed_columns() {
    let table = Table {
        columns: vec!["id".to_string()],
        rows: vec![vec![Cell::Integer(7)], vec![text("A-100")]],
    };
    assert_eq!(table_text(&table), "id\n-----\n7\nA-100\n");
}

#[test]
fn table_text_keeps_rows_on_one_line() {
    let text_table = table_text(&sample::table());
    assert_eq!(text_table.lines().count(), 4, "{text_table}");
    assert!(
        text_table.contains("He said \"hi\", then left"),
        "{text_table}"
    );
}

#[test]
fn table_text_without_rows_has_header() {
    let table = Table {
        columns: vec!["客户".to_string(), "n".to_string()],
        rows: Vec::new(),
    };
    assert_eq!(table_text(&table), "客户  n\n----  -\n");
}

#[test]
fn table_text_without_columns_is_empty() {
    let table = Table {
        columns: Vec::new(),
        rows: Vec::new(),
    };
    assert_eq!(table_text(&table), "");
}
