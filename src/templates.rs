//! HTML templates, compiled once at start-up (never per request) with auto-escaping on for
//! every template: topics, agendas and names come from Zoom or visitors and are shown as text.
//!
//! Widget templates live in `tenant-templates/default/` (embedded into the binary so it runs
//! anywhere); the admin panel's own pages live beside the HTTP code in `src/http/pages/`.

use std::sync::Arc;

use minijinja::{AutoEscape, Environment, Value};

const TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html.j2",
        include_str!("../tenant-templates/default/base.html.j2"),
    ),
    (
        "meetings.html.j2",
        include_str!("../tenant-templates/default/meetings.html.j2"),
    ),
    (
        "admin/admin.html.j2",
        include_str!("http/pages/admin.html.j2"),
    ),
    (
        "admin/message.html.j2",
        include_str!("http/pages/message.html.j2"),
    ),
];

#[derive(Clone)]
pub struct Templates {
    env: Arc<Environment<'static>>,
}

impl Templates {
    /// Compiles every template; a syntax error is a start-up failure, not a visitor's 500.
    pub fn load() -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_auto_escape_callback(|_| AutoEscape::Html);
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        for (name, source) in TEMPLATES {
            env.add_template(name, source)?;
        }
        Ok(Self { env: Arc::new(env) })
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        self.env.get_template(name)?.render(context)
    }
}

/// The widget strings in English. (More languages arrive with the widgets issue.)
pub fn strings_en() -> Value {
    minijinja::context! {
        upcoming_meetings => "Upcoming meetings",
        no_meetings => "No upcoming meetings right now.",
        recurring_no_fixed_time => "Recurring, no fixed time",
        minutes => "min",
        registration_open => "Registration open",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_templates_compile_and_escape() {
        let templates = Templates::load().unwrap();
        let html = templates
            .render(
                "admin/message.html.j2",
                minijinja::context! { title => "<b>x</b>", message => "a & b", next_url => "", next_label => "" },
            )
            .unwrap();
        assert!(
            html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;x&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("a &amp; b"));
    }
}
