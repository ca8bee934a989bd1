//! `/admin`: the integration settings, each section with Test and Save, and the users.

use std::collections::HashMap;

use actix_session::Session;
use actix_web::{HttpResponse, web};
use askama::Template;

use super::respond::{Return, fragment_or_redirect, html, render};
use crate::auth::session::{self, AdminUser};
use crate::db::{self, users::User};
use crate::error::AppError;
use crate::http::negotiate::ResponseKind;
use crate::integrations::ai::ProviderKind;
use crate::probe;
use crate::settings::{self, FieldKind, Section, Values};
use crate::state::AppState;
use crate::views::admin_runs::{self, RunsFragment};
use crate::views::admin_users::{UserRow, rows_for};
use crate::views::ai_usage::UsageView;

/// One field as the form shows it. Secrets are never sent back: only whether one is set.
pub struct FieldView {
    pub name: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub secret: bool,
    pub is_provider: bool,
    /// A field of a few values (value, label), shown as a list; empty for other fields.
    pub choices: &'static [(&'static str, &'static str)],
    pub value: String,
    pub has_value: bool,
    pub source: &'static str,
    /// A secret saved on this page, which its Clear button can remove.
    pub clearable: bool,
}

impl FieldView {
    /// The choices of a provider field, from the one list of kinds.
    pub fn providers(&self) -> [ProviderKind; 3] {
        ProviderKind::ALL
    }

    /// Whether `choice` is the field's value (an empty value is the first choice).
    pub fn is_chosen(&self, choice: &str) -> bool {
        self.value == choice
            || (self.value.is_empty() && self.choices.first().is_some_and(|(v, _)| *v == choice))
    }
}

/// One section: its fields and the outcome of the last Save or Test, if any.
pub struct SectionView {
    pub slug: &'static str,
    pub title: &'static str,
    pub fields: Vec<FieldView>,
    pub result: Option<(bool, String)>,
    /// A standing note under the section (the AI's expected answer time).
    pub note: Option<String>,
}

impl SectionView {
    fn new(
        section: Section,
        values: &Values,
        result: Option<(bool, String)>,
        config: &crate::config::Config,
    ) -> Self {
        let fields = section
            .fields()
            .iter()
            .map(|f| {
                let resolved = values.get(f.name);
                let value = resolved.map(|r| r.value.clone()).unwrap_or_default();
                FieldView {
                    name: f.name,
                    label: f.label,
                    help: f.help,
                    secret: f.secret,
                    is_provider: f.kind == FieldKind::Provider,
                    choices: match f.kind {
                        FieldKind::Choice(choices) => choices,
                        _ => &[],
                    },
                    has_value: !value.is_empty(),
                    clearable: f.secret
                        && !value.is_empty()
                        && resolved.is_some_and(|r| r.source == settings::Source::Saved),
                    value: if f.secret { String::new() } else { value },
                    source: resolved.map_or("default", |r| r.source.label()),
                }
            })
            .collect();
        Self {
            slug: section.slug(),
            title: section.title(),
            fields,
            result,
            note: (section == Section::Plex).then(|| {
                format!(
                    "Watchlists are added at {}. Each user's Plex token is sent there, so only the \
                     environment sets it (PLEX_DISCOVER_URL), never this page.",
                    crate::integrations::display_url(&config.upstreams.plex_discover)
                )
            }),
        }
    }
}

#[derive(Template)]
#[template(path = "admin.html")]
struct AdminPage {
    user: User,
    sections: Vec<SectionView>,
    users: Vec<UserRow>,
    usage: Option<UsageView>,
    runs: RunsFragment,
    /// The outcome of the last user action, shown in the Users section.
    notice: Option<(bool, String)>,
}

#[derive(Template)]
#[template(path = "partials/admin_section.html")]
struct SectionFragment {
    section: SectionView,
}

pub fn parse_section(raw: &str) -> Result<Section, AppError> {
    Section::parse(raw).ok_or_else(|| {
        AppError::BadRequest(format!(
            "There is no settings section called \"{raw}\": use tautulli, overseerr, tmdb, ai or plex."
        ))
    })
}

async fn load_values(state: &AppState, section: Section) -> Result<Values, AppError> {
    let env = state.ctx.config.env_integrations.clone();
    db::run(&state.ctx.pool, move |conn| {
        Ok(settings::load(conn, &env, section)?)
    })
    .await
    .map_err(AppError::from)
}

/// `GET /admin`.
pub async fn page(
    AdminUser(user): AdminUser,
    state: web::Data<AppState>,
    session: Session,
) -> Result<HttpResponse, AppError> {
    // A form posted without JavaScript comes back here; its message shows in its own section.
    let flash = session::take_flash(&session);
    let message_for = |anchor: &str| {
        flash
            .as_ref()
            .filter(|f| f.anchor == anchor)
            .map(|f| (f.ok, f.message.clone()))
    };
    let mut sections = Vec::new();
    let mut usage = None;
    for section in Section::ALL {
        let result = message_for(&format!("section-{}", section.slug()));
        let values = load_values(&state, section).await?;
        let mut view = SectionView::new(section, &values, result, &state.ctx.config);
        if section == Section::Ai {
            view.note = ai_estimate(&state, &values).await?;
            usage = Some(month_usage(&state, &values).await?);
        }
        sections.push(view);
    }
    let users = rows_for(&state, Some(user.id)).await?;
    let notice = message_for("users");
    let runs = admin_runs::load(&state, message_for("runs").map(|(_, m)| m)).await?;
    Ok(html(render(&AdminPage {
        user,
        sections,
        users,
        usage,
        runs,
        notice,
    })?))
}

/// This month's AI use, drawn against the budget, with money when prices are set.
async fn month_usage(state: &AppState, values: &Values) -> Result<UsageView, AppError> {
    let budget = settings::ai_budget(values);
    let prices = settings::ai_prices(values);
    let now = chrono::Local::now();
    let usage = db::run(&state.ctx.pool, move |c| {
        Ok(crate::engine::budget::month_usage(c, now, budget)?)
    })
    .await?;
    Ok(UsageView::new(&usage, prices))
}

/// The first provider's expected answer time at its measured speed; none without an AI.
async fn ai_estimate(state: &AppState, values: &Values) -> Result<Option<String>, AppError> {
    let Some(provider) = settings::ai_providers(values).into_iter().next() else {
        return Ok(None);
    };
    let (kind, model, asked) = (
        provider.kind.as_str(),
        provider.model.clone(),
        provider.clone(),
    );
    let (measured, habits, caps) = db::run(&state.ctx.pool, move |c| {
        Ok((
            db::runs::ai_speed(c, kind, &model, 10)?,
            db::runs::ai_habits(c, kind, &model, 10)?,
            settings::capabilities(c, &asked)?,
        ))
    })
    .await?;
    let c = &state.ctx.config;
    let items_per_row = c.items_per_row + crate::engine::RESERVE_PER_ROW;
    let mut note = crate::engine::estimate::describe(
        c.rows_per_kind,
        items_per_row,
        measured,
        &provider.model,
        c.ai_timeout,
        c.ai_max,
    );
    note.push_str(&crate::engine::estimate::describe_local(
        &provider,
        habits,
        caps.context_length,
        c.rows_per_kind,
        items_per_row,
    ));
    Ok(Some(note))
}

/// `POST /admin/settings/{section}`: checks and saves one section.
pub async fn save(
    response: ResponseKind,
    _admin: AdminUser,
    state: web::Data<AppState>,
    session: Session,
    section: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let section = parse_section(&section)?;
    // A "Clear" button names the one secret to forget; nothing else in the form is saved.
    if let Some(name) = form.get("clear").cloned() {
        let cleared = db::write(&state.ctx.pool, db::Scope::Everyone, move |conn| {
            Ok(settings::clear_secret(conn, section, &name))
        })
        .await?;
        let field = match cleared {
            Ok(field) => field,
            Err(settings::ClearError::NoSuchSecret) => {
                return Err(AppError::BadRequest(
                    settings::ClearError::NoSuchSecret.to_string(),
                ));
            }
            Err(settings::ClearError::Database(e)) => {
                return Err(AppError::internal("clearing a key", e));
            }
        };
        tracing::info!(section = section.slug(), field = field.name, "key cleared");
        let still = state.ctx.config.env_integrations.get(field.env).is_some();
        let message = if still {
            format!(
                "{} cleared here; the one in {} applies.",
                field.label, field.env
            )
        } else {
            format!("{} cleared.", field.label)
        };
        return answer(response, &state, &session, section, message).await;
    }
    if section.fields().is_empty() {
        return Err(AppError::BadRequest(format!(
            "The {} section has nothing to save here: its address comes from the environment.",
            section.title()
        )));
    }
    let current = load_values(&state, section).await?;
    let merged = settings::merge_form(section, &current, &form).map_err(AppError::BadRequest)?;
    let to_save = merged.clone();
    db::write(&state.ctx.pool, db::Scope::Everyone, move |conn| {
        Ok(settings::save(conn, section, &to_save, db::now())?)
    })
    .await?;
    tracing::info!(section = section.slug(), "settings saved");
    let message = format!("{} settings saved.", section.title());
    answer(response, &state, &session, section, message).await
}

/// The section as it now stands with `message` under it (HTMX), or back to it (plain form).
async fn answer(
    response: ResponseKind,
    state: &AppState,
    session: &Session,
    section: Section,
    message: String,
) -> Result<HttpResponse, AppError> {
    let to = Return::admin(&format!("section-{}", section.slug()));
    fragment_or_redirect(response, session, to, true, message, |message| async move {
        let values = load_values(state, section).await?;
        render(&SectionFragment {
            section: SectionView::new(section, &values, Some((true, message)), &state.ctx.config),
        })
    })
    .await
}

/// `POST /admin/test/{section}`: tests the values in the form, unsaved.
pub async fn test_form(
    response: ResponseKind,
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    session: Session,
    section: web::Path<String>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let section = parse_section(&section)?;
    let current = load_values(&state, section).await?;
    let values = settings::merge_form(section, &current, &form).map_err(AppError::BadRequest)?;
    let result = probe::run(&state, &http, section, &values, admin.id).await;
    let to = Return::admin(&format!("section-{}", section.slug()));
    let ok = result.ok;
    fragment_or_redirect(
        response,
        &session,
        to,
        ok,
        result.message,
        |message| async move {
            // Show what was tested, unsaved, with the result under it.
            let view = SectionView::new(section, &values, Some((ok, message)), &state.ctx.config);
            render(&SectionFragment { section: view })
        },
    )
    .await
}

/// `GET /api/admin/test/{section}`: tests the saved values.
pub async fn test_saved(
    AdminUser(admin): AdminUser,
    state: web::Data<AppState>,
    http: web::Data<awc::Client>,
    section: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let section = parse_section(&section)?;
    let values = load_values(&state, section).await?;
    Ok(HttpResponse::Ok().json(probe::run(&state, &http, section, &values, admin.id).await))
}
