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
fn compose_runs_one_service_the_way_saltbox_lays_containers_out() {
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
    assert_eq!(service["hostname"].as_str(), Some("sagarr"));
    assert_eq!(
        service["environment"]["SAGARR_TRUSTED_PROXIES"].as_str(),
        Some("${SAGARR_TRUSTED_PROXIES:-traefik}"),
        "only Saltbox's Traefik is believed"
    );
    assert_eq!(
        service["image"].as_str(),
        Some("${SAGARR_IMAGE:-ghcr.io/sagarr/sagarr:latest}"),
        "the released image by default"
    );
    assert!(
        repo_file("compose.yaml").contains("# build: ."),
        "building from source stays one uncommented line away"
    );
    let volumes: Vec<&str> = service["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(
        volumes,
        vec!["/opt/sagarr:/app/data", "/etc/localtime:/etc/localtime:ro"]
    );
    // On the network Traefik is on: `saltbox` unless .env says otherwise, with an alias.
    let aliases: Vec<&str> = service["networks"]["saltbox"]["aliases"]
        .as_sequence()
        .expect("the service joins the saltbox network with an alias")
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    assert_eq!(aliases, vec!["sagarr"]);
    let network = &compose["networks"]["saltbox"];
    assert_eq!(network["external"].as_bool(), Some(true));
    assert_eq!(network["name"].as_str(), Some("${DOCKER_NETWORK:-saltbox}"));

    let label = |key: &str| service["labels"][key].as_str().map(str::to_owned);
    for (key, value) in [
        ("com.github.saltbox.saltbox_managed", "true"),
        ("traefik.enable", "true"),
        ("traefik.http.routers.sagarr-http.entrypoints", "web"),
        (
            "traefik.http.routers.sagarr-http.middlewares",
            "globalHeaders@file,redirect-to-https,gzip",
        ),
        (
            "traefik.http.routers.sagarr-http.rule",
            "Host(`${SAGARR_HOST}`)",
        ),
        ("traefik.http.routers.sagarr-http.service", "sagarr"),
        ("traefik.http.routers.sagarr.entrypoints", "websecure"),
        (
            "traefik.http.routers.sagarr.middlewares",
            "sagarr-dropforwarded,globalHeaders@file,secureHeaders@file${TRAEFIK_EXTRA_MIDDLEWARES:-}",
        ),
        // A client's own Forwarded header is removed before Sagarr sees it.
        (
            "traefik.http.middlewares.sagarr-dropforwarded.headers.customrequestheaders.Forwarded",
            "",
        ),
        ("traefik.http.routers.sagarr.rule", "Host(`${SAGARR_HOST}`)"),
        ("traefik.http.routers.sagarr.service", "sagarr"),
        (
            "traefik.http.routers.sagarr.tls.certresolver",
            "${TRAEFIK_CERTRESOLVER:-cfdns}",
        ),
        ("traefik.http.routers.sagarr.tls.options", "securetls@file"),
        (
            "traefik.http.services.sagarr.loadbalancer.server.port",
            "7979",
        ),
    ] {
        assert_eq!(label(key).as_deref(), Some(value), "{key}");
    }
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
        "DOCKER_NETWORK",
        "TRAEFIK_EXTRA_MIDDLEWARES",
        "SAGARR_IMAGE",
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

/// The release workflow cannot run here: its YAML is checked instead, as for compose.yaml.
#[test]
fn a_version_tag_builds_and_pushes_the_image_for_amd64_and_arm64_to_ghcr() {
    let workflow: serde_norway::Value =
        serde_norway::from_str(&repo_file(".github/workflows/release.yml"))
            .expect("the workflow parses");
    let tags: Vec<&str> = workflow["on"]["push"]["tags"]
        .as_sequence()
        .expect("runs on tags")
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert_eq!(tags, vec!["v*.*.*"]);
    assert_eq!(workflow["permissions"]["packages"].as_str(), Some("write"));
    let steps = workflow["jobs"]["image"]["steps"]
        .as_sequence()
        .expect("steps");
    let uses = |action: &str| {
        steps
            .iter()
            .find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with(action)))
            .unwrap_or_else(|| panic!("no step uses {action}"))
    };
    uses("docker/setup-qemu-action");
    uses("docker/setup-buildx-action");
    let login = uses("docker/login-action");
    assert_eq!(login["with"]["registry"].as_str(), Some("ghcr.io"));
    let meta = uses("docker/metadata-action");
    assert_eq!(
        meta["with"]["images"].as_str(),
        Some("ghcr.io/${{ github.repository }}")
    );
    let build = uses("docker/build-push-action");
    assert_eq!(
        build["with"]["platforms"].as_str(),
        Some("linux/amd64,linux/arm64")
    );
    assert_eq!(build["with"]["push"].as_bool(), Some(true));
    assert_eq!(
        build["with"]["tags"].as_str(),
        Some("${{ steps.meta.outputs.tags }}")
    );
}
