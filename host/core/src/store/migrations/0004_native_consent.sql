-- The user's consent to load a native plugin library, which is not
-- sandboxed, pinned to the SHA-256 of the library file it was given for.
-- Kefu loads a native library only while its file has this hash, so a
-- replaced file needs `kefu plugin enable ID` again. One row per plugin:
-- enabling a new file replaces the consent for the old one. Native plugins
-- enabled before this table existed are not carried over, because their
-- file's hash was never recorded.
CREATE TABLE native_consents (
    plugin_id TEXT PRIMARY KEY,
    sha256 TEXT NOT NULL,
    consented_at TEXT NOT NULL
);
