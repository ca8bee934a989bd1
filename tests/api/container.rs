//! What can be checked of the container without a Docker engine: the compose file's shape and
//! labels, the Dockerfile's essentials, and the binary running as a non-root uid.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

fn repo_file(name: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(name))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

#[test]
fn compose_runs_one_service_behind_saltbox_traefik() {
    let compose: serde_norway::Value =
        serde_norway::from_str(&repo_file("compose.yaml")).expect("compose.yaml parses");
    let service = &compose["services"]["sagarr"];
    assert_eq!(
        compose["services"].as_mapping().map(|m| m.len()),
        Some(1),
        "one service"
    );
    assert_eq!(service["restart"].as_str(), Some("unless-stopped"));
    assert_eq!(service["user"].as_str(), Some("${PUID}:${PGID}"));
    assert_eq!(service["env_file"].as_str(), Some(".env"));
    let volumes: Vec<&str> = service["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(volumes, vec!["/opt/sagarr:/app/data"]);
    let networks: Vec<&str> = service["networks"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(networks, vec!["proxy"]);
    assert_eq!(
        compose["networks"]["proxy"]["external"].as_bool(),
        Some(true)
    );
    let label = |key: &str| service["labels"][key].as_str().map(str::to_owned);
    assert_eq!(label("traefik.enable").as_deref(), Some("true"));
    assert_eq!(
        label("traefik.http.routers.sagarr.rule").as_deref(),
        Some("Host(`sagarr.${DOMAINNAME}`)")
    );
    assert_eq!(
        label("traefik.http.routers.sagarr.entrypoints").as_deref(),
        Some("websecure")
    );
    assert!(label("traefik.http.routers.sagarr.tls.certresolver").is_some());
    assert_eq!(
        label("traefik.http.services.sagarr.loadbalancer.server.port").as_deref(),
        Some("7979")
    );
}

#[test]
fn the_env_example_names_every_variable_with_a_comment() {
    let example = repo_file("saltbox.env.example");
    for variable in [
        "PUID",
        "PGID",
        "TZ",
        "DOMAINNAME",
        "SAGARR_HOST",
        "SECRET_KEY",
        "SAGARR_ADMIN",
    ]
    .into_iter()
    .chain([
        "TAUTULLI_URL",
        "TAUTULLI_API_KEY",
        "OVERSEERR_URL",
        "OVERSEERR_API_KEY",
        "TMDB_API_KEY",
    ])
    .chain([
        "AI_PROVIDER",
        "AI_BASE_URL",
        "AI_API_KEY",
        "AI_MODEL",
        "AI_FALLBACK_PROVIDER",
        "AI_FALLBACK_MODEL",
    ]) {
        let lines: Vec<&str> = example.lines().collect();
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{variable}=")))
            .unwrap_or_else(|| panic!("{variable} missing"));
        assert!(
            at > 0
                && lines[..at]
                    .iter()
                    .rev()
                    .take_while(|l| !l.is_empty())
                    .any(|l| l.starts_with('#')),
            "{variable} has no comment"
        );
    }
}

#[test]
fn the_dockerfile_builds_a_non_root_image_with_a_healthcheck() {
    let dockerfile = repo_file("Dockerfile");
    for line in [
        "FROM scratch",
        "VOLUME [\"/app/data\"]",
        "EXPOSE 7979",
        "USER 65532:65532",
        "CMD [\"/usr/local/bin/sagarr\", \"healthcheck\"]",
        "COPY --from=build /usr/share/zoneinfo /usr/share/zoneinfo",
        "SAGARR_DATA_DIR=/app/data",
    ] {
        assert!(dockerfile.contains(line), "Dockerfile lacks {line}");
    }
    assert!(dockerfile.matches("FROM ").count() >= 2, "multi-stage");
}

/// Saltbox runs the container as PUID:PGID on a folder that user owns: the binary must work as
/// any uid with an empty data dir, and `healthcheck` must say so both ways.
#[actix_web::test]
async fn the_binary_serves_as_a_non_root_user_with_an_empty_data_dir() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    let dir = tempfile::tempdir().unwrap();
    std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o777)).unwrap();
    let data = dir.path().join("data");
    std::fs::create_dir(&data).unwrap();
    let as_root = std::fs::metadata("/proc/self")
        .map(|m| m.uid() == 0)
        .unwrap_or(false);
    if as_root {
        std::os::unix::fs::chown(&data, Some(65534), Some(65534)).unwrap();
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let bind = format!("127.0.0.1:{port}");
    let run = |args: &[&str]| {
        let mut command = if as_root {
            let mut c = Command::new("setpriv");
            c.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                env!("CARGO_BIN_EXE_sagarr"),
            ]);
            c
        } else {
            Command::new(env!("CARGO_BIN_EXE_sagarr"))
        };
        command
            .args(args)
            .env_clear()
            .env("SAGARR_BIND", &bind)
            .env("SAGARR_DATA_DIR", &data)
            .env("SAGARR_LOG", "warn");
        command
    };
    let mut server = run(&["serve"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let mut healthy = false;
    for _ in 0..100 {
        if run(&["healthcheck"]).status().is_ok_and(|s| s.success()) {
            healthy = true;
            break;
        }
        actix_web::rt::time::sleep(Duration::from_millis(50)).await;
    }
    let db_owner = std::fs::metadata(data.join("sagarr.db")).map(|m| m.uid());
    let _ = server.kill();
    let _ = server.wait();
    assert!(
        healthy,
        "the server answered /api/health as a non-root user"
    );
    if as_root {
        assert_eq!(
            db_owner.ok(),
            Some(65534),
            "the database belongs to the user it runs as"
        );
    }
    assert_eq!(
        run(&["healthcheck"]).status().ok().and_then(|s| s.code()),
        Some(1),
        "stopped: healthcheck fails"
    );
}
