//! `GET /api/health`: is the server up and its database usable?

use actix_web::{HttpResponse, web};

use crate::db;
use crate::error::AppError;
use crate::state::AppState;

pub async fn health(state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let pool = state.ctx.pool.clone();
    let database_ok = web::block(move || db::ping(&pool)).await.unwrap_or(false);
    let body = serde_json::json!({
        "status": if database_ok { "ok" } else { "error" },
        "version": env!("CARGO_PKG_VERSION"),
        "database": if database_ok { "ok" } else { "error" },
    });
    Ok(if database_ok {
        HttpResponse::Ok().json(body)
    } else {
        HttpResponse::ServiceUnavailable().json(body)
    })
}
