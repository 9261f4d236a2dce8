//! One `serve` client's outgoing SSE text, cut into chunks: small events
//! are gathered into one chunk, a big event's frame is handed on as it is
//! (the buffer the ring holds, shared by every client), so what a
//! connection keeps stays small whatever it has sent.

use crate::model::Event;
use bytes::{Bytes, BytesMut};

/// SSE text gathered before it is handed to the connection: events that are
/// ready together (a replay, a burst) go out as one chunk instead of one
/// chunk each, which halves what a client spends per event.
pub(crate) const STREAM_CHUNK: usize = 64 * 1024;

/// A frame at least this big is not copied into a client's chunk: it goes
/// out as its own chunk, the very buffer the ring holds, so a big event
/// costs no memory per client and no client's buffer grows to its size.
pub(crate) const SHARED_FRAME: usize = 16 * 1024;

/// Chunks queued for one client before a send waits (and, after
/// `write_timeout`, drops the client): at most about 1 MiB of small events
/// (big ones are shared with the ring, not held per client).
pub(crate) const QUEUED_CHUNKS: usize = 16;

/// One client's outgoing SSE text, cut into chunks. The gathering buffer
/// never holds more than [`STREAM_CHUNK`] + [`SHARED_FRAME`] bytes, so what
/// a connection keeps between writes stays small whatever it has sent.
#[derive(Default)]
pub(crate) struct Chunker {
    out: BytesMut,
    ready: Vec<Bytes>,
}

impl Chunker {
    /// Add an entry's frame.
    pub(crate) fn push_frame(&mut self, frame: &Bytes) {
        if frame.len() >= SHARED_FRAME {
            self.seal();
            self.ready.push(frame.clone());
        } else {
            self.out.extend_from_slice(frame);
            if self.out.len() >= STREAM_CHUNK {
                self.seal();
            }
        }
    }

    /// Add a per-connection event (heartbeat, gap): no id, not in the ring.
    pub(crate) fn push_control(&mut self, event: &Event) {
        let data = crate::output::json::to_string_compact(event).unwrap_or_default();
        self.out.extend_from_slice(b"event: ");
        self.out.extend_from_slice(event.kind().as_bytes());
        self.out.extend_from_slice(b"\ndata: ");
        self.out.extend_from_slice(data.as_bytes());
        self.out.extend_from_slice(b"\n\n");
        if self.out.len() >= STREAM_CHUNK {
            self.seal();
        }
    }

    /// Whether a whole chunk is waiting to be sent.
    pub(crate) fn has_full_chunk(&self) -> bool {
        !self.ready.is_empty()
    }

    /// Everything gathered, as chunks to send in order.
    pub(crate) fn take_all(&mut self) -> Vec<Bytes> {
        self.seal();
        std::mem::take(&mut self.ready)
    }

    /// Bytes the gathering buffer has room for without growing.
    #[cfg(test)]
    pub(crate) fn buffer_capacity(&self) -> usize {
        self.out.capacity()
    }

    fn seal(&mut self) {
        if !self.out.is_empty() {
            self.ready.push(self.out.split().freeze());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame_of(len: usize) -> Bytes {
        let mut text = b"id: 1\nevent: log\ndata: \"".to_vec();
        text.resize(len - 3, b'x');
        text.extend_from_slice(b"\"\n\n");
        Bytes::from(text)
    }

    #[test]
    fn a_big_frame_is_shared_not_copied_and_the_buffer_stays_small() {
        let mut out = Chunker::default();
        let small = frame_of(200);
        let big = frame_of(2 << 20);
        for _ in 0..3 {
            out.push_frame(&small);
            out.push_frame(&big);
            out.push_frame(&small);
            let chunks = out.take_all();
            assert_eq!(chunks.len(), 3, "small, big, small");
            assert_eq!(chunks[0], small);
            // the very buffer the ring holds, not a copy
            assert_eq!(chunks[1].as_ptr(), big.as_ptr());
            assert_eq!(chunks[1].len(), big.len());
            assert_eq!(chunks[2], small);
        }
        assert!(
            out.buffer_capacity() <= STREAM_CHUNK + SHARED_FRAME,
            "the gathering buffer kept {} bytes",
            out.buffer_capacity()
        );
    }

    #[test]
    fn small_frames_gather_into_chunks_of_bounded_size() {
        let mut out = Chunker::default();
        let frame = frame_of(SHARED_FRAME - 1);
        let mut sent = Vec::new();
        for _ in 0..100 {
            out.push_frame(&frame);
            if out.has_full_chunk() {
                sent.extend(out.take_all());
            }
        }
        sent.extend(out.take_all());
        let total: usize = sent.iter().map(Bytes::len).sum();
        assert_eq!(total, 100 * frame.len());
        assert!(sent.len() < 100, "frames were gathered");
        for chunk in &sent {
            assert!(chunk.len() < STREAM_CHUNK + SHARED_FRAME);
        }
        assert!(out.buffer_capacity() <= 2 * (STREAM_CHUNK + SHARED_FRAME));
    }

    #[test]
    fn control_events_are_framed_without_an_id() {
        let mut out = Chunker::default();
        out.push_control(&Event::Heartbeat {
            at: chrono::DateTime::UNIX_EPOCH,
        });
        let chunks = out.take_all();
        let text = std::str::from_utf8(&chunks[0]).unwrap();
        assert!(text.starts_with("event: heartbeat\ndata: {"), "{text}");
        assert!(text.ends_with("}\n\n"), "{text}");
        assert!(out.take_all().is_empty());
    }
}
