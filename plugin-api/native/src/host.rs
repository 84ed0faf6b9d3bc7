//! The host side of the ABI: loading a plugin library and calling it.
//!
//! Trust assumption: a native plugin is ordinary machine code in the host
//! process. It can read and write any memory and file the host can, and
//! loading it runs its initialisers before any check here. The checks below
//! reject a plugin built for another ABI version, API version or id, and
//! turn a panic that the export macro caught into an error. They cannot
//! protect the host from a plugin that lies about its table, corrupts
//! memory, loops forever or aborts the process. Load only libraries the user
//! chose to trust.

use std::path::{Path, PathBuf};

use libloading::Library;

use crate::manifest::{ManifestError, NativeManifest};
use crate::{
    ABI_VERSION, Action, Buffer, ENTRY_SYMBOL, EntryFn, Event, FreeBufferFn, ManifestFn, OnEventFn,
    PluginTable, STATUS_INVALID_EVENT, STATUS_OK, STATUS_PANIC,
};

/// Error from loading or calling a native plugin. Each message names the
/// plugin, and the load errors also name its file.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The path is empty or otherwise not a file path.
    #[error("native plugin {id:?}: {path:?} is not a path to a library file")]
    InvalidPath { id: String, path: PathBuf },

    /// The file could not be opened as a shared library.
    #[error("native plugin {id:?}: cannot open {} as a shared library: {source}", path.display())]
    Open {
        id: String,
        path: PathBuf,
        source: libloading::Error,
    },

    /// The library does not export the entry symbol.
    #[error(
        "native plugin {id:?}: {} does not export the symbol `{ENTRY_SYMBOL}`; \
         a native plugin exports it with kefu_native_abi::export_native_rule!: {source}",
        path.display()
    )]
    MissingEntry {
        id: String,
        path: PathBuf,
        source: libloading::Error,
    },

    /// The entry point returned a null table.
    #[error("native plugin {id:?}: `{ENTRY_SYMBOL}` in {} returned a null table", path.display())]
    NullTable { id: String, path: PathBuf },

    /// The table is for another ABI version.
    #[error(
        "native plugin {id:?}: {} uses native ABI version {found}, but this host implements \
         version {expected}; rebuild the plugin against a kefu-native-abi with ABI version {expected}",
        path.display()
    )]
    AbiMismatch {
        id: String,
        path: PathBuf,
        found: u32,
        expected: u32,
    },

    /// A function pointer in the table is null.
    #[error("native plugin {id:?}: the table in {} has a null `{entry}` function", path.display())]
    NullFunction {
        id: String,
        path: PathBuf,
        entry: &'static str,
    },

    /// The manifest is missing, not UTF-8 or not valid.
    #[error("native plugin {id:?}: invalid manifest in {}: {reason}", path.display())]
    InvalidManifest {
        id: String,
        path: PathBuf,
        reason: String,
    },

    /// The manifest's id is not the one the user enabled.
    #[error(
        "native plugin {expected:?}: {} declares id {found:?}; enable it as {found:?} \
         or choose the library of {expected:?}",
        path.display()
    )]
    IdMismatch {
        expected: String,
        found: String,
        path: PathBuf,
    },

    /// The event could not be encoded as JSON.
    #[error("native plugin {id:?}: the event could not be encoded as JSON: {source}")]
    EncodeEvent {
        id: String,
        source: serde_json::Error,
    },

    /// `on_event` panicked; the plugin caught the panic and returned it.
    #[error("native plugin {id:?}: on_event panicked: {message}")]
    Panicked { id: String, message: String },

    /// The plugin could not decode the event the host sent.
    #[error("native plugin {id:?}: rejected the event: {message}")]
    InvalidEvent { id: String, message: String },

    /// `on_event` returned a failure status.
    #[error("native plugin {id:?}: on_event failed with status {status}: {message}")]
    Failed {
        id: String,
        status: i32,
        message: String,
    },

    /// `on_event` succeeded but its output is not a JSON list of actions.
    #[error(
        "native plugin {id:?}: on_event returned output that is not a JSON list of actions: {source}"
    )]
    InvalidOutput {
        id: String,
        source: serde_json::Error,
    },
}

/// A loaded native rule plugin.
///
/// Dropping it closes the library handle, after which the operating system
/// may unload the library. It is `Send` and `Sync` because the ABI requires
/// `on_event` to be callable from any thread, and from several at once.
#[derive(Debug)]
pub struct NativeRulePlugin {
    manifest: NativeManifest,
    manifest_text: String,
    path: PathBuf,
    on_event: OnEventFn,
    free_buffer: FreeBufferFn,
    // Keeps the library loaded while the function pointers above exist.
    _library: Library,
}

impl NativeRulePlugin {
    /// Opens the library at `path` and checks it, in this order: it exports
    /// `kefu_native_plugin_v1`, its table has this crate's [`ABI_VERSION`],
    /// and its manifest is a valid rule manifest for a supported API
    /// version. Last, the manifest's id must equal `expected_id`, the id the
    /// user enabled.
    ///
    /// Opening the library runs its initialisers before any of these checks.
    pub fn load(path: impl AsRef<Path>, expected_id: &str) -> Result<Self, NativeError> {
        let id = expected_id.to_owned();
        // dlopen searches the system's library folders for a name without a
        // slash, and an empty name opens the host program itself, so only an
        // absolute path names the file the user chose.
        let path = std::path::absolute(path.as_ref()).map_err(|_| NativeError::InvalidPath {
            id: id.clone(),
            path: path.as_ref().to_path_buf(),
        })?;

        // SAFETY: opening a library runs its initialisers, which can do
        // anything the host can. Nothing makes that sound in general. The
        // trust assumption is that the user enabled this file knowingly as
        // a plugin that is not sandboxed.
        let library = unsafe { Library::new(&path) }.map_err(|source| NativeError::Open {
            id: id.clone(),
            path: path.clone(),
            source,
        })?;

        let table = read_table(&library, &id, &path)?;
        let null_function = |entry: &'static str| NativeError::NullFunction {
            id: id.clone(),
            path: path.clone(),
            entry,
        };
        let manifest_fn = table.manifest.ok_or_else(|| null_function("manifest"))?;
        let on_event = table.on_event.ok_or_else(|| null_function("on_event"))?;
        let free_buffer = table
            .free_buffer
            .ok_or_else(|| null_function("free_buffer"))?;

        let (manifest_text, manifest) =
            read_manifest(manifest_fn).map_err(|reason| NativeError::InvalidManifest {
                id: id.clone(),
                path: path.clone(),
                reason,
            })?;
        if manifest.id != expected_id {
            return Err(NativeError::IdMismatch {
                expected: id,
                found: manifest.id,
                path,
            });
        }

        tracing::warn!(
            plugin = %manifest.id,
            path = %path.display(),
            "loaded native plugin {:?}: it is NOT sandboxed and runs with all of Kefu's rights",
            manifest.id
        );
        Ok(Self {
            manifest,
            manifest_text,
            path,
            on_event,
            free_buffer,
            _library: library,
        })
    }

    /// Returns the plugin id, which equals the id passed to [`Self::load`].
    pub fn id(&self) -> &str {
        &self.manifest.id
    }

    /// Returns the parsed manifest.
    pub fn manifest(&self) -> &NativeManifest {
        &self.manifest
    }

    /// Returns the manifest text as the plugin returned it, for a host that
    /// parses manifests with its own rules.
    pub fn manifest_text(&self) -> &str {
        &self.manifest_text
    }

    /// Returns the absolute path the library was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Sends an event to the plugin and returns the actions it requests.
    ///
    /// A panic in the plugin comes back as [`NativeError::Panicked`] and
    /// leaves the plugin loaded and callable.
    pub fn on_event(&self, event: &Event) -> Result<Vec<Action>, NativeError> {
        let input = serde_json::to_vec(event).map_err(|source| NativeError::EncodeEvent {
            id: self.id().to_owned(),
            source,
        })?;

        let mut output = Buffer::EMPTY;
        // SAFETY: `on_event` comes from a checked version 1 table of the
        // library that `self._library` keeps loaded. `input` is a live slice of
        // `input.len()` bytes and `output` a live, initialised `Buffer`, as
        // the ABI requires.
        let status = unsafe { (self.on_event)(input.as_ptr(), input.len(), &mut output) };
        // SAFETY: the ABI requires `on_event` to leave in `output` a null
        // pointer or `len` initialised bytes, valid until `free_buffer`.
        // The bytes are copied before the buffer is freed.
        let bytes = unsafe { output.as_slice() }.to_vec();
        // SAFETY: the buffer was written by this library's `on_event` and
        // is freed once, by the same library.
        unsafe { (self.free_buffer)(output) };

        let id = self.id().to_owned();
        let message = || String::from_utf8_lossy(&bytes).into_owned();
        match status {
            STATUS_OK => serde_json::from_slice(&bytes)
                .map_err(|source| NativeError::InvalidOutput { id, source }),
            STATUS_PANIC => Err(NativeError::Panicked {
                id,
                message: message(),
            }),
            STATUS_INVALID_EVENT => Err(NativeError::InvalidEvent {
                id,
                message: message(),
            }),
            _ => Err(NativeError::Failed {
                id,
                status,
                message: message(),
            }),
        }
    }
}

/// Calls the library's entry point and returns a copy of its table, after
/// checking that the table is for [`ABI_VERSION`].
fn read_table(library: &Library, id: &str, path: &Path) -> Result<PluginTable, NativeError> {
    // SAFETY: the ABI defines `kefu_native_plugin_v1` as an `EntryFn`. A
    // library that exports the name with another type breaks the ABI, which
    // the host cannot detect. The copied function pointer is called only in
    // this function, while `library` is borrowed and so still loaded.
    let entry: EntryFn = unsafe { library.get::<EntryFn>(ENTRY_SYMBOL.as_bytes()) }
        .map(|symbol| *symbol)
        .map_err(|source| NativeError::MissingEntry {
            id: id.to_owned(),
            path: path.to_owned(),
            source,
        })?;

    // SAFETY: `entry` has the ABI's signature (see above) and takes no
    // arguments, so calling it needs no further checks.
    let table_ptr = unsafe { entry() };
    if table_ptr.is_null() {
        return Err(NativeError::NullTable {
            id: id.to_owned(),
            path: path.to_owned(),
        });
    }

    // SAFETY: every ABI version starts its table with a `u32` version, so
    // reading those 4 bytes is valid whatever the rest of the table looks
    // like. `read_unaligned` drops any alignment assumption. Nothing past
    // this field is read until the version matches.
    let found = unsafe { table_ptr.cast::<u32>().read_unaligned() };
    if found != ABI_VERSION {
        return Err(NativeError::AbiMismatch {
            id: id.to_owned(),
            path: path.to_owned(),
            found,
            expected: ABI_VERSION,
        });
    }

    // SAFETY: the version matches, so by the ABI `table_ptr` points to a
    // version 1 `PluginTable`, aligned and valid while the library is loaded.
    // The table is copied out at once.
    Ok(unsafe { table_ptr.read() })
}

/// Calls the plugin's manifest function and returns the text and the parsed
/// manifest, or the reason the manifest is invalid.
fn read_manifest(manifest_fn: ManifestFn) -> Result<(String, NativeManifest), String> {
    // SAFETY: `manifest_fn` comes from a checked version 1 table of a library
    // that the caller keeps loaded, and it takes no arguments.
    let text = unsafe { manifest_fn() };
    if text.ptr.is_null() {
        return Err("the manifest function returned no text".to_owned());
    }
    // SAFETY: the ABI requires a non-null `ptr` to point to `len` bytes that
    // stay valid while the library is loaded. They are copied before this
    // function returns.
    let bytes = unsafe { std::slice::from_raw_parts(text.ptr, text.len) };
    let manifest_text = std::str::from_utf8(bytes)
        .map_err(|error| format!("the manifest is not UTF-8: {error}"))?
        .to_owned();
    let manifest =
        NativeManifest::parse(&manifest_text).map_err(|error: ManifestError| error.to_string())?;
    Ok((manifest_text, manifest))
}
