//! Editing keys for the console's text boxes, as readline has them:
//! `ctrl-u` kills to the start of the line, `ctrl-w` the word before the
//! cursor, `ctrl-k` to the end, `ctrl-a` / `ctrl-e` go to the start / end.
//! Everything else is tui-textarea's own editing.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tui_textarea::{CursorMove, TextArea};

/// Apply `key` to `editor`; true when the text changed.
pub fn edit(editor: &mut TextArea<'_>, key: KeyEvent) -> bool {
    if key.modifiers.contains(KeyModifiers::CONTROL) {
        match key.code {
            KeyCode::Char('u') => return editor.delete_line_by_head(),
            KeyCode::Char('w') => return editor.delete_word(),
            KeyCode::Char('k') => return editor.delete_line_by_end(),
            KeyCode::Char('a') => {
                editor.move_cursor(CursorMove::Head);
                return false;
            }
            KeyCode::Char('e') => {
                editor.move_cursor(CursorMove::End);
                return false;
            }
            _ => {}
        }
    }
    editor.input(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn typed(text: &str) -> TextArea<'static> {
        let mut t = TextArea::default();
        t.insert_str(text);
        t
    }

    fn ctrl(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL)
    }

    #[test]
    fn readline_kills() {
        let mut t = typed("level:error user:alice");
        assert!(edit(&mut t, ctrl('w')));
        assert_eq!(t.lines()[0], "level:error user:");
        assert!(edit(&mut t, ctrl('u')));
        assert_eq!(t.lines()[0], "");
        let mut t = typed("trace abc def");
        edit(&mut t, ctrl('a'));
        edit(&mut t, KeyEvent::new(KeyCode::Right, KeyModifiers::NONE));
        assert!(edit(&mut t, ctrl('k')));
        assert_eq!(t.lines()[0], "t");
        edit(&mut t, ctrl('e'));
        edit(
            &mut t,
            KeyEvent::new(KeyCode::Char('x'), KeyModifiers::NONE),
        );
        assert_eq!(t.lines()[0], "tx");
    }
}
