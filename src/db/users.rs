//! Users: who signed in, his role, and how he maps to the upstream services.

use diesel::prelude::*;

use super::schema::users;

pub const ADMIN: &str = "admin";
pub const USER: &str = "user";

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub plex_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub role: String,
    pub tautulli_user_id: Option<i64>,
    pub overseerr_user_id: Option<i64>,
    pub mapping_error: Option<String>,
    pub created_at: i64,
    pub last_login_at: i64,
}

impl User {
    pub fn is_admin(&self) -> bool {
        self.role == ADMIN
    }
}

/// What plex.tv told us about an account at sign-in.
#[derive(Debug, Clone)]
pub struct SignedInAccount {
    pub plex_id: i64,
    pub username: String,
    pub email: Option<String>,
    pub avatar_url: Option<String>,
    pub plex_token: String,
}

pub fn find_by_plex_id(conn: &mut SqliteConnection, plex_id: i64) -> QueryResult<Option<User>> {
    users::table
        .filter(users::plex_id.eq(plex_id))
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn find(conn: &mut SqliteConnection, id: i32) -> QueryResult<Option<User>> {
    users::table
        .find(id)
        .select(User::as_select())
        .first(conn)
        .optional()
}

pub fn any_admin(conn: &mut SqliteConnection) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        users::table.filter(users::role.eq(ADMIN)),
    ))
    .get_result(conn)
}

/// Makes `account` the admin if nobody holds that role yet. Returns `None` when someone else
/// claimed it first; the check and the write share one immediate transaction, so two first
/// sign-ins at once cannot both become admin.
pub fn claim_admin(
    conn: &mut SqliteConnection,
    account: &SignedInAccount,
    now: i64,
) -> QueryResult<Option<User>> {
    conn.immediate_transaction(|conn| {
        if any_admin(conn)? {
            return Ok(None);
        }
        upsert_with_role(conn, account, Some(ADMIN), now).map(Some)
    })
}

/// Records a sign-in: creates the user as a plain user, or refreshes an existing user's profile
/// and token while keeping his role.
pub fn record_sign_in(
    conn: &mut SqliteConnection,
    account: &SignedInAccount,
    now: i64,
) -> QueryResult<User> {
    conn.immediate_transaction(|conn| upsert_with_role(conn, account, None, now))
}

fn upsert_with_role(
    conn: &mut SqliteConnection,
    account: &SignedInAccount,
    role: Option<&str>,
    now: i64,
) -> QueryResult<User> {
    let profile = (
        users::username.eq(&account.username),
        users::email.eq(&account.email),
        users::avatar_url.eq(&account.avatar_url),
        users::plex_token.eq(&account.plex_token),
        users::last_login_at.eq(now),
    );
    let updated = diesel::update(users::table.filter(users::plex_id.eq(account.plex_id)))
        .set(profile)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(users::table)
            .values((
                profile,
                users::plex_id.eq(account.plex_id),
                users::role.eq(USER),
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
        .first(conn)
}
