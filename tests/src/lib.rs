//! Test support crate (empty library; the tests live in integration/ and e2e/).
