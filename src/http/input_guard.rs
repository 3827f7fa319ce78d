//! [`InputGuard`]: refuses control characters (NUL included) in any string a request carries —
//! path, query, JSON and form bodies — with 400 `invalid_request` naming the field, before any
//! handler runs (so before any call to Zoom and identically on every database). No input field
//! takes multi-line text, so newlines and tabs are refused too — except the panel's few fields
//! of one value per line ([`takes_lines`]), which may hold line breaks. Zoom's webhook deliveries are
//! Zoom's data, not input: they are sanitized where they are converted (`service::zoom_records`).

use poem::http::header;
use poem::{Endpoint, IntoResponse, Middleware, Request, Response, Result};
use serde_json::Value;

use super::error::Problem;

/// Where Zoom delivers webhooks; its payloads are checked by signature, not by this guard.
const WEBHOOK_PREFIX: &str = "/webhooks/";

/// Whether `field` of a form posted to `path` is one of the panel's one-value-per-line fields,
/// whose values CR and LF separate: the site's allowed origins, and the answers of a custom
/// registration question (`q{row}_answers`) on the New and Edit meeting forms.
fn takes_lines(path: &str, field: &str) -> bool {
    let meeting_form = path == "/admin/meetings/new"
        || path
            .strip_prefix("/admin/meetings/")
            .and_then(|rest| rest.strip_suffix("/edit"))
            .is_some_and(|id| !id.contains('/'));
    let answers = field
        .strip_prefix('q')
        .and_then(|rest| rest.strip_suffix("_answers"))
        .is_some_and(|row| row.parse::<u8>().is_ok());
    match path {
        "/admin/site" => field == "allowed_origins",
        _ => meeting_form && answers,
    }
}

pub struct InputGuard;

impl<E: Endpoint> Middleware<E> for InputGuard {
    type Output = InputGuardEndpoint<E>;

    fn transform(&self, ep: E) -> Self::Output {
        InputGuardEndpoint(ep)
    }
}

pub struct InputGuardEndpoint<E>(E);

impl<E: Endpoint> Endpoint for InputGuardEndpoint<E> {
    type Output = Response;

    async fn call(&self, mut req: Request) -> Result<Self::Output> {
        if !req.uri().path().starts_with(WEBHOOK_PREFIX) {
            if let Some(field) = bad_path_or_query(&req) {
                return Err(refusal(field).into());
            }
            if let Some(kind) = checked_body(&req) {
                let bytes = req.take_body().into_bytes().await?;
                if let Some(field) = bad_body(kind, &bytes, req.uri().path()) {
                    return Err(refusal(field).into());
                }
                req.set_body(bytes);
            }
        }
        self.0.call(req).await.map(IntoResponse::into_response)
    }
}

fn refusal(field: String) -> Problem {
    Problem::invalid(format!("{field}: must not contain control characters")).with_field(field)
}

/// Body formats whose strings are checked.
#[derive(Clone, Copy)]
enum BodyKind {
    Json,
    Form,
}

fn checked_body(req: &Request) -> Option<BodyKind> {
    let content_type = req.headers().get(header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = content_type.split(';').next()?.trim().to_ascii_lowercase();
    if essence == "application/json" || essence.ends_with("+json") {
        Some(BodyKind::Json)
    } else if essence == "application/x-www-form-urlencoded" {
        Some(BodyKind::Form)
    } else {
        None
    }
}

/// The first path segment or query parameter holding a control character, named `path` or
/// by the parameter's name.
fn bad_path_or_query(req: &Request) -> Option<String> {
    if has_control(&percent_decode(req.uri().path())) {
        return Some("path".to_owned());
    }
    let query = req.uri().query()?;
    bad_form_pair(query.as_bytes(), None)
}

/// `path`: where a form is posted, whose one-value-per-line fields may hold line breaks.
fn bad_body(kind: BodyKind, bytes: &[u8], path: &str) -> Option<String> {
    match kind {
        BodyKind::Form => bad_form_pair(bytes, Some(path)),
        // A body that is not JSON is refused by the operation itself, with its own message.
        BodyKind::Json => serde_json::from_slice::<Value>(bytes)
            .ok()
            .and_then(|value| bad_json_string(&value, "")),
    }
}

/// `form_path`: the path a form body was posted to (`None`: a query string).
fn bad_form_pair(bytes: &[u8], form_path: Option<&str>) -> Option<String> {
    url::form_urlencoded::parse(bytes)
        .find(|(name, value)| {
            let value = if form_path.is_some_and(|path| takes_lines(path, name)) {
                value.replace(['\r', '\n'], "")
            } else {
                value.to_string()
            };
            has_control(name) || has_control(&value)
        })
        .map(|(name, _)| printable(&name))
}

/// The dotted path (`fields.question_0`, `allowed_origins.1`) of the first string, key
/// included, holding a control character.
fn bad_json_string(value: &Value, at: &str) -> Option<String> {
    let join = |key: &str| {
        if at.is_empty() {
            key.to_owned()
        } else {
            format!("{at}.{key}")
        }
    };
    match value {
        Value::String(s) if has_control(s) => Some(if at.is_empty() {
            "body".to_owned()
        } else {
            at.to_owned()
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, item)| bad_json_string(item, &join(&i.to_string()))),
        Value::Object(map) => map.iter().find_map(|(key, item)| {
            let here = join(&printable(key));
            if has_control(key) {
                Some(here)
            } else {
                bad_json_string(item, &here)
            }
        }),
        Value::String(_) | Value::Null | Value::Bool(_) | Value::Number(_) => None,
    }
}

fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A name safe to echo back: its control characters dropped.
fn printable(name: &str) -> String {
    name.chars().filter(|c| !c.is_control()).collect()
}

/// `%XX` escapes decoded (invalid UTF-8 replaced), for finding encoded control characters.
fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| bytes.get(i + 1..i + 3))
            .flatten()
            .and_then(|hex| std::str::from_utf8(hex).ok())
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{bad_form_pair, bad_json_string, has_control, percent_decode};

    #[test]
    fn encoded_control_characters_are_found() {
        assert!(has_control(&percent_decode(
            "/api/v1/sites/site-a%00/meetings"
        )));
        assert!(has_control(&percent_decode("/a%C2%85")));
        assert!(!has_control(&percent_decode("/api/v1/sites/caf%C3%A9%2")));
    }

    #[test]
    fn only_line_lists_take_line_breaks() {
        let lines = Some("/admin/site");
        let body =
            b"allowed_origins=https%3A%2F%2Fa.example%0D%0Ahttps%3A%2F%2Fb.example&font=mono";
        assert_eq!(bad_form_pair(body, lines), None);
        assert_eq!(
            bad_form_pair(b"allowed_origins=a%09b", lines).as_deref(),
            Some("allowed_origins"),
            "a tab is still refused"
        );
        assert_eq!(bad_form_pair(b"font=a%0Ab", lines).as_deref(), Some("font"));
        assert_eq!(
            bad_form_pair(body, Some("/admin/meetings/visibility")).as_deref(),
            Some("allowed_origins")
        );
        assert_eq!(
            bad_form_pair(body, None).as_deref(),
            Some("allowed_origins")
        );
        let answers = b"q2_answers=Beginner%0D%0APro&topic=T";
        for form in ["/admin/meetings/new", "/admin/meetings/81234567890/edit"] {
            assert_eq!(bad_form_pair(answers, Some(form)), None, "{form}");
        }
        assert_eq!(
            bad_form_pair(b"q2_title=a%0Ab", Some("/admin/meetings/new")).as_deref(),
            Some("q2_title")
        );
        assert_eq!(
            bad_form_pair(answers, Some("/admin/meetings/1/x/edit")).as_deref(),
            Some("q2_answers")
        );
    }

    #[test]
    fn the_json_field_at_fault_is_named() {
        let body = json!({"first_name": "Ada", "fields": {"q": "x\u{0}"}});
        assert_eq!(bad_json_string(&body, "").as_deref(), Some("fields.q"));
        let list = json!({"allowed_origins": ["https://a.example", "b\n"]});
        assert_eq!(
            bad_json_string(&list, "").as_deref(),
            Some("allowed_origins.1")
        );
        assert_eq!(bad_json_string(&json!({"ok": "fine"}), ""), None);
    }
}
