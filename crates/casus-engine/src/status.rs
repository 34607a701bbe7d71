//! The statuses as words: each status enum's list of values and its
//! `Display` as its word (`word()`, the one place the words are written),
//! so that code compares statuses as values (`== ObligationStatus::Breached`)
//! or, at the edges, as words (`== "breached"`). How the words go on the
//! wire (serde, the OpenAPI schema) is the layer's (`casus-query`'s
//! `report.rs`): the engine depends on the model only.

use crate::{DocumentStatus, ObligationStatus};

macro_rules! status_words {
    ($t:ident, [$($v:ident),+ $(,)?]) => {
        impl $t {
            /// Every status, in declaration order.
            pub const ALL: &'static [$t] = &[$($t::$v),+];
        }
        // A status added to the enum must be added to `ALL`: this match
        // stops compiling until it is.
        const _: fn($t) = |s| match s {
            $($t::$v)|+ => (),
        };
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.word())
            }
        }
        impl PartialEq<&str> for $t {
            fn eq(&self, word: &&str) -> bool {
                self.word() == *word
            }
        }
    };
}

status_words!(ObligationStatus, [Pending, Fulfilled, Breached, NotTriggered, Undetermined]);
status_words!(DocumentStatus, [Adopted, Blocked, Pending]);
