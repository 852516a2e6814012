//! The entities sheet (ODK entity lists a form creates or updates) checked
//! as pyxform checks it: declarations, `save_to` properties, and where each
//! entity can sit (one per survey, group or repeat, inside the repeat its
//! references point to).

use std::collections::{BTreeMap, HashMap};

use sankore_domain::instrument::check_name;

use super::XlsFormError;
use super::headers::Cells;

const SHEET: &str = "entities";
const COLUMNS: [&str; 6] = [
    "create_if",
    "dataset",
    "entity_id",
    "label",
    "repeat",
    "update_if",
];

/// The kind of a container on the path to a survey row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    Survey,
    Group,
    Repeat,
}

/// The containers from the survey down to a row's parent.
pub(crate) type ContainerPath = Vec<(String, Kind)>;

/// The survey root.
pub(crate) fn root_path() -> ContainerPath {
    vec![("survey".to_owned(), Kind::Survey)]
}

fn path_str(p: &[(String, Kind)]) -> String {
    format!(
        "/{}",
        p.iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join("/")
    )
}

fn scope_boundary(p: &[(String, Kind)]) -> ContainerPath {
    for i in (0..p.len()).rev() {
        if matches!(p[i].1, Kind::Repeat | Kind::Survey) {
            return p[..=i].to_vec();
        }
    }
    root_path()
}

fn boundary_node_count(p: &[(String, Kind)]) -> usize {
    p.iter().skip(1).filter(|(_, k)| *k == Kind::Repeat).count()
}

fn subpath_node_count(p: &[(String, Kind)]) -> usize {
    p.iter()
        .rev()
        .take_while(|(_, k)| !matches!(k, Kind::Repeat | Kind::Survey))
        .count()
}

/// One entity list the form declares.
#[derive(Debug, Clone)]
pub(crate) struct Declaration {
    pub dataset: String,
    pub row: usize,
    references: Vec<String>,
}

#[derive(Debug, Clone)]
struct Reference {
    path: ContainerPath,
    row: usize,
    property: Option<String>,
}

/// The declarations and every reference to them met in the survey sheet.
#[derive(Debug, Default)]
pub(crate) struct Entities {
    pub declarations: Vec<Declaration>,
    references: BTreeMap<String, Vec<Reference>>,
}

fn e(row: usize, column: &str, message: String) -> XlsFormError {
    XlsFormError::at(SHEET, row, column, message)
}

fn survey_err(row: usize, message: String) -> XlsFormError {
    XlsFormError::at("survey", row, "save_to", message)
}

fn refs_in(value: Option<&str>) -> Vec<String> {
    let mut out = Vec::new();
    let Some(v) = value else { return out };
    let mut rest = v;
    while let Some(i) = rest.find("${") {
        let after = &rest[i + 2..];
        let Some(j) = after.find('}') else { break };
        let inner = &after[..j];
        out.push(
            inner
                .strip_prefix("last-saved#")
                .unwrap_or(inner)
                .to_owned(),
        );
        rest = &after[j + 1..];
    }
    out
}

impl Entities {
    /// Reads the declarations of the entities sheet.
    pub fn declare(rows: &[Cells]) -> Result<Entities, XlsFormError> {
        let mut out = Entities::default();
        for row in rows {
            let n = row.number;
            if let Some((_, _, header)) = row
                .cells
                .iter()
                .find(|(t, _, _)| t.len() != 1 || !COLUMNS.contains(&t[0].as_str()))
            {
                return Err(e(
                    1,
                    header,
                    format!("column {header:?} is not an entities column"),
                ));
            }
            let dataset = row.get(&["dataset"]);
            let entity_id = row.get(&["entity_id"]);
            let create_if = row.get(&["create_if"]);
            let update_if = row.get(&["update_if"]);
            let label = row.get(&["label"]);
            let Some(dataset) = dataset else {
                return Err(e(
                    n,
                    "list_name",
                    "an entity list must have a name".to_owned(),
                ));
            };
            if dataset.starts_with("__") {
                return Err(e(
                    n,
                    "list_name",
                    format!("{dataset:?} must not begin with two underscores"),
                ));
            }
            if dataset.contains('.') {
                return Err(e(
                    n,
                    "list_name",
                    format!("{dataset:?} must not contain a period"),
                ));
            }
            if check_name(dataset).is_err() {
                return Err(e(
                    n,
                    "list_name",
                    format!("{dataset:?} is not a valid XML name"),
                ));
            }
            if entity_id.is_none() && update_if.is_some() {
                return Err(e(
                    n,
                    "update_if",
                    format!("entity list {dataset:?} has an update_if but no entity_id to update"),
                ));
            }
            if entity_id.is_some() && create_if.is_some() && update_if.is_none() {
                return Err(e(
                    n,
                    "update_if",
                    format!("entity list {dataset:?} has entity_id and create_if but no update_if"),
                ));
            }
            if entity_id.is_none() && label.is_none() {
                return Err(e(
                    n,
                    "label",
                    format!("entity list {dataset:?} creates entities and so needs a label"),
                ));
            }
            if out.declarations.iter().any(|d| d.dataset == dataset) {
                return Err(e(
                    n,
                    "list_name",
                    format!("entity list {dataset:?} is declared twice"),
                ));
            }
            let mut references = Vec::new();
            for col in [entity_id, create_if, update_if, label] {
                references.extend(refs_in(col));
            }
            out.declarations.push(Declaration {
                dataset: dataset.to_owned(),
                row: n,
                references,
            });
        }
        Ok(out)
    }

    fn declaration(&self, dataset: &str) -> Option<&Declaration> {
        self.declarations.iter().find(|d| d.dataset == dataset)
    }

    /// Notes a survey row's `save_to` and its name's use in declarations.
    pub fn note_row(
        &mut self,
        path: &ContainerPath,
        n: usize,
        save_to: Option<&str>,
        name: Option<&str>,
        container_row: bool,
    ) -> Result<(), XlsFormError> {
        if let Some(save_to) = save_to {
            if self.declarations.is_empty() {
                return Err(survey_err(
                    n,
                    "save_to needs an entities sheet that declares an entity".to_owned(),
                ));
            }
            let (dataset, property) = match save_to.matches('#').count() {
                0 => {
                    if self.declarations.len() > 1 {
                        return Err(survey_err(
                            n,
                            "with several entity lists, save_to is written list_name#property"
                                .to_owned(),
                        ));
                    }
                    (self.declarations[0].dataset.clone(), save_to)
                }
                1 => {
                    let (d, p) = save_to.split_once('#').unwrap_or_default();
                    (d.to_owned(), p)
                }
                _ => {
                    return Err(survey_err(
                        n,
                        "a save_to value holds at most one '#'".to_owned(),
                    ));
                }
            };
            if self.declaration(&dataset).is_none() {
                return Err(survey_err(
                    n,
                    format!("entity list {dataset:?} is not on the entities sheet"),
                ));
            }
            if property.is_empty() || container_row {
                return Err(survey_err(
                    n,
                    if container_row {
                        "groups and repeats cannot be saved as entity properties".to_owned()
                    } else {
                        "save_to needs a property name".to_owned()
                    },
                ));
            }
            let lower = property.to_lowercase();
            if lower == "name" || lower == "label" {
                return Err(survey_err(
                    n,
                    "save_to must not be name or label".to_owned(),
                ));
            }
            if property.starts_with("__") {
                return Err(survey_err(
                    n,
                    "save_to must not begin with two underscores".to_owned(),
                ));
            }
            if check_name(property).is_err() {
                return Err(survey_err(
                    n,
                    format!("{property:?} is not a valid property name"),
                ));
            }
            let refs = self.references.entry(dataset).or_default();
            if let Some(other) = refs
                .iter()
                .find(|r| r.property.as_deref() == Some(property))
            {
                return Err(survey_err(
                    n,
                    format!(
                        "save_to property {property:?} is already set by row {}",
                        other.row
                    ),
                ));
            }
            refs.push(Reference {
                path: path.clone(),
                row: n,
                property: Some(property.to_owned()),
            });
        }
        if let Some(name) = name {
            let datasets: Vec<String> = self
                .declarations
                .iter()
                .filter(|d| d.references.iter().any(|r| r == name))
                .map(|d| d.dataset.clone())
                .collect();
            for d in datasets {
                self.references.entry(d).or_default().push(Reference {
                    path: path.clone(),
                    row: n,
                    property: None,
                });
            }
        }
        Ok(())
    }

    /// Places every entity in a container, as pyxform does, refusing forms
    /// where that cannot be done.
    pub fn allocate(&self) -> Result<(), XlsFormError> {
        if self.declarations.is_empty() {
            return Ok(());
        }
        let survey = root_path();
        let mut scopes: Vec<(ContainerPath, Vec<Request>)> = Vec::new();
        let mut add =
            |scope: ContainerPath, req: Request| match scopes.iter_mut().find(|(s, _)| *s == scope)
            {
                Some((_, v)) => v.push(req),
                None => scopes.push((scope, vec![req])),
            };
        for (dataset, refs) in &self.references {
            let row = self.declaration(dataset).map_or(0, |d| d.row);
            let req = request(dataset, row, refs)?;
            add(req.scope.clone(), req);
        }
        for d in &self.declarations {
            if !self.references.contains_key(&d.dataset) {
                add(
                    survey.clone(),
                    Request {
                        scope: survey.clone(),
                        dataset: d.dataset.clone(),
                        requested: survey.clone(),
                        row: d.row,
                        lineages: Vec::new(),
                    },
                );
            }
        }
        if scopes.len() == 1 && scopes[0].0 == survey && scopes[0].1.len() == 1 {
            return Ok(());
        }
        let mut allocations: HashMap<ContainerPath, String> = HashMap::new();
        let mut reserved: HashMap<ContainerPath, String> = HashMap::new();
        for (scope, requests) in &scopes {
            let limit = scope.len() - 1;
            let mut sorted: Vec<&Request> = requests.iter().collect();
            sorted.sort_by_key(|r| r.row);
            for req in sorted {
                let mut conflict: Option<String> = None;
                let mut depth = req.requested.len();
                while depth > limit {
                    let current: ContainerPath = req.requested[..depth].to_vec();
                    conflict = allocations
                        .get(&current)
                        .or_else(|| reserved.get(&current))
                        .cloned();
                    if conflict.is_some() {
                        let saveto_conflict =
                            req.lineages.first().and_then(|l| reserved.get(l)).cloned();
                        if saveto_conflict.is_some() {
                            conflict = saveto_conflict;
                            break;
                        }
                        depth -= 1;
                        continue;
                    }
                    allocations.insert(current.clone(), req.dataset.clone());
                    reserved.insert(current.clone(), req.dataset.clone());
                    for lineage in &req.lineages {
                        let mut i = lineage.len();
                        while i > current.len() - 1 {
                            reserved.insert(lineage[..i].to_vec(), req.dataset.clone());
                            i -= 1;
                        }
                    }
                    break;
                }
                if let Some(other) = conflict {
                    let other_row = self.declaration(&other).map_or(0, |d| d.row);
                    return Err(e(
                        req.row,
                        "list_name",
                        format!(
                            "each survey, group or repeat holds at most one entity, and no container is left in {} (row {other_row} took it)",
                            path_str(scope)
                        ),
                    ));
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
struct Request {
    scope: ContainerPath,
    dataset: String,
    requested: ContainerPath,
    row: usize,
    lineages: Vec<ContainerPath>,
}

fn key(p: &[(String, Kind)]) -> (usize, usize) {
    let b = scope_boundary(p);
    (boundary_node_count(&b), subpath_node_count(p))
}

fn request(dataset: &str, row: usize, refs: &[Reference]) -> Result<Request, XlsFormError> {
    let mut deepest_scope_ref: Option<&Reference> = None;
    let mut deepest_boundary: Option<ContainerPath> = None;
    let mut deepest_boundary_count = 0;
    let mut deepest_container: Option<(&Reference, usize)> = None;
    let mut deepest_saveto: Option<(&Reference, usize)> = None;
    let mut lineages: Vec<ContainerPath> = Vec::new();
    let mut boundaries: Vec<(&Reference, ContainerPath)> = Vec::new();
    for r in refs {
        let sub = subpath_node_count(&r.path);
        let boundary = scope_boundary(&r.path);
        let count = boundary_node_count(&boundary);
        if deepest_boundary.is_none() || count > deepest_boundary_count {
            if deepest_boundary.as_ref() != Some(&boundary) {
                deepest_container = Some((r, sub));
                if r.property.is_some() {
                    deepest_saveto = Some((r, sub));
                }
            }
            deepest_boundary = Some(boundary.clone());
            deepest_boundary_count = count;
            deepest_scope_ref = Some(r);
        }
        boundaries.push((r, boundary.clone()));
        let in_deepest = deepest_boundary.as_ref() == Some(&boundary);
        if deepest_container.is_none()
            || (in_deepest && deepest_container.is_some_and(|(_, s)| sub > s))
        {
            deepest_container = Some((r, sub));
        }
        if r.property.is_some() {
            if !lineages.contains(&r.path) {
                lineages.push(r.path.clone());
            }
            if deepest_saveto.is_none()
                || (in_deepest && deepest_saveto.is_some_and(|(_, s)| sub > s))
            {
                deepest_saveto = Some((r, sub));
            }
        }
    }
    let deepest_boundary = deepest_boundary.unwrap_or_else(root_path);
    let mut requested = match (deepest_saveto, deepest_container) {
        (Some((r, _)), _) | (None, Some((r, _))) => r.path.clone(),
        (None, None) => root_path(),
    };
    if let Some(any) = lineages.first().cloned() {
        let min_len = lineages.iter().map(Vec::len).min().unwrap_or(0);
        let mut common: ContainerPath = any[..min_len].to_vec();
        if lineages.len() > 1 {
            'outer: for i in 0..min_len {
                for l in &lineages {
                    if l[i] != any[i] {
                        common = any[..i].to_vec();
                        break 'outer;
                    }
                }
            }
            let saveto_boundary =
                deepest_saveto.map_or_else(root_path, |(r, _)| scope_boundary(&r.path));
            requested = if key(&common) > key(&saveto_boundary) {
                common
            } else {
                saveto_boundary
            };
        } else {
            requested = common;
        }
    }
    let requested_boundary = scope_boundary(&requested);
    let other_scope = deepest_scope_ref
        .map(|r| path_str(&r.path))
        .unwrap_or_default();
    for (r, boundary) in &boundaries {
        if deepest_boundary.len() < boundary.len()
            || deepest_boundary[..boundary.len()] != boundary[..]
        {
            return Err(match r.property {
                Some(_) => survey_err(
                    r.row,
                    format!(
                        "entity list {dataset:?} is referred to in {other_scope}, which does not fit this save_to in {}",
                        path_str(&r.path)
                    ),
                ),
                None => e(
                    row,
                    "list_name",
                    format!(
                        "entity list {dataset:?} refers to questions in {other_scope} and in {}, which do not fit one container",
                        path_str(&r.path)
                    ),
                ),
            });
        }
        if r.property.is_some() && requested_boundary != *boundary {
            return Err(survey_err(
                r.row,
                format!(
                    "entity list {dataset:?} belongs in {}, which does not fit this save_to in {}",
                    path_str(&requested),
                    path_str(&r.path)
                ),
            ));
        }
    }
    Ok(Request {
        scope: deepest_boundary,
        dataset: dataset.to_owned(),
        requested,
        row,
        lineages,
    })
}
