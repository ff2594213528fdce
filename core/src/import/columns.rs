//! Matching a file's own columns to the template's, as in-browser importers do: "E-mail
//! Address", "Vorname" or "Enable seat" are suggested as email, first_name, mos_enable
//! from their names (normalized, with synonyms in the languages sales teams use), from
//! what their cells look like, and from what the organization chose for its last file.
//! Also the booleans spreadsheets write in other languages (WAHR, VRAI, 1 …).

use super::template::{Column, CELLS, COLUMNS};
use std::collections::HashMap;

/// A header reduced to what identifies it: lowercase letters and digits, accents
/// dropped ("E-mail Address" → "emailaddress", "Prénom" → "prenom").
pub fn header_key(header: &str) -> String {
    header
        .chars()
        .flat_map(char::to_lowercase)
        .filter_map(|c| match c {
            'a'..='z' | '0'..='9' => Some(c),
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' => Some('a'),
            'ç' => Some('c'),
            'è' | 'é' | 'ê' | 'ë' => Some('e'),
            'ì' | 'í' | 'î' | 'ï' => Some('i'),
            'ñ' => Some('n'),
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' => Some('o'),
            'ù' | 'ú' | 'û' | 'ü' => Some('u'),
            'ß' => Some('s'),
            _ => None,
        })
        .collect()
}

/// Header names (as [`header_key`]s) that mean a template column, besides its own name.
const SYNONYMS: &[(Column, &[&str])] = &[
    (
        Column::UserId,
        &[
            "id",
            "employeeid",
            "employeenumber",
            "employeeno",
            "personnelnumber",
            "personalnummer",
            "matricule",
            "externalid",
            "personid",
            "staffid",
            "userid",
            "memberid",
            "mitarbeiterid",
            "identifiant",
            "idempleado",
            "idusuario",
            "numerodeempleado",
            "numeroempleado",
            "numerodemploye",
            "numerodipendente",
            "mitarbeiternummer",
            "personeelsnummer",
        ],
    ),
    (
        Column::FirstName,
        &[
            "first",
            "givenname",
            "forename",
            "firstname",
            "legalfirstname",
            "preferredfirstname",
            "vorname",
            "prenom",
            "nombre",
            "nome",
            "voornaam",
        ],
    ),
    (
        Column::LastName,
        &[
            "last",
            "surname",
            "familyname",
            "lastname",
            "legallastname",
            "nachname",
            "familienname",
            "nom",
            "apellido",
            "apellidos",
            "cognome",
            "achternaam",
        ],
    ),
    (
        Column::Email,
        &[
            "email",
            "emailaddress",
            "mail",
            "mailaddress",
            "workemail",
            "businessemail",
            "primaryworkemail",
            "workemailaddress",
            "primaryemail",
            "emailadresse",
            "courriel",
            "adressemail",
            "adresseemail",
            "correo",
            "correoelectronico",
        ],
    ),
    (
        Column::JobTitle,
        &[
            "job",
            "title",
            "jobtitle",
            "businesstitle",
            "positiontitle",
            "position",
            "jobrole",
            "role",
            "function",
            "berufsbezeichnung",
            "stelle",
            "funktion",
            "poste",
            "fonction",
            "cargo",
            "puesto",
        ],
    ),
    (
        Column::MosEnable,
        &[
            "enable",
            "enableseat",
            "enablelicense",
            "enablelicence",
            "mosenableseat",
            "meddpiccenable",
        ],
    ),
    (
        Column::MosOpportunity,
        &[
            "opportunity",
            "opportunityseat",
            "opportunitylicense",
            "opportunitylicence",
            "mosopportunityseat",
            "meddpiccopportunity",
        ],
    ),
    (
        Column::CourseEnrollments,
        &[
            "courses",
            "programs",
            "programmes",
            "enrollments",
            "enrolments",
            "trainingprograms",
            "training",
            "kurse",
            "programme",
            "cours",
            "cursos",
        ],
    ),
];

/// Words that name a template column wherever they stand in a header, in the languages
/// the teams use: "Licence Enable", "Intitulé du poste", "Adresse e-mail professionnelle",
/// "Puesto de trabajo", "Enable-Lizenz" (each word reduced as [`header_key`] reduces a
/// name). A header whose words name two columns names none.
const WORDS: &[(Column, &[&str])] = &[
    (
        Column::UserId,
        &[
            "idemploye",
            "employeid",
            "employeeid",
            "idempleado",
            "iddipendente",
            "mitarbeiterid",
            "matricule",
            "matricola",
            "personalnummer",
            "personeelsnummer",
            "employeenumber",
        ],
    ),
    (
        Column::FirstName,
        &[
            "prenom",
            "vorname",
            "voornaam",
            "firstname",
            "forename",
            "givenname",
            "nombre",
            "nome",
        ],
    ),
    (
        Column::LastName,
        &[
            "surname",
            "lastname",
            "familyname",
            "nachname",
            "familienname",
            "achternaam",
            "apellido",
            "apellidos",
            "cognome",
            "famille",
        ],
    ),
    (
        Column::Email,
        &[
            "email",
            "mail",
            "courriel",
            "correo",
            "emailadres",
            "emailadresse",
        ],
    ),
    (
        Column::JobTitle,
        &[
            "poste",
            "fonction",
            "puesto",
            "cargo",
            "mansione",
            "qualifica",
            "ruolo",
            "stellenbezeichnung",
            "berufsbezeichnung",
            "jobtitel",
            "functie",
            "functietitel",
            "functienaam",
            "jobtitle",
            "title",
        ],
    ),
    (Column::MosEnable, &["enable"]),
    (Column::MosOpportunity, &["opportunity"]),
    (
        Column::CourseEnrollments,
        &[
            "programs",
            "programmes",
            "programme",
            "program",
            "programas",
            "programmi",
            "programma",
            "formations",
            "courses",
            "cursos",
            "corsi",
            "kurse",
            "opleidingen",
            "schulungen",
        ],
    ),
];

/// A header's words, each reduced as [`header_key`] reduces a name, with each pair of
/// neighbours joined too ("First Name" → first, name, firstname).
fn words(header: &str) -> Vec<String> {
    let single: Vec<String> = header
        .split(|c: char| !c.is_alphanumeric())
        .map(header_key)
        .filter(|w| !w.is_empty())
        .collect();
    let pairs: Vec<String> = single.windows(2).map(|w| w.concat()).collect();
    single.into_iter().chain(pairs).collect()
}

/// The template column a header names, by its own name, a synonym, or the words in it.
pub fn column_named(header: &str) -> Option<Column> {
    column_by_name(header).or_else(|| column_of_words(header))
}

/// The template column a header names by its own name or a synonym.
fn column_by_name(header: &str) -> Option<Column> {
    let key = header_key(header);
    if key.is_empty() {
        return None;
    }
    COLUMNS
        .into_iter()
        .find(|c| header_key(c.name()) == key)
        .or_else(|| {
            SYNONYMS
                .iter()
                .find(|(_, names)| names.contains(&key.as_str()))
                .map(|(column, _)| *column)
        })
}

/// The one template column the words of `header` name, if exactly one.
fn column_of_words(header: &str) -> Option<Column> {
    let words = words(header);
    let mut named = WORDS
        .iter()
        .filter(|(_, names)| words.iter().any(|w| names.contains(&w.as_str())))
        .map(|(column, _)| *column);
    match (named.next(), named.next()) {
        (Some(column), None) => Some(column),
        _ => None,
    }
}

/// Whether every non-empty sample is a boolean, in the template's words or another
/// language's (TRUE, WAHR, VRAI, oui, 1 …), and there is one.
fn all_booleans(samples: &[&str]) -> bool {
    let values: Vec<&str> = samples
        .iter()
        .copied()
        .filter(|v| !v.trim().is_empty())
        .collect();
    !values.is_empty() && values.iter().all(|v| localized_boolean(v).is_some())
}

/// The template column a file column's cells look like, when they say so clearly: every
/// non-empty sample an address (email) or a user_id (EXT and five digits).
fn column_by_shape(samples: &[&str]) -> Option<Column> {
    let values: Vec<&str> = samples.iter().copied().filter(|v| !v.is_empty()).collect();
    if values.is_empty() {
        return None;
    }
    let all = |test: fn(&str) -> bool| values.iter().all(|v| test(v));
    if all(|v| v.contains('@') && !v.contains(' ')) {
        return Some(Column::Email);
    }
    if all(|v| crate::domain::ExternalId::parse(v).is_ok()) {
        return Some(Column::UserId);
    }
    None
}

/// How a file's columns are read: for each file column, the template column it fills or
/// `None` (ignored).
pub type ColumnMap = Vec<Option<Column>>;

/// The suggested [`ColumnMap`] for a file with `headers` and a few sample rows: what the
/// organization chose for a header before (`remembered`, by [`header_key`]), else the
/// header's name, else the cells' shape. A template column goes to one file column only
/// (the first that claims it).
pub fn suggest(
    headers: &[String],
    samples: &[Vec<String>],
    remembered: &HashMap<String, Option<Column>>,
) -> ColumnMap {
    let mut taken = [false; CELLS];
    let mut map: ColumnMap = vec![None; headers.len()];
    // Remembered choices first, then names, then words in names, then shapes: a stronger
    // reason wins a column ("Employee ID" before "Manager ID").
    let passes: [&dyn Fn(usize) -> Option<Option<Column>>; 4] = [
        &|i| remembered.get(&header_key(&headers[i])).copied(),
        &|i| column_by_name(&headers[i]).map(Some),
        &|i| {
            let column = column_of_words(&headers[i])?;
            // A license's name in a header is a seat column when its cells are yes/no
            // in some language ("Licence Enable": VRAI/FAUX); a date or a note beside
            // the name ("Enable since") is not.
            let seat = matches!(column, Column::MosEnable | Column::MosOpportunity);
            if seat && !samples.is_empty() {
                let cells: Vec<&str> = samples
                    .iter()
                    .map(|row| row.get(i).map_or("", String::as_str))
                    .collect();
                let empty = cells.iter().all(|c| c.trim().is_empty());
                if !empty && !all_booleans(&cells) {
                    return None;
                }
            }
            Some(Some(column))
        },
        &|i| {
            let column: Vec<&str> = samples
                .iter()
                .map(|row| row.get(i).map_or("", String::as_str))
                .collect();
            column_by_shape(&column).map(Some)
        },
    ];
    let mut decided = vec![false; headers.len()];
    for pass in passes {
        for i in 0..headers.len() {
            if decided[i] {
                continue;
            }
            match pass(i) {
                // Remembered as ignored.
                Some(None) => decided[i] = true,
                Some(Some(column)) if !taken[column.index()] => {
                    taken[column.index()] = true;
                    map[i] = Some(column);
                    decided[i] = true;
                }
                _ => {}
            }
        }
    }
    map
}

/// Whether a file's header needs the matching step: some column is not a template column
/// by its exact name, or a required one is missing.
pub fn needs_matching(headers: &[String]) -> bool {
    let exact: Vec<Option<Column>> = headers.iter().map(|h| Column::from_header(h)).collect();
    let unknown = headers
        .iter()
        .zip(&exact)
        .any(|(h, c)| c.is_none() && !h.trim().is_empty());
    let missing = COLUMNS
        .iter()
        .any(|c| c.required() && !exact.contains(&Some(*c)));
    unknown || missing
}

/// What a map still lacks: the required template columns no file column fills.
pub fn missing_required(map: &ColumnMap) -> Vec<Column> {
    COLUMNS
        .into_iter()
        .filter(|c| c.required() && !map.contains(&Some(*c)))
        .collect()
}

/// A boolean cell in the words spreadsheets and people use, in the languages of the
/// teams: `Some(true)` / `Some(false)`, `None` when it is none of them. TRUE, FALSE and
/// the empty cell are the template's own (see the check); this reads the others.
pub fn localized_boolean(value: &str) -> Option<bool> {
    const TRUE: &[&str] = &[
        "true",
        "wahr",
        "vrai",
        "verdadero",
        "vero",
        "waar",
        "sant",
        "yes",
        "y",
        "ja",
        "oui",
        "si",
        "sí",
        "1",
        "x",
    ];
    const FALSE: &[&str] = &[
        "false", "falsch", "faux", "falso", "onwaar", "falsk", "no", "n", "nein", "non", "nee",
        "nej", "0",
    ];
    let lower = value.trim().to_lowercase();
    if TRUE.contains(&lower.as_str()) {
        Some(true)
    } else if FALSE.contains(&lower.as_str()) {
        Some(false)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn hr_style_headers_are_suggested() {
        let file = headers(&[
            "Employee ID",
            "Vorname",
            "Nachname",
            "E-mail Address",
            "Job",
            "Enable seat",
            "Opportunity seat",
            "Personnel number",
            "Department",
        ]);
        let map = suggest(&file, &[], &HashMap::new());
        assert_eq!(
            map,
            vec![
                Some(Column::UserId),
                Some(Column::FirstName),
                Some(Column::LastName),
                Some(Column::Email),
                Some(Column::JobTitle),
                Some(Column::MosEnable),
                Some(Column::MosOpportunity),
                None,
                None,
            ]
        );
        assert!(needs_matching(&file));
        assert!(missing_required(&map).is_empty());
        assert!(!needs_matching(&headers(&[
            "user_id",
            "first_name",
            "last_name",
            "email",
            "job_title",
            "mos_enable",
            "mos_opportunity",
            "course_enrollments"
        ])));
    }

    #[test]
    fn hr_systems_exports_are_suggested() {
        // Workday's and BambooHR's column names.
        let workday = headers(&[
            "Employee ID",
            "Legal First Name",
            "Legal Last Name",
            "Primary Work Email",
            "Business Title",
        ]);
        let bamboo = headers(&[
            "Employee Number",
            "First Name",
            "Last Name",
            "Work Email",
            "Job Title",
        ]);
        for file in [workday, bamboo] {
            assert_eq!(
                suggest(&file, &[], &HashMap::new()),
                vec![
                    Some(Column::UserId),
                    Some(Column::FirstName),
                    Some(Column::LastName),
                    Some(Column::Email),
                    Some(Column::JobTitle),
                ]
            );
        }
    }

    #[test]
    fn cells_and_memory_decide_what_names_cannot() {
        let file = headers(&["Kontakt", "Kennung", "Prénom", "Name"]);
        let samples = vec![
            vec![
                "ana@example.com".into(),
                "EXT00001".into(),
                "Ana".into(),
                "Ruiz".into(),
            ],
            vec![
                "bo@example.com".into(),
                "EXT00002".into(),
                "Bo".into(),
                "Li".into(),
            ],
        ];
        let mut remembered = HashMap::new();
        remembered.insert(header_key("Name"), Some(Column::LastName));
        let map = suggest(&file, &samples, &remembered);
        assert_eq!(
            map,
            vec![
                Some(Column::Email),
                Some(Column::UserId),
                Some(Column::FirstName),
                Some(Column::LastName)
            ]
        );
        // A column remembered as ignored stays ignored, even with a telling name.
        remembered.insert(header_key("Prénom"), None);
        assert_eq!(suggest(&file, &samples, &remembered)[2], None);
    }

    #[test]
    fn words_inside_names_in_five_languages() {
        let cases: &[(&str, Option<Column>)] = &[
            ("Intitulé du poste", Some(Column::JobTitle)),
            ("Titre du poste", Some(Column::JobTitle)),
            ("Puesto de trabajo", Some(Column::JobTitle)),
            ("Mansione", Some(Column::JobTitle)),
            ("Stellenbezeichnung", Some(Column::JobTitle)),
            ("Functietitel", Some(Column::JobTitle)),
            ("Licence Enable", Some(Column::MosEnable)),
            ("Siège Opportunity", Some(Column::MosOpportunity)),
            ("Enable-Lizenz", Some(Column::MosEnable)),
            (
                "Licencia Opportunity (MEDDPICC)",
                Some(Column::MosOpportunity),
            ),
            ("Adresse e-mail professionnelle", Some(Column::Email)),
            ("Correo electrónico corporativo", Some(Column::Email)),
            ("E-Mail-Adresse", Some(Column::Email)),
            ("Nom de famille", Some(Column::LastName)),
            ("Prénom usuel", Some(Column::FirstName)),
            ("Nombre de pila", Some(Column::FirstName)),
            ("Programmes de formation", Some(Column::CourseEnrollments)),
            ("ID employé", Some(Column::UserId)),
            ("Personalnummer (SAP)", Some(Column::UserId)),
            // Two columns named, or none: no suggestion.
            ("Position ID", None),
            ("Department", None),
            ("Employee roster — exported 30 November 2026", None),
        ];
        for (header, expected) in cases {
            assert_eq!(column_named(header), *expected, "{header}");
        }
    }

    #[test]
    fn a_license_name_is_a_seat_when_its_cells_are_yes_or_no() {
        let file = headers(&["Courriel", "Licence Enable", "Enable depuis"]);
        let samples = vec![
            vec!["a@b.example".into(), "VRAI".into(), "2026-01-04".into()],
            vec!["c@d.example".into(), "FAUX".into(), "2026-02-01".into()],
        ];
        assert_eq!(
            suggest(&file, &samples, &HashMap::new()),
            vec![Some(Column::Email), Some(Column::MosEnable), None]
        );
    }

    #[test]
    fn a_template_column_goes_to_one_file_column() {
        let file = headers(&["Email", "E-mail"]);
        assert_eq!(
            suggest(&file, &[], &HashMap::new()),
            vec![Some(Column::Email), None]
        );
    }

    #[test]
    fn booleans_in_other_languages() {
        for yes in ["WAHR", "Vrai", "VERDADERO", "yes", "1", "Ja"] {
            assert_eq!(localized_boolean(yes), Some(true), "{yes}");
        }
        for no in ["FALSCH", "faux", "FALSO", "no", "0", "Nein"] {
            assert_eq!(localized_boolean(no), Some(false), "{no}");
        }
        assert_eq!(localized_boolean("maybe"), None);
    }
}
