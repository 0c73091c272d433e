//! The reference DMS (SPEC 5.4).
