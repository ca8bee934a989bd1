//! Random tokens, hashes, and the session cookie key (`SECRET_KEY`, or generated once into the
//! data dir with mode 0600 so sessions survive restarts).

use std::io::Write;
use std::path::Path;

use actix_web::cookie::Key;
use sha2::{Digest, Sha256, Sha512};

/// File in the data dir holding the generated cookie key.
pub const KEY_FILE: &str = "secret_key";

/// `bytes` random bytes from the OS, as lower-case hex.
pub fn random_hex(bytes: usize) -> Result<String, String> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf).map_err(|e| format!("no randomness from the OS: {e}"))?;
    Ok(hex(&buf))
}

/// SHA-256 of `text`, as hex: how session tokens are stored.
pub fn sha256_hex(text: &str) -> String {
    hex(&Sha256::digest(text.as_bytes()))
}

/// Lowercase hex, written into one string (a `format!` per byte made 33 allocations, and
/// every view hashes its session token).
fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(char::from(DIGITS[usize::from(b >> 4)]));
        text.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    text
}

/// The cookie key: derived from `SECRET_KEY` when set, else read from (or created in) the data dir.
pub fn session_key(secret: Option<&str>, data_dir: &Path) -> Result<Key, String> {
    if let Some(secret) = secret {
        // Stretch any 64+ character secret to exactly the 64 bytes the cookie key needs.
        return Ok(Key::from(&Sha512::digest(secret.as_bytes())));
    }
    let path = data_dir.join(KEY_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => Key::try_from(bytes.as_slice())
            .map_err(|_| format!("{} is damaged (it should hold 64 bytes); delete it to sign everyone out and make a new one", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut bytes = [0u8; 64];
            getrandom::fill(&mut bytes).map_err(|e| format!("no randomness from the OS: {e}"))?;
            write_private(&path, &bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(Key::from(&bytes))
        }
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_token_hashes_to_the_same_lowercase_hex_as_stored_sessions() {
        // Sessions are looked up by this text: it must never change (FIPS 180-2's "abc").
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff]), "000fa0ff");
    }

    #[test]
    fn a_generated_key_is_kept_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = session_key(None, dir.path()).unwrap();
        let second = session_key(None, dir.path()).unwrap();
        assert_eq!(first.master(), second.master());
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join(KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn secret_key_wins_and_is_stable() {
        let dir = tempfile::tempdir().unwrap();
        let secret = "x".repeat(64);
        let a = session_key(Some(&secret), dir.path()).unwrap();
        let b = session_key(Some(&secret), dir.path()).unwrap();
        assert_eq!(a.master(), b.master());
        assert!(!dir.path().join(KEY_FILE).exists());
    }
}

/// An API key or token as the app holds it: its `Debug` says `[redacted]`, it has no `Display`
/// or `Serialize`, and its bytes are zeroed when dropped. Read it with [`Secret::expose`] only
/// where it is sent (a header, a query) or masked (`integrations::mask`).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Secret(zeroize::Zeroizing<String>);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(zeroize::Zeroizing::new(value.into()))
    }

    /// The secret itself, to send.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

/// Read from an upstream's answer (a PIN's token); never written back out (no `Serialize`).
impl<'de> serde::Deserialize<'de> for Secret {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(Self::new)
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.is_empty() {
            "[empty]"
        } else {
            "[redacted]"
        })
    }
}
