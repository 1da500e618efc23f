//! The forms the portal offers: the built-in ones and the operator's, found
//! by life situation or by words typed in any case, with or without
//! diacritics.

use std::collections::BTreeMap;

use super::BUILT_IN;
use super::definition::{DefinitionError, FormDefinition, FormId, LifeSituation};
use crate::language::Language;

#[derive(Debug, Clone, Default)]
pub struct Catalog {
    forms: BTreeMap<FormId, FormDefinition>,
}

/// A definition that did not load: the file it came from, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{source_name}: {error}")]
pub struct LoadError {
    pub source_name: String,
    pub error: DefinitionError,
}

impl Catalog {
    /// The built-in forms, then the operator's: `(file name, contents)`. An
    /// operator's form with a built-in form's id replaces it; two of the
    /// operator's with one id are an error.
    pub fn load<'a>(
        operators: impl IntoIterator<Item = (String, &'a str)>,
    ) -> Result<Self, LoadError> {
        let parse = |source_name: &str, text: &str| {
            FormDefinition::parse(text).map_err(|error| LoadError {
                source_name: source_name.to_owned(),
                error,
            })
        };
        let mut forms = BTreeMap::new();
        for (name, text) in BUILT_IN {
            let form = parse(name, text)?;
            forms.insert(form.id.clone(), form);
        }
        let mut operators_files: BTreeMap<FormId, String> = BTreeMap::new();
        for (name, text) in operators {
            let form = parse(&name, text)?;
            if let Some(first) = operators_files.insert(form.id.clone(), name.clone()) {
                return Err(LoadError {
                    source_name: name,
                    error: DefinitionError {
                        at: "id".into(),
                        problem: format!("{first} defines the form {} already", form.id),
                    },
                });
            }
            forms.insert(form.id.clone(), form);
        }
        Ok(Self { forms })
    }

    pub fn get(&self, id: &str) -> Option<&FormDefinition> {
        FormId::parse(id).and_then(|id| self.forms.get(&id))
    }

    pub fn all(&self) -> impl Iterator<Item = &FormDefinition> {
        self.forms.values()
    }

    /// The forms whose title, summary or keywords hold every word of
    /// `query`, grouped by life situation in the catalogue's order, each
    /// group by title.
    pub fn search(
        &self,
        query: &str,
        language: Language,
    ) -> Vec<(LifeSituation, Vec<&FormDefinition>)> {
        let words: Vec<String> = fold(query).split_whitespace().map(str::to_owned).collect();
        let mut groups: BTreeMap<LifeSituation, Vec<&FormDefinition>> = BTreeMap::new();
        for form in self.forms.values() {
            let haystack = fold(&format!(
                "{} {} {} {} {}",
                form.title.cs,
                form.title.en,
                form.summary.get(language),
                form.keywords.join(" "),
                form.id,
            ));
            if words.iter().all(|word| haystack.contains(word.as_str())) {
                groups.entry(form.life_situation).or_default().push(form);
            }
        }
        let mut grouped: Vec<(LifeSituation, Vec<&FormDefinition>)> = groups.into_iter().collect();
        for (_, forms) in &mut grouped {
            forms.sort_by(|a, b| a.title.get(language).cmp(b.title.get(language)));
        }
        grouped
    }
}

/// Lower case without Czech diacritics, for matching what people type.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'á' => 'a',
            'č' => 'c',
            'ď' => 'd',
            'é' | 'ě' => 'e',
            'í' => 'i',
            'ň' => 'n',
            'ó' => 'o',
            'ř' => 'r',
            'š' => 's',
            'ť' => 't',
            'ú' | 'ů' => 'u',
            'ý' => 'y',
            'ž' => 'z',
            other => other,
        })
        .collect()
}
