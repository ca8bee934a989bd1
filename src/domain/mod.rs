//! The nouns of the product, checked where they come in (a form, a row, an upstream) and typed
//! everywhere after: `db/`, `engine/` and `views/` pass these, never their text.

pub mod availability;
pub mod eligibility;
pub mod role;
pub mod title;
pub mod verdict;

pub use availability::Availability;
pub use eligibility::{Eligibility, Ineligible};
pub use role::Role;
pub use title::TitleId;
pub use verdict::Verdict;
