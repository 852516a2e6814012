//! Formats in and out of Sankore. Readers validate everything and report
//! errors by file position; they never write anything themselves.

pub mod archive;
pub mod cfb;
pub mod refi;
pub mod submissions;
pub mod tabular;
pub mod transcript;
pub mod xlsform;
