//! A fake AI server speaking OpenAI's chat API under `/v1` and Ollama's native API under
//! `/api` (docs/upstreams.md, AI), streamed when asked (server-sent events, NDJSON) at the
//! pace of a slow local model if told to, with switches for what real models refuse.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use actix_web::{HttpRequest, HttpResponse, web};
use futures_util::StreamExt;
use serde_json::{Value, json};

use super::sync::lock;
use super::{FakeServer, Fault, Flavor};

struct State {
    api_key: Option<String>,
    models: Vec<String>,
    reject_json_schema: bool,
    reject_temperature: bool,
    replies: VecDeque<String>,
    default_reply: String,
    /// Answer from the prompt's own candidates (the demo's AI stand-in).
    from_prompt: bool,
    requests: Vec<Value>,
    /// A streamed answer takes this long in all, written steadily (a CPU-bound local model).
    stream_over: Duration,
    /// After this many pieces the model stops writing, and the connection stays open.
    silent_after: Option<usize>,
    /// A reasoning model: it thinks this long before its first word, in this field.
    thinking: Option<(Duration, Thinking)>,
    /// How the next streamed answers end (docs/upstreams.md, "Real OpenAI-compatible servers").
    ending: Ending,
    /// Refuse `json_schema` as llama-cpp-python does: HTTP 500, not 400.
    json_schema_500: bool,
    /// Send the usage chunk as LiteLLM does, with `choices: [{"index":0,"delta":{}}]`.
    litellm_usage: bool,
    /// Ollama: the context a model runs at without `options.num_ctx` (4,096 since 0.6.7).
    default_context: u64,
    /// Ollama: the model's own longest context (`/api/show`).
    context_length: u64,
}

/// Where a reasoning model streams its thinking (docs/upstreams.md, "Local models").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Thinking {
    /// Ollama's native API: `message.thinking`; none with `think: false`.
    OllamaNative,
    /// Ollama's `/v1`: `delta.reasoning`; none with `reasoning_effort: "none"`.
    Reasoning,
    /// llama.cpp's server, vLLM, DeepSeek: `delta.reasoning_content`, always.
    ReasoningContent,
}

/// How a streamed answer ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ending {
    /// Finished: `finish_reason: "stop"` and `[DONE]`; `done: true` on Ollama.
    Finished,
    /// Out of room after this many pieces: `finish_reason` / `done_reason` `"length"`.
    LengthAfter(usize),
    /// The server or proxy dies after this many pieces: the connection closes with no
    /// `[DONE]`, no `finish_reason`, no `done: true`.
    CutAfter(usize),
    /// After this many pieces, an error event inside the stream (LiteLLM's shape), then the
    /// connection closes without `[DONE]`.
    ErrorAfter(usize, String),
}

/// A running fake AI. OpenAI-style clients use `{url}/v1`; Ollama clients use `{url}`.
pub struct FakeAi {
    pub url: String,
    state: Arc<Mutex<State>>,
    server: FakeServer,
}

impl FakeAi {
    /// `api_key: None` accepts any key (as Ollama does). `flavor` picks the error shapes.
    pub fn start(flavor: Flavor, api_key: Option<&str>, models: &[&str]) -> std::io::Result<Self> {
        let state = Arc::new(Mutex::new(State {
            api_key: api_key.map(str::to_owned),
            models: models.iter().map(|m| (*m).to_owned()).collect(),
            reject_json_schema: false,
            reject_temperature: false,
            replies: VecDeque::new(),
            default_reply: r#"{"ok": true}"#.to_owned(),
            from_prompt: false,
            requests: Vec::new(),
            stream_over: Duration::ZERO,
            silent_after: None,
            thinking: None,
            ending: Ending::Finished,
            json_schema_500: false,
            litellm_usage: false,
            default_context: 4_096,
            context_length: 131_072,
        }));
        let shared = web::Data::from(state.clone());
        let server = FakeServer::start(flavor, move |cfg| {
            cfg.app_data(shared.clone())
                .route("/v1/chat/completions", web::post().to(openai_chat))
                .route("/v1/models", web::get().to(openai_models))
                .route("/api/chat", web::post().to(ollama_chat))
                .route("/api/tags", web::get().to(ollama_tags))
                .route("/api/show", web::post().to(ollama_show))
                .route(
                    "/api/version",
                    web::get()
                        .to(|| async { HttpResponse::Ok().json(json!({"version": "0.5.1"})) }),
                );
        })?;
        Ok(Self {
            url: server.url.clone(),
            state,
            server,
        })
    }

    /// The base URL an OpenAI-style client should use.
    pub fn openai_base(&self) -> String {
        format!("{}/v1", self.url)
    }

    /// Answer the next chat with `content` (queued; then the default reply).
    pub fn push_reply(&self, content: &str) {
        lock(&self.state).replies.push_back(content.to_owned());
    }

    /// Answer every chat not given its own reply by picking rows from the prompt's candidates,
    /// in the contract's format, as a model grounded in them would.
    pub fn answer_from_prompt(&self) {
        lock(&self.state).from_prompt = true;
    }

    /// Answer every chat not given its own reply with `content`.
    pub fn set_default_reply(&self, content: &str) {
        lock(&self.state).default_reply = content.to_owned();
    }

    /// Behave like a model without structured outputs: 400 for `json_schema`.
    pub fn reject_json_schema(&self, reject: bool) {
        lock(&self.state).reject_json_schema = reject;
    }

    /// Behave like GPT-5 / o-series: 400 for any `temperature`.
    pub fn reject_temperature(&self, reject: bool) {
        lock(&self.state).reject_temperature = reject;
    }

    /// Write each streamed answer steadily over `total`, as a slow local model does.
    pub fn stream_over(&self, total: Duration) {
        lock(&self.state).stream_over = total;
    }

    /// Stop writing after `pieces` pieces of a streamed answer and keep the connection open.
    pub fn go_silent_after(&self, pieces: usize) {
        lock(&self.state).silent_after = Some(pieces);
    }

    /// Think for `time` before answering, streaming the thoughts in `field` (with `: ping`
    /// keep-alive lines between them on OpenAI-style streams).
    pub fn think_for(&self, time: Duration, field: Thinking) {
        lock(&self.state).thinking = Some((time, field));
    }

    /// How the next streamed answers end.
    pub fn end_with(&self, ending: Ending) {
        lock(&self.state).ending = ending;
    }

    /// Refuse `json_schema` with llama-cpp-python's HTTP 500.
    pub fn reject_json_schema_with_500(&self, reject: bool) {
        lock(&self.state).json_schema_500 = reject;
    }

    /// Send the usage chunk in LiteLLM's shape.
    pub fn usage_like_litellm(&self) {
        lock(&self.state).litellm_usage = true;
    }

    /// Ollama: the context a model runs at when the request sets no `num_ctx`.
    pub fn set_default_context(&self, tokens: u64) {
        lock(&self.state).default_context = tokens;
    }

    /// Ollama: the model's own longest context, as `/api/show` reports it.
    pub fn set_context_length(&self, tokens: u64) {
        lock(&self.state).context_length = tokens;
    }

    /// Every chat request body received, in order.
    pub fn requests(&self) -> Vec<Value> {
        lock(&self.state).requests.clone()
    }

    pub fn set_fault(&self, fault: Fault) {
        self.server.set_fault(fault);
    }

    pub async fn stop(&self) {
        self.server.stop().await;
    }
}

fn openai_error(
    status: u16,
    message: &str,
    kind: &str,
    param: Option<&str>,
    code: Option<&str>,
) -> HttpResponse {
    let status = actix_web::http::StatusCode::from_u16(status)
        .unwrap_or(actix_web::http::StatusCode::BAD_REQUEST);
    HttpResponse::build(status)
        .json(json!({"error": {"message": message, "type": kind, "param": param, "code": code}}))
}

fn authorized(req: &HttpRequest, state: &State) -> bool {
    let Some(key) = &state.api_key else {
        return true;
    };
    req.headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .is_some_and(|given| given == key)
}

fn next_reply(state: &mut State, body: &Value) -> String {
    if let Some(reply) = state.replies.pop_front() {
        return reply;
    }
    let user = body["messages"]
        .as_array()
        .and_then(|m| m.last())
        .and_then(|m| m["content"].as_str())
        .unwrap_or("");
    if state.from_prompt && user.contains("Candidates") {
        return answer_from(user);
    }
    state.default_reply.clone()
}

/// A group's prompt (Watch together) has one history per person ("What Alice watched (best
/// first):"): each person's titles, by name.
fn people_of(prompt: &str) -> Vec<(&str, Vec<&str>)> {
    let mut people: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in prompt.lines() {
        if let Some(name) = line
            .strip_prefix("What ")
            .and_then(|l| l.strip_suffix(" watched (best first):"))
            .filter(|name| *name != "I")
        {
            people.push((name, Vec::new()));
        } else if let (Some(title), Some((_, titles))) =
            (line.strip_prefix("- "), people.last_mut())
        {
            titles.extend(title.split(" (").next());
        }
    }
    people
}

/// As a model told to answers a group: "Alice: Arrival; Bob: Heat".
fn group_because(people: &[(&str, Vec<&str>)], i: usize) -> Option<String> {
    (people.len() > 1).then(|| {
        people
            .iter()
            .filter_map(|(name, titles)| {
                Some(format!("{name}: {}", titles.get(i % titles.len().max(1))?))
            })
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// Rows of four from the candidate lines (`[movie 603] The Matrix (1999)`), each item
/// following a title from the history lines (`- Arrival (2016) movie, watched`).
fn answer_from(prompt: &str) -> String {
    let history: Vec<&str> = prompt
        .lines()
        .filter_map(|l| l.strip_prefix("- "))
        .filter_map(|l| l.split(" (").next())
        .collect();
    let people = people_of(prompt);
    let mut by_kind: Vec<(&str, Vec<Value>)> = vec![("movie", Vec::new()), ("tv", Vec::new())];
    for (i, line) in prompt.lines().filter(|l| l.starts_with('[')).enumerate() {
        let Some((head, rest)) = line[1..].split_once("] ") else {
            continue;
        };
        let Some((kind, id)) = head.split_once(' ') else {
            continue;
        };
        let (title, year) = match rest.rsplit_once(" (") {
            Some((title, year)) => (title, year.trim_end_matches(')').parse::<i64>().ok()),
            None => (rest, None),
        };
        let because = group_because(&people, i).unwrap_or_else(|| {
            history
                .get(i % history.len().max(1))
                .copied()
                .unwrap_or("")
                .to_owned()
        });
        if let Some((_, items)) = by_kind.iter_mut().find(|(k, _)| *k == kind) {
            items.push(json!({"title": title, "year": year, "tmdb_id": id.parse::<i64>().ok(), "because": because}));
        }
    }
    // Like a model naming titles beyond the candidates: the catalogue's others of each kind,
    // and its documentaries, never one named in the prompt.
    for (kind, items) in by_kind.iter_mut() {
        let others = super::catalog::TITLES.iter().filter(|t| {
            t.kind.as_str() == *kind
                && !t.genres.iter().any(|(g, _)| *g == 99)
                && !prompt.contains(t.title)
        });
        for (i, t) in others.take(8).enumerate() {
            let because = history.get(i % history.len().max(1)).copied().unwrap_or("");
            items.push(json!({"title": t.title, "year": t.year(), "because": because}));
        }
    }
    let documentaries: Vec<Value> = super::catalog::TITLES
        .iter()
        .filter(|t| t.genres.iter().any(|(g, _)| *g == 99) && !prompt.contains(t.title))
        .map(|t| json!({"title": t.title, "year": t.year(), "kind": t.kind.as_str(), "because": history.first().copied().unwrap_or("")}))
        .collect();
    let names = [
        "Picked from what you watched",
        "More in the same vein",
        "If you liked those",
        "You might also like",
    ];
    let categories: Vec<Value> = by_kind
        .into_iter()
        .flat_map(|(kind, items)| {
            let reason = format!("Close to the {} you watched most", if kind == "tv" { "shows" } else { "films" });
            items
                .chunks(4)
                .zip(names)
                .map(|(chunk, name)| json!({"title": name, "reason": reason, "kind": kind, "items": chunk}))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut categories = categories;
    if !documentaries.is_empty() {
        categories.push(json!({"title": "Real stories", "reason": "Documentaries worth a look", "kind": "movie", "items": documentaries}));
    }
    json!({"categories": categories}).to_string()
}

async fn openai_chat(
    req: HttpRequest,
    body: web::Json<Value>,
    state: web::Data<Mutex<State>>,
) -> HttpResponse {
    let mut state = lock(&state);
    if !authorized(&req, &state) {
        return openai_error(
            401,
            "Incorrect API key provided: sk-…abcd. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            None,
            Some("invalid_api_key"),
        );
    }
    state.requests.push(body.0.clone());
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    if !state.models.contains(&model) {
        return openai_error(
            404,
            &format!("The model `{model}` does not exist or you do not have access to it."),
            "invalid_request_error",
            None,
            Some("model_not_found"),
        );
    }
    if state.reject_temperature && body.get("temperature").is_some() {
        return openai_error(
            400,
            "Unsupported value: 'temperature' does not support 0.7 with this model. Only the default (1) value is supported.",
            "invalid_request_error",
            Some("temperature"),
            Some("unsupported_value"),
        );
    }
    if state.json_schema_500 && body["response_format"]["type"] == "json_schema" {
        // llama-cpp-python 0.3.36, byte for byte (docs/upstreams.md).
        return HttpResponse::InternalServerError().json(json!({"error": {"message":
            "1 validation error:\n  {'type': 'literal_error', 'loc': ('body', 'response_format', 'type'), 'msg': \"Input should be 'text' or 'json_object'\", 'input': 'json_schema', 'ctx': {'expected': \"'text' or 'json_object'\"}}\n\n  File \"site-packages/llama_cpp/server/app.py\", line 376, in create_chat_completion\n    POST /v1/chat/completions",
            "type": "internal_server_error", "param": null, "code": null}}));
    }
    if state.reject_json_schema && body["response_format"]["type"] == "json_schema" {
        return openai_error(
            400,
            "Invalid parameter: 'response_format' of type 'json_schema' is not supported with this model.",
            "invalid_request_error",
            Some("response_format"),
            None,
        );
    }
    let content = next_reply(&mut state, &body);
    if body["stream"] == true {
        let usage = body["stream_options"]["include_usage"] == true;
        let pace = Pace::of(&state, &content);
        let mut pieces = pieces(&content);
        // A server capped by `max_tokens` stops there, with `finish_reason: "length"`.
        let mut ending = state.ending.clone();
        if let Some(max) = body["max_tokens"].as_u64()
            && tokens(&content) > max
        {
            ending = Ending::LengthAfter(pieces_within(&pieces, max));
        }
        let finish = ending_cut(&ending, &mut pieces);
        let thinking = match state.thinking {
            Some((time, Thinking::Reasoning)) if body["reasoning_effort"] != "none" => {
                Some((time, "reasoning"))
            }
            Some((time, Thinking::ReasoningContent)) => Some((time, "reasoning_content")),
            _ => None,
        };
        let chunk = |delta: Value, finish: Value| {
            json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_741_569_952,
                "model": model, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        };
        let tail = match &finish {
            Some(Finish::Reason(reason)) => {
                let mut tail = format!("data: {}\n\n", chunk(json!({}), json!(reason)));
                if usage {
                    let usage =
                        json!({"prompt_tokens": 52, "completion_tokens": 31, "total_tokens": 83});
                    let choices = if state.litellm_usage {
                        json!([{"index": 0, "delta": {}}])
                    } else {
                        json!([])
                    };
                    tail.push_str(&format!(
                        "data: {}\n\n",
                        json!({"id": "chatcmpl-fake", "choices": choices, "usage": usage})
                    ));
                }
                tail.push_str("data: [DONE]\n\n");
                tail
            }
            Some(Finish::Error(message)) => format!(
                "data: {}\n\n",
                json!({"error": {"message": message, "type": null, "param": null, "code": "500"}})
            ),
            None => String::new(),
        };
        let thoughts = thinking.map(|(time, field)| {
            let ping = ": ping - 2026-12-06 01:00:00.000000+00:00\n\n";
            (
                time,
                move |piece: &str| {
                    format!(
                        "{ping}data: {}\n\n",
                        json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": "m",
                            "choices": [{"index": 0, "delta": {"content": null, field: piece}, "finish_reason": null}]})
                    )
                },
            )
        });
        let model_name = model.clone();
        return stream(
            "text/event-stream",
            pieces,
            pace,
            move |piece| {
                let chunk = json!({"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_741_569_952,
                    "model": model_name, "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
                format!("data: {chunk}\n\n")
            },
            tail,
            thoughts,
        );
    }
    HttpResponse::Ok().json(json!({
        "id": "chatcmpl-fake", "object": "chat.completion", "created": 1_741_569_952, "model": model,
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
            "message": {"role": "assistant", "refusal": null, "annotations": [], "content": content}}],
        "usage": {"prompt_tokens": 52, "completion_tokens": 31, "total_tokens": 83},
        "system_fingerprint": "fp_fake"
    }))
}

async fn openai_models(req: HttpRequest, state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    if !authorized(&req, &state) {
        return openai_error(
            401,
            "Incorrect API key provided.",
            "invalid_request_error",
            None,
            Some("invalid_api_key"),
        );
    }
    HttpResponse::Ok().json(json!({"object": "list", "data": state.models.iter()
        .map(|m| json!({"id": m, "object": "model", "created": 1_721_172_741, "owned_by": "system"})).collect::<Vec<_>>()}))
}

async fn ollama_chat(body: web::Json<Value>, state: web::Data<Mutex<State>>) -> HttpResponse {
    let mut state = lock(&state);
    state.requests.push(body.0.clone());
    let model = body["model"].as_str().unwrap_or_default().to_owned();
    if !state.models.contains(&model) {
        return HttpResponse::NotFound()
            .json(json!({"error": format!("model '{model}' not found")}));
    }
    if state.reject_json_schema && body["format"].is_object() {
        return HttpResponse::BadRequest()
            .json(json!({"error": "invalid format: expected \"json\" or a valid JSON schema"}));
    }
    let mut content = next_reply(&mut state, &body);
    // Ollama runs the model at `options.num_ctx`, or its default; when the prompt and the
    // answer outgrow it, the start of the prompt is shifted out: the instructions and the
    // history are gone, and what the model writes is of no use.
    let context = body["options"]["num_ctx"]
        .as_u64()
        .unwrap_or(state.default_context)
        .min(state.context_length);
    let prompt_tokens = body["messages"].as_array().map_or(0, |messages| {
        messages
            .iter()
            .map(|m| tokens(m["content"].as_str().unwrap_or("")))
            .sum::<u64>()
    });
    if prompt_tokens + tokens(&content) > context {
        content = if body["format"].is_null() {
            "Here are some titles you might enjoy, based on what you shared.".to_owned()
        } else {
            r#"{"categories": []}"#.to_owned()
        };
    }
    // Ollama streams unless told `stream: false`.
    if body["stream"] != false {
        let pace = Pace::of(&state, &content);
        let mut pieces = pieces(&content);
        let mut ending = state.ending.clone();
        if let Some(max) = body["options"]["num_predict"].as_u64()
            && tokens(&content) > max
        {
            ending = Ending::LengthAfter(pieces_within(&pieces, max));
        }
        let finish = ending_cut(&ending, &mut pieces);
        let name = model.clone();
        let tail = match finish {
            Some(Finish::Reason(reason)) => format!(
                "{}\n",
                json!({"model": model, "created_at": "2026-11-24T00:47:00.265747Z",
                "message": {"role": "assistant", "content": ""}, "done": true, "done_reason": reason,
                "total_duration": 2_254_970_291_u64, "load_duration": 574_751_416, "prompt_eval_count": 34,
                "prompt_eval_duration": 1_502_000_000, "eval_count": 12, "eval_duration": 175_000_000})
            ),
            Some(Finish::Error(message)) => format!("{}\n", json!({"error": message})),
            None => String::new(),
        };
        let thoughts = match state.thinking {
            Some((time, Thinking::OllamaNative)) if body["think"] != false => {
                let name = model.clone();
                Some((time, move |piece: &str| {
                    format!(
                        "{}\n",
                        json!({"model": name, "created_at": "2026-11-24T00:46:58.265747Z",
                        "message": {"role": "assistant", "content": "", "thinking": piece}, "done": false})
                    )
                }))
            }
            _ => None,
        };
        return stream(
            "application/x-ndjson",
            pieces,
            pace,
            move |piece| {
                format!(
                    "{}\n",
                    json!({"model": name, "created_at": "2026-11-24T00:46:58.265747Z",
                    "message": {"role": "assistant", "content": piece}, "done": false})
                )
            },
            tail,
            thoughts,
        );
    }
    HttpResponse::Ok().json(json!({
        "model": model, "created_at": "2026-11-24T00:46:58.265747Z",
        "message": {"role": "assistant", "content": content}, "done_reason": "stop", "done": true,
        "total_duration": 2_254_970_291_u64, "load_duration": 574_751_416, "prompt_eval_count": 34,
        "prompt_eval_duration": 1_502_000_000, "eval_count": 12, "eval_duration": 175_000_000
    }))
}

/// `POST /api/show`: the model's details; its longest context is `model_info`'s
/// `<family>.context_length`.
async fn ollama_show(body: web::Json<Value>, state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    let model = body["model"].as_str().unwrap_or_default();
    if !state.models.iter().any(|m| m == model) {
        return HttpResponse::NotFound()
            .json(json!({"error": format!("model '{model}' not found")}));
    }
    HttpResponse::Ok().json(json!({
        "modelfile": "# fake", "parameters": "stop \"<|eot_id|>\"", "template": "{{ .Prompt }}",
        "details": {"format": "gguf", "family": "llama", "parameter_size": "8.0B", "quantization_level": "Q4_K_M"},
        "model_info": {"general.architecture": "llama", "general.parameter_count": 8_030_261_248_u64,
            "llama.context_length": state.context_length, "llama.embedding_length": 4096},
        "capabilities": ["completion", "thinking"],
        "modified_at": "2026-11-01T00:00:00Z"}))
}

async fn ollama_tags(state: web::Data<Mutex<State>>) -> HttpResponse {
    let state = lock(&state);
    HttpResponse::Ok().json(json!({"models": state.models.iter().map(|m| json!({"name": m, "model": m,
        "modified_at": "2026-11-01T00:00:00Z", "size": 2_019_393_189_u64, "digest": "abc",
        "details": {"format": "gguf", "family": "llama", "parameter_size": "3.2B", "quantization_level": "Q4_K_M"}}))
        .collect::<Vec<_>>()}))
}

/// How a streamed answer is written: the wait between pieces, and where it stops for good.
#[derive(Clone, Copy)]
struct Pace {
    between: Duration,
    silent_after: Option<usize>,
}

impl Pace {
    fn of(state: &State, content: &str) -> Self {
        let count = pieces(content).len().max(1) as u32;
        Self {
            between: state.stream_over / count,
            silent_after: state.silent_after,
        }
    }
}

/// How a fake stream's last message goes.
enum Finish {
    /// A last message with this finish (or done) reason.
    Reason(&'static str),
    /// An error event inside the stream.
    Error(String),
}

/// Cuts `pieces` where `ending` says and tells how the stream then ends; `None`: it just
/// closes.
fn ending_cut(ending: &Ending, pieces: &mut Vec<String>) -> Option<Finish> {
    match ending {
        Ending::Finished => Some(Finish::Reason("stop")),
        Ending::LengthAfter(n) => {
            pieces.truncate(*n);
            Some(Finish::Reason("length"))
        }
        Ending::CutAfter(n) => {
            pieces.truncate(*n);
            None
        }
        Ending::ErrorAfter(n, message) => {
            pieces.truncate(*n);
            Some(Finish::Error(message.clone()))
        }
    }
}

/// About a token per four characters, as real tokenizers count English.
fn tokens(text: &str) -> u64 {
    (text.chars().count() as u64).div_ceil(4)
}

/// How many pieces fit within `max` tokens.
fn pieces_within(pieces: &[String], max: u64) -> usize {
    let mut used = 0;
    pieces
        .iter()
        .take_while(|p| {
            used += tokens(p);
            used <= max
        })
        .count()
}

/// The answer cut into pieces of a few characters, as a model's tokens arrive.
fn pieces(content: &str) -> Vec<String> {
    let chars: Vec<char> = content.chars().collect();
    chars.chunks(6).map(|c| c.iter().collect()).collect()
}

/// A streamed 200: first the thinking, if any (a piece every 100 ms for its time, framed by
/// its own frame), then each piece framed by `frame`, paced, then `tail`; or, once silent,
/// nothing more for an hour with the connection open.
fn stream<T: Fn(&str) -> String + 'static>(
    content_type: &'static str,
    pieces: Vec<String>,
    pace: Pace,
    frame: impl Fn(&str) -> String + 'static,
    tail: String,
    thinking: Option<(Duration, T)>,
) -> HttpResponse {
    const THOUGHT_EVERY: Duration = Duration::from_millis(100);
    let thoughts = thinking.map(|(time, frame)| {
        let count = (time.as_millis() / THOUGHT_EVERY.as_millis()).max(1) as usize;
        let frames: Vec<String> = (0..count)
            .map(|i| frame(&format!("thought {i} ")))
            .collect();
        frames
    });
    let thoughts = futures_util::stream::iter(thoughts.unwrap_or_default()).then(|f| async move {
        actix_web::rt::time::sleep(THOUGHT_EVERY).await;
        Ok::<_, actix_web::Error>(actix_web::web::Bytes::from(f))
    });
    let frames = futures_util::stream::unfold(
        (pieces.into_iter().enumerate(), Some(tail)),
        move |(mut rest, tail)| {
            let next = rest.next();
            let frame_of = next.as_ref().map(|(_, piece)| frame(piece));
            async move {
                match next {
                    Some((index, _)) => {
                        if pace.silent_after.is_some_and(|n| index >= n) {
                            actix_web::rt::time::sleep(Duration::from_secs(3600)).await;
                        }
                        if !pace.between.is_zero() {
                            actix_web::rt::time::sleep(pace.between).await;
                        }
                        let bytes = actix_web::web::Bytes::from(frame_of.unwrap_or_default());
                        Some((Ok::<_, actix_web::Error>(bytes), (rest, tail)))
                    }
                    None => tail.map(|t| (Ok(actix_web::web::Bytes::from(t)), (rest, None))),
                }
            }
        },
    );
    HttpResponse::Ok()
        .content_type(content_type)
        .streaming(thoughts.chain(frames))
}
