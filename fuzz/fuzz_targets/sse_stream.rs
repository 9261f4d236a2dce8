//! The SSE guard and frame reader on arbitrary bytes in arbitrary chunks,
//! then the event decoder on every frame: never a panic; every guarded
//! event ends with a blank line and stays under the caps.
#![no_main]

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use tracetop::sse::decode::decode_sse;
use tracetop::sse::frame::{FrameOutcome, read_frame};
use tracetop::sse::guard::{GuardLimits, SseGuard};

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    let limits = GuardLimits {
        max_line: 256,
        max_event: 1024,
    };
    let mut guard = SseGuard::new(limits);
    // chunk sizes from the first byte: 1..=256
    let step = usize::from(split) + 1;
    for chunk in rest.chunks(step) {
        for event in guard.push_events(&Bytes::copy_from_slice(chunk)) {
            assert!(event.ends_with(b"\n\n"), "guarded event without blank line");
            assert!(event.len() <= limits.max_event + 2, "event over the cap");
            if let FrameOutcome::Frame(frame) = read_frame(&event) {
                let _ = decode_sse(frame.event_str(), frame.data_str());
            }
        }
    }
});
