//! Start-up: an existing database, and configuration that stops the server with a clear message.

use awc::http::StatusCode;

use crate::helpers::{TestApp, owner};

#[actix_web::test]
async fn restarting_on_an_existing_database_keeps_users_sessions_and_identity() {
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await;
    let client_id = app.app.ctx.plex_client_id.clone();

    let app = app.restart().await;
    assert_eq!(
        app.app.ctx.plex_client_id, client_id,
        "the Plex client identifier is generated once"
    );
    assert_eq!(app.role_of(&owner()).as_deref(), Some("admin"));
    assert_eq!(
        app.get("/").await.status,
        StatusCode::OK,
        "the generated key survives, so do sessions"
    );

    let app = app.restart().await;
    assert_eq!(app.get("/api/health").await.status, StatusCode::OK);
    app.stop().await;
}

#[actix_web::test]
async fn the_database_and_session_key_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::spawn().await;
    app.signed_in_as(&owner()).await; // writes a token, so the WAL exists
    for name in ["sagarr.db", "sagarr.db-wal", "secret_key"] {
        let mode = std::fs::metadata(app.data_dir.path().join(name))
            .expect(name)
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "{name} is mode {:o}", mode & 0o777);
    }
    app.stop().await;
}

fn run_serve(env: &[(&str, &str)]) -> std::process::Output {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_sagarr"));
    command
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().expect("binary runs")
}

#[test]
fn a_bad_bind_address_stops_start_up_naming_the_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let data = dir.path().display().to_string();
    let out = run_serve(&[
        ("SAGARR_BIND", "not-an-address"),
        ("SAGARR_DATA_DIR", &data),
    ]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SAGARR_BIND") && stderr.contains("not-an-address"),
        "{stderr}"
    );

    // A valid address that is already taken.
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = taken.local_addr().expect("addr").to_string();
    let out = run_serve(&[("SAGARR_BIND", &addr), ("SAGARR_DATA_DIR", &data)]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SAGARR_BIND") && stderr.contains("cannot listen"),
        "{stderr}"
    );
}

#[test]
fn an_unusable_data_dir_stops_start_up_naming_the_variable() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"not a folder").expect("write");
    // A folder inside a regular file can never be created, even by root.
    let data = file.join("data").display().to_string();
    let out = run_serve(&[("SAGARR_BIND", "127.0.0.1:0"), ("SAGARR_DATA_DIR", &data)]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SAGARR_DATA_DIR") && stderr.contains("cannot be created"),
        "{stderr}"
    );
}

/// Saltbox runs the container as PUID:PGID; a data dir owned by someone else must be reported
/// at start-up. As root, the binary is run as `nobody` against a root-owned folder.
#[test]
fn a_data_dir_the_user_cannot_write_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let data = dir.path().join("data");
    std::fs::create_dir(&data).expect("mkdir");
    let running_as_root =
        std::fs::metadata("/proc/self").map(|m| std::os::unix::fs::MetadataExt::uid(&m) == 0);
    let mut command = if running_as_root.unwrap_or(false) {
        let mut c = std::process::Command::new("setpriv");
        c.args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            env!("CARGO_BIN_EXE_sagarr"),
        ]);
        c
    } else {
        std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).expect("chmod");
        std::process::Command::new(env!("CARGO_BIN_EXE_sagarr"))
    };
    let out = command
        .arg("serve")
        .env_clear()
        .env("SAGARR_BIND", "127.0.0.1:0")
        .env("SAGARR_DATA_DIR", &data)
        .output()
        .expect("binary runs");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("SAGARR_DATA_DIR") && stderr.contains("is not writable"),
        "{stderr}"
    );
    assert!(stderr.contains("PUID/PGID"), "says what to check: {stderr}");
}

#[test]
fn a_short_secret_key_stops_start_up() {
    let out = run_serve(&[("SECRET_KEY", "too-short")]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("SECRET_KEY: must be at least 64 characters")
    );
}
