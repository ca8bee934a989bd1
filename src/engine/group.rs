//! Ranking titles for a group (docs/recommendations.md "Watch together"), from what is stored:
//! each member's picks and reserves, the TMDb neighbours of his favourites, and the AI's rows
//! for the group when someone asked. No upstream call and no AI call happen here.
//!
//! Kept out: anything any member watched, marked seen or skipped, and anything above the
//! strictest rating limit in the group. Ranked: the AI's picks for the group, then titles more
//! members have a reason for, then titles in more members' picks.

use crate::domain::Eligibility;
use crate::domain::TitleId;
use std::collections::{HashMap, HashSet};

use super::normalize::normalize;
use super::profile::TasteProfile;
use super::rows::{Card, Row};

/// One member, as his stored data says.
pub struct Member {
    pub name: String,
    pub rows: Vec<Row>,
    pub profile: TasteProfile,
    /// What he may be shown in a group: his limit, and not what he marked seen or skipped
    /// (`db::preferences::eligibility`).
    pub eligibility: Eligibility,
}

/// A title for the group, with one reason per member who has one ("Alice liked Arrival").
#[derive(Debug, Clone)]
pub struct GroupCard {
    pub card: Card,
    pub reasons: Vec<String>,
    pub from_ai: bool,
}

impl GroupCard {
    /// The line under the card: every member's reason, or the AI's word for all of them.
    pub fn why(&self) -> String {
        if self.reasons.is_empty() {
            "Picked by the AI for all of you".to_owned()
        } else {
            self.reasons.join(" · ")
        }
    }
}

/// Titles more than one member is close to, which need a card from TMDb when no member's rows
/// hold one: the neighbours of two or more members that are in nobody's rows.
pub fn shared_neighbours(members: &[Member]) -> Vec<TitleId> {
    let in_rows: HashSet<TitleId> = members
        .iter()
        .flat_map(|m| m.rows.iter().flat_map(|r| &r.cards))
        .map(|c| TitleId(c.kind, c.tmdb_id))
        .collect();
    let mut count: HashMap<TitleId, usize> = HashMap::new();
    let mut order = Vec::new();
    for member in members {
        let mine: HashSet<TitleId> = member
            .profile
            .neighbours
            .iter()
            .map(|n| TitleId(n.kind, n.tmdb_id))
            .collect();
        for key in mine {
            let n = count.entry(key).or_default();
            *n += 1;
            if *n == 2 && !in_rows.contains(&key) {
                order.push(key);
            }
        }
    }
    order.sort_unstable();
    order
}

#[derive(Default)]
struct Tally {
    card: Option<Card>,
    /// Per member (by position): his reason.
    reasons: HashMap<usize, String>,
    in_picks: usize,
    from_ai: bool,
    first_seen: usize,
}

/// What the group may be shown: nothing any member watched or dealt with, nothing above the
/// strictest limit among them.
pub fn eligibility(members: &[Member]) -> Eligibility {
    Eligibility::of_group(members.iter().map(|m| &m.eligibility)).with_seen(
        members
            .iter()
            .flat_map(|m| m.profile.watched.iter().copied()),
    )
}

/// The group's titles, best first. `ai_rows`: the AI's rows for this group; `cards`: cards for
/// [`shared_neighbours`] verified against TMDb.
pub fn rank(members: &[Member], ai_rows: &[Row], cards: &HashMap<TitleId, Card>) -> Vec<GroupCard> {
    let eligibility = eligibility(members);
    let mut tallies: HashMap<TitleId, Tally> = HashMap::new();
    for row in ai_rows {
        for card in &row.cards {
            let t = tally(&mut tallies, TitleId(card.kind, card.tmdb_id));
            t.from_ai = true;
            t.card.get_or_insert_with(|| card.clone());
            for (i, member) in members.iter().enumerate() {
                if let Some(title) = named_for(member, card.because.as_deref()) {
                    t.reasons
                        .insert(i, format!("{} liked {title}", member.name));
                }
            }
        }
    }
    for (i, member) in members.iter().enumerate() {
        let mut picked = HashSet::new();
        for card in member.rows.iter().flat_map(|r| &r.cards) {
            if !picked.insert(TitleId(card.kind, card.tmdb_id)) {
                continue;
            }
            let t = tally(&mut tallies, TitleId(card.kind, card.tmdb_id));
            t.in_picks += 1;
            t.card.get_or_insert_with(|| card.clone());
            t.reasons.entry(i).or_insert_with(|| match &card.because {
                Some(because) => format!("{} liked {because}", member.name),
                None => format!("Picked for {}", member.name),
            });
        }
    }
    for (i, member) in members.iter().enumerate() {
        for n in &member.profile.neighbours {
            let key = TitleId(n.kind, n.tmdb_id);
            // A neighbour counts for a title someone's rows hold, or one verified for the group.
            if !tallies.contains_key(&key) && !cards.contains_key(&key) {
                continue;
            }
            let t = tally(&mut tallies, key);
            if let Some(card) = cards.get(&key) {
                t.card.get_or_insert_with(|| card.clone());
            }
            t.reasons
                .entry(i)
                .or_insert_with(|| format!("{} liked {}", member.name, n.because));
        }
    }
    let mut ranked: Vec<(Tally, Card)> = tallies
        .into_values()
        .filter_map(|t| {
            let card = t.card.clone()?;
            eligibility.allows(card.facts()).then_some((t, card))
        })
        .collect();
    ranked.sort_by_key(|(t, _)| {
        (
            std::cmp::Reverse(t.from_ai),
            std::cmp::Reverse(t.reasons.len()),
            std::cmp::Reverse(t.in_picks),
            t.first_seen,
        )
    });
    ranked
        .into_iter()
        .map(|(t, card)| {
            let mut by_member: Vec<(usize, String)> = t.reasons.into_iter().collect();
            by_member.sort_unstable();
            GroupCard {
                card,
                reasons: by_member.into_iter().map(|(_, r)| r).collect(),
                from_ai: t.from_ai,
            }
        })
        .collect()
}

/// The title's tally, made in the order titles are first met.
fn tally(tallies: &mut HashMap<TitleId, Tally>, key: TitleId) -> &mut Tally {
    let next = tallies.len();
    tallies.entry(key).or_insert_with(|| Tally {
        first_seen: next,
        ..Tally::default()
    })
}

/// The title of `member`'s history that the AI's `because` names for him: "Alice: Arrival;
/// Bob: Interstellar" names Arrival for Alice; a bare title counts for whoever watched it.
fn named_for<'a>(member: &'a Member, because: Option<&str>) -> Option<&'a String> {
    let because = because?;
    let mine = |said: &str| {
        let said = normalize(said);
        member
            .profile
            .titles
            .iter()
            .find(|t| !said.is_empty() && normalize(t) == said)
    };
    let mut named = false;
    for part in because.split([';', '·', '|']) {
        if let Some((name, title)) = part.split_once(':') {
            named = true;
            if name.trim().eq_ignore_ascii_case(&member.name) {
                return mine(title);
            }
        }
    }
    if named { None } else { mine(because) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::profile::Neighbour;
    use crate::media::Kind;

    fn card(id: i64, because: Option<&str>, cert: Option<&str>) -> Card {
        Card {
            kind: Kind::Movie,
            tmdb_id: id,
            title: format!("t{id}"),
            year: Some(2000),
            poster_path: None,
            genres: vec![],
            genre_ids: Vec::new(),
            overview: String::new(),
            because: because.map(str::to_owned),
            certification: cert.map(str::to_owned),
        }
    }

    fn member(name: &str, picks: &[(i64, &str)], watched: &[i64]) -> Member {
        Member {
            name: name.to_owned(),
            rows: vec![Row {
                title: "r".into(),
                reason: "r".into(),
                cards: picks
                    .iter()
                    .map(|(id, b)| card(*id, Some(b), Some("PG")))
                    .collect(),
                filled: false,
            }],
            profile: TasteProfile {
                watched: watched.iter().map(|id| TitleId(Kind::Movie, *id)).collect(),
                titles: picks.iter().map(|(_, b)| b.to_string()).collect(),
                ..TasteProfile::default()
            },
            eligibility: Eligibility::default(),
        }
    }

    fn ids(ranked: &[GroupCard]) -> Vec<i64> {
        ranked.iter().map(|g| g.card.tmdb_id).collect()
    }

    #[test]
    fn a_title_in_both_members_picks_comes_first_with_both_reasons() {
        let alice = member("Alice", &[(1, "Arrival"), (2, "Arrival")], &[]);
        let bob = member("Bob", &[(3, "Heat"), (2, "Interstellar")], &[]);
        let ranked = rank(&[alice, bob], &[], &HashMap::new());
        assert_eq!(ids(&ranked), [2, 1, 3]);
        assert_eq!(
            ranked[0].why(),
            "Alice liked Arrival · Bob liked Interstellar"
        );
    }

    #[test]
    fn what_anyone_watched_or_dealt_with_is_kept_out() {
        let alice = member("Alice", &[(1, "A"), (2, "A")], &[]);
        let mut bob = member("Bob", &[(3, "B")], &[1]);
        bob.eligibility = bob.eligibility.with_seen([TitleId(Kind::Movie, 3)]);
        assert_eq!(ids(&rank(&[alice, bob], &[], &HashMap::new())), [2]);
    }

    #[test]
    fn the_strictest_limit_in_the_group_holds() {
        let mut alice = member("Alice", &[(1, "A")], &[]);
        alice.rows[0].cards.push(card(2, Some("A"), Some("R")));
        alice.rows[0].cards.push(card(4, Some("A"), None));
        let mut kid = member("Kid", &[(3, "K")], &[]);
        kid.eligibility = Eligibility::limit_only(Some("PG"));
        assert_eq!(ids(&rank(&[alice, kid], &[], &HashMap::new())), [1, 3]);
    }

    #[test]
    fn shared_neighbours_rank_above_one_members_picks() {
        let mut alice = member("Alice", &[(1, "Arrival")], &[]);
        let mut bob = member("Bob", &[(3, "Heat")], &[]);
        for (m, because) in [(&mut alice, "Arrival"), (&mut bob, "Heat")] {
            m.profile.neighbours.push(Neighbour {
                kind: Kind::Movie,
                tmdb_id: 9,
                title: "t9".into(),
                year: None,
                because: because.into(),
            });
        }
        let members = [alice, bob];
        assert_eq!(shared_neighbours(&members), [TitleId(Kind::Movie, 9)]);
        let cards = HashMap::from([(TitleId(Kind::Movie, 9), card(9, None, Some("PG")))]);
        let ranked = rank(&members, &[], &cards);
        assert_eq!(ids(&ranked), [9, 1, 3]);
        assert_eq!(ranked[0].why(), "Alice liked Arrival · Bob liked Heat");
    }

    #[test]
    fn the_ais_picks_lead_and_its_reasons_are_read_per_person() {
        let alice = member("Alice", &[(1, "Arrival")], &[]);
        let bob = member("Bob", &[(3, "Heat")], &[]);
        let ai = Row {
            title: "For you all".into(),
            reason: "r".into(),
            cards: vec![card(7, Some("Alice: Arrival; Bob: Heat"), Some("PG"))],
            filled: false,
        };
        let ranked = rank(&[alice, bob], &[ai], &HashMap::new());
        assert_eq!(ids(&ranked)[0], 7);
        assert!(ranked[0].from_ai);
        assert_eq!(ranked[0].why(), "Alice liked Arrival · Bob liked Heat");
    }
}
