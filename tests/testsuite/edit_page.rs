//! `cdm-render edit`, the page: a Label projet dossier written from an empty folder through the
//! page only (headless Chromium driven through chromedriver) until `check` accepts it; what was
//! typed is in the PDF, the starter's comments are still in the TOML, undo restores the file,
//! and axe-core finds nothing to report on the page.

use std::path::PathBuf;

use crate::browser::Browser;
use crate::edit::Editing;
use crate::support::{pdf_text, render, root, run, scratch};

/// The editor page in the browser, driven as a person does: clicks, keys, pastes, files.
struct Page<'a> {
    browser: &'a Browser,
}

/// The Tab key, which leaves a control (and sends what was typed in it).
const TAB: &str = "\u{E004}";

impl Page<'_> {
    /// Waits until no request is under way and nothing typed is left unsent.
    fn settle(&self) {
        self.browser.wait(
            "the page to be idle",
            "return document.body.dataset.envois === '0' \
             && !document.querySelector('[data-modifie=\"1\"]') \
             && !document.getElementById('formulaire').querySelector('.message .erreur')",
        );
    }

    /// Opens an entry of the outline by clicking it.
    fn open(&self, numero: &str) {
        self.browser.click(&format!("#items [data-numero=\"{numero}\"]"));
        self.browser.wait(
            &format!("the form of {numero}"),
            &format!("return !!document.querySelector('[data-section=\"{numero}\"]')"),
        );
    }

    /// Replaces the text of the control of `path` by typing `text`, then leaves it.
    fn fill(&self, path: &str, text: &str) {
        let css = format!("[data-chemin=\"{path}\"]");
        self.browser.eval(&format!("document.querySelector('{css}').value = ''; return true"));
        self.browser.type_into(&css, &format!("{text}{TAB}"));
        self.settle();
    }

    /// Pastes a tab-separated block on a table's paste box, as Ctrl+V after a copy in a
    /// spreadsheet does, and waits for the rows.
    fn paste(&self, table: &str, block: &str, rows: usize) {
        let text = serde_json::to_string(block).unwrap();
        self.browser.eval(&format!(
            "const box = document.querySelector('[data-coller=\"{table}\"]'); \
             const data = new DataTransfer(); data.setData('text/plain', {text}); \
             box.dispatchEvent(new ClipboardEvent('paste', {{ clipboardData: data, bubbles: true, cancelable: true }})); \
             return true"
        ));
        self.browser.wait(
            &format!("{rows} rows in {table}"),
            &format!(
                "return document.querySelectorAll('[data-tableau=\"{table}\"] tbody tr').length === {rows}"
            ),
        );
        self.settle();
    }

    /// Runs axe-core on the page; returns its violations, one line each.
    fn accessibility_violations(&self) -> Vec<String> {
        let axe = std::fs::read_to_string(root().join("tests/vendor/axe-core/axe.min.js")).unwrap();
        self.browser.eval(&format!("{axe}\nreturn true;"));
        let found = self.browser.eval_async(
            "const done = arguments[arguments.length - 1]; \
             axe.run(document).then(r => done(r.violations.map(v => v.id + ' (' + v.impact + '): ' \
               + v.help + ' — ' + v.nodes.map(n => n.target.join(' ')).slice(0, 5).join(' | '))), \
               e => done(['axe failed: ' + e]));",
        );
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .collect()
    }
}

/// A narrative text long enough for an item « à approfondir » (100 characters at least).
fn narrative(subject: &str) -> String {
    format!(
        "{subject} : texte rédigé dans le navigateur, assez long pour que la vérification juge \
         l'item approfondi et que le PDF le montre."
    )
}

fn fixture(name: &str) -> PathBuf {
    root().join("tests/fixtures/editeur").join(name)
}

#[test]
fn a_label_projet_dossier_is_written_from_an_empty_folder_through_the_page_until_check_accepts_it()
{
    let Some(mut browser) = Browser::start() else {
        assert!(std::env::var_os("CI").is_none(), "chromium-driver must be installed in CI");
        eprintln!(
            "chromedriver absent: editor test skipped (apt-get install chromium chromium-driver)"
        );
        return;
    };
    let dir = scratch("edit-page");
    let toml = dir.join("dossier.toml");
    let editing = Editing::start(&dir, toml.clone());
    let url = editing.url();
    let starter = std::fs::read_to_string(&toml).expect("the starter is written");
    browser.diagnostic = "return [document.body.dataset.envois, document.getElementById('statut').innerText, \
        document.getElementById('alerte').innerText, \
        Array.from(document.querySelectorAll('#formulaire .message, #formulaire .constat')).map(n => n.innerText).filter(t => t).join(' / '), \
        document.getElementById('formulaire').innerText.slice(0, 600)].join('\\n')"
        .into();
    browser.open(&url);
    browser.wait("the outline", "return document.querySelectorAll('#items li').length >= 20");
    let page = Page { browser: &browser };

    page.open("couverture");
    page.fill("cite.nom", "Cité des métiers du Val de Serre");
    page.fill("cite.porteur", "Syndicat mixte du Val de Serre");
    page.fill("cite.territoire", "Vallée de la Serre");
    // Undo (Ctrl+Z) sends the previous value again: the file has it.
    page.fill("cite.territoire", "Territoire à corriger");
    browser.type_into("[data-chemin=\"cite.territoire\"]", "\u{E009}z\u{E000}");
    browser.wait(
        "the undone value in the file",
        "return document.querySelector('[data-chemin=\"cite.territoire\"]').value === 'Vallée de la Serre'",
    );
    page.settle();
    let text = std::fs::read_to_string(&toml).unwrap();
    assert!(
        text.contains("territoire = \"Vallée de la Serre\""),
        "undo wrote the value back:\n{text}"
    );
    browser.type_into(
        "input[type=file][data-chemin=\"apparence.logo\"]",
        fixture("logo.png").to_str().unwrap(),
    );
    browser
        .wait("the logo", "return document.body.innerText.includes('Fichier actuel : logo.png')");
    page.settle();

    page.open("1.1");
    page.fill("porteur.texte", &narrative("Le syndicat mixte porte le projet"));
    page.fill("porteur.nom", "Syndicat mixte du Val de Serre");
    page.fill("porteur.missions", "Insertion professionnelle\nOrientation des jeunes");

    page.open("1.2");
    page.fill("contexte.texte", &narrative("Le territoire vit de l'industrie et du tourisme"));
    page.paste(
        "contexte.activites.secteurs.postes",
        "nom\tvaleur\nIndustrie\t1 250\nTourisme\t830,5\n",
        2,
    );
    page.paste("contexte.social.indicateurs", "nom\tvaleur\tunite\nTaux de chômage\t9,1\t%\n", 1);
    page.fill("contexte.public.texte", "Jeunes et demandeurs d'emploi de la vallée.");
    page.paste(
        "contexte.structures.liste",
        "nom\tservice\nMission locale\tAccompagnement des jeunes\n",
        1,
    );

    page.open("1.3");
    page.fill(
        "besoins.texte",
        &narrative("Les besoins non satisfaits portent sur l'orientation des adultes"),
    );
    page.fill("besoins.liste", "Orientation des adultes\nInformation sur les métiers");

    page.open("2.1");
    page.fill(
        "partenariat.sensibilisation.texte",
        &narrative("Les partenaires ont été rencontrés un à un"),
    );
    page.paste(
        "partenariat.sensibilisation.etapes",
        "action\tdate\nRéunion de lancement\t2026-01-15\n",
        1,
    );
    page.open("2.2");
    page.fill(
        "partenariat.concertation.texte",
        &narrative("Un comité de pilotage réunit les partenaires"),
    );
    page.paste(
        "partenariat.concertation.instances",
        "nom\trole\nComité de pilotage\tDécide des axes\n",
        1,
    );
    page.open("2.3");
    page.fill(
        "partenariat.mutualisation.texte",
        &narrative("Les partenaires mutualisent leurs ateliers"),
    );
    page.paste(
        "partenariat.mutualisation.actions",
        "titre\tresultat\nForum des métiers\t600 visiteurs\n",
        1,
    );

    // Partners, pasted as a block copied from a spreadsheet with its header row.
    page.open("4.1");
    page.fill("fonctionnement.partenaires.texte", "Les partenaires financent et animent la Cité.");
    page.paste(
        "fonctionnement.partenaires.liste",
        "nom\tcategorie\troles\nFrance Travail\tService public de l'emploi\tservices\n\
         Région Occitanie\tCollectivité\tfinanceur\n",
        2,
    );

    for (numero, path) in [
        ("3.1", "offre.texte"),
        ("3.2", "offre.horaires.texte"),
        ("3.3", "offre.frequentation.texte"),
        ("3.4", "offre.complementarite.texte"),
        ("4.2", "fonctionnement.moyens_humains.texte"),
        ("4.3", "fonctionnement.moyens_materiels.texte"),
        ("4.4", "fonctionnement.gouvernance.texte"),
        ("4.5", "fonctionnement.structure_juridique.texte"),
        ("4.6", "fonctionnement.communication.texte"),
        ("5.1", "implantation.locaux.texte"),
        ("5.3", "implantation.equite.texte"),
        ("6.1", "budget.fonctionnement.texte"),
        ("6.2", "budget.investissement.texte"),
    ] {
        page.open(numero);
        page.fill(path, &format!("Item {numero} écrit dans la page."));
    }

    page.open("annexes");
    browser
        .type_into("[data-annexe=\"fichier\"]", fixture("plan-des-locaux.png").to_str().unwrap());
    browser.type_into("[data-annexe=\"titre\"]", "Plan des locaux");
    browser.type_into(
        "[data-annexe=\"description\"]",
        "Plan du rez-de-chaussée : accueil et deux salles.",
    );
    browser.click("[data-annexe=\"joindre\"]");
    browser.wait(
        "the annex in the table",
        "return document.querySelectorAll('[data-tableau=\"annexes\"] tbody tr').length === 1",
    );
    page.settle();
    browser.wait(
        "every item complete in the outline",
        "return document.querySelectorAll('#items li.complet').length >= 20 \
         && !document.querySelector('#items li.manquant, #items li.a_completer')",
    );

    let check = run(&["check", toml.to_str().unwrap()]);
    assert!(
        check.status.success(),
        "check accepts the dossier written in the page:\n{}\n{}",
        String::from_utf8_lossy(&check.stdout),
        std::fs::read_to_string(&toml).unwrap()
    );
    let written = std::fs::read_to_string(&toml).unwrap();
    let lost: Vec<&str> = starter
        .lines()
        .filter(|l| l.trim_start().starts_with('#'))
        .filter(|l| !written.contains(l.trim()))
        .collect();
    assert!(lost.is_empty(), "the starter's comments are kept; lost:\n{}", lost.join("\n"));
    assert!(dir.join("logo.png").is_file() && dir.join("plan-des-locaux.png").is_file());

    let pdf = dir.join("verifie.pdf");
    render(&toml, &pdf);
    let text = pdf_text(&pdf);
    for typed in [
        "Cité des métiers du Val de Serre",
        "Syndicat mixte du Val de Serre",
        "Vallée de la Serre",
        "Le syndicat mixte porte le projet",
        "Orientation des jeunes",
        "France Travail",
        "Région Occitanie",
        "Forum des métiers",
        "Item 6.2 écrit dans la page.",
        "Plan des locaux",
    ] {
        assert!(text.contains(typed), "the PDF shows « {typed} »:\n{text}");
    }

    a_new_row_waits_in_the_page_and_typing_meets_a_disk_edit_in_the_open(&page, &toml);

    // The page, on a form with a grid and on the annexes' form, has nothing axe-core reports.
    for numero in ["4.1", "annexes", "couverture"] {
        page.open(numero);
        let violations = page.accessibility_violations();
        assert!(violations.is_empty(), "axe-core on {numero}:\n{}", violations.join("\n"));
    }

    // The README's screenshot, made again with CDM_CAPTURE_EDITEUR=docs/editeur.png.
    if let Some(target) = std::env::var_os("CDM_CAPTURE_EDITEUR") {
        page.open("4.1");
        browser.wait(
            "the preview",
            "return document.getElementById('apercu-statut').innerText.includes('à jour')",
        );
        browser.screenshot(&root().join(target));
    }
}

/// « Ajouter une ligne » in a table whose rows need a number: the new row stays in the page
/// (marked, saying what it lacks) until its cells are filled, then is written. Text typed and
/// not yet sent when the file changes on disk: the field shows the file's value, says so, and
/// gives the typed text back on request.
fn a_new_row_waits_in_the_page_and_typing_meets_a_disk_edit_in_the_open(
    page: &Page,
    toml: &std::path::Path,
) {
    let browser = page.browser;
    let table = "implantation.equite.sites";
    page.open("5.3");
    let before = std::fs::read_to_string(toml).unwrap();
    browser.click(&format!("[data-ajouter=\"{table}\"]"));
    browser.wait(
        "a row being filled in",
        &format!("return document.querySelectorAll('[data-tableau=\"{table}\"] tbody tr.brouillon').length === 1"),
    );
    page.fill(&format!("{table}[0].nom"), "Médiathèque de Serre");
    let note = browser.eval(&format!(
        "return document.querySelector('[data-tableau=\"{table}\"] tr.brouillon .note').innerText"
    ));
    assert!(note.as_str().unwrap().contains("remplissez"), "{note}");
    assert_eq!(std::fs::read_to_string(toml).unwrap(), before, "an incomplete row is not written");
    browser.eval(&format!(
        "const kind = document.querySelector('[data-chemin=\"{table}[0].type\"]'); \
         kind.value = kind.options[1].value; kind.dispatchEvent(new Event('change')); return true"
    ));
    browser.wait(
        "the row written",
        &format!("return !document.querySelector('[data-tableau=\"{table}\"] tr.brouillon')"),
    );
    page.settle();
    let text = std::fs::read_to_string(toml).unwrap();
    assert!(text.contains("nom = \"Médiathèque de Serre\""), "{text}");
    page.open("1.2");

    // Typing under way in a field (not yet sent) while another program changes that field.
    browser.eval(
        "const area = document.querySelector('[data-chemin=\"contexte.texte\"]'); \
         area.value = 'Texte tapé dans la page.'; area.dataset.modifie = '1'; return true",
    );
    let mut doc: toml_edit::DocumentMut = text.parse().unwrap();
    doc["contexte"]["texte"] = toml_edit::value("Texte changé sur le disque.");
    std::fs::write(toml, doc.to_string()).unwrap();
    browser.wait(
        "the field in conflict",
        "return !!document.querySelector('[data-reprendre=\"contexte.texte\"]')",
    );
    let shown =
        browser.eval("return document.querySelector('[data-chemin=\"contexte.texte\"]').value");
    assert_eq!(shown, "Texte changé sur le disque.", "the field shows the file's value");
    let said = browser.eval(
        "return document.querySelector('[data-champ=\"contexte.texte\"] .message').innerText",
    );
    assert!(said.as_str().unwrap().contains("Texte tapé dans la page."), "{said}");
    browser.click("[data-reprendre=\"contexte.texte\"]");
    browser.wait(
        "the typed text sent",
        "return document.querySelector('[data-chemin=\"contexte.texte\"]').dataset.modifie === '0'",
    );
    page.settle();
    let text = std::fs::read_to_string(toml).unwrap();
    assert!(text.contains("texte = \"Texte tapé dans la page.\""), "{text}");
    // Put the narrative back: the item stays complete for what follows.
    page.fill("contexte.texte", &narrative("Le territoire vit de l'industrie et du tourisme"));
}

#[test]
fn the_page_restores_a_version_says_when_the_file_changed_on_disk_and_follows_a_workbook_sheet() {
    let Some(mut browser) = Browser::start() else {
        assert!(std::env::var_os("CI").is_none(), "chromium-driver must be installed in CI");
        eprintln!("chromedriver absent: editor test skipped");
        return;
    };
    // The fonctionnement example, its investment charges kept in a workbook sheet.
    let dir = scratch("edit-page-versions");
    crate::support::copy_dir(&root().join("data/fonctionnement"), &dir);
    let toml = dir.join("dossier.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let start = text.find("[[budget.investissement.charges]]").unwrap();
    let end = text[start..].find("[[budget.investissement.financements]]").unwrap() + start;
    let sheet = "charges = { fichier = \"tableaux.xlsx\", feuille = \"Charges\" }";
    std::fs::write(&toml, format!("{}{sheet}\n\n{}", &text[..start], &text[end..])).unwrap();
    let workbook = dir.join("tableaux.xlsx");
    std::fs::copy(root().join("tests/fixtures/classeur/tableaux.xlsx"), &workbook).unwrap();
    let editing = Editing::start(&toml, toml.clone());
    browser.diagnostic = "return [document.body.dataset.envois, document.getElementById('statut').innerText, \
        document.getElementById('alerte').innerText, document.getElementById('versions-liste').innerText, \
        document.getElementById('formulaire').innerText.slice(0, 600)].join('\\n')"
        .into();
    browser.open(&editing.url());
    browser.wait("the outline", "return document.querySelectorAll('#items li').length >= 20");
    let page = Page { browser: &browser };
    let read = || std::fs::read_to_string(&toml).unwrap();

    // A value typed, then the version before it restored from the versions dialog.
    page.open("couverture");
    page.fill("cite.version", "Version à défaire");
    assert!(read().contains("version = \"Version à défaire\""), "{}", read());
    browser.click("#ouvrir-versions");
    browser
        .wait("the versions listed", "return !!document.querySelector('#versions-liste button')");
    browser.click("#versions-liste li:first-child button");
    browser.wait("the dialog closed", "return !document.getElementById('versions').open");
    page.settle();
    assert!(!read().contains("Version à défaire"), "the restored file:\n{}", read());
    browser.wait(
        "the restored value in the form",
        "return document.querySelector('[data-chemin=\"cite.version\"]').value !== 'Version à défaire'",
    );

    // A change sent on a version the file no longer has (changed on disk after the page read
    // it, its announcement not yet come) is refused: the page says so and the disk edit stays.
    let stale = browser.eval("return state.version").as_str().unwrap().to_string();
    let on_disk = read().replacen("[cite]", "[cite]\n# modifié dans un autre programme", 1);
    std::fs::write(&toml, &on_disk).unwrap();
    browser.wait("the disk edit announced", &format!("return state.version !== '{stale}'"));
    page.settle();
    browser.eval(&format!("state.version = '{stale}'; return true"));
    page.fill("cite.version", "Écrasera-t-il ?");
    browser.wait(
        "the page's 409 message",
        "return document.getElementById('alerte').innerText.includes('modifié ailleurs')",
    );
    page.settle();
    assert_eq!(read(), on_disk, "the edit made on disk survives, byte for byte");
    browser.wait(
        "the file's value back in the form",
        "return document.querySelector('[data-chemin=\"cite.version\"]').value !== 'Écrasera-t-il ?'",
    );

    // A table kept in a workbook sheet: read only, it says where to change it, and it follows
    // the workbook when the spreadsheet saves it.
    page.open("6.2");
    let table = "[data-tableau=\"budget.investissement.charges\"]";
    browser.wait(
        "the workbook's rows",
        &format!("return document.querySelector('{table}').innerText.includes('Loyer')"),
    );
    let form = browser.eval("return document.getElementById('formulaire').innerText");
    let form = form.as_str().unwrap();
    assert!(
        form.contains("modifiez la feuille « Charges » du classeur « tableaux.xlsx »"),
        "{form}"
    );
    let inputs = browser.eval(&format!("return document.querySelectorAll('{table} input').length"));
    assert_eq!(inputs, 0, "a workbook's rows cannot be typed over");
    std::fs::copy(fixture("tableaux-loyer-modifie.xlsx"), &workbook).unwrap();
    browser.wait(
        "the workbook's new rows",
        &format!(
            "return document.querySelector('{table}').innerText.includes('Loyer de la halle')"
        ),
    );
}
