//! Places a company can be established in: ISO 3166-1 countries and the groups `eu` and `eea`.
//!
//! License clauses name places (multimodal Llama 3.2 / 4 grant no rights to entities domiciled in
//! the European Union), so `--region` and the policy's `usage.region` are parsed into a `Place`
//! rather than kept as free text: `mars` is an error with a did-you-mean, and `de` or `Germany`
//! is known to be in the EU, where only the literal `eu` used to trigger the clause.
//!
//! Sources:
//! - ISO 3166-1 alpha-2 codes and English short names: https://www.iso.org/iso-3166-country-codes.html
//!   (table below copied from Debian's iso-codes 4.15.0, which tracks it);
//! - the 27 EU member states: https://european-union.europa.eu/principles-countries-history/eu-countries_en
//!   (checked 2026; the United Kingdom left on 2020-01-31);
//! - the EEA: the EU states plus Iceland, Liechtenstein and Norway, the EFTA states party to the
//!   Agreement on the European Economic Area (OJ L 1, 3.1.1994, p. 3, CELEX 21994A0103(01):
//!   https://eur-lex.europa.eu/legal-content/EN/TXT/?uri=CELEX:21994A0103(01)); Switzerland is not.

use serde::{Serialize, Serializer};
use std::fmt;

/// A country by its ISO 3166-1 alpha-2 code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Country {
    /// Index into `COUNTRIES`.
    index: u8,
}

impl Country {
    /// The country with this code (case-insensitive), if ISO assigns it.
    pub fn from_code(code: &str) -> Option<Country> {
        let upper = code.to_ascii_uppercase();
        COUNTRIES
            .binary_search_by(|(c, _)| (*c).cmp(upper.as_str()))
            .ok()
            .and_then(|i| u8::try_from(i).ok())
            .map(|index| Country { index })
    }

    /// The upper-case alpha-2 code, e.g. `DE`.
    pub fn code(self) -> &'static str {
        COUNTRIES[usize::from(self.index)].0
    }

    /// ISO's English short name, e.g. `Germany`.
    pub fn name(self) -> &'static str {
        COUNTRIES[usize::from(self.index)].1
    }

    /// A member state of the European Union.
    pub fn in_eu(self) -> bool {
        EU.contains(&self.code())
    }

    /// A state party to the EEA Agreement (the EU plus Iceland, Liechtenstein and Norway).
    pub fn in_eea(self) -> bool {
        self.in_eu() || EEA_EFTA.contains(&self.code())
    }

    /// Every country, by code.
    pub fn all() -> impl Iterator<Item = Country> {
        (0..COUNTRIES.len()).filter_map(|i| u8::try_from(i).ok().map(|index| Country { index }))
    }
}

/// Where a company is established, as the user says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Place {
    Country(Country),
    /// Somewhere in the European Union (`eu`).
    Eu,
    /// Somewhere in the European Economic Area (`eea`): possibly an EU member state.
    Eea,
}

/// Longest text tried as a place name: the longest name in the table is under 60 characters, and
/// a did-you-mean over megabytes of input would take minutes.
const MAX_LEN: usize = 100;

impl Place {
    /// Parses a code (`de`, `DE`), a name (`Germany`, `Czech Republic`, `Türkiye` or `Turkiye`),
    /// `eu` or `eea`, case-insensitively; anything else is an error with a did-you-mean.
    pub fn parse(text: &str) -> Result<Place, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err(
                "the region is empty: give a country code or name (de, Germany), eu or eea".into(),
            );
        }
        if t.chars().count() > MAX_LEN {
            return Err(format!(
                "the region is {} characters long: give a country code or name (de, Germany), eu or eea",
                t.chars().count()
            ));
        }
        let lower = t.to_lowercase();
        match lower.as_str() {
            "eu" | "european union" => return Ok(Place::Eu),
            "eea" | "european economic area" => return Ok(Place::Eea),
            _ => {}
        }
        if let Some(c) = Country::from_code(&lower).filter(|_| lower.len() == 2) {
            return Ok(Place::Country(c));
        }
        let by_name = COUNTRIES
            .iter()
            .position(|(_, name)| name.to_lowercase() == lower)
            .and_then(|i| u8::try_from(i).ok())
            .map(|index| Country { index });
        let by_alias = || {
            ALIASES
                .iter()
                .find(|(alias, _)| *alias == lower)
                .and_then(|(_, code)| Country::from_code(code))
        };
        if let Some(c) = by_name.or_else(by_alias) {
            return Ok(Place::Country(c));
        }
        // A short word was meant as a code, a longer one as a name: suggesting `AR` for `mars`
        // helps nobody.
        let hint = if lower.chars().count() <= 3 {
            let codes = COUNTRIES.iter().map(|(c, _)| *c);
            crate::suggest::did_you_mean(&lower, ["eu", "eea"].into_iter().chain(codes))
        } else {
            let names = COUNTRIES.iter().map(|(_, n)| *n);
            crate::suggest::did_you_mean(&lower, names.chain(ALIASES.iter().map(|(a, _)| *a)))
        };
        Err(format!(
            "unknown region `{t}`{hint}: give an ISO 3166-1 country code or name (de, Germany), eu or eea"
        ))
    }

    /// The lower-case code: `de`, `eu`, `eea` (as JSON output writes it).
    pub fn code(self) -> String {
        match self {
            Place::Country(c) => c.code().to_ascii_lowercase(),
            Place::Eu => "eu".into(),
            Place::Eea => "eea".into(),
        }
    }

    /// Whether somewhere in `self` may be somewhere in `other`: a country in a group it belongs
    /// to, the same country, or two groups (`eea` may be an EU state). What the user says is a
    /// place they may be in, so the check fails closed: `eea` overlaps Germany.
    pub fn may_overlap(self, other: Place) -> bool {
        match (self, other) {
            (Place::Country(a), Place::Country(b)) => a == b,
            (Place::Country(c), Place::Eu) | (Place::Eu, Place::Country(c)) => c.in_eu(),
            (Place::Country(c), Place::Eea) | (Place::Eea, Place::Country(c)) => c.in_eea(),
            (Place::Eu | Place::Eea, Place::Eu | Place::Eea) => true,
        }
    }

    /// Whether an entity established here may be domiciled in the EU: an EU member state, `eu`,
    /// or `eea` (which does not say whether it is an EU state or Iceland, Liechtenstein or Norway,
    /// so license clauses about the EU apply: the gate fails closed).
    pub fn may_be_in_eu(self) -> bool {
        match self {
            Place::Country(c) => c.in_eu(),
            Place::Eu | Place::Eea => true,
        }
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Country(c) => write!(f, "{} ({})", c.name(), c.code()),
            Place::Eu => f.write_str("the European Union"),
            Place::Eea => f.write_str("the European Economic Area"),
        }
    }
}

impl Serialize for Place {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

/// The 27 member states of the European Union (source in the module docs). Greece is `GR` in ISO
/// 3166-1 (the EU writes `EL`, accepted as an alias).
const EU: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// The EFTA states in the EEA (Switzerland is in EFTA but not in the EEA).
const EEA_EFTA: [&str; 3] = ["IS", "LI", "NO"];

/// ISO 3166-1 alpha-2 codes and English short names, sorted by code: the 249 officially assigned
/// codes, as published by ISO (https://www.iso.org/iso-3166-country-codes.html) and copied from
/// Debian's iso-codes 4.15.0 (`iso_3166-1.json`, fields `alpha_2` and `name`).
const COUNTRIES: [(&str, &str); 249] = [
    ("AD", "Andorra"),
    ("AE", "United Arab Emirates"),
    ("AF", "Afghanistan"),
    ("AG", "Antigua and Barbuda"),
    ("AI", "Anguilla"),
    ("AL", "Albania"),
    ("AM", "Armenia"),
    ("AO", "Angola"),
    ("AQ", "Antarctica"),
    ("AR", "Argentina"),
    ("AS", "American Samoa"),
    ("AT", "Austria"),
    ("AU", "Australia"),
    ("AW", "Aruba"),
    ("AX", "Åland Islands"),
    ("AZ", "Azerbaijan"),
    ("BA", "Bosnia and Herzegovina"),
    ("BB", "Barbados"),
    ("BD", "Bangladesh"),
    ("BE", "Belgium"),
    ("BF", "Burkina Faso"),
    ("BG", "Bulgaria"),
    ("BH", "Bahrain"),
    ("BI", "Burundi"),
    ("BJ", "Benin"),
    ("BL", "Saint Barthélemy"),
    ("BM", "Bermuda"),
    ("BN", "Brunei Darussalam"),
    ("BO", "Bolivia, Plurinational State of"),
    ("BQ", "Bonaire, Sint Eustatius and Saba"),
    ("BR", "Brazil"),
    ("BS", "Bahamas"),
    ("BT", "Bhutan"),
    ("BV", "Bouvet Island"),
    ("BW", "Botswana"),
    ("BY", "Belarus"),
    ("BZ", "Belize"),
    ("CA", "Canada"),
    ("CC", "Cocos (Keeling) Islands"),
    ("CD", "Congo, The Democratic Republic of the"),
    ("CF", "Central African Republic"),
    ("CG", "Congo"),
    ("CH", "Switzerland"),
    ("CI", "Côte d'Ivoire"),
    ("CK", "Cook Islands"),
    ("CL", "Chile"),
    ("CM", "Cameroon"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("CR", "Costa Rica"),
    ("CU", "Cuba"),
    ("CV", "Cabo Verde"),
    ("CW", "Curaçao"),
    ("CX", "Christmas Island"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DE", "Germany"),
    ("DJ", "Djibouti"),
    ("DK", "Denmark"),
    ("DM", "Dominica"),
    ("DO", "Dominican Republic"),
    ("DZ", "Algeria"),
    ("EC", "Ecuador"),
    ("EE", "Estonia"),
    ("EG", "Egypt"),
    ("EH", "Western Sahara"),
    ("ER", "Eritrea"),
    ("ES", "Spain"),
    ("ET", "Ethiopia"),
    ("FI", "Finland"),
    ("FJ", "Fiji"),
    ("FK", "Falkland Islands (Malvinas)"),
    ("FM", "Micronesia, Federated States of"),
    ("FO", "Faroe Islands"),
    ("FR", "France"),
    ("GA", "Gabon"),
    ("GB", "United Kingdom"),
    ("GD", "Grenada"),
    ("GE", "Georgia"),
    ("GF", "French Guiana"),
    ("GG", "Guernsey"),
    ("GH", "Ghana"),
    ("GI", "Gibraltar"),
    ("GL", "Greenland"),
    ("GM", "Gambia"),
    ("GN", "Guinea"),
    ("GP", "Guadeloupe"),
    ("GQ", "Equatorial Guinea"),
    ("GR", "Greece"),
    ("GS", "South Georgia and the South Sandwich Islands"),
    ("GT", "Guatemala"),
    ("GU", "Guam"),
    ("GW", "Guinea-Bissau"),
    ("GY", "Guyana"),
    ("HK", "Hong Kong"),
    ("HM", "Heard Island and McDonald Islands"),
    ("HN", "Honduras"),
    ("HR", "Croatia"),
    ("HT", "Haiti"),
    ("HU", "Hungary"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IM", "Isle of Man"),
    ("IN", "India"),
    ("IO", "British Indian Ocean Territory"),
    ("IQ", "Iraq"),
    ("IR", "Iran, Islamic Republic of"),
    ("IS", "Iceland"),
    ("IT", "Italy"),
    ("JE", "Jersey"),
    ("JM", "Jamaica"),
    ("JO", "Jordan"),
    ("JP", "Japan"),
    ("KE", "Kenya"),
    ("KG", "Kyrgyzstan"),
    ("KH", "Cambodia"),
    ("KI", "Kiribati"),
    ("KM", "Comoros"),
    ("KN", "Saint Kitts and Nevis"),
    ("KP", "Korea, Democratic People's Republic of"),
    ("KR", "Korea, Republic of"),
    ("KW", "Kuwait"),
    ("KY", "Cayman Islands"),
    ("KZ", "Kazakhstan"),
    ("LA", "Lao People's Democratic Republic"),
    ("LB", "Lebanon"),
    ("LC", "Saint Lucia"),
    ("LI", "Liechtenstein"),
    ("LK", "Sri Lanka"),
    ("LR", "Liberia"),
    ("LS", "Lesotho"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("LV", "Latvia"),
    ("LY", "Libya"),
    ("MA", "Morocco"),
    ("MC", "Monaco"),
    ("MD", "Moldova, Republic of"),
    ("ME", "Montenegro"),
    ("MF", "Saint Martin (French part)"),
    ("MG", "Madagascar"),
    ("MH", "Marshall Islands"),
    ("MK", "North Macedonia"),
    ("ML", "Mali"),
    ("MM", "Myanmar"),
    ("MN", "Mongolia"),
    ("MO", "Macao"),
    ("MP", "Northern Mariana Islands"),
    ("MQ", "Martinique"),
    ("MR", "Mauritania"),
    ("MS", "Montserrat"),
    ("MT", "Malta"),
    ("MU", "Mauritius"),
    ("MV", "Maldives"),
    ("MW", "Malawi"),
    ("MX", "Mexico"),
    ("MY", "Malaysia"),
    ("MZ", "Mozambique"),
    ("NA", "Namibia"),
    ("NC", "New Caledonia"),
    ("NE", "Niger"),
    ("NF", "Norfolk Island"),
    ("NG", "Nigeria"),
    ("NI", "Nicaragua"),
    ("NL", "Netherlands"),
    ("NO", "Norway"),
    ("NP", "Nepal"),
    ("NR", "Nauru"),
    ("NU", "Niue"),
    ("NZ", "New Zealand"),
    ("OM", "Oman"),
    ("PA", "Panama"),
    ("PE", "Peru"),
    ("PF", "French Polynesia"),
    ("PG", "Papua New Guinea"),
    ("PH", "Philippines"),
    ("PK", "Pakistan"),
    ("PL", "Poland"),
    ("PM", "Saint Pierre and Miquelon"),
    ("PN", "Pitcairn"),
    ("PR", "Puerto Rico"),
    ("PS", "Palestine, State of"),
    ("PT", "Portugal"),
    ("PW", "Palau"),
    ("PY", "Paraguay"),
    ("QA", "Qatar"),
    ("RE", "Réunion"),
    ("RO", "Romania"),
    ("RS", "Serbia"),
    ("RU", "Russian Federation"),
    ("RW", "Rwanda"),
    ("SA", "Saudi Arabia"),
    ("SB", "Solomon Islands"),
    ("SC", "Seychelles"),
    ("SD", "Sudan"),
    ("SE", "Sweden"),
    ("SG", "Singapore"),
    ("SH", "Saint Helena, Ascension and Tristan da Cunha"),
    ("SI", "Slovenia"),
    ("SJ", "Svalbard and Jan Mayen"),
    ("SK", "Slovakia"),
    ("SL", "Sierra Leone"),
    ("SM", "San Marino"),
    ("SN", "Senegal"),
    ("SO", "Somalia"),
    ("SR", "Suriname"),
    ("SS", "South Sudan"),
    ("ST", "Sao Tome and Principe"),
    ("SV", "El Salvador"),
    ("SX", "Sint Maarten (Dutch part)"),
    ("SY", "Syrian Arab Republic"),
    ("SZ", "Eswatini"),
    ("TC", "Turks and Caicos Islands"),
    ("TD", "Chad"),
    ("TF", "French Southern Territories"),
    ("TG", "Togo"),
    ("TH", "Thailand"),
    ("TJ", "Tajikistan"),
    ("TK", "Tokelau"),
    ("TL", "Timor-Leste"),
    ("TM", "Turkmenistan"),
    ("TN", "Tunisia"),
    ("TO", "Tonga"),
    ("TR", "Türkiye"),
    ("TT", "Trinidad and Tobago"),
    ("TV", "Tuvalu"),
    ("TW", "Taiwan, Province of China"),
    ("TZ", "Tanzania, United Republic of"),
    ("UA", "Ukraine"),
    ("UG", "Uganda"),
    ("UM", "United States Minor Outlying Islands"),
    ("US", "United States"),
    ("UY", "Uruguay"),
    ("UZ", "Uzbekistan"),
    ("VA", "Holy See (Vatican City State)"),
    ("VC", "Saint Vincent and the Grenadines"),
    ("VE", "Venezuela, Bolivarian Republic of"),
    ("VG", "Virgin Islands, British"),
    ("VI", "Virgin Islands, U.S."),
    ("VN", "Viet Nam"),
    ("VU", "Vanuatu"),
    ("WF", "Wallis and Futuna"),
    ("WS", "Samoa"),
    ("YE", "Yemen"),
    ("YT", "Mayotte"),
    ("ZA", "South Africa"),
    ("ZM", "Zambia"),
    ("ZW", "Zimbabwe"),
];

/// Other names accepted for a country (lower case): iso-codes' common and official names, the
/// same names without diacritics, and a few everyday ones (`uk`, `usa`, `russia`, and `el`, the code
/// the EU uses for Greece).
const ALIASES: [(&str, &str); 204] = [
    ("aland islands", "AX"),
    ("arab republic of egypt", "EG"),
    ("argentine republic", "AR"),
    ("bolivarian republic of venezuela", "VE"),
    ("bolivia", "BO"),
    ("britain", "GB"),
    ("british virgin islands", "VG"),
    ("brunei", "BN"),
    ("cape verde", "CV"),
    ("commonwealth of dominica", "DM"),
    ("commonwealth of the bahamas", "BS"),
    ("commonwealth of the northern mariana islands", "MP"),
    ("cote d'ivoire", "CI"),
    ("curacao", "CW"),
    ("czech republic", "CZ"),
    ("democratic people's republic of korea", "KP"),
    ("democratic republic of sao tome and principe", "ST"),
    ("democratic republic of the congo", "CD"),
    ("democratic republic of timor-leste", "TL"),
    ("democratic socialist republic of sri lanka", "LK"),
    ("eastern republic of uruguay", "UY"),
    ("el", "GR"),
    ("federal democratic republic of ethiopia", "ET"),
    ("federal democratic republic of nepal", "NP"),
    ("federal republic of germany", "DE"),
    ("federal republic of nigeria", "NG"),
    ("federal republic of somalia", "SO"),
    ("federated states of micronesia", "FM"),
    ("federative republic of brazil", "BR"),
    ("french republic", "FR"),
    ("gabonese republic", "GA"),
    ("grand duchy of luxembourg", "LU"),
    ("great britain", "GB"),
    ("hashemite kingdom of jordan", "JO"),
    ("hellenic republic", "GR"),
    ("holland", "NL"),
    ("hong kong special administrative region of china", "HK"),
    ("independent state of papua new guinea", "PG"),
    ("independent state of samoa", "WS"),
    ("iran", "IR"),
    ("islamic republic of afghanistan", "AF"),
    ("islamic republic of iran", "IR"),
    ("islamic republic of mauritania", "MR"),
    ("islamic republic of pakistan", "PK"),
    ("italian republic", "IT"),
    ("ivory coast", "CI"),
    ("kingdom of bahrain", "BH"),
    ("kingdom of belgium", "BE"),
    ("kingdom of bhutan", "BT"),
    ("kingdom of cambodia", "KH"),
    ("kingdom of denmark", "DK"),
    ("kingdom of eswatini", "SZ"),
    ("kingdom of lesotho", "LS"),
    ("kingdom of morocco", "MA"),
    ("kingdom of norway", "NO"),
    ("kingdom of saudi arabia", "SA"),
    ("kingdom of spain", "ES"),
    ("kingdom of sweden", "SE"),
    ("kingdom of thailand", "TH"),
    ("kingdom of the netherlands", "NL"),
    ("kingdom of tonga", "TO"),
    ("kyrgyz republic", "KG"),
    ("laos", "LA"),
    ("lebanese republic", "LB"),
    ("macao special administrative region of china", "MO"),
    ("macedonia", "MK"),
    ("micronesia", "FM"),
    ("moldova", "MD"),
    ("north korea", "KP"),
    ("palestine", "PS"),
    ("people's democratic republic of algeria", "DZ"),
    ("people's republic of bangladesh", "BD"),
    ("people's republic of china", "CN"),
    ("plurinational state of bolivia", "BO"),
    ("portuguese republic", "PT"),
    ("principality of andorra", "AD"),
    ("principality of liechtenstein", "LI"),
    ("principality of monaco", "MC"),
    ("republic of albania", "AL"),
    ("republic of angola", "AO"),
    ("republic of armenia", "AM"),
    ("republic of austria", "AT"),
    ("republic of azerbaijan", "AZ"),
    ("republic of belarus", "BY"),
    ("republic of benin", "BJ"),
    ("republic of bosnia and herzegovina", "BA"),
    ("republic of botswana", "BW"),
    ("republic of bulgaria", "BG"),
    ("republic of burundi", "BI"),
    ("republic of cabo verde", "CV"),
    ("republic of cameroon", "CM"),
    ("republic of chad", "TD"),
    ("republic of chile", "CL"),
    ("republic of colombia", "CO"),
    ("republic of costa rica", "CR"),
    ("republic of cote d'ivoire", "CI"),
    ("republic of croatia", "HR"),
    ("republic of cuba", "CU"),
    ("republic of cyprus", "CY"),
    ("republic of côte d'ivoire", "CI"),
    ("republic of djibouti", "DJ"),
    ("republic of ecuador", "EC"),
    ("republic of el salvador", "SV"),
    ("republic of equatorial guinea", "GQ"),
    ("republic of estonia", "EE"),
    ("republic of fiji", "FJ"),
    ("republic of finland", "FI"),
    ("republic of ghana", "GH"),
    ("republic of guatemala", "GT"),
    ("republic of guinea", "GN"),
    ("republic of guinea-bissau", "GW"),
    ("republic of guyana", "GY"),
    ("republic of haiti", "HT"),
    ("republic of honduras", "HN"),
    ("republic of iceland", "IS"),
    ("republic of india", "IN"),
    ("republic of indonesia", "ID"),
    ("republic of iraq", "IQ"),
    ("republic of kazakhstan", "KZ"),
    ("republic of kenya", "KE"),
    ("republic of kiribati", "KI"),
    ("republic of korea", "KR"),
    ("republic of latvia", "LV"),
    ("republic of liberia", "LR"),
    ("republic of lithuania", "LT"),
    ("republic of madagascar", "MG"),
    ("republic of malawi", "MW"),
    ("republic of maldives", "MV"),
    ("republic of mali", "ML"),
    ("republic of malta", "MT"),
    ("republic of mauritius", "MU"),
    ("republic of moldova", "MD"),
    ("republic of mozambique", "MZ"),
    ("republic of myanmar", "MM"),
    ("republic of namibia", "NA"),
    ("republic of nauru", "NR"),
    ("republic of nicaragua", "NI"),
    ("republic of north macedonia", "MK"),
    ("republic of palau", "PW"),
    ("republic of panama", "PA"),
    ("republic of paraguay", "PY"),
    ("republic of peru", "PE"),
    ("republic of poland", "PL"),
    ("republic of san marino", "SM"),
    ("republic of senegal", "SN"),
    ("republic of serbia", "RS"),
    ("republic of seychelles", "SC"),
    ("republic of sierra leone", "SL"),
    ("republic of singapore", "SG"),
    ("republic of slovenia", "SI"),
    ("republic of south africa", "ZA"),
    ("republic of south sudan", "SS"),
    ("republic of suriname", "SR"),
    ("republic of tajikistan", "TJ"),
    ("republic of the congo", "CG"),
    ("republic of the gambia", "GM"),
    ("republic of the marshall islands", "MH"),
    ("republic of the niger", "NE"),
    ("republic of the philippines", "PH"),
    ("republic of the sudan", "SD"),
    ("republic of trinidad and tobago", "TT"),
    ("republic of tunisia", "TN"),
    ("republic of turkiye", "TR"),
    ("republic of türkiye", "TR"),
    ("republic of uganda", "UG"),
    ("republic of uzbekistan", "UZ"),
    ("republic of vanuatu", "VU"),
    ("republic of yemen", "YE"),
    ("republic of zambia", "ZM"),
    ("republic of zimbabwe", "ZW"),
    ("reunion", "RE"),
    ("russia", "RU"),
    ("rwandese republic", "RW"),
    ("saint barthelemy", "BL"),
    ("slovak republic", "SK"),
    ("socialist republic of viet nam", "VN"),
    ("south korea", "KR"),
    ("state of eritrea", "ER"),
    ("state of israel", "IL"),
    ("state of kuwait", "KW"),
    ("state of palestine", "PS"),
    ("state of qatar", "QA"),
    ("sultanate of oman", "OM"),
    ("swaziland", "SZ"),
    ("swiss confederation", "CH"),
    ("syria", "SY"),
    ("taiwan", "TW"),
    ("tanzania", "TZ"),
    ("the netherlands", "NL"),
    ("togolese republic", "TG"),
    ("turkey", "TR"),
    ("turkiye", "TR"),
    ("uk", "GB"),
    ("union of the comoros", "KM"),
    ("united kingdom of great britain and northern ireland", "GB"),
    ("united mexican states", "MX"),
    ("united republic of tanzania", "TZ"),
    ("united states of america", "US"),
    ("usa", "US"),
    ("vatican", "VA"),
    ("vatican city", "VA"),
    ("venezuela", "VE"),
    ("vietnam", "VN"),
    ("virgin islands of the united states", "VI"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn country(text: &str) -> &'static str {
        match Place::parse(text) {
            Ok(Place::Country(c)) => c.code(),
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn the_tables_are_sorted_and_complete() {
        assert!(COUNTRIES.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(COUNTRIES
            .iter()
            .all(|(c, _)| c.len() == 2 && c.bytes().all(|b| b.is_ascii_uppercase())));
        assert_eq!(Country::all().count(), 249);
        for code in EU.iter().chain(&EEA_EFTA) {
            assert!(Country::from_code(code).is_some(), "{code}");
        }
        for (alias, code) in ALIASES {
            assert_eq!(alias.to_lowercase(), alias, "aliases are lower case");
            assert!(Country::from_code(code).is_some(), "{alias} -> {code}");
        }
        assert_eq!(Country::all().filter(|c| c.in_eu()).count(), 27);
        assert_eq!(Country::all().filter(|c| c.in_eea()).count(), 30);
    }

    #[test]
    fn codes_names_and_groups() {
        assert_eq!(country("de"), "DE");
        assert_eq!(country(" DE "), "DE");
        assert_eq!(country("germany"), "DE");
        assert_eq!(country("Federal Republic of Germany"), "DE");
        assert_eq!(country("Türkiye"), "TR");
        assert_eq!(country("turkiye"), "TR");
        assert_eq!(country("UK"), "GB");
        assert_eq!(country("el"), "GR");
        assert_eq!(country("United States"), "US");
        assert_eq!(country("czech republic"), "CZ");
        assert_eq!(Place::parse("EU"), Ok(Place::Eu));
        assert_eq!(Place::parse("eea"), Ok(Place::Eea));
        assert_eq!(Place::parse("fr").unwrap().code(), "fr");
    }

    #[test]
    fn membership() {
        let p = |t: &str| Place::parse(t).unwrap();
        for eu in ["eu", "eea", "de", "France", "ie", "Croatia", "el"] {
            assert!(p(eu).may_be_in_eu(), "{eu}");
        }
        for not in ["no", "ch", "gb", "us", "is", "li", "jp"] {
            assert!(!p(not).may_be_in_eu(), "{not}");
        }
        assert!(Country::from_code("NO").unwrap().in_eea());
        assert!(!Country::from_code("CH").unwrap().in_eea());
    }

    #[test]
    fn unknown_places_suggest() {
        let e = Place::parse("mars").unwrap_err();
        assert!(e.contains("unknown region `mars`"), "{e}");
        let e = Place::parse("Germny").unwrap_err();
        assert!(e.contains("did you mean `Germany`"), "{e}");
        let e = Place::parse("ed").unwrap_err();
        assert!(e.contains("did you mean `"), "{e}");
        assert!(Place::parse("").is_err());
        assert!(Place::parse("xx").is_err());
        assert!(Place::parse(&"a".repeat(10_000))
            .unwrap_err()
            .contains("10000 characters"));
    }
}
