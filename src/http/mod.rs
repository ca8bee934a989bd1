//! Cross-cutting HTTP behaviour: content negotiation, the cross-site check, and headers.

pub mod csrf;
pub mod headers;
pub mod limiter;
pub mod negotiate;
