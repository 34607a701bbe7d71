//! The statuses as words on the wire. The report (in `casus-query`)
//! carries the engine's own status enums; they serialize here, next to the
//! enums, because the orphan rule lets only this crate implement foreign
//! traits (serde's, utoipa's) for them.

use crate::{DocumentStatus, ObligationStatus};
use serde::Serialize;

/// A status on the wire: the engine's own enum, serialized as its word
/// (`word()`, the one place the words are written), so that the JSON keeps
/// its strings, the OpenAPI document lists every value, and code compares
/// statuses as values (`== ObligationStatus::Breached`) or, at the edges,
/// as words (`== "breached"`).
macro_rules! wire_status {
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
        impl Serialize for $t {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.word())
            }
        }
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
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $t {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .enum_values(Some($t::ALL.iter().map(|s| s.word())))
                    .into()
            }
        }
        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $t {}
    };
}

wire_status!(ObligationStatus, [Pending, Fulfilled, Breached, NotTriggered, Undetermined]);
wire_status!(DocumentStatus, [Adopted, Blocked, Pending]);
