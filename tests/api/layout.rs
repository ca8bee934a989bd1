//! The shape of `src/` that docs/architecture.md promises: no import circles among its modules,
//! no handler importing from another handler, no process-global mutable state. A small reader of
//! `crate::`/`super::` paths stands in for cargo-modules: it needs no extra tool and runs in
//! milliseconds.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every module of `src/` (as `a::b`, the root as ``) with its source, test modules cut off.
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("src/ entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&src, &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&src).ok()?.with_extension("");
            let mut parts: Vec<String> = relative
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            if parts.last().is_some_and(|p| p == "mod" || p == "lib") {
                parts.pop();
            }
            if parts.first().is_some_and(|p| p == "main" || p == "bin") {
                return None; // the binary is a client of the library, not one of its modules
            }
            let text = std::fs::read_to_string(&path).ok()?;
            // A file's own unit tests may reach anywhere; they are not part of its layering.
            let text = match text.find("#[cfg(test)]\nmod tests") {
                Some(at) => text[..at].to_string(),
                None => text,
            };
            Some((parts.join("::"), text))
        })
        .collect()
}

/// Code without comments and string literals, so a path in a doc comment is not an import.
fn code_only(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = line.split("//").next().unwrap_or("");
            let mut kept = String::new();
            let mut in_string = false;
            let mut previous = ' ';
            for c in line.chars() {
                if c == '"' && previous != '\\' {
                    in_string = !in_string;
                } else if !in_string {
                    kept.push(c);
                }
                previous = c;
            }
            kept
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Expands `crate::a::{b, c::{d}}` into `a::b`, `a::c::d`.
fn expand(prefix: &str, rest: &str, out: &mut Vec<String>) {
    let rest = rest.trim();
    if let Some(open) = rest.find('{') {
        let head = rest[..open].trim_end_matches("::").trim();
        let inner = &rest[open + 1..rest.rfind('}').unwrap_or(rest.len())];
        let base = [prefix, head]
            .iter()
            .filter(|s| !s.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join("::");
        let mut depth = 0;
        let mut start = 0;
        for (i, c) in inner.char_indices() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                ',' if depth == 0 => {
                    expand(&base, &inner[start..i], out);
                    start = i + 1;
                }
                _ => {}
            }
        }
        expand(&base, &inner[start..], out);
    } else if !rest.is_empty() {
        let path = rest.split(" as ").next().unwrap_or(rest).trim();
        out.push(if prefix.is_empty() {
            path.to_string()
        } else {
            format!("{prefix}::{path}")
        });
    }
}

/// The paths a module names, absolute from the crate root.
fn named_paths(module: &str, code: &str) -> Vec<String> {
    let mut paths = Vec::new();
    let parent = module.rsplit_once("::").map(|(p, _)| p).unwrap_or("");
    let mut rest = code;
    while let Some(at) = rest.find("use ") {
        let statement = &rest[at + 4..];
        let end = statement.find(';').unwrap_or(statement.len());
        let body = statement[..end].trim();
        let before = rest[..at].chars().last().unwrap_or(' ');
        if before.is_whitespace() || before == '{' || before == ';' {
            if let Some(tail) = body.strip_prefix("crate::") {
                expand("", tail, &mut paths);
            } else if let Some(tail) = body.strip_prefix("super::") {
                expand(parent, tail, &mut paths);
            } else if let Some(tail) = body.strip_prefix("self::") {
                expand(module, tail, &mut paths);
            } else if body.starts_with('{') && body.contains("crate::") {
                expand("", body.replace("crate::", "").as_str(), &mut paths);
            }
        }
        rest = &statement[end..];
    }
    // Paths written inline, outside `use`, and paths relative to a child module (`mod x;`).
    let children: Vec<(String, String)> = code
        .lines()
        .filter_map(|line| {
            let line = line
                .trim()
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ");
            let name = line.strip_prefix("mod ")?.strip_suffix(';')?;
            Some((format!("{name}::"), format!("{module}::{name}")))
        })
        .collect();
    let mut markers = vec![
        ("crate::".to_string(), String::new()),
        ("super::".to_string(), parent.to_string()),
    ];
    markers.extend(
        children
            .into_iter()
            .map(|(marker, child)| (marker, child.trim_start_matches("::").to_string()))
            .map(|(marker, child)| {
                let base = child.rsplit_once("::").map(|(b, _)| b.to_string());
                (marker, base.unwrap_or_default())
            }),
    );
    for (marker, base) in &markers {
        let (marker, base) = (marker.as_str(), base.as_str());
        let mut rest = code;
        while let Some(at) = rest.find(marker) {
            let tail = &rest[at + marker.len()..];
            let before = rest[..at].chars().last().unwrap_or(' ');
            if marker != "crate::"
                && marker != "super::"
                && (before.is_alphanumeric() || before == '_' || before == ':')
            {
                rest = tail;
                continue;
            }
            let named = if marker == "crate::" || marker == "super::" {
                tail
            } else {
                &rest[at..]
            };
            let path: String = named
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                .collect();
            let path = path.trim_end_matches(':');
            if !path.is_empty() {
                paths.push(if base.is_empty() {
                    path.to_string()
                } else {
                    format!("{base}::{path}")
                });
            }
            rest = tail;
        }
    }
    paths
}

/// The module-to-module edges: each named path goes to the deepest module it passes through.
fn edges(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for (module, text) in modules {
        let targets: &mut BTreeSet<String> = graph.entry(module.clone()).or_default();
        for path in named_paths(module, &code_only(text)) {
            let parts: Vec<&str> = path.split("::").collect();
            let target = (1..=parts.len())
                .rev()
                .map(|n| parts[..n].join("::"))
                .find(|candidate| modules.contains_key(candidate));
            if let Some(target) = target
                && target != *module
                && !target.is_empty()
            {
                targets.insert(target);
            }
        }
    }
    graph
}

/// Every group of modules that reach each other through imports (Tarjan's strongly connected
/// components of more than one module), so one run names every circle, not just the first.
fn circles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Walk<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        found: Vec<Vec<String>>,
    }
    fn visit<'g>(walk: &mut Walk<'g>, node: &'g str) {
        let at = walk.index.len();
        walk.index.insert(node, at);
        walk.low.insert(node, at);
        walk.stack.push(node);
        let graph = walk.graph;
        for next in graph.get(node).into_iter().flatten() {
            let next = next.as_str();
            if !walk.index.contains_key(next) {
                visit(walk, next);
                let low = walk.low[node].min(walk.low[next]);
                walk.low.insert(node, low);
            } else if walk.stack.contains(&next) {
                let low = walk.low[node].min(walk.index[next]);
                walk.low.insert(node, low);
            }
        }
        if walk.low[node] == walk.index[node] {
            let from = walk.stack.iter().rposition(|n| *n == node).unwrap_or(0);
            let group: Vec<String> = walk.stack.drain(from..).map(String::from).collect();
            if group.len() > 1 {
                walk.found.push(group);
            }
        }
    }
    let mut walk = Walk {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        found: Vec::new(),
    };
    for node in graph.keys() {
        if !walk.index.contains_key(node.as_str()) {
            visit(&mut walk, node);
        }
    }
    for group in &mut walk.found {
        group.sort();
    }
    walk.found
}

/// Within one circle, the imports that close it, so the message says what to cut.
fn describe(group: &[String], graph: &BTreeMap<String, BTreeSet<String>>) -> String {
    let mut lines = Vec::new();
    for from in group {
        for to in graph.get(from).into_iter().flatten() {
            if group.contains(to) {
                lines.push(format!("    {from} -> {to}"));
            }
        }
    }
    lines.join("\n")
}

#[test]
fn the_modules_of_src_import_each_other_without_a_circle() {
    let graph = edges(&modules());
    assert!(
        graph
            .get("routes")
            .is_some_and(|t| t.contains("routes::dashboard")),
        "the reader sees the route table's imports"
    );
    let found: Vec<Vec<String>> = circles(&graph);
    let report: Vec<String> = found
        .iter()
        .map(|group| {
            format!(
                "circle of {} {group:?}:\n{}",
                group.len(),
                describe(group, &graph)
            )
        })
        .collect();
    assert!(found.is_empty(), "import circles:\n{}", report.join("\n"));
}

#[test]
fn the_circle_finder_finds_a_circle() {
    let mut graph = BTreeMap::new();
    graph.insert("a".to_string(), BTreeSet::from(["b".to_string()]));
    graph.insert("b".to_string(), BTreeSet::from(["c".to_string()]));
    graph.insert("c".to_string(), BTreeSet::from(["a".to_string()]));
    graph.insert("d".to_string(), BTreeSet::from(["a".to_string()]));
    assert_eq!(
        circles(&graph),
        vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]],
        "d reaches the circle but is not in it"
    );
    graph.insert("c".to_string(), BTreeSet::new());
    assert!(circles(&graph).is_empty(), "a chain is not a circle");
    let mut paths = Vec::new();
    expand("", "db::{users::{self, User}, runs}", &mut paths);
    assert_eq!(
        paths,
        vec!["db::users::self", "db::users::User", "db::runs"]
    );
}

#[test]
fn no_handler_imports_from_another_handler() {
    let graph = edges(&modules());
    // Not handlers: the route table, the response helpers, and what every card action shares.
    let shared = ["routes", "routes::respond", "routes::card_action"];
    for (module, targets) in &graph {
        if !module.starts_with("routes::") || shared.contains(&module.as_str()) {
            continue;
        }
        for target in targets {
            assert!(
                !target.starts_with("routes::") || shared.contains(&target.as_str()),
                "{module} imports from the handler {target}"
            );
        }
    }
}

#[test]
fn no_module_keeps_process_global_mutable_state() {
    for (module, text) in modules() {
        for line in code_only(&text).lines() {
            let line = line.trim();
            let global = (line.starts_with("static ") || line.starts_with("pub static "))
                && ["Mutex", "RwLock", "Atomic", "Cell", "OnceLock", "LazyLock"]
                    .iter()
                    .any(|kind| line.contains(kind));
            assert!(
                !global && !line.starts_with("static mut") && !line.contains("thread_local!"),
                "{module} keeps process-global mutable state: {line}"
            );
        }
    }
}

/// The product's nouns are typed past the edge (`src/domain/`): a role is a `Role`, a record a
/// `Verdict` and, in `db/`, a title's kind a `Kind` (stored as its text by diesel), never text, so no match on a misspelt string can hand out admin or
/// show a skip as "Watchlisted". The edge is `routes/`, where a form's text arrives, `domain/`,
/// which parses it, and `db::preferences`'s stored row, converted as it is read.
#[test]
fn roles_and_verdicts_are_typed_everywhere_past_the_edge() {
    for (module, text) in modules() {
        if module.starts_with("routes") {
            continue;
        }
        for line in code_only(&text).lines() {
            let squeezed: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
            for text_role in [
                "role: String",
                "role: &str",
                "role: Option<&str>",
                "role: Option<String>",
            ] {
                assert!(
                    !squeezed.contains(text_role),
                    "{module} types a role as text ({text_role}): use domain::Role"
                );
            }
            if module.starts_with("db") {
                for text_kind in ["kind: &str", "kind: String"] {
                    assert!(
                        !squeezed.contains(text_kind),
                        "{module} types a title's kind as text ({text_kind}): use media::Kind"
                    );
                }
            }
            if module.starts_with("domain") || module == "db::preferences" {
                continue;
            }
            for text_verdict in ["action: String", "action: &str", "rating: i32"] {
                assert!(
                    !squeezed.contains(text_verdict),
                    "{module} types a record as text ({text_verdict}): use domain::Verdict"
                );
            }
        }
    }
}

/// One rule decides whether a title may be shown (`domain::Eligibility`): the rating limit is
/// checked there and nowhere else, so a new rule is written once.
#[test]
fn one_eligibility_rule_checks_the_rating_limit() {
    for (module, text) in modules() {
        if module == "domain::eligibility" || module == "ratings" {
            continue;
        }
        assert!(
            !code_only(&text).contains("ratings::allows("),
            "{module} checks the rating limit itself: ask domain::Eligibility"
        );
    }
}

/// A user's eligibility is read from the database in one place (`db::preferences::eligibility`):
/// his rows, his shelf and a group's start there, so a new rule's data is loaded once. Outside
/// `domain/` and that loader only unit tests build one from parts.
#[test]
fn one_place_reads_a_users_eligibility() {
    for (module, text) in modules() {
        if module.starts_with("domain") || module == "db::preferences" {
            continue;
        }
        let code = code_only(&text);
        let outside_tests = code.split("#[cfg(test)]").next().unwrap_or("");
        assert!(
            !outside_tests.contains("Eligibility::new("),
            "{module} builds an eligibility from parts: read it with db::preferences::eligibility"
        );
    }
}

/// A title is one value, `domain::TitleId`: no bare `(Kind, i64)` pair outside `domain/` (and
/// the fakes' and the demo's own data).
#[test]
fn a_title_is_a_title_id_not_a_pair() {
    for (module, text) in modules() {
        if module.starts_with("domain") || module.starts_with("fakes") || module == "cli::demo" {
            continue;
        }
        assert!(
            !code_only(&text).contains("(Kind, i64)"),
            "{module} passes a title as a (Kind, i64) pair: use domain::TitleId"
        );
    }
}

/// An enum is compared with its variants, never with its stored text: a typo in a string
/// would compare unequal for ever and nothing would say so.
#[test]
fn no_enum_compares_equal_to_text() {
    for (module, text) in modules() {
        let code = code_only(&text);
        assert!(
            !code.contains("PartialEq<&str>") && !code.contains("PartialEq<str>"),
            "{module} lets a type compare equal to text"
        );
    }
}

#[test]
fn the_readme_layout_lists_every_part_of_src_and_only_those() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md");
    let section = readme
        .split("## Layout")
        .nth(1)
        .and_then(|rest| rest.split("```").nth(1))
        .expect("README.md has a Layout section with a listing");
    let listed: BTreeSet<String> = section
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect();
    for path in &listed {
        assert!(
            root.join(path).exists(),
            "README.md's Layout lists {path}, which does not exist"
        );
    }
    for entry in std::fs::read_dir(root.join("src")).expect("src/") {
        let entry = entry.expect("src/ entry");
        let name = entry.file_name().to_string_lossy().into_owned();
        let shown = if entry.path().is_dir() {
            format!("src/{name}/")
        } else {
            format!("src/{name}")
        };
        assert!(
            listed.contains(&shown),
            "README.md's Layout does not list {shown}"
        );
    }
}

#[test]
fn every_markdown_file_the_code_cites_is_in_the_repository() {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "benches", "migrations", "templates", ".ci"] {
        walk(&root.join(dir), &mut files);
    }
    files.extend(["Dockerfile", "compose.yaml", "Cargo.toml"].map(|f| root.join(f)));
    let mut missing = Vec::new();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        for (at, _) in text.match_indices(".md") {
            let start = text[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
                .map_or(0, |i| i + 1);
            let cited = &text[start..at + 3];
            if cited == ".md" {
                continue;
            }
            let found = [root.join(cited), root.join("docs").join(cited)]
                .iter()
                .any(|p| p.is_file());
            if !found {
                missing.push(format!("{}: {cited}", file.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cited but not in the repository:\n{}",
        missing.join("\n")
    );
}

#[test]
fn every_doc_section_the_code_cites_exists() {
    // `docs/recommendations.md "The nightly"`, or a link to a doc then "Section" inside the docs: the
    // cited name must begin a heading of that file, or one of its bold leads (`**Streaming.**`).
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in ["src", "tests", "benches", "templates", "docs"] {
        let mut stack = vec![root.join(dir)];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if let Ok(text) = std::fs::read_to_string(&path) {
                    texts.push((path, text));
                }
            }
        }
    }
    texts.push((
        root.join("README.md"),
        std::fs::read_to_string(root.join("README.md")).unwrap_or_default(),
    ));
    let mut missing = Vec::new();
    for (path, text) in &texts {
        let text = text
            .replace("//! ", "")
            .replace("/// ", "")
            .replace("// ", "")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        for (at, _) in text.match_indices(".md") {
            let start = text[..at]
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || "_-./".contains(c)))
                .map_or(0, |i| i + 1);
            let file = text[start..at + 3].trim_start_matches("docs/").to_owned();
            let rest = &text[at + 3..];
            let rest = rest
                .strip_prefix(&format!("]({file})"))
                .or_else(|| rest.strip_prefix(&format!("](docs/{file})")))
                .unwrap_or(rest);
            let rest = rest.trim_start_matches(')');
            let Some(quoted) = rest.strip_prefix(" \"").and_then(|r| r.split('"').next()) else {
                continue;
            };
            let Ok(doc) = std::fs::read_to_string(root.join("docs").join(&file)) else {
                continue; // a missing file is the test above's to report
            };
            let found = doc
                .lines()
                .filter_map(|l| {
                    l.trim_start_matches('#')
                        .strip_prefix(' ')
                        .filter(|_| l.starts_with('#'))
                })
                .any(|heading| heading.starts_with(quoted))
                || doc.contains(&format!("**{quoted}"));
            if !found {
                missing.push(format!("{}: {file} \"{quoted}\"", path.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "cited sections that no heading begins:\n{}",
        missing.join("\n")
    );
}
