//! Writing files the user asked for: audiences with the privacy guard, segment memberships and
//! a segment's recommendations. Every file goes through [`crate::files`]: written to a temporary
//! name in the same folder, then renamed, so a crash never leaves half a file.

pub mod audience;
pub mod cell;
pub mod recommendations;
pub mod segments;
