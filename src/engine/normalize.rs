//! Title normalisation for matching (docs/recommendations.md): NFKD with accents stripped, lower case, `&`
//! read as `and`, punctuation dropped, a leading article dropped, spaces collapsed.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Leading articles in English, French, German, Spanish and Italian.
const ARTICLES: &[&str] = &[
    "the", "a", "an", "le", "la", "les", "un", "une", "der", "die", "das", "ein", "eine", "el",
    "los", "las", "il", "lo", "gli",
];

pub fn normalize(title: &str) -> String {
    let folded: String = title
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .collect::<String>()
        .to_lowercase();
    let mut text = folded.replace(['’', '‘', '`'], "'");
    // French elision: "L'Homme" matches "Homme" as "The Man" matches "Man".
    for elided in ["l'", "d'"] {
        if let Some(rest) = text.strip_prefix(elided) {
            text = rest.to_owned();
        }
    }
    let spaced: String = text
        .replace('&', " and ")
        .chars()
        .filter(|c| *c != '\'')
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    let mut words: Vec<&str> = spaced.split_whitespace().collect();
    if words.len() > 1 && ARTICLES.contains(&words[0]) {
        words.remove(0);
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn titles_match_across_accents_articles_and_punctuation() {
        assert_eq!(normalize("The Matrix"), "matrix");
        assert_eq!(normalize("Amélie"), "amelie");
        assert_eq!(normalize("Léon: The Professional"), "leon the professional");
        assert_eq!(normalize("Fast & Furious"), "fast and furious");
        assert_eq!(normalize("Schindler’s List"), "schindlers list");
        assert_eq!(normalize("L'Avventura"), "avventura");
        assert_eq!(normalize("Das Boot"), "boot");
        assert_eq!(normalize("  Blade   Runner 2049 "), "blade runner 2049");
        assert_eq!(
            normalize("The"),
            "the",
            "a title that is only an article keeps it"
        );
        assert_eq!(normalize("Ｆｕｌｌ ｗｉｄｔｈ"), "full width");
    }
}
