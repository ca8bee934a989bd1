//! The sign-in rules (docs/configuration.md "Who may sign in"), as pure decisions over what plex.tv,
//! Tautulli and our database said.

use crate::integrations::plex::Account;
use crate::integrations::tautulli;
use crate::integrations::{UpstreamError, UpstreamErrorKind};

/// How often a refused sign-in may make Tautulli re-read its users from plex.tv.
pub const USERS_REFRESH_EVERY: std::time::Duration = std::time::Duration::from_secs(60);

#[derive(Debug, PartialEq, Eq)]
pub enum Access {
    /// Fresh install: this account becomes the admin.
    ClaimAdmin,
    /// Let in with the role he has (or as a plain user if new).
    Admit,
    /// Refused, with a message for the person signing in.
    Refuse(String),
}

/// On a fresh install: anyone may claim admin, unless `SAGARR_ADMIN` names someone else.
pub fn on_fresh_install(pinned_admin: Option<&str>, account: &Account) -> Access {
    match pinned_admin {
        Some(pinned) if !names_account(pinned, account) => Access::Refuse(
            "This Sagarr is waiting for its owner to sign in first. Try again once the server's owner has \
             signed in."
                .to_owned(),
        ),
        _ => Access::ClaimAdmin,
    }
}

/// `SAGARR_ADMIN` may hold the Plex username, the email or the account id.
fn names_account(pinned: &str, account: &Account) -> bool {
    let pinned = pinned.trim();
    pinned == account.id.to_string()
        || (!account.username.is_empty() && pinned.eq_ignore_ascii_case(&account.username))
        || account
            .email
            .as_deref()
            .is_some_and(|email| pinned.eq_ignore_ascii_case(email))
}

/// After the admin exists: a non-admin gets in only if Tautulli lists his account as an active
/// user of the server. When Tautulli cannot be asked, we fail closed.
pub fn for_non_admin(
    account: &Account,
    tautulli_users: Result<&[tautulli::User], &UpstreamError>,
) -> Access {
    match tautulli_users {
        Ok(users)
            if users
                .iter()
                .any(|u| u.is_active_account() && u.user_id == Some(account.id)) =>
        {
            Access::Admit
        }
        Ok(_) => Access::Refuse(format!(
            "The Plex account {} isn't one this server is shared with, so Sagarr can't let it in. \
             If it should be, ask the server's owner to share the server with this account on Plex \
             (Settings → Manage Library Access) and, if he just did, to press \"Refresh users\" on \
             Tautulli's Users page; then sign in again.",
            account.display_name()
        )),
        Err(error) => Access::Refuse(format!(
            "Sagarr checks with Tautulli that you use this server, and {}. Only admins can sign in until \
             that's fixed; please tell the server's owner.",
            tautulli_problem(error)
        )),
    }
}

/// An account Tautulli does not list, when Tautulli could not ask plex.tv for the server's
/// users just now: he may have been invited since its last look, so the refusal says to retry.
pub fn unlisted_while_plex_unreachable(account: &Account) -> Access {
    Access::Refuse(format!(
        "The Plex account {} isn't on this server's list yet, and the server could not check with \
         Plex right now. If the server's owner just shared the server with you, try again in a few \
         minutes; if it keeps happening, please tell him.",
        account.display_name()
    ))
}

/// Why Tautulli could not be asked, short and without addresses: the person reading it is not
/// the admin. The full error goes to the log.
fn tautulli_problem(error: &UpstreamError) -> &'static str {
    match error.kind {
        UpstreamErrorKind::NotConfigured => "Tautulli is not set up yet",
        UpstreamErrorKind::Unreachable { .. } => "Tautulli could not be reached",
        UpstreamErrorKind::TimedOut { .. } => "Tautulli did not answer in time",
        UpstreamErrorKind::KeyRefused => "Tautulli refused Sagarr's API key",
        _ => "Tautulli did not give a usable answer",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrations::Service;

    fn account(id: i64, username: &str, email: &str) -> Account {
        Account {
            id,
            username: username.into(),
            title: username.into(),
            email: Some(email.into()),
            thumb: None,
            restricted: None,
        }
    }

    fn user(id: i64, active: i64) -> tautulli::User {
        tautulli::User {
            user_id: Some(id),
            username: None,
            email: None,
            is_active: Some(active),
            filter_movies: String::new(),
            filter_tv: String::new(),
        }
    }

    #[test]
    fn pinned_admin_matches_username_email_or_id() {
        let a = account(42, "Owner", "owner@example.com");
        for pin in ["owner", "OWNER@example.com", "42"] {
            assert_eq!(on_fresh_install(Some(pin), &a), Access::ClaimAdmin, "{pin}");
        }
        assert!(matches!(
            on_fresh_install(Some("someone"), &a),
            Access::Refuse(_)
        ));
        assert_eq!(on_fresh_install(None, &a), Access::ClaimAdmin);
    }

    #[test]
    fn only_active_real_accounts_get_in() {
        let a = account(7, "friend", "f@example.com");
        assert_eq!(
            for_non_admin(&a, Ok(&[user(0, 1), user(7, 1)])),
            Access::Admit
        );
        assert!(matches!(
            for_non_admin(&a, Ok(&[user(7, 0)])),
            Access::Refuse(_)
        ));
        let local = account(0, "Local", "x@example.com");
        assert!(matches!(
            for_non_admin(&local, Ok(&[user(0, 1)])),
            Access::Refuse(_)
        ));
    }

    #[test]
    fn tautulli_failure_refuses_and_says_why() {
        let a = account(7, "friend", "f@example.com");
        let error = UpstreamError::not_configured(Service::Tautulli);
        let Access::Refuse(message) = for_non_admin(&a, Err(&error)) else {
            panic!("admitted")
        };
        assert!(message.contains("Tautulli is not set up yet"), "{message}");
    }
}
