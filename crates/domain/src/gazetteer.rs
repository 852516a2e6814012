//! Places from a dated gazetteer: region > cercle > commune.
//!
//! Administrative boundaries change (Taoudénit split off from the Timbuktu
//! region in 2016; a 2023 law made 13 cercles of the five), so every place
//! carries the dates it is valid for and a study pins the gazetteer version it
//! used. Map symbols sit at the chef-lieu, never at a centroid.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;
use std::fmt;

use crate::error::{DomainError, Result, non_empty};

/// A stable code for a place, such as `TBK` (a cercle) or `GDM-07` (a commune).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PlaceCode(String);

impl PlaceCode {
    /// Upper-case ASCII letters, digits and `-`, 2 to 24 characters.
    pub fn new(code: &str) -> Result<Self> {
        let valid = (2..=24).contains(&code.len())
            && code
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
            && !code.starts_with('-')
            && !code.ends_with('-');
        if valid {
            Ok(PlaceCode(code.to_owned()))
        } else {
            Err(DomainError::Invalid {
                field: "place code",
                reason: format!("{code:?} must be 2 to 24 of A-Z, 0-9 and inner '-'"),
            })
        }
    }

    /// The code as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PlaceCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for PlaceCode {
    type Error = DomainError;
    fn try_from(value: String) -> Result<Self> {
        PlaceCode::new(&value)
    }
}

impl From<PlaceCode> for String {
    fn from(value: PlaceCode) -> Self {
        value.0
    }
}

/// The administrative level of a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PlaceLevel {
    Region,
    Cercle,
    Commune,
}

impl PlaceLevel {
    /// The level a child of this level must have.
    pub fn child(self) -> Option<PlaceLevel> {
        match self {
            PlaceLevel::Region => Some(PlaceLevel::Cercle),
            PlaceLevel::Cercle => Some(PlaceLevel::Commune),
            PlaceLevel::Commune => None,
        }
    }

    /// Stable lowercase name, as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            PlaceLevel::Region => "region",
            PlaceLevel::Cercle => "cercle",
            PlaceLevel::Commune => "commune",
        }
    }

    /// Parses [`PlaceLevel::as_str`]'s output.
    pub fn parse(value: &str) -> Result<Self> {
        match value {
            "region" => Ok(PlaceLevel::Region),
            "cercle" => Ok(PlaceLevel::Cercle),
            "commune" => Ok(PlaceLevel::Commune),
            other => Err(DomainError::Invalid {
                field: "place level",
                reason: format!("{other:?} is not region, cercle or commune"),
            }),
        }
    }
}

/// WGS84 coordinates in decimal degrees.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Coordinates {
    pub lat: f64,
    pub lon: f64,
}

impl Coordinates {
    /// Checks the ranges of latitude and longitude.
    pub fn new(lat: f64, lon: f64) -> Result<Self> {
        if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) {
            Ok(Coordinates { lat, lon })
        } else {
            Err(DomainError::Invalid {
                field: "coordinates",
                reason: format!("({lat}, {lon}) is outside WGS84 ranges"),
            })
        }
    }
}

/// One place of a gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub code: PlaceCode,
    pub name: String,
    pub level: PlaceLevel,
    pub parent: Option<PlaceCode>,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    /// The chef-lieu, where map symbols are pinned.
    pub chef_lieu: Option<Coordinates>,
}

impl Place {
    /// Whether the place existed on `date`.
    pub fn valid_on(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|end| date < end)
    }
}

/// A versioned set of places forming a tree.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Gazetteer {
    /// A label such as `ML-TBK-2017`, pinned by a study.
    pub version: String,
    places: Vec<Place>,
}

impl Gazetteer {
    /// Checks the tree: unique codes, parents that exist at the level above,
    /// regions without parents, and date ranges in order.
    pub fn new(version: &str, places: Vec<Place>) -> Result<Self> {
        let version = non_empty("gazetteer version", version)?;
        let mut seen = BTreeSet::new();
        for place in &places {
            non_empty("place name", &place.name)?;
            if !seen.insert(place.code.clone()) {
                return Err(DomainError::Duplicate {
                    what: "place code",
                    key: place.code.to_string(),
                });
            }
            if let Some(end) = place.valid_to
                && end <= place.valid_from
            {
                return Err(DomainError::DateOrder {
                    what: "place validity",
                    start: place.valid_from,
                    end,
                });
            }
        }
        for place in &places {
            match (&place.parent, place.level) {
                (None, PlaceLevel::Region) => {}
                (None, level) => {
                    return Err(DomainError::Invalid {
                        field: "place parent",
                        reason: format!("{} is a {} without a parent", place.code, level.as_str()),
                    });
                }
                (Some(parent), level) => {
                    let parent_place =
                        places.iter().find(|p| &p.code == parent).ok_or_else(|| {
                            DomainError::UnknownReference {
                                what: "place",
                                target: "parent place",
                                key: parent.to_string(),
                            }
                        })?;
                    if parent_place.level.child() != Some(level) {
                        return Err(DomainError::Invalid {
                            field: "place parent",
                            reason: format!(
                                "{} ({}) cannot sit under {} ({})",
                                place.code,
                                level.as_str(),
                                parent_place.code,
                                parent_place.level.as_str()
                            ),
                        });
                    }
                }
            }
        }
        Ok(Gazetteer { version, places })
    }

    /// All places, in the order given.
    pub fn places(&self) -> &[Place] {
        &self.places
    }

    /// The place with this code.
    pub fn get(&self, code: &PlaceCode) -> Option<&Place> {
        self.places.iter().find(|p| &p.code == code)
    }

    /// Places of one level, in the order given.
    pub fn at_level(&self, level: PlaceLevel) -> impl Iterator<Item = &Place> {
        self.places.iter().filter(move |p| p.level == level)
    }

    /// The direct children of a place.
    pub fn children<'a>(&'a self, code: &'a PlaceCode) -> impl Iterator<Item = &'a Place> {
        self.places
            .iter()
            .filter(move |p| p.parent.as_ref() == Some(code))
    }

    /// The cercle a place belongs to (itself if it is a cercle).
    pub fn cercle_of(&self, code: &PlaceCode) -> Option<&Place> {
        let place = self.get(code)?;
        match place.level {
            PlaceLevel::Cercle => Some(place),
            PlaceLevel::Commune => self.get(place.parent.as_ref()?),
            PlaceLevel::Region => None,
        }
    }
}

/// The Timbuktu region of Mali as it stood in 2017: five cercles and their
/// communes before the 2023 reform, chefs-lieux from `domain.md` §4.
///
/// Validity runs from the Taoudénit split (taken as 2016-01-01) to the 2023
/// reform (taken as 2023-03-01); both days are approximations to refine.
pub fn timbuktu_2017() -> Gazetteer {
    const CERCLES: [(&str, &str, f64, f64, &[&str]); 5] = [
        (
            "TBK",
            "Tombouctou",
            16.7758,
            -3.0094,
            &[
                "Alafia",
                "Ber",
                "Bourem-Inaly",
                "Lafia",
                "Salam",
                "Tombouctou",
            ],
        ),
        (
            "GDM",
            "Goundam",
            16.4167,
            -3.6667,
            &[
                "Adarmalane",
                "Alzounoub",
                "Bintagoungou",
                "Doukouria",
                "Douékiré",
                "Essakane",
                "Gargando",
                "Goundam",
                "Issa Béry",
                "Kanèye",
                "M'Bouna",
                "Raz-El-Ma",
                "Télé",
                "Tilemsi",
                "Tin Aïcha",
                "Tonka",
            ],
        ),
        (
            "GRH",
            "Gourma-Rharous",
            16.8800,
            -1.9239,
            &[
                "Bambara Maoudé",
                "Banikane",
                "Gossi",
                "Hanzakoma",
                "Haribomo",
                "Inadiatafane",
                "Ouinerden",
                "Rharous",
                "Séréré",
            ],
        ),
        (
            "DIR",
            "Diré",
            16.2667,
            -3.4000,
            &[
                "Arham",
                "Binga",
                "Bourem Sidi Amar",
                "Dangha",
                "Diré",
                "Garbakoïra",
                "Haïbongo",
                "Kirchamba",
                "Kondi",
                "Sareyamou",
                "Tienkour",
                "Tindirma",
                "Tinguéréguif",
            ],
        ),
        (
            "NFK",
            "Niafunké",
            15.9292,
            -3.9908,
            &[
                "Banikane Narhawa",
                "Dianké",
                "Fittouga",
                "Koumaïra",
                "Léré",
                "N'Gorkou",
                "Soboundou",
                "Soumpi",
            ],
        ),
    ];
    let from = NaiveDate::from_ymd_opt(2016, 1, 1).unwrap_or_default();
    let to = NaiveDate::from_ymd_opt(2023, 3, 1);
    let region = PlaceCode("ML-6".to_owned());
    let mut places = vec![Place {
        code: region.clone(),
        name: "Tombouctou".to_owned(),
        level: PlaceLevel::Region,
        parent: None,
        valid_from: from,
        valid_to: to,
        chef_lieu: Some(Coordinates {
            lat: 16.7758,
            lon: -3.0094,
        }),
    }];
    for (code, name, lat, lon, communes) in CERCLES {
        let cercle = PlaceCode(code.to_owned());
        places.push(Place {
            code: cercle.clone(),
            name: name.to_owned(),
            level: PlaceLevel::Cercle,
            parent: Some(region.clone()),
            valid_from: from,
            valid_to: to,
            chef_lieu: Some(Coordinates { lat, lon }),
        });
        for (i, commune) in communes.iter().enumerate() {
            places.push(Place {
                code: PlaceCode(format!("{code}-{:02}", i + 1)),
                name: (*commune).to_owned(),
                level: PlaceLevel::Commune,
                parent: Some(cercle.clone()),
                valid_from: from,
                valid_to: to,
                chef_lieu: None,
            });
        }
    }
    Gazetteer {
        version: "ML-TBK-2017".to_owned(),
        places,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timbuktu_2017_is_a_valid_tree() {
        let g = timbuktu_2017();
        let rebuilt = Gazetteer::new(&g.version, g.places().to_vec());
        assert!(rebuilt.is_ok(), "{rebuilt:?}");
        assert_eq!(g.at_level(PlaceLevel::Cercle).count(), 5);
        assert_eq!(g.at_level(PlaceLevel::Commune).count(), 6 + 16 + 9 + 13 + 8);
        let gdm = PlaceCode::new("GDM-09").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(g.get(&gdm).map(|p| p.name.as_str()), Some("Issa Béry"));
        assert_eq!(g.cercle_of(&gdm).map(|p| p.name.as_str()), Some("Goundam"));
        let study_day = NaiveDate::from_ymd_opt(2017, 5, 1).unwrap_or_default();
        assert!(g.places().iter().all(|p| p.valid_on(study_day)));
        let after_reform = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
        assert!(g.places().iter().all(|p| !p.valid_on(after_reform)));
    }

    #[test]
    fn refuses_broken_trees() {
        let g = timbuktu_2017();
        let mut places = g.places().to_vec();
        places.push(places[1].clone());
        assert!(matches!(
            Gazetteer::new("x", places),
            Err(DomainError::Duplicate { .. })
        ));

        let mut places = g.places().to_vec();
        places[1].parent = Some(PlaceCode("NOPE".to_owned()));
        assert!(matches!(
            Gazetteer::new("x", places),
            Err(DomainError::UnknownReference { .. })
        ));

        let mut places = g.places().to_vec();
        // A commune placed directly under the region.
        places[2].parent = Some(PlaceCode("ML-6".to_owned()));
        assert!(Gazetteer::new("x", places).is_err());
    }

    #[test]
    fn place_codes_are_checked() {
        assert!(PlaceCode::new("TBK").is_ok());
        assert!(PlaceCode::new("tbk").is_err());
        assert!(PlaceCode::new("-TB").is_err());
        assert!(PlaceCode::new("T").is_err());
    }
}
