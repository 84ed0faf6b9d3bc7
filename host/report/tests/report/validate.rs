//! Validation of tables and charts: one test per rule.

use kefu_report::{
    Cell, Chart, ChartKind, MAX_ABS_VALUE, MAX_CATEGORIES, MAX_CHART_VALUES, MAX_LABEL_CHARS,
    MAX_SERIES, MAX_TABLE_CELLS, MAX_TABLE_COLUMNS, ReportError, Series, Table, View, validate,
};

use crate::sample;

fn table_error(table: Table) -> ReportError {
    validate(&View::Table(table)).expect_err("table should be invalid")
}

fn chart_error(chart: Chart) -> ReportError {
    validate(&View::Chart(chart)).expect_err("chart should be invalid")
}

fn columns(count: usize) -> Vec<String> {
    (0..count).map(|index| format!("c{index}")).collect()
}

fn series(name: &str, values: Vec<f64>) -> Series {
    Series {
        name: name.to_string(),
        values,
    }
}

#[test]
fn samples_are_valid() {
    validate(&View::Table(sample::table())).unwrap();
    for kind in sample::all_kinds() {
        validate(&View::Chart(sample::chart(kind))).unwrap();
    }
}

#[test]
fn table_without_rows_is_valid() {
    let table = Table {
        columns: columns(2),
        rows: Vec::new(),
    };
    validate(&View::Table(table)).unwrap();
}

#[test]
fn table_without_columns_is_rejected() {
    let error = table_error(Table {
        columns: Vec::new(),
        rows: Vec::new(),
    });
    assert!(matches!(error, ReportError::NoColumns), "{error}");
}

#[test]
fn short_row_is_rejected() {
    let mut table = sample::table();
    table.rows[1].pop();
    let error = table_error(table);
    assert!(
        matches!(
            error,
            ReportError::RowLength {
                row: 1,
                cells: 3,
                columns: 4
            }
        ),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains("row 1 has 3 cells"), "{message}");
    assert!(message.contains("one cell per column"), "{message}");
}

#[test]
fn long_row_is_rejected() {
    let mut table = sample::table();
    table.rows[0].push(Cell::Empty);
    let error = table_error(table);
    assert!(
        matches!(
            error,
            ReportError::RowLength {
                row: 0,
                cells: 5,
                ..
            }
        ),
        "{error}"
    );
}

#[test]
fn non_finite_cell_is_rejected() {
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut table = sample::table();
        table.rows[1][3] = Cell::Number(value);
        let error = table_error(table);
        assert!(
            matches!(&error, ReportError::NonFiniteCell { row: 1, column, .. } if column == "hours"),
            "{value}: {error}"
        );
        assert!(error.to_string().contains("empty cell"), "{error}");
    }
}

#[test]
fn too_many_columns_is_rejected() {
    let error = table_error(Table {
        columns: columns(MAX_TABLE_COLUMNS + 1),
        rows: Vec::new(),
    });
    assert!(
        matches!(error, ReportError::TooManyColumns { .. }),
        "{error}"
    );
}

#[test]
fn too_many_cells_is_rejected() {
    let column_count = 10;
    let rows = MAX_TABLE_CELLS / column_count + 1;
    let error = table_error(Table {
        columns: columns(column_count),
        rows: vec![vec![Cell::Empty; column_count]; rows],
    });
    assert!(
        matches!(error, ReportError::TooManyCells { cells, .. } if cells == rows * column_count),
        "{error}"
    );
}

#[test]
fn chart_without_categories_is_rejected() {
    let mut chart = sample::chart(ChartKind::Bar);
    chart.categories.clear();
    let error = chart_error(chart);
    assert!(matches!(error, ReportError::NoCategories { .. }), "{error}");
    assert!(error.to_string().contains(sample::TITLE), "{error}");
}

#[test]
fn chart_without_series_is_rejected() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.series.clear();
    let error = chart_error(chart);
    assert!(matches!(error, ReportError::NoSeries { .. }), "{error}");
}

#[test]
fn too_many_categories_is_rejected() {
    let mut chart = sample::chart(ChartKind::Bar);
    chart.categories = columns(MAX_CATEGORIES + 1);
    chart.series = vec![series("n", vec![1.0; MAX_CATEGORIES + 1])];
    let error = chart_error(chart);
    assert!(
        matches!(error, ReportError::TooManyCategories { categories, .. } if categories == MAX_CATEGORIES + 1),
        "{error}"
    );
}

#[test]
fn too_many_series_is_rejected() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.categories = columns(1);
    chart.series = (0..=MAX_SERIES)
        .map(|index| series(&index.to_string(), vec![1.0]))
        .collect();
    let error = chart_error(chart);
    assert!(
        matches!(error, ReportError::TooManySeries { .. }),
        "{error}"
    );
}

#[test]
fn too_many_values_is_rejected() {
    // Each count is within its own limit, but the product is not.
    let categories = MAX_CATEGORIES;
    let series_count = MAX_CHART_VALUES / categories + 1;
    assert!(series_count <= MAX_SERIES);
    let mut chart = sample::chart(ChartKind::Heatmap);
    chart.categories = columns(categories);
    chart.series = (0..series_count)
        .map(|index| series(&index.to_string(), vec![1.0; categories]))
        .collect();
    let error = chart_error(chart);
    assert!(
        matches!(error, ReportError::TooManyValues { values, .. } if values == categories * series_count),
        "{error}"
    );
}

#[test]
fn long_label_is_rejected() {
    let long = "长".repeat(MAX_LABEL_CHARS + 1);

    let mut chart = sample::chart(ChartKind::Bar);
    chart.categories[2] = long.clone();
    let error = chart_error(chart);
    assert!(
        matches!(&error, ReportError::LabelTooLong { label, .. } if label == "category 2"),
        "{error}"
    );

    let mut chart = sample::chart(ChartKind::Bar);
    chart.title = long.clone();
    let error = chart_error(chart);
    assert!(
        matches!(&error, ReportError::LabelTooLong { label, .. } if label == "title"),
        "{error}"
    );

    let mut chart = sample::chart(ChartKind::Bar);
    chart.series[1].name = long;
    let error = chart_error(chart);
    assert!(
        matches!(&error, ReportError::LabelTooLong { label, .. } if label == "name of series 1"),
        "{error}"
    );
}

#[test]
fn series_length_mismatch_is_rejected() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.series[1].values.push(1.0);
    let error = chart_error(chart);
    assert!(
        matches!(
            &error,
            ReportError::SeriesLength { index: 1, values: 5, categories: 4, name } if name == "回复"
        ),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains(r#"series 1 ("回复")"#), "{message}");
    assert!(message.contains("one value per category"), "{message}");
}

#[test]
fn non_finite_value_is_rejected() {
    for value in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let mut chart = sample::chart(ChartKind::Bar);
        chart.series[0].values[1] = value;
        let error = chart_error(chart);
        assert!(
            matches!(&error, ReportError::NonFiniteValue { index: 0, category, .. } if category == "聊天"),
            "{value}: {error}"
        );
    }
}

#[test]
fn huge_value_is_rejected() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.series[1].values[0] = -MAX_ABS_VALUE * 10.0;
    let error = chart_error(chart);
    assert!(
        matches!(error, ReportError::ValueOutOfRange { index: 1, .. }),
        "{error}"
    );
}

#[test]
fn negative_pie_value_is_rejected() {
    let mut chart = sample::chart(ChartKind::Pie);
    chart.series[0].values[3] = -1.0;
    let error = chart_error(chart);
    assert!(
        matches!(&error, ReportError::NegativePieValue { category, .. } if category == "A&B"),
        "{error}"
    );
}

#[test]
fn zero_pie_is_rejected() {
    let mut chart = sample::chart(ChartKind::Pie);
    chart.series[0].values = vec![0.0; 4];
    let error = chart_error(chart);
    assert!(matches!(error, ReportError::EmptyPie { .. }), "{error}");
}

#[test]
fn pie_checks_only_first_series() {
    let mut chart = sample::chart(ChartKind::Pie);
    chart.series[1].values = vec![-1.0, 0.0, 0.0, 0.0];
    validate(&View::Chart(chart)).unwrap();
}

#[test]
fn negative_bar_value_is_valid() {
    let mut chart = sample::chart(ChartKind::Bar);
    chart.series[0].values[0] = -40.0;
    validate(&View::Chart(chart)).unwrap();
}
