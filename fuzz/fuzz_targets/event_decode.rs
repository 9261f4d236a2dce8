//! The event decoders (our wire format and a systemprompt analytics
//! stream's flat payloads) on arbitrary `event:` names and `data:` text:
//! never a panic, and an event of ours survives a JSON round trip.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracetop::model::Event;
use tracetop::sse::decode::decode_sse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (name, payload) = text.split_once('\n').unwrap_or(("", text));
    let _ = decode_sse(name, payload);
    let ours = Event::from_json(payload);
    if !matches!(ours, Event::Unknown { .. }) {
        let again = serde_json::to_string(&ours).expect("an event serializes");
        assert_eq!(
            Event::from_json(&again),
            ours,
            "round trip changed the event"
        );
    }
});
