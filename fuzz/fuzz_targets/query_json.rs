//! The query API's request JSON as `serve` reads it: never a panic; a call
//! that parses survives a round trip, and the row cap always holds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tracetop::sse::wire::{QueryCall, cap_rows};

fuzz_target!(|data: &[u8]| {
    let Ok(mut call) = serde_json::from_slice::<QueryCall>(data) else {
        return;
    };
    let text = serde_json::to_string(&call).expect("a call serializes");
    let again: QueryCall = serde_json::from_str(&text).expect("a call parses back");
    assert_eq!(again, call);
    let _ = call.method();
    if cap_rows(&mut call, 100).is_ok() {
        let value = serde_json::to_value(&call).unwrap();
        let mut limits = Vec::new();
        collect_limits(&value, &mut limits);
        assert!(limits.iter().all(|l| (1..=100).contains(l)), "{limits:?}");
    }
});

fn collect_limits(value: &serde_json::Value, out: &mut Vec<u64>) {
    match value {
        serde_json::Value::Object(map) => {
            for (k, v) in map {
                if k == "limit" {
                    out.extend(v.as_u64());
                } else {
                    collect_limits(v, out);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter().for_each(|v| collect_limits(v, out)),
        _ => {}
    }
}
