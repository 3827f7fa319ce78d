//! Web origins and page addresses that Marquee lets other sites use: the origins allowed to
//! embed a site's widgets (the platform's and the owner's), and the pages an admin link may send
//! the owner's browser to. One validator each, used by every input that takes them.

use std::fmt;

/// A web origin `scheme://host[:port]` (http or https, no path), normalised.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Origin(String);

impl Origin {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let url = url::Url::parse(raw.trim())
            .map_err(|_| format!("{raw:?} is not an origin like https://example.com"))?;
        let bare = url.path() == "/" || url.path().is_empty();
        if !matches!(url.scheme(), "http" | "https")
            || url.host().is_none()
            || !bare
            || url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
        {
            return Err(format!(
                "{raw:?} is not an origin like https://example.com (scheme and host only)"
            ));
        }
        Ok(Self(url.origin().ascii_serialization()))
    }

    /// A list of origins, at most `max`: each parsed, then sorted and without repeats.
    pub fn parse_list(raw: &[impl AsRef<str>], max: usize) -> Result<Vec<Self>, String> {
        if raw.len() > max {
            return Err(format!("at most {max} origins"));
        }
        let mut origins = raw
            .iter()
            .map(|o| Self::parse(o.as_ref()))
            .collect::<Result<Vec<_>, _>>()?;
        origins.sort();
        origins.dedup();
        Ok(origins)
    }

    /// Reads back a list stored space-separated; what no longer parses is left out.
    pub fn from_stored_list(stored: &str) -> Vec<Self> {
        stored
            .split_whitespace()
            .filter_map(|o| Self::parse(o).ok())
            .collect()
    }

    /// The space-separated form [`Origin::from_stored_list`] reads.
    pub fn to_stored_list(origins: &[Self]) -> String {
        origins
            .iter()
            .map(Self::as_str)
            .collect::<Vec<_>>()
            .join(" ")
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Longest page address accepted (browsers and proxies cut longer ones).
pub const MAX_PAGE_URL_CHARS: usize = 2048;

/// An absolute http(s) address of a web page, without user name or password, normalised: safe
/// to send a browser to once its [`origin`](PageUrl::origin) is known to be allowed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PageUrl(url::Url);

impl PageUrl {
    /// Refuses relative (`//evil`, `/x`) and non-web (`javascript:`) addresses, and
    /// credentials (`https://site@evil`), whose host a reader would misjudge.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let refused = || format!("{raw:?} is not a web address like https://example.com/page");
        if raw.chars().count() > MAX_PAGE_URL_CHARS || raw.trim() != raw {
            return Err(refused());
        }
        let url = url::Url::parse(raw).map_err(|_| refused())?;
        if !matches!(url.scheme(), "http" | "https")
            || url.host().is_none()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return Err(refused());
        }
        Ok(Self(url))
    }

    pub fn origin(&self) -> Origin {
        Origin(self.0.origin().ascii_serialization())
    }

    /// Whether the page is on one of `origins`.
    pub fn is_on(&self, origins: &[Origin]) -> bool {
        let origin = self.origin();
        origins.contains(&origin)
    }

    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_normalised_and_paths_refused() {
        assert_eq!(
            Origin::parse("HTTPS://Example.com:443").unwrap().as_str(),
            "https://example.com"
        );
        assert_eq!(
            Origin::parse("http://127.0.0.1:8080/").unwrap().as_str(),
            "http://127.0.0.1:8080"
        );
        assert!(Origin::parse("https://example.com/path").is_err());
        assert!(Origin::parse("javascript:alert(1)").is_err());
        assert!(Origin::parse("*").is_err());
        assert!(Origin::parse("https://a.com; script-src *").is_err());
    }

    #[test]
    fn origin_lists_are_bounded_sorted_and_without_repeats() {
        let list = Origin::parse_list(
            &[
                "https://b.example",
                "https://a.example/",
                "https://b.example",
            ],
            3,
        );
        assert_eq!(
            Origin::to_stored_list(&list.unwrap()),
            "https://a.example https://b.example"
        );
        assert!(Origin::parse_list(&["https://a.example", "https://b.example"], 1).is_err());
        assert!(Origin::parse_list(&["https://a.example/x"], 5).is_err());
        assert_eq!(
            Origin::from_stored_list("https://a.example nonsense http://127.0.0.1:9"),
            vec![
                Origin::parse("https://a.example").unwrap(),
                Origin::parse("http://127.0.0.1:9").unwrap()
            ]
        );
    }

    #[test]
    fn page_urls_are_absolute_web_addresses_without_credentials() {
        let site = [Origin::parse("https://site.example").unwrap()];
        let page = PageUrl::parse("https://site.example/account?tab=zoom").unwrap();
        assert!(page.is_on(&site));
        assert_eq!(page.as_str(), "https://site.example/account?tab=zoom");
        assert!(
            !PageUrl::parse("https://site.example.evil.com/")
                .unwrap()
                .is_on(&site)
        );
        assert!(!PageUrl::parse("http://site.example/").unwrap().is_on(&site));
        for bad in [
            "javascript:alert(1)",
            "//evil.example/",
            "/relative",
            "https://site.example@evil.example/",
            "https://user:pw@site.example/",
            "data:text/html,hi",
            " https://site.example/",
            "https://",
        ] {
            assert!(PageUrl::parse(bad).is_err(), "{bad}");
        }
        // A backslash is a slash to browsers and to the parser alike: the host stays the site's.
        let tricky = PageUrl::parse("https://site.example\\@evil.example/").unwrap();
        assert!(tricky.is_on(&site), "{}", tricky.as_str());
        assert!(PageUrl::parse(&format!("https://site.example/{}", "a".repeat(2048))).is_err());
    }
}
