//! Reading the model's answer (docs/http.md "What the AI is asked for"), whatever shape it
//! arrives in: code fences, prose around the JSON, truncation, loose types, missing fields.

use serde_json::Value;

use crate::media::Kind;

/// A row the model proposed.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub title: String,
    pub reason: String,
    pub kind: Option<Kind>,
    pub items: Vec<ProposedItem>,
}

/// A title the model proposed: nothing in it is trusted until verified.
#[derive(Debug, Clone, PartialEq)]
pub struct ProposedItem {
    pub title: String,
    pub year: Option<i32>,
    pub tmdb_id: Option<i64>,
    pub because: Option<String>,
    pub kind: Option<Kind>,
}

/// Reads the rows out of an answer, or says why it cannot be used.
pub fn parse(content: &str) -> Result<Vec<Proposal>, String> {
    let value = extract_json(content)?;
    let categories = ["categories", "rows", "recommendations"]
        .iter()
        .find_map(|k| value.get(*k))
        .and_then(Value::as_array)
        .or_else(|| value.as_array())
        .ok_or("the JSON has no \"categories\" list")?;
    let proposals: Vec<Proposal> = categories
        .iter()
        .filter_map(proposal)
        .filter(|p| !p.items.is_empty())
        .collect();
    if proposals.is_empty() {
        return Err("no category had any titles".to_owned());
    }
    Ok(proposals)
}

fn text(v: &Value, keys: &[&str]) -> Option<String> {
    keys.iter()
        .find_map(|k| v.get(*k))
        .and_then(|x| match x {
            Value::String(s) => Some(s.trim().to_owned()),
            Value::Number(n) => Some(n.to_string()),
            _ => None,
        })
        .filter(|s| !s.is_empty())
}

fn number(v: &Value, keys: &[&str]) -> Option<i64> {
    keys.iter().find_map(|k| v.get(*k)).and_then(|x| match x {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)),
        Value::String(s) => s.trim().get(..s.trim().len().min(10))?.parse().ok(),
        _ => None,
    })
}

fn kind(v: &Value) -> Option<Kind> {
    let raw = text(v, &["kind", "type", "media_type"])?.to_lowercase();
    match raw.as_str() {
        "movie" | "movies" | "film" | "films" => Some(Kind::Movie),
        "tv" | "show" | "shows" | "series" | "tv show" | "tv shows" | "tv series" => Some(Kind::Tv),
        _ => None,
    }
}

fn proposal(v: &Value) -> Option<Proposal> {
    let items = ["items", "titles", "recommendations"]
        .iter()
        .find_map(|k| v.get(*k))
        .and_then(Value::as_array)?;
    Some(Proposal {
        title: text(v, &["title", "name", "category"])
            .unwrap_or_else(|| "Picked for you".to_owned()),
        reason: text(v, &["reason", "why", "description"]).unwrap_or_default(),
        kind: kind(v),
        items: items.iter().filter_map(item).collect(),
    })
}

fn item(v: &Value) -> Option<ProposedItem> {
    let title = match v {
        Value::String(s) => Some(s.trim().to_owned()).filter(|s| !s.is_empty()),
        _ => text(v, &["title", "name"]),
    }?;
    Some(ProposedItem {
        title,
        year: number(v, &["year", "release_year"])
            .and_then(|y| i32::try_from(y).ok())
            .filter(|y| (1870..=2100).contains(y)),
        tmdb_id: number(v, &["tmdb_id", "tmdbId", "id"]).filter(|id| *id > 0),
        because: text(v, &["because", "because_you_watched", "reason"]),
        kind: kind(v),
    })
}

/// The JSON value in `content` that has the answer's shape, wherever it starts: code fences,
/// a `<think>…</think>` block, a sentence before it (with the prompt's own `[movie 278]`
/// brackets in it) or prose after it are passed over, and an answer cut off mid-way is closed
/// after its last complete item. Without any value of that shape, the first JSON value found
/// is returned, for the caller to say what is missing.
fn extract_json(content: &str) -> Result<Value, String> {
    find_json(content, has_answer_shape)
}

/// The first JSON value in `content` for which `shaped` holds (see [`extract_json`]), else
/// the first JSON value, else why there is none.
pub fn find_json(content: &str, shaped: impl Fn(&Value) -> bool) -> Result<Value, String> {
    let text = without_thinking(content);
    let mut first_value = None;
    let mut first_problem = None;
    for (start, _) in text.match_indices(['{', '[']) {
        let json = &text[start..];
        let mut stream = serde_json::Deserializer::from_str(json).into_iter::<Value>();
        let candidate = match stream.next() {
            Some(Ok(value)) => Ok(value),
            Some(Err(e)) if e.is_eof() => match close_truncated(json) {
                Some(repaired) => serde_json::from_str(&repaired)
                    .map_err(|e| format!("the JSON was cut off and could not be repaired ({e})")),
                None => Err("the JSON was cut off before its first complete title".to_owned()),
            },
            Some(Err(e)) => Err(format!("the JSON is not valid ({e})")),
            None => continue,
        };
        match candidate {
            Ok(value) if shaped(&value) => return Ok(value),
            Ok(value) => {
                first_value.get_or_insert(value);
            }
            Err(problem) => {
                first_problem.get_or_insert(problem);
            }
        }
    }
    match (first_value, first_problem) {
        (Some(value), _) => Ok(value),
        (None, Some(problem)) => Err(problem),
        (None, None) => Err("the answer has no JSON in it".to_owned()),
    }
}

/// `content` without a thinking model's `<think>…</think>` blocks; an unclosed one is all
/// thinking to the end.
fn without_thinking(content: &str) -> std::borrow::Cow<'_, str> {
    if !content.contains("<think>") {
        return std::borrow::Cow::Borrowed(content);
    }
    let mut kept = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(open) = rest.find("<think>") {
        kept.push_str(&rest[..open]);
        rest = match rest[open..].find("</think>") {
            Some(close) => &rest[open + close + "</think>".len()..],
            None => "",
        };
    }
    kept.push_str(rest);
    std::borrow::Cow::Owned(kept)
}

/// A list of rows under one of the answer's names, or a bare list of rows.
fn has_answer_shape(value: &Value) -> bool {
    let is_row = |row: &Value| {
        ["items", "titles", "recommendations"]
            .iter()
            .any(|k| row.get(*k).is_some_and(Value::is_array))
    };
    match value {
        Value::Object(_) => ["categories", "rows", "recommendations"]
            .iter()
            .any(|k| value.get(*k).is_some_and(Value::is_array)),
        Value::Array(rows) => rows.first().is_some_and(is_row),
        _ => false,
    }
}

/// Cuts truncated JSON back to the end of its last complete object or array element inside an
/// array, then closes whatever is still open.
fn close_truncated(json: &str) -> Option<String> {
    let mut stack = Vec::new();
    let (mut in_string, mut escaped) = (false, false);
    let mut best: Option<(usize, Vec<char>)> = None;
    for (i, c) in json.char_indices() {
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => stack.push(c),
            '}' | ']' => {
                stack.pop();
                if stack.last() == Some(&'[') {
                    best = Some((i + 1, stack.clone()));
                }
            }
            _ => {}
        }
    }
    let (end, open) = best?;
    let mut repaired = json[..end].to_owned();
    for c in open.iter().rev() {
        repaired.push(if *c == '{' { '}' } else { ']' });
    }
    Some(repaired)
}

/// What the corrective retry tells the model.
pub fn correction(problem: &str) -> String {
    format!(
        "Your previous answer could not be used: {problem}. Answer again with only one JSON object of the form \
         {{\"categories\": [{{\"title\": \"…\", \"reason\": \"…\", \"kind\": \"movie\" or \"tv\", \"items\": \
         [{{\"title\": \"…\", \"year\": 2018, \"tmdb_id\": 123, \"because\": \"…\"}}]}}]}} and nothing else."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"{"categories": [{"title": "Slow-burn sci-fi", "reason": "You loved Arrival", "kind": "movie",
        "items": [{"title": "Annihilation", "year": 2018, "tmdb_id": 300668, "because": "Arrival"}]}]}"#;

    #[test]
    fn a_good_answer_parses() {
        let rows = parse(GOOD).unwrap();
        assert_eq!(rows[0].title, "Slow-burn sci-fi");
        assert_eq!(rows[0].kind, Some(Kind::Movie));
        assert_eq!(
            rows[0].items[0],
            ProposedItem {
                title: "Annihilation".into(),
                year: Some(2018),
                tmdb_id: Some(300668),
                because: Some("Arrival".into()),
                kind: None
            }
        );
    }

    #[test]
    fn fences_and_prose_are_ignored() {
        let wrapped =
            format!("Sure! Here are your picks:\n```json\n{GOOD}\n```\nEnjoy {{really}}.");
        assert_eq!(parse(&wrapped).unwrap(), parse(GOOD).unwrap());
    }

    #[test]
    fn a_truncated_answer_keeps_its_complete_items() {
        let cut = r#"{"categories": [{"title": "A", "kind": "tv", "items": [{"title": "Dark", "year": 2017},
            {"title": "Chernobyl", "year": 2019}, {"title": "Devs", "ye"#;
        let rows = parse(cut).unwrap();
        assert_eq!(
            rows[0]
                .items
                .iter()
                .map(|i| i.title.as_str())
                .collect::<Vec<_>>(),
            vec!["Dark", "Chernobyl"]
        );
    }

    #[test]
    fn a_think_block_or_a_sentence_before_the_json_is_passed_over() {
        let thought = format!(
            "<think>The user liked Arrival. Maybe {{\"categories\": []}}? Candidates like [movie 278] \
             fit.</think>\n{GOOD}"
        );
        assert_eq!(parse(&thought).unwrap(), parse(GOOD).unwrap());
        let said = format!(
            "From the candidates [movie 278] and [tv 1399] {{or so}}, here is my answer: {GOOD} Enjoy!"
        );
        assert_eq!(parse(&said).unwrap(), parse(GOOD).unwrap());
        let nested = format!(r#"{{"result": {GOOD}}}"#);
        assert_eq!(parse(&nested).unwrap(), parse(GOOD).unwrap());
        assert_eq!(
            parse("<think>{\"categories\": [{\"title\": \"A\", \"items\": [{\"title\": \"X\"}]}]}")
                .unwrap_err(),
            "the answer has no JSON in it",
            "an unclosed think block is all thinking"
        );
    }

    #[test]
    fn loose_types_are_read() {
        let loose = r#"{"categories": [{"name": "X", "type": "Series", "items": [
            {"title": "Dark", "year": "2017", "tmdb_id": "70523"}, "Chernobyl", {"year": 2000}]}]}"#;
        let rows = parse(loose).unwrap();
        assert_eq!(rows[0].kind, Some(Kind::Tv));
        assert_eq!(
            (rows[0].items[0].year, rows[0].items[0].tmdb_id),
            (Some(2017), Some(70523))
        );
        assert_eq!(rows[0].items[1].title, "Chernobyl");
        assert_eq!(rows[0].items.len(), 2, "an item without a title is skipped");
    }

    #[test]
    fn unusable_answers_say_why() {
        assert_eq!(
            parse("I cannot help with that.").unwrap_err(),
            "the answer has no JSON in it"
        );
        assert!(
            parse(r#"{"films": []}"#)
                .unwrap_err()
                .contains("no \"categories\"")
        );
        assert!(
            parse(r#"{"categories": [{"title": "Empty", "items": []}]}"#)
                .unwrap_err()
                .contains("no category")
        );
        assert!(parse(r#"{"categories": [{"title": "A", "items": [{"tit"#).is_err());
        assert!(
            parse("{not json at all}")
                .unwrap_err()
                .starts_with("the JSON is not valid")
        );
    }
}
