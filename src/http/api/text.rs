//! [`Text`]: the string type of every request input — body properties, path and query
//! parameters. poem-openapi's `String` takes a JSON number or boolean and stringifies it
//! (`{"slug": false}` would name a site "false"); `Text` takes strings only. Its limits are part
//! of its type, written with the constants the services check (`Text<{ MAX_NAME_CHARS }, 1>`),
//! so the document's `minLength`, `maxLength` and `pattern` come from the same place as the
//! checks, and parsing enforces the lengths: what the document says is what the server takes.
//!
//! A [`Shape`] adds a pattern. In a JSON body the pattern is the service's to check, with its
//! own message (`slug: slug may contain only …`); in a path or query parameter, where no
//! service names the field, the shape's rule is checked here. Which field of a body broke a
//! rule is worked out by `super::body`, with [`check_text`].

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Deref;

use poem_openapi::registry::{MetaSchema, MetaSchemaRef};
use poem_openapi::types::{
    ParseError, ParseFromJSON, ParseFromParameter, ParseResult, ToJSON, Type,
};
use serde_json::Value;

use crate::domain::Slug;
use crate::domain::site::Accent;

/// A string input of `MIN..=MAX` characters shaped like `S`.
pub struct Text<const MAX: usize, const MIN: usize = 0, S: Shape = Free>(
    String,
    PhantomData<fn() -> S>,
);

/// A site's slug, in a body or in a path.
pub type SlugText = Text<{ Slug::MAX_LEN }, { Slug::MIN_LEN }, SlugShape>;

/// What a text must look like besides its length.
pub trait Shape: 'static {
    /// The document's `pattern` for it.
    const PATTERN: Option<&'static str>;

    /// The rule behind the pattern: a domain parser, so the pattern only restates it.
    fn check(raw: &str) -> Result<(), String>;
}

/// Any characters.
pub enum Free {}

impl Shape for Free {
    const PATTERN: Option<&'static str> = None;

    fn check(_: &str) -> Result<(), String> {
        Ok(())
    }
}

/// A site's public name ([`Slug::parse`]).
pub enum SlugShape {}

impl Shape for SlugShape {
    const PATTERN: Option<&'static str> = Some(Slug::PATTERN);

    fn check(raw: &str) -> Result<(), String> {
        Slug::parse(raw).map(drop)
    }
}

/// An accent colour ([`Accent::parse`]), or the empty string for none.
pub enum AccentShape {}

impl Shape for AccentShape {
    const PATTERN: Option<&'static str> = Some(Accent::OPTIONAL_PATTERN);

    fn check(raw: &str) -> Result<(), String> {
        match raw {
            "" => Ok(()),
            colour => Accent::parse(colour).map(drop),
        }
    }
}

/// Why a value is not an acceptable text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextFault {
    NotText,
    TooShort(usize),
    TooLong(usize),
}

impl fmt::Display for TextFault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotText => f.write_str("must be a string"),
            Self::TooShort(1) => f.write_str("must not be empty"),
            Self::TooShort(min) => write!(f, "must be at least {min} characters"),
            Self::TooLong(max) => write!(f, "must be at most {max} characters"),
        }
    }
}

/// The check behind [`Text`]: `value` is a JSON string of `min..=max` characters (Unicode
/// scalar values, as JSON Schema counts them).
pub fn check_text(value: &Value, min: usize, max: Option<usize>) -> Result<&str, TextFault> {
    let text = value.as_str().ok_or(TextFault::NotText)?;
    check_length(text, min, max)?;
    Ok(text)
}

fn check_length(text: &str, min: usize, max: Option<usize>) -> Result<(), TextFault> {
    let chars = text.chars().count();
    match max {
        _ if chars < min => Err(TextFault::TooShort(min)),
        Some(max) if chars > max => Err(TextFault::TooLong(max)),
        _ => Ok(()),
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> Text<MAX, MIN, S> {
    fn new(text: String) -> Self {
        Self(text, PhantomData)
    }

    pub fn into_string(self) -> String {
        self.0
    }

    /// A list of texts as the strings the services take.
    pub fn into_strings(list: Vec<Self>) -> Vec<String> {
        list.into_iter().map(Self::into_string).collect()
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> Deref for Text<MAX, MIN, S> {
    type Target = str;

    fn deref(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> From<Text<MAX, MIN, S>> for String {
    fn from(text: Text<MAX, MIN, S>) -> Self {
        text.0
    }
}

// By hand: derived impls would ask the same of the shape, which is never a value.
impl<const MAX: usize, const MIN: usize, S: Shape> Default for Text<MAX, MIN, S> {
    fn default() -> Self {
        Self::new(String::new())
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> fmt::Debug for Text<MAX, MIN, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> Type for Text<MAX, MIN, S> {
    const IS_REQUIRED: bool = true;

    type RawValueType = String;

    type RawElementValueType = String;

    fn name() -> Cow<'static, str> {
        "string".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        MetaSchemaRef::Inline(Box::new(MetaSchema {
            min_length: (MIN > 0).then_some(MIN),
            max_length: Some(MAX),
            pattern: S::PATTERN.map(str::to_owned),
            ..MetaSchema::new("string")
        }))
    }

    fn as_raw_value(&self) -> Option<&String> {
        Some(&self.0)
    }

    fn raw_element_iter<'a>(&'a self) -> Box<dyn Iterator<Item = &'a String> + 'a> {
        Box::new(std::iter::once(&self.0))
    }

    fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> ParseFromJSON for Text<MAX, MIN, S> {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value {
            Some(Value::String(text)) => {
                check_length(&text, MIN, Some(MAX)).map_err(ParseError::custom)?;
                Ok(Self::new(text))
            }
            _ => Err(ParseError::custom(TextFault::NotText)),
        }
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> ParseFromParameter for Text<MAX, MIN, S> {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        check_length(value, MIN, Some(MAX)).map_err(ParseError::custom)?;
        S::check(value).map_err(ParseError::custom)?;
        Ok(Self::new(value.to_owned()))
    }
}

impl<const MAX: usize, const MIN: usize, S: Shape> ToJSON for Text<MAX, MIN, S> {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.0.clone()))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    type Name = Text<5, 1>;

    #[test]
    fn only_strings_of_the_right_length_parse() {
        assert_eq!(&*Name::parse_from_json(Some(json!("Ada"))).unwrap(), "Ada");
        assert_eq!(
            &*Name::parse_from_json(Some(json!("Ädäöü"))).unwrap(),
            "Ädäöü"
        );
        for bad in [
            json!(false),
            json!(5),
            json!(null),
            json!(["a"]),
            json!({"a": "b"}),
        ] {
            assert!(Name::parse_from_json(Some(bad.clone())).is_err(), "{bad}");
        }
        assert!(Name::parse_from_json(None).is_err());
        assert!(Name::parse_from_json(Some(json!(""))).is_err());
        assert!(Name::parse_from_json(Some(json!("abcdef"))).is_err());
    }

    #[test]
    fn faults_say_what_is_wrong() {
        assert_eq!(
            check_text(&json!(true), 0, Some(3)),
            Err(TextFault::NotText)
        );
        assert_eq!(
            check_text(&json!(""), 1, Some(3)),
            Err(TextFault::TooShort(1))
        );
        assert_eq!(
            check_text(&json!("abcd"), 0, Some(3)),
            Err(TextFault::TooLong(3))
        );
        assert_eq!(check_text(&json!("abc"), 0, Some(3)), Ok("abc"));
        assert_eq!(
            TextFault::TooLong(3).to_string(),
            "must be at most 3 characters"
        );
    }

    #[test]
    fn the_schema_states_the_limits() {
        let MetaSchemaRef::Inline(schema) = SlugText::schema_ref() else {
            panic!("an inline schema")
        };
        assert_eq!(schema.ty, "string");
        assert_eq!(schema.min_length, Some(3));
        assert_eq!(schema.max_length, Some(63));
        assert_eq!(schema.pattern.as_deref(), Some(Slug::PATTERN));
    }

    #[test]
    fn parameters_also_follow_the_shape() {
        assert!(SlugText::parse_from_parameter("chess-club").is_ok());
        for bad in ["ab", "Chess", "-chess", "chess_club"] {
            assert!(SlugText::parse_from_parameter(bad).is_err(), "{bad}");
        }
    }

    /// The document's patterns say what the domain parsers do.
    #[test]
    fn patterns_restate_the_parsers() {
        let slugs = [
            "abc", "a-b", "a1-2b", "ab", "a", "-ab", "ab-", "Abc", "a_b", "a b", "ümlaut",
        ];
        let long = ["a".repeat(63), "a".repeat(64)];
        for raw in slugs.iter().copied().chain(long.iter().map(String::as_str)) {
            assert_eq!(
                matches(Slug::PATTERN, raw),
                SlugShape::check(raw).is_ok(),
                "{raw:?}"
            );
        }
        for raw in [
            "", "#0b5cff", "0B5CFF", "#0b5cf", "#0b5cffa", "red", "#12345g", "##0b5cf",
        ] {
            assert_eq!(
                matches(Accent::OPTIONAL_PATTERN, raw),
                AccentShape::check(raw).is_ok(),
                "{raw:?}"
            );
        }
    }

    fn matches(pattern: &str, raw: &str) -> bool {
        jsonschema::validator_for(&json!({"type": "string", "pattern": pattern}))
            .unwrap()
            .is_valid(&json!(raw))
    }
}
