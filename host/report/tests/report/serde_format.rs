//! JSON form of the model, which uses the WIT file's kebab-case names.

use kefu_report::{Cell, ChartKind, View};

use crate::sample;

#[test]
fn chart_json_uses_wit_names() {
    let view = View::Chart(sample::chart(ChartKind::Heatmap));
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(json["chart"]["kind"], "heatmap");
    assert_eq!(json["chart"]["x-label"], "渠道");
    assert_eq!(json["chart"]["series"][0]["values"][1], 45.5);
    let back: View = serde_json::from_value(json).unwrap();
    assert_eq!(back, view);
}

#[test]
fn table_json_round_trips() {
    let view = View::Table(sample::table());
    let json = serde_json::to_value(&view).unwrap();
    assert_eq!(
        json["table"]["rows"][0][2],
        serde_json::json!({ "integer": 3 })
    );
    assert_eq!(json["table"]["rows"][1][3], "empty");
    let back: View = serde_json::from_value(json).unwrap();
    assert_eq!(back, view);
    assert_eq!(
        serde_json::from_str::<Cell>(r#"{"number": 2.5}"#).unwrap(),
        Cell::Number(2.5)
    );
}
