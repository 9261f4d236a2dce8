//! The guard in front of the SSE parser.
//!
//! eventsource-stream 0.2 panics on a leading UTF-8 BOM, fails the whole
//! stream on invalid UTF-8 and buffers without limit. The guard sits between
//! the network bytes and that parser and hands it only well-formed input:
//!
//! * a leading BOM is stripped;
//! * lines ending in CR, LF or CRLF (even split across chunks) are re-emitted
//!   ending in LF;
//! * invalid UTF-8 is replaced (U+FFFD) line by line;
//! * an event (the lines up to a blank line) is released only when complete,
//!   so the parser never sees half an event; an event with a line longer than
//!   `max_line` or a total size over `max_event` is dropped whole and counted
//!   in [`SseGuard::skipped`], and the guard's memory stays bounded by those
//!   caps whatever the server sends.

use bytes::{Bytes, BytesMut};

/// Size caps of the guard.
#[derive(Debug, Clone, Copy)]
pub struct GuardLimits {
    /// Longest accepted line, in bytes (default 4 MiB, the event cap: a
    /// `serve` event is one `data:` line, and a 2 MB tool payload is a
    /// real event, found dropped by scripts/soak.sh at 1 MiB).
    pub max_line: usize,
    /// Largest accepted event (all its lines), in bytes (default 4 MiB).
    pub max_event: usize,
}

impl Default for GuardLimits {
    fn default() -> Self {
        GuardLimits {
            max_line: 4 << 20,
            max_event: 4 << 20,
        }
    }
}

/// Streaming line framer and size guard. Feed it chunks with
/// [`SseGuard::push`]; it returns complete, normalised events.
#[derive(Debug)]
pub struct SseGuard {
    limits: GuardLimits,
    /// Bytes of the line being assembled.
    line: Vec<u8>,
    /// The event being assembled (normalised lines).
    event: BytesMut,
    /// An event has been released (the parser has seen its first bytes).
    released_any: bool,
    /// Last byte of the previous chunk was CR (a following LF is the same line end).
    after_cr: bool,
    /// Discarding the current event until the next blank line.
    dropping: bool,
    /// Events dropped (oversized).
    skipped: u64,
    /// Where each event released by the current `push` ends in its `out`.
    event_ends: Vec<usize>,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseGuard {
    /// A guard with these caps.
    pub fn new(limits: GuardLimits) -> Self {
        SseGuard {
            limits,
            line: Vec::new(),
            event: BytesMut::new(),
            released_any: false,
            after_cr: false,
            dropping: false,
            skipped: 0,
            event_ends: Vec::new(),
        }
    }

    /// Events dropped so far because a line or the event was too large.
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// Forget any partial line or event (a new connection starts clean).
    pub fn reset(&mut self) {
        self.line.clear();
        self.event.clear();
        self.released_any = false;
        self.after_cr = false;
        self.dropping = false;
    }

    /// Feed one chunk; the complete events it finishes come back one
    /// buffer each, each ending with a blank line.
    ///
    /// An event that lies whole in the chunk and needs no repair (LF line
    /// ends, valid UTF-8, well under the caps) comes back as a slice of the
    /// chunk, not copied; anything else goes through [`SseGuard::push`].
    pub fn push_events(&mut self, chunk: &Bytes) -> Vec<Bytes> {
        let mut events = Vec::new();
        let mut offset = 0;
        if self.at_event_start() {
            while let Some(len) = self.clean_event_len(&chunk[offset..]) {
                events.push(chunk.slice(offset..offset + len));
                offset += len;
            }
        }
        if offset < chunk.len() {
            let mut out = BytesMut::new();
            self.push(&chunk[offset..], &mut out);
            let all = out.freeze();
            let mut start = 0;
            events.extend(self.event_ends.drain(..).map(|end| {
                let event = all.slice(start..end);
                start = end;
                event
            }));
        }
        events
    }

    /// Between events, with nothing held and the stream start behind.
    fn at_event_start(&self) -> bool {
        self.released_any
            && self.line.is_empty()
            && self.event.is_empty()
            && !self.dropping
            && !self.after_cr
    }

    /// The length (blank line included) of the complete event `bytes`
    /// starts with, if it can be passed on exactly as it is.
    fn clean_event_len(&self, bytes: &[u8]) -> Option<usize> {
        if bytes.first() == Some(&b'\n') {
            return None;
        }
        let len = memchr::memmem::find(bytes, b"\n\n")? + 2;
        let event = &bytes[..len];
        if len > self.limits.max_event || memchr::memchr(b'\r', event).is_some() {
            return None;
        }
        if len > self.limits.max_line {
            let mut line_start = 0;
            for line_end in memchr::memchr_iter(b'\n', event) {
                if line_end - line_start > self.limits.max_line {
                    return None;
                }
                line_start = line_end + 1;
            }
        }
        std::str::from_utf8(event).ok()?;
        Some(len)
    }

    /// Feed one chunk; complete events (each ending with a blank line) are
    /// appended to `out` as one buffer.
    pub fn push(&mut self, mut chunk: &[u8], out: &mut BytesMut) {
        self.event_ends.clear();
        if self.after_cr {
            self.after_cr = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while !chunk.is_empty() {
            match memchr::memchr2(b'\n', b'\r', chunk) {
                Some(pos) => {
                    self.append_line_bytes(&chunk[..pos]);
                    let was_cr = chunk[pos] == b'\r';
                    chunk = &chunk[pos + 1..];
                    if was_cr {
                        if chunk.is_empty() {
                            self.after_cr = true;
                        } else if chunk[0] == b'\n' {
                            chunk = &chunk[1..];
                        }
                    }
                    self.end_line(out);
                }
                None => {
                    self.append_line_bytes(chunk);
                    chunk = &[];
                }
            }
        }
    }

    fn append_line_bytes(&mut self, bytes: &[u8]) {
        if self.dropping {
            return;
        }
        if self.line.len() + bytes.len() > self.limits.max_line {
            self.drop_event();
            return;
        }
        self.line.extend_from_slice(bytes);
    }

    fn drop_event(&mut self) {
        if !self.dropping {
            self.dropping = true;
            self.skipped += 1;
        }
        self.line.clear();
        self.event.clear();
    }

    fn end_line(&mut self, out: &mut BytesMut) {
        if self.line.is_empty() {
            // Blank line: end of event.
            if self.dropping {
                self.dropping = false;
            } else if !self.event.is_empty() {
                self.event.extend_from_slice(b"\n");
                out.extend_from_slice(&self.event);
                self.event_ends.push(out.len());
                self.event.clear();
                self.released_any = true;
            }
            return;
        }
        if self.dropping {
            self.line.clear();
            return;
        }
        if !self.released_any && self.event.is_empty() {
            // The parser slices one byte off a leading BOM (and panics on
            // its 3-byte encoding): strip every BOM the stream starts with.
            let mut start = 0;
            while self.line[start..].starts_with(BOM) {
                start += BOM.len();
            }
            self.line.drain(..start);
            if self.line.is_empty() {
                return;
            }
        }
        // Repair first, then measure: each invalid byte becomes a 3-byte
        // U+FFFD, so the cap must hold for the repaired line.
        let repaired = match std::str::from_utf8(&self.line) {
            Ok(_) => None,
            Err(_) => Some(String::from_utf8_lossy(&self.line).into_owned()),
        };
        let len = repaired.as_ref().map_or(self.line.len(), String::len);
        if self.event.len() + len + 1 > self.limits.max_event {
            self.drop_event();
            return;
        }
        match &repaired {
            None => self.event.extend_from_slice(&self.line),
            Some(text) => self.event.extend_from_slice(text.as_bytes()),
        }
        self.event.extend_from_slice(b"\n");
        self.line.clear();
    }
}

/// Convenience for tests and one-shot input: run `input` through a fresh
/// guard in one chunk.
pub fn guard_all(input: &[u8], limits: GuardLimits) -> (Bytes, u64) {
    let mut guard = SseGuard::new(limits);
    let mut out = BytesMut::new();
    guard.push(input, &mut out);
    (out.freeze(), guard.skipped())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_chunks(chunks: &[&[u8]], limits: GuardLimits) -> (String, u64) {
        let mut guard = SseGuard::new(limits);
        let mut out = BytesMut::new();
        for c in chunks {
            guard.push(c, &mut out);
        }
        (String::from_utf8(out.to_vec()).unwrap(), guard.skipped())
    }

    #[test]
    fn strips_bom_even_split_across_chunks() {
        let (out, _) = run_chunks(
            &[b"\xEF", b"\xBB", b"\xBFdata: a\n\n"],
            GuardLimits::default(),
        );
        assert_eq!(out, "data: a\n\n");
        let (out, _) = run_chunks(
            &[b"\xEF\xBB\xBF\xEF\xBB\xBFdata: b\n\n"],
            GuardLimits::default(),
        );
        assert_eq!(out, "data: b\n\n");
    }

    #[test]
    fn normalises_cr_crlf_and_lf_line_ends() {
        let (out, _) = run_chunks(
            &[b"data: a\r\rdata: b\r\n\r", b"\ndata: c\n\n"],
            GuardLimits::default(),
        );
        assert_eq!(out, "data: a\n\ndata: b\n\ndata: c\n\n");
    }

    #[test]
    fn holds_incomplete_event_and_drops_it_at_end() {
        let (out, _) = run_chunks(&[b"data: a\n\ndata: partial"], GuardLimits::default());
        assert_eq!(out, "data: a\n\n");
    }

    #[test]
    fn push_events_returns_each_complete_event_alone() {
        let mut guard = SseGuard::new(GuardLimits::default());
        let first = guard.push_events(&Bytes::from_static(
            b"id: 1\ndata: a\n\nid: 2\r\ndata: b\r\n\r\nid: 3\ndata: c",
        ));
        assert_eq!(
            first,
            vec![
                Bytes::from_static(b"id: 1\ndata: a\n\n"),
                Bytes::from_static(b"id: 2\ndata: b\n\n"),
            ]
        );
        let second = guard.push_events(&Bytes::from_static(b"c\n\nid: 4\ndata: d\n\n"));
        assert_eq!(
            second,
            vec![
                Bytes::from_static(b"id: 3\ndata: cc\n\n"),
                Bytes::from_static(b"id: 4\ndata: d\n\n"),
            ]
        );
        // A clean event is passed on as a slice of the chunk.
        let chunk = Bytes::from_static(b"id: 5\ndata: e\n\ndata: partial");
        let third = guard.push_events(&chunk);
        assert_eq!(third, vec![Bytes::from_static(b"id: 5\ndata: e\n\n")]);
        assert_eq!(third[0].as_ptr(), chunk.as_ptr());
        assert!(guard.push_events(&Bytes::from_static(b" more")).is_empty());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Chunk by chunk, with or without the zero-copy path, the guard
        /// releases the same events and skips the same number as it does
        /// for the whole input in one careful pass.
        #[test]
        fn chunked_zero_copy_matches_one_careful_pass(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec![
                    &b"data: x"[..], b"id: 7", b"\n", b"\n\n", b"\r", b"\r\n",
                    b"\xEF\xBB\xBF", b"\xFF", b"yyyyyyyyyyyyyyyyyyyy", b": c",
                ]),
                0..40,
            ),
            cuts in proptest::collection::vec(0usize..200, 0..6),
        ) {
            let input: Vec<u8> = pieces.concat();
            let limits = GuardLimits { max_line: 24, max_event: 48 };
            let (expected, expected_skipped) = guard_all(&input, limits);
            let mut bounds: Vec<usize> = cuts.into_iter().map(|c| c.min(input.len())).collect();
            bounds.push(0);
            bounds.push(input.len());
            bounds.sort_unstable();
            let mut guard = SseGuard::new(limits);
            let mut released = Vec::new();
            for pair in bounds.windows(2) {
                let chunk = Bytes::copy_from_slice(&input[pair[0]..pair[1]]);
                for event in guard.push_events(&chunk) {
                    proptest::prop_assert!(event.ends_with(b"\n\n"));
                    released.extend_from_slice(&event);
                }
            }
            proptest::prop_assert_eq!(released, expected.to_vec());
            proptest::prop_assert_eq!(guard.skipped(), expected_skipped);
        }
    }

    #[test]
    fn replaces_invalid_utf8() {
        let (out, _) = run_chunks(&[b"data: \xFF\xFEok\n\n"], GuardLimits::default());
        assert_eq!(out, "data: \u{FFFD}\u{FFFD}ok\n\n");
    }

    #[test]
    fn drops_oversized_line_and_event_and_counts_them() {
        let limits = GuardLimits {
            max_line: 16,
            max_event: 24,
        };
        let long_line = format!("data: {}\n\ndata: ok\n\n", "x".repeat(40));
        let (out, skipped) = run_chunks(&[long_line.as_bytes()], limits);
        assert_eq!(out, "data: ok\n\n");
        assert_eq!(skipped, 1);
        let big_event = "data: 0123456789\ndata: 0123456789\n\ndata: ok\n\n";
        let (out, skipped) = run_chunks(&[big_event.as_bytes()], limits);
        assert_eq!(out, "data: ok\n\n");
        assert_eq!(skipped, 1);
    }
}
