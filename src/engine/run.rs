//! One refresh, step by step (docs/recommendations.md "What it does"): the taste read, the rows
//! assembled within the user's eligibility, stored with his profile, and the run's verdict.

use std::collections::HashMap;

use crate::db::{self, states::RunOutcome};
use crate::domain::TitleId;
use crate::domain::eligibility::Viewer;
use crate::media::TABS;

use super::prompt::{self, Candidate};
use super::rows::Assembly;
use super::taste::Taste;
use super::{AiAsked, Failure, Outcome, Run, availability, failure, kept_rows, normalize, profile};

impl Run<'_> {
    pub(super) async fn execute(mut self) -> Result<(Outcome, db::runs::NewRun), Failure> {
        let first_page = self.first_page.take();
        let (taste, fingerprint) = self
            .read_taste(first_page)
            .await
            .map_err(|e| failure(e, &self.record))?;
        // Only a complete answer is one the nightly may keep: when Plex was out of reach, the
        // next night asks again.
        let fingerprint = taste.plex_outage.is_none().then(|| fingerprint.encode());
        if taste.is_empty()
            && let Some((unlooked, _)) = taste.plex_outage
        {
            return Err(kept_rows(
                format!(
                    "Tautulli cannot reach your Plex server right now, so none of the {unlooked} titles in \
                     your history could be looked up"
                ),
                &self.record,
            ));
        }
        if taste.is_empty() {
            self.record.outcome = RunOutcome::NoHistory;
            self.record.fingerprint = fingerprint;
            let message = "No watch history yet: watch something on Plex, then refresh.".to_owned();
            return Ok((Outcome::succeeded(message, 0), self.record));
        }
        let candidates = self
            .candidates(&taste)
            .await
            .map_err(|e| failure(e, &self.record))?;
        let (assembly, asked) = self.assemble(&taste, &candidates).await?;
        self.store(&assembly, &taste, &candidates).await?;
        let outcome = self.ended(&assembly, asked, &taste, fingerprint);
        Ok((outcome, self.record))
    }

    /// The rows for him: the AI's answer verified (or TMDb's alone), short tabs filled, within
    /// his eligibility. A run that found nothing new fails here, keeping his rows.
    async fn assemble(
        &mut self,
        taste: &Taste,
        candidates: &[Candidate],
    ) -> Result<(Assembly, AiAsked), Failure> {
        let history: HashMap<String, String> = taste
            .seen
            .iter()
            .map(|s| (normalize::normalize(&s.title), s.title.clone()))
            .collect();
        let grounded: HashMap<TitleId, &String> = candidates
            .iter()
            .map(|c| (TitleId(c.kind, c.tmdb_id), &c.because))
            .collect();
        let user_id = self.user.id;
        let his = db::run(self.pool(), move |c| {
            Ok(db::preferences::eligibility(c, user_id, Viewer::Himself)?)
        })
        .await
        .map_err(|e| failure(e, &self.record))?;
        // What he watched too: the history as read now.
        let mut assembly = Assembly::for_viewer(his.with_seen(taste.excluded.iter().copied()));
        assembly.excluded_names = taste.unlooked_keys();
        let mut asked = AiAsked::Answered;
        if self.upstreams.ai.is_empty() {
            asked = AiAsked::NotSetUp;
        } else {
            let subject = prompt::Subject::One { taste, candidates };
            match self.ask_ai(subject).await {
                Ok(proposals) => {
                    self.verify_into(&mut assembly, &proposals, &history, &grounded)
                        .await
                        .map_err(|e| failure(e, &self.record))?;
                }
                Err(problem) => asked = AiAsked::Failed(problem),
            }
        }
        if assembly.is_empty() {
            self.tmdb_rows(&mut assembly, taste, candidates)
                .await
                .map_err(|e| failure(e, &self.record))?;
        }
        // A tab the AI (or TMDb alone) left short is filled; a failure here keeps what we have.
        match self.fill_short_tabs(&mut assembly, taste).await {
            Ok(0) => {}
            Ok(added) => {
                tracing::info!(user_id = self.user.id, added, "filled short tabs from TMDb")
            }
            Err(error) => {
                tracing::warn!(%error, user_id = self.user.id, "could not fill short tabs")
            }
        }
        if assembly.is_empty() {
            return Err((
                "Nothing new to recommend was found; the previous rows were kept.".to_owned(),
                Some(self.record.clone()),
            ));
        }
        Ok((assembly, asked))
    }

    /// Checks the rows' availability, then stores them and what Watch together reads of him
    /// (his profile), in one write.
    async fn store(
        &self,
        assembly: &Assembly,
        taste: &Taste,
        candidates: &[Candidate],
    ) -> Result<(), Failure> {
        let checked =
            availability::check_all(self.pool(), self.upstreams.overseerr(self.http), assembly)
                .await;
        self.report("Checking availability", checked, checked).await;
        self.report("Saving", 0, 0).await;
        let tabs: Vec<(String, String)> = TABS
            .iter()
            .filter_map(|tab| {
                let rows = assembly.tabs.get(tab)?;
                Some((tab.slug().to_owned(), serde_json::to_string(rows).ok()?))
            })
            .collect();
        let neighbours = candidates
            .iter()
            .map(|c| profile::Neighbour {
                kind: c.kind,
                tmdb_id: c.tmdb_id,
                title: c.title.clone(),
                year: c.year,
                because: c.because.clone(),
            })
            .collect();
        let profile = serde_json::to_string(&profile::TasteProfile::of(taste, neighbours))
            .unwrap_or_default();
        let user_id = self.user.id;
        db::write(self.pool(), db::Scope::User(user_id), move |conn| {
            let tabs: Vec<(&str, String)> =
                tabs.iter().map(|(t, j)| (t.as_str(), j.clone())).collect();
            db::recommendations::replace(conn, user_id, &tabs, db::now())?;
            Ok(db::together::put_profile(
                conn,
                user_id,
                &profile,
                db::now(),
            )?)
        })
        .await
        .map_err(|e| failure(e, &self.record))
    }

    /// The run record's verdict on the answer, and what the user is told.
    fn ended(
        &mut self,
        assembly: &Assembly,
        asked: AiAsked,
        taste: &Taste,
        fingerprint: Option<String>,
    ) -> Outcome {
        // The run record judges the answer: titles the filling added are not the AI's.
        self.record.kept = (assembly.kept - assembly.filled) as i32;
        self.record.dropped_json = serde_json::to_string(
            &assembly
                .dropped
                .iter()
                .collect::<std::collections::BTreeMap<_, _>>(),
        )
        .unwrap_or_else(|_| "{}".into());
        let outage = taste.plex_outage.map(|(unlooked, total)| {
            format!(
                " Tautulli could not reach Plex, so {unlooked} of the {total} titles in your history were \
                 known by name only; the next refresh looks them up again."
            )
        });
        let message = match asked {
            AiAsked::Answered => {
                self.record.outcome = RunOutcome::Ok;
                // An answer cut short is asked again next night.
                if self.ai_note.is_none() {
                    self.record.fingerprint = fingerprint;
                }
                format!("Found {} titles for you.", assembly.kept)
            }
            AiAsked::NotSetUp => {
                self.record.outcome = RunOutcome::OkWithoutAi;
                self.record.fingerprint = fingerprint;
                format!(
                    "Found {} titles for you (from TMDb; no AI is set up).",
                    assembly.kept
                )
            }
            AiAsked::Failed(problem) => {
                self.record.outcome = RunOutcome::OkWithoutAi;
                format!("Found {} titles from TMDb alone: {problem}.", assembly.kept)
            }
        } + self.ai_note.as_deref().unwrap_or("")
            + self.context_note.as_deref().unwrap_or("")
            + outage.as_deref().unwrap_or("");
        Outcome::succeeded(message, assembly.kept)
    }
}
