//! A report widget whose `render` panics, which the host reports as a trap.
//! Its `describe` works, so the host gets as far as running its dataset.

use kefu_plugin_sdk::widget::exports::kefu::plugin::widget::{
    Dataset, Description, Guest, ParameterValue, View,
};

pub struct TrappingWidget;

impl Guest for TrappingWidget {
    fn describe() -> Description {
        Description {
            title: "Trapping widget (test widget)".to_string(),
            parameters: Vec::new(),
            datasets: vec!["tickets-by-status".to_string()],
        }
    }

    fn render(_parameters: Vec<ParameterValue>, _datasets: Vec<Dataset>) -> Result<View, String> {
        panic!("trapping-widget always panics in render")
    }
}

#[cfg(target_arch = "wasm32")]
kefu_plugin_sdk::export_widget!(TrappingWidget);
