//! Black-box tests: the real app on 127.0.0.1:0 against fake upstreams, over real HTTP.
//! One test binary on purpose: it links once.

mod helpers;

mod access;
mod actions;
mod admin;
mod attacks;
mod axe;
mod beyond;
mod browser;
mod browser_axe;
mod browser_beyond;
mod browser_dashboard;
mod browser_header;
mod browser_keyboard;
mod browser_together;
mod budget;
mod concurrency;
mod container;
mod crash;
mod demo;
mod engine;
mod faults;
mod genres;

mod health;
mod hostile;
mod household;
mod layout;
mod local_models;
mod mapping;
mod nightly;
mod pages;
mod process;
mod properties;
mod real_answers;
mod real_litellm;
mod real_traefik;
mod real_upstreams;
mod refresh;
mod revisits;
mod sessions;
mod sign_in;
mod startup;
mod streaming;
mod together;
mod trust;
mod upstream_ai;
mod upstream_overseerr;
mod upstream_plex_discover;
mod upstream_tautulli;
mod upstream_tmdb;
mod webdriver;
