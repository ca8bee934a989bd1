//! Users: who signed in, his role, and how he maps to the upstream services.

use diesel::prelude::*;

use super::schema::{together_rows, users};
use crate::domain::Role;
use crate::secrets::Secret;

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub plex_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub role: Role,
    pub tautulli_user_id: Option<i64>,
    pub overseerr_user_id: Option<i64>,
    pub mapping_error: Option<String>,
    pub created_at: i64,
    pub last_login_at: i64,
    pub last_seen_at: i64,
    /// The highest certification shown to him (`crate::ratings`); `None`: no limit.
    pub rating_limit: Option<String>,
    /// Where the limit came from: `here` (the admin page, which wins), `plex` (the owner's share
    /// restriction on plex.tv), `home` (a Plex Home managed user's start), or empty.
    pub rating_limit_source: String,
    /// Whether others may pick him on the Watch together page (he said yes on his page).
    pub share_together: bool,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What plex.tv told us about an account at sign-in.
#[derive(Debug, Clone)]
pub struct SignedInAccount {
    pub plex_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub plex_token: Secret,
}

pub fn find_by_plex_id(conn: &mut SqliteConnection, plex_id: i64) -> QueryResult<Option<User>> {
    users::table
        .filter(users::plex_id.eq(plex_id))
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

pub fn find(conn: &mut SqliteConnection, id: i32) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .get_result(conn)
        .optional()
}

pub fn any_admin(conn: &mut SqliteConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(Role::Admin)),
    ))
    .get_result(conn)
}

/// Stores how the user maps to Tautulli and Overseerr, and what went wrong finding out.
/// An id already known is kept when the upstream could not be asked this time.
pub fn set_mapping(
    conn: &mut impl super::Writable,
    id: i32,
    tautulli: Option<i64>,
    overseerr: Option<i64>,
    error: Option<&str>,
) -> QueryResult<()> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        let current = find(conn, id)?;
        let Some(current) = current else {
            return Ok(());
        };
        diesel::update(users::table.find(id))
            .set((
                users::tautulli_user_id.eq(tautulli.or(current.tautulli_user_id)),
                users::overseerr_user_id.eq(overseerr.or(current.overseerr_user_id)),
                users::mapping_error.eq(error),
            ))
            .execute(conn)
            .map(drop)
    })
}

/// Drops the user's Overseerr id (it named a user Overseerr no longer has), so he is mapped
/// again.
pub fn forget_overseerr_user(conn: &mut impl super::Writable, id: i32) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::update(users::table.find(id))
        .set(users::overseerr_user_id.eq(None::<i64>))
        .execute(conn)
        .map(drop)
}

/// Who counts as active (refreshed by the nightly and "Refresh everyone"): seen in this long.
pub const ACTIVE_SECONDS: i64 = 30 * 86_400;

/// Everyone seen since `since`, with his name, the most recent visitor first.
pub fn active_by_last_visit(
    conn: &mut SqliteConnection,
    since: i64,
) -> QueryResult<Vec<(i32, String)>> {
    users::table
        .filter(users::last_seen_at.ge(since))
        .select((users::id, users::username))
        .order((users::last_seen_at.desc(), users::id.asc()))
        .load(conn)
}

pub fn find_by_username(conn: &mut SqliteConnection, username: &str) -> QueryResult<Option<User>> {
    users::table
        .filter(users::username.eq(username))
        .select(User::as_select())
        .first(conn)
        .optional()
}

/// Notes that the user was seen, at most once an hour so page views rarely write.
pub fn touch_seen(conn: &mut impl super::Writable, id: i32, now: i64) -> QueryResult<()> {
    let conn = conn.connection();
    diesel::update(
        users::table
            .find(id)
            .filter(users::last_seen_at.lt(now - 3600)),
    )
    .set(users::last_seen_at.eq(now))
    .execute(conn)
    .map(drop)
}

/// The user's own Plex token, for his watchlist. Never shown anywhere.
pub fn plex_token(conn: &mut SqliteConnection, id: i32) -> QueryResult<Option<Secret>> {
    users::table
        .find(id)
        .select(users::plex_token)
        .first::<Option<String>>(conn)
        .optional()
        .map(|token| token.flatten().map(Secret::from))
}

/// Everyone, admins first, then by name.
pub fn all(conn: &mut SqliteConnection) -> QueryResult<Vec<User>> {
    users::table
        .select(User::as_select())
        .order((users::role.asc(), users::username.asc()))
        .load(conn)
}

pub fn admin_count(conn: &mut SqliteConnection) -> QueryResult<i64> {
    users::table
        .filter(users::role.eq(Role::Admin))
        .count()
        .get_result(conn)
}

/// What changing a user's role or removing him would do to the set of admins.
#[derive(Debug, PartialEq, Eq)]
pub enum AdminChange {
    Done,
    NoSuchUser,
    WouldLeaveNoAdmin,
}

/// Sets a user's role; refuses to demote the last admin. One transaction, so two admins
/// demoting each other at once cannot both succeed.
pub fn set_role(conn: &mut impl super::Writable, id: i32, role: Role) -> QueryResult<AdminChange> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        let Some(user) = find(conn, id)? else {
            return Ok(AdminChange::NoSuchUser);
        };
        if user.is_admin() && role != Role::Admin && admin_count(conn)? <= 1 {
            return Ok(AdminChange::WouldLeaveNoAdmin);
        }
        diesel::update(users::table.find(id))
            .set(users::role.eq(role))
            .execute(conn)?;
        Ok(AdminChange::Done)
    })
}

/// Follows the owner's restriction on plex.tv for the user with Plex account `plex_id`, unless
/// his limit was set on the admin page. `None` lifts a limit that came from Plex only.
pub fn follow_plex_limit(
    conn: &mut impl super::Writable,
    plex_id: i64,
    limit: Option<&str>,
) -> QueryResult<()> {
    let conn = conn.connection();
    let target = users::table
        .filter(users::plex_id.eq(plex_id))
        .filter(users::rating_limit_source.ne(LIMIT_SET_HERE));
    match limit {
        Some(limit) => diesel::update(target)
            .set((
                users::rating_limit.eq(Some(limit)),
                users::rating_limit_source.eq(LIMIT_FROM_PLEX),
            ))
            .execute(conn)
            .map(drop),
        None => diesel::update(target.filter(users::rating_limit_source.eq(LIMIT_FROM_PLEX)))
            .set((
                users::rating_limit.eq(None::<String>),
                users::rating_limit_source.eq(""),
            ))
            .execute(conn)
            .map(drop),
    }
}

/// Where a rating limit comes from; a limit set on the admin page wins over the others.
pub const LIMIT_SET_HERE: &str = "here";
pub const LIMIT_FROM_PLEX: &str = "plex";
pub const LIMIT_PLEX_HOME: &str = "home";

/// Sets the highest certification shown to a user (`None`: no limit), as the admin did.
pub fn set_rating_limit(
    conn: &mut impl super::Writable,
    id: i32,
    limit: Option<&str>,
) -> QueryResult<AdminChange> {
    set_rating_limit_from(conn, id, limit, LIMIT_SET_HERE)
}

/// Sets a user's limit and where it came from.
pub fn set_rating_limit_from(
    conn: &mut impl super::Writable,
    id: i32,
    limit: Option<&str>,
    source: &str,
) -> QueryResult<AdminChange> {
    let conn = conn.connection();
    let changed = diesel::update(users::table.find(id))
        .set((
            users::rating_limit.eq(limit),
            users::rating_limit_source.eq(source),
        ))
        .execute(conn)?;
    Ok(if changed == 0 {
        AdminChange::NoSuchUser
    } else {
        AdminChange::Done
    })
}

/// Removes a user with his sessions, preferences and rows (cascade); never the last admin.
pub fn remove(conn: &mut impl super::Writable, id: i32) -> QueryResult<AdminChange> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        let Some(user) = find(conn, id)? else {
            return Ok(AdminChange::NoSuchUser);
        };
        if user.is_admin() && admin_count(conn)? <= 1 {
            return Ok(AdminChange::WouldLeaveNoAdmin);
        }
        diesel::delete(users::table.find(id)).execute(conn)?;
        forget_groups_of(conn, id)?;
        Ok(AdminChange::Done)
    })
}

/// Makes `account` the admin if nobody holds that role yet. Returns `None` when someone else
/// claimed it first; the check and the write share one immediate transaction, so two first
/// sign-ins at once cannot both become admin.
pub fn claim_admin(
    conn: &mut impl super::Writable,
    account: &SignedInAccount,
    now: i64,
) -> QueryResult<Option<User>> {
    let conn = conn.connection();
    conn.immediate_transaction(|conn| {
        if any_admin(conn)? {
            return Ok(None);
        }
        upsert_with_role(conn, account, Some(Role::Admin), now).map(Some)
    })
}

/// Records a sign-in: creates the user as a plain user, or refreshes an existing user's profile
/// and token while keeping his role.
pub fn record_sign_in(
    conn: &mut impl super::Writable,
    account: &SignedInAccount,
    now: i64,
) -> QueryResult<User> {
    let conn = conn.connection();

    conn.immediate_transaction(|conn| upsert_with_role(conn, account, None, now))
}

fn upsert_with_role(
    conn: &mut SqliteConnection,
    account: &SignedInAccount,
    role: Option<Role>,
    now: i64,
) -> QueryResult<User> {
    let profile = (
        users::username.eq(&account.username),
        users::email.eq(&account.email),
        users::avatar_url.eq(&account.avatar_url),
        users::plex_token.eq(account.plex_token.expose()),
        users::last_login_at.eq(now),
        users::last_seen_at.eq(now),
    );
    let updated = diesel::update(users::table.filter(users::plex_id.eq(account.plex_id)))
        .set(profile)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(users::table)
            .values((
                profile,
                users::plex_id.eq(account.plex_id),
                users::role.eq(Role::User),
                users::created_at.eq(now),
            ))
            .execute(conn)?;
    }
    if let Some(role) = role {
        diesel::update(users::table.filter(users::plex_id.eq(account.plex_id)))
            .set(users::role.eq(role))
            .execute(conn)?;
    }
    users::table
        .filter(users::plex_id.eq(account.plex_id))
        .select(User::as_select())
        .get_result(conn)
}

/// Drops the Watch together rows of every group `user_id` was part of (he was removed). Keys
/// are the members' ids joined by commas (`db::together::group_key`).
fn forget_groups_of(conn: &mut SqliteConnection, user_id: i32) -> QueryResult<()> {
    let id = user_id.to_string();
    diesel::delete(
        together_rows::table.filter(
            together_rows::members
                .eq(&id)
                .or(together_rows::members.like(format!("{id},%")))
                .or(together_rows::members.like(format!("%,{id}")))
                .or(together_rows::members.like(format!("%,{id},%"))),
        ),
    )
    .execute(conn)
    .map(drop)
}
/// A new database in a temporary directory with one signed-in user: the fixture unit tests of
/// the database and the jobs share.
#[cfg(test)]
pub fn test_pool_with_user() -> (tempfile::TempDir, super::DbPool, i32) {
    let dir = tempfile::tempdir().unwrap();
    let pool = super::open(&dir.path().join("sagarr.db")).unwrap();
    let account = SignedInAccount {
        plex_id: 7,
        username: "friend".into(),
        email: None,
        avatar_url: None,
        plex_token: "token".into(),
    };
    let user = record_sign_in(&mut pool.get().unwrap(), &account, 1).unwrap();
    (dir, pool, user.id)
}
