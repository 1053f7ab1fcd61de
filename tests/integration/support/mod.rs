//! Test support: a real Prosody on loopback (started once per test binary, plus private ones for
//! destructive tests), accounts, and helpers to drive `Messenger`s and wait for their events.

pub mod client;
pub mod png;
pub mod prosody;
pub mod proxy;
