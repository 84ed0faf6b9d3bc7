//! The plugin side of the ABI: the [`NativeRule`] trait and the functions
//! that [`export_native_rule!`](crate::export_native_rule) puts in a
//! plugin's [`PluginTable`].

use std::any::Any;
use std::panic::{self, AssertUnwindSafe};

use crate::{
    ABI_VERSION, Action, Buffer, Event, PluginTable, STATUS_ERROR, STATUS_INVALID_EVENT, STATUS_OK,
    STATUS_PANIC, StaticStr,
};

/// A ticket rule compiled into a native shared library.
///
/// The host may call [`NativeRule::on_event`] from several threads at once,
/// so any state the rule keeps in statics must be thread-safe (Rust's
/// `Sync` rules for statics already enforce that).
pub trait NativeRule {
    /// Returns the plugin's manifest: `plugin.toml` text with `kind = "rule"`.
    fn manifest() -> &'static str;

    /// Returns the actions to take for an event.
    fn on_event(event: Event) -> Vec<Action>;
}

/// Exports a [`NativeRule`] implementation as the library's
/// `kefu_native_plugin_v1` symbol.
///
/// Use it once, in a crate with `crate-type = ["cdylib"]`. A panic in the
/// rule is caught and returned to the host as an error, which needs
/// `panic = "unwind"`, Rust's default. With `panic = "abort"` a panic would
/// end the host process, so the expansion fails to compile.
#[macro_export]
macro_rules! export_native_rule {
    ($rule:ty) => {
        #[cfg(panic = "abort")]
        compile_error!(
            "native Kefu plugins must be built with panic = \"unwind\": with \
             panic = \"abort\" a panic in the plugin ends the host process"
        );

        /// Returns this library's Kefu native plugin table.
        #[unsafe(no_mangle)]
        pub extern "C" fn kefu_native_plugin_v1() -> *const $crate::PluginTable {
            static TABLE: $crate::PluginTable = $crate::guest::plugin_table::<$rule>();
            &TABLE
        }
    };
}

/// Builds the version 1 table for `R`. Used by
/// [`export_native_rule!`](crate::export_native_rule).
#[doc(hidden)]
pub const fn plugin_table<R: NativeRule>() -> PluginTable {
    PluginTable {
        abi_version: ABI_VERSION,
        manifest: Some(manifest_entry::<R>),
        on_event: Some(on_event_entry::<R>),
        free_buffer: Some(free_buffer_entry),
    }
}

/// Returns `R`'s manifest, or [`StaticStr::NULL`] when `R::manifest` panics.
extern "C" fn manifest_entry<R: NativeRule>() -> StaticStr {
    match panic::catch_unwind(R::manifest) {
        Ok(text) => StaticStr::new(text),
        Err(payload) => {
            drop_payload(payload);
            StaticStr::NULL
        }
    }
}

/// Decodes the event, runs `R::on_event` and writes the encoded actions or
/// an error message to `output`. No panic leaves this function.
///
/// # Safety
///
/// `input_ptr` must point to `input_len` readable bytes, or be null with
/// `input_len` zero, and `output` must be valid for a write of a `Buffer`.
unsafe extern "C" fn on_event_entry<R: NativeRule>(
    input_ptr: *const u8,
    input_len: usize,
    output: *mut Buffer,
) -> i32 {
    if output.is_null() {
        return STATUS_ERROR;
    }
    let input: &[u8] = if input_ptr.is_null() || input_len == 0 {
        &[]
    } else {
        // SAFETY: the caller guarantees that `input_ptr` points to
        // `input_len` bytes that stay valid during this call.
        unsafe { std::slice::from_raw_parts(input_ptr, input_len) }
    };

    let (status, bytes) = match panic::catch_unwind(AssertUnwindSafe(|| handle_event::<R>(input))) {
        Ok(result) => result,
        Err(payload) => {
            let message = panic_message(payload.as_ref());
            drop_payload(payload);
            (STATUS_PANIC, message.into_bytes())
        }
    };
    // SAFETY: `output` is non-null and the caller guarantees it is valid for
    // a write. `write` does not read or drop the old value, which the caller
    // may have left uninitialised.
    unsafe { output.write(Buffer::from_vec(bytes)) };
    status
}

/// Returns the status and the output bytes for one encoded event.
fn handle_event<R: NativeRule>(input: &[u8]) -> (i32, Vec<u8>) {
    let event: Event = match serde_json::from_slice(input) {
        Ok(event) => event,
        Err(error) => {
            let message = format!("the event is not valid JSON for the rule interface: {error}");
            return (STATUS_INVALID_EVENT, message.into_bytes());
        }
    };
    let actions = R::on_event(event);
    match serde_json::to_vec(&actions) {
        Ok(bytes) => (STATUS_OK, bytes),
        Err(error) => {
            let message = format!("the actions could not be encoded as JSON: {error}");
            (STATUS_ERROR, message.into_bytes())
        }
    }
}

/// Frees a buffer made by [`on_event_entry`].
///
/// # Safety
///
/// `buffer` must come from `on_event_entry` in this library, unchanged, and
/// must not have been freed before.
unsafe extern "C" fn free_buffer_entry(buffer: Buffer) {
    // SAFETY: the caller guarantees the buffer came from `Buffer::from_vec`
    // in this library and is freed only once.
    drop(unsafe { buffer.into_vec() });
}

/// Returns the text of a panic payload: the `&str` or `String` that
/// `panic!` formats, or a placeholder for other payload types.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "(the panic payload is not a string)".to_owned()
    }
}

/// Drops a panic payload without letting a panic in its `Drop` escape.
/// A payload whose `Drop` panics is leaked.
fn drop_payload(payload: Box<dyn Any + Send>) {
    if let Err(nested) = panic::catch_unwind(AssertUnwindSafe(move || drop(payload))) {
        std::mem::forget(nested);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct EchoTier;

    impl NativeRule for EchoTier {
        fn manifest() -> &'static str {
            "id = \"echo-tier\""
        }

        fn on_event(event: Event) -> Vec<Action> {
            if event.customer.tier == "panic" {
                panic!("tier {} is not allowed", event.customer.tier);
            }
            vec![Action::AddTag(event.customer.tier)]
        }
    }

    fn event_json(tier: &str) -> Vec<u8> {
        serde_json::to_vec(&serde_json::json!({
            "kind": "ticket-created",
            "conversation": {"id": 1, "channel": "chat", "message-count": 2, "ticket": null},
            "customer": {
                "id": 4,
                "name": null,
                "tier": tier,
                "history": {"earlier-conversations": 0, "tickets": 1, "open-tickets": 1, "first-contact": null}
            }
        }))
        .unwrap()
    }

    /// Calls the table's `on_event` the way a host does and returns the
    /// status and the output text.
    fn call(table: &PluginTable, input: &[u8]) -> (i32, String) {
        let mut output = Buffer::EMPTY;
        // SAFETY: `input` is a live slice and `output` a live local.
        let status = unsafe { table.on_event.unwrap()(input.as_ptr(), input.len(), &mut output) };
        // SAFETY: `on_event` just wrote `output` from a `Vec`.
        let text = String::from_utf8(unsafe { output.as_slice() }.to_vec()).unwrap();
        // SAFETY: the buffer came from this table's `on_event`.
        unsafe { table.free_buffer.unwrap()(output) };
        (status, text)
    }

    #[test]
    fn table_has_current_version() {
        let table = plugin_table::<EchoTier>();
        assert_eq!(table.abi_version, ABI_VERSION);
    }

    #[test]
    fn manifest_entry_returns_text() {
        let table = plugin_table::<EchoTier>();
        // SAFETY: the entry was made by `plugin_table` above.
        let text = unsafe { table.manifest.unwrap()() };
        // SAFETY: `StaticStr::new` made it from a `&'static str`.
        let bytes = unsafe { std::slice::from_raw_parts(text.ptr, text.len) };
        assert_eq!(bytes, b"id = \"echo-tier\"");
    }

    #[test]
    fn on_event_returns_actions() {
        let table = plugin_table::<EchoTier>();
        let (status, text) = call(&table, &event_json("vip"));
        assert_eq!(status, STATUS_OK);
        assert_eq!(text, r#"[{"add-tag":"vip"}]"#);
    }

    #[test]
    fn on_event_reports_invalid_json() {
        let table = plugin_table::<EchoTier>();
        let (status, text) = call(&table, b"{not json");
        assert_eq!(status, STATUS_INVALID_EVENT);
        assert!(text.contains("not valid JSON"), "message: {text}");
    }

    #[test]
    fn on_event_reports_empty_input() {
        let table = plugin_table::<EchoTier>();
        let mut output = Buffer::EMPTY;
        // SAFETY: a null input with length zero is allowed.
        let status = unsafe { table.on_event.unwrap()(std::ptr::null(), 0, &mut output) };
        // SAFETY: the buffer came from this table's `on_event`.
        unsafe { table.free_buffer.unwrap()(output) };
        assert_eq!(status, STATUS_INVALID_EVENT);
    }

    #[test]
    fn on_event_catches_panic() {
        let table = plugin_table::<EchoTier>();
        let (status, text) = call(&table, &event_json("panic"));
        assert_eq!(status, STATUS_PANIC);
        assert_eq!(text, "tier panic is not allowed");
    }

    #[test]
    fn on_event_rejects_null_output() {
        let table = plugin_table::<EchoTier>();
        let input = event_json("vip");
        // SAFETY: `on_event_entry` checks `output` for null before writing.
        let status =
            unsafe { table.on_event.unwrap()(input.as_ptr(), input.len(), std::ptr::null_mut()) };
        assert_eq!(status, STATUS_ERROR);
    }
}
