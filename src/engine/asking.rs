//! Asking the AI for one run: each provider in turn, the answer streamed into the progress,
//! one corrective retry for an unusable answer, and what it cost written to the run record.

use std::time::Instant;

use crate::db;
use crate::integrations::ai::{self, Prompt, Provider};
use crate::settings;

use super::prompt::{self, Candidate, Shape};
use super::taste::Taste;
use super::{Run, reply, report};

impl Run<'_> {
    /// Asks each provider in turn, with one corrective retry for an unusable answer; the error
    /// says what went wrong with each when none gave usable rows.
    pub(super) async fn ask_ai(
        &mut self,
        taste: &Taste,
        candidates: &[Candidate],
    ) -> Result<Vec<reply::Proposal>, String> {
        let shape = Shape {
            rows_per_kind: self.ctx.config.rows_per_kind,
            items_per_row: self.kept_per_row(),
            rating_limit: self
                .user
                .rating_limit
                .as_deref()
                .and_then(|l| crate::ratings::parse_limit(l).ok().flatten()),
        };
        let prompt = prompt::build(taste, candidates, shape);
        tracing::debug!(
            user_id = self.user.id,
            prompt_chars = prompt.user.len(),
            "prompt built"
        );
        let mut problems = Vec::new();
        let upstreams = self.upstreams;
        for provider in &upstreams.ai {
            self.report(&format!("Asking {}", provider.kind.label()), 0, 0)
                .await;
            match self.ask_provider(provider, &prompt).await {
                Ok(proposals) => return Ok(proposals),
                Err(problem) => problems.push(problem),
            }
        }
        Err(format!("the AI failed ({})", problems.join("; then ")))
    }

    async fn ask_provider(
        &mut self,
        provider: &Provider,
        prompt: &Prompt,
    ) -> Result<Vec<reply::Proposal>, String> {
        let remembered = provider.clone();
        let caps = db::run(self.pool(), move |conn| {
            Ok(settings::capabilities(conn, &remembered)?)
        })
        .await
        .unwrap_or_default();
        let mut asked = prompt.clone();
        let limits = ai::Limits {
            silence: self.ctx.config.ai_timeout,
            max: self.ctx.config.ai_max,
        };
        let rows_asked = self.ctx.config.rows_per_kind * 2 + 2;
        for attempt in 0..2 {
            let started = Instant::now();
            self.record.ai_calls += 1;
            // The answer streams; each complete row is told to the status as it arrives.
            let (tx, mut rx) = tokio::sync::watch::channel(ai::Written::default());
            let (http, pool, progress, user_id) =
                (self.http, self.pool().clone(), self.progress, self.user.id);
            let asking = &asked;
            let call = async move {
                let reply = ai::complete(http, provider, asking, caps, limits, Some(&tx)).await;
                drop(tx);
                reply
            };
            let writer = async {
                while rx.changed().await.is_ok() {
                    let rows = rx.borrow_and_update().rows.min(rows_asked);
                    let step = format!("AI writing: {rows} of {rows_asked} rows");
                    report(
                        &pool,
                        progress,
                        user_id,
                        &step,
                        rows as i32,
                        rows_asked as i32,
                    )
                    .await;
                }
            };
            let (reply, ()) = futures_util::future::join(call, writer).await;
            let reply = reply.map_err(|e| e.to_string())?;
            self.record.ai_ms += i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
            self.record.provider = provider.kind.as_str().to_owned();
            self.record.model = reply.model.clone();
            self.record.prompt_tokens += i32::try_from(reply.prompt_tokens).unwrap_or(i32::MAX);
            self.record.completion_tokens +=
                i32::try_from(reply.completion_tokens).unwrap_or(i32::MAX);
            let learned = (provider.clone(), reply.capabilities);
            let _ = db::write(self.pool(), db::Scope::Unshown, move |c| {
                Ok(settings::remember_capabilities(
                    c,
                    &learned.0,
                    learned.1,
                    db::now(),
                )?)
            })
            .await;
            tracing::info!(user_id = self.user.id, provider = provider.kind.as_str(), model = %reply.model,
                prompt_tokens = reply.prompt_tokens, completion_tokens = reply.completion_tokens,
                seconds = started.elapsed().as_secs_f32(), "AI answered");
            let cut = match reply.ended {
                ai::Ended::Silent => {
                    Some(format!("went silent for {} s", limits.silence.as_secs()))
                }
                ai::Ended::Capped => Some(format!(
                    "was still writing after {} s (AI_MAX_SECONDS)",
                    limits.max.as_secs()
                )),
                ai::Ended::Done | ai::Ended::Closed => None,
            };
            match reply::parse(&reply.content) {
                Ok(proposals) => {
                    if let Some(cut) = cut {
                        let rows = proposals.len();
                        tracing::warn!(provider = provider.kind.as_str(), rows, %cut, "AI answer cut off");
                        self.ai_note = Some(format!(
                            " {} {cut}; its {rows} complete rows were kept.",
                            provider.kind.label()
                        ));
                    }
                    return Ok(proposals);
                }
                // Asking again would only be cut off again.
                Err(problem) if cut.is_some() => {
                    return Err(format!(
                        "{} {} before a usable row: {problem}",
                        provider.kind.label(),
                        cut.unwrap_or_default()
                    ));
                }
                Err(problem) if attempt == 0 => {
                    tracing::warn!(%problem, provider = provider.kind.as_str(), "unusable AI answer; asking again");
                    asked.user = format!("{}\n\n{}", prompt.user, reply::correction(&problem));
                }
                Err(problem) => {
                    return Err(format!(
                        "{} gave an unusable answer twice: {problem}",
                        provider.kind.label()
                    ));
                }
            }
        }
        Err(format!("{} gave no usable answer", provider.kind.label()))
    }
}
