//! Integration tests: Hallway's core against a real Prosody on loopback. One binary; the shared
//! server starts once, destructive tests start their own.

mod support;

mod connection;
mod messaging;
mod roster_presence;
