//! Black-box tests: the real app on 127.0.0.1:0 against fake upstreams, over real HTTP.
//! One test binary on purpose: it links once.

mod helpers;

mod health;
mod pages;
mod sessions;
mod sign_in;
mod startup;
