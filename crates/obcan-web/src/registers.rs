//! Reading a citizen's data from the public registers, for the pages and the
//! API alike: matching the account to a register person, reusing answers
//! while they are fresh, falling back to the last answer when the register is
//! slow or down, and auditing every read.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use obcan_connect::registers::{ContactUpdate, RegisterConnector, RegisterError};
use obcan_core::audit::{Action, Actor, AuditEvent};
use obcan_core::citizen::CitizenId;
use obcan_core::registers::{
    ContactDetails, MatchRule, PersonMatch, RegisterRef, Section, SectionData,
};
use obcan_store::{CachedSection, Fact, RegisterLink};

use crate::authz::SignedInCitizen;
use crate::error::WebError;
use crate::state::AppState;

/// The longest a page waits for the registers, whatever the connector's own
/// timeouts and retries add up to; then it shows what it has.
const PATIENCE: Duration = Duration::from_secs(8);

/// What the portal can show of one section.
#[derive(Debug, Clone)]
pub(crate) enum Shown {
    /// The register's answer, fresh or recent enough to reuse.
    Current { data: SectionData, as_of: Timestamp },
    /// The register did not answer now; this is its last answer.
    LastKnown { data: SectionData, as_of: Timestamp },
    /// The register did not answer and nothing is kept.
    Unavailable,
}

impl Shown {
    pub(crate) fn data(&self) -> Option<&SectionData> {
        match self {
            Self::Current { data, .. } | Self::LastKnown { data, .. } => Some(data),
            Self::Unavailable => None,
        }
    }

    /// The data, when the register gave it, and whether it is the last
    /// known answer rather than a current one.
    pub(crate) fn into_parts(self) -> Option<(SectionData, Timestamp, bool)> {
        match self {
            Self::Current { data, as_of } => Some((data, as_of, false)),
            Self::LastKnown { data, as_of } => Some((data, as_of, true)),
            Self::Unavailable => None,
        }
    }
}

/// The outcome of reading some sections.
#[derive(Debug)]
pub(crate) enum Reading {
    /// The account is matched to no register person: the registers found
    /// none for its means of identity (or the register is down and has never
    /// been asked successfully).
    NotMatched {
        register_down: bool,
    },
    Sections(BTreeMap<Section, Shown>),
}

impl Reading {
    /// One section of a reading that asked for it.
    pub(crate) fn take(&mut self, section: Section) -> Option<Shown> {
        match self {
            Self::Sections(sections) => sections.remove(&section),
            Self::NotMatched { .. } => None,
        }
    }
}

/// Reads `sections` of the citizen's register data and audits the read.
pub(crate) async fn read(
    state: &AppState,
    citizen: &SignedInCitizen,
    sections: &[Section],
) -> Result<Reading, WebError> {
    let now = state.now();
    let link = match person(state, citizen, now).await? {
        Person::Matched(link) => link,
        Person::NotFound => {
            return Ok(Reading::NotMatched {
                register_down: false,
            });
        }
        Person::RegisterDown => {
            return Ok(Reading::NotMatched {
                register_down: true,
            });
        }
    };
    let registers = state.store.register_data();
    let mut kept: BTreeMap<Section, CachedSection> = registers
        .cached(&citizen.id, sections)
        .await?
        .into_iter()
        .map(|cached| (cached.data.section(), cached))
        .collect();
    let fresh_after = now - state.settings.registers.cache_for;
    let mut shown = BTreeMap::new();
    let mut to_ask = Vec::new();
    for &section in sections {
        match kept.get(&section) {
            Some(cached) if cached.fetched_at > fresh_after => {
                shown.insert(
                    section,
                    Shown::Current {
                        data: cached.data.clone(),
                        as_of: cached.fetched_at,
                    },
                );
            }
            _ => to_ask.push(section),
        }
    }
    let answers = ask(
        &state.settings.registers.connector,
        &link.reference,
        &to_ask,
    )
    .await;
    let mut unknown_person = false;
    for (section, answer) in answers {
        match answer {
            Ok(data) => {
                registers.keep(&citizen.id, &data, now).await?;
                shown.insert(section, Shown::Current { data, as_of: now });
            }
            Err(error) => {
                tracing::warn!(section = section.as_str(), %error, "register data not refreshed");
                unknown_person |= error == RegisterError::UnknownPerson;
                let fallback = match kept.remove(&section) {
                    Some(cached) => Shown::LastKnown {
                        data: cached.data,
                        as_of: cached.fetched_at,
                    },
                    None => Shown::Unavailable,
                };
                shown.insert(section, fallback);
            }
        }
    }
    if unknown_person {
        // The register no longer knows the person it matched: nothing kept
        // through that match may be shown any more.
        registers.unlink(&citizen.id).await?;
        return Ok(Reading::NotMatched {
            register_down: false,
        });
    }
    audit_read(state, citizen, &shown, now).await?;
    Ok(Reading::Sections(shown))
}

/// Asks the register for these sections at once, within [`PATIENCE`].
async fn ask(
    connector: &Arc<RegisterConnector>,
    person: &RegisterRef,
    sections: &[Section],
) -> Vec<(Section, Result<SectionData, RegisterError>)> {
    let mut tasks = tokio::task::JoinSet::new();
    for &section in sections {
        let connector = Arc::clone(connector);
        let person = person.clone();
        tasks.spawn(async move {
            let answer = tokio::time::timeout(PATIENCE, connector.fetch(&person, section))
                .await
                .unwrap_or(Err(RegisterError::Timeout));
            (section, answer)
        });
    }
    let mut answers = Vec::with_capacity(sections.len());
    while let Some(joined) = tasks.join_next().await {
        match joined {
            Ok(answer) => answers.push(answer),
            Err(error) => tracing::error!(%error, "a register call panicked"),
        }
    }
    // A call that panicked has no answer: show its section as unavailable.
    for &section in sections {
        if !answers.iter().any(|(answered, _)| *answered == section) {
            answers.push((section, Err(RegisterError::Unavailable("no answer".into()))));
        }
    }
    answers
}

/// Every read of register data leaves a trace: which sections, and whether
/// the register was asked or a kept answer shown.
async fn audit_read(
    state: &AppState,
    citizen: &SignedInCitizen,
    shown: &BTreeMap<Section, Shown>,
    now: Timestamp,
) -> Result<(), WebError> {
    let read: Vec<&str> = shown
        .iter()
        .filter(|(_, shown)| shown.data().is_some())
        .map(|(section, _)| section.as_str())
        .collect();
    if read.is_empty() {
        return Ok(());
    }
    let event = AuditEvent::new(now, Actor::Citizen(citizen.id), Action::RegisterRead)
        .about_citizen(citizen.id)
        .with("sections", read.join(","))
        .from_ip(citizen.visitor.client.ip.clone());
    state.store.audit().append(&event).await?;
    Ok(())
}

enum Person {
    Matched(RegisterLink),
    NotFound,
    /// The register could not be asked.
    RegisterDown,
}

/// The account's register person: the one matched before, or one found now
/// through its means of identity.
async fn person(
    state: &AppState,
    citizen: &SignedInCitizen,
    now: Timestamp,
) -> Result<Person, WebError> {
    let registers = state.store.register_data();
    if let Some(link) = registers.link(&citizen.id).await? {
        return Ok(Person::Matched(link));
    }
    let mut register_down = false;
    for (provider, how) in match_attempts(state, &citizen.id).await? {
        let found = tokio::time::timeout(
            PATIENCE,
            state.settings.registers.connector.find_person(&how),
        )
        .await
        .unwrap_or(Err(RegisterError::Timeout));
        match found {
            Ok(Some(reference)) => {
                let link = RegisterLink {
                    reference,
                    matched_by: provider,
                    matched_at: now,
                };
                let event =
                    AuditEvent::new(now, Actor::Citizen(citizen.id), Action::RegisterMatched)
                        .about_citizen(citizen.id)
                        .with("provider", link.matched_by.clone())
                        .from_ip(citizen.visitor.client.ip.clone());
                registers.set_link(&citizen.id, &link, &event).await?;
                return Ok(Person::Matched(link));
            }
            Ok(None) => {}
            Err(error) => {
                tracing::warn!(%error, "the register could not match an account");
                register_down = true;
            }
        }
    }
    Ok(if register_down {
        Person::RegisterDown
    } else {
        Person::NotFound
    })
}

/// How the registers may find the account's person: one way per linked
/// means whose provider has a matching rule, most recently used first.
async fn match_attempts(
    state: &AppState,
    citizen: &CitizenId,
) -> Result<Vec<(String, PersonMatch)>, WebError> {
    let citizens = state.store.citizens();
    let mut means = citizens.means(citizen).await?;
    means.sort_by_key(|means| std::cmp::Reverse(means.last_login_at));
    // The latest statement of each fact wins, so at most one provider now
    // vouches for both the name and the birth date the account holds.
    let facts = citizens.profile(citizen).await?;
    let source_of = |fact: Fact| {
        facts
            .iter()
            .find(|stated| stated.fact == fact)
            .map(|stated| stated.source.as_str())
    };
    let vouching = source_of(Fact::Name).filter(|name| source_of(Fact::BirthDate) == Some(*name));
    let rules = &state.settings.registers.match_rules;
    let mut attempts = Vec::new();
    for means in means {
        let how = match rules.get(&means.provider) {
            Some(MatchRule::Identifier) => PersonMatch::Identifier {
                identifier: means.subject.clone(),
            },
            Some(MatchRule::NameAndBirthDate) if vouching == Some(means.provider.as_str()) => {
                let Some(account) = citizens.get(citizen).await? else {
                    continue;
                };
                let Some(birth_date) = account.birth_date else {
                    continue;
                };
                PersonMatch::NameAndBirthDate {
                    given_name: account.name.given().to_owned(),
                    family_name: account.name.family().to_owned(),
                    birth_date,
                }
            }
            Some(MatchRule::NameAndBirthDate | MatchRule::Never) | None => continue,
        };
        attempts.push((means.provider, how));
    }
    Ok(attempts)
}

/// Makes the section's kept answer stale: the next read asks the register.
pub(crate) async fn refresh(
    state: &AppState,
    citizen: &CitizenId,
    section: Section,
) -> Result<(), WebError> {
    state.store.register_data().expire(citizen, section).await?;
    Ok(())
}

/// Tells the register the contact details the citizen verified, where the
/// connector supports it. The citizen's change never waits for or fails by
/// the register: failures are logged.
pub(crate) async fn tell_contacts(state: &AppState, citizen: CitizenId, details: &ContactDetails) {
    let link = match state.store.register_data().link(&citizen).await {
        Ok(Some(link)) => link,
        Ok(None) => return,
        Err(error) => {
            tracing::warn!(%error, "contact details not passed to the register");
            return;
        }
    };
    let told = tokio::time::timeout(
        PATIENCE,
        state
            .settings
            .registers
            .connector
            .update_contacts(&link.reference, details),
    )
    .await
    .unwrap_or(Err(RegisterError::Timeout));
    match told {
        Ok(ContactUpdate::Accepted) => tracing::info!("contact details passed to the register"),
        Ok(ContactUpdate::Unsupported) => {
            tracing::debug!("the register does not take contact details");
        }
        Err(error) => tracing::warn!(%error, "contact details not passed to the register"),
    }
}
