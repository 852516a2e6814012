//! `sankore import kobo|odk`: submissions from KoBoToolbox and ODK Central
//! into an existing workspace, read against their form, linked to
//! participants, sessions and documents through a mapping file, in one
//! transaction. Reading lives in `sankore_formats::submissions`; this
//! module reads files, pulls from a Central server, and reports.

use anyhow::{Context, Result, bail};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use sankore_domain::instrument::Instrument;
use sankore_domain::{Lang, LinkedRecords};
use sankore_formats::archive::ArchiveLimits;
use sankore_formats::submissions::mapping::{self, Mapping, Source, StudyContext};
use sankore_formats::submissions::{Encoding, Submissions, kobo, odk, responses};
use sankore_formats::xlsform::{self, FileKind, ReadOptions};
use sankore_i18n::Msg;
use sankore_store::sqlite::SqliteStore;
use sankore_store::{InstrumentStore, ResponseImport, ResponseImportOutcome, ResponseStore, Store};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::cli::{Import, SummaryFormat, WorkspaceArg};

/// The largest export file read (the zip's own limits apply inside).
const MAX_FILE_BYTES: u64 = 1 << 30;

/// `import kobo`.
#[derive(Debug, Args)]
pub struct KoboArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The form: an XLSForm file, or the form_id of a form imported before.
    #[arg(long, value_name = "FORM")]
    pub form: String,
    /// The export (.csv or .xlsx).
    #[arg(long, value_name = "FILE")]
    pub data: PathBuf,
    /// Mapping file.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Import submissions marked "Not approved" on the server too.
    #[arg(long)]
    pub include_rejected: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SummaryFormat,
}

/// `import odk`.
#[derive(Debug, Args)]
pub struct OdkArgs {
    #[command(flatten)]
    pub workspace: WorkspaceArg,
    /// The form: an XLSForm file, or the form_id of a form imported before.
    #[arg(long, value_name = "FORM")]
    pub form: String,
    /// The `submissions.csv.zip` export.
    #[arg(long, value_name = "ZIP", required_unless_present = "central")]
    pub data: Option<PathBuf>,
    /// ODK Central server to pull from.
    #[arg(
        long,
        value_name = "URL",
        conflicts_with = "data",
        requires = "project"
    )]
    pub central: Option<String>,
    /// ODK Central project number.
    #[arg(long, value_name = "N")]
    pub project: Option<u32>,
    /// File holding the Central token.
    #[arg(long, value_name = "FILE")]
    pub token_file: Option<PathBuf>,
    /// PEM certificate(s) to trust for the Central server instead of the
    /// system's (a server with its own certificate authority).
    #[arg(long, value_name = "FILE", requires = "central")]
    pub ca_cert: Option<PathBuf>,
    /// Mapping file.
    #[arg(long, value_name = "FILE")]
    pub mapping: Option<PathBuf>,
    /// Import submissions whose review state is "rejected" too.
    #[arg(long)]
    pub include_rejected: bool,
    /// Output format of the summary.
    #[arg(long, value_enum, default_value = "text")]
    pub format: SummaryFormat,
}

/// Help texts of `import kobo` and `import odk`, in `lang`.
pub fn localize(command: clap::Command, lang: Lang) -> clap::Command {
    let t = |m: Msg| m.text(lang);
    let odk = command.get_name() == "odk";
    let command = command
        .about(t(if odk {
            Msg::CliImportOdk
        } else {
            Msg::CliImportKobo
        }))
        .mut_arg("form", |a| a.help(t(Msg::CliImportForm)))
        .mut_arg("data", |a| a.help(t(Msg::CliImportData)))
        .mut_arg("mapping", |a| a.help(t(Msg::CliImportMapping)))
        .mut_arg("include_rejected", |a| {
            a.help(t(if odk {
                Msg::CliImportIncludeRejectedOdk
            } else {
                Msg::CliImportIncludeRejectedKobo
            }))
        });
    if odk {
        command
            .mut_arg("central", |a| a.help(t(Msg::CliImportCentral)))
            .mut_arg("project", |a| a.help(t(Msg::CliImportProject)))
            .mut_arg("token_file", |a| a.help(t(Msg::CliImportTokenFile)))
            .mut_arg("ca_cert", |a| a.help(t(Msg::CliImportCaCert)))
    } else {
        command
    }
}

/// Runs `import kobo` or `import odk`.
pub fn run(import: Import, file: Option<&Path>, lang: Lang) -> Result<ExitCode> {
    match import {
        Import::Kobo(args) => {
            let bytes = read_file(&args.data)?;
            let name = file_name(&args.data);
            let mut store = super::open(&args.workspace.workspace, file, lang)?;
            let form = load_form(&args.form, &store)?;
            let spinner = spinner(lang);
            let xlsx = bytes.starts_with(b"PK\x03\x04")
                || args
                    .data
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
            let read = if xlsx {
                kobo::read_xlsx(&name, &bytes)
            } else {
                kobo::read_csv(&name, &bytes)
            };
            spinner.finish_and_clear();
            let submissions = read.map_err(refused(lang))?;
            drop(bytes);
            import_submissions(
                &mut store,
                &form,
                submissions,
                &Options {
                    mapping: args.mapping.as_deref(),
                    include_rejected: args.include_rejected,
                    format: args.format,
                },
                lang,
            )
        }
        Import::Odk(args) => {
            let mut store = super::open(&args.workspace.workspace, file, lang)?;
            let form = load_form(&args.form, &store)?;
            let (name, bytes) = match (&args.data, &args.central) {
                (Some(path), _) => (file_name(path), read_file(path)?),
                (None, Some(url)) => {
                    let token = central_token(args.token_file.as_deref())?;
                    let project = args.project.context("--central needs --project")?;
                    let trusted = match &args.ca_cert {
                        Some(path) => Some(read_file(path)?),
                        None => None,
                    };
                    let spinner = spinner(lang);
                    let pulled = central::pull(
                        &central::Server {
                            base: url,
                            trusted: trusted.as_deref(),
                        },
                        project,
                        form.key(),
                        &token,
                    );
                    spinner.finish_and_clear();
                    ("submissions.csv.zip".to_owned(), pulled?)
                }
                (None, None) => bail!("give --data ZIP or --central URL"),
            };
            let spinner = spinner(lang);
            let read = odk::read_zip(&name, &bytes, &ArchiveLimits::default());
            spinner.finish_and_clear();
            let submissions = read.map_err(refused(lang))?;
            drop(bytes);
            import_submissions(
                &mut store,
                &form,
                submissions,
                &Options {
                    mapping: args.mapping.as_deref(),
                    include_rejected: args.include_rejected,
                    format: args.format,
                },
                lang,
            )
        }
        _ => unreachable!("REFI-QDA imports are handled by refi::import"),
    }
}

/// Turns a reading error into the one-line refusal.
fn refused<E: std::fmt::Display>(lang: Lang) -> impl Fn(E) -> anyhow::Error {
    move |e| anyhow::anyhow!("{}: {e}", Msg::ImportRefused.text(lang))
}

fn spinner(lang: Lang) -> ProgressBar {
    let spinner = ProgressBar::new_spinner().with_message(Msg::ReadingSubmissions.text(lang));
    spinner.enable_steady_tick(std::time::Duration::from_millis(120));
    spinner
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .with_context(|| format!("cannot read {}", path.display()))?
        .len();
    if size > MAX_FILE_BYTES {
        bail!(
            "{} is larger than {MAX_FILE_BYTES} bytes: refused",
            path.display()
        );
    }
    std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))
}

/// The form: an XLSForm file (`.xlsx`, `.xls`, `.csv`, `.md`), else the
/// form_id of an instrument of the workspace (`sankore import xlsform`),
/// else of a form whose responses were imported before.
fn load_form(form: &str, store: &SqliteStore) -> Result<Instrument> {
    let path = Path::new(form);
    if path.is_file() {
        let kind = FileKind::from_path(path).with_context(|| {
            format!(
                "{}: not an XLSForm file (.xlsx, .xls, .csv or .md)",
                path.display()
            )
        })?;
        let bytes = read_file(path)?;
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        return xlsform::read(&bytes, kind, &ReadOptions::new(stem))
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    if let Some(instrument) = store.instrument(form)? {
        return Ok(instrument);
    }
    store
        .response_forms()?
        .into_iter()
        .find(|f| f.key() == form)
        .with_context(|| {
            format!("{form}: no such file, nor a form of the workspace (sankore xlsform list)")
        })
}

/// The Central token: from `--token-file` (first line), else
/// `ODK_CENTRAL_TOKEN`.
fn central_token(file: Option<&Path>) -> Result<String> {
    let token = match file {
        Some(path) => std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_owned(),
        None => std::env::var("ODK_CENTRAL_TOKEN").unwrap_or_default(),
    };
    if token.is_empty() {
        bail!("no ODK Central token: give --token-file FILE or set ODK_CENTRAL_TOKEN");
    }
    Ok(token)
}

/// What `import kobo` and `import odk` share.
struct Options<'a> {
    mapping: Option<&'a Path>,
    include_rejected: bool,
    format: SummaryFormat,
}

/// Sets aside the submissions a reviewer rejected (unless asked to keep
/// them), links, maps and stores the others, then prints the summary.
fn import_submissions(
    store: &mut SqliteStore,
    form: &Instrument,
    mut submissions: Submissions,
    options: &Options<'_>,
    lang: Lang,
) -> Result<ExitCode> {
    let (mapping_file, format) = (options.mapping, options.format);
    let rejected = if options.include_rejected {
        Vec::new()
    } else {
        submissions.set_aside_rejected()
    };
    let submissions = &submissions;
    let responses = responses::link(submissions, form).map_err(refused(lang))?;
    let mapping_text = match mapping_file {
        Some(path) => Some((
            file_name(path),
            std::fs::read_to_string(path)
                .with_context(|| format!("cannot read {}", path.display()))?,
        )),
        None => saved_mapping(store, form, lang)?,
    };
    let mapping = match &mapping_text {
        Some((name, text)) => Some(Mapping::parse(name, text).map_err(refused(lang))?),
        None => None,
    };
    let records: Vec<LinkedRecords> = match (&mapping, &mapping_text) {
        (Some(mapping), Some((name, _))) => {
            let resolved = mapping::resolve(name, mapping, form).map_err(refused(lang))?;
            if resolved.is_empty() {
                Vec::new()
            } else {
                let study = store.study()?.context("the workspace holds no study yet")?;
                let context = StudyContext::new(&study, &store.groups()?, &store.gazetteer()?);
                responses
                    .iter()
                    .enumerate()
                    .map(|(row, r)| {
                        resolved.apply(Source::Export { submissions, row }, r, &context)
                    })
                    .collect::<Result<_, _>>()
                    .map_err(refused(lang))?
            }
        }
        _ => Vec::new(),
    };
    let bar =
        ProgressBar::new(responses.len() as u64).with_message(Msg::WritingResponses.text(lang));
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:30}] {pos}/{len}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let origin = submissions.origin.as_str();
    let outcome = store
        .import_responses(
            &ResponseImport {
                form,
                origin,
                responses: &responses,
                records: &records,
                refused: rejected.len(),
                actor: "cli",
            },
            &mut |done, total| {
                bar.set_length(total);
                bar.set_position(done);
            },
        )
        .map_err(refused(lang))?;
    bar.finish_and_clear();
    match format {
        SummaryFormat::Json => {
            let value = json!({
                "form": form.key(),
                "origin": origin,
                "encoding": submissions.encoding.as_str(),
                "submissions": responses.len(),
                "new": outcome.new,
                "unchanged": outcome.unchanged,
                "changed": outcome.changed,
                "refused": rejected.len(),
                "refused_keys": rejected,
                "withdrawn": outcome.withdrawn,
                "participants_created": outcome.participants,
                "sessions_created": outcome.sessions,
                "documents_created": outcome.documents,
            });
            super::print(&(serde_json::to_string_pretty(&value)? + "\n"))?;
        }
        SummaryFormat::Text => {
            if submissions.encoding == Encoding::Windows1252 {
                let file = &submissions.main().place;
                eprintln!("{file}: {}", Msg::ReadAsWindows1252.text(lang));
            }
            super::print(&(summary_line(&outcome, rejected.len(), lang) + "\n"))?;
            for key in &outcome.changed {
                eprintln!("{}: {key}", Msg::ResponsesChanged.text(lang));
            }
            for key in &rejected {
                eprintln!("{}: {key}", Msg::ResponsesRefused.text(lang));
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// The mapping saved for the form in the workbench, as `(name, text)`,
/// announced on standard error; `None` when there is none.
fn saved_mapping(
    store: &SqliteStore,
    form: &Instrument,
    lang: Lang,
) -> Result<Option<(String, String)>> {
    Ok(store.response_mapping(form.key())?.map(|saved| {
        eprintln!(
            "{} {} ({}, {})",
            Msg::UsingSavedMapping.text(lang),
            form.key(),
            saved.saved_by,
            saved.saved_at
        );
        (format!("{}-mapping.toml", form.key()), saved.toml)
    }))
}

fn summary_line(outcome: &ResponseImportOutcome, refused: usize, lang: Lang) -> String {
    // Said only when it happened: the usual line stays as it was.
    let withdrawn = if outcome.withdrawn > 0 {
        format!(
            ", {} {}",
            outcome.withdrawn,
            Msg::ResponsesWithdrawn.text(lang)
        )
    } else {
        String::new()
    };
    format!(
        "{}: {} {}, {} {}, {} {}, {} {}{withdrawn}; {} participants, {} sessions, {} documents",
        Msg::ResponsesImported.text(lang),
        outcome.new,
        Msg::ResponsesNew.text(lang),
        outcome.unchanged,
        Msg::ResponsesUnchanged.text(lang),
        outcome.changed.len(),
        Msg::ResponsesChanged.text(lang),
        refused,
        Msg::ResponsesRefused.text(lang),
        outcome.participants,
        outcome.sessions,
        outcome.documents
    )
}

/// Pulling submissions from an ODK Central server over its REST API.
mod central {
    use anyhow::{Context, Result, bail};
    use std::io::Read;
    use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig, TlsProvider};

    /// Central's export is refused past this size.
    const MAX_BYTES: u64 = 1 << 30;

    /// Where to pull from and whom to trust.
    pub struct Server<'a> {
        /// `https://central.example.org` (plain `http://` only to this
        /// machine: the token must not cross a network in clear).
        pub base: &'a str,
        /// PEM certificates to trust instead of the system's store.
        pub trusted: Option<&'a [u8]>,
    }

    /// Whether a URL's host is this machine.
    fn is_loopback(url: &str) -> bool {
        let rest = url.split_once("://").map_or(url, |(_, r)| r);
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        let host = match authority.strip_prefix('[') {
            Some(v6) => v6.split(']').next().unwrap_or_default(),
            None => authority.split(':').next().unwrap_or_default(),
        };
        host.eq_ignore_ascii_case("localhost")
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback())
    }

    /// The TLS settings: the system's TLS library, trusting the system's
    /// certificate store or only the given certificates.
    fn tls(trusted: Option<&[u8]>) -> Result<TlsConfig> {
        let roots = match trusted {
            None => RootCerts::PlatformVerifier,
            Some(pem) => {
                let certificates: Vec<Certificate<'static>> = ureq::tls::parse_pem(pem)
                    .filter_map(|item| match item {
                        Ok(PemItem::Certificate(c)) => Some(Ok(c)),
                        Ok(_) => None,
                        Err(e) => Some(Err(e)),
                    })
                    .collect::<Result<_, _>>()
                    .context("--ca-cert: not a PEM certificate file")?;
                if certificates.is_empty() {
                    bail!("--ca-cert: the file holds no PEM certificate");
                }
                RootCerts::Specific(std::sync::Arc::new(certificates))
            }
        };
        Ok(TlsConfig::builder()
            .provider(TlsProvider::NativeTls)
            .root_certs(roots)
            .build())
    }

    /// `GET /v1/projects/{project}/forms/{form}/submissions.csv.zip` with
    /// the token as a bearer credential; media attachments left out.
    pub fn pull(server: &Server<'_>, project: u32, form: &str, token: &str) -> Result<Vec<u8>> {
        let base = server.base.trim_end_matches('/');
        let scheme = base.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
        match scheme.as_deref() {
            Some("https") => {}
            Some("http") if is_loopback(base) => {}
            Some("http") => bail!(
                "{base}: the token would cross the network in clear; use the server's https:// address"
            ),
            _ => bail!("{base}: not an http(s) address of an ODK Central server"),
        }
        let url = format!(
            "{base}/v1/projects/{project}/forms/{}/submissions.csv.zip?attachments=false",
            percent_encode(form)
        );
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .https_only(!is_loopback(base))
            .tls_config(tls(server.trusted)?)
            .timeout_global(Some(std::time::Duration::from_secs(600)))
            .build()
            .into();
        let response = agent
            .get(&url)
            .header("Authorization", &format!("Bearer {token}"))
            .header("X-Extended-Metadata", "true")
            .call()
            .map_err(|e| anyhow::anyhow!("cannot reach the ODK Central server {base}: {e}"))?;
        let status = response.status().as_u16();
        match status {
            200 => {}
            401 | 403 => bail!(
                "the ODK Central server refused the token ({status}): check it and the project's rights"
            ),
            404 => bail!("the ODK Central server has no form {form:?} in project {project} (404)"),
            other => bail!("the ODK Central server answered {other} for {form:?}"),
        }
        let mut bytes = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(MAX_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| {
                anyhow::anyhow!("the download from the ODK Central server broke off: {e}")
            })?;
        if bytes.len() as u64 > MAX_BYTES {
            bail!("the ODK Central export is larger than {MAX_BYTES} bytes: refused");
        }
        Ok(bytes)
    }

    /// Percent-encodes a form id for a URL path segment.
    fn percent_encode(text: &str) -> String {
        let mut out = String::new();
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                out.push(char::from(b));
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn loopback_hosts_are_recognised() {
            for url in [
                "http://127.0.0.1:8080",
                "http://localhost/x",
                "http://[::1]:9/",
                "https://127.0.0.2",
            ] {
                assert!(super::is_loopback(url), "{url}");
            }
            for url in [
                "http://central.example.org",
                "http://10.0.0.1:80",
                "https://localhost.example.org",
                "http://127.0.0.1.example.org",
            ] {
                assert!(!super::is_loopback(url), "{url}");
            }
        }
    }
}
