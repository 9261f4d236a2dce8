//! JSON text as Postgres renders a `jsonb` value (`column::text`), so the
//! LiveEngine holds the `jsonb` columns of the data contract
//! (`logs.metadata`, `task_execution_steps.content`) in the form PgEngine
//! reads back, whatever spelling the event carried.
//!
//! Postgres stores `jsonb` parsed: object keys are ordered by length, then
//! bytewise, the last of duplicate keys wins, numbers are `numeric`
//! (`1e3` → `1000`, `1.50` keeps its scale, `-0` → `0`), strings are
//! unescaped and re-escaped (`\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`,
//! other control characters as `\u00xx`, everything else literal), and the
//! text form separates with `", "` and `": "`. Text that Postgres would
//! refuse (not JSON, `\u0000`, a lone surrogate) is returned unchanged.

use std::collections::BTreeMap;

/// `text` as `text::jsonb::text` would give it, or `None` if Postgres
/// would refuse it.
pub fn jsonb_text(text: &str) -> Option<String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let value = p.value(0)?;
    p.ws();
    if p.i != p.s.len() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + 8);
    value.write(&mut out);
    Some(out)
}

/// Rewrite the `jsonb` columns an event carries as Postgres renders them.
pub(crate) fn normalise_event(event: &mut crate::model::Event) {
    use crate::model::Event;
    match event {
        Event::Log { log } => normalise(&mut log.metadata),
        Event::ExecutionStep { step } => normalise(&mut step.content),
        _ => {}
    }
}

/// [`jsonb_text`], or the text itself when Postgres would refuse it.
fn normalise(text: &mut Option<String>) {
    if let Some(t) = text
        && let Some(n) = jsonb_text(t)
        && n != *t
    {
        *t = n;
    }
}

enum Value {
    Null,
    Bool(bool),
    /// Already in `numeric` output form.
    Number(String),
    String(String),
    Array(Vec<Value>),
    /// Keys ordered as jsonb orders them: (length, bytes).
    Object(BTreeMap<(usize, String), Value>),
}

impl Value {
    fn write(&self, out: &mut String) {
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Number(n) => out.push_str(n),
            Value::String(s) => write_string(s, out),
            Value::Array(items) => {
                out.push('[');
                for (k, v) in items.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    v.write(out);
                }
                out.push(']');
            }
            Value::Object(map) => {
                out.push('{');
                for (k, ((_, key), v)) in map.iter().enumerate() {
                    if k > 0 {
                        out.push_str(", ");
                    }
                    write_string(key, out);
                    out.push_str(": ");
                    v.write(out);
                }
                out.push('}');
            }
        }
    }
}

/// Postgres's `escape_json`.
fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Deeper nesting than this is left alone (Postgres's own limit is the
/// stack; this keeps ours bounded).
const MAX_DEPTH: usize = 512;

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.s.get(self.i) {
            self.i += 1;
        }
    }

    fn eat(&mut self, b: u8) -> bool {
        self.ws();
        if self.s.get(self.i) == Some(&b) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn literal(&mut self, word: &str) -> bool {
        if self.s[self.i..].starts_with(word.as_bytes()) {
            self.i += word.len();
            true
        } else {
            false
        }
    }

    fn value(&mut self, depth: usize) -> Option<Value> {
        if depth > MAX_DEPTH {
            return None;
        }
        self.ws();
        match *self.s.get(self.i)? {
            b'n' if self.literal("null") => Some(Value::Null),
            b't' if self.literal("true") => Some(Value::Bool(true)),
            b'f' if self.literal("false") => Some(Value::Bool(false)),
            b'"' => self.string().map(Value::String),
            b'[' => {
                self.i += 1;
                let mut items = Vec::new();
                if self.eat(b']') {
                    return Some(Value::Array(items));
                }
                loop {
                    items.push(self.value(depth + 1)?);
                    if self.eat(b']') {
                        return Some(Value::Array(items));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut map = BTreeMap::new();
                if self.eat(b'}') {
                    return Some(Value::Object(map));
                }
                loop {
                    self.ws();
                    if self.s.get(self.i) != Some(&b'"') {
                        return None;
                    }
                    let key = self.string()?;
                    if !self.eat(b':') {
                        return None;
                    }
                    let v = self.value(depth + 1)?;
                    map.insert((key.len(), key), v);
                    if self.eat(b'}') {
                        return Some(Value::Object(map));
                    }
                    if !self.eat(b',') {
                        return None;
                    }
                }
            }
            b'-' | b'0'..=b'9' => self.number().map(Value::Number),
            _ => None,
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.s.get(self.i..self.i + 4)?;
        let text = std::str::from_utf8(digits).ok()?;
        let v = u32::from_str_radix(text, 16).ok()?;
        if !digits.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        self.i += 4;
        Some(v)
    }

    fn string(&mut self) -> Option<String> {
        self.i += 1; // the opening quote
        let mut out = String::new();
        loop {
            let start = self.i;
            while let Some(&b) = self.s.get(self.i) {
                if b == b'"' || b == b'\\' || b < 0x20 {
                    break;
                }
                self.i += 1;
            }
            out.push_str(std::str::from_utf8(&self.s[start..self.i]).ok()?);
            match *self.s.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.i += 1;
                    let e = *self.s.get(self.i)?;
                    self.i += 1;
                    match e {
                        b'"' => out.push('"'),
                        b'\\' => out.push('\\'),
                        b'/' => out.push('/'),
                        b'b' => out.push('\u{8}'),
                        b'f' => out.push('\u{c}'),
                        b'n' => out.push('\n'),
                        b'r' => out.push('\r'),
                        b't' => out.push('\t'),
                        b'u' => {
                            let hi = self.hex4()?;
                            let c = match hi {
                                0 => return None,
                                0xD800..=0xDBFF => {
                                    if !self.literal("\\u") {
                                        return None;
                                    }
                                    let lo = self.hex4()?;
                                    if !(0xDC00..=0xDFFF).contains(&lo) {
                                        return None;
                                    }
                                    0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                                }
                                0xDC00..=0xDFFF => return None,
                                c => c,
                            };
                            out.push(char::from_u32(c)?);
                        }
                        _ => return None,
                    }
                }
                _ => return None, // a raw control character
            }
        }
    }

    /// A JSON number in Postgres `numeric` output form.
    fn number(&mut self) -> Option<String> {
        let start = self.i;
        let negative = self.s[self.i] == b'-';
        if negative {
            self.i += 1;
        }
        let int_start = self.i;
        match self.s.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                    self.i += 1;
                }
            }
            _ => return None,
        }
        let int_digits = &self.s[int_start..self.i];
        let mut frac_digits: &[u8] = &[];
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            let f = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == f {
                return None;
            }
            frac_digits = &self.s[f..self.i];
        }
        let mut exponent: i64 = 0;
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            let sign = match self.s.get(self.i) {
                Some(b'-') => {
                    self.i += 1;
                    -1
                }
                Some(b'+') => {
                    self.i += 1;
                    1
                }
                _ => 1,
            };
            let e = self.i;
            while self.s.get(self.i).is_some_and(u8::is_ascii_digit) {
                self.i += 1;
            }
            if self.i == e || self.i - e > 6 {
                return None;
            }
            exponent = sign
                * std::str::from_utf8(&self.s[e..self.i])
                    .ok()?
                    .parse::<i64>()
                    .ok()?;
        }
        if exponent == 0 {
            // plain notation: numeric prints it back as written, but
            // without the sign of a zero
            let text = std::str::from_utf8(&self.s[start..self.i]).ok()?;
            let zero = int_digits == b"0" && frac_digits.iter().all(|d| *d == b'0');
            return Some(if zero && negative {
                text[1..].to_string()
            } else {
                text.to_string()
            });
        }
        if exponent.abs() > 1000 {
            return None; // far outside anything a row holds; leave as written
        }
        // digits × 10^(exponent − frac len); display scale as numeric_in
        let mut digits: Vec<u8> = int_digits.iter().chain(frac_digits).copied().collect();
        let scale = (frac_digits.len() as i64 - exponent).max(0) as usize;
        let point = int_digits.len() as i64 + exponent; // digits before the point
        let mut int_part: Vec<u8>;
        let frac_part: Vec<u8>;
        if point <= 0 {
            int_part = vec![b'0'];
            let mut f = vec![b'0'; (-point) as usize];
            f.append(&mut digits);
            frac_part = f;
        } else if point as usize >= digits.len() {
            int_part = digits;
            int_part.resize(point as usize, b'0');
            frac_part = Vec::new();
        } else {
            frac_part = digits.split_off(point as usize);
            int_part = digits;
        }
        let mut frac_part = frac_part;
        frac_part.resize(scale.max(frac_part.len()), b'0');
        frac_part.truncate(scale);
        // strip leading zeros of the integer part
        let first = int_part
            .iter()
            .position(|d| *d != b'0')
            .unwrap_or(int_part.len() - 1);
        let int_part = &int_part[first..];
        let zero = int_part == b"0" && frac_part.iter().all(|d| *d == b'0');
        let mut out = String::new();
        if negative && !zero {
            out.push('-');
        }
        out.push_str(std::str::from_utf8(int_part).ok()?);
        if !frac_part.is_empty() {
            out.push('.');
            out.push_str(std::str::from_utf8(&frac_part).ok()?);
        }
        Some(out)
    }
}
