/* record_template.c — the lesson template `knowctl new` prints: the seed's guiding questions. */
#include "record.h"

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
    "# project und tags: Kleinbuchstaben, Ziffern und Bindestriche.\n"
    "kind: lesson\n"
    "title: Titel der Erfahrung\n"
    "project: mein-projekt\n"
    "summary: Ein Satz, der zusammenfasst, was andere Kommunen aus dieser "
    "Erfahrung lernen können.\n"
    "fields: [strategie-organisation]\n"
    "status: idee\n"
    "hurdles: []\n"
    "tags: []\n"
    "language: de\n"
    "license: dl-de/by-2-0\n"
    "---\n"
    "## Ausgangslage\n"
    "\n"
    "_Wie ist Ihre Stadt in den Prozess gestartet?_\n"
    "\n"
    "## Rahmenbedingungen\n"
    "\n"
    "_Welche Rahmenbedingungen waren vorhanden?_\n"
    "\n"
    "## Hürden\n"
    "\n"
    "_Welche Hürden mussten genommen werden?_\n"
    "\n"
    "## Ziele\n"
    "\n"
    "_Welche Ziele wurden formuliert?_\n"
    "\n"
    "## Verankerung\n"
    "\n"
    "_Wo ist der Prozess strategisch, organisatorisch und operativ angesiedelt?_\n"
    "\n"
    "## Kommunikation\n"
    "\n"
    "_Wie wird verwaltungsintern und -extern kommuniziert?_\n"
    "\n"
    "## Akteure\n"
    "\n"
    "_Welche Akteure wurden wann mit eingebunden?_\n"
    "\n"
    "## Nächste Schritte\n"
    "\n"
    "_Wie sind die nächsten Schritte?_\n"
    "\n"
    "## Erkenntnisse\n"
    "\n"
    "_Was würden Sie anderen Kommunen raten, was würden Sie heute anders machen?_\n";

const char *
record_template(void)
{
	return template;
}
