//! Who may sign in, and who is signed in.

pub mod rules;
pub mod session;
