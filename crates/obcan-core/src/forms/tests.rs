use jiff::civil::{Date, date};

use super::*;
use crate::language::Language;

const TODAY: Date = date(2026, 11, 22);

fn built_in(id: &str) -> FormDefinition {
    let (_, text) = BUILT_IN
        .iter()
        .find(|(name, _)| name.trim_end_matches(".toml") == id)
        .unwrap();
    FormDefinition::parse(text).unwrap()
}

fn post(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(name, value)| ((*name).to_owned(), (*value).to_owned()))
        .collect()
}

/// Reads a posted step that is not forged.
fn read(
    form: &FormDefinition,
    step: usize,
    pairs: &[(&str, &str)],
    answers: &mut Answers,
) -> Vec<FieldError> {
    form.read_step(step, &post(pairs), answers, TODAY).unwrap()
}

fn problems(errors: &[FieldError]) -> Vec<(&str, &Problem)> {
    errors
        .iter()
        .map(|error| (error.field.as_str(), &error.problem))
        .collect()
}

#[test]
fn every_built_in_form_parses_and_is_named_by_its_file() {
    for (name, text) in BUILT_IN {
        let form = FormDefinition::parse(text).unwrap_or_else(|error| panic!("{name}: {error}"));
        assert_eq!(format!("{}.toml", form.id), name);
    }
}

#[test]
fn a_step_is_read_checked_and_normalised() {
    let form = built_in("prihlaseni-psa");
    let mut answers = Answers::default();
    let errors = read(
        &form,
        0,
        &[
            ("_csrf", "token"),
            ("jmeno", "  Jana Nováková "),
            ("adresa", "Lipová 12,   123 45 Vzorov"),
            ("telefon", "603 123 456"),
            ("sazba", "zakladni"),
        ],
        &mut answers,
    );
    assert_eq!(errors, []);
    assert_eq!(answers.one("jmeno"), Some("Jana Nováková"));
    assert_eq!(answers.one("adresa"), Some("Lipová 12, 123 45 Vzorov"));
    assert_eq!(answers.one("telefon"), Some("+420603123456"));
    // The pension decision is asked for only at the reduced rate.
    assert_eq!(answers.get("duchod_doklad"), None);
}

#[test]
fn wrong_answers_are_kept_as_typed_and_each_says_what_is_wrong() {
    let form = built_in("prihlaseni-psa");
    let mut answers = Answers::default();
    let errors = read(
        &form,
        0,
        &[
            ("jmeno", ""),
            ("adresa", "Lipová 12"),
            ("telefon", "12345"),
            ("sazba", "duchodce"),
        ],
        &mut answers,
    );
    assert_eq!(
        problems(&errors),
        [
            ("jmeno", &Problem::Required),
            ("telefon", &Problem::NotAPhone),
            ("duchod_doklad", &Problem::Required),
        ]
    );
    assert_eq!(answers.one("telefon"), Some("12345"), "kept as typed");
    assert_eq!(answers.one("adresa"), Some("Lipová 12"));
}

#[test]
fn a_repeating_group_is_read_item_by_item() {
    let form = built_in("prihlaseni-psa");
    let mut answers = Answers::default();
    let errors = read(
        &form,
        1,
        &[
            ("psi.0.jmeno_psa", "Alík"),
            ("psi.0.pohlavi", "pes"),
            ("psi.0.cip", "203164000123456"),
            ("psi.0.narozen", "3. 4. 2024"),
            ("psi.1.jmeno_psa", "Bety"),
            ("psi.1.pohlavi", "kocka"),
            ("psi.1.cip", "12345"),
            ("psi.1.narozen", "2027-01-01"),
            ("drzen_od", "2026-11-01"),
        ],
        &mut answers,
    );
    assert_eq!(
        problems(&errors),
        [
            ("psi.1.pohlavi", &Problem::NotAnOption),
            ("psi.1.narozen", &Problem::TooLate(TODAY)),
            ("psi.1.cip", &Problem::Pattern),
        ]
    );
    let dogs = answers.items("psi");
    assert_eq!(dogs.len(), 2);
    assert_eq!(dogs[0].one("narozen"), Some("2024-04-03"));
    assert_eq!(dogs[1].one("jmeno_psa"), Some("Bety"));
}

#[test]
fn a_group_needs_its_least_items() {
    let form = built_in("prihlaseni-psa");
    let mut answers = Answers::default();
    let errors = read(&form, 1, &[("drzen_od", "2026-11-01")], &mut answers);
    assert_eq!(
        problems(&errors),
        [("psi", &Problem::TooFewItems { min: 1 })]
    );
}

#[test]
fn forged_names_and_repeated_values_refuse_the_post() {
    let form = built_in("prihlaseni-psa");
    let mut answers = Answers::default();
    for pairs in [
        &[("is_admin", "1")][..],
        &[("drzen_od", "2026-11-01")],
        &[("psi.5.jmeno_psa", "Pátý")],
        &[("psi.0.neznamy", "x")],
        &[("psi", "x")],
        &[("jmeno", "A"), ("jmeno", "B")],
    ] {
        assert!(
            form.read_step(0, &post(pairs), &mut answers, TODAY)
                .is_err(),
            "{pairs:?}"
        );
    }
    assert!(answers.is_empty(), "nothing is taken from a forged post");
}

#[test]
fn values_are_checked_by_their_kind() {
    let form = built_in("ridicsky-prukaz-konec-platnosti");
    let mut answers = Answers::default();
    let errors = read(
        &form,
        0,
        &[
            ("jmeno", "Jan\u{7}Novák"),
            ("datum_narozeni", "31. 2. 1978"),
            ("rodne_cislo", "780101/0009"),
            ("adresa", "Lipová 12, 123 45 Vzorov"),
        ],
        &mut answers,
    );
    assert_eq!(
        problems(&errors),
        [
            ("jmeno", &Problem::ControlCharacter),
            ("datum_narozeni", &Problem::NotADate),
            ("rodne_cislo", &Problem::NotABirthNumber),
        ]
    );
    let errors = read(
        &form,
        0,
        &[
            ("jmeno", "Jan Novák"),
            ("datum_narozeni", "1. 1. 1978"),
            ("rodne_cislo", "7801010008"),
            ("adresa", "Lipová 12, 123 45 Vzorov"),
        ],
        &mut answers,
    );
    assert_eq!(errors, []);
    assert_eq!(answers.one("rodne_cislo"), Some("780101/0008"));
    assert_eq!(answers.one("datum_narozeni"), Some("1978-01-01"));
}

#[test]
fn locations_attachments_and_choices() {
    let form = built_in("hlaseni-zavady");
    let mut answers = Answers::default();
    let errors = read(
        &form,
        0,
        &[
            ("druh", "osvetleni"),
            ("popis", "Lampa nesvítí.\r\nUž týden."),
            ("misto", "Lipová 12"),
            ("souradnice", "40.7128, -74.0060"),
            ("fotografie", "not-a-document"),
        ],
        &mut answers,
    );
    assert_eq!(
        problems(&errors),
        [
            ("souradnice", &Problem::OutsideTheCountry),
            ("fotografie", &Problem::NotADocument),
        ]
    );
    assert_eq!(answers.one("popis"), Some("Lampa nesvítí.\nUž týden."));
    let photo = crate::documents::DocumentId::random().to_string();
    let errors = read(
        &form,
        0,
        &[
            ("druh", "osvetleni"),
            ("popis", "Lampa nesvítí."),
            ("misto", "Lipová 12"),
            ("souradnice", "49.1951 16.6068"),
            ("fotografie", &photo),
            ("fotografie", &photo),
        ],
        &mut answers,
    );
    assert_eq!(errors, []);
    assert_eq!(answers.one("souradnice"), Some("49.195100, 16.606800"));
    assert_eq!(answers.many("fotografie"), std::slice::from_ref(&photo));
    let attached = form.attached(Some(0), &answers);
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].field, "fotografie");
    assert_eq!(attached[0].documents[0].to_string(), photo);
    assert_eq!(attached[0].max_size, 10 * 1024 * 1024);
    assert_eq!(form.attached(None, &answers), attached);
    assert_eq!(form.attached(Some(1), &answers), []);
}

#[test]
fn files_are_taken_only_at_an_attachment_input_of_the_step() {
    let report = built_in("hlaseni-zavady");
    assert!(report.takes_files(0, "fotografie"));
    assert!(!report.takes_files(0, "popis"), "not an attachment");
    assert!(!report.takes_files(1, "fotografie"), "not on this step");
    assert!(!report.takes_files(0, "fotografie.0.x"));
    assert!(!report.takes_files(9, "fotografie"));
    let dogs = built_in("prihlaseni-psa");
    assert!(dogs.takes_files(0, "duchod_doklad"));
    assert!(
        !dogs.takes_files(1, "psi.0.jmeno_psa"),
        "a group's text input"
    );
    assert!(!dogs.takes_files(1, "psi"));
}

#[test]
fn a_hidden_attachment_attaches_nothing() {
    let form = built_in("prihlaseni-psa");
    let pension = crate::documents::DocumentId::random().to_string();
    let mut answers = Answers::default();
    answers.set("sazba", Value::One("zakladni".into()));
    answers.set("duchod_doklad", Value::Many(vec![pension.clone()]));
    assert_eq!(form.attached(None, &answers), []);
    answers.set("sazba", Value::One("duchodce".into()));
    let attached = form.attached(None, &answers);
    assert_eq!(attached.len(), 1);
    assert_eq!(attached[0].documents[0].to_string(), pension);
}

#[test]
fn the_content_is_every_visible_answer_or_every_error() {
    let form = built_in("zadost-o-informace");
    let mut answers = Answers::default();
    read(
        &form,
        0,
        &[
            ("jmeno", "Jana Nováková"),
            ("datum_narozeni", "1980-05-17"),
            ("adresa", "Lipová 12, 123 45 Vzorov"),
        ],
        &mut answers,
    );
    read(
        &form,
        1,
        &[
            ("predmet", "Rozpočet"),
            ("zadost", "Kolik stála oprava náměstí?"),
            ("zpusob", "datova_schranka"),
            ("datova_schranka", "ABC"),
        ],
        &mut answers,
    );
    let errors = form.content(&answers, TODAY).unwrap_err();
    assert_eq!(problems(&errors), [("datova_schranka", &Problem::Pattern)]);

    // Another way: the data box is no longer asked for, nor filed.
    answers.set("zpusob", Value::One("portal".into()));
    let content = form.content(&answers, TODAY).unwrap();
    assert_eq!(content.one("zpusob"), Some("portal"));
    assert_eq!(content.get("datova_schranka"), None);
    assert_eq!(
        answers.one("datova_schranka"),
        Some("ABC"),
        "the draft keeps it"
    );
}

#[test]
fn money_numbers_and_multi_choices() {
    let form = FormDefinition::parse(
        r#"
id = "test"
version = 1
title = { cs = "Test", en = "Test" }
summary = { cs = "Test", en = "Test" }
life_situation = "other"
agenda = "test"
loa = "low"
record_class = "1.4"

[[steps]]
title = { cs = "Krok", en = "Step" }
fields = [
  { id = "castka", kind = "money", label = { cs = "Částka", en = "Amount" }, min = 1, max = 50000 },
  { id = "pocet", kind = "number", label = { cs = "Počet", en = "Count" }, min = 0, max = 10 },
  { id = "dny", kind = "multi_choice", label = { cs = "Dny", en = "Days" }, max = 2, options = [
    { value = "po", cs = "Po", en = "Mon" },
    { value = "ut", cs = "Út", en = "Tue" },
    { value = "st", cs = "St", en = "Wed" },
  ] },
]
"#,
    )
    .unwrap();
    let mut answers = Answers::default();
    let read = |pairs: &[(&str, &str)], answers: &mut Answers| {
        form.read_step(0, &post(pairs), answers, TODAY).unwrap()
    };
    let errors = read(
        &[
            ("castka", "1 500,5 Kč"),
            ("pocet", "11"),
            ("dny", "st"),
            ("dny", "po"),
        ],
        &mut answers,
    );
    assert_eq!(
        problems(&errors),
        [("pocet", &Problem::AboveMax(Bound::Number(10)))]
    );
    assert_eq!(answers.one("castka"), Some("1500.50"));
    assert_eq!(
        answers.many("dny"),
        ["po", "st"],
        "in the definition's order"
    );
    let errors = read(
        &[
            ("castka", "-5"),
            ("pocet", "dva"),
            ("dny", "po"),
            ("dny", "ut"),
            ("dny", "st"),
        ],
        &mut answers,
    );
    assert_eq!(
        problems(&errors),
        [
            ("castka", &Problem::NotAnAmount),
            ("pocet", &Problem::NotANumber),
            ("dny", &Problem::TooManyChoices { max: 2 }),
        ]
    );
    let errors = read(&[("castka", "60000"), ("dny", "so")], &mut answers);
    assert_eq!(
        problems(&errors),
        [
            ("castka", &Problem::AboveMax(Bound::Money(5_000_000))),
            ("dny", &Problem::NotAnOption),
        ]
    );
}

#[test]
fn a_changed_definition_drops_what_it_no_longer_asks() {
    let form = built_in("zadost-o-informace");
    let mut answers = Answers::default();
    answers.set("jmeno", Value::One("Jana".into()));
    answers.set("fax", Value::One("123".into()));
    assert_eq!(answers.drop_unknown(&form), ["fax"]);
    assert_eq!(answers.one("jmeno"), Some("Jana"));
}

#[test]
fn definition_errors_name_the_place() {
    let base = r#"
id = "test"
version = 1
title = { cs = "Test", en = "Test" }
summary = { cs = "Test", en = "Test" }
life_situation = "other"
agenda = "test"
loa = "low"
record_class = "1.4"
"#;
    let with = |steps: &str| {
        FormDefinition::parse(&format!("{base}{steps}"))
            .unwrap_err()
            .to_string()
    };
    let field = |rest: &str| {
        with(&format!(
            "[[steps]]\ntitle = {{ cs = \"Krok\", en = \"Step\" }}\n[[steps.fields]]\nid = \"pole\"\nlabel = {{ cs = \"Pole\", en = \"Field\" }}\n{rest}\n"
        ))
    };
    for (rest, expected) in [
        (
            "kind = \"text\"\nmax_length = 0",
            "steps[0].fields[0] (pole): lengths",
        ),
        (
            "kind = \"date\"\nmax_length = 10",
            "steps[0].fields[0] (pole): max_length does not apply to a date field",
        ),
        ("kind = \"slider\"", "kind \"slider\" is none of"),
        (
            "kind = \"text\"\npattern = \"[a-\"\npattern_hint = { cs = \"x\", en = \"x\" }",
            "steps[0].fields[0] (pole).pattern",
        ),
        (
            "kind = \"text\"\npattern = \"[a-z]+\"",
            "a pattern needs its pattern_hint",
        ),
        (
            "kind = \"choice\"\noptions = [{ value = \"a\", cs = \"A\", en = \"A\" }]",
            "2 to 100 options",
        ),
        (
            "kind = \"text\"\nvisible_when = { field = \"nic\", equals = \"x\" }",
            "visible_when: \"nic\" is not a field",
        ),
        (
            "kind = \"date\"\nprefill = \"profile.email\"",
            "does not fit a date field",
        ),
        (
            "kind = \"text\"\nlabel_en = \"x\"",
            "line 16: unknown field `label_en`",
        ),
    ] {
        let error = field(rest);
        assert!(error.contains(expected), "{rest}: {error}");
    }
    assert!(with("").contains("steps"), "a form needs steps");
    let error = FormDefinition::parse(&base.replace("record_class = \"1.4\"", "record_class = \"9.9\"\n[[steps]]\ntitle = { cs = \"K\", en = \"S\" }\nfields = [{ id = \"a\", kind = \"text\", label = { cs = \"A\", en = \"\" } }]")).unwrap_err();
    assert_eq!(error.at, "record_class");
    let error = FormDefinition::parse(&base.replace("record_class = \"1.4\"", "record_class = \"1.4\"\n[[steps]]\ntitle = { cs = \"K\", en = \"S\" }\nfields = [{ id = \"a\", kind = \"text\", label = { cs = \"A\", en = \" \" } }]")).unwrap_err();
    assert_eq!(
        error.to_string(),
        "steps[0].fields[0] (a).label: the en text is empty"
    );
    let error = FormDefinition::parse(&base.replace("record_class = \"1.4\"", "record_class = \"1.4\"\n[[steps]]\ntitle = { cs = \"K\", en = \"S\" }\nfields = [{ id = \"a\", kind = \"text\", label = { cs = \"A\", en = \"A\" } }, { id = \"a\", kind = \"email\", label = { cs = \"B\", en = \"B\" } }]")).unwrap_err();
    assert!(
        error.to_string().contains("the id is used already"),
        "{error}"
    );
}

#[test]
fn the_catalogue_finds_forms_by_words_without_diacritics() {
    let catalog = Catalog::load([]).unwrap();
    assert_eq!(catalog.all().count(), BUILT_IN.len());
    let found = catalog.search("ridicsky PRUKAZ", Language::Czech);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].0, LifeSituation::Driving);
    assert_eq!(found[0].1[0].id.as_str(), "ridicsky-prukaz-konec-platnosti");
    assert!(catalog.search("lampa", Language::Czech)[0].1[0].id.as_str() == "hlaseni-zavady");
    assert!(catalog.search("nic takového", Language::Czech).is_empty());
    let everything: usize = catalog
        .search("", Language::English)
        .iter()
        .map(|(_, forms)| forms.len())
        .sum();
    assert_eq!(everything, BUILT_IN.len());
}

#[test]
fn the_operator_replaces_a_built_in_form_and_may_not_define_one_twice() {
    let (_, dog) = BUILT_IN[1];
    let changed = dog.replace("version = 1", "version = 2");
    let catalog = Catalog::load([("psi.toml".to_owned(), changed.as_str())]).unwrap();
    assert_eq!(catalog.get("prihlaseni-psa").unwrap().version, 2);
    let error = Catalog::load([
        ("psi.toml".to_owned(), changed.as_str()),
        ("psi-2.toml".to_owned(), changed.as_str()),
    ])
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "psi-2.toml: id: psi.toml defines the form prihlaseni-psa already"
    );
    let broken = dog.replace("kind = \"date\"", "kind = \"datum\"");
    let error = Catalog::load([("psi.toml".to_owned(), broken.as_str())]).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("psi.toml: steps[1].fields[0] (psi).fields[3] (narozen): kind \"datum\""),
        "{error}"
    );
}
