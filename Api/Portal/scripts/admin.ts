// Administration pages (#/admin, #/admin/establishment/{id}): an establishment administrator manages its own
// establishment's AE titles and professionals; a platform administrator lists, opens or creates any establishment and
// verifies the audit chain. The management API decides every act (AccessDecision) and audits it: these pages only
// offer what the role may try and show the API's answer, refusals included, in words.
import { Me, getJson, postJson, putJson, remove } from "./api.js";
import { field, h, replace } from "./dom.js";
import { hasMessage, t } from "./i18n.js";
import { busy, errorText, heading, message } from "./page.js";

interface AeTitleEntry { aeTitle: string; host: string; port: number; permissions: string; networks?: string[] | null; clientCertificate?: string | null }
interface Member { professionalId: string; roles: string[] }
interface Establishment { establishmentId: string; name: string; sharing: string; retentionYears?: number; aeTitles?: AeTitleEntry[]; members?: Member[] }
interface Professional { professionalId: string; name: string; establishmentId?: string | null; roles?: string[] }
interface AuditVerification { isIntact: boolean; recordsChecked: number; firstBrokenSequence?: number | null; problem?: string | null }

const permissionNames = ["Store", "Query", "Retrieve", "MoveDestination"];
const sharingPolicies = ["CareRelationship", "Regional", "Private"];
/** What each administrator may grant (AccessDecision.GrantableRoles): the API refuses the rest anyway. */
const establishmentRoles = ["Radiologist", "Physician", "Technician", "EstablishmentAdmin"];
const platformRoles = [...establishmentRoles, "DataProtectionOfficer", "ResearchManager", "PlatformAdmin"];
/** Names fetched for the professionals' table (one request each), beyond which only the RPPS is shown. */
const maxNamed = 100;

const has = (me: Me, role: string) => me.roles.includes(role);
/** The words for an API value (a role, a permission, a policy), the value itself when the table has none. */
const words = (prefix: string, value: string) => { const key = prefix + value; return hasMessage(key) ? t(key) : value; };

/** Whether the administration page offers something to `me`. */
export function administers(me: Me): boolean {
  return has(me, "PlatformAdmin") || has(me, "EstablishmentAdmin") || has(me, "DataProtectionOfficer");
}

export async function renderAdmin(main: HTMLElement, me: Me, parts: string[]): Promise<void> {
  if (parts[1] === "establishment" && parts[2]) return renderEstablishment(main, me, parts[2]);
  // An establishment administrator has one establishment: its page is the administration page.
  if (has(me, "EstablishmentAdmin") && !has(me, "PlatformAdmin")) return renderEstablishment(main, me, me.establishmentId);
  replace(main, heading(t("adminTitle")),
    has(me, "PlatformAdmin") ? establishmentsSection() : null,
    has(me, "PlatformAdmin") || has(me, "DataProtectionOfficer") ? auditSection() : null,
    administers(me) ? null : message(t("forbidden")));
}

// ---------- platform: establishments and the audit chain ----------

function establishmentsSection(): HTMLElement {
  const openId = h("input", { type: "text", maxlength: 64, required: true, autocomplete: "off" });
  const openForm = h("form", { class: "inline-row" }, field("open-establishment", t("establishmentId"), openId, t("establishmentIdHint")),
    h("button", { type: "submit" }, t("openEstablishment")));
  const openStatus = h("div", { "aria-live": "polite" });
  openForm.addEventListener("submit", event => {
    event.preventDefault();
    if (!openId.value.trim()) { replace(openStatus, message(t("establishmentIdRequired"))); openId.focus(); return; }
    location.hash = "#/admin/establishment/" + encodeURIComponent(openId.value.trim());
  });

  const id = h("input", { type: "text", maxlength: 64, required: true, autocomplete: "off" });
  const name = h("input", { type: "text", maxlength: 128, required: true });
  const retention = h("input", { type: "number", min: 1, max: 100, value: 20, required: true });
  const sharing = sharingSelect("CareRelationship");
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("createEstablishment"));
  const create = h("form", {},
    h("div", { class: "row" }, field("new-establishment-id", t("establishmentId"), id, t("establishmentIdHint")),
      field("new-establishment-name", t("establishmentName"), name),
      field("new-establishment-retention", t("retentionYears"), retention, t("retentionHint")),
      field("new-establishment-sharing", t("sharingPolicy"), sharing)),
    status, submit);
  create.addEventListener("submit", async event => {
    event.preventDefault();
    const years = Number(retention.value);
    if (!id.value.trim() || !name.value.trim()) { replace(status, message(t("idAndNameRequired"))); return; }
    if (!Number.isInteger(years) || years < 1 || years > 100) { replace(status, message(t("retentionInvalid"))); retention.focus(); return; }
    busy(submit, true);
    try {
      const created = await postJson<Establishment>("/api/establishments",
        { establishmentId: id.value.trim(), name: name.value.trim(), retentionYears: years, sharing: sharing.value });
      sessionStorage.setItem("mirc.adminNotice", t("establishmentCreated", created.name));
      location.hash = "#/admin/establishment/" + encodeURIComponent(created.establishmentId);
    } catch (error) {
      replace(status, message(errorText(error)));
    } finally {
      busy(submit, false);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "establishments-title" },
    h("h2", { id: "establishments-title" }, t("establishments")),
    h("p", {}, t("establishmentsHelp")),
    establishmentsList(),
    openForm, openStatus,
    h("h3", {}, t("createEstablishment")), create);
}

/** Every establishment of the region (GET /api/establishments: public profiles), each a link to its page. */
function establishmentsList(): HTMLElement {
  const list = h("div", { id: "establishments-list", "aria-live": "polite" }, h("p", { role: "status" }, t("loading")));
  void getJson<Establishment[]>("/api/establishments").then(all => {
    replace(list, all.length === 0 ? h("p", {}, t("noEstablishment")) : h("table", { class: "list", id: "establishments" },
      h("caption", { class: "visually-hidden" }, t("establishments")),
      h("thead", {}, h("tr", {}, ...[t("establishmentName"), t("establishmentId"), t("sharingPolicy")].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...all.map(e => h("tr", { "data-establishment": e.establishmentId },
        h("td", {}, h("a", { href: "#/admin/establishment/" + encodeURIComponent(e.establishmentId) }, e.name)),
        h("td", {}, e.establishmentId), h("td", {}, words("sharing", e.sharing)))))));
  }, error => replace(list, message(errorText(error))));
  return list;
}

function auditSection(): HTMLElement {
  const result = h("div", { "aria-live": "polite", id: "audit-result" });
  const verify = h("button", { type: "button", id: "verify-audit" }, t("verifyAudit"));
  verify.addEventListener("click", async () => {
    busy(verify, true);
    replace(result, h("p", { role: "status" }, t("verifying")));
    try {
      const check = await getJson<AuditVerification>("/api/security/audit/verify");
      result.dataset.intact = String(check.isIntact);
      replace(result, check.isIntact
        ? message(t("auditIntact", check.recordsChecked), "info")
        : message(t("auditBroken", check.firstBrokenSequence ?? "?", check.problem ?? "", check.recordsChecked)));
    } catch (error) {
      replace(result, message(errorText(error)));
    } finally {
      busy(verify, false);
    }
  });
  return h("section", { class: "card", "aria-labelledby": "audit-title" },
    h("h2", { id: "audit-title" }, t("auditTitle")), h("p", {}, t("auditHelp")), verify, result);
}

/** The patient asks the establishment that cares for them who accessed their images: its administrator finds the report by INS. */
function accessReportSection(): HTMLElement {
  const ins = h("input", { type: "text", inputmode: "numeric", maxlength: 64, required: true, autocomplete: "off" });
  const status = h("div", { "aria-live": "polite" });
  const form = h("form", { class: "card", "aria-labelledby": "report-title" },
    h("h2", { id: "report-title" }, t("accessReport")), h("p", {}, t("accessReportAdminHelp")),
    h("div", { class: "inline-row" }, field("report-ins", t("ins"), ins), h("button", { type: "submit" }, t("showReport"))), status);
  form.addEventListener("submit", event => {
    event.preventDefault();
    const value = ins.value.trim();
    if (!/^[A-Za-z0-9]{1,64}$/.test(value)) { replace(status, message(t("insRequired"))); ins.focus(); return; }
    location.hash = "#/accesses/" + encodeURIComponent("ins:" + value);
  });
  return form;
}

// ---------- one establishment: settings, AE titles, professionals ----------

async function renderEstablishment(main: HTMLElement, me: Me, id: string): Promise<void> {
  replace(main, h("p", { role: "status" }, t("loading")));
  const back = has(me, "PlatformAdmin") ? h("a", { href: "#/admin" }, "← " + t("adminTitle")) : null;
  let establishment: Establishment;
  try {
    establishment = await getJson<Establishment>("/api/establishments/" + encodeURIComponent(id));
  } catch (error) {
    replace(main, back, heading(t("adminTitle")), message(errorText(error)));
    return;
  }
  // Someone else's establishment comes back as its public profile, without AE titles or members.
  if (!establishment.aeTitles || !establishment.members) {
    replace(main, back, heading(establishment.name), message(t("notYourEstablishment")));
    return;
  }
  const notice = sessionStorage.getItem("mirc.adminNotice");
  sessionStorage.removeItem("mirc.adminNotice");
  const reload = (text: string) => { sessionStorage.setItem("mirc.adminNotice", text); void renderEstablishment(main, me, id); };
  replace(main, back,
    heading(t("establishmentTitle", establishment.name, establishment.establishmentId)),
    h("div", { "aria-live": "polite", id: "admin-notice" }, notice ? message(notice, "info") : null),
    settingsSection(establishment, reload),
    has(me, "EstablishmentAdmin") && me.establishmentId === establishment.establishmentId ? accessReportSection() : null,
    aeTitlesSection(establishment, reload),
    professionalsSection(establishment, has(me, "PlatformAdmin") ? platformRoles : establishmentRoles, reload));
}

function sharingSelect(current: string): HTMLSelectElement {
  return h("select", {}, ...sharingPolicies.map(p => h("option", { value: p, selected: p === current }, words("sharing", p))));
}

function settingsSection(establishment: Establishment, reload: (notice: string) => void): HTMLElement {
  const name = h("input", { type: "text", maxlength: 128, required: true, value: establishment.name });
  const retention = h("input", { type: "number", min: 1, max: 100, required: true, value: establishment.retentionYears ?? 20 });
  const sharing = sharingSelect(establishment.sharing);
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("saveSettings"));
  const form = h("form", { class: "card", "aria-labelledby": "settings-title" },
    h("h2", { id: "settings-title" }, t("settingsTitle")),
    h("div", { class: "row" }, field("establishment-name", t("establishmentName"), name),
      field("establishment-retention", t("retentionYears"), retention, t("retentionHint")),
      field("establishment-sharing", t("sharingPolicy"), sharing, t("sharingHint"))),
    status, submit);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const years = Number(retention.value);
    if (!name.value.trim()) { replace(status, message(t("nameRequired"))); name.focus(); return; }
    if (!Number.isInteger(years) || years < 1 || years > 100) { replace(status, message(t("retentionInvalid"))); retention.focus(); return; }
    busy(submit, true);
    try {
      await putJson("/api/establishments/" + encodeURIComponent(establishment.establishmentId), { name: name.value.trim(), retentionYears: years, sharing: sharing.value });
      reload(t("settingsSaved"));
    } catch (error) {
      replace(status, message(errorText(error)));
      busy(submit, false);
    }
  });
  return form;
}

function permissionsOf(entry: AeTitleEntry): string[] {
  const flags = entry.permissions.split(",").map(p => p.trim());
  return flags.includes("All") ? permissionNames : permissionNames.filter(p => flags.includes(p));
}

function aeTitlesSection(establishment: Establishment, reload: (notice: string) => void): HTMLElement {
  const base = "/api/establishments/" + encodeURIComponent(establishment.establishmentId) + "/ae-titles/";
  const aeTitle = h("input", { type: "text", maxlength: 16, required: true, autocomplete: "off" });
  const host = h("input", { type: "text", maxlength: 253, required: true, autocomplete: "off" });
  const port = h("input", { type: "number", min: 0, max: 65535, required: true });
  const networks = h("input", { type: "text", maxlength: 500, autocomplete: "off" });
  const boxes = permissionNames.map(p => h("input", { type: "checkbox", id: "permission-" + p, value: p }));
  const permissions = h("fieldset", { class: "checks" }, h("legend", {}, t("permissions")),
    ...boxes.map((box, i) => h("span", { class: "check" }, box, h("label", { for: box.id }, words("permission", permissionNames[i])))));
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("saveAeTitle"));
  const cancel = h("button", { type: "button", class: "secondary", hidden: true }, t("cancelEdit"));
  const formTitle = h("h3", { id: "ae-form-title" }, t("addAeTitle"));
  let editing: AeTitleEntry | null = null;
  const fill = (entry: AeTitleEntry | null) => {
    editing = entry;
    aeTitle.value = entry?.aeTitle ?? ""; aeTitle.readOnly = entry !== null;
    host.value = entry?.host ?? ""; port.value = entry ? String(entry.port) : "";
    networks.value = entry?.networks?.join(", ") ?? "";
    const granted = entry ? permissionsOf(entry) : [];
    boxes.forEach(box => { box.checked = granted.includes(box.value); });
    formTitle.textContent = entry ? t("editAeTitle", entry.aeTitle) : t("addAeTitle");
    cancel.hidden = entry === null;
    replace(status);
  };
  cancel.addEventListener("click", () => { fill(null); aeTitle.focus(); });
  const form = h("form", { "aria-labelledby": "ae-form-title", id: "ae-title-form" }, formTitle,
    h("div", { class: "row" }, field("ae-title", t("aeTitle"), aeTitle, t("aeTitleHint")), field("ae-host", t("host"), host, t("hostHint")),
      field("ae-port", t("port"), port, t("portHint")), field("ae-networks", t("networks"), networks, t("networksHint"))),
    permissions, status, submit, " ", cancel);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const title = aeTitle.value.trim().toUpperCase();
    const portNumber = Number(port.value);
    const chosen = boxes.filter(b => b.checked).map(b => b.value);
    // The API reads "no permission" as "all": the page asks for an explicit choice instead.
    // Port 0 is "none": for a device the archive never sends studies to.
    const problem = !title ? t("aeTitleRequired") : !host.value.trim() ? t("hostRequired")
      : port.value === "" || !Number.isInteger(portNumber) || portNumber < 0 || portNumber > 65535
        || (portNumber === 0 && chosen.includes("MoveDestination")) ? t("portInvalid")
      : chosen.length === 0 ? t("permissionRequired") : null;
    if (problem) { replace(status, message(problem)); return; }
    busy(submit, true);
    try {
      await putJson(base + encodeURIComponent(title), {
        host: host.value.trim(), port: portNumber, permissions: chosen,
        networks: networks.value.split(/[\s,]+/).filter(n => n),
        // The certificate binding is not edited here: keep it as it is.
        clientCertificate: editing?.aeTitle === title ? editing.clientCertificate ?? null : null,
      });
      reload(t(editing ? "aeTitleSaved" : "aeTitleAdded", title));
    } catch (error) {
      replace(status, message(errorText(error)));
      busy(submit, false);
    }
  });
  const rows = establishment.aeTitles!.map(entry => {
    const edit = h("button", { type: "button", class: "secondary", "aria-label": t("editAeTitle", entry.aeTitle) }, t("edit"));
    edit.addEventListener("click", () => { fill(entry); host.focus(); });
    const drop = h("button", { type: "button", class: "danger", "aria-label": t("removeAeTitle", entry.aeTitle) }, t("remove"));
    drop.addEventListener("click", async () => {
      if (!window.confirm(t("removeAeTitleConfirm", entry.aeTitle))) return;
      busy(drop, true);
      try {
        await remove(base + encodeURIComponent(entry.aeTitle));
        reload(t("aeTitleRemoved", entry.aeTitle));
      } catch (error) {
        replace(status, message(errorText(error)));
        busy(drop, false);
      }
    });
    return h("tr", { "data-ae-title": entry.aeTitle },
      h("td", {}, entry.aeTitle), h("td", {}, entry.host), h("td", { class: "number" }, entry.port || "—"),
      h("td", {}, permissionsOf(entry).map(p => words("permission", p)).join(", ")),
      h("td", {}, [...(entry.networks ?? []), entry.clientCertificate ? t("certificateBound") : ""].filter(x => x).join(", ")),
      h("td", { class: "actions" }, edit, " ", drop));
  });
  return h("section", { class: "card", "aria-labelledby": "ae-titles-title" },
    h("h2", { id: "ae-titles-title" }, t("aeTitles")),
    rows.length === 0 ? h("p", {}, t("noAeTitle")) : h("table", { class: "list", id: "ae-titles" },
      h("caption", { class: "visually-hidden" }, t("aeTitles")),
      h("thead", {}, h("tr", {}, ...[t("aeTitle"), t("host"), t("port"), t("permissions"), t("networks"), t("actions")].map(c => h("th", { scope: "col" }, c)))),
      h("tbody", {}, ...rows)),
    form);
}

function professionalsSection(establishment: Establishment, grantable: string[], reload: (notice: string) => void): HTMLElement {
  const rpps = h("input", { type: "text", inputmode: "numeric", pattern: "[0-9]{11}", maxlength: 11, required: true, autocomplete: "off" });
  const name = h("input", { type: "text", maxlength: 128, required: true, autocomplete: "off" });
  const boxes = grantable.map(r => h("input", { type: "checkbox", id: "role-" + r, value: r }));
  const roles = h("fieldset", { class: "checks" }, h("legend", {}, t("roles")),
    ...boxes.map((box, i) => h("span", { class: "check" }, box, h("label", { for: box.id }, words("role", grantable[i])))));
  const status = h("div", { "aria-live": "polite" });
  const submit = h("button", { type: "submit" }, t("saveProfessional"));
  const formTitle = h("h3", { id: "professional-form-title" }, t("addProfessional"));
  const fill = (p: Professional | null) => {
    rpps.value = p?.professionalId ?? ""; rpps.readOnly = p !== null;
    name.value = p?.name ?? "";
    boxes.forEach(box => { box.checked = p?.roles?.includes(box.value) ?? false; });
    formTitle.textContent = p ? t("editProfessional", p.name || p.professionalId) : t("addProfessional");
    replace(status);
  };
  const form = h("form", { "aria-labelledby": "professional-form-title" }, formTitle,
    h("div", { class: "row" }, field("professional-rpps", t("rpps"), rpps, t("rppsHint")), field("professional-name", t("fullName"), name)),
    roles, status, submit);
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const id = rpps.value.trim();
    const problem = !/^\d{11}$/.test(id) ? t("rppsInvalid") : !name.value.trim() ? t("nameRequired") : null;
    if (problem) { replace(status, message(problem)); return; }
    busy(submit, true);
    try {
      await putJson("/api/professionals/" + encodeURIComponent(id),
        { name: name.value.trim(), establishmentId: establishment.establishmentId, roles: boxes.filter(b => b.checked).map(b => b.value) });
      reload(t("professionalSaved", name.value.trim()));
    } catch (error) {
      replace(status, message(errorText(error)));
      busy(submit, false);
    }
  });
  const members = establishment.members!;
  const body = h("tbody", {});
  const table = h("table", { class: "list", id: "professionals" },
    h("thead", {}, h("tr", {}, ...[t("rpps"), t("fullName"), t("roles"), t("actions")].map(c => h("th", { scope: "col" }, c)))), body);
  // Names live in the professionals' registry: one read each (members hold the RPPS and roles only).
  void Promise.all(members.map(async (m, i) => i < maxNamed
    ? await getJson<Professional>("/api/professionals/" + encodeURIComponent(m.professionalId)).catch(() => null)
    : null)).then(profiles => {
    replace(body, ...members.map((m, i) => {
      const known: Professional = { professionalId: m.professionalId, name: profiles[i]?.name ?? "", roles: m.roles };
      const edit = h("button", { type: "button", class: "secondary", "aria-label": t("editProfessional", known.name || known.professionalId) }, t("edit"));
      edit.addEventListener("click", () => { fill(known); name.focus(); });
      return h("tr", {}, h("td", {}, m.professionalId), h("td", {}, known.name),
        h("td", {}, m.roles.map(r => words("role", r)).join(", ")), h("td", { class: "actions" }, edit));
    }));
  });
  return h("section", { class: "card", "aria-labelledby": "professionals-title" },
    h("h2", { id: "professionals-title" }, t("professionals")),
    members.length === 0 ? h("p", {}, t("noProfessional")) : table,
    form);
}
