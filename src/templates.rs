//! HTML templates, compiled once at start-up (never per request) with auto-escaping on for
//! every template: topics, agendas and names come from Zoom or visitors and are shown as text.
//!
//! Widget templates: the defaults in `tenant-templates/default/` are embedded into the binary
//! (so it runs anywhere). A templates directory (`MARQUEE_TEMPLATES_DIR`) may add
//! `default/*.j2` (replacing the embedded defaults) and `{site}/*.j2` (one site's overrides of
//! any widget template). Everything is compiled when loaded; in `marquee dev` the directory is
//! watched and recompiled when a file changes (`MARQUEE_TEMPLATES_RELOAD`). The admin panel's
//! own pages live beside the HTTP code in `src/http/pages/`.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use minijinja::{AutoEscape, Environment, Value};

/// Widget templates (overridable per site) and the admin pages (not overridable).
const WIDGETS: &[(&str, &str)] = &[
    (
        "base.html.j2",
        include_str!("../tenant-templates/default/base.html.j2"),
    ),
    (
        "meetings.html.j2",
        include_str!("../tenant-templates/default/meetings.html.j2"),
    ),
    (
        "meeting.html.j2",
        include_str!("../tenant-templates/default/meeting.html.j2"),
    ),
    (
        "recordings.html.j2",
        include_str!("../tenant-templates/default/recordings.html.j2"),
    ),
    (
        "registered.html.j2",
        include_str!("../tenant-templates/default/registered.html.j2"),
    ),
    (
        "notice.html.j2",
        include_str!("../tenant-templates/default/notice.html.j2"),
    ),
];
const ADMIN: &[(&str, &str)] = &[
    (
        "admin/layout.html.j2",
        include_str!("http/pages/layout.html.j2"),
    ),
    (
        "admin/message.html.j2",
        include_str!("http/pages/message.html.j2"),
    ),
    (
        "admin/overview.html.j2",
        include_str!("http/pages/overview.html.j2"),
    ),
    (
        "admin/site.html.j2",
        include_str!("http/pages/site.html.j2"),
    ),
    (
        "admin/meetings.html.j2",
        include_str!("http/pages/meetings.html.j2"),
    ),
    (
        "admin/meeting_form.html.j2",
        include_str!("http/pages/meeting_form.html.j2"),
    ),
    (
        "admin/delete_meeting.html.j2",
        include_str!("http/pages/delete_meeting.html.j2"),
    ),
    (
        "admin/recordings.html.j2",
        include_str!("http/pages/recordings.html.j2"),
    ),
    (
        "admin/registrations.html.j2",
        include_str!("http/pages/registrations.html.j2"),
    ),
    (
        "admin/search.html.j2",
        include_str!("http/pages/search.html.j2"),
    ),
    (
        "admin/toggle.html.j2",
        include_str!("http/pages/toggle.html.j2"),
    ),
    (
        "admin/pager.html.j2",
        include_str!("http/pages/pager.html.j2"),
    ),
    (
        "admin/sync.html.j2",
        include_str!("http/pages/sync.html.j2"),
    ),
    (
        "admin/embed.html.j2",
        include_str!("http/pages/embed.html.j2"),
    ),
    (
        "admin/disconnect.html.j2",
        include_str!("http/pages/disconnect.html.j2"),
    ),
    (
        "zoomapp/layout.html.j2",
        include_str!("http/zoomapp/layout.html.j2"),
    ),
    (
        "zoomapp/message.html.j2",
        include_str!("http/zoomapp/message.html.j2"),
    ),
    (
        "zoomapp/home.html.j2",
        include_str!("http/zoomapp/home.html.j2"),
    ),
    (
        "zoomapp/dashboard.html.j2",
        include_str!("http/zoomapp/dashboard.html.j2"),
    ),
];

/// How often `marquee dev` looks for changed template files.
const RELOAD_POLL: Duration = Duration::from_secs(1);

struct Compiled {
    env: Environment<'static>,
    /// `{site}/{name}` of every per-site override.
    overrides: HashSet<String>,
}

/// The compiled templates. Cheap to clone.
#[derive(Clone)]
pub struct Templates {
    compiled: Arc<RwLock<Arc<Compiled>>>,
    dir: Option<PathBuf>,
}

impl Templates {
    /// Compiles the embedded templates only.
    pub fn load() -> Result<Self, minijinja::Error> {
        Self::load_from(None)
    }

    /// Compiles the embedded templates plus those in `dir` (see the module docs); a syntax
    /// error is a start-up failure, not a visitor's 500.
    pub fn load_from(dir: Option<&Path>) -> Result<Self, minijinja::Error> {
        let compiled = compile(dir)?;
        Ok(Self {
            compiled: Arc::new(RwLock::new(Arc::new(compiled))),
            dir: dir.map(Path::to_path_buf),
        })
    }

    fn current(&self) -> Arc<Compiled> {
        self.compiled
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn render(&self, name: &str, context: Value) -> Result<String, minijinja::Error> {
        self.current().env.get_template(name)?.render(context)
    }

    /// Renders the site's override of `name` if it has one, else the default.
    pub fn render_for(
        &self,
        site: &str,
        name: &str,
        context: Value,
    ) -> Result<String, minijinja::Error> {
        let compiled = self.current();
        let own = format!("{site}/{name}");
        let chosen = if compiled.overrides.contains(&own) {
            own.as_str()
        } else {
            name
        };
        compiled.env.get_template(chosen)?.render(context)
    }

    /// Recompiles when a file in the templates directory changes (for `marquee dev`). A broken
    /// edit keeps the last good templates and logs the error.
    pub fn watch(&self) {
        let Some(dir) = self.dir.clone() else {
            return;
        };
        let this = self.clone();
        tokio::spawn(async move {
            let mut seen = newest_change(&dir);
            loop {
                tokio::time::sleep(RELOAD_POLL).await;
                let now = newest_change(&dir);
                if now == seen {
                    continue;
                }
                seen = now;
                match compile(Some(&dir)) {
                    Ok(compiled) => {
                        *this.compiled.write().unwrap_or_else(|p| p.into_inner()) =
                            Arc::new(compiled);
                        tracing::info!("templates reloaded");
                    }
                    Err(e) => tracing::warn!(error = %e, "templates not reloaded"),
                }
            }
        });
    }
}

fn compile(dir: Option<&Path>) -> Result<Compiled, minijinja::Error> {
    let mut env = Environment::new();
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    for (name, source) in WIDGETS.iter().chain(ADMIN) {
        env.add_template(name, source)?;
    }
    let mut overrides = HashSet::new();
    for (site, file, source) in dir.map(template_files).unwrap_or_default() {
        if site == "default" {
            env.add_template_owned(file, source)?;
        } else {
            let name = format!("{site}/{file}");
            env.add_template_owned(name.clone(), source)?;
            overrides.insert(name);
        }
    }
    Ok(Compiled { env, overrides })
}

/// `(site, file name, source)` of every `*.j2` one level below `dir`.
fn template_files(dir: &Path) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let Ok(sites) = std::fs::read_dir(dir) else {
        return out;
    };
    for site in sites.flatten().filter(|e| e.path().is_dir()) {
        let site_name = site.file_name().to_string_lossy().into_owned();
        let Ok(files) = std::fs::read_dir(site.path()) else {
            continue;
        };
        for file in files.flatten() {
            let name = file.file_name().to_string_lossy().into_owned();
            if !name.ends_with(".j2") {
                continue;
            }
            if let Ok(source) = std::fs::read_to_string(file.path()) {
                out.push((site_name.clone(), name, source));
            }
        }
    }
    out
}

fn newest_change(dir: &Path) -> Option<SystemTime> {
    let mut newest = None;
    for site in std::fs::read_dir(dir).ok()?.flatten() {
        for file in std::fs::read_dir(site.path())
            .into_iter()
            .flatten()
            .flatten()
        {
            let modified = file.metadata().and_then(|m| m.modified()).ok();
            newest = newest.max(modified);
        }
    }
    newest
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
                minijinja::context! { lang => "en", title => "<b>x</b>", message => "a & b", back => () },
            )
            .unwrap();
        assert!(
            html.contains("&lt;b&gt;x&lt;&#x2f;b&gt;") || html.contains("&lt;b&gt;x&lt;/b&gt;"),
            "{html}"
        );
        assert!(html.contains("a &amp; b"));
    }

    #[test]
    fn a_site_can_override_a_template_and_others_keep_the_default() {
        let dir = std::env::temp_dir().join(format!("mq-tpl-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("yoga")).unwrap();
        std::fs::write(
            dir.join("yoga/admin-free.html.j2"),
            "Yoga {{ name }} {% if false %}{% endif %}",
        )
        .unwrap();
        let templates = Templates::load_from(Some(&dir)).unwrap();
        let ctx = || minijinja::context! { name => "<i>" };
        assert_eq!(
            templates
                .render_for("yoga", "admin-free.html.j2", ctx())
                .unwrap(),
            "Yoga &lt;i&gt; "
        );
        assert!(
            templates
                .render_for("other", "admin-free.html.j2", ctx())
                .is_err(),
            "no default of that name: other sites do not see yoga's template"
        );
        std::fs::write(dir.join("yoga/broken.html.j2"), "{% if %}").unwrap();
        assert!(
            Templates::load_from(Some(&dir)).is_err(),
            "syntax errors fail at load"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
