//! A deterministic generator of realistic catalog rows, for samples, tests and scale runs:
//! Spanish agricultural product names with brands, presentations and units; codes as seen in
//! practice (GTIN-13 with valid check digits, UNSPSC-based codes, seller SKUs such as
//! `CAF-ANT-000123`); real HS 2022 subheadings, mostly of chapters 01–24; some inactive.
//! Rows stream out one at a time, so any count (60 million and more) takes constant memory.

use std::io::Write;

use chrono::DateTime;

use super::product::{COLUMNS, format_timestamp};
use crate::dian::hs2022::{self, HsLevel};
use crate::dian::product_code::gs1_check_digit;
use crate::rng::Rng;

/// Products by chapter: (chapter, names, sku prefix, units).
const PRODUCTS: &[(u8, &[&str], &str)] = &[
    (
        1,
        &[
            "Novillo cebado",
            "Ternero destetado",
            "Cerdo en pie",
            "Pollito de un día",
            "Caballo criollo",
        ],
        "GAN",
    ),
    (
        2,
        &[
            "Carne de res molida",
            "Lomo de cerdo",
            "Pechuga de pollo",
            "Costilla de res",
            "Chuleta de cerdo",
        ],
        "CAR",
    ),
    (
        3,
        &[
            "Tilapia roja",
            "Trucha arcoíris",
            "Camarón tigre",
            "Bagre rayado",
            "Cachama blanca",
        ],
        "PES",
    ),
    (
        4,
        &[
            "Leche entera UHT",
            "Queso campesino",
            "Huevos AA rojos",
            "Yogur natural",
            "Mantequilla con sal",
            "Queso \"doble crema\"",
        ],
        "LAC",
    ),
    (
        6,
        &[
            "Rosa roja tipo exportación",
            "Clavel estándar",
            "Plántula de café",
            "Esqueje de crisantemo",
        ],
        "FLO",
    ),
    (
        7,
        &[
            "Papa pastusa",
            "Tomate chonto",
            "Cebolla cabezona",
            "Zanahoria",
            "Arveja verde",
            "Yuca fresca",
        ],
        "HOR",
    ),
    (
        8,
        &[
            "Banano Cavendish",
            "Aguacate Hass",
            "Mango Tommy",
            "Piña oro miel",
            "Naranja Valencia",
            "Maracuyá",
            "Limón Tahití",
        ],
        "FRU",
    ),
    (
        9,
        &[
            "Café verde excelso",
            "Café pergamino seco",
            "Café tostado en grano",
            "Café tostado molido",
            "Pimienta negra",
        ],
        "CAF",
    ),
    (
        10,
        &[
            "Arroz blanco",
            "Maíz amarillo",
            "Maíz blanco trillado",
            "Sorgo",
            "Trigo",
        ],
        "CER",
    ),
    (
        11,
        &[
            "Harina de trigo",
            "Harina de maíz precocida",
            "Almidón de yuca",
            "Avena en hojuelas",
        ],
        "HAR",
    ),
    (
        12,
        &[
            "Fríjol soya",
            "Semilla de ajonjolí",
            "Maní sin cáscara",
            "Semilla de algodón",
        ],
        "OLE",
    ),
    (
        15,
        &[
            "Aceite de palma crudo",
            "Aceite de soya refinado",
            "Manteca vegetal",
            "Aceite de girasol",
        ],
        "ACE",
    ),
    (
        16,
        &[
            "Salchicha de cerdo",
            "Jamón de cerdo",
            "Atún en aceite",
            "Chorizo antioqueño",
        ],
        "EMB",
    ),
    (
        17,
        &[
            "Azúcar blanca",
            "Panela en bloque",
            "Panela pulverizada",
            "Azúcar morena",
            "Melaza de caña",
        ],
        "AZU",
    ),
    (
        18,
        &[
            "Cacao en grano",
            "Chocolate de mesa",
            "Cacao en polvo",
            "Manteca de cacao",
        ],
        "CAC",
    ),
    (
        19,
        &[
            "Pasta spaghetti",
            "Galletas de soda",
            "Arepa de maíz, blanca",
            "Pan tajado",
        ],
        "PAN",
    ),
    (
        20,
        &[
            "Pulpa de mora",
            "Mermelada de guayaba",
            "Bocadillo veleño",
            "Tomate en conserva",
        ],
        "CON",
    ),
    (
        21,
        &[
            "Café soluble liofilizado",
            "Caldo de gallina",
            "Salsa de tomate",
            "Levadura seca",
        ],
        "ALI",
    ),
    (
        22,
        &[
            "Jugo de naranja",
            "Agua con gas",
            "Aguardiente anisado",
            "Cerveza lager",
        ],
        "BEB",
    ),
    (
        23,
        &[
            "Concentrado para bovinos",
            "Alimento para aves",
            "Torta de soya",
            "Salvado de trigo",
        ],
        "CON",
    ),
    (24, &["Tabaco en rama", "Cigarrillos rubios"], "TAB"),
];

const OTHER: &[(&[&str], &str)] = &[
    (
        &[
            "Fertilizante NPK 15-15-15",
            "Urea granulada",
            "Cal dolomita",
        ],
        "FER",
    ),
    (
        &[
            "Fungicida sistémico",
            "Herbicida selectivo",
            "Insecticida biológico",
        ],
        "AGQ",
    ),
    (
        &[
            "Machete de 22 pulgadas",
            "Bomba de espalda",
            "Manguera de riego",
        ],
        "HER",
    ),
    (
        &[
            "Costal de fique",
            "Estiba plástica",
            "Caja de cartón corrugado",
        ],
        "EMP",
    ),
];

const BRANDS: &[&str] = &[
    "La Sabana",
    "Don Pedro",
    "El Campesino",
    "Andino",
    "Doña Rosa",
    "Valle Verde",
    "Sierra Nevada",
    "Los Llanos",
    "Tierra Fértil",
    "Del Huila",
    "Finca El Roble",
    "Cordillera",
    "Santa Marta",
    "El Paisa",
    "Altiplano",
    "Nariño Orgánico",
    "Coop. Cafetera",
    "Río Cauca",
];
const REGIONS: &[&str] = &[
    "ANT", "CUN", "VAL", "HUI", "TOL", "SAN", "BOY", "NAR", "CAU", "MET", "CAL", "RIS",
];
const PRESENTATIONS: &[(&str, &[&str], &str)] = &[
    ("bolsa", &["250 g", "500 g", "1 kg", "2,5 kg"], "g"),
    ("bulto", &["25 kg", "40 kg", "50 kg"], "kg"),
    ("saco", &["50 kg", "60 kg", "70 kg"], "kg"),
    ("caja", &["12 und", "24 und", "10 kg", "18 kg"], "caja"),
    ("botella", &["350 ml", "750 ml", "1 L", "3 L"], "ml"),
    ("garrafa", &["5 L", "20 L"], "L"),
    ("paca", &["6 und", "12 und"], "und"),
    ("granel", &["por kg", "por tonelada"], "kg"),
];
const COLOMBIA_GS1: &str = "770";

/// A generator of `count` rows from `seed`.
#[derive(Debug, Clone)]
pub struct Generator {
    rng: Rng,
    next_id: u64,
    count: u64,
    agro: Vec<(u8, Vec<&'static str>)>,
    others: Vec<&'static str>,
}

impl Generator {
    /// A generator of `count` rows; the same seed always gives the same rows.
    pub fn new(count: u64, seed: u64) -> Generator {
        let mut agro: Vec<(u8, Vec<&'static str>)> = PRODUCTS
            .iter()
            .map(|(ch, _, _)| (*ch, Vec::new()))
            .collect();
        let mut others = Vec::new();
        for e in hs2022::entries()
            .iter()
            .filter(|e| e.level == HsLevel::Subheading)
        {
            let chapter: u8 = e.code[..2].parse().unwrap_or(0);
            if let Some((_, list)) = agro.iter_mut().find(|(c, _)| *c == chapter) {
                list.push(e.code);
            } else if (25..=97).contains(&chapter) && chapter != 77 {
                others.push(e.code);
            }
        }
        agro.retain(|(_, list)| !list.is_empty());
        Generator {
            rng: Rng(seed ^ 0xB3C0_5EED),
            next_id: 1,
            count,
            agro,
            others,
        }
    }

    /// Writes the CSV header and every row to `out`, as PostgreSQL's `COPY ... CSV HEADER`
    /// would; `progress` is called every 100,000 rows.
    pub fn write_csv(
        &mut self,
        out: impl Write,
        progress: &mut dyn FnMut(u64),
    ) -> std::io::Result<()> {
        let mut w = csv::WriterBuilder::new()
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(out);
        w.write_record(COLUMNS)?;
        while let Some(row) = self.next_row() {
            w.write_record(&row)?;
            if self.next_id % 100_000 == 1 {
                progress(self.next_id - 1);
            }
        }
        w.flush()
    }

    /// The next row's fields, in [`COLUMNS`] order, or `None` after `count` rows.
    pub fn next_row(&mut self) -> Option<[String; 9]> {
        if self.next_id > self.count {
            return None;
        }
        let id = self.next_id;
        self.next_id += 1;
        let r = &mut self.rng;
        let agro = r.below(100) < 92;
        let (chapter, subheading, names, sku) = if agro {
            let (chapter, list) = &self.agro[r.below(self.agro.len())];
            let (_, names, sku) = PRODUCTS
                .iter()
                .find(|(c, _, _)| c == chapter)
                .copied()
                .unwrap_or(PRODUCTS[0]);
            (*chapter, list[r.below(list.len())], names, sku)
        } else {
            let (names, sku) = OTHER[r.below(OTHER.len())];
            let sub = self.others[r.below(self.others.len())];
            (sub[..2].parse().unwrap_or(99), sub, names, sku)
        };
        let national = format!("{:02}{:02}", r.below(3) * 10, r.below(5) * 10);
        let classification = format!(
            "{}.{}.{}.{}",
            &subheading[..4],
            &subheading[4..6],
            &national[..2],
            &national[2..]
        );
        let (presentation, sizes, unit) = PRESENTATIONS[r.below(PRESENTATIONS.len())];
        let (product, brand, size) = (r.pick(names), r.pick(BRANDS), r.pick(sizes));
        let name = if presentation == "granel" {
            format!("{product} {brand} a granel, {size}")
        } else {
            format!("{product} {brand} {presentation} x {size}")
        };
        let code = match r.below(10) {
            0..=5 => {
                // Unique per id: the id scrambled by a bijection of 0..10^9.
                let body = format!(
                    "{COLOMBIA_GS1}{:09}",
                    (id.wrapping_mul(738_219_737)) % 1_000_000_000
                );
                format!("{body}{}", gs1_check_digit(&body))
            }
            6..=8 => format!("{}-{}-{id:06}", sku, r.pick(REGIONS)),
            _ => format!("{}-{id:07}", unspsc_for(chapter)),
        };
        let category = if agro {
            i32::from(chapter) * 10 + r.below(3) as i32
        } else {
            900 + r.below(10) as i32
        };
        let active = r.below(100) >= 7;
        let base = 1_420_070_400i64; // 2015-01-01
        let created = base + (r.next() % 330_000_000) as i64;
        let updated = created + (r.next() % 40_000_000) as i64;
        let ts = |s: i64| -> String {
            DateTime::from_timestamp(s, 0)
                .map(|t| t.naive_utc())
                .as_ref()
                .map(format_timestamp)
                .unwrap_or_default()
        };
        Some([
            id.to_string(),
            code,
            name,
            classification,
            category.to_string(),
            unit.to_owned(),
            if active { "t" } else { "f" }.to_owned(),
            ts(created),
            ts(updated),
        ])
    }
}

/// A UNSPSC commodity code typical of each chapter's goods.
fn unspsc_for(chapter: u8) -> &'static str {
    match chapter {
        1 => "10101500",
        2 | 16 => "50111500",
        3 => "50121500",
        4 => "50131700",
        6 => "10161500",
        7 => "50401700",
        8 => "50301500",
        9 | 21 => "50201706",
        10 | 11 => "50221100",
        15 => "50151500",
        17 => "50161500",
        18 => "50161800",
        19 | 20 => "50181900",
        22 => "50202300",
        23 => "10121500",
        24 => "50211500",
        _ => "10171700",
    }
}
