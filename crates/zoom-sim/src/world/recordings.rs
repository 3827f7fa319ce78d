//! Cloud recordings: one recorded instance with its files (docs/zoom.md §4.5).

use chrono::{DateTime, Utc};

/// Where a recording is: listed, in the trash, or gone for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordingStatus {
    Active,
    Trashed,
    Deleted,
}

/// One file of a recording (video, audio, transcript, chat).
#[derive(Debug, Clone)]
pub(crate) struct RecordingFile {
    pub id: String,
    pub file_type: &'static str,
    pub file_extension: &'static str,
    pub recording_type: &'static str,
    pub file_size: i64,
    pub start: DateTime<Utc>,
    pub end: DateTime<Utc>,
}

/// One recorded instance (docs/zoom.md §4.5).
#[derive(Debug, Clone)]
pub(crate) struct Recording {
    pub meeting_uuid: String,
    pub meeting_id: i64,
    pub host_id: String,
    pub account_id: String,
    pub topic: String,
    pub kind: i64,
    pub start_time: DateTime<Utc>,
    pub duration: i64,
    pub timezone: String,
    pub password: String,
    pub play_passcode: String,
    pub share_token: String,
    pub download_token: String,
    pub files: Vec<RecordingFile>,
    pub status: RecordingStatus,
    pub deleted_time: Option<DateTime<Utc>>,
}

impl Recording {
    /// The bytes of all its files.
    pub(crate) fn total_size(&self) -> i64 {
        self.files.iter().map(|f| f.file_size).sum()
    }
}
