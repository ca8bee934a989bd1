//! Cross-cutting HTTP behaviour: whom to believe about the client, content negotiation, error
//! pages, the cross-site check, slow bodies, and headers.

pub mod body_deadline;
pub mod csrf;
pub mod error_pages;
pub mod forwarded;
pub mod headers;
pub mod limiter;
pub mod negotiate;
pub mod request_id;
pub mod revisit;
