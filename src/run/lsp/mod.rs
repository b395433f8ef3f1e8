//! `saasctl lsp`: `validate`'s offline checks in the editor, over the Language Server Protocol
//! on stdio. The files are checked as edited (unsaved text), with the rules across the
//! workspace's saasctl files; secrets are read only when the editor opts in.

mod actions;
mod convert;
mod navigate;
mod workspace;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use lsp_server::{Connection, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, GotoDefinition, HoverRequest, Request as _};
use lsp_types::{
    CodeActionParams, CodeActionProviderCapability, CodeDescription, DiagnosticRelatedInformation,
    DiagnosticSeverity, HoverProviderCapability, InitializeParams, InitializeResult, Location,
    NumberOrString, OneOf, PublishDiagnosticsParams, ServerCapabilities, ServerInfo,
    TextDocumentPositionParams, TextDocumentSyncCapability, TextDocumentSyncKind,
};

use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::{self, Secrets};
use convert::{path_of, uri_of};
use workspace::{Document, Workspace};

#[derive(Debug, thiserror::Error)]
pub enum LspError {
    #[error("the editor's connection failed: {0}")]
    Protocol(#[from] lsp_server::ProtocolError),
    #[error("the editor's connection failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the editor's `initialize` request is not understood: {0}")]
    Initialize(serde_json::Error),
    #[error("the editor closed the connection")]
    Closed,
}

/// What the editor may set in `initializationOptions`.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Options {
    /// Read the secrets the files name and check them (SC007), as `validate` does; off by
    /// default, as `validate --no-secrets`: an editor checks files as they are typed.
    #[serde(default)]
    read_secrets: bool,
}

/// Serves the editor on stdin and stdout until it says `exit`.
pub fn serve_stdio() -> Result<(), LspError> {
    let (connection, io_threads) = Connection::stdio();
    serve(&connection)?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

/// Serves the editor at the other end of `connection` until it says `exit`.
pub fn serve(connection: &Connection) -> Result<(), LspError> {
    let (id, params) = connection.initialize_start()?;
    let params: InitializeParams = serde_json::from_value(params).map_err(LspError::Initialize)?;
    let options: Options = params
        .initialization_options
        .clone()
        .and_then(|options| serde_json::from_value(options).ok())
        .unwrap_or_default();
    let result = InitializeResult {
        capabilities: ServerCapabilities {
            text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
            ..ServerCapabilities::default()
        },
        server_info: Some(ServerInfo {
            name: "saasctl".to_owned(),
            version: Some(env!("CARGO_PKG_VERSION").to_owned()),
        }),
    };
    connection.initialize_finish(id, serde_json::json!(result))?;
    let secrets = if options.read_secrets {
        Secrets::Read
    } else {
        Secrets::NotRead
    };
    let mut server = Server {
        connection,
        workspace: Workspace::new(roots(&params), secrets),
        published: BTreeMap::new(),
    };
    server.publish()?;
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request)? {
                    return Ok(());
                }
                server.answer(request)?;
            }
            Message::Notification(notification) => server.notice(notification)?,
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// The workspace folders, or the root the editor opened.
fn roots(params: &InitializeParams) -> Vec<PathBuf> {
    let folders = params.workspace_folders.iter().flatten().map(|f| &f.uri);
    #[allow(deprecated)] // Editors without workspace folders still send it.
    let root = params.root_uri.iter();
    let mut roots: Vec<PathBuf> = folders.filter_map(path_of).collect();
    if roots.is_empty() {
        roots = root.filter_map(path_of).collect();
    }
    roots
}

struct Server<'a> {
    connection: &'a Connection,
    workspace: Workspace,
    /// What the editor was last sent for each file.
    published: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>>,
}

impl Server<'_> {
    fn notice(&mut self, notification: Notification) -> Result<(), LspError> {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                    && let Some(path) = path_of(&params.text_document.uri)
                {
                    self.workspace.edit(&path, params.text_document.text);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(mut params) = notification
                    .extract::<lsp_types::DidChangeTextDocumentParams>(
                        DidChangeTextDocument::METHOD,
                    )
                    && let Some(path) = path_of(&params.text_document.uri)
                    // Full sync: the last change holds the whole text.
                    && let Some(change) = params.content_changes.pop()
                {
                    self.workspace.edit(&path, change.text);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) = notification
                    .extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                    && let Some(path) = path_of(&params.text_document.uri)
                {
                    self.workspace.close(&path);
                }
            }
            _ => return Ok(()),
        }
        self.publish()
    }

    fn answer(&self, request: Request) -> Result<(), LspError> {
        let result = match request.method.as_str() {
            HoverRequest::METHOD => self.about(&request).map(|(_, document, position)| {
                serde_json::json!(navigate::hover(document, position))
            }),
            GotoDefinition::METHOD => self.about(&request).map(|(path, document, position)| {
                serde_json::json!(navigate::definition(path, document, position))
            }),
            CodeActionRequest::METHOD => {
                serde_json::from_value::<CodeActionParams>(request.params.clone())
                    .ok()
                    .and_then(|params| {
                        let path = path_of(&params.text_document.uri)?;
                        let (path, document) = self.workspace.documents.get_key_value(&path)?;
                        Some(serde_json::json!(actions::actions(
                            path,
                            document,
                            params.range
                        )))
                    })
            }
            _ => {
                return self.send(Response::new_err(
                    request.id,
                    lsp_server::ErrorCode::MethodNotFound as i32,
                    format!("saasctl does not answer `{}`", request.method),
                ));
            }
        };
        self.send(Response::new_ok(
            request.id,
            result.unwrap_or(serde_json::Value::Null),
        ))
    }

    /// The file and position a request is about, when the file is one of ours.
    fn about(&self, request: &Request) -> Option<(&Path, &Document, lsp_types::Position)> {
        let params: TextDocumentPositionParams =
            serde_json::from_value(request.params.clone()).ok()?;
        let path = path_of(&params.text_document.uri)?;
        let (path, document) = self.workspace.documents.get_key_value(&path)?;
        Some((path, document, params.position))
    }

    /// Sends each file's findings where they changed since last sent, and empty lists for
    /// files no longer checked.
    fn publish(&mut self) -> Result<(), LspError> {
        let mut now: BTreeMap<PathBuf, Vec<lsp_types::Diagnostic>> = BTreeMap::new();
        for (path, document) in &self.workspace.documents {
            let diagnostics = document
                .findings
                .iter()
                .map(|finding| to_lsp(finding, document, &self.workspace))
                .collect();
            now.insert(path.clone(), diagnostics);
        }
        for path in self.published.keys() {
            now.entry(path.clone()).or_default();
        }
        for (path, diagnostics) in &now {
            if self.published.get(path) == Some(diagnostics)
                || diagnostics.is_empty() && !self.published.contains_key(path)
            {
                continue;
            }
            let Some(uri) = uri_of(path) else { continue };
            let params = PublishDiagnosticsParams::new(uri, diagnostics.clone(), None);
            self.send(Notification::new(
                PublishDiagnostics::METHOD.to_owned(),
                params,
            ))?;
        }
        now.retain(|_, diagnostics| !diagnostics.is_empty());
        self.published = now;
        Ok(())
    }

    fn send(&self, message: impl Into<Message>) -> Result<(), LspError> {
        self.connection
            .sender
            .send(message.into())
            .map_err(|_| LspError::Closed)
    }
}

/// A finding as the protocol has it: exact range, rule id as its code, the rule's section of
/// the rule reference as its description, its help after its message.
fn to_lsp(
    finding: &Diagnostic,
    document: &Document,
    workspace: &Workspace,
) -> lsp_types::Diagnostic {
    let position = finding.location.position;
    let range = document
        .lines
        .range(&document.text, position.offset, position.len);
    let related: Vec<DiagnosticRelatedInformation> = finding
        .related
        .iter()
        .filter_map(|related| {
            let (path, other) = workspace.shown_as(&related.location.file)?;
            let at = related.location.position;
            Some(DiagnosticRelatedInformation {
                location: Location::new(
                    uri_of(path)?,
                    other.lines.range(&other.text, at.offset, at.len),
                ),
                message: related.label.clone(),
            })
        })
        .collect();
    let mut message = finding.message.clone();
    if !finding.help.is_empty() {
        message.push_str("\nhelp: ");
        message.push_str(&finding.help);
    }
    lsp_types::Diagnostic {
        range,
        severity: Some(match finding.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
            Severity::Info => DiagnosticSeverity::INFORMATION,
        }),
        code: Some(NumberOrString::String(finding.rule.to_owned())),
        code_description: rules::find(finding.rule).and_then(|info| {
            Some(CodeDescription {
                href: info.help_uri().parse().ok()?,
            })
        }),
        source: Some("saasctl".to_owned()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}
