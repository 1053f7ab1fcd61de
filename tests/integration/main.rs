//! Integration tests: Hallway's core against a real Prosody on loopback. One binary; the shared
//! server starts once, destructive tests start their own.

// Test code: a panic is a failed test with its message.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod archive;
mod chaos;
mod connection;
mod crash;
mod files;
mod interop;
mod messaging;
mod people;
mod rooms;
mod rooms_protocol;
mod roster_presence;
mod security;
mod server_search;
