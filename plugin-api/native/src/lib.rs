//! The C ABI of Kefu's native rule plugins.
//!
//! A native rule plugin is a shared library (`.so`, `.dylib` or `.dll`) that
//! does the work of a `ticket-rule` WebAssembly component: it receives
//! events and returns actions. Unlike a component, it is **not sandboxed**.
//! It runs in the host process with the host's full rights, and no memory
//! cap, time limit or capability check applies to it. The host loads one
//! only when the user enables it by its id.
//!
//! # The ABI, version 1
//!
//! The library exports one symbol, [`ENTRY_SYMBOL`] (`kefu_native_plugin_v1`),
//! an `extern "C" fn() -> *const PluginTable`. The table it returns starts
//! with a `u32` ABI version, which the host reads and checks against
//! [`ABI_VERSION`] before it reads anything else. Every later version of the
//! table keeps that first field, so a host can reject a table it does not
//! understand without reading its layout.
//!
//! The rest of a version 1 [`PluginTable`] points to three functions:
//!
//! - `manifest` returns the plugin's manifest as TOML text, in the format of
//!   a WebAssembly plugin's `plugin.toml` with `kind = "rule"`.
//! - `on_event` takes an [`Event`] as JSON bytes and writes a JSON list of
//!   [`Action`]s, or an error message, to an output [`Buffer`]. Its return
//!   value is one of the `STATUS_*` constants.
//! - `free_buffer` frees a [`Buffer`] that `on_event` wrote, so the
//!   allocator that made the memory also frees it.
//!
//! The host may call `on_event` from any thread, and from several threads
//! at once.
//!
//! # JSON encoding
//!
//! The data types in [`types`] mirror the records, enums and variants of the
//! `types` and `rule` interfaces of `kefu:plugin@1.1.0`
//! (`plugin-api/wit/kefu.wit`), with the WIT names kept as they are:
//!
//! - A record is a JSON object whose keys are the WIT field names in
//!   kebab-case, for example `"body-text"` and `"ticket-type"`.
//! - An `option` is `null` when it is `none`.
//! - An enum case, and a variant case without a payload, is a string:
//!   `"email"`, `"ticket-created"`.
//! - A variant case with a payload is an object with one key:
//!   `{"add-tag": "vip"}`, `{"message-received": {...}}`.
//! - `s64`, `u32` and `u64` are JSON integers.
//!
//! Readers ignore object keys they do not know, so a record may gain fields
//! in a later minor version of the API without breaking older plugins.
//!
//! # Writing a plugin
//!
//! A plugin crate has `crate-type = ["cdylib"]`, implements [`NativeRule`]
//! and exports it with [`export_native_rule!`]:
//!
//! ```
//! use kefu_native_abi::{Action, Event, NativeRule};
//!
//! struct QuietRule;
//!
//! impl NativeRule for QuietRule {
//!     fn manifest() -> &'static str {
//!         r#"
//!             id = "quiet-rule"
//!             name = "Quiet rule"
//!             version = "0.1.0"
//!             kind = "rule"
//!             api = "1.1.0"
//!         "#
//!     }
//!
//!     fn on_event(_event: Event) -> Vec<Action> {
//!         Vec::new()
//!     }
//! }
//!
//! kefu_native_abi::export_native_rule!(QuietRule);
//! ```
//!
//! # Loading a plugin
//!
//! With the `host` feature, `NativeRulePlugin::load` opens a library and
//! checks its ABI version and manifest, and `NativeRulePlugin::on_event`
//! calls it.

pub mod guest;
#[cfg(feature = "host")]
mod host;
#[cfg(feature = "host")]
mod manifest;
pub mod types;

pub use guest::NativeRule;
#[cfg(feature = "host")]
pub use host::{NativeError, NativeRulePlugin};
#[cfg(feature = "host")]
pub use manifest::{API_VERSION, Capabilities, ManifestError, NativeManifest, RequestedLimits};
pub use types::*;

/// Version of the C ABI this crate defines: the layout of [`PluginTable`],
/// the signatures of its functions and the meaning of the status codes.
pub const ABI_VERSION: u32 = 1;

/// Name of the symbol a plugin library exports, an [`EntryFn`].
pub const ENTRY_SYMBOL: &str = "kefu_native_plugin_v1";

/// `on_event` succeeded; the output buffer contains a JSON list of actions.
pub const STATUS_OK: i32 = 0;
/// The input was not a valid JSON [`Event`]; the output buffer contains the
/// parse error as UTF-8 text.
pub const STATUS_INVALID_EVENT: i32 = 1;
/// The plugin panicked; the output buffer contains the panic message as
/// UTF-8 text.
pub const STATUS_PANIC: i32 = 2;
/// Any other failure, for example actions that could not be encoded; the
/// output buffer contains a message as UTF-8 text.
pub const STATUS_ERROR: i32 = 3;

/// The exported entry point. It returns a pointer to a table that stays
/// valid, and unchanged, for as long as the library is loaded.
pub type EntryFn = unsafe extern "C" fn() -> *const PluginTable;

/// Returns the manifest TOML, which must stay valid for as long as the
/// library is loaded. A null `ptr` means the plugin has no manifest to give.
pub type ManifestFn = unsafe extern "C" fn() -> StaticStr;

/// Handles one event.
///
/// `input_ptr` and `input_len` give the JSON bytes of an [`Event`], which
/// are valid only during the call. The function writes a [`Buffer`] to
/// `output` whatever it returns, and returns one of the `STATUS_*` codes.
pub type OnEventFn =
    unsafe extern "C" fn(input_ptr: *const u8, input_len: usize, output: *mut Buffer) -> i32;

/// Frees a buffer that `on_event` wrote. The ABI requires the host to call
/// it exactly once for each buffer, as `NativeRulePlugin::on_event` does.
pub type FreeBufferFn = unsafe extern "C" fn(buffer: Buffer);

/// The table a plugin library's entry point returns.
///
/// `abi_version` is the first field in every version of the ABI. A host
/// reads only that field until it has checked that it equals the version it
/// implements. The function pointers are `Option`s so that a host can reject
/// a null entry with an error. A plugin made with [`export_native_rule!`]
/// fills them all.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct PluginTable {
    /// [`ABI_VERSION`] of the crate the plugin was built with.
    pub abi_version: u32,
    /// Returns the manifest TOML.
    pub manifest: Option<ManifestFn>,
    /// Handles one event.
    pub on_event: Option<OnEventFn>,
    /// Frees a buffer that `on_event` wrote.
    pub free_buffer: Option<FreeBufferFn>,
}

/// Borrowed UTF-8 text that lives as long as the library, such as the
/// manifest.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct StaticStr {
    /// First byte; null when there is no text.
    pub ptr: *const u8,
    /// Length in bytes.
    pub len: usize,
}

impl StaticStr {
    /// No text.
    pub const NULL: Self = Self {
        ptr: std::ptr::null(),
        len: 0,
    };

    /// Points to `text`.
    pub const fn new(text: &'static str) -> Self {
        Self {
            ptr: text.as_ptr(),
            len: text.len(),
        }
    }
}

/// Bytes allocated by the plugin library and handed to the host, which
/// reads them and then passes the buffer back to `free_buffer`.
///
/// On the plugin side a buffer is a `Vec<u8>` taken apart by
/// [`Buffer::from_vec`] and put back together by [`Buffer::into_vec`].
#[repr(C)]
#[derive(Debug)]
pub struct Buffer {
    /// First byte; null for a buffer that owns no memory.
    pub ptr: *mut u8,
    /// Number of bytes written.
    pub len: usize,
    /// Number of bytes allocated.
    pub capacity: usize,
}

impl Buffer {
    /// A buffer that owns no memory. Freeing it does nothing.
    pub const EMPTY: Self = Self {
        ptr: std::ptr::null_mut(),
        len: 0,
        capacity: 0,
    };

    /// Takes ownership of `bytes`' allocation.
    pub fn from_vec(bytes: Vec<u8>) -> Self {
        let mut bytes = std::mem::ManuallyDrop::new(bytes);
        Self {
            ptr: bytes.as_mut_ptr(),
            len: bytes.len(),
            capacity: bytes.capacity(),
        }
    }

    /// Gives the allocation back as a `Vec`, or an empty `Vec` for a buffer
    /// with a null `ptr`.
    ///
    /// # Safety
    ///
    /// The buffer must come from [`Buffer::from_vec`] in the same library,
    /// so that the same global allocator frees it, with its fields
    /// unchanged, and must not have been turned back into a `Vec` before.
    pub unsafe fn into_vec(self) -> Vec<u8> {
        if self.ptr.is_null() {
            return Vec::new();
        }
        // SAFETY: the caller guarantees that the three fields are those of a
        // `Vec<u8>` allocated by this library's allocator and not yet freed.
        unsafe { Vec::from_raw_parts(self.ptr, self.len, self.capacity) }
    }

    /// Returns the bytes the buffer contains.
    ///
    /// # Safety
    ///
    /// `ptr` must be null or point to `len` initialised bytes that stay
    /// valid and unchanged while the returned slice lives.
    pub unsafe fn as_slice(&self) -> &[u8] {
        if self.ptr.is_null() || self.len == 0 {
            return &[];
        }
        // SAFETY: the caller guarantees that `ptr` points to `len`
        // initialised bytes that outlive the returned borrow.
        unsafe { std::slice::from_raw_parts(self.ptr, self.len) }
    }
}
