//! The recording reader (`tracetop replay`) on arbitrary bytes: never a
//! panic, and its counts add up to what it returned.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracetop::model::Event;
use tracetop::source::recording::RecordingReader;

fuzz_target!(|data: &[u8]| {
    let mut reader = RecordingReader::new(data);
    let (mut known, mut unknown) = (0u64, 0u64);
    futures::executor::block_on(async {
        while let Some(event) = reader
            .next_event()
            .await
            .expect("reading memory never fails")
        {
            if matches!(event, Event::Unknown { .. }) {
                unknown += 1;
            } else {
                known += 1;
            }
        }
    });
    let stats = &reader.stats;
    assert_eq!((stats.events, stats.unknown), (known, unknown));
    assert!(stats.events + stats.unknown + stats.bad <= stats.lines);
    assert_eq!(stats.bad > 0, stats.bad_summary().is_some());
});
