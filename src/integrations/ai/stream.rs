//! Reading a streamed answer (OpenAI's server-sent events, Ollama's NDJSON) line by line, with
//! two clocks: the longest silence (no first token, or no new token) and the longest answer.
//! A CPU-only local model writes 5-10 tokens a second, so a full answer takes minutes: what
//! must end a call is silence, not length (docs/recommendations.md "Streaming").

use std::time::{Duration, Instant};

use futures_util::StreamExt;

use super::provider::Provider;
use crate::integrations::error::UpstreamError;

/// The two clocks of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `AI_TIMEOUT_SECONDS`: no first token, or no new token, for this long ends the call.
    pub silence: Duration,
    /// `AI_MAX_SECONDS`: the longest one answer may take in all.
    pub max: Duration,
}

impl Limits {
    /// One clock for both, for short calls (the admin's Test).
    pub fn within(d: Duration) -> Self {
        Self { silence: d, max: d }
    }
}

/// How far the answer has got, for the refresh status ("AI thinking", then "AI writing: 5 of
/// 14 rows").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Written {
    /// Complete rows (objects closed one level inside the answer's first list).
    pub rows: usize,
    /// Content pieces received (about one token each).
    pub pieces: u64,
    /// Thinking pieces received: a reasoning model's thoughts before (or between) the answer's
    /// words. They keep the call alive and are never read as the answer.
    pub thinking: u64,
}

impl Written {
    /// Thinking, and not yet writing the answer.
    pub fn is_thinking(&self) -> bool {
        self.thinking > 0 && self.pieces == 0
    }
}

/// Where progress goes while the answer streams; the receiver writes it down.
pub type ProgressTx = tokio::sync::watch::Sender<Written>;

/// Why the stream ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The provider said it was done.
    Done,
    /// The provider said it stopped because it ran out of room (`finish_reason: "length"`,
    /// `done_reason: "length"`): the answer is cut short.
    Length,
    /// The connection closed without the provider's last message (no `[DONE]` nor
    /// `finish_reason`, no `done: true`): a server or proxy died mid-answer.
    Cut,
    /// The provider reported an error inside the stream, after its 200.
    Broke,
    /// No new token for `Limits::silence`.
    Silent,
    /// `Limits::max` ran out while the model was still writing.
    Capped,
}

impl Ended {
    /// Whether the answer stopped before the model finished it.
    pub fn is_cut_short(self) -> bool {
        self != Self::Done
    }
}

/// What one streamed line meant.
pub enum Line {
    /// A piece of the answer's text.
    Content(String),
    /// A piece of the model's thinking: proof of life, never part of the answer.
    Thinking,
    /// Nothing for the answer (a role, a comment, a keep-alive, usage).
    Nothing,
    /// The provider's last message.
    Done,
    /// An error reported inside the stream (after a 200).
    Error(String),
}

/// Counts rows as the JSON text arrives: objects that close one level inside the first list
/// (`{"categories": [ {row}, {row} ]}` or a bare `[ {row} ]`). Strings are skipped, escapes
/// included, so a `}` inside a title counts for nothing.
#[derive(Debug, Default)]
pub struct RowCounter {
    depth: usize,
    list_depth: Option<usize>,
    in_string: bool,
    escaped: bool,
    pub rows: usize,
}

impl RowCounter {
    pub fn feed(&mut self, text: &str) {
        for c in text.chars() {
            if self.in_string {
                match (self.escaped, c) {
                    (true, _) => self.escaped = false,
                    (false, '\\') => self.escaped = true,
                    (false, '"') => self.in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' => self.in_string = true,
                '[' => {
                    self.depth += 1;
                    if self.list_depth.is_none() {
                        self.list_depth = Some(self.depth);
                    }
                }
                '{' => self.depth += 1,
                '}' | ']' => {
                    if c == '}' && self.list_depth == Some(self.depth.saturating_sub(1)) {
                        self.rows += 1;
                    }
                    self.depth = self.depth.saturating_sub(1);
                }
                _ => {}
            }
        }
    }
}

/// What came of reading a stream: the text, how it ended, and the last progress.
pub struct Streamed {
    pub content: String,
    pub ended: Ended,
    pub written: Written,
    /// The error the provider reported inside the stream ([`Ended::Broke`]), scrubbed.
    pub error: Option<String>,
    /// How long the model thought before the answer's first word, when it thought.
    pub thinking: Option<Duration>,
}

/// Reads `response` line by line through `parse`, until the provider is done, the connection
/// closes, or a clock runs out. `started` is when the request was sent.
pub async fn read<S>(
    provider: &Provider,
    mut response: awc::ClientResponse<S>,
    limits: Limits,
    started: Instant,
    progress: Option<&ProgressTx>,
    mut parse: impl FnMut(&str) -> Line,
) -> Result<Streamed, UpstreamError>
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let mut pending: Vec<u8> = Vec::new();
    let mut content = String::new();
    let mut rows = RowCounter::default();
    let mut written = Written::default();
    let mut last_token = started;
    let mut error = None;
    let mut thought_for = None;
    let tell = |written: Written| {
        if let Some(tx) = progress {
            tx.send_replace(written);
        }
    };
    let ended = 'read: loop {
        let silence_left = limits.silence.saturating_sub(last_token.elapsed());
        let max_left = limits.max.saturating_sub(started.elapsed());
        if max_left.is_zero() {
            break Ended::Capped;
        }
        let chunk =
            match actix_web::rt::time::timeout(silence_left.min(max_left), response.next()).await {
                Err(_) if max_left <= silence_left => break Ended::Capped,
                Err(_) => break Ended::Silent,
                Ok(None) => break Ended::Cut,
                // The server or a proxy died mid-answer: a cut, whose complete rows count.
                Ok(Some(Err(e))) => {
                    error = Some(format!("the connection broke ({e})"));
                    break Ended::Cut;
                }
                Ok(Some(Ok(bytes))) => bytes,
            };
        pending.extend_from_slice(&chunk);
        while let Some(end) = pending.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = pending.drain(..=end).collect();
            let line = String::from_utf8_lossy(&line);
            match parse(line.trim()) {
                Line::Content(piece) if !piece.is_empty() => {
                    last_token = Instant::now();
                    if written.is_thinking() {
                        thought_for = Some(started.elapsed());
                    }
                    rows.feed(&piece);
                    content.push_str(&piece);
                    written.pieces += 1;
                    if rows.rows != written.rows || written.pieces == 1 {
                        written.rows = rows.rows;
                        tell(written);
                    }
                }
                Line::Thinking => {
                    last_token = Instant::now();
                    written.thinking += 1;
                    if written.thinking == 1 {
                        tell(written);
                    }
                }
                Line::Content(_) | Line::Nothing => {}
                Line::Done => break 'read Ended::Done,
                Line::Error(message) => {
                    let secrets = [provider.api_key.expose()];
                    error = Some(crate::integrations::error::scrub(&message, &secrets));
                    break 'read Ended::Broke;
                }
            }
        }
    };
    // A last line without its newline still counts.
    let mut ended = ended;
    if ended == Ended::Cut && !pending.is_empty() {
        let line = String::from_utf8_lossy(&pending).into_owned();
        match parse(line.trim()) {
            Line::Content(piece) => {
                rows.feed(&piece);
                content.push_str(&piece);
                written.pieces += 1;
            }
            Line::Done => ended = Ended::Done,
            _ => {}
        }
    }
    if written.is_thinking() {
        thought_for = Some(started.elapsed());
    }
    written.rows = rows.rows;
    Ok(Streamed {
        content,
        ended,
        written,
        error,
        thinking: thought_for,
    })
}

#[cfg(test)]
mod tests {
    use super::RowCounter;

    #[test]
    fn rows_are_counted_as_they_close_whatever_the_strings_hold() {
        let mut counter = RowCounter::default();
        counter.feed(r#"{"categories": [{"title": "A } [ {", "items": [{"title": "x"}]}"#);
        assert_eq!(counter.rows, 1);
        counter.feed(r#", {"title": "B \" }", "items": []}"#);
        assert_eq!(counter.rows, 2);
        counter.feed(r#", {"title": "C", "items": [{"ti"#);
        assert_eq!(counter.rows, 2, "an open row is not complete");
        let mut bare = RowCounter::default();
        bare.feed(r#"[{"title": "A", "items": []}, {"title": "B", "items": []}]"#);
        assert_eq!(bare.rows, 2);
    }
}
