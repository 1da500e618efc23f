//! The demo data set's vocabulary: names, streets, towns, offices, offences,
//! vehicles, trades and the uses of personal data. Everything here is real
//! except the town of Vzorov and its streets.

use obcan_core::registers::TradeKind;

/// Given names by the generation they are typical of.
pub(super) const MEN_BORN_BEFORE_1960: [&str; 18] = [
    "Jiří",
    "Jan",
    "Josef",
    "Jaroslav",
    "Miroslav",
    "Zdeněk",
    "Václav",
    "Karel",
    "Milan",
    "František",
    "Vladimír",
    "Stanislav",
    "Ladislav",
    "Antonín",
    "Oldřich",
    "Bohumil",
    "Jindřich",
    "Vlastimil",
];
pub(super) const MEN_BORN_1960_TO_1989: [&str; 18] = [
    "Petr", "Martin", "Tomáš", "Pavel", "Jan", "Jiří", "Michal", "David", "Lukáš", "Jakub",
    "Roman", "Radek", "Marek", "Aleš", "Libor", "Daniel", "Ondřej", "Zbyněk",
];
pub(super) const MEN_BORN_SINCE_1990: [&str; 18] = [
    "Jakub",
    "Jan",
    "Tomáš",
    "Adam",
    "Matěj",
    "Vojtěch",
    "Filip",
    "Ondřej",
    "Lukáš",
    "Dominik",
    "Daniel",
    "David",
    "Štěpán",
    "Šimon",
    "Tadeáš",
    "Matyáš",
    "Antonín",
    "Marek",
];
pub(super) const WOMEN_BORN_BEFORE_1960: [&str; 18] = [
    "Marie",
    "Jana",
    "Věra",
    "Eva",
    "Hana",
    "Anna",
    "Jaroslava",
    "Ludmila",
    "Zdeňka",
    "Helena",
    "Alena",
    "Vlasta",
    "Libuše",
    "Božena",
    "Jiřina",
    "Milada",
    "Dagmar",
    "Jarmila",
];
pub(super) const WOMEN_BORN_1960_TO_1989: [&str; 18] = [
    "Jana",
    "Petra",
    "Lenka",
    "Martina",
    "Kateřina",
    "Lucie",
    "Markéta",
    "Michaela",
    "Veronika",
    "Hana",
    "Ivana",
    "Monika",
    "Zuzana",
    "Andrea",
    "Pavla",
    "Romana",
    "Jitka",
    "Eva",
];
pub(super) const WOMEN_BORN_SINCE_1990: [&str; 18] = [
    "Tereza",
    "Eliška",
    "Anna",
    "Karolína",
    "Adéla",
    "Natálie",
    "Kristýna",
    "Barbora",
    "Klára",
    "Veronika",
    "Nikola",
    "Aneta",
    "Denisa",
    "Lucie",
    "Sára",
    "Kateřina",
    "Markéta",
    "Julie",
];

/// Family names, the man's form and the woman's.
pub(super) const FAMILY_NAMES: [(&str, &str); 66] = [
    ("Novák", "Nováková"),
    ("Svoboda", "Svobodová"),
    ("Novotný", "Novotná"),
    ("Dvořák", "Dvořáková"),
    ("Černý", "Černá"),
    ("Procházka", "Procházková"),
    ("Kučera", "Kučerová"),
    ("Veselý", "Veselá"),
    ("Horák", "Horáková"),
    ("Němec", "Němcová"),
    ("Marek", "Marková"),
    ("Pospíšil", "Pospíšilová"),
    ("Pokorný", "Pokorná"),
    ("Hájek", "Hájková"),
    ("Král", "Králová"),
    ("Jelínek", "Jelínková"),
    ("Růžička", "Růžičková"),
    ("Beneš", "Benešová"),
    ("Fiala", "Fialová"),
    ("Sedláček", "Sedláčková"),
    ("Doležal", "Doležalová"),
    ("Zeman", "Zemanová"),
    ("Kolář", "Kolářová"),
    ("Navrátil", "Navrátilová"),
    ("Čermák", "Čermáková"),
    ("Vaněk", "Vaňková"),
    ("Urban", "Urbanová"),
    ("Blažek", "Blažková"),
    ("Kříž", "Křížová"),
    ("Kovář", "Kovářová"),
    ("Kratochvíl", "Kratochvílová"),
    ("Bartoš", "Bartošová"),
    ("Vlček", "Vlčková"),
    ("Polák", "Poláková"),
    ("Musil", "Musilová"),
    ("Kopecký", "Kopecká"),
    ("Šimek", "Šimková"),
    ("Konečný", "Konečná"),
    ("Malý", "Malá"),
    ("Holub", "Holubová"),
    ("Štěpánek", "Štěpánková"),
    ("Kadlec", "Kadlecová"),
    ("Dostál", "Dostálová"),
    ("Soukup", "Soukupová"),
    ("Šťastný", "Šťastná"),
    ("Mareš", "Marešová"),
    ("Moravec", "Moravcová"),
    ("Sýkora", "Sýkorová"),
    ("Tichý", "Tichá"),
    ("Valenta", "Valentová"),
    ("Vávra", "Vávrová"),
    ("Matoušek", "Matoušková"),
    ("Bláha", "Bláhová"),
    ("Ševčík", "Ševčíková"),
    ("Bureš", "Burešová"),
    ("Hruška", "Hrušková"),
    ("Janda", "Jandová"),
    ("Skála", "Skálová"),
    ("Beran", "Beranová"),
    ("Hrubý", "Hrubá"),
    ("Říha", "Říhová"),
    ("Toman", "Tomanová"),
    ("Vondráček", "Vondráčková"),
    ("Šindelář", "Šindelářová"),
    ("Bednář", "Bednářová"),
    ("Havlíček", "Havlíčková"),
];

/// The town's two postal districts.
pub(super) const VZOROV: &str = "123 45 Vzorov";
pub(super) const PODHRADI: &str = "123 46 Vzorov-Podhradí";

/// Streets of Vzorov: name, postal district, highest house number.
pub(super) const STREETS: [(&str, &str, i64); 34] = [
    ("Lipová", VZOROV, 160),
    ("Náměstí Míru", VZOROV, 40),
    ("Školní", VZOROV, 620),
    ("Zahradní", VZOROV, 240),
    ("Nádražní", VZOROV, 1180),
    ("Husova", VZOROV, 310),
    ("Palackého", VZOROV, 520),
    ("Komenského", VZOROV, 430),
    ("Jiráskova", VZOROV, 280),
    ("Smetanova", VZOROV, 350),
    ("Tyršova", VZOROV, 190),
    ("Masarykova", VZOROV, 1240),
    ("Sadová", VZOROV, 220),
    ("Polní", VZOROV, 980),
    ("Luční", VZOROV, 870),
    ("Krátká", VZOROV, 60),
    ("Na Výsluní", VZOROV, 1320),
    ("K Rybníku", VZOROV, 140),
    ("Družstevní", VZOROV, 760),
    ("Sokolská", VZOROV, 410),
    ("Havlíčkova", VZOROV, 330),
    ("Nerudova", VZOROV, 270),
    ("5. května", VZOROV, 690),
    ("Wolkerova", VZOROV, 560),
    ("U Hřiště", VZOROV, 1090),
    ("Na Stráni", VZOROV, 1410),
    ("Za Mlýnem", PODHRADI, 120),
    ("Mlýnská", PODHRADI, 90),
    ("Pod Hradem", PODHRADI, 150),
    ("Hradní", PODHRADI, 70),
    ("U Kapličky", PODHRADI, 60),
    ("Na Vyhlídce", PODHRADI, 110),
    ("Lesní", PODHRADI, 180),
    ("K Hájovně", PODHRADI, 45),
];

/// Where the people of Vzorov were born.
pub(super) const BIRTH_PLACES: [&str; 36] = [
    "Praha",
    "Brno",
    "Ostrava",
    "Plzeň",
    "Liberec",
    "Olomouc",
    "České Budějovice",
    "Hradec Králové",
    "Ústí nad Labem",
    "Pardubice",
    "Zlín",
    "Kladno",
    "Most",
    "Opava",
    "Jihlava",
    "Karlovy Vary",
    "Teplice",
    "Děčín",
    "Chomutov",
    "Přerov",
    "Mladá Boleslav",
    "Prostějov",
    "Třebíč",
    "Tábor",
    "Znojmo",
    "Kolín",
    "Příbram",
    "Cheb",
    "Písek",
    "Trutnov",
    "Kroměříž",
    "Beroun",
    "Kutná Hora",
    "Benešov",
    "Rakovník",
    "Slaný",
];

pub(super) const CZECH_REPUBLIC: &str = "Česká republika";

/// Residents with another citizenship: the state and where they were born.
pub(super) const OTHER_CITIZENSHIPS: [(&str, &str); 6] = [
    ("Slovenská republika", "Bratislava, Slovenská republika"),
    ("Slovenská republika", "Košice, Slovenská republika"),
    ("Ukrajina", "Lvov, Ukrajina"),
    ("Ukrajina", "Charkov, Ukrajina"),
    (
        "Vietnamská socialistická republika",
        "Hanoj, Vietnamská socialistická republika",
    ),
    ("Polská republika", "Krakov, Polská republika"),
];

/// Delivery addresses elsewhere: street, postcode and town, highest number.
pub(super) const DELIVERY_ADDRESSES: [(&str, &str, i64); 6] = [
    ("Korunní", "120 00 Praha 2", 120),
    ("Vinohradská", "130 00 Praha 3", 180),
    ("Masarykova", "602 00 Brno", 60),
    ("Americká", "301 00 Plzeň", 40),
    ("Husovo náměstí", "266 01 Beroun", 90),
    ("Karlovo náměstí", "280 02 Kolín", 70),
];

pub(super) const TOWN_OFFICE: &str = "Městský úřad Vzorov";

/// Offices that issue identity documents and driving licences elsewhere.
pub(super) const OTHER_ISSUING_OFFICES: [&str; 6] = [
    "Úřad městské části Praha 4",
    "Magistrát města Brna",
    "Magistrát města Plzně",
    "Magistrát města Kladna",
    "Městský úřad Beroun",
    "Městský úřad Kolín",
];

/// Issues passports in the short (express) procedure.
pub(super) const MINISTRY_OF_THE_INTERIOR: &str = "Ministerstvo vnitra";

/// Who decides road traffic offences.
pub(super) const OFFENCE_AUTHORITIES: [(u32, &str); 5] = [
    (5, "Městský úřad Vzorov, odbor dopravy"),
    (
        4,
        "Policie České republiky, Krajské ředitelství policie Středočeského kraje",
    ),
    (
        1,
        "Magistrát hlavního města Prahy, odbor dopravněsprávních činností",
    ),
    (1, NEIGHBOURING_TRAFFIC_OFFICE),
    (1, "Magistrát města Brna, odbor dopravněsprávních činností"),
];

pub(super) const TRAFFIC_OFFICE: &str = "Městský úřad Vzorov, odbor dopravy";
pub(super) const NEIGHBOURING_TRAFFIC_OFFICE: &str = "Městský úřad Beroun, odbor dopravy";
pub(super) const POLICE: &str =
    "Policie České republiky, Krajské ředitelství policie Středočeského kraje";

/// An offence from the annex of Act 361/2000 Coll. as in force since 2024,
/// with its points and, where the act requires one, the range of a driving
/// ban in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct OffenceKind {
    pub(super) description: &'static str,
    pub(super) points: u8,
    pub(super) ban_months: Option<(i64, i64)>,
}

pub(super) const DRINK_DRIVING: OffenceKind = OffenceKind {
    description: "Řízení motorového vozidla bezprostředně po požití alkoholického nápoje, je-li zjištěný obsah alkoholu u řidiče vyšší než 0,3 promile",
    points: 6,
    ban_months: Some((6, 12)),
};
pub(super) const SPEEDING_40: OffenceKind = OffenceKind {
    description: "Překročení nejvyšší dovolené rychlosti o 40 km/h a více v obci nebo o 50 km/h a více mimo obec",
    points: 6,
    ban_months: Some((6, 12)),
};
pub(super) const REFUSED_TEST: OffenceKind = OffenceKind {
    description: "Odmítnutí řidiče podrobit se vyšetření ke zjištění, zda není ovlivněn alkoholem nebo jinou návykovou látkou",
    points: 6,
    ban_months: Some((18, 24)),
};

/// Offences without a ban required, by points.
pub(super) const OFFENCES_6: [&str; 4] = [
    "Předjíždění vozidla v případě, kdy je to zakázáno",
    "Vjíždění na železniční přejezd v případě, kdy je to zakázáno",
    "Nezastavení vozidla na signál, který přikazuje řidiči zastavit vozidlo",
    "Ohrožení chodce přecházejícího pozemní komunikaci po přechodu pro chodce",
];
pub(super) const OFFENCES_4: [&str; 3] = [
    "Překročení nejvyšší dovolené rychlosti o 20 km/h a více v obci nebo o 30 km/h a více mimo obec",
    "Držení telefonního přístroje nebo jiného hovorového nebo záznamového zařízení v ruce při řízení vozidla",
    "Neprodlené nezastavení vozidla účastníka dopravní nehody nebo nedovolené opuštění místa dopravní nehody",
];
pub(super) const OFFENCES_2: [&str; 2] = [
    "Překročení nejvyšší dovolené rychlosti o 10 km/h a více, avšak o méně než 20 km/h v obci nebo o méně než 30 km/h mimo obec",
    "Stání na parkovacím místě vyhrazeném pro vozidlo přepravující osobu těžce zdravotně postiženou",
];

pub(super) const LOSS_BY_POINTS: &str =
    "Dosažení celkového počtu 12 bodů v bodovém hodnocení řidiče";
pub(super) const LOSS_BY_LONG_BAN: &str =
    "Uložení zákazu řízení motorových vozidel na dobu delší než jeden rok";
/// Why a licence was lost years ago (and since regained).
pub(super) const PAST_LOSS_REASONS: [&str; 3] = [
    LOSS_BY_POINTS,
    LOSS_BY_LONG_BAN,
    "Odnětí řidičského oprávnění pro ztrátu zdravotní způsobilosti",
];
pub(super) const LICENCE_HELD_BY_POLICE: &str =
    "Zadržení řidičského průkazu policistou do rozhodnutí o přestupku";

/// Series of Czech driving licence numbers (two letters, six digits).
pub(super) const LICENCE_SERIES: [&str; 10] =
    ["EA", "EB", "EC", "ED", "EE", "EF", "EH", "EJ", "EK", "EL"];

/// The regions' letters on registration plates; Vzorov's region first.
pub(super) const PLATE_REGIONS: [(u32, u8); 6] = [
    (16, b'S'),
    (2, b'A'),
    (1, b'P'),
    (1, b'C'),
    (1, b'U'),
    (1, b'B'),
];

/// A model in the vehicle register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Model {
    /// The world manufacturer identifier that starts the VIN.
    pub(super) wmi: &'static str,
    pub(super) make: &'static str,
    pub(super) model: &'static str,
    /// The EU vehicle category.
    pub(super) category: &'static str,
}

const fn model(
    wmi: &'static str,
    make: &'static str,
    model: &'static str,
    category: &'static str,
) -> Model {
    Model {
        wmi,
        make,
        model,
        category,
    }
}

pub(super) const CARS: [(u32, Model); 18] = [
    (9, model("TMB", "Škoda", "Octavia", "M1")),
    (6, model("TMB", "Škoda", "Fabia", "M1")),
    (3, model("TMB", "Škoda", "Superb", "M1")),
    (3, model("TMB", "Škoda", "Kodiaq", "M1")),
    (2, model("TMB", "Škoda", "Karoq", "M1")),
    (2, model("TMB", "Škoda", "Scala", "M1")),
    (1, model("TMB", "Škoda", "Enyaq", "M1")),
    (3, model("TMA", "Hyundai", "i30", "M1")),
    (2, model("TMA", "Hyundai", "Tucson", "M1")),
    (2, model("U5Y", "Kia", "Ceed", "M1")),
    (3, model("WVW", "Volkswagen", "Golf", "M1")),
    (1, model("WVW", "Volkswagen", "Passat", "M1")),
    (2, model("WF0", "Ford", "Focus", "M1")),
    (2, model("UU1", "Dacia", "Duster", "M1")),
    (1, model("VF1", "Renault", "Clio", "M1")),
    (1, model("VF3", "Peugeot", "308", "M1")),
    (1, model("W0L", "Opel", "Astra", "M1")),
    (1, model("ZFA", "Fiat", "Panda", "M1")),
];
pub(super) const VANS: [(u32, Model); 4] = [
    (2, model("WF0", "Ford", "Transit", "N1")),
    (2, model("WV1", "Volkswagen", "Transporter", "N1")),
    (1, model("VF1", "Renault", "Trafic", "N1")),
    (1, model("ZFA", "Fiat", "Ducato", "N1")),
];
pub(super) const TRUCKS: [(u32, Model); 4] = [
    (2, model("WMA", "MAN", "TGX", "N3")),
    (2, model("YS2", "Scania", "R 450", "N3")),
    (1, model("YV2", "Volvo", "FH", "N3")),
    (1, model("WDB", "Mercedes-Benz", "Actros", "N3")),
];
pub(super) const MOTORCYCLES: [(u32, Model); 4] = [
    (2, model("JH2", "Honda", "CB500F", "L3e")),
    (2, model("JYA", "Yamaha", "MT-07", "L3e")),
    (1, model("VBK", "KTM", "390 Duke", "L3e")),
    (1, model("JH2", "Honda", "Africa Twin", "L3e")),
];
pub(super) const TRAILERS: [(u32, Model); 2] = [
    (2, model("TK9", "Agados", "Handy 20", "O1")),
    (1, model("TK9", "Agados", "Velox", "O1")),
];

/// A trade's subject as the trade act names it, and its kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct TradeSubject {
    pub(super) name: &'static str,
    pub(super) kind: TradeKind,
}

pub(super) const FREE_TRADE: TradeSubject = TradeSubject {
    name: "Výroba, obchod a služby neuvedené v přílohách 1 až 3 živnostenského zákona",
    kind: TradeKind::Free,
};
pub(super) const HAULAGE: TradeSubject = TradeSubject {
    name: "Silniční motorová doprava - nákladní provozovaná vozidly nebo jízdními soupravami o největší povolené hmotnosti přesahující 3,5 tuny, jsou-li určeny k přepravě zvířat nebo věcí",
    kind: TradeKind::Licensed,
};
pub(super) const MASONRY: TradeSubject = TradeSubject {
    name: "Zednictví",
    kind: TradeKind::Vocational,
};

pub(super) const TRADE_SUBJECTS: [(u32, TradeSubject); 14] = [
    (12, FREE_TRADE),
    (3, HAULAGE),
    (3, MASONRY),
    (
        3,
        TradeSubject {
            name: "Hostinská činnost",
            kind: TradeKind::Vocational,
        },
    ),
    (
        2,
        TradeSubject {
            name: "Truhlářství, podlahářství",
            kind: TradeKind::Vocational,
        },
    ),
    (
        2,
        TradeSubject {
            name: "Vodoinstalatérství, topenářství",
            kind: TradeKind::Vocational,
        },
    ),
    (
        2,
        TradeSubject {
            name: "Holičství, kadeřnictví",
            kind: TradeKind::Vocational,
        },
    ),
    (
        1,
        TradeSubject {
            name: "Malířství, lakýrnictví, natěračství",
            kind: TradeKind::Vocational,
        },
    ),
    (
        1,
        TradeSubject {
            name: "Opravy silničních vozidel",
            kind: TradeKind::Vocational,
        },
    ),
    (
        2,
        TradeSubject {
            name: "Činnost účetních poradců, vedení účetnictví, vedení daňové evidence",
            kind: TradeKind::Bound,
        },
    ),
    (
        1,
        TradeSubject {
            name: "Masérské, rekondiční a regenerační služby",
            kind: TradeKind::Bound,
        },
    ),
    (
        1,
        TradeSubject {
            name: "Provádění staveb, jejich změn a odstraňování",
            kind: TradeKind::Bound,
        },
    ),
    (
        1,
        TradeSubject {
            name: "Prodej kvasného lihu, konzumního lihu a lihovin",
            kind: TradeKind::Licensed,
        },
    ),
    (
        1,
        TradeSubject {
            name: "Ostraha majetku a osob",
            kind: TradeKind::Licensed,
        },
    ),
];

pub(super) const TRADE_OFFICE: &str = "Městský úřad Vzorov, živnostenský úřad";

/// An agenda of the register of rights and duties that reads the population
/// register, with its code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Agenda {
    pub(super) code: &'static str,
    pub(super) name: &'static str,
}

pub(super) const RESIDENTS_AGENDA: Agenda = Agenda {
    code: "A115",
    name: "Evidence obyvatel a rodná čísla",
};
pub(super) const ID_CARDS_AGENDA: Agenda = Agenda {
    code: "A117",
    name: "Občanské průkazy",
};
pub(super) const PASSPORTS_AGENDA: Agenda = Agenda {
    code: "A118",
    name: "Cestovní doklady občanů České republiky",
};

/// One kind of use of a person's data: who, in which agenda, why, from where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Use {
    pub(super) authority: &'static str,
    pub(super) agenda: Agenda,
    pub(super) purpose: &'static str,
    pub(super) register: &'static str,
}

const fn usage(
    authority: &'static str,
    agenda: Agenda,
    purpose: &'static str,
    register: &'static str,
) -> Use {
    Use {
        authority,
        agenda,
        purpose,
        register,
    }
}

/// Uses that happen to anyone now and then.
pub(super) const ROUTINE_USES: [(u32, Use); 9] = [
    (
        8,
        usage(
            MINISTRY_OF_THE_INTERIOR,
            RESIDENTS_AGENDA,
            "Aktualizace údajů v informačním systému evidence obyvatel",
            "ROB",
        ),
    ),
    (
        5,
        usage(
            TOWN_OFFICE,
            RESIDENTS_AGENDA,
            "Ověření údajů o místě trvalého pobytu",
            "ROB",
        ),
    ),
    (
        3,
        usage(
            TOWN_OFFICE,
            RESIDENTS_AGENDA,
            "Ověření adresy pro doručení písemnosti",
            "ROB",
        ),
    ),
    (
        2,
        usage(
            "Česká pošta, s.p.",
            RESIDENTS_AGENDA,
            "Vydání výpisu z evidence obyvatel na žádost (Czech POINT)",
            "ISEO",
        ),
    ),
    (
        1,
        usage(
            "Magistrát města Kladna",
            RESIDENTS_AGENDA,
            "Ověření údajů o místě trvalého pobytu",
            "ROB",
        ),
    ),
    (
        3,
        usage(
            MINISTRY_OF_THE_INTERIOR,
            ID_CARDS_AGENDA,
            "Ověření platnosti občanského průkazu",
            "AIS EOP",
        ),
    ),
    (
        1,
        usage(
            POLICE,
            ID_CARDS_AGENDA,
            "Ověření platnosti občanského průkazu",
            "AIS EOP",
        ),
    ),
    (
        1,
        usage(
            MINISTRY_OF_THE_INTERIOR,
            PASSPORTS_AGENDA,
            "Ověření platnosti cestovního dokladu",
            "AIS ECD",
        ),
    ),
    (
        1,
        usage(
            TOWN_OFFICE,
            RESIDENTS_AGENDA,
            "Vydání výpisu z evidence obyvatel na žádost (Czech POINT)",
            "ISEO",
        ),
    ),
];

/// Uses that follow from issuing an identity document.
pub(super) const ID_CARD_APPLICATION: Use = usage(
    TOWN_OFFICE,
    ID_CARDS_AGENDA,
    "Vyřízení žádosti o vydání občanského průkazu",
    "ROB",
);
pub(super) const ID_CARD_HANDOVER: Use = usage(
    TOWN_OFFICE,
    ID_CARDS_AGENDA,
    "Předání občanského průkazu a zápis jeho převzetí",
    "AIS EOP",
);
pub(super) const PASSPORT_APPLICATION: Use = usage(
    TOWN_OFFICE,
    PASSPORTS_AGENDA,
    "Vyřízení žádosti o vydání cestovního pasu",
    "ROB",
);
pub(super) const PASSPORT_HANDOVER: Use = usage(
    TOWN_OFFICE,
    PASSPORTS_AGENDA,
    "Předání cestovního pasu a zápis jeho převzetí",
    "AIS ECD",
);
pub(super) const MARRIAGE_RECORD: Use = usage(
    MINISTRY_OF_THE_INTERIOR,
    RESIDENTS_AGENDA,
    "Zápis změny rodinného stavu",
    "ISEO",
);

/// Contact e-mail domains reserved for examples, so no message of the demo
/// ever reaches a real mailbox.
pub(super) const EMAIL_DOMAINS: [&str; 3] = ["example.com", "example.net", "example.org"];

/// Characters of data box identifiers (the register avoids look-alikes).
pub(super) const DATA_BOX_CHARACTERS: &[u8; 32] = b"abcdefghijkmnpqrstuvwxyz23456789";

/// Letters allowed in a VIN.
pub(super) const VIN_CHARACTERS: &[u8; 33] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

/// Letters of the plate's third character (the register leaves out look-alikes).
pub(super) const PLATE_LETTERS: &[u8; 20] = b"ABCDEFHJKLMNPRSTUVXZ";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn women_have_the_feminine_form_of_the_family_name() {
        for (man, woman) in FAMILY_NAMES {
            assert_ne!(man, woman);
            assert!(
                woman.ends_with("ová") || woman.ends_with('á'),
                "{man} → {woman}"
            );
            if woman.ends_with("ová") {
                // The stem stays (Němec → Němcová, Vaněk → Vaňková).
                let stem: String = man.chars().take(2).collect();
                assert!(woman.starts_with(&stem), "{man} → {woman}");
            } else {
                assert!(man.ends_with('ý'), "{man} → {woman}");
            }
        }
    }

    #[test]
    fn points_follow_the_annex() {
        for kind in [DRINK_DRIVING, SPEEDING_40, REFUSED_TEST] {
            assert_eq!(kind.points, 6);
            assert!(kind.ban_months.is_some());
        }
    }

    #[test]
    fn agenda_codes_are_codes() {
        for agenda in [RESIDENTS_AGENDA, ID_CARDS_AGENDA, PASSPORTS_AGENDA] {
            assert!(obcan_core::registers::AgendaCode::parse(agenda.code).is_ok());
        }
    }
}
