//! Options shared by the reporting commands (source, output format, time
//! window, limit) and opening the engine they name.
