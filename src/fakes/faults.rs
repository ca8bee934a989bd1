//! Misbehaviour on demand, answered in each service's own error shape (docs/upstreams.md).

use std::sync::Mutex;
use std::time::Duration;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use actix_web::{HttpResponse, web};
use serde_json::json;

use super::sync::lock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    None,
    /// Answer normally, but only after this long.
    Slow(Duration),
    /// HTTP 500 with the service's error body.
    ServerError,
    /// HTTP 200 with a body that is not what the service sends.
    Malformed,
    /// HTTP 429 with `Retry-After: 2`.
    RateLimited,
}

/// Whose error shapes to speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Plex,
    Tautulli,
    Overseerr,
    Tmdb,
    OpenAi,
    Ollama,
}

pub struct FaultSwitch {
    fault: Mutex<Fault>,
    flavor: Flavor,
}

impl FaultSwitch {
    pub fn new(flavor: Flavor) -> Self {
        Self {
            fault: Mutex::new(Fault::None),
            flavor,
        }
    }

    pub fn set(&self, fault: Fault) {
        *lock(&self.fault) = fault;
    }
}

pub async fn inject<B: MessageBody>(
    req: ServiceRequest,
    next: Next<B>,
) -> Result<ServiceResponse<EitherBody<B>>, actix_web::Error> {
    let Some(switch) = req.app_data::<web::Data<FaultSwitch>>().cloned() else {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    };
    let fault = *lock(&switch.fault);
    let canned = match fault {
        Fault::None => None,
        Fault::Slow(delay) => {
            actix_web::rt::time::sleep(delay).await;
            None
        }
        Fault::ServerError => Some(server_error(switch.flavor)),
        Fault::Malformed => Some(
            HttpResponse::Ok()
                .content_type("text/html")
                .body("<html><body>502 Bad Gateway (nginx)</body></html>"),
        ),
        Fault::RateLimited => Some(rate_limited(switch.flavor)),
    };
    match canned {
        Some(response) => Ok(req.into_response(response).map_into_right_body()),
        None => next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body),
    }
}

fn server_error(flavor: Flavor) -> HttpResponse {
    let body = match flavor {
        Flavor::Plex => {
            json!({"errors": [{"code": 1, "message": "Internal Server Error", "status": 500}]})
        }
        Flavor::Tautulli => {
            json!({"response": {"result": "error", "message": "Check the logs for errors", "data": {}}})
        }
        Flavor::Overseerr => json!({"message": "Something went wrong."}),
        Flavor::Tmdb => {
            json!({"success": false, "status_code": 11, "status_message": "Internal error: Something went wrong, contact TMDB."})
        }
        Flavor::OpenAi => {
            json!({"error": {"message": "The server had an error processing your request. Sorry about that!", "type": "server_error", "param": null, "code": null}})
        }
        Flavor::Ollama => json!({"error": "llama runner process has terminated"}),
    };
    HttpResponse::InternalServerError().json(body)
}

fn rate_limited(flavor: Flavor) -> HttpResponse {
    let body = match flavor {
        Flavor::Tmdb => {
            json!({"success": false, "status_code": 25, "status_message": "Your request count (41) is over the allowed limit of (40)."})
        }
        Flavor::OpenAi => {
            json!({"error": {"message": "Rate limit reached for gpt-4o-mini on tokens per min (TPM). Please try again in 2s.", "type": "tokens", "param": null, "code": "rate_limit_exceeded"}})
        }
        Flavor::Ollama => {
            json!({"error": "server busy, please try again. maximum pending requests exceeded"})
        }
        Flavor::Tautulli => {
            json!({"response": {"result": "error", "message": "Too many requests", "data": {}}})
        }
        Flavor::Overseerr | Flavor::Plex => json!({"message": "Too many requests"}),
    };
    HttpResponse::TooManyRequests()
        .insert_header(("Retry-After", "2"))
        .json(body)
}
