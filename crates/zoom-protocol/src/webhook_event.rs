//! Zoom's webhook deliveries as typed values (docs/zoom.md §2.5, §2.6, §2.8).
//!
//! Intake reads only the [`Envelope`]: what it needs to verify, answer and store a delivery. The
//! event worker later parses the stored body once into a [`WebhookEvent`], the payload's shape
//! chosen by the event's name. Payload fields are as lenient as Zoom is inconsistent: ids come
//! as numbers or numeric strings, and a field that is missing or of another type than documented
//! does not fail the parse. It reads as absent (or, in a `meeting.updated` patch, as
//! [`Field::Unusable`]), so the worker decides what a missing piece means where it uses it.

use std::collections::BTreeMap;

use serde::de::{DeserializeOwned, IgnoredAny};
use serde::{Deserialize, Deserializer};

use crate::models::ZoomRecording;

/// The event of Zoom's challenge-response check of the endpoint (docs/zoom.md §2.3): answered at
/// once, never stored.
pub const URL_VALIDATION: &str = "endpoint.url_validation";

/// The fields of a delivery that intake needs.
#[derive(Debug, Deserialize)]
pub struct Envelope {
    /// `<object>.<action>`, or `app_deauthorized`.
    pub event: String,
    #[serde(default)]
    event_ts: Option<i64>,
    #[serde(default)]
    pub payload: EnvelopePayload,
    /// `recording.completed` carries a 24-hour download credential Marquee never uses.
    #[serde(default)]
    pub download_token: Option<String>,
}

/// The envelope's payload fields.
#[derive(Debug, Default, Deserialize)]
pub struct EnvelopePayload {
    /// The Zoom account the event belongs to (empty if Zoom left it out).
    #[serde(default)]
    pub account_id: String,
    /// The challenge of an `endpoint.url_validation`.
    #[serde(default, rename = "plainToken")]
    pub plain_token: Option<String>,
    /// `app_deauthorized` may carry `event_ts` inside the payload (docs/zoom.md §2.8).
    #[serde(default)]
    event_ts: Option<i64>,
}

impl Envelope {
    pub fn parse(body: &str) -> serde_json::Result<Self> {
        serde_json::from_str(body)
    }

    /// When Zoom says the event happened (epoch ms), from the top level or the payload.
    pub fn event_ts(&self) -> Option<i64> {
        self.event_ts.or(self.payload.event_ts)
    }
}

/// Zoom sends the same events for meetings (`meeting.*`) and webinars (`webinar.*`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MeetingKind {
    Meeting,
    Webinar,
}

/// What a `meeting.registration_*` event says happened to the registrant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegistrationAction {
    Created,
    Approved,
    Cancelled,
    Denied,
}

/// A stored delivery as the event worker applies it.
#[derive(Debug)]
pub enum WebhookEvent {
    /// `app_deauthorized`: the user (or the whole account, when no user is named) removed the
    /// app (docs/zoom.md §2.8), at `deauthorization_time` (ISO 8601, as Zoom sent it) if given.
    AppDeauthorized {
        user_id: Option<String>,
        deauthorization_time: Option<String>,
    },
    /// `meeting.created`: lacks registration settings and the agenda.
    MeetingCreated {
        kind: MeetingKind,
        meeting: MeetingRef,
    },
    /// `meeting.updated`: a partial patch, only the fields that changed (docs/zoom.md §2.6).
    MeetingUpdated {
        kind: MeetingKind,
        patch: MeetingPatch,
    },
    /// `meeting.recovered`: back from the trash.
    MeetingRecovered {
        kind: MeetingKind,
        meeting: MeetingRef,
    },
    /// `meeting.deleted` or `meeting.permanently_deleted`.
    MeetingDeleted {
        kind: MeetingKind,
        meeting: DeletedMeeting,
    },
    /// `meeting.registration_created|approved|cancelled|denied`.
    Registration {
        kind: MeetingKind,
        action: RegistrationAction,
        object: RegistrationObject,
    },
    /// `recording.completed`; `None` when the object is not a recording.
    RecordingCompleted(Option<ZoomRecording>),
    /// `recording.trashed`: hidden, and can come back.
    RecordingTrashed(RecordingRef),
    /// `recording.recovered`: back from the trash.
    RecordingRecovered(RecordingRef),
    /// `recording.deleted`: gone for good.
    RecordingDeleted(RecordingRef),
    /// Any other event, kept with its name and the host its object names (if any).
    Other { name: String, host_id: String },
}

/// The object of a meeting event that Marquee answers by reading the meeting again.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingRef {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub host_id: String,
}

/// The object of a `meeting.updated`: the meeting's id and every field that changed.
#[derive(Debug, Default, Deserialize)]
pub struct MeetingPatch {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub host_id: String,
    #[serde(default)]
    pub topic: Field<String>,
    #[serde(default)]
    pub agenda: Field<String>,
    #[serde(default)]
    pub duration: Field<i32>,
    #[serde(default)]
    pub timezone: Field<String>,
    #[serde(default)]
    pub join_url: Field<String>,
    /// `null` for a meeting without a fixed time.
    #[serde(default)]
    pub start_time: Field<Option<String>>,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub settings: Option<PatchedSettings>,
    /// Every other field the patch names (`type`, `recurrence`, `occurrences`, `password`, …).
    #[serde(flatten)]
    pub others: BTreeMap<String, IgnoredAny>,
}

/// The part of a patch's `settings` that Marquee keeps.
#[derive(Debug, Default, Deserialize)]
pub struct PatchedSettings {
    /// 0 auto-approve, 1 manual approval, 2 no registration.
    #[serde(default)]
    pub approval_type: Field<i32>,
}

/// The object of a `meeting.deleted`: the whole meeting, or only the occurrences it lists.
#[derive(Debug, Default, Deserialize)]
pub struct DeletedMeeting {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub host_id: String,
    /// The deleted occurrences' ids; empty when the whole meeting went.
    #[serde(default, deserialize_with = "occurrence_ids")]
    pub occurrences: Vec<String>,
}

/// The object of a `meeting.registration_*` event.
#[derive(Debug, Default, Deserialize)]
pub struct RegistrationObject {
    #[serde(default, deserialize_with = "lenient_id")]
    pub id: Option<i64>,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub host_id: String,
    /// `Absent` in a malformed event; a registrant of another shape reads as empty.
    #[serde(default)]
    pub registrant: Field<Registrant>,
}

/// The registrant of a registration event (approvals and cancellations carry no join link).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Registrant {
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub id: String,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub status: String,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub join_url: Option<String>,
}

/// The object of a `recording.trashed|recovered|deleted`: which recorded instance.
#[derive(Debug, Default, Deserialize)]
pub struct RecordingRef {
    /// The meeting instance's uuid; empty in a malformed event.
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub uuid: String,
    #[serde(default, deserialize_with = "lenient_or_default")]
    pub host_id: String,
}

/// The one field Marquee reads of events it does not handle.
#[derive(Debug, Default, Deserialize)]
struct OtherObject {
    #[serde(default, deserialize_with = "lenient_or_default")]
    host_id: String,
}

/// A patched field as Zoom sent it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Field<T> {
    #[default]
    Absent,
    Value(T),
    /// Present, but of another type than documented.
    Unusable,
}

impl<T> Field<T> {
    /// `None` if the value is unusable; otherwise the value, if the field is there.
    pub fn usable(&self) -> Option<Option<&T>> {
        match self {
            Self::Absent => Some(None),
            Self::Value(value) => Some(Some(value)),
            Self::Unusable => None,
        }
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Field<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Sent<T> {
            Usable(T),
            Unusable(IgnoredAny),
        }
        Ok(match Sent::<T>::deserialize(d)? {
            Sent::Usable(value) => Self::Value(value),
            Sent::Unusable(_) => Self::Unusable,
        })
    }
}

/// A value of another type than documented reads as the type's default.
fn lenient_or_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(match Field::<T>::deserialize(d)? {
        Field::Value(value) => value,
        Field::Absent | Field::Unusable => T::default(),
    })
}

/// A meeting id as a JSON number or a numeric string (docs/zoom.md §2.5); anything
/// else reads as none.
fn lenient_id<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Id {
        Number(i64),
        Text(String),
        Unusable(IgnoredAny),
    }
    Ok(match Id::deserialize(d)? {
        Id::Number(n) => Some(n),
        Id::Text(text) => text.parse().ok(),
        Id::Unusable(_) => None,
    })
}

/// The `occurrence_id`s of a deleted meeting's `occurrences`, skipping entries without one.
fn occurrence_ids<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    struct Occurrence {
        #[serde(default, deserialize_with = "lenient_or_default")]
        occurrence_id: Option<String>,
    }
    let listed: Vec<Field<Occurrence>> = lenient_or_default(d)?;
    Ok(listed
        .into_iter()
        .filter_map(|o| match o {
            Field::Value(o) => o.occurrence_id,
            Field::Absent | Field::Unusable => None,
        })
        .collect())
}

/// The parts of a stored body the worker reads: `payload.object`, `payload.user_id` and (for
/// `app_deauthorized`) `payload.deauthorization_time`.
#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de> + Default"))]
struct Body<T> {
    #[serde(default)]
    payload: Payload<T>,
}

#[derive(Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de> + Default"))]
struct Payload<T> {
    #[serde(default, deserialize_with = "lenient_or_default")]
    object: T,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default, deserialize_with = "lenient_or_default")]
    deauthorization_time: Option<String>,
}

impl<T: Default> Default for Payload<T> {
    fn default() -> Self {
        Self {
            object: T::default(),
            user_id: None,
            deauthorization_time: None,
        }
    }
}

fn payload<T: DeserializeOwned + Default>(body: &str) -> serde_json::Result<Payload<T>> {
    Ok(serde_json::from_str::<Body<T>>(body)?.payload)
}

fn object<T: DeserializeOwned + Default>(body: &str) -> serde_json::Result<T> {
    Ok(payload(body)?.object)
}

impl WebhookEvent {
    /// Parses a stored body; `name` is the delivery's `event`, as intake stored it with the body.
    /// Fails only if the body is not a JSON object with an object (or no) `payload`, or the
    /// payload's `user_id` is not a string.
    pub fn parse(name: &str, body: &str) -> serde_json::Result<Self> {
        if name == "app_deauthorized" {
            let payload = payload::<IgnoredAny>(body)?;
            return Ok(Self::AppDeauthorized {
                user_id: payload.user_id,
                deauthorization_time: payload.deauthorization_time,
            });
        }
        let Some((object_kind, action)) = name.split_once('.') else {
            return Self::other(name, body);
        };
        let kind = match object_kind {
            "meeting" => MeetingKind::Meeting,
            "webinar" => MeetingKind::Webinar,
            "recording" => return Self::parse_recording(name, action, body),
            _ => return Self::other(name, body),
        };
        Ok(match action {
            "created" => Self::MeetingCreated {
                kind,
                meeting: object(body)?,
            },
            "updated" => Self::MeetingUpdated {
                kind,
                patch: object(body)?,
            },
            "recovered" => Self::MeetingRecovered {
                kind,
                meeting: object(body)?,
            },
            "deleted" | "permanently_deleted" => Self::MeetingDeleted {
                kind,
                meeting: object(body)?,
            },
            "registration_created" => Self::registration(kind, RegistrationAction::Created, body)?,
            "registration_approved" => {
                Self::registration(kind, RegistrationAction::Approved, body)?
            }
            "registration_cancelled" => {
                Self::registration(kind, RegistrationAction::Cancelled, body)?
            }
            "registration_denied" => Self::registration(kind, RegistrationAction::Denied, body)?,
            _ => Self::other(name, body)?,
        })
    }

    fn parse_recording(name: &str, action: &str, body: &str) -> serde_json::Result<Self> {
        Ok(match action {
            "completed" => Self::RecordingCompleted(object(body)?),
            "trashed" => Self::RecordingTrashed(object(body)?),
            "recovered" => Self::RecordingRecovered(object(body)?),
            "deleted" => Self::RecordingDeleted(object(body)?),
            _ => Self::other(name, body)?,
        })
    }

    fn registration(
        kind: MeetingKind,
        action: RegistrationAction,
        body: &str,
    ) -> serde_json::Result<Self> {
        Ok(Self::Registration {
            kind,
            action,
            object: object(body)?,
        })
    }

    fn other(name: &str, body: &str) -> serde_json::Result<Self> {
        let object: OtherObject = object(body)?;
        Ok(Self::Other {
            name: name.to_owned(),
            host_id: object.host_id,
        })
    }

    /// The Zoom user whose meeting or recording the event is about (empty when it names none).
    pub fn host_id(&self) -> &str {
        match self {
            Self::AppDeauthorized { .. } => "",
            Self::MeetingCreated { meeting, .. } | Self::MeetingRecovered { meeting, .. } => {
                &meeting.host_id
            }
            Self::MeetingUpdated { patch, .. } => &patch.host_id,
            Self::MeetingDeleted { meeting, .. } => &meeting.host_id,
            Self::Registration { object, .. } => &object.host_id,
            Self::RecordingCompleted(recording) => {
                recording.as_ref().map_or("", |r| r.host_id.as_str())
            }
            Self::RecordingTrashed(recording)
            | Self::RecordingRecovered(recording)
            | Self::RecordingDeleted(recording) => &recording.host_id,
            Self::Other { host_id, .. } => host_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Envelope, Field, MeetingKind, RegistrationAction, WebhookEvent};

    fn parse(name: &str, object: &str) -> WebhookEvent {
        let body =
            format!(r#"{{"event":"{name}","payload":{{"account_id":"a","object":{object}}}}}"#);
        WebhookEvent::parse(name, &body).unwrap()
    }

    #[test]
    fn meeting_events_carry_their_ids_as_numbers_or_numeric_strings() {
        let WebhookEvent::MeetingCreated { kind, meeting } = parse(
            "meeting.created",
            r#"{"id":81234567890,"host_id":"h","topic":"T"}"#,
        ) else {
            panic!("not a created meeting");
        };
        assert_eq!(
            (kind, meeting.id, meeting.host_id.as_str()),
            (MeetingKind::Meeting, Some(81234567890), "h")
        );
        let WebhookEvent::MeetingRecovered { kind, meeting } =
            parse("webinar.recovered", r#"{"id":"81234567890"}"#)
        else {
            panic!("not a recovered webinar");
        };
        assert_eq!(
            (kind, meeting.id),
            (MeetingKind::Webinar, Some(81234567890))
        );
        let WebhookEvent::MeetingDeleted { meeting, .. } =
            parse("meeting.deleted", r#"{"id":"abc","host_id":5}"#)
        else {
            panic!("not a deleted meeting");
        };
        assert_eq!(
            (meeting.id, meeting.host_id.as_str()),
            (None, ""),
            "odd values read as absent"
        );
    }

    #[test]
    fn an_update_keeps_what_changed_and_names_the_rest() {
        let WebhookEvent::MeetingUpdated { patch, .. } = parse(
            "meeting.updated",
            r#"{"id":1,"topic":"New","duration":"long","start_time":null,"type":8,"settings":{"approval_type":0}}"#,
        ) else {
            panic!("not an update");
        };
        assert_eq!(patch.topic, Field::Value("New".to_owned()));
        assert_eq!(patch.duration, Field::Unusable);
        assert_eq!(patch.start_time, Field::Value(None));
        assert_eq!(patch.agenda, Field::Absent);
        assert_eq!(
            patch.settings.map(|s| s.approval_type),
            Some(Field::Value(0))
        );
        assert_eq!(patch.others.keys().collect::<Vec<_>>(), ["type"]);
    }

    #[test]
    fn deleted_occurrences_registrants_and_recordings() {
        let WebhookEvent::MeetingDeleted { meeting, .. } = parse(
            "meeting.deleted",
            r#"{"id":1,"occurrences":[{"occurrence_id":"1700"},{"start_time":"x"},"odd"]}"#,
        ) else {
            panic!("not a deletion");
        };
        assert_eq!(meeting.occurrences, ["1700"]);
        let WebhookEvent::Registration { action, object, .. } = parse(
            "meeting.registration_approved",
            r#"{"id":1,"registrant":{"id":"r","join_url":"https://j"}}"#,
        ) else {
            panic!("not a registration");
        };
        assert_eq!(action, RegistrationAction::Approved);
        let Field::Value(registrant) = object.registrant else {
            panic!("no registrant");
        };
        assert_eq!(
            (registrant.id.as_str(), registrant.join_url.as_deref()),
            ("r", Some("https://j"))
        );
        let WebhookEvent::Registration { object, .. } =
            parse("webinar.registration_denied", r#"{"id":1}"#)
        else {
            panic!("not a registration");
        };
        assert_eq!(object.registrant.usable().map(|r| r.is_none()), Some(true));
        let WebhookEvent::RecordingCompleted(recording) =
            parse("recording.completed", r#"{"topic":"no uuid"}"#)
        else {
            panic!("not a recording");
        };
        assert!(recording.is_none(), "not a recording object");
        let WebhookEvent::RecordingTrashed(r) =
            parse("recording.trashed", r#"{"uuid":"u==","host_id":"h"}"#)
        else {
            panic!("not a trashed recording");
        };
        assert_eq!((r.uuid.as_str(), r.host_id.as_str()), ("u==", "h"));
    }

    #[test]
    fn other_events_keep_their_name_and_host() {
        let WebhookEvent::Other { name, host_id } =
            parse("meeting.started", r#"{"id":"1","host_id":"h"}"#)
        else {
            panic!("not another event");
        };
        assert_eq!((name.as_str(), host_id.as_str()), ("meeting.started", "h"));
        assert!(matches!(
            parse("meeting.registration_moved", "{}"),
            WebhookEvent::Other { .. }
        ));
        assert!(matches!(
            parse("recording.batch_trashed", "[]"),
            WebhookEvent::Other { .. }
        ));
    }

    #[test]
    fn deauthorization_and_what_does_not_parse() {
        let body = r#"{"event":"app_deauthorized","payload":{"account_id":"a","user_id":"u","event_ts":5,"deauthorization_time":"2019-06-17T13:52:28.632Z"}}"#;
        let WebhookEvent::AppDeauthorized {
            user_id,
            deauthorization_time,
        } = WebhookEvent::parse("app_deauthorized", body).unwrap()
        else {
            panic!("not a deauthorization");
        };
        assert_eq!(user_id.as_deref(), Some("u"));
        assert_eq!(
            deauthorization_time.as_deref(),
            Some("2019-06-17T13:52:28.632Z")
        );
        let odd_time = r#"{"payload":{"user_id":"u","deauthorization_time":17}}"#;
        assert!(matches!(
            WebhookEvent::parse("app_deauthorized", odd_time).unwrap(),
            WebhookEvent::AppDeauthorized {
                deauthorization_time: None,
                ..
            }
        ));
        let envelope = Envelope::parse(body).unwrap();
        assert_eq!(
            (envelope.event_ts(), envelope.payload.account_id.as_str()),
            (Some(5), "a")
        );
        assert!(WebhookEvent::parse("meeting.created", "not json").is_err());
        assert!(WebhookEvent::parse("app_deauthorized", r#"{"payload":{"user_id":5}}"#).is_err());
        assert!(WebhookEvent::parse("meeting.created", r#"{"payload":"x"}"#).is_err());
    }
}
