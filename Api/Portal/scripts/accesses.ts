// "Who accessed the images" (#/accesses/{patientId}): the audit trail's report of one patient, for the
// data-protection officer or the administrator of an establishment that cares for the patient (the API refuses
// anyone else, and records each reading).
// A viewer opening a CT records one access per image: the page groups them per person, act and studies.
import { getJson } from "./api.js";
import { h, replace } from "./dom.js";
import { hasMessage, language, t } from "./i18n.js";
import { errorText, heading, message } from "./page.js";

interface PatientAccessEntry { at: string; action: string; who: string; establishmentId?: string | null; studyUids: string[]; emergency: boolean }
interface AccessGroup { first: Date; last: Date; count: number; entry: PatientAccessEntry }

function group(entries: PatientAccessEntry[]): AccessGroup[] {
  const groups = new Map<string, AccessGroup>();
  for (const entry of entries) {
    const key = [entry.who, entry.establishmentId ?? "", entry.action, entry.emergency, ...entry.studyUids].join("|");
    const at = new Date(entry.at);
    const known = groups.get(key);
    if (!known) groups.set(key, { first: at, last: at, count: 1, entry });
    else { known.count++; if (at < known.first) known.first = at; if (at > known.last) known.last = at; }
  }
  return [...groups.values()].sort((a, b) => b.last.getTime() - a.last.getTime());
}

function when(g: AccessGroup): string {
  const format = (d: Date) => d.toLocaleString(language, { dateStyle: "medium", timeStyle: "short" });
  const time = (d: Date) => d.toLocaleTimeString(language, { timeStyle: "short" });
  if (format(g.first) === format(g.last)) return format(g.last);
  return `${format(g.first)} – ${g.first.toDateString() === g.last.toDateString() ? time(g.last) : format(g.last)}`;
}

function actionWords(action: string): string {
  const key = "access" + action;
  return hasMessage(key) ? t(key) : action;
}

export async function renderAccessReport(main: HTMLElement, patientId: string, fromPatientPage: boolean): Promise<void> {
  const back = fromPatientPage
    ? h("a", { href: "#/patient/" + encodeURIComponent(patientId) }, "← " + t("backToPatient"))
    : h("a", { href: "#/admin" }, "← " + t("adminTitle"));
  replace(main, back, heading(t("accessReport")), h("p", { role: "status" }, t("loading")));
  let entries: PatientAccessEntry[];
  try {
    entries = await getJson<PatientAccessEntry[]>("/api/patients/" + encodeURIComponent(patientId) + "/accesses");
  } catch (error) {
    replace(main, back, heading(t("accessReport")), message(errorText(error)));
    return;
  }
  const groups = group(entries);
  const emergencies = groups.filter(g => g.entry.emergency).length;
  replace(main, back, heading(t("accessReport")),
    h("p", {}, t("accessReportHelp")),
    emergencies > 0 ? h("p", { class: "hidden-count" }, t("accessReportEmergencies", emergencies)) : null,
    groups.length === 0 ? message(t("accessReportEmpty"), "info") : h("table", { class: "list", id: "access-report" },
      h("caption", { class: "visually-hidden" }, t("accessReport")),
      h("thead", {}, h("tr", {}, ...[t("when"), t("who"), t("establishment"), t("what"), t("studies"), t("times")].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...groups.map(g => h("tr", { class: g.entry.emergency ? "emergency" : "" },
        h("td", {}, when(g)),
        h("td", {}, g.entry.who),
        h("td", {}, g.entry.establishmentId ?? "—"),
        h("td", {}, actionWords(g.entry.action),
          g.entry.emergency && g.entry.action !== "BreakTheGlass" ? h("strong", { class: "flag" }, " — " + t("emergencyFlag")) : null),
        h("td", { class: "uids" }, g.entry.studyUids.join(", ")),
        h("td", { class: "number" }, g.count))))));
}
