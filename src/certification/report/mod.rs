//! Reports of an evaluation: HTML for people, JSON for tools, JUnit XML for CI, and the evidence bundle.
