//! The closed sets of values of the API as OpenAPI enums. The domain's own enums are the wire
//! types (their texts are the wire values), so each one is declared here once with its schema
//! name and description; the domain stays free of poem.

use std::borrow::Cow;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef, Registry};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use crate::domain::Scope;
use crate::domain::event::{DeliveryStatus, EventType};
use crate::domain::public::{RegistrantAction, RegistrationStatus};
use crate::domain::site::{Font, Lang, ThemeMode};
use crate::domain::status::{ConnectionState, ItemKind, JobStatus, SyncKind, SyncResult};

/// Makes a domain enum with `ALL` and `as_str` an OpenAPI string enum named `$name`: parsed
/// from and written as its texts. The long form takes the values allowed (a subset of a
/// domain enum's `ALL`) and how one becomes `$ty` (a newtype narrowing that enum).
macro_rules! wire_enum {
    ($ty:ty, $name:literal, $description:literal) => {
        wire_enum!($ty, $name, $description, <$ty>::ALL, |v| v);
    };
    ($ty:ty, $name:literal, $description:literal, $values:expr, $wrap:expr) => {
        impl Type for $ty {
            const IS_REQUIRED: bool = true;
            type RawValueType = Self;
            type RawElementValueType = Self;

            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }

            fn as_raw_value(&self) -> Option<&Self::RawValueType> {
                Some(self)
            }

            fn schema_ref() -> MetaSchemaRef {
                MetaSchemaRef::Reference($name.to_owned())
            }

            fn register(registry: &mut Registry) {
                registry.create_schema::<Self, _>($name.to_owned(), |_| MetaSchema {
                    description: Some($description),
                    enum_items: $values.iter().map(|v| Value::from(v.as_str())).collect(),
                    ..MetaSchema::new("string")
                });
            }

            fn raw_element_iter<'a>(
                &'a self,
            ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
                Box::new(self.as_raw_value().into_iter())
            }
        }

        impl ParseFromJSON for $ty {
            fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
                let value = value.unwrap_or_default();
                let known = value.as_str().and_then(|text| {
                    $values
                        .iter()
                        .copied()
                        .find(|v| v.as_str() == text)
                        .map($wrap)
                });
                known.ok_or_else(|| ParseError::expected_type(value))
            }
        }

        impl ParseFromParameter for $ty {
            fn parse_from_parameter(value: &str) -> ParseResult<Self> {
                $values
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == value)
                    .map($wrap)
                    .ok_or_else(|| ParseError::custom(format!("unknown value `{value}`")))
            }
        }

        impl ToJSON for $ty {
            fn to_json(&self) -> Option<Value> {
                Some(Value::from(self.as_str()))
            }
        }
    };
}

wire_enum!(Lang, "Language", "Widget language.");
wire_enum!(
    ThemeMode,
    "ThemeMode",
    "`light`, `dark`, or `auto` (the visitor's system setting)."
);
wire_enum!(
    Font,
    "Font",
    "A system font stack (widgets load no web fonts)."
);
wire_enum!(Scope, "Scope", "What a tenant API key may do.");
wire_enum!(
    SyncKind,
    "SyncKind",
    "What a sync job does: the whole site (`backfill`, periodic `reconcile`), one `meeting`, \
     or one window of `recordings`."
);
wire_enum!(JobStatus, "JobStatus", "Where a sync job stands.");
wire_enum!(
    ConnectionState,
    "ConnectionState",
    "Whether a site's Zoom connection can serve: `connected`, `needs_reconnect` (Zoom refused \
     the grant; the owner must reconnect), `never_connected`, or `disconnected` (unlinked by \
     the owner or by Zoom)."
);
wire_enum!(SyncResult, "SyncResult", "How a whole-site sync ended.");
wire_enum!(
    ItemKind,
    "ItemKind",
    "What an item is: a `meeting` (meetings and webinars) or a `recording`."
);
wire_enum!(
    RegistrationStatus,
    "RegistrationStatus",
    "Where a registration stands at Zoom (kept in step by Zoom's webhooks)."
);
wire_enum!(
    RegistrantAction,
    "RegistrantAction",
    "What to do with a registration at Zoom: `approve` (a pending or denied one), `deny` or \
     `cancel` (a pending or approved one)."
);

wire_enum!(
    DeliveryStatus,
    "DeliveryStatus",
    "Where one event's delivery stands: `pending` (waiting for its first attempt or a retry), \
     `delivered`, or `failed` (retried for the whole retry period; a replay sends it again)."
);

/// An event type an endpoint subscribes to: every [`EventType`] but `ping` (every endpoint
/// gets its test pings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SubscribableEvent(pub EventType);

impl SubscribableEvent {
    /// `None` for `ping`.
    pub fn new(event: EventType) -> Option<Self> {
        EventType::SUBSCRIBABLE
            .contains(&event)
            .then_some(Self(event))
    }

    pub const fn as_str(self) -> &'static str {
        self.0.as_str()
    }
}

wire_enum!(
    SubscribableEvent,
    "SubscribableEvent",
    "An event type an endpoint can subscribe to (docs/events.md).",
    EventType::SUBSCRIBABLE,
    SubscribableEvent
);

#[cfg(test)]
mod tests {
    use poem_openapi::types::{ParseFromJSON, ToJSON};
    use serde_json::json;

    use crate::domain::site::ThemeMode;

    #[test]
    fn wire_values_are_the_domain_texts() {
        assert_eq!(ThemeMode::Auto.to_json(), Some(json!("auto")));
        assert_eq!(
            ThemeMode::parse_from_json(Some(json!("dark"))).ok(),
            Some(ThemeMode::Dark)
        );
        assert!(ThemeMode::parse_from_json(Some(json!("sepia"))).is_err());
        assert!(ThemeMode::parse_from_json(Some(json!(false))).is_err());
    }
}
