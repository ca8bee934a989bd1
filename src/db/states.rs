//! The states a refresh moves through and the outcomes a run ends with, as the database
//! stores them (text) and the code compares them (enums). A stored value this build does not
//! know reads as the nearest safe one, never as an error.

use std::fmt;

/// Where a user's refresh stands (docs/http.md `GET /refresh/status`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshState {
    #[default]
    Idle,
    Queued,
    Running,
    Failed,
}

/// Whose run a refresh status shows: the user's own refresh, or a group's AI call he asked
/// for (Watch together).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunFor {
    #[default]
    Own,
    Group,
}

impl RunFor {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Own => "own",
            Self::Group => "group",
        }
    }
}

impl From<String> for RunFor {
    fn from(stored: String) -> Self {
        match stored.as_str() {
            "group" => Self::Group,
            _ => Self::Own,
        }
    }
}

impl RefreshState {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Idle => "idle",
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Failed => "failed",
        }
    }

    /// Queued or running: the progress box keeps polling.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Queued | Self::Running)
    }
}

impl From<String> for RefreshState {
    fn from(stored: String) -> Self {
        match stored.as_str() {
            "queued" => Self::Queued,
            "running" => Self::Running,
            "failed" => Self::Failed,
            _ => Self::Idle,
        }
    }
}

/// How a run ended, in its run record and in the user's status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RunOutcome {
    /// Rows from the AI, verified.
    Ok,
    /// Rows from TMDb alone: no AI is set up, or it failed.
    OkWithoutAi,
    /// Nothing to go on yet: the user has watched nothing.
    NoHistory,
    #[default]
    Failed,
}

impl RunOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::OkWithoutAi => "ok_without_ai",
            Self::NoHistory => "no_history",
            Self::Failed => "failed",
        }
    }

    pub fn succeeded(self) -> bool {
        self != Self::Failed
    }
}

impl From<String> for RunOutcome {
    fn from(stored: String) -> Self {
        match stored.as_str() {
            "ok" => Self::Ok,
            "ok_without_ai" => Self::OkWithoutAi,
            "no_history" => Self::NoHistory,
            _ => Self::Failed,
        }
    }
}

impl From<RunOutcome> for String {
    fn from(outcome: RunOutcome) -> Self {
        outcome.as_str().to_owned()
    }
}

impl From<RefreshState> for String {
    fn from(state: RefreshState) -> Self {
        state.as_str().to_owned()
    }
}

impl fmt::Display for RefreshState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for RunOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_value_reads_back_as_itself_and_unknown_text_reads_safely() {
        for state in [
            RefreshState::Idle,
            RefreshState::Queued,
            RefreshState::Running,
            RefreshState::Failed,
        ] {
            assert_eq!(RefreshState::from(String::from(state)), state);
        }
        for outcome in [
            RunOutcome::Ok,
            RunOutcome::OkWithoutAi,
            RunOutcome::NoHistory,
            RunOutcome::Failed,
        ] {
            assert_eq!(RunOutcome::from(String::from(outcome)), outcome);
        }
        assert_eq!(RefreshState::from("paused".to_owned()), RefreshState::Idle);
        assert_eq!(RunOutcome::from("".to_owned()), RunOutcome::Failed);
    }
}
