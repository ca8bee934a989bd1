//! Asking the AI for one run: each provider in turn, the prompt fitted to the model's context,
//! the answer streamed into the progress ("AI thinking", then "AI writing"), one corrective
//! retry for an unusable answer, and what it cost written to the run record.

use std::time::Instant;

use crate::db;
use crate::error::AppError;
use crate::integrations::ai::{self, Capabilities, Ended, Prompt, Provider, ProviderKind, Reply};
use crate::settings;

use super::prompt::{Shape, Subject};
use super::{Run, reply, report};

impl Run<'_> {
    /// Asks each provider in turn, with one corrective retry for an unusable answer; the error
    /// says what went wrong with each when none gave usable rows.
    pub(super) async fn ask_ai(
        &mut self,
        subject: Subject<'_>,
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
        let prompt = subject.prompt(shape);
        if let Some(budget) = self.upstreams.ai_budget {
            self.within_budget(&prompt, budget).await?;
        }
        let mut problems = Vec::new();
        let upstreams = self.upstreams;
        for provider in &upstreams.ai {
            self.report(&format!("Asking {}", provider.kind.label()), 0, 0)
                .await;
            let caps = self.capabilities_of(provider).await;
            let fitted = self.fitted_prompt(provider, caps, &prompt, subject, shape);
            tracing::debug!(
                user_id = self.user.id,
                prompt_chars = fitted.user.len(),
                "prompt built"
            );
            match self.ask_provider(provider, caps, &fitted).await {
                Ok(proposals) => return Ok(proposals),
                Err(problem) => problems.push(problem),
            }
        }
        Err(format!("the AI failed ({})", problems.join("; then ")))
    }

    /// `Err` with the reason when this month's use plus this call's estimate (the prompt and
    /// its expected answer) would pass `AI_MONTHLY_TOKEN_BUDGET`.
    async fn within_budget(&self, prompt: &Prompt, budget: u64) -> Result<(), String> {
        let estimate = prompt.tokens() + prompt.answer_tokens.unwrap_or(0);
        let month_start = super::budget::month_start();
        let used = db::run(self.pool(), move |c| {
            Ok(db::runs::tokens_since(c, month_start)?)
        })
        .await
        .map_err(|e| AppError::from(e).to_string())?;
        let used = u64::try_from(used).unwrap_or(0);
        if used + estimate > budget {
            tracing::info!(
                user_id = self.user.id,
                used,
                estimate,
                budget,
                "AI budget spent"
            );
            return Err(BUDGET_SPENT.to_owned());
        }
        Ok(())
    }

    /// What the provider accepted last time and, for Ollama, the model's longest context.
    async fn capabilities_of(&self, provider: &Provider) -> Capabilities {
        let remembered = provider.clone();
        let caps = db::run(self.pool(), move |conn| {
            Ok(settings::capabilities(conn, &remembered)?)
        })
        .await
        .unwrap_or_default();
        let timeout = self.ctx.config.upstream_timeout;
        ai::with_context_length(self.http, provider, caps, timeout).await
    }

    /// The prompt for `provider`. When the model's context cannot hold the prompt and the
    /// configured answer, fewer titles per row are asked for, and the run says so: Ollama would
    /// otherwise cut the start of the prompt (the history, the exclusions, the rating limit).
    fn fitted_prompt(
        &mut self,
        provider: &Provider,
        caps: Capabilities,
        configured: &Prompt,
        subject: Subject<'_>,
        shape: Shape,
    ) -> Prompt {
        let mut prompt = configured.clone();
        let Some(limit) = caps
            .context_length
            .filter(|_| provider.kind == ProviderKind::Ollama)
        else {
            return prompt;
        };
        let mut fitted = shape;
        while !prompt.fits(provider.think, limit) && fitted.items_per_row > 1 {
            fitted.items_per_row -= 1;
            prompt = subject.prompt(fitted);
        }
        if fitted.items_per_row < shape.items_per_row {
            tracing::warn!(
                model = %provider.model,
                limit,
                items_per_row = fitted.items_per_row,
                "the model's context is too small for the configured answer"
            );
            self.context_note = Some(format!(
                " {}'s context holds {} tokens, so {} titles per row were asked for instead of {}.",
                provider.model,
                super::estimate::thousands(limit as usize),
                fitted.items_per_row,
                shape.items_per_row
            ));
        }
        prompt
    }

    async fn ask_provider(
        &mut self,
        provider: &Provider,
        caps: Capabilities,
        prompt: &Prompt,
    ) -> Result<Vec<reply::Proposal>, String> {
        let mut asked = prompt.clone();
        let limits = ai::Limits {
            silence: self.ctx.config.ai_timeout,
            max: self.ctx.config.ai_max,
        };
        let rows_asked = self.ctx.config.rows_per_kind * 2 + 2;
        for attempt in 0..2 {
            let started = Instant::now();
            self.record.ai_calls += 1;
            let reply = self
                .stream_answer(provider, &asked, caps, limits, rows_asked)
                .await?;
            self.record_reply(provider, &reply, started).await;
            let label = provider.kind.label();
            match reply::parse(&reply.content) {
                Ok(proposals) => {
                    if let Some(cut) = cut_short(&reply, limits, proposals.len(), rows_asked) {
                        let rows = proposals.len();
                        tracing::warn!(provider = provider.kind.as_str(), rows, %cut, "AI answer cut short");
                        self.ai_note = Some(format!(
                            " {label} {cut}; its {rows} complete rows were kept."
                        ));
                    }
                    return Ok(proposals);
                }
                // Asking again would only be cut short again.
                Err(problem) if reply.ended.is_cut_short() => {
                    let cut = cut_short(&reply, limits, 0, rows_asked).unwrap_or_default();
                    return Err(format!("{label} {cut} before a usable row: {problem}"));
                }
                Err(problem) if attempt == 0 => {
                    tracing::warn!(%problem, provider = provider.kind.as_str(), "unusable AI answer; asking again");
                    asked.user = format!("{}\n\n{}", prompt.user, reply::correction(&problem));
                }
                Err(problem) => {
                    return Err(format!("{label} gave an unusable answer twice: {problem}"));
                }
            }
        }
        Err(format!("{} gave no usable answer", provider.kind.label()))
    }

    /// One streamed call; each change of what the model is doing (thinking, then each complete
    /// row) is told to the refresh status as it happens.
    async fn stream_answer(
        &self,
        provider: &Provider,
        asked: &Prompt,
        caps: Capabilities,
        limits: ai::Limits,
        rows_asked: usize,
    ) -> Result<Reply, String> {
        let (tx, mut rx) = tokio::sync::watch::channel(ai::Written::default());
        let (http, pool, progress, user_id) =
            (self.http, self.pool().clone(), self.progress, self.user.id);
        let call = async move {
            let reply = ai::complete(http, provider, asked, caps, limits, Some(&tx)).await;
            drop(tx);
            reply
        };
        let writer = async {
            while rx.changed().await.is_ok() {
                let written = *rx.borrow_and_update();
                let rows = written.rows.min(rows_asked);
                let step = if written.is_thinking() {
                    "AI thinking".to_owned()
                } else {
                    format!("AI writing: {rows} of {rows_asked} rows")
                };
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
        reply.map_err(|e| e.to_string())
    }

    /// Writes what one answer cost to the run record and remembers what the provider accepted.
    async fn record_reply(&mut self, provider: &Provider, reply: &Reply, started: Instant) {
        let millis = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
        self.record.ai_ms += millis(started.elapsed());
        self.record.ai_think_ms += reply.thinking.map_or(0, millis);
        self.record.ai_context = reply
            .context
            .map_or(0, |c| i32::try_from(c).unwrap_or(i32::MAX));
        self.record.provider = provider.kind.as_str().to_owned();
        self.record.model = reply.model.clone();
        self.record.prompt_tokens += i32::try_from(reply.prompt_tokens).unwrap_or(i32::MAX);
        self.record.completion_tokens += i32::try_from(reply.completion_tokens).unwrap_or(i32::MAX);
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
            thinking_seconds = reply.thinking.map(|t| t.as_secs_f32()),
            seconds = started.elapsed().as_secs_f32(), "AI answered");
    }
}

/// Said when this month's use plus the next call's estimate would pass `AI_MONTHLY_TOKEN_BUDGET`.
pub const BUDGET_SPENT: &str = "This month's AI budget is spent; these rows come from TMDb";

/// Why an answer stopped before the model finished it, in the words of the run's message
/// ("stopped at its length limit after 5 of 14 rows"); `None` for a finished answer.
fn cut_short(reply: &Reply, limits: ai::Limits, rows: usize, rows_asked: usize) -> Option<String> {
    let after = if rows > 0 {
        format!(" after {rows} of {rows_asked} rows")
    } else {
        String::new()
    };
    Some(match reply.ended {
        Ended::Done => return None,
        Ended::Silent => format!("went silent for {} s", limits.silence.as_secs()),
        Ended::Capped => format!(
            "was still writing after {} s (AI_MAX_SECONDS)",
            limits.max.as_secs()
        ),
        Ended::Length => format!("stopped at its length limit{after}"),
        Ended::Cut => format!(
            "stopped mid-answer ({}){after}",
            reply.stream_error.as_deref().unwrap_or(ai::CUT)
        ),
        Ended::Broke => format!(
            "broke off mid-answer ({}){after}",
            reply
                .stream_error
                .as_deref()
                .unwrap_or("an error inside the stream")
        ),
    })
}
