// @generated automatically by Diesel CLI.

diesel::table! {
    preferences (id) {
        id -> Integer,
        user_id -> Integer,
        kind -> Text,
        tmdb_id -> BigInt,
        rating -> Integer,
        action -> Text,
        title -> Text,
        year -> Nullable<Integer>,
        poster_path -> Nullable<Text>,
        created_at -> BigInt,
        updated_at -> BigInt,
    }
}

diesel::table! {
    recommendations (user_id, tab) {
        user_id -> Integer,
        tab -> Text,
        generated_at -> BigInt,
        rows_json -> Text,
    }
}

diesel::table! {
    refresh_status (user_id) {
        user_id -> Integer,
        state -> Text,
        step -> Text,
        done -> Integer,
        total -> Integer,
        message -> Text,
        started_at -> Nullable<BigInt>,
        finished_at -> Nullable<BigInt>,
        last_success_at -> Nullable<BigInt>,
        last_outcome -> Nullable<Text>,
        run_for -> Text,
    }
}

diesel::table! {
    sessions (id) {
        id -> Text,
        user_id -> Integer,
        created_at -> BigInt,
        expires_at -> BigInt,
    }
}

diesel::table! {
    settings (key) {
        key -> Text,
        value -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    users (id) {
        id -> Integer,
        plex_id -> BigInt,
        username -> Text,
        email -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        role -> Text,
        plex_token -> Nullable<Text>,
        tautulli_user_id -> Nullable<BigInt>,
        overseerr_user_id -> Nullable<BigInt>,
        mapping_error -> Nullable<Text>,
        created_at -> BigInt,
        last_login_at -> BigInt,
        last_seen_at -> BigInt,
        rating_limit -> Nullable<Text>,
        rating_limit_source -> Text,
        share_together -> Bool,
    }
}

diesel::table! {
    used_pins (pin_id) {
        pin_id -> BigInt,
        used_at -> BigInt,
    }
}

diesel::joinable!(preferences -> users (user_id));
diesel::joinable!(recommendations -> users (user_id));
diesel::joinable!(refresh_status -> users (user_id));
diesel::joinable!(sessions -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    refresh_runs,
    preferences,
    recommendations,
    refresh_status,
    sessions,
    settings,
    users,
);

diesel::table! {
    tmdb_details (kind, tmdb_id) {
        kind -> Text,
        tmdb_id -> BigInt,
        json -> Text,
        fetched_at -> BigInt,
    }
}

diesel::table! {
    tautulli_metadata (rating_key) {
        rating_key -> Text,
        kind -> Nullable<Text>,
        tmdb_id -> Nullable<BigInt>,
        title -> Text,
        year -> Nullable<Integer>,
        fetched_at -> BigInt,
        retry_after -> Nullable<BigInt>,
    }
}

diesel::table! {
    plex_discover_keys (kind, tmdb_id) {
        kind -> Text,
        tmdb_id -> BigInt,
        rating_key -> Text,
        fetched_at -> BigInt,
    }
}

diesel::table! {
    availability (kind, tmdb_id) {
        kind -> Text,
        tmdb_id -> BigInt,
        status -> Text,
        fetched_at -> BigInt,
        plex_url -> Nullable<Text>,
    }
}

diesel::table! {
    refresh_runs (id) {
        id -> Integer,
        user_id -> Integer,
        trigger -> Text,
        provider -> Text,
        model -> Text,
        prompt_tokens -> Integer,
        completion_tokens -> Integer,
        proposed -> Integer,
        kept -> Integer,
        dropped_json -> Text,
        outcome -> Text,
        message -> Text,
        started_at -> BigInt,
        finished_at -> BigInt,
        ai_ms -> BigInt,
        fingerprint -> Text,
        ai_calls -> Integer,
        ai_think_ms -> BigInt,
        ai_context -> Integer,
    }
}

diesel::table! {
    nights (id) {
        id -> Integer,
        trigger -> Text,
        started_at -> BigInt,
        updated_at -> BigInt,
        finished_at -> Nullable<BigInt>,
        interrupted -> Bool,
        budget_seconds -> BigInt,
        refreshed -> Integer,
        skipped -> Integer,
        failed -> Integer,
        left_count -> Integer,
        left_user_ids -> Text,
        ai_calls -> Integer,
        prompt_tokens -> BigInt,
        completion_tokens -> BigInt,
    }
}

diesel::table! {
    title_lookups (kind, title, year) {
        kind -> Text,
        title -> Text,
        year -> Integer,
        tmdb_id -> Nullable<BigInt>,
        fetched_at -> BigInt,
    }
}

diesel::table! {
    tmdb_lists (kind, tmdb_id, list) {
        kind -> Text,
        tmdb_id -> BigInt,
        list -> Text,
        json -> Text,
        fetched_at -> BigInt,
    }
}

diesel::joinable!(refresh_runs -> users (user_id));

diesel::table! {
    taste_profiles (user_id) {
        user_id -> Integer,
        json -> Text,
        updated_at -> BigInt,
    }
}

diesel::table! {
    together_rows (members) {
        members -> Text,
        rows_json -> Text,
        generated_at -> BigInt,
    }
}

diesel::table! {
    hidden_genres (user_id, genre_id) {
        user_id -> Integer,
        genre_id -> BigInt,
        name -> Text,
        created_at -> BigInt,
    }
}

diesel::joinable!(hidden_genres -> users (user_id));
