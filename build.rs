//! Rebuild when migrations or static files change, and give each static file a content hash
//! so templates can link it with a cache-busting query and serve it as immutable.

use std::hash::{DefaultHasher, Hash, Hasher};

fn main() {
    println!("cargo:rerun-if-changed=migrations");
    println!("cargo:rerun-if-changed=static");
    let mut hasher = DefaultHasher::new();
    let mut names: Vec<_> = std::fs::read_dir("static")
        .map(|dir| dir.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    names.sort();
    for path in names {
        if let Ok(bytes) = std::fs::read(&path) {
            path.hash(&mut hasher);
            bytes.hash(&mut hasher);
        }
    }
    println!(
        "cargo:rustc-env=SAGARR_ASSET_HASH={:012x}",
        hasher.finish() & 0xffff_ffff_ffff
    );
}
