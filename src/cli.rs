//! The whole command line (clap), and its conversion into validated configurations.
//!
//! Help and messages are in French: the users are French-speaking project teams. clap's own
//! headings are replaced through the help template and explicit help/version flags.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand};

use crate::model::outline::Phase;

const HELP_TEMPLATE: &str = "\
{before-help}{name} {version} — {about}

Utilisation : {usage}

{all-args}{after-help}";

/// Help layout of subcommands (their `{name}` would read "cdm-render-check").
const SUB_TEMPLATE: &str = "\
{about}

Utilisation : {usage}

{all-args}{after-help}";

const AFTER_HELP: &str = "\
Exemples :
  cdm-render dossier.toml                 écrit dossier.pdf à côté du fichier
  cdm-render dossier.toml -o depot.pdf    choisit le fichier de sortie
  cdm-render plan --label projet          liste les items requis pour le Label projet";

/// cdm-render command line.
#[derive(Debug, Parser)]
#[command(
    name = "cdm-render",
    version,
    about = "produit le dossier de labellisation d'une Cité des métiers (TOML → PDF)",
    help_template = HELP_TEMPLATE,
    after_help = AFTER_HELP,
    disable_help_flag = true,
    disable_version_flag = true,
    disable_help_subcommand = true,
    args_conflicts_with_subcommands = true,
    subcommand_help_heading = "Commandes ",
    subcommand_value_name = "COMMANDE",
    next_help_heading = "Options "
)]
pub struct Cli {
    /// Command; without one, renders the dossier given as argument.
    #[command(subcommand)]
    pub command: Option<Command>,

    /// Rendering of one dossier (the default command).
    #[command(flatten)]
    pub render: RenderArgs,

    /// Prints help.
    #[arg(short = 'h', long = "help", action = ArgAction::Help, global = true, help = "Affiche cette aide")]
    help: Option<bool>,

    /// Prints the version.
    #[arg(short = 'V', long = "version", action = ArgAction::Version, help = "Affiche la version")]
    version: Option<bool>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Vérifie un dossier et indique, item par item, ce qui reste à compléter pour un label.
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Check(CheckArgs),
    /// Produit plusieurs dossiers en une fois (fichiers ou dossiers entiers), en parallèle.
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Batch(BatchArgs),
    /// Récupère les données jointes à un dossier PDF (le fichier TOML et ses fichiers de données).
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Extract(ExtractArgs),
    /// Affiche ce qui a changé entre deux dossiers (phase précédente et phase demandée).
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Diff(DiffArgs),
    /// Crée un dossier de départ : tous les items du label, avec ce que le plan attend.
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Init(InitArgs),
    /// Affiche le schéma JSON du format des dossiers (complétion et contrôle dans les éditeurs).
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Schema,
    /// Affiche le plan officiel du dossier et le niveau attendu de chaque item pour un label.
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ")]
    Plan(PlanArgs),
    /// Refait le PDF à chaque enregistrement du dossier ; avec --serve, aperçu dans le navigateur.
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ", after_help = WATCH_HELP)]
    Watch(WatchArgs),
    /// Écrit le dossier dans le navigateur : formulaires item par item à côté de l'aperçu.
    #[command(help_template = SUB_TEMPLATE, next_help_heading = "Options ", after_help = EDIT_HELP)]
    Edit(EditArgs),
}

const EDIT_HELP: &str = "\
Exemples :
  cdm-render edit dossier.toml         ouvre l'éditeur du dossier dans le navigateur
  cdm-render edit ma-cite/             crée ma-cite/dossier.toml (dossier de départ) et l'ouvre

Le fichier TOML reste la référence : chaque modification y est écrite (commentaires conservés),
les 100 versions précédentes sont gardées dans .cdm-render/versions/ à côté du dossier.
L'éditeur n'écoute que sur cet ordinateur ; son adresse contient un jeton propre à ce lancement.
Ctrl+C arrête l'éditeur.";

/// Arguments of `edit`.
#[derive(Debug, Args)]
pub struct EditArgs {
    /// Fichier TOML du dossier (créé à partir du dossier de départ s'il n'existe pas), ou dossier où le créer.
    #[arg(value_name = "DOSSIER", help_heading = "Arguments ")]
    pub input: PathBuf,

    /// Output, templates, previous dossier, PDF standards.
    #[command(flatten)]
    pub dossier: DossierArgs,

    /// Label visé (par défaut : celui demandé dans le dossier ; projet pour un nouveau dossier).
    #[arg(short, long, value_name = "LABEL", value_parser = parse_phase)]
    pub label: Option<Phase>,

    /// Port de l'éditeur (par défaut : le premier libre à partir de 3000 ; 0 pour un port libre quelconque).
    #[arg(long, value_name = "PORT")]
    pub port: Option<u16>,

    /// N'ouvre pas le navigateur (l'adresse est affichée).
    #[arg(long)]
    pub no_open: bool,

    /// N'affiche que les erreurs et les avertissements.
    #[arg(short, long)]
    pub quiet: bool,
}

const WATCH_HELP: &str = "\
Exemples :
  cdm-render watch dossier.toml                  refait dossier.pdf à chaque enregistrement
  cdm-render watch dossier.toml --serve --open   ouvre l'aperçu dans le navigateur

Une erreur dans le dossier est affichée (et dans l'aperçu) ; le dernier PDF réussi est conservé.
Ctrl+C arrête la surveillance.";

/// Arguments of `watch`.
#[derive(Debug, Args)]
pub struct WatchArgs {
    /// Fichier TOML du dossier de labellisation.
    #[arg(value_name = "DOSSIER.toml", help_heading = "Arguments ")]
    pub input: PathBuf,

    /// Output, templates, previous dossier, PDF standards.
    #[command(flatten)]
    pub dossier: DossierArgs,

    /// Label à produire (par défaut : celui demandé dans le dossier).
    #[arg(short, long, value_name = "LABEL", value_parser = parse_phase)]
    pub label: Option<Phase>,

    /// Ouvre un aperçu en direct dans le navigateur (pages, erreurs, complétude).
    #[arg(long)]
    pub serve: bool,

    /// Port de l'aperçu (par défaut : le premier libre à partir de 3000 ; 0 pour un port libre quelconque).
    #[arg(long, value_name = "PORT", requires = "serve")]
    pub port: Option<u16>,

    /// Adresse d'écoute de l'aperçu (par défaut 127.0.0.1 : visible de cet ordinateur seulement).
    #[arg(
        long,
        value_name = "ADRESSE",
        requires = "serve",
        default_value = "127.0.0.1",
        hide_default_value = true
    )]
    pub host: std::net::IpAddr,

    /// Ouvre l'aperçu dans le navigateur par défaut.
    #[arg(long, requires = "serve")]
    pub open: bool,

    /// N'affiche que les erreurs et les avertissements.
    #[arg(short, long)]
    pub quiet: bool,
}

/// A validated `watch` configuration.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// The dossier and where its PDF goes.
    pub dossier: DossierConfig,
    /// Label of the completeness panel.
    pub label: Option<Phase>,
    /// The browser preview, if asked.
    pub serve: Option<ServeConfig>,
    /// Fewer messages.
    pub quiet: bool,
}

/// Where the preview listens.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Listening address.
    pub host: std::net::IpAddr,
    /// Port, or the first free one from 3000.
    pub port: Option<u16>,
    /// Open a browser.
    pub open: bool,
}

impl WatchArgs {
    /// Checks the arguments and fills in defaults before any work starts.
    pub fn into_config(self) -> anyhow::Result<WatchConfig> {
        let serve =
            self.serve.then_some(ServeConfig { host: self.host, port: self.port, open: self.open });
        Ok(WatchConfig {
            dossier: self.dossier.into_config(Some(self.input))?,
            label: self.label,
            serve,
            quiet: self.quiet,
        })
    }
}

/// Output format of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Texte lisible.
    Human,
    /// JSON (format stable, décrit dans le README).
    Json,
}

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Fichier TOML du dossier de labellisation.
    #[arg(value_name = "DOSSIER.toml", help_heading = "Arguments ")]
    pub input: PathBuf,

    /// Label à vérifier (par défaut : celui demandé dans le dossier).
    #[arg(short, long, value_name = "LABEL", value_parser = parse_phase)]
    pub label: Option<Phase>,

    /// Format du rapport : human (texte, par défaut) ou json.
    #[arg(
        long,
        value_enum,
        default_value = "human",
        hide_default_value = true,
        value_name = "FORMAT",
        hide_possible_values = true
    )]
    pub format: Format,

    /// Dossier de la phase précédente (remplace `precedent` de [cite]).
    #[arg(long, value_name = "ANCIEN.toml")]
    pub previous: Option<PathBuf>,

    /// PDF standards (the same as the render's, so that check and render agree).
    #[command(flatten)]
    pub standards: StandardArgs,
}

/// Arguments of the default rendering command.
#[derive(Debug, Args)]
pub struct RenderArgs {
    /// Fichier TOML du dossier de labellisation.
    #[arg(value_name = "DOSSIER.toml", help_heading = "Arguments ")]
    pub input: Option<PathBuf>,

    /// Output, templates, previous dossier, PDF standards.
    #[command(flatten)]
    pub dossier: DossierArgs,

    /// Écrit aussi les sources Typst générées (et les polices) dans ce dossier.
    #[arg(long, value_name = "DOSSIER")]
    pub emit_typst: Option<PathBuf>,

    /// N'affiche que les erreurs et les avertissements.
    #[arg(short, long)]
    pub quiet: bool,
}

/// The options of the commands that turn one dossier into a PDF (rendering and `watch`).
#[derive(Debug, Args)]
pub struct DossierArgs {
    /// Fichier PDF à écrire (par défaut : le nom du dossier avec l'extension .pdf).
    #[arg(short, long, value_name = "FICHIER.pdf")]
    pub output: Option<PathBuf>,

    /// Dossier de modèles personnalisés : chaque fichier remplace le modèle intégré de même nom.
    #[arg(long, value_name = "DOSSIER")]
    pub templates: Option<PathBuf>,

    /// Dossier de la phase précédente (remplace `precedent` de [cite]) : items mis à jour ou inchangés, évolutions en 8.3.
    #[arg(long, value_name = "ANCIEN.toml")]
    pub previous: Option<PathBuf>,

    /// PDF standards.
    #[command(flatten)]
    pub standards: StandardArgs,
}

/// The PDF standards option, shared by the commands that write dossiers.
#[derive(Debug, Args)]
pub struct StandardArgs {
    /// Normes PDF, séparées par des virgules : a-3a,ua-1 par défaut ; avec les données jointes : a-3a, a-3u, a-3b, a-4f, a-4e ; sans elles (ces normes les interdisent) : a-2a, a-2u, a-2b, a-4 ; ua-1 ; versions 1.4, 1.5, 1.6, 1.7, 2.0 ; ou « aucune ».
    #[arg(long, value_name = "NORMES", default_value = "a-3a,ua-1", hide_default_value = true)]
    pub pdf_standard: String,

    /// Les défauts de mise en page (texte sur le pied de page, textes superposés, page à moitié vide, titre seul en bas de page) et ce qu'une commission relèverait (nombre d'un texte contredit par une liste, répartition plus grande que son total, note de rédaction oubliée, financement sollicité compté comme acquis) deviennent des erreurs : aucun PDF n'est écrit.
    #[arg(long)]
    pub strict: bool,
}

impl StandardArgs {
    /// The validated output target: standards and strictness.
    pub fn target(&self) -> anyhow::Result<crate::input::validate::Target> {
        Ok(crate::input::validate::Target {
            standards: parse_standards(&self.pdf_standard)?,
            strict_layout: self.strict,
        })
    }
}

/// The standards that render, as the error messages list them.
const POSSIBLE: &str = "normes possibles : a-3a, a-3u, a-3b, a-4f, a-4e (avec les données jointes), a-2a, a-2u, a-2b, a-4 (sans), ua-1, 1.4, 1.5, 1.6, 1.7, 2.0, ou « aucune »";

/// Parses a comma-separated list of PDF standards ("a-3a,ua-1", or "aucune"). PDF/A-1 is
/// refused: it forbids transparency, which logos and annex images often have.
pub fn parse_standards(text: &str) -> anyhow::Result<Vec<typst_pdf::PdfStandard>> {
    use typst_pdf::PdfStandard;
    let text = text.trim();
    if ["aucune", "aucun", "none", ""].contains(&text) {
        return Ok(Vec::new());
    }
    let list = text
        .split(',')
        .map(|s| {
            serde_json::from_value(serde_json::Value::from(s.trim().to_lowercase())).map_err(|_| {
                anyhow::anyhow!("norme PDF inconnue « {} »\naide : {POSSIBLE}", s.trim())
            })
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    if let Some(old) = list.iter().find(|s| matches!(s, PdfStandard::A_1a | PdfStandard::A_1b)) {
        anyhow::bail!(
            "la norme {} n'est pas proposée : PDF/A-1 interdit la transparence, que les images \
             des dossiers (logo, annexes) ont souvent\naide : pour un dépôt qui exige PDF/A, \
             a-2b convient (sans les données jointes) ; {POSSIBLE}",
            crate::render::standard_name(old)
        );
    }
    typst_pdf::PdfStandards::new(&list).map_err(|e| {
        anyhow::anyhow!("combinaison de normes PDF impossible ({text}) : {}", e.message())
    })?;
    Ok(list)
}

/// Arguments of `batch`.
#[derive(Debug, Args)]
pub struct BatchArgs {
    /// Fichiers TOML de dossiers, ou dossiers à parcourir (sous-dossiers compris).
    #[arg(value_name = "FICHIERS_OU_DOSSIERS", required = true, help_heading = "Arguments ")]
    pub inputs: Vec<PathBuf>,

    /// Dossier où écrire les PDF (un fichier par Cité, nommé d'après la Cité).
    #[arg(short, long, value_name = "DOSSIER")]
    pub output: PathBuf,

    /// Nombre de dossiers produits en parallèle (par défaut : le nombre de cœurs).
    #[arg(short, long, value_name = "N")]
    pub jobs: Option<usize>,

    /// Produit tous les dossiers pour ce label, quel que soit celui qu'ils demandent.
    #[arg(short, long, value_name = "LABEL", value_parser = parse_phase)]
    pub label: Option<Phase>,

    /// Écrit aussi une synthèse du réseau : tableau des dossiers, matrice items × dossiers, comparaisons, une page par Cité.
    #[arg(long, value_name = "FICHIER.pdf")]
    pub overview: Option<PathBuf>,

    /// Écrit aussi la synthèse en CSV (une ligne par dossier, pour un tableur).
    #[arg(long, value_name = "FICHIER.csv")]
    pub overview_csv: Option<PathBuf>,

    /// PDF standards.
    #[command(flatten)]
    pub standards: StandardArgs,

    /// N'affiche ni barre de progression ni ligne par dossier, seulement le bilan.
    #[arg(short, long)]
    pub quiet: bool,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// Dossier de la phase précédente.
    #[arg(value_name = "ANCIEN.toml", help_heading = "Arguments ")]
    pub old: PathBuf,

    /// Dossier de la phase demandée.
    #[arg(value_name = "NOUVEAU.toml", help_heading = "Arguments ")]
    pub new: PathBuf,
}

/// Arguments of `init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Dossier où créer dossier.toml, le classeur tableaux.xlsx et cdm-render.schema.json (par
    /// défaut : le dossier courant).
    #[arg(
        value_name = "DOSSIER",
        default_value = ".",
        hide_default_value = true,
        help_heading = "Arguments "
    )]
    pub dir: PathBuf,

    /// Label visé (projet par défaut, prefiguration ou fonctionnement).
    #[arg(short, long, value_name = "LABEL", value_parser = parse_phase, default_value = "projet", hide_default_value = true)]
    pub label: Phase,

    /// Nom de la Cité des métiers.
    #[arg(long, value_name = "NOM", default_value = "Cité des métiers", hide_default_value = true)]
    pub cite: String,
}

/// Arguments of `extract`.
#[derive(Debug, Args)]
pub struct ExtractArgs {
    /// Dossier PDF produit par cdm-render.
    #[arg(value_name = "DOSSIER.pdf", help_heading = "Arguments ")]
    pub input: PathBuf,

    /// Dossier où écrire les fichiers récupérés.
    #[arg(short, long, value_name = "DOSSIER", default_value = ".")]
    pub output: PathBuf,

    /// Remplace les fichiers qui existent déjà.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Label dont on veut le plan (projet, prefiguration ou fonctionnement).
    #[arg(short, long, value_name = "LABEL", value_parser = parse_phase)]
    pub label: Option<Phase>,
}

/// Parses a phase name as typed by users (accents and case tolerated).
pub fn parse_phase(text: &str) -> Result<Phase, String> {
    Phase::parse(text).ok_or_else(|| {
        format!(
            "label inconnu « {text} » : valeurs possibles projet, prefiguration, fonctionnement"
        )
    })
}

/// A validated rendering configuration.
#[derive(Debug, Clone)]
pub struct RenderConfig {
    /// The dossier and where its PDF goes.
    pub dossier: DossierConfig,
    /// Where to write the Typst sources, if asked.
    pub emit_typst: Option<PathBuf>,
    /// Fewer messages.
    pub quiet: bool,
}

impl RenderArgs {
    /// Checks the arguments and fills in defaults before any work starts.
    pub fn into_config(self) -> anyhow::Result<RenderConfig> {
        Ok(RenderConfig {
            dossier: self.dossier.into_config(self.input)?,
            emit_typst: self.emit_typst,
            quiet: self.quiet,
        })
    }
}

/// A dossier to turn into a PDF, checked: the files exist, the output is not the input.
#[derive(Debug, Clone)]
pub struct DossierConfig {
    /// The dossier file.
    pub input: PathBuf,
    /// The PDF to write.
    pub output: PathBuf,
    /// Template overrides.
    pub templates: Option<PathBuf>,
    /// The previous phase's dossier, if given on the command line.
    pub previous: Option<PathBuf>,
    /// PDF standards to conform to, and whether layout defects are errors.
    pub target: crate::input::validate::Target,
}

impl DossierConfig {
    /// How the dossier is read for this output.
    pub fn load_options(&self) -> crate::input::load::LoadOptions {
        crate::input::load::LoadOptions {
            target: self.target.clone(),
            label: None,
            previous: self.previous.clone(),
        }
    }
}

impl DossierArgs {
    /// Checks the dossier, output, templates and previous dossier paths; the output defaults to
    /// the dossier with the `.pdf` extension.
    pub fn into_config(self, input: Option<PathBuf>) -> anyhow::Result<DossierConfig> {
        let input = existing_dossier(input)?;
        let output = self.output.unwrap_or_else(|| input.with_extension("pdf"));
        if let Some(dir) = &self.templates
            && !dir.is_dir()
        {
            anyhow::bail!("le dossier de modèles {} n'existe pas", dir.display());
        }
        if let Some(previous) = &self.previous
            && !previous.is_file()
        {
            anyhow::bail!("le dossier précédent {} n'existe pas", previous.display());
        }
        // Checked again against what the dossier really names before the PDF is written; this
        // first look refuses a wrong output before any work (and before `watch` starts).
        let mut inputs = vec![crate::fsutil::Input::new(&input, "le dossier")];
        inputs.extend(crate::input::load::named_files(&input));
        inputs.extend(
            self.previous
                .iter()
                .map(|p| crate::fsutil::Input::new(p, "le dossier précédent (--previous)")),
        );
        if let Some(dir) = &self.templates {
            let files = std::fs::read_dir(dir).into_iter().flatten().flatten();
            inputs.extend(
                files.map(|f| {
                    crate::fsutil::Input::new(f.path(), "un fichier du dossier de modèles")
                }),
            );
        }
        crate::fsutil::check_output(&output, &inputs)?;
        Ok(DossierConfig {
            input,
            output,
            templates: self.templates,
            previous: self.previous,
            target: self.standards.target()?,
        })
    }
}

/// The dossier file given on the command line, which must exist (a misspelt command is
/// suggested).
fn existing_dossier(input: Option<PathBuf>) -> anyhow::Result<PathBuf> {
    let Some(input) = input else {
        anyhow::bail!(
            "aucun dossier indiqué\naide : cdm-render dossier.toml -o dossier.pdf \
                 (cdm-render --help pour l'aide)"
        );
    };
    if !input.is_file() {
        use clap::CommandFactory;
        let commands: Vec<String> =
            Cli::command().get_subcommands().map(|c| c.get_name().to_string()).collect();
        let typo = crate::diag::suggestion(&input.to_string_lossy(), &commands)
            .map(|c| format!("\naide : vouliez-vous dire la commande « {c} » ?"))
            .unwrap_or_default();
        anyhow::bail!("le fichier {} n'existe pas ou n'est pas un fichier{typo}", input.display());
    }
    Ok(input)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn phase_names_tolerate_accents_and_case() {
        assert_eq!(parse_phase("Préfiguration"), Ok(Phase::Prefiguration));
        assert!(parse_phase("fonction").is_err());
    }
}
