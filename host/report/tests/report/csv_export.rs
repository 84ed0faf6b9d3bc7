//! CSV export of tables and charts, read back with the csv crate.

use kefu_report::{Cell, ChartKind, Table, chart_csv, guard_formula, table_csv};

use crate::sample;

/// Parses CSV into its header and records.
fn read_csv(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header = reader
        .headers()
        .expect("CSV header")
        .iter()
        .map(str::to_string)
        .collect();
    let records = reader
        .records()
        .map(|record| {
            record
                .expect("CSV record")
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    (header, records)
}

#[test]
fn table_csv_round_trips() {
    let table = sample::table();
    let (header, records) = read_csv(&table_csv(&table));
    assert_eq!(header, table.columns);
    assert_eq!(
        records,
        vec![
            vec!["王芳", "退款申请：订单 12345", "3", "1.5"],
            vec!["li.lei@example.cn", "He said \"hi\",\nthen left", "-2", ""],
        ]
    );
}

#[test]
fn table_csv_quotes_only_where_needed() {
    let csv = table_csv(&sample::table());
    let first_line = csv.lines().next().unwrap();
    assert_eq!(first_line, r#"客户,"subject, first line",messages,hours"#);
    assert!(
        csv.contains(
            r#""He said ""hi"",
then left""#
        ),
        "{csv}"
    );
}

#[test]
fn table_csv_guards_formulas() {
    let table = Table {
        columns: vec!["=cmd".to_string(), "value".to_string()],
        rows: [
            "=SUM(A1:A9)",
            "+1",
            "-1",
            "@SUM(A1)",
            "\t=1",
            "\r=1",
            "a=b",
            "",
        ]
        .into_iter()
        .map(|text| vec![Cell::Text(text.to_string()), Cell::Integer(-5)])
        .collect(),
    };
    let (header, records) = read_csv(&table_csv(&table));
    assert_eq!(header, vec!["'=cmd", "value"]);
    let first_fields: Vec<&str> = records.iter().map(|record| record[0].as_str()).collect();
    assert_eq!(
        first_fields,
        vec![
            "'=SUM(A1:A9)",
            "'+1",
            "'-1",
            "'@SUM(A1)",
            "'\t=1",
            "'\r=1",
            "a=b",
            ""
        ]
    );
    for record in &records {
        assert_eq!(record[1], "-5", "integer cells must stay numbers");
    }
}

#[test]
fn guard_formula_leaves_plain_text() {
    assert_eq!(guard_formula("邮件"), "邮件");
    assert_eq!(guard_formula(""), "");
    assert_eq!(guard_formula(" =1"), " =1");
    assert_eq!(guard_formula("-"), "'-");
}

#[test]
fn table_csv_without_rows_has_header() {
    let table = Table {
        columns: vec!["a".to_string(), "b".to_string()],
        rows: Vec::new(),
    };
    assert_eq!(table_csv(&table), "a,b\n");
}

#[test]
fn chart_csv_has_category_rows() {
    let chart = sample::chart(ChartKind::Bar);
    let (header, records) = read_csv(&chart_csv(&chart));
    assert_eq!(header, vec!["渠道", "收到", "回复"]);
    assert_eq!(records.len(), chart.categories.len());
    for (index, record) in records.iter().enumerate() {
        assert_eq!(record[0], chart.categories[index]);
        for (series_index, series) in chart.series.iter().enumerate() {
            let value: f64 = record[series_index + 1].parse().unwrap();
            assert_eq!(
                value, series.values[index],
                "row {index}, series {series_index}"
            );
        }
    }
}

#[test]
fn chart_csv_defaults_category_header() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.x_label.clear();
    chart.categories[0] = "=bad".to_string();
    chart.series[0].name = "@series".to_string();
    let (header, records) = read_csv(&chart_csv(&chart));
    assert_eq!(header, vec!["category", "'@series", "回复"]);
    assert_eq!(records[0][0], "'=bad");
}

#[test]
fn chart_csv_keeps_exact_values() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.series[0].values[0] = 0.1 + 0.2;
    chart.series[0].values[1] = -1e-300;
    let (_, records) = read_csv(&chart_csv(&chart));
    assert_eq!(records[0][1].parse::<f64>().unwrap(), 0.1 + 0.2);
    assert_eq!(records[1][1].parse::<f64>().unwrap(), -1e-300);
}
