//! Watch together's data and its one AI call (docs/recommendations.md "Watch together"): a
//! group's members as stored, and "Ask the AI for us", which sends every member's history in one
//! streamed call, verifies the answer against TMDb like a refresh, and keeps the rows for the
//! group. It runs as the caller's refresh does (his status shows its progress) and is recorded
//! as his run, so its tokens count against the month's budget.

use std::collections::HashMap;

use diesel::SqliteConnection;

use crate::db::{self, states::RunOutcome};
use crate::domain::eligibility::Viewer;
use crate::error::AppError;
use crate::media::TABS;

use super::group::{self, Member};
use super::profile::TasteProfile;
use super::prompt::{GroupMember, Subject};
use super::rows::{Assembly, Row};
use super::{Context, Outcome, Progress, Run, Trigger, normalize};

/// What every message of a group's AI call names, so a group's page shows only those.
const GROUP: &str = "the group";

/// The largest group a page or an AI call takes (the caller included).
pub const MAX_GROUP: usize = 6;

/// The members `ids` as stored (users that no longer exist are left out), in `ids`' order.
pub fn load_members(conn: &mut SqliteConnection, ids: &[i32]) -> diesel::QueryResult<Vec<Member>> {
    let mut members = Vec::new();
    for &id in ids {
        let Some(user) = db::users::find(conn, id)? else {
            continue;
        };
        let mut rows: Vec<Row> = Vec::new();
        for tab in TABS {
            if let Some((json, _)) = db::recommendations::load(conn, id, tab.slug())? {
                rows.extend(serde_json::from_str::<Vec<Row>>(&json).unwrap_or_default());
            }
        }
        let profile: TasteProfile = db::together::profile(conn, id)?
            .and_then(|json| serde_json::from_str(&json).ok())
            .unwrap_or_default();
        members.push(Member {
            name: user.username,
            rows,
            profile,
            eligibility: db::preferences::eligibility(conn, id, Viewer::InAGroup)?,
        });
    }
    Ok(members)
}

/// "Ask the AI for us": one call for the group `member_ids` (the caller first), recorded as
/// the caller's run. A failure keeps the group's previous rows and says why.
pub async fn ask(
    ctx: &Context,
    http: &awc::Client,
    caller_id: i32,
    member_ids: Vec<i32>,
    progress: Progress<'_>,
) -> Outcome {
    let started = db::now();
    let _ = db::write(&ctx.pool, db::Scope::User(caller_id), move |c| {
        Ok(db::recommendations::set_running_for(
            c,
            caller_id,
            started,
            db::states::RunFor::Group,
        )?)
    })
    .await;
    progress("Starting", 0, 0);
    let result = run(ctx, http, caller_id, &member_ids, progress).await;
    super::record_end(ctx, caller_id, Trigger::Together, started, result).await
}

async fn run(
    ctx: &Context,
    http: &awc::Client,
    caller_id: i32,
    member_ids: &[i32],
    progress: Progress<'_>,
) -> Result<(Outcome, db::runs::NewRun), super::Failure> {
    let (mut caller, upstreams) = super::prepare(ctx, caller_id)
        .await
        .map_err(|m| (m, None))?;
    let ids = member_ids.to_vec();
    let members = db::run(&ctx.pool, move |conn| Ok(load_members(conn, &ids)?))
        .await
        .map_err(|e| (AppError::from(e).to_string(), None))?;
    // The AI is told, and the rows kept within, the strictest limit in the group.
    caller.rating_limit = group::eligibility(&members).limit().map(str::to_owned);
    let record = db::runs::NewRun::default();
    let mut run = Run::new(ctx, http, caller, &upstreams, record, progress, None)
        .map_err(|e| super::failure(e, &db::runs::NewRun::default()))?;
    run.because_as_said = true;
    if upstreams.ai.is_empty() {
        return Err((
            "No AI is set up on this server, so the group's rows come from your stored picks"
                .to_owned(),
            None,
        ));
    }
    let group: Vec<GroupMember<'_>> = members
        .iter()
        .map(|m| GroupMember {
            name: &m.name,
            profile: &m.profile,
        })
        .collect();
    let proposals = run
        .ask_ai(Subject::Group(&group))
        .await
        .map_err(|problem| {
            (
                format!("The AI call for {GROUP} failed: {problem}"),
                Some(run.record.clone()),
            )
        })?;

    let history: HashMap<String, String> = members
        .iter()
        .flat_map(|m| &m.profile.titles)
        .map(|t| (normalize::normalize(t), t.clone()))
        .collect();
    let mut assembly = Assembly::for_viewer(group::eligibility(&members));
    run.verify_into(&mut assembly, &proposals, &history, &HashMap::new())
        .await
        .map_err(|e| super::failure(e, &run.record))?;
    if assembly.is_empty() {
        return Err((
            "The AI named nothing new for the group that TMDb could verify; the group's previous rows were kept"
                .to_owned(),
            Some(run.record.clone()),
        ));
    }
    let rows: Vec<Row> = TABS
        .iter()
        .filter_map(|tab| assembly.tabs.remove(tab))
        .flatten()
        .collect();
    let json = serde_json::to_string(&rows).unwrap_or_else(|_| "[]".to_owned());
    let ids = member_ids.to_vec();
    // Every member's group pages show these rows: each member's version moves, not only the
    // caller's.
    db::write_shown_to(&ctx.pool, move |conn| {
        db::together::put_group_rows(conn, &ids, &json, db::now())?;
        Ok(ids)
    })
    .await
    .map_err(|e| super::failure(e, &run.record))?;
    let mut record = run.record.clone();
    record.outcome = RunOutcome::Ok;
    record.kept = assembly.kept as i32;
    let note = run.ai_note.clone().unwrap_or_default();
    Ok((
        Outcome::succeeded(
            format!("Found {} titles for the group.{note}", assembly.kept),
            assembly.kept,
        ),
        record,
    ))
}
