//! Themes are data: TOML files in `themes/` (dark, light, high-contrast are
//! built in) mapped to ratatui styles. `NO_COLOR` is honoured here, by
//! dropping every colour and keeping only modifiers, so state is still
//! carried by symbols, bold and reverse video.

use crate::error::{Error, Result};
use ratatui::style::{Color, Modifier, Style};
use serde::Deserialize;
use std::str::FromStr;

const BUILTIN: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

/// Names of the built-in themes.
pub fn builtin_names() -> Vec<&'static str> {
    BUILTIN.iter().map(|(n, _)| *n).collect()
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeFile {
    name: String,
    #[serde(default)]
    bold_emphasis: bool,
    colors: ThemeColors,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ThemeColors {
    fg: String,
    bg: String,
    muted: String,
    accent: String,
    title: String,
    border: String,
    selection_fg: String,
    selection_bg: String,
    ok: String,
    warn: String,
    error: String,
    anomaly: String,
    pending: String,
    cost: String,
    bar_task: String,
    bar_step: String,
    bar_ai: String,
    bar_mcp: String,
    bar_log: String,
}

/// Resolved styles used by the views.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub name: String,
    /// Whether colours are in use (false under `NO_COLOR`).
    pub colored: bool,
    pub base: Style,
    pub muted: Style,
    pub accent: Style,
    pub title: Style,
    pub border: Style,
    pub selected: Style,
    pub header: Style,
    pub ok: Style,
    pub warn: Style,
    pub error: Style,
    pub anomaly: Style,
    pub pending: Style,
    pub cost: Style,
    pub bar_task: Style,
    pub bar_step: Style,
    pub bar_ai: Style,
    pub bar_mcp: Style,
    pub bar_log: Style,
}

impl Default for Theme {
    fn default() -> Self {
        Theme::builtin("dark", false).unwrap_or_else(|_| Theme::plain("dark"))
    }
}

impl Theme {
    /// A theme with no colours at all (the `NO_COLOR` rendering).
    pub fn plain(name: &str) -> Theme {
        let none = Style::default();
        Theme {
            name: name.to_string(),
            colored: false,
            base: none,
            muted: none,
            accent: none.add_modifier(Modifier::BOLD),
            title: none.add_modifier(Modifier::BOLD),
            border: none,
            selected: none.add_modifier(Modifier::REVERSED),
            header: none.add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            ok: none,
            warn: none.add_modifier(Modifier::BOLD),
            error: none.add_modifier(Modifier::BOLD),
            anomaly: none.add_modifier(Modifier::BOLD),
            pending: none,
            cost: none,
            bar_task: none,
            bar_step: none,
            bar_ai: none,
            bar_mcp: none,
            bar_log: none,
        }
    }

    /// A built-in theme by name; `no_color` drops colours.
    pub fn builtin(name: &str, no_color: bool) -> Result<Theme> {
        let text = BUILTIN
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, t)| *t)
            .ok_or_else(|| {
                Error::input(format!(
                    "unknown theme {name:?}: use one of {} or a path to a .toml theme file",
                    builtin_names().join(", ")
                ))
            })?;
        Theme::from_toml(text, no_color)
    }

    /// Resolve `--theme` / config `theme`: a built-in name or a file path.
    pub fn load(name_or_path: &str, no_color: bool) -> Result<Theme> {
        if BUILTIN.iter().any(|(n, _)| *n == name_or_path) {
            return Theme::builtin(name_or_path, no_color);
        }
        let path = std::path::Path::new(name_or_path);
        if path.extension().is_some_and(|e| e == "toml") || path.exists() {
            let text = std::fs::read_to_string(path).map_err(|e| {
                Error::input(format!("cannot read theme file {}: {e}", path.display())).caused_by(e)
            })?;
            return Theme::from_toml(&text, no_color).map_err(|e| {
                Error::input(format!("theme file {}: {e}", path.display())).caused_by(e)
            });
        }
        Theme::builtin(name_or_path, no_color)
    }

    /// Parse a theme file.
    pub fn from_toml(text: &str, no_color: bool) -> Result<Theme> {
        let file: ThemeFile = toml::from_str(text)
            .map_err(|e| Error::input(format!("invalid theme: {}", e.message())).caused_by(e))?;
        if no_color {
            return Ok(Theme::plain(&file.name));
        }
        let c = &file.colors;
        let color = |field: &str, value: &str| {
            Color::from_str(value).map_err(|_| {
                Error::input(format!(
                    "invalid colour {value:?} for {field}: use a name (red, lightblue…), \
                     an index 0-255 or #rrggbb"
                ))
            })
        };
        let fg = |field: &str, value: &str| -> Result<Style> {
            Ok(Style::default().fg(color(field, value)?))
        };
        let emphasis = if file.bold_emphasis {
            Modifier::BOLD
        } else {
            Modifier::empty()
        };
        let base = Style::default()
            .fg(color("fg", &c.fg)?)
            .bg(color("bg", &c.bg)?);
        Ok(Theme {
            name: file.name.clone(),
            colored: true,
            base,
            muted: fg("muted", &c.muted)?,
            accent: fg("accent", &c.accent)?.add_modifier(emphasis),
            title: fg("title", &c.title)?.add_modifier(Modifier::BOLD),
            border: fg("border", &c.border)?,
            selected: Style::default()
                .fg(color("selection_fg", &c.selection_fg)?)
                .bg(color("selection_bg", &c.selection_bg)?)
                .add_modifier(Modifier::BOLD),
            header: fg("accent", &c.accent)?.add_modifier(Modifier::BOLD),
            ok: fg("ok", &c.ok)?,
            warn: fg("warn", &c.warn)?.add_modifier(Modifier::BOLD),
            error: fg("error", &c.error)?.add_modifier(Modifier::BOLD),
            anomaly: fg("anomaly", &c.anomaly)?.add_modifier(Modifier::BOLD),
            pending: fg("pending", &c.pending)?,
            cost: fg("cost", &c.cost)?,
            bar_task: fg("bar_task", &c.bar_task)?,
            bar_step: fg("bar_step", &c.bar_step)?,
            bar_ai: fg("bar_ai", &c.bar_ai)?,
            bar_mcp: fg("bar_mcp", &c.bar_mcp)?,
            bar_log: fg("bar_log", &c.bar_log)?,
        })
    }
}

/// Whether `NO_COLOR` is set to a non-empty value (no-color.org).
pub fn no_color_from_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_themes_parse() {
        for name in builtin_names() {
            let theme = Theme::builtin(name, false).unwrap();
            assert!(theme.colored);
            assert_eq!(theme.name, name);
        }
    }

    #[test]
    fn no_color_drops_every_colour_but_keeps_emphasis() {
        let theme = Theme::builtin("dark", true).unwrap();
        assert!(!theme.colored);
        assert_eq!(theme.error.fg, None);
        assert!(theme.selected.add_modifier.contains(Modifier::REVERSED));
        assert!(theme.error.add_modifier.contains(Modifier::BOLD));
    }

    #[test]
    fn bad_colour_is_named() {
        let text = include_str!("../../themes/dark.toml").replace("\"lightred\"", "\"blurple\"");
        let err = Theme::from_toml(&text, false).unwrap_err().to_string();
        assert!(err.contains("\"blurple\" for error"), "{err}");
        assert!(Theme::load("nope", false).is_err());
    }
}
