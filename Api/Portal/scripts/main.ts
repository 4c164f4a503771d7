// The professionals' portal: sign-in, patient search, patient page (every study of every establishment, hidden ones
// with the reason), care relationship / break-the-glass, consent, and the viewer. Hash routes: #/search,
// #/patient/{id}, #/study/{uid}?patient={id}, #/accesses/{patientId} (who accessed the images), #/admin and
// #/admin/establishment/{id} (administration).
import { ApiError, Me, forget, getJson, login, postJson, setSessionEndedHandler, token } from "./api.js";
import { field, h, personName, dicomDate, replace } from "./dom.js";
import { MessageKey, hasMessage, language, languages, setLanguage, t } from "./i18n.js";
import { openViewer, closeViewer } from "./viewer.js";
import { busy, errorText, heading, message } from "./page.js";
import { administers, renderAdmin } from "./admin.js";
import { renderAccessReport } from "./accesses.js";
import { OidcSettings, completeOidcSignIn, oidcSettings, startOidcSignIn } from "./oidc.js";

interface PatientSummary { patientId: string; ins?: string; name?: string; birthDate?: string; sex?: string; localIds: { establishmentId: string; patientId: string }[]; studyCount: number }
interface PortalStudy { studyInstanceUid: string; establishmentId: string; establishmentName?: string; studyDate?: string; modalities: string[]; description?: string; instanceCount: number; visible: boolean; access: string; requiresReview: boolean }
interface PortalPatient { patient: PatientSummary; studies: PortalStudy[] }

const main = document.getElementById("main") as HTMLElement;
const userArea = document.getElementById("user") as HTMLElement;
const adminLinks = document.getElementById("admin-links") as HTMLElement;
let me: Me | null = null;
let oidc: OidcSettings | null = null;

// ---------- shell ----------

function renderShell(): void {
  const select = h("select", { id: "language", "aria-label": t("language") },
    ...languages.map(l => h("option", { value: l.code, selected: l.code === language }, l.label)));
  select.addEventListener("change", () => { setLanguage(select.value); renderShell(); route(); });
  replace(userArea, select,
    me ? h("nav", { class: "sections", "aria-label": t("sections") },
      readsPatients(me) ? h("a", { href: "#/search" }, t("searchTitle")) : null,
      administers(me) ? h("a", { href: "#/admin", id: "admin-link" }, t("adminTitle")) : null) : null,
    me ? h("span", { class: "who" }, t("signedInAs", me.subject, me.roles.join(", "))) : null,
    me ? h("button", { type: "button", class: "secondary", onclick: () => { forget(); me = null; renderShell(); void navigate(""); } }, t("signOut")) : null);
  const admin = me?.roles.some(r => r === "PlatformAdmin" || r === "EstablishmentAdmin" || r === "DataProtectionOfficer");
  replace(adminLinks,
    h("a", { href: "/docs" }, t("apiReference")),
    admin ? h("a", { href: "/dashboard/" }, t("dashboard")) : null,
    admin ? h("a", { href: "/healthz" }, "/healthz") : null,
    admin ? h("a", { href: "/readyz" }, "/readyz") : null);
  (document.getElementById("app-name") as HTMLElement).textContent = t("appName");
  (document.getElementById("skip") as HTMLElement).textContent = t("skipToContent");
}

async function route(): Promise<void> {
  closeViewer();
  if (!token()) { me = null; renderShell(); renderLogin(); return; }
  if (!me) {
    try { me = await getJson<Me>("/api/auth/me"); } catch (error) { replace(main, message(errorText(error))); return; }
    renderShell();
  }
  const hash = location.hash.slice(1);
  const [path, query = ""] = hash.split("?");
  const parts = path.split("/").filter(p => p).map(decodeURIComponent);
  if (parts[0] === "patient" && parts[1]) return renderPatient(parts[1]);
  if (parts[0] === "study" && parts[1]) return renderStudy(parts[1], new URLSearchParams(query).get("patient"));
  if (parts[0] === "accesses" && parts[1]) return renderAccessReport(main, parts[1], readsPatients(me));
  if (parts[0] === "admin") return renderAdmin(main, me, parts);
  // An administrator's home is the administration page; the patient search is for those who read patients.
  if ((!parts[0] || parts[0] === "search") && !readsPatients(me) && administers(me)) return renderAdmin(main, me, ["admin"]);
  return renderSearch();
}

// ---------- sign-in ----------

function renderLogin(notice?: string): void {
  const username = h("input", { type: "text", autocomplete: "username", required: true, maxlength: 64 });
  const password = h("input", { type: "password", autocomplete: "current-password", required: true });
  const totp = h("input", { type: "text", inputmode: "numeric", autocomplete: "one-time-code", pattern: "[0-9]{6}", maxlength: 6, required: true });
  const first = h("input", { type: "checkbox", id: "first-login" });
  const newPassword = h("input", { type: "password", autocomplete: "new-password", minlength: 12 });
  const confirm = h("input", { type: "password", autocomplete: "new-password", minlength: 12 });
  const newFields = h("fieldset", { hidden: true }, h("legend", {}, t("newPassword")),
    field("new-password", t("newPassword"), newPassword, t("newPasswordHint")),
    field("confirm-password", t("confirmPassword"), confirm));
  const showNew = (on: boolean) => { newFields.hidden = !on; newPassword.required = on; confirm.required = on; first.checked = on; };
  first.addEventListener("change", () => showNew(first.checked));
  const status = h("div", { "aria-live": "polite" }, notice ? message(notice, "info") : null);
  const submit = h("button", { type: "submit" }, t("signIn"));
  const form = h("form", { class: "card narrow", novalidate: false },
    field("username", t("username"), username),
    field("password", t("password"), password),
    field("totp", t("totp"), totp, t("totpHint")),
    h("div", { class: "check" }, first, h("label", { for: "first-login" }, t("firstLogin"))),
    newFields, status, submit);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (first.checked && newPassword.value !== confirm.value) { replace(status, message(t("passwordsDiffer"))); return; }
    busy(submit, true);
    try {
      await login({ username: username.value.trim(), password: password.value, totp: totp.value.trim(), newPassword: first.checked ? newPassword.value : undefined });
      await navigate("#/search");
    } catch (error) {
      if (error instanceof ApiError && error.code === "password_change_required") showNew(true);
      totp.value = "";
      replace(status, message(errorText(error)));
    } finally {
      busy(submit, false);
    }
  });
  const external = oidc ? h("section", { class: "card narrow", "aria-labelledby": "oidc-title" },
    h("h2", { id: "oidc-title" }, t("oidcOr")),
    h("button", { type: "button", id: "oidc-sign-in", onclick: () => void startOidcSignIn(oidc!).catch(error => replace(status, message(errorText(error)))) },
      t("oidcSignIn", new URL(oidc.authority).host))) : null;
  replace(main, heading(t("signIn")), form, external);
}

// ---------- search ----------

function renderSearch(): void {
  const params = new URLSearchParams(sessionStorage.getItem("mirc.lastSearch") ?? "");
  const ins = h("input", { type: "text", inputmode: "numeric", maxlength: 64, value: params.get("ins") ?? "" });
  const localId = h("input", { type: "text", maxlength: 64, value: params.get("localId") ?? "" });
  const name = h("input", { type: "text", maxlength: 64, autocomplete: "off", value: params.get("name") ?? "" });
  const birth = h("input", { type: "date", value: toIsoDate(params.get("birthDate")) });
  const results = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("search"));
  const form = h("form", { class: "card", role: "search" },
    h("p", {}, t("searchHelp")),
    h("div", { class: "row" },
      field("ins", t("ins"), ins),
      field("local-id", t("localId"), localId),
      field("name", t("name"), name, t("nameHint")),
      field("birth-date", t("birthDate"), birth)),
    submit);
  const run = async () => {
    const query = new URLSearchParams();
    if (ins.value.trim()) query.set("ins", ins.value.trim());
    if (localId.value.trim()) query.set("localId", localId.value.trim());
    if (name.value.trim()) query.set("name", name.value.trim());
    if (birth.value) query.set("birthDate", birth.value.replaceAll("-", ""));
    sessionStorage.setItem("mirc.lastSearch", query.toString());
    busy(submit, true);
    try {
      const patients = await getJson<PatientSummary[]>("/api/portal/patients?" + query.toString());
      replace(results, patients.length === 0 ? message(t("noPatient"), "info") : patientTable(patients));
    } catch (error) {
      replace(results, message(errorText(error)));
    } finally {
      busy(submit, false);
    }
  };
  form.addEventListener("submit", event => { event.preventDefault(); void run(); });
  replace(main, heading(t("searchTitle")), form, results);
  if (me && !readsPatients(me))
    replace(results, message(t("portalDenied"), "info"), administers(me) ? h("p", {}, h("a", { href: "#/admin" }, t("adminTitle"))) : null);
  else if (params.toString()) void run();
}

/** Roles the portal's patient pages answer (PortalPatientEndpoints). */
function readsPatients(who: Me): boolean {
  return who.roles.some(r => r === "Radiologist" || r === "Physician" || r === "DataProtectionOfficer");
}

function toIsoDate(dicom: string | null): string {
  return dicom && /^\d{8}$/.test(dicom) ? `${dicom.slice(0, 4)}-${dicom.slice(4, 6)}-${dicom.slice(6, 8)}` : "";
}

function patientTable(patients: PatientSummary[]): HTMLElement {
  return h("section", {},
    h("h2", {}, t("patientsFound", patients.length)),
    h("table", { class: "list" },
      h("thead", {}, h("tr", {}, ...[t("name"), t("birthDate"), t("sex"), t("ins"), t("localId"), t("studies")].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...patients.map(p => h("tr", {},
        h("td", {}, h("a", { href: "#/patient/" + encodeURIComponent(p.patientId), class: "patient-link" }, personName(p.name) || p.patientId)),
        h("td", {}, dicomDate(p.birthDate, language)),
        h("td", {}, p.sex ?? ""),
        h("td", {}, p.ins ?? ""),
        h("td", {}, p.localIds.map(l => `${l.patientId} (${l.establishmentId})`).join(", ")),
        h("td", { class: "number" }, p.studyCount))))));
}

// ---------- patient ----------

async function renderPatient(patientId: string, notice?: string): Promise<void> {
  replace(main, h("p", { role: "status" }, t("loading")));
  let page: PortalPatient;
  try {
    page = await getJson<PortalPatient>("/api/portal/patients/" + encodeURIComponent(patientId));
  } catch (error) {
    replace(main, h("a", { href: "#/search" }, t("backToSearch")), message(errorText(error)));
    return;
  }
  const p = page.patient;
  const hidden = page.studies.filter(s => !s.visible).length;
  const notices = h("div", { "aria-live": "polite" }, notice ? message(notice, "info") : null);
  replace(main,
    h("a", { href: "#/search" }, "← " + t("backToSearch")),
    heading(t("patientTitle", personName(p.name) || p.patientId)),
    h("dl", { class: "facts" },
      h("dt", {}, t("birthDate")), h("dd", {}, dicomDate(p.birthDate, language)),
      h("dt", {}, t("sex")), h("dd", {}, p.sex ?? ""),
      h("dt", {}, t("ins")), h("dd", {}, p.ins ?? "—"),
      h("dt", {}, t("localId")), h("dd", {}, p.localIds.map(l => `${l.patientId} (${l.establishmentId})`).join(", "))),
    notices,
    h("section", { "aria-labelledby": "studies-title" },
      h("h2", { id: "studies-title" }, t("studies")),
      hidden > 0 ? h("p", { class: "hidden-count" }, t("hiddenCount", hidden, page.studies.length)) : null,
      studyTable(page.studies, p.patientId)),
    me?.roles.includes("DataProtectionOfficer") ? h("p", {}, h("a", { href: "#/accesses/" + encodeURIComponent(p.patientId), id: "access-report-link" }, t("accessReport"))) : null,
    me?.roles.some(r => r === "Radiologist" || r === "Physician") ? careSection(p.patientId) : null,
    consentSection(p.patientId));
}

function reasonText(access: string): string {
  const key = "reason" + access;
  return hasMessage(key) ? t(key as MessageKey) : access;
}

function studyTable(studies: PortalStudy[], patientId: string): HTMLElement {
  return h("table", { class: "list studies" },
    h("thead", {}, h("tr", {}, ...[t("date"), t("establishment"), t("modality"), t("description"), t("images"), t("access")].map(c => h("th", { scope: "col" }, c)))),
    h("tbody", {}, ...studies.map(s => h("tr", { class: s.visible ? "visible" : "hidden", "data-study": s.studyInstanceUid },
      h("td", {}, dicomDate(s.studyDate, language)),
      h("td", {}, s.establishmentName ?? s.establishmentId),
      h("td", {}, s.modalities.join(", ")),
      h("td", {}, s.description ?? ""),
      h("td", { class: "number" }, s.instanceCount),
      h("td", {}, s.visible
        ? h("span", {}, h("a", { class: "button", href: `#/study/${encodeURIComponent(s.studyInstanceUid)}?patient=${encodeURIComponent(patientId)}` }, t("openViewer")),
          " ", h("small", {}, reasonText(s.access)))
        : h("span", { class: "reason" }, reasonText(s.access)))))));
}

function reasonForm(id: string, onSubmit: (reason: string) => Promise<void>, ...buttons: { label: string; kind?: string; confirm?: string; act: (reason: string) => Promise<void> }[]): HTMLElement {
  const reason = h("textarea", { rows: 2, maxlength: 500, required: true });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "inline" }, field(id, t("reason"), reason, t("reasonHint")), status);
  const run = async (act: (reason: string) => Promise<void>, button: HTMLButtonElement, confirmText?: string) => {
    if (!reason.value.trim()) { replace(status, message(t("reasonRequired"))); reason.focus(); return; }
    if (confirmText && !window.confirm(confirmText)) return;
    busy(button, true);
    try { await act(reason.value.trim()); } catch (error) { replace(status, message(errorText(error))); } finally { busy(button, false); }
  };
  for (const b of buttons) {
    const button = h("button", { type: "button", class: b.kind ?? "" }, b.label);
    button.addEventListener("click", () => void run(b.act, button, b.confirm));
    form.appendChild(button);
  }
  form.addEventListener("submit", event => { event.preventDefault(); void run(onSubmit, form.querySelector("button") as HTMLButtonElement); });
  return form;
}

function careSection(patientId: string): HTMLElement {
  const url = "/api/patients/" + encodeURIComponent(patientId);
  const declare = async (reason: string) => { await postJson(url + "/care-relationship", { reason }); await renderPatient(patientId, t("careDeclared")); };
  const glass = async (reason: string) => { await postJson(url + "/break-the-glass", { reason }); await renderPatient(patientId, t("glassBroken")); };
  return h("section", { class: "card", "aria-labelledby": "care-title" },
    h("h2", { id: "care-title" }, t("careTitle")),
    h("p", {}, t("careHelp")),
    reasonForm("care-reason", declare,
      { label: t("declareCare"), act: declare },
      { label: t("breakGlass"), kind: "danger", confirm: t("breakGlassConfirm"), act: glass }));
}

function consentSection(patientId: string): HTMLElement {
  const url = "/api/patients/" + encodeURIComponent(patientId) + "/consent";
  const section = h("section", { class: "card", "aria-labelledby": "consent-title" }, h("h2", { id: "consent-title" }, t("consentTitle")));
  const current = h("p", {});
  const kind = h("select", {},
    h("option", { value: "Grant" }, t("consentGrant")),
    h("option", { value: "Oppose" }, t("consentOppose")),
    h("option", { value: "Reset" }, t("consentReset")));
  const record = async (reason: string) => {
    await postJson(url, { kind: kind.value, reason });
    await renderPatient(patientId, t("consentRecorded"));
  };
  getJson<Record<string, unknown>>(url).then(snapshot => {
    replace(current, t("consentCurrent", describeConsent(snapshot)));
    section.append(current, field("consent-kind", t("consentKind"), kind), reasonForm("consent-reason", record, { label: t("recordConsent"), act: record }));
  }, error => {
    section.append(message(error instanceof ApiError && error.status === 403 ? t("consentUnavailable") : errorText(error), "info"));
  });
  return section;
}

function describeConsent(snapshot: Record<string, unknown>): string {
  const decision = snapshot["decision"];
  const key = decision === "Granted" ? "consentGrant" : decision === "Opposed" ? "consentOppose" : "consentReset";
  return `${t(key)} (${String(snapshot["policy"] ?? "")})`;
}

// ---------- study ----------

function renderStudy(studyUid: string, patientId: string | null): void {
  const back = patientId ? h("a", { href: "#/patient/" + encodeURIComponent(patientId) }, "← " + t("patientTitle", "")) : h("a", { href: "#/search" }, "← " + t("backToSearch"));
  const container = h("div", { class: "viewer-host" });
  replace(main, back, heading(t("viewerTitle")), container, shareSection(studyUid));
  openViewer(container, studyUid);
}

interface Share { shareId: string; status: string; total: number; completed: number; failed: number; error?: string }

/** Push the study to a registered recipient (existing shares API), with its progress. */
function shareSection(studyUid: string): HTMLElement {
  const recipient = h("input", { type: "text", maxlength: 16, required: true, autocomplete: "off" });
  const reason = h("input", { type: "text", maxlength: 500, required: true });
  const progress = h("progress", { max: 1, value: 0, hidden: true, "aria-label": t("shareTitle") });
  const status = h("p", { role: "status", class: "share-status" });
  const submit = h("button", { type: "submit" }, t("send"));
  const form = h("form", { class: "card", "aria-labelledby": "share-title" },
    h("h2", { id: "share-title" }, t("shareTitle")),
    h("div", { class: "row" }, field("share-recipient", t("recipient"), recipient), field("share-reason", t("reason"), reason, t("reasonHint"))),
    submit, " ", progress, status);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    if (!reason.value.trim()) { replace(status, message(t("reasonRequired"))); return; }
    busy(submit, true);
    try {
      let share = await postJson<Share>("/api/shares", { studyInstanceUid: studyUid, recipientAeTitle: recipient.value.trim().toUpperCase(), reason: reason.value.trim() });
      progress.hidden = false;
      for (;;) {
        progress.max = Math.max(1, share.total);
        progress.value = share.completed + share.failed;
        replace(status, t("shareStatus", t(shareStateKey(share.status))) + (share.total ? ` — ${share.completed}/${share.total}` : "")
          + (share.failed ? ` (${t("shareFailedCount", share.failed)})` : "") + (share.error ? ` — ${share.error}` : ""));
        form.dataset.shareStatus = share.status;
        if (share.status === "completed" || share.status === "failed") break;
        await new Promise(resolve => setTimeout(resolve, 500));
        share = await getJson<Share>("/api/shares/" + encodeURIComponent(share.shareId));
      }
    } catch (error) {
      replace(status, message(errorText(error)));
    } finally {
      busy(submit, false);
    }
  });
  return form;
}

function shareStateKey(status: string): MessageKey {
  return status === "completed" ? "shareCompleted" : status === "failed" ? "shareFailed" : status === "running" ? "shareRunning" : "shareQueued";
}

async function start(): Promise<void> {
  oidc = await oidcSettings();
  try {
    await completeOidcSignIn(oidc);
  } catch (error) {
    renderShell();
    renderLogin();
    main.insertBefore(message(errorText(error)), main.children[1] ?? null);
    return;
  }
  await route();
}

/**
 * Shows the page at `hash`: through the hashchange handler when the address changes, directly only when it is already
 * there. Both at once drew the page twice, the second time after it was shown, taking away the focus a user had given it.
 */
async function navigate(hash: string): Promise<void> {
  if (location.hash === hash) await route();
  else location.hash = hash;
}

setSessionEndedHandler(() => { me = null; renderShell(); renderLogin(t("sessionExpired")); });
window.addEventListener("hashchange", () => void route());
document.documentElement.lang = language;
renderShell();
void start();
