//! The fields (`id`, `event`, `data`) of one complete SSE event, as the
//! [`super::guard::SseGuard`] hands it over: valid UTF-8, LF line ends,
//! ending with a blank line.
//!
//! Our own server writes every event in one plain shape: `id: N`,
//! `event: kind` and a single `data: …` line. That shape is read here
//! directly, as slices of the guard's buffer with nothing copied, because it
//! is the hot path of `tail` and the console. Anything else (comments,
//! several data lines, `retry:`, a field without the space after its colon,
//! an unknown field, a NUL in an id) goes to eventsource-stream, which parses
//! the whole SSE grammar. The tests check that both read every event alike.

use bytes::Bytes;
use eventsource_stream::Eventsource;
use futures::{FutureExt, StreamExt};

/// One dispatched SSE event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SseFrame {
    /// The `id:` field; empty when the event has none.
    pub id: Bytes,
    /// The `event:` field, `message` when the event has none.
    pub event: Bytes,
    /// The data lines, joined by LF.
    pub data: Bytes,
}

impl SseFrame {
    /// The `id` as text.
    pub fn id_str(&self) -> &str {
        std::str::from_utf8(&self.id).unwrap_or("")
    }

    /// The `event` name as text.
    pub fn event_str(&self) -> &str {
        std::str::from_utf8(&self.event).unwrap_or("")
    }

    /// The data as text (the guard has already made it valid UTF-8).
    pub fn data_str(&self) -> &str {
        std::str::from_utf8(&self.data).unwrap_or("")
    }
}

/// What reading one guarded event gave.
#[derive(Debug, PartialEq, Eq)]
pub enum FrameOutcome {
    /// An event to dispatch.
    Frame(SseFrame),
    /// Nothing to dispatch (no data line, or only comments), as the SSE
    /// rules say.
    Nothing,
    /// eventsource-stream refused it.
    Malformed,
}

/// Read one complete guarded event (see the module comment).
pub fn read_frame(event: &Bytes) -> FrameOutcome {
    match read_plain(event) {
        Some(frame) => FrameOutcome::Frame(frame),
        None => read_general(event),
    }
}

/// The plain shape: each line exactly `id: `, `event: ` or `data: ` followed
/// by its value, each field at most once, a data line present. `None` when
/// the event is not in that shape.
fn read_plain(event: &Bytes) -> Option<SseFrame> {
    let body = event.strip_suffix(b"\n\n")?;
    let (mut id, mut name, mut data) = (None, None, None);
    let mut start = 0;
    while start <= body.len() {
        let end = memchr::memchr(b'\n', &body[start..]).map_or(body.len(), |at| start + at);
        let line = &body[start..end];
        start = end + 1;
        let (slot, value) = if let Some(v) = line.strip_prefix(b"data: ") {
            (&mut data, v)
        } else if let Some(v) = line.strip_prefix(b"id: ") {
            if v.contains(&0) {
                return None;
            }
            (&mut id, v)
        } else if let Some(v) = line.strip_prefix(b"event: ") {
            (&mut name, v)
        } else {
            return None;
        };
        if slot.is_some() {
            return None;
        }
        *slot = Some(event.slice_ref(value));
    }
    let name = match name {
        Some(n) if !n.is_empty() => n,
        _ => Bytes::from_static(b"message"),
    };
    Some(SseFrame {
        id: id.unwrap_or_default(),
        event: name,
        data: data?,
    })
}

/// Any shape, through eventsource-stream. A fresh parser per event, so no
/// id is carried over from an earlier event (the client tracks cursors
/// itself); a leading blank line keeps the parser from treating a U+FEFF at
/// the start of this event as a stream-start BOM, which the guard has
/// already removed where it belongs.
fn read_general(event: &Bytes) -> FrameOutcome {
    let chunks: [Result<Bytes, std::convert::Infallible>; 2] =
        [Ok(Bytes::from_static(b"\n")), Ok(event.clone())];
    let mut parser = futures::stream::iter(chunks).eventsource();
    // The input is all in memory, so every poll is ready at once.
    match parser.next().now_or_never().flatten() {
        Some(Ok(sse)) => FrameOutcome::Frame(SseFrame {
            id: Bytes::from(sse.id),
            event: Bytes::from(sse.event),
            data: Bytes::from(sse.data),
        }),
        Some(Err(_)) => FrameOutcome::Malformed,
        None => FrameOutcome::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn frame(id: &str, event: &str, data: &str) -> FrameOutcome {
        FrameOutcome::Frame(SseFrame {
            id: Bytes::copy_from_slice(id.as_bytes()),
            event: Bytes::copy_from_slice(event.as_bytes()),
            data: Bytes::copy_from_slice(data.as_bytes()),
        })
    }

    #[test]
    fn plain_events_are_read_without_the_general_parser() {
        let event = Bytes::from_static(b"id: 42\nevent: log\ndata: {\"type\":\"log\"}\n\n");
        let plain = read_plain(&event).expect("plain shape");
        assert_eq!(plain.id_str(), "42");
        assert_eq!(plain.event_str(), "log");
        assert_eq!(plain.data_str(), "{\"type\":\"log\"}");
        // Zero copy: the data is a slice of the guard's buffer.
        assert_eq!(plain.data.as_ptr(), event[24..].as_ptr());
        assert_eq!(
            read_frame(&Bytes::from_static(b"data: x\n\n")),
            frame("", "message", "x")
        );
    }

    #[test]
    fn other_shapes_go_through_eventsource_stream() {
        for (input, expected) in [
            (&b"data: a\ndata: b\n\n"[..], frame("", "message", "a\nb")),
            (b": note\nid:7\nevent:x\ndata:y\n\n", frame("7", "x", "y")),
            (b"retry: 10\ndata: z\n\n", frame("", "message", "z")),
            (b"id: 1\nid: 2\ndata: q\n\n", frame("2", "message", "q")),
            (b"id: 1\n\n", FrameOutcome::Nothing),
            (b": only a comment\n\n", FrameOutcome::Nothing),
            (b"\xEF\xBB\xBFdata: bom\n\n", FrameOutcome::Nothing),
        ] {
            let event = Bytes::copy_from_slice(input);
            assert!(read_plain(&event).is_none(), "{input:?} is not plain");
            assert_eq!(read_frame(&event), expected, "{input:?}");
        }
    }

    /// One SSE line: a known or odd field name, with or without the colon
    /// and the space, and a value without line breaks.
    fn line() -> impl Strategy<Value = String> {
        let plain = (
            prop_oneof![Just("data"), Just("id"), Just("event")],
            "[^\r\n]{0,12}",
        )
            .prop_map(|(n, v)| format!("{n}: {v}"));
        let name = prop_oneof![
            Just("data"),
            Just("id"),
            Just("event"),
            Just("retry"),
            Just(""),
            Just("dat"),
            Just("\u{feff}data"),
        ];
        let separator = prop_oneof![Just(": "), Just(":"), Just(":  "), Just("")];
        let odd = (name, separator, "[^\r\n]{0,12}").prop_map(|(n, s, v)| format!("{n}{s}{v}"));
        prop_oneof![4 => plain, 1 => odd]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Both paths agree on every event the plain path accepts.
        #[test]
        fn plain_path_agrees_with_eventsource_stream(lines in prop::collection::vec(line(), 1..5)) {
            let text = format!("{}\n\n", lines.join("\n"));
            let event = Bytes::from(text);
            if let Some(plain) = read_plain(&event) {
                prop_assert_eq!(FrameOutcome::Frame(plain), read_general(&event));
            }
        }
    }
}
