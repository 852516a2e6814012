//! XLSForm's question type names (with pyxform's many aliases) mapped to
//! the instrument model's types.

use sankore_domain::instrument::{MetaKind, QuestionType};

/// The type a plain (non-select, non-group) type cell names, if it is one.
pub(crate) fn simple_type(name: &str) -> Option<QuestionType> {
    use MetaKind as M;
    use QuestionType as T;
    let meta = |meta| Some(T::Meta { meta });
    match name {
        "text" | "string" | "q string" | "add text prompt" | "phone number" => Some(T::Text),
        "integer"
        | "int"
        | "q int"
        | "add integer prompt"
        | "percentage"
        | "number of days in last month"
        | "number of days in last six months"
        | "number of days in last year" => Some(T::Integer),
        "decimal" | "q decimal" | "add decimal prompt" => Some(T::Decimal),
        "range" => Some(T::Range),
        "date" | "q date" | "add date prompt" => Some(T::Date),
        "time" => Some(T::Time),
        "dateTime"
        | "datetime"
        | "date time"
        | "q date time"
        | "q dateTime"
        | "add date time prompt"
        | "add dateTime prompt" => Some(T::DateTime),
        "geopoint" | "q geopoint" | "location" | "q location" | "gps" | "add location prompt" => {
            Some(T::Geopoint)
        }
        "geotrace" | "q geotrace" => Some(T::Geotrace),
        "geoshape" | "q geoshape" => Some(T::Geoshape),
        "note" | "q note" | "add note prompt" => Some(T::Note),
        "calculate" | "q calculate" | "add calculate prompt" => Some(T::Calculate),
        "acknowledge" | "q acknowledge" | "add acknowledge prompt" => Some(T::Acknowledge),
        "trigger" => Some(T::Trigger),
        "photo" | "image" | "q picture" | "q image" | "add image prompt" | "add photo prompt" => {
            Some(T::Image)
        }
        "audio" | "q audio" | "add audio prompt" => Some(T::Audio),
        "video" | "q video" | "add video prompt" => Some(T::Video),
        "file" | "add file prompt" => Some(T::File),
        "barcode" | "q barcode" | "add barcode prompt" => Some(T::Barcode),
        "hidden" => Some(T::Hidden),
        "osm" => Some(T::Osm),
        "start" | "start time" | "get start time" => meta(M::Start),
        "end" | "end time" | "get end time" => meta(M::End),
        "today" | "get today" => meta(M::Today),
        "deviceid" | "imei" | "device id" | "get device id" | "uri:deviceid" => meta(M::DeviceId),
        "subscriberid" | "subscriber id" | "get subscriber id" | "uri:subscriberid" => {
            meta(M::SubscriberId)
        }
        "simserial" | "sim id" | "get sim id" | "uri:simserial" => meta(M::SimSerial),
        "phonenumber" | "get phone number" | "uri:phonenumber" => meta(M::PhoneNumber),
        "username" | "uri:username" => meta(M::Username),
        "email" | "uri:email" => meta(M::Email),
        "audit" => meta(M::Audit),
        "start-geopoint" => meta(M::StartGeopoint),
        "background-audio" => meta(M::BackgroundAudio),
        "background-geopoint" => meta(M::BackgroundGeopoint),
        "xml-external" => Some(T::External {
            format: "xml".to_owned(),
        }),
        "csv-external" => Some(T::External {
            format: "csv".to_owned(),
        }),
        _ => None,
    }
}

/// The select commands: `select_one`, `select all that apply`, ...
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Select {
    One,
    Multiple,
    OneFromFile,
    MultipleFromFile,
    OneExternal,
    Rank,
}

/// Splits `select_one yes_no or_other` into the command, the list and the
/// "or other" flag, as pyxform's select pattern does.
pub(crate) fn select(type_cell: &str) -> Option<(Select, &str, bool)> {
    const COMMANDS: [(&str, Select); 15] = [
        ("add select one prompt using", Select::One),
        ("add select multiple prompt using", Select::Multiple),
        ("select all that apply from", Select::Multiple),
        ("select one from file", Select::OneFromFile),
        ("select multiple from file", Select::MultipleFromFile),
        ("select_one_from_file", Select::OneFromFile),
        ("select_multiple_from_file", Select::MultipleFromFile),
        ("select_one_external", Select::OneExternal),
        ("select one from", Select::One),
        ("select all that apply", Select::Multiple),
        ("select_multiple", Select::Multiple),
        ("select_one", Select::One),
        ("select one", Select::One),
        ("select1", Select::One),
        ("rank", Select::Rank),
    ];
    for (command, kind) in COMMANDS {
        let Some(rest) = type_cell.strip_prefix(command) else {
            continue;
        };
        let Some(rest) = rest.strip_prefix(' ') else {
            continue;
        };
        let (list, after) = match rest.find(char::is_whitespace) {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, ""),
        };
        if list.is_empty() {
            continue;
        }
        let or_other = match after {
            "" => false,
            " or specify other" | " or_other" | " or other" => true,
            _ => continue,
        };
        return Some((kind, list, or_other));
    }
    None
}

/// The file kinds a select can draw from.
pub(crate) const FILE_EXTENSIONS: [&str; 3] = [".xml", ".csv", ".geojson"];

/// The extension of a list name (`cities.csv` → `.csv`), as Python's splitext.
pub(crate) fn extension(list: &str) -> &str {
    let lead = list.len() - list.trim_start_matches('.').len();
    match list.rfind('.') {
        Some(i) if i > lead => &list[i..],
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_selects() {
        assert_eq!(select("select_one yn"), Some((Select::One, "yn", false)));
        assert_eq!(
            select("select_multiple yn or_other"),
            Some((Select::Multiple, "yn", true))
        );
        assert_eq!(
            select("select one from file c.csv"),
            Some((Select::OneFromFile, "c.csv", false))
        );
        assert_eq!(select("select_one"), None);
        assert_eq!(select("select_one a b"), None);
        assert_eq!(extension("c.csv"), ".csv");
        assert_eq!(extension("list"), "");
    }
}
