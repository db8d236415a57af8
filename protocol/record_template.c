/* record_template.c — the lesson template `knowctl new` prints: the seed's guiding questions. */
#include <string.h>

#include "record.h"
#include "record_int.h"
#include "util.h"

/* The placeholders a lesson must not keep (record_template_check). */
#define TPL_TITLE	"Titel der Erfahrung"
#define TPL_PROJECT	"mein-projekt"
#define TPL_SUMMARY	"Ein Satz, der zusammenfasst, was andere Kommunen aus " \
			"dieser Erfahrung lernen können."

/* The body: one section a guiding question. */
#define TPL_BODY \
    "## Ausgangslage\n" \
    "\n" \
    "_Wie ist Ihre Stadt in den Prozess gestartet?_\n" \
    "\n" \
    "## Rahmenbedingungen\n" \
    "\n" \
    "_Welche Rahmenbedingungen waren vorhanden?_\n" \
    "\n" \
    "## Hürden\n" \
    "\n" \
    "_Welche Hürden mussten genommen werden?_\n" \
    "\n" \
    "## Ziele\n" \
    "\n" \
    "_Welche Ziele wurden formuliert?_\n" \
    "\n" \
    "## Verankerung\n" \
    "\n" \
    "_Wo ist der Prozess strategisch, organisatorisch und operativ angesiedelt?_\n" \
    "\n" \
    "## Kommunikation\n" \
    "\n" \
    "_Wie wird verwaltungsintern und -extern kommuniziert?_\n" \
    "\n" \
    "## Akteure\n" \
    "\n" \
    "_Welche Akteure wurden wann mit eingebunden?_\n" \
    "\n" \
    "## Nächste Schritte\n" \
    "\n" \
    "_Wie sind die nächsten Schritte?_\n" \
    "\n" \
    "## Erkenntnisse\n" \
    "\n" \
    "_Was würden Sie anderen Kommunen raten, was würden Sie heute anders machen?_\n"

/*
 * A valid draft lesson. The comments say what the vocabularies hold and
 * that people are named by organisation and role only; they are not kept
 * when the record is read. Each section asks the forum's guiding question.
 */
static const char template[] =
    "---\n"
    "# Neue Erfahrung (lesson). id, created und modified vergibt knowd.\n"
    "# Keine personenbezogenen Daten: keine Namen, E-Mail-Adressen oder\n"
    "# Telefonnummern. Nennen Sie Organisationen und Rollen, z. B.\n"
    "# „Stabsstelle Smart City“ oder „Fachbereich Stadtentwicklung“.\n"
    "#\n"
    "# fields (Handlungsfelder, mindestens eines): strategie-organisation,\n"
    "#   verwaltung, mobilitaet, energie-umwelt, bildung, gesundheit-pflege,\n"
    "#   wirtschaft-handel, teilhabe-gesellschaft, wohnen-quartier,\n"
    "#   sicherheit-resilienz, daten-infrastruktur, kultur-tourismus\n"
    "# status: idee, planung, umsetzung, regelbetrieb, beendet\n"
    "# hurdles (Hürden): finanziell, organisatorisch, technisch, sozial, rechtlich\n"
    "# project: ein Kurzname des Projekts, z. B. smarte-laternen.\n"
    "# tags: Schlagwörter, z. B. [Bürgerbeteiligung, Open Data].\n"
    "# Text mit Doppelpunkt bitte in Anführungszeichen setzen, z. B.\n"
    "#   title: \"Bürgerportal: ein Jahr danach\"\n"
    "kind: lesson\n"
    "title: " TPL_TITLE "\n"
    "project: " TPL_PROJECT "\n"
    "summary: " TPL_SUMMARY "\n"
    "fields: [strategie-organisation]\n"
    "status: idee\n"
    "hurdles: []\n"
    "tags: []\n"
    "language: de\n"
    "license: dl-de/by-2-0\n"
    "---\n"
    TPL_BODY;

const char *
record_template(void)
{
	return template;
}

void
record_template_check(const struct record *r, struct buf *errs)
{
	if (r->kind != RECORD_LESSON && r->kind != RECORD_PROJECT)
		return;
	if (r->title != NULL && strcmp(r->title, TPL_TITLE) == 0)
		buf_printf(errs, "title: %s\n", _("still the template's \"Titel "
		    "der Erfahrung\": please give it a title of its own"));
	if (r->project != NULL && strcmp(r->project, TPL_PROJECT) == 0)
		buf_printf(errs, "project: %s\n", _("still the template's "
		    "\"mein-projekt\": please name the project (e.g. "
		    "smarte-strassenbeleuchtung)"));
	if (r->summary != NULL && strcmp(r->summary, TPL_SUMMARY) == 0)
		buf_printf(errs, "summary: %s\n", _("still the template's "
		    "sentence: please summarise what others can learn"));
	if (r->body != NULL && strcmp(r->body, TPL_BODY) == 0)
		buf_printf(errs, "body: %s\n", _("only the template's "
		    "questions: please write your answers under them"));
}
