//! `GET /admin/embed`: every widget's snippets (`s.snippets()`, the same as the admin API's),
//! the script loader first because it resizes, a copy button (`panel.js`; without JavaScript
//! the text is selectable), the options `embed.js` and the widgets really take, and a preview.
//! Without an allowed origin a pasted snippet shows nothing, and the page says so.

use poem::http::StatusCode;
use poem::web::cookie::CookieJar;
use poem::{Response, handler};
use serde::Serialize;

use super::Ui;
use super::layout::{Panel, Section};
use crate::i18n::panel::ToolStrings;
use crate::service::snippets::{EmbedOption, EmbedWidget, Snippet};

/// One widget's snippets.
#[derive(Serialize)]
struct SnippetView {
    id: &'static str,
    title: &'static str,
    help: Option<&'static str>,
    script: String,
    iframe: String,
}

impl SnippetView {
    fn new(s: Snippet, t: &'static ToolStrings) -> Self {
        let (title, help) = match s.widget {
            EmbedWidget::Meetings => (t.widget_meetings, None),
            EmbedWidget::Webinars => (t.widget_webinars, None),
            EmbedWidget::Recordings => (t.widget_recordings, None),
            EmbedWidget::Meeting => (t.widget_meeting, Some(t.widget_meeting_help)),
        };
        Self {
            id: s.widget.as_str(),
            title,
            help,
            script: s.script,
            iframe: s.iframe,
        }
    }
}

/// An option a widget takes: as a script attribute and as a query parameter of its address
/// (the list is `service::snippets`', the admin API's too).
#[derive(Serialize)]
struct OptionLine {
    attribute: &'static str,
    query: Option<&'static str>,
    means: &'static str,
}

fn options(t: &'static ToolStrings) -> Vec<OptionLine> {
    EmbedOption::ALL
        .iter()
        .map(|&o| OptionLine {
            attribute: o.attribute(),
            query: o.query(),
            means: match o {
                EmbedOption::Lang => t.option_lang,
                EmbedOption::Theme => t.option_theme,
                EmbedOption::Accent => t.option_accent,
                EmbedOption::Font => t.option_font,
                EmbedOption::PerPage => t.option_per_page,
                EmbedOption::Host => t.option_host,
                EmbedOption::Months => t.option_months,
                EmbedOption::Layout => t.option_layout,
                EmbedOption::Height => t.option_height,
                EmbedOption::Title => t.option_title,
                EmbedOption::Meeting => t.option_meeting,
            },
        })
        .collect()
}

/// `embed.html.j2`.
#[derive(Serialize)]
struct EmbedView {
    snippets: Vec<SnippetView>,
    origins: Vec<String>,
    options: Vec<OptionLine>,
    preview_url: String,
}

/// `GET /admin/embed`.
#[handler]
pub async fn show(ui: Ui<'_>, jar: &CookieJar) -> Response {
    let panel = match Panel::open(ui, jar).await {
        Ok(panel) => panel,
        Err(page) => return page,
    };
    let t = panel.strings().tools;
    let kit = match ui.s.snippets().for_site(panel.principal()).await {
        Ok(kit) => kit,
        Err(e) => return ui.failure(e),
    };
    let view = EmbedView {
        snippets: kit
            .snippets
            .into_iter()
            .map(|s| SnippetView::new(s, t))
            .collect(),
        origins: kit.origins.iter().map(|o| o.as_str().to_owned()).collect(),
        options: options(t),
        preview_url: format!("/embed/{}/meetings", panel.tenant.slug.as_str()),
    };
    panel.render(StatusCode::OK, Section::Embed, "admin/embed.html.j2", view)
}
