//! Sagarr: self-hosted, AI-assisted watch recommendations for the people on a Plex server.

pub mod auth;
pub mod catalog;
pub mod cli;
pub mod config;
pub mod db;
pub mod domain;
pub mod engine;
pub mod error;
#[cfg(feature = "demo")]
pub mod fakes;
pub mod http;
pub mod integrations;
pub mod jobs;
pub mod mapping;
pub mod media;
pub mod page_cache;
pub mod probe;
pub mod ratings;
pub mod routes;
pub mod secrets;
pub mod settings;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod views;
