//! A writer that turns a closed pipe into a quiet end of output.
//!
//! `tracetop analytics overview | head -1` closes stdout early; Rust ignores
//! SIGPIPE, so the next write fails with `BrokenPipe`. [`Sink`] swallows that
//! error and every later write, so the command finishes normally (exit 0)
//! instead of panicking as `println!` would.

use std::io::{self, BufWriter, Stdout, Write};

/// A writer whose reader may go away.
pub struct Sink<W: Write> {
    inner: W,
    closed: bool,
}

impl Sink<BufWriter<Stdout>> {
    /// Buffered stdout.
    pub fn stdout() -> Self {
        Sink::new(BufWriter::with_capacity(64 * 1024, io::stdout()))
    }
}

impl<W: Write> Sink<W> {
    /// Wrap a writer.
    pub fn new(inner: W) -> Self {
        Sink {
            inner,
            closed: false,
        }
    }

    /// Whether the reader has gone away.
    pub fn is_closed(&self) -> bool {
        self.closed
    }

    /// The wrapped writer.
    pub fn into_inner(self) -> W {
        self.inner
    }

    fn absorb<T>(&mut self, result: io::Result<T>, on_close: T) -> io::Result<T> {
        match result {
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {
                self.closed = true;
                Ok(on_close)
            }
            other => other,
        }
    }
}

impl<W: Write> Write for Sink<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.closed {
            return Ok(buf.len());
        }
        let result = self.inner.write(buf);
        self.absorb(result, buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.closed {
            return Ok(());
        }
        let result = self.inner.flush();
        self.absorb(result, ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct ClosedPipe;

    impl Write for ClosedPipe {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        }
    }

    struct Full;

    impl Write for Full {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::Error::from(io::ErrorKind::StorageFull))
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn broken_pipe_ends_quietly() {
        let mut sink = Sink::new(ClosedPipe);
        assert!(writeln!(sink, "first").is_ok());
        assert!(sink.is_closed());
        assert!(writeln!(sink, "second").is_ok());
        assert!(sink.flush().is_ok());
    }

    #[test]
    fn other_errors_still_surface() {
        let mut sink = Sink::new(Full);
        assert!(writeln!(sink, "x").is_err());
        assert!(!sink.is_closed());
    }
}
