//! The admin page's Test buttons: one tiny real call per section, answered within 15 s with
//! ok or the precise reason.

use std::time::{Duration, Instant};

use serde::Serialize;

use crate::db;
use crate::engine::estimate::thousands;
use crate::engine::reply::find_json;
use crate::error::AppError;
use crate::integrations::ai::{self, Prompt, Provider, ProviderKind};
use crate::integrations::overseerr::Flavour;
use crate::integrations::upstreams::Upstreams;
use crate::integrations::{Service, UpstreamError, UpstreamErrorKind};
use crate::media::Kind;
use crate::settings::{self, Section, Values};
use crate::state::AppState;

/// Every Test answers within this, whatever the upstream does.
pub const DEADLINE: Duration = Duration::from_secs(15);
/// Time left for our own work after the slowest upstream call.
const MARGIN: Duration = Duration::from_secs(1);

/// docs/http.md `GET /api/admin/test/{section}`.
#[derive(Debug, Clone, Serialize)]
pub struct TestResult {
    pub ok: bool,
    pub message: String,
    pub latency_ms: u64,
}

/// Tests `section` with `values` (saved or just typed into the form), as admin `admin_id`
/// (the Plex section reads his own watchlist).
pub async fn run(
    state: &AppState,
    http: &awc::Client,
    section: Section,
    values: &Values,
    admin_id: i32,
) -> TestResult {
    let started = Instant::now();
    let outcome =
        actix_web::rt::time::timeout(DEADLINE, check(state, http, section, values, admin_id)).await;
    let (ok, message) = match outcome {
        Ok(Ok(message)) => (true, message),
        Ok(Err(message)) => (false, message),
        Err(_) => (
            false,
            format!(
                "{} did not answer within {} s",
                section.title(),
                DEADLINE.as_secs()
            ),
        ),
    };
    TestResult {
        ok,
        message,
        latency_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
    }
}

async fn check(
    state: &AppState,
    http: &awc::Client,
    section: Section,
    values: &Values,
    admin_id: i32,
) -> Result<String, String> {
    let upstreams = Upstreams::from_values(
        &state.ctx.config,
        &state.ctx.plex_client_id,
        section,
        values,
    )
    .with_timeout_at_most(DEADLINE - MARGIN);
    let unset = |service| UpstreamError::not_configured(service).to_string();
    match section {
        Section::Tautulli => {
            let info = upstreams
                .tautulli(http)
                .ok_or_else(|| unset(Service::Tautulli))?
                .info()
                .await
                .map_err(|e| e.to_string())?;
            Ok(match info.tautulli_version {
                Some(version) => format!("Connected to Tautulli {version}"),
                None => "Connected to Tautulli".to_owned(),
            })
        }
        Section::Overseerr => {
            let overseerr = upstreams
                .overseerr(http)
                .ok_or_else(|| unset(Service::Overseerr))?;
            overseerr.check_key().await.map_err(|e| e.to_string())?;
            let server = overseerr.server_info().await.ok();
            // Reads pass with CSRF protection on; every request the users make would not.
            if overseerr.csrf_protection().await.ok().flatten() == Some(true) {
                let flavour = server.as_ref().map_or(Flavour::Overseerr, |s| s.flavour);
                return Err(format!("{}.", flavour.csrf_advice()));
            }
            Ok(match server {
                Some(server) => format!(
                    "{name} accepted the API key. Connected to {name} {}.",
                    server.version,
                    name = server.flavour.name(),
                ),
                None => "Overseerr accepted the API key".to_owned(),
            })
        }
        Section::Tmdb => {
            let matrix = upstreams
                .tmdb(http)
                .ok_or_else(|| unset(Service::Tmdb))?
                .details(Kind::Movie, 603)
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "TMDb answered: {} ({})",
                matrix.title,
                matrix.year().map_or("?".into(), |y| y.to_string())
            ))
        }
        Section::Plex => {
            let token = db::run(&state.ctx.pool, move |c| {
                Ok(db::users::plex_token(c, admin_id)?)
            })
            .await
            .map_err(|e| AppError::from(e).to_string())?
            .unwrap_or_default();
            let size = upstreams
                .discover(http, token.expose())
                .watchlist_size()
                .await
                .map_err(|e| e.to_string())?;
            Ok(format!(
                "Plex Discover at {} answered: your watchlist has {size} titles",
                crate::integrations::display_url(upstreams.discover_url())
            ))
        }
        Section::Ai => {
            let providers = &upstreams.ai;
            if providers.is_empty() {
                return Err(
                    "No AI provider is set, so recommendations come from TMDb alone.".to_owned(),
                );
            }
            let mut answers = Vec::new();
            for (index, provider) in providers.iter().enumerate() {
                let role = if index == 0 { "" } else { "Fallback: " };
                let answer = check_ai(state, http, provider)
                    .await
                    .map_err(|e| format!("{role}{e}"))?;
                answers.push(format!("{role}{answer}"));
            }
            Ok(answers.join(" · "))
        }
    }
}

/// The model list where the provider has one (is the model there?), then a one-line JSON prompt.
async fn check_ai(
    state: &AppState,
    http: &awc::Client,
    provider: &Provider,
) -> Result<String, String> {
    let timeout = state.ctx.config.ai_timeout.min(DEADLINE - MARGIN);
    let label = provider.kind.label();
    match ai::models(http, provider, timeout).await {
        Ok(models) if !models.is_empty() && !has_model(&models, &provider.model) => {
            let listed: Vec<&str> = models.iter().map(String::as_str).take(8).collect();
            return Err(format!(
                "{label} has no model named {}; it offers: {}",
                provider.model,
                listed.join(", ")
            ));
        }
        Err(e)
            if matches!(
                e.kind,
                UpstreamErrorKind::Unreachable { .. }
                    | UpstreamErrorKind::TimedOut { .. }
                    | UpstreamErrorKind::KeyRefused
            ) =>
        {
            return Err(e.to_string());
        }
        // Some OpenAI-compatible servers have no model list; the chat below still tells.
        _ => {}
    }
    let pool = state.ctx.pool.clone();
    let remembered = provider.clone();
    let caps = db::run(&state.ctx.pool, move |conn| {
        Ok(settings::capabilities(conn, &remembered)?)
    })
    .await
    .unwrap_or_default();
    let prompt = Prompt {
        system: "You are a connectivity check. Answer with JSON only.".to_owned(),
        user: r#"Reply with {"ok": true}."#.to_owned(),
        schema_name: "check",
        schema: serde_json::json!({"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]}),
        temperature: 0.0,
        answer_tokens: Some(32),
    };
    let caps = ai::with_context_length(http, provider, caps, timeout).await;
    let reply = ai::complete(
        http,
        provider,
        &prompt,
        caps,
        ai::Limits::within(timeout),
        None,
    )
    .await
    .map_err(|e| e.to_string())?;
    // The answer must be what was asked, not merely an answer.
    let answered = find_json(&reply.content, |v| v.get("ok").is_some())
        .ok()
        .is_some_and(|v| v["ok"] == true);
    if !answered {
        let shown: String = reply.content.chars().take(120).collect();
        return Err(format!(
            "{label} answered, but not with the JSON it was asked for ({}): \"{shown}\"",
            if reply.ended.is_cut_short() {
                "the answer was cut short"
            } else {
                "Sagarr could not read it"
            }
        ));
    }
    let learned = (provider.clone(), reply.capabilities);
    let _ = db::write(&pool, db::Scope::Unshown, move |conn| {
        Ok(settings::remember_capabilities(
            conn,
            &learned.0,
            learned.1,
            db::now(),
        )?)
    })
    .await;
    let mode = serde_json::to_value(reply.capabilities.mode)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default();
    let mut said = format!(
        "{label} answered with {} in {:.1} s (output: {mode})",
        reply.model,
        reply.elapsed.as_secs_f32()
    );
    if let Some(thought) = reply.thinking {
        said.push_str(&format!(
            "; it thought for {:.1} s before answering (AI_THINK={})",
            thought.as_secs_f32(),
            provider.think.as_str()
        ));
    }
    if let (Some(context), Some(limit)) = (reply.context, reply.capabilities.context_length) {
        said.push_str(&format!(
            "; asked within a {}-token context, {} holds {}",
            thousands(context as usize),
            provider.model,
            thousands(limit as usize)
        ));
    }
    if provider.kind != ProviderKind::Ollama && ai::is_ollama_v1(http, provider, timeout).await {
        said.push_str(OLLAMA_V1_ADVICE);
    }
    Ok(said)
}

/// Said by the Test of an OpenAI-compatible provider that is Ollama's `/v1`.
const OLLAMA_V1_ADVICE: &str = ". This is Ollama's OpenAI-compatible /v1, which cannot set the \
     context size (num_ctx): Ollama then runs the model at 4,096 tokens and silently drops the \
     start of a longer prompt (the watch history, the exclusions, the rating limit). Choose the \
     Ollama provider with the base URL without /v1 instead";

/// Ollama lists `llama3.1:latest` for a model asked for as `llama3.1`.
fn has_model(models: &[String], wanted: &str) -> bool {
    models
        .iter()
        .any(|m| m == wanted || m.strip_suffix(":latest") == Some(wanted))
}
