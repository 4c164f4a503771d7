// The professionals' portal in a real browser (Debian's chromium driven by playwright-core) against a fresh silo:
// sign in with password + TOTP (first login: new password), search a patient, open the patient page (one study
// visible, another establishment's hidden "care relationship required"), declare a care relationship and see it
// appear, open the 300-slice CT in the viewer (time to first image and to the whole stack measured and printed),
// scroll, window presets and mouse drag, zoom; push it to another establishment's PACS (storescp) with progress;
// sign in through a real OpenID Connect provider (npm oidc-provider on loopback, authorization code + PKCE) as a
// physician of the other establishment who breaks the glass (reason required) to see the first establishment's study;
// record the patient's opposition and see the study hidden again; the data-protection officer reads who accessed the
// patient's images (the emergency access flagged); the establishment administrator adds an AE title (a refused host
// explained first) and reads the same report for its patient; the platform administrator verifies the audit chain and
// opens a seeded establishment from the list.
// Screenshots go to $MIRC_ARTIFACTS_DIR/portal (default tests/artifacts/portal). Usage: node tests/portal/portal.test.mjs
// (needs the Release build, MIRC_TOOLS_DIR with playwright-core, chromium, dcmtk's storescu and oathtool).
import { spawn, execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, existsSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir, loadavg, cpus } from "node:os";
import { join, resolve, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { writeCtStudy } from "./synthetic-ct.mjs";
import { startProvider } from "./oidc-provider.mjs";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const tools = process.env.MIRC_TOOLS_DIR ?? join(root, ".tools");
const { chromium } = createRequire(join(tools, "package.json"))("playwright-core");
const artifacts = resolve(process.env.MIRC_ARTIFACTS_DIR ?? join(root, "tests/artifacts"), "portal");
const browserPath = process.env.MIRC_CHROMIUM ?? "/usr/bin/chromium";
const sliceCount = Number(process.env.MIRC_PORTAL_SLICES ?? 300);
const deadline = Date.now() + 220_000;   // the whole phase, silo start included (a loaded 2-core machine: ~130 s)

const work = mkdtempSync(join(tmpdir(), "mirc-portal-"));
let silo, browser, receiver, oidc, failed = false, siloLog = "";
const started = Date.now();
const log = (...args) => console.log(`portal [${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);

function check(condition, what) {
  if (!condition) throw new Error("FAILED: " + what);
  log("ok:", what);
}

function freePort() {
  return new Promise((ok, ko) => {
    const server = createServer().listen(0, "127.0.0.1", () => { const { port } = server.address(); server.close(() => ok(port)); }).on("error", ko);
  });
}

async function until(what, probe, timeoutMs = 60_000) {
  const end = Math.min(Date.now() + timeoutMs, deadline);
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > end) throw new Error("timed out waiting for " + what);
    await new Promise(r => setTimeout(r, 200));
  }
}

function seedAccount(index, rpps, name, role, username) {
  const key = `Mirc__Seed__Professionals__${index}__`;
  return { [key + "Id"]: rpps, [key + "Name"]: name, [key + "EstablishmentId"]: "750000001", [key + "Roles__0"]: role, [key + "Username"]: username };
}

function storescu(aeTitle, port, folder) {
  execFileSync("storescu", ["-aet", aeTitle, "-aec", "MIRC", "+sd", "127.0.0.1", String(port), folder],
    { env: { ...process.env, TCP_NODELAY: "1" }, stdio: ["ignore", "ignore", "inherit"], timeout: 120_000 });
}

try {
  rmSync(artifacts, { recursive: true, force: true });   // this run's screenshots only
  mkdirSync(artifacts, { recursive: true });
  const [http, dicom, siloPort, gateway, viewerPort, oidcPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort(), freePort()]);
  const base = `http://127.0.0.1:${http}`;
  // The external authority: a physician of the second establishment signs in through it.
  // Its access tokens name the archive as a resource indicator, which must be an absolute URI: the archive's audience is one.
  const audience = "urn:mirc:api";
  oidc = await startProvider({ tools, port: oidcPort, portalOrigin: base, audience, establishment: "750000002", roles: ["Physician"] });
  const siloDll = join(root, "Silo/bin/Release/net10.0/Mirc.Silo.dll");
  if (!existsSync(siloDll)) throw new Error("build first: " + siloDll);
  // A second establishment, seeded next to the demo one, whose CT scanner stores the patient's other study.
  silo = spawn("dotnet", [siloDll], {
    env: {
      ...process.env, Mirc__DataPath: join(work, "data"), Mirc__HttpUrl: base, Mirc__Dicom__Port: String(dicom),
      Mirc__SiloPort: String(siloPort), Mirc__GatewayPort: String(gateway),
      Mirc__Auth__Authority: oidc.issuer, Mirc__Auth__RequireHttpsMetadata: "false", Mirc__Auth__PortalClientId: "mirc-portal",
      Mirc__Auth__PortalScope: "openid mirc", Mirc__Auth__Audience: audience,
      Mirc__Seed__Establishments__1__Id: "750000002", Mirc__Seed__Establishments__1__Name: "Clinique du Parc Lyon",
      Mirc__Seed__Establishments__1__AeTitles__0__AeTitle: "PARC_CT", Mirc__Seed__Establishments__1__AeTitles__0__Host: "127.0.0.1",
      Mirc__Seed__Establishments__1__AeTitles__0__Port: "0", Mirc__Seed__Establishments__1__AeTitles__0__Permissions: "Store",
      // …and its PACS, a push destination (dcmtk's storescp).
      Mirc__Seed__Establishments__1__AeTitles__1__AeTitle: "PARC_PACS", Mirc__Seed__Establishments__1__AeTitles__1__Host: "127.0.0.1",
      Mirc__Seed__Establishments__1__AeTitles__1__Port: String(viewerPort), Mirc__Seed__Establishments__1__AeTitles__1__Permissions: "MoveDestination",
      // The demo establishment's administrator and the data-protection officer (local accounts, one-time passwords).
      ...seedAccount(1, "10000000002", "Claire Gestion", "EstablishmentAdmin", "gestion"),
      ...seedAccount(2, "10000000003", "Paul Délégué", "DataProtectionOfficer", "dpd"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  silo.stdout.on("data", d => { siloLog += d; });
  silo.stderr.on("data", d => { siloLog += d; });
  silo.on("exit", code => { if (code !== null && code !== 0) log("silo exited with", code); });

  // The two studies of one patient (same INS), written while the silo starts.
  const patient = { name: "DURAND^Élise", birthDate: "19850214", sex: "F", ins: "285027512345678" };
  const ownStudy = writeCtStudy(join(work, "own"), { patient: { ...patient, localId: "PA-1001" }, count: 3, side: 256,
    study: { description: "Radiographie thorax", date: "20240310", institution: "Hôpital Démo Paris" } });
  const ctStudy = writeCtStudy(join(work, "ct"), { patient: { ...patient, localId: "CB-77" }, count: sliceCount,
    study: { description: "Scanner thoracique injecté", date: "20261115", institution: "Clinique du Parc" } });
  log(`synthetic studies written (${sliceCount}-slice CT ${ctStudy})`);

  mkdirSync(join(work, "received"));
  receiver = spawn("storescp", ["-aet", "PARC_PACS", "-od", join(work, "received"), String(viewerPort)],
    { env: { ...process.env, TCP_NODELAY: "1" }, stdio: "ignore" });
  await until("the silo to be ready", async () => (await fetch(base + "/readyz")).ok, 90_000);
  log("silo ready on", base);
  storescu("STORESCU", dicom, join(work, "own"));
  const storeStart = Date.now();
  storescu("PARC_CT", dicom, join(work, "ct"));
  log(`stored ${sliceCount} CT slices by C-STORE in ${Date.now() - storeStart} ms`);

  // Each local account's one-time password and TOTP secret, written once by the silo at its first start.
  const credentialsFile = join(work, "data/security/first-start-credentials.txt");
  const credentialsOf = username => until(`the first-start credentials of ${username}`, async () => {
    const text = readFileSync(credentialsFile, "utf8");
    const block = text.split(/\n(?=\s*username:)/).find(b => new RegExp(`username:\\s*${username}\\b`).test(b));
    const password = block?.match(/one-time password:\s*(\S+)/)?.[1], secret = block?.match(/secret=([A-Z2-7]+)/)?.[1];
    return password && secret ? { username, password, secret } : undefined;
  });
  const totpOf = account => execFileSync("oathtool", ["--totp", "-b", account.secret]).toString().trim();
  const credentials = await credentialsOf("radiologue");
  const totp = () => totpOf(credentials);

  /** The first sign-in of a local account on the portal's form: one-time password replaced, TOTP code. */
  async function firstSignIn(page, account, newPassword) {
    await page.goto(base + "/");
    await page.getByRole("heading", { name: "Sign in" }).waitFor();
    await page.getByLabel("Username").fill(account.username);
    await page.getByLabel("Password", { exact: true }).fill(account.password);
    await page.getByLabel("Authenticator code").fill(totpOf(account));
    await page.getByLabel(/First sign-in/).check();
    await page.getByLabel("New password", { exact: true }).fill(newPassword);
    await page.getByLabel("New password again").fill(newPassword);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
  }

  async function newPage(viewport = { width: 1280, height: 800 }) {
    const page = await (await browser.newContext({ viewport, locale: "en-GB" })).newPage();
    page.setDefaultTimeout(20_000);
    page.on("pageerror", e => consoleErrors.push(String(e)));
    return page;
  }

  const consoleErrors = [];
  browser = await chromium.launch({ executablePath: browserPath, args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"] });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-GB" });
  const page = await context.newPage();
  page.setDefaultTimeout(20_000);
  // Network refusals the page shows in words (the 400 of an incomplete search) are logged by chromium too: not script errors.
  page.on("console", m => { if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) consoleErrors.push(m.text()); });
  page.on("pageerror", e => consoleErrors.push(String(e)));
  const apiRequests = [];
  page.on("request", r => { if (/\/(api|dicomweb)\//.test(r.url())) apiRequests.push({ url: r.url(), authorization: r.headers()["authorization"] }); });
  const shotOf = async (on, name) => { const path = join(artifacts, name + ".png"); await on.screenshot({ path, fullPage: false }); log("screenshot", path); };
  const shot = name => shotOf(page, name);

  // --- sign in: one-time password replaced at the first login, TOTP code
  await firstSignIn(page, credentials, "Blue-Lantern-Orchard-42");
  check(await page.getByRole("link", { name: "API reference" }).count() === 1, "the portal links to the API reference");
  await page.getByRole("heading", { name: "Find a patient" }).waitFor();
  check(await page.getByText(/Signed in as radiologue/).count() === 1, "signed in with password + TOTP, first-login password change");
  check(!(await page.evaluate(() => location.href)).includes("token"), "no token in the URL");

  // --- search: an incomplete query is explained, name (no accent, lower case) + birth date finds the patient
  await page.getByLabel("Name", { exact: true }).fill("durand");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("alert").filter({ hasText: "birth date" }).waitFor();
  check(true, "a name without birth date is refused in plain words");
  await page.getByLabel("Birth date").fill("1985-02-14");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByRole("link", { name: "DURAND Élise" }).waitFor();
  check(await page.locator("table.list tbody tr").count() === 1, "one patient found by name (accents folded) and birth date");
  await shot("1-search");

  // --- patient page: the other establishment's CT is listed, hidden, with the reason
  await page.getByRole("link", { name: "DURAND Élise" }).click();
  await page.getByRole("heading", { name: /Patient DURAND Élise/ }).waitFor();
  const ctRow = page.locator(`tr[data-study="${ctStudy}"]`);
  await ctRow.waitFor();
  check(await page.locator("table.studies tbody tr").count() === 2, "the patient page lists the studies of both establishments");
  check((await ctRow.getAttribute("class")) === "hidden" && (await ctRow.textContent()).includes("hidden: care relationship required"),
    "the other establishment's CT is shown hidden: care relationship required");
  check(!(await ctRow.textContent()).includes("injecté"), "a hidden study's description is not shown");
  await shot("2-patient-hidden");

  // --- care relationship: a reason is required, then the CT becomes visible
  await page.getByRole("button", { name: "Declare a care relationship" }).click();
  await page.getByRole("alert").filter({ hasText: "Give a reason" }).waitFor();
  await page.getByLabel("Reason (required)").first().fill("Follow-up consultation, thoracic oncology");
  await page.getByRole("button", { name: "Declare a care relationship" }).click();
  await page.getByText("Care relationship declared.").waitFor();
  await until("the CT row to turn visible", async () => (await ctRow.getAttribute("class")) === "visible", 10_000);
  check((await ctRow.textContent()).includes("Scanner thoracique injecté") && (await ctRow.textContent()).includes("care relationship"),
    "after the care relationship the CT is visible, with its description");
  await shot("3-patient-visible");

  // --- viewer: first image and whole stack timed by the page itself
  await ctRow.getByRole("link", { name: "View images" }).click();
  const host = page.locator(".viewer-host");
  await until("the first image", async () => (await host.getAttribute("data-first-image")) === "true", 20_000);
  await until("the whole stack", async () => (await host.getAttribute("data-stack-loaded")) === "true", 60_000);
  const stats = await page.evaluate(() => window.mircViewer);
  check(stats.frames === sliceCount && stats.loaded === sliceCount, `all ${sliceCount} slices loaded`);
  log(`MEASURED time to first image: ${stats.firstImageMs} ms; whole ${sliceCount}-slice stack: ${stats.stackMs} ms `
    + `(machine load average ${loadavg().map(l => l.toFixed(1)).join(" ")} on ${cpus().length} cores)`);
  await page.locator(".series-button img[src^='blob:']").first().waitFor();
  check(true, "the series thumbnail is drawn");
  await shot("4-viewer-first");

  // --- scroll (keyboard and wheel), every slice already in memory
  const viewport = page.locator(".viewport");
  await viewport.focus();
  for (let i = 0; i < 149; i++) await page.keyboard.press("ArrowDown");
  check(await host.getAttribute("data-current") === "150", "149 × ArrowDown shows slice 150");
  await viewport.hover();
  await page.mouse.wheel(0, 300);
  await until("the wheel to move the stack", async () => Number(await host.getAttribute("data-current")) > 150, 5_000);
  check(true, "the mouse wheel scrolls the stack");
  const sliceSrc = await page.locator("img.frame").getAttribute("src");
  check(sliceSrc.startsWith("blob:"), "frames are drawn from blob URLs (fetched with the Authorization header)");
  await shot("5-viewer-slice-150");

  // --- window: lung preset, then a mouse drag
  await page.getByLabel("Window", { exact: true }).selectOption({ label: "Lung" });
  check(await host.getAttribute("data-window") === "-600,1500", "the lung preset asks the server for window -600/1500");
  await until("the slice in the lung window", async () => (await page.locator("img.frame").getAttribute("src")) !== sliceSrc, 10_000);
  const lungRequests = apiRequests.filter(r => r.url.includes("window=-600,1500,linear"));
  check(lungRequests.length > 0, "rendered frames are requested with the lung window");
  await shot("6-viewer-lung");
  const box = await viewport.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 - 120, box.y + box.height / 2 + 60, { steps: 5 });
  await page.mouse.up();
  const dragged = await host.getAttribute("data-window");
  check(dragged !== "-600,1500", `a mouse drag changes the window (now ${dragged})`);
  await until("frames in the dragged window", async () => apiRequests.some(r => r.url.includes(`window=${dragged.split(",")[0]}`)), 10_000);
  await viewport.focus();
  await page.keyboard.press("+");
  check(await host.getAttribute("data-zoom") === "1.25", "+ zooms in");
  await shot("7-viewer-dragged-zoomed");

  // --- push the study to the other establishment's PACS, with progress
  await page.getByLabel("Recipient AE title").fill("PARC_PACS");
  await page.locator("#share-reason").fill("Second opinion requested by Clinique du Parc");
  await page.getByRole("button", { name: "Send" }).click();
  const shareForm = page.locator("form[data-share-status]");
  await until("the share to finish", async () => ["completed", "failed"].includes(await shareForm.getAttribute("data-share-status")), 60_000);
  const shareText = await page.locator(".share-status").textContent();
  check(await shareForm.getAttribute("data-share-status") === "completed" && shareText.includes(`${sliceCount}/${sliceCount}`),
    `the CT is pushed to PARC_PACS with its progress (${shareText.trim()})`);
  check(readdirSync(join(work, "received")).length === sliceCount, `storescp received the ${sliceCount} slices`);

  // --- OpenID Connect: a physician of the other establishment signs in through the provider (code + PKCE)
  const oidcPage = await newPage();
  await oidcPage.goto(base + "/");
  await oidcPage.getByRole("button", { name: /Sign in with 127\.0\.0\.1/ }).click();
  await oidcPage.locator("input[name=login]").fill("dr.martin");
  await oidcPage.locator("input[name=password]").fill("any");
  await oidcPage.locator("button[type=submit]").click();
  await oidcPage.getByRole("heading", { name: "Find a patient" }).waitFor();
  check(await oidcPage.getByText(/Signed in as dr\.martin \(Physician\)/).count() === 1, "signed in through the OpenID Connect provider (authorization code + PKCE)");
  check(!(await oidcPage.evaluate(() => location.href)).includes("code="), "the authorization code is removed from the address bar");
  await oidcPage.locator("#ins").fill(patient.ins);
  await oidcPage.getByRole("button", { name: "Search" }).click();
  await oidcPage.getByRole("link", { name: "DURAND Élise" }).click();
  const ownCt = oidcPage.locator(`tr[data-study="${ctStudy}"]`);
  await ownCt.waitFor();
  check((await ownCt.getAttribute("class")) === "visible" && (await ownCt.textContent()).includes("your establishment"),
    "the OIDC physician finds the patient by INS and sees the CT of the own establishment");

  // --- break the glass: the first establishment's study is hidden from this physician; emergency access needs a reason
  const ownRow = oidcPage.locator(`tr[data-study="${ownStudy}"]`);
  check((await ownRow.getAttribute("class")) === "hidden" && (await ownRow.textContent()).includes("hidden: care relationship required"),
    "the other establishment's X-ray is hidden from the OIDC physician: care relationship required");
  await oidcPage.getByRole("button", { name: "Break the glass (emergency)" }).click();
  await oidcPage.getByRole("alert").filter({ hasText: "Give a reason" }).waitFor();
  check(await ownRow.getAttribute("class") === "hidden", "break the glass without a reason is refused in plain words, nothing opened");
  await oidcPage.getByLabel("Reason (required)").first().fill("Emergency admission, chest pain: prior X-ray needed");
  oidcPage.once("dialog", dialog => void dialog.accept());
  await oidcPage.getByRole("button", { name: "Break the glass (emergency)" }).click();
  await oidcPage.getByText("Emergency access granted").waitFor();
  await until("the X-ray row to turn visible", async () => (await ownRow.getAttribute("class")) === "visible", 10_000);
  check((await ownRow.textContent()).includes("emergency access (reviewed)") && (await ownRow.textContent()).includes("Radiographie thorax"),
    "after breaking the glass (reason given, confirmed) the X-ray is visible, flagged as emergency access");
  await shotOf(oidcPage, "8-oidc-break-the-glass");


  // --- opposition recorded by the patient's establishment of care hides the CT again, with the reason
  await page.goBack();
  await page.getByRole("heading", { name: /Patient DURAND Élise/ }).waitFor();
  await page.getByLabel("Change").selectOption("Oppose");
  await page.locator("#consent-reason").fill("Patient's letter of 2026-12-01");
  await page.getByRole("button", { name: "Record" }).click();
  await page.getByText("Consent recorded.").waitFor();
  await until("the CT row to be hidden again", async () => (await ctRow.getAttribute("class")) === "hidden", 10_000);
  check((await ctRow.textContent()).includes("hidden: the patient opposed sharing"), "after the opposition the CT is hidden: the patient opposed sharing");
  await shot("9-patient-opposed");

  // --- French
  await page.locator("#language").selectOption("fr");
  await page.getByRole("heading", { name: /Patient DURAND Élise/ }).waitFor();
  check((await ctRow.textContent()).includes("masqué : le patient s'est opposé au partage"), "the page speaks French when chosen");


  // --- who accessed the images: the data-protection officer's report lists the emergency access, flagged
  const dpoPage = await newPage();
  await firstSignIn(dpoPage, await credentialsOf("dpd"), "Quiet-Harbour-Lantern-77");
  await dpoPage.getByRole("heading", { name: "Find a patient" }).waitFor();
  await dpoPage.locator("#ins").fill(patient.ins);
  await dpoPage.getByRole("button", { name: "Search" }).click();
  await dpoPage.getByRole("link", { name: "DURAND Élise" }).click();
  await dpoPage.getByRole("link", { name: "Who accessed the images" }).click();
  await dpoPage.getByRole("heading", { name: "Who accessed the images" }).waitFor();
  const emergencyRow = dpoPage.locator("#access-report tr.emergency").first();
  await emergencyRow.waitFor();
  check((await emergencyRow.textContent()).includes("emergency access (break the glass)") && (await emergencyRow.textContent()).includes("750000002"),
    "the DPO's report shows the OIDC physician's emergency access, flagged");
  check(await dpoPage.locator("#access-report tbody tr").filter({ hasText: "opened the images" }).count() > 0, "the report lists who opened the images");
  await shotOf(dpoPage, "10-access-report");

  // --- the establishment administrator adds an AE title: a refused host is explained, then the title is listed
  const adminPage = await newPage();
  await firstSignIn(adminPage, await credentialsOf("gestion"), "Green-Meadow-Compass-31");
  await adminPage.getByRole("heading", { name: /\(750000001\)/ }).waitFor();
  check(await adminPage.locator("#ae-titles tr[data-ae-title=STORESCU]").count() === 1, "the establishment administrator lands on the own establishment's AE titles");
  const unlabelled = await adminPage.evaluate(() => [...document.querySelectorAll("main input, main select, main textarea, main button")]
    .filter(e => !(e.labels?.length || e.getAttribute("aria-label") || (e.tagName === "BUTTON" && e.textContent.trim()))).map(e => e.id || e.outerHTML));
  check(unlabelled.length === 0, "every field and button of the administration page has a label" + (unlabelled.length ? ": " + unlabelled.join(", ") : ""));
  await adminPage.getByLabel("AE title", { exact: true }).fill("MAMMO_1");
  await adminPage.getByLabel("Host", { exact: true }).fill("not a host!");
  await adminPage.getByLabel("Port", { exact: true }).fill("11112");
  await adminPage.getByLabel("Store images").check();
  await adminPage.getByLabel("Query", { exact: true }).check();
  await adminPage.getByRole("button", { name: "Save AE title" }).click();
  await adminPage.locator("#ae-title-form").getByRole("alert").filter({ hasText: "host name or IP address" }).waitFor();
  check(await adminPage.locator("#ae-titles tr[data-ae-title=MAMMO_1]").count() === 0, "an invalid host is refused in plain words, nothing added");
  await adminPage.getByLabel("Host", { exact: true }).fill("127.0.0.1");
  await adminPage.getByRole("button", { name: "Save AE title" }).click();
  await adminPage.getByText("AE title MAMMO_1 added.").waitFor();
  const mammo = adminPage.locator("#ae-titles tr[data-ae-title=MAMMO_1]");
  check((await mammo.textContent()).includes("Store images, Query") && (await mammo.textContent()).includes("11112"), "the new AE title is listed with its permissions");
  await mammo.scrollIntoViewIfNeeded();
  await shotOf(adminPage, "11-admin-ae-title");
  // …and answers a patient of the establishment: who accessed the images, found by INS
  await adminPage.getByLabel("INS (national health identifier)").fill(patient.ins);
  await adminPage.getByRole("button", { name: "Show the report" }).click();
  await adminPage.getByRole("heading", { name: "Who accessed the images" }).waitFor();
  await adminPage.locator("#access-report tr.emergency").first().waitFor();
  check(true, "the administrator of the patient's establishment reads the same report, emergency access flagged");

  // --- the platform administrator verifies the audit chain
  const platformPage = await newPage();
  await firstSignIn(platformPage, await credentialsOf("admin"), "Silver-Canyon-Ledger-58");
  await platformPage.getByRole("heading", { name: "Administration" }).waitFor();
  // By keyboard only: the button takes the focus and Enter runs it.
  await platformPage.getByRole("button", { name: "Verify the audit chain" }).focus();
  await platformPage.keyboard.press("Enter");
  await platformPage.getByText(/The audit chain is intact: \d+ records checked/).waitFor();
  check(await platformPage.locator("#audit-result").getAttribute("data-intact") === "true", "the platform administrator verifies the audit chain (keyboard): intact");
  await shotOf(platformPage, "12-audit-verified");
  // …and finds the seeded establishments listed (GET /api/establishments), each opening its page
  const demo = platformPage.locator("#establishments tr[data-establishment='750000001']");
  await demo.waitFor();
  check(await platformPage.locator("#establishments tr[data-establishment='750000002']").filter({ hasText: "Clinique du Parc Lyon" }).count() === 1,
    "the platform administrator sees both seeded establishments in the list");
  await demo.getByRole("link").click();
  await platformPage.getByRole("heading", { name: /\(750000001\)/ }).waitFor();
  check(await platformPage.locator("#ae-titles tr[data-ae-title=STORESCU]").count() === 1, "a click on a listed establishment opens its page");

  // --- the token only ever travels in the Authorization header
  check(apiRequests.length > sliceCount && apiRequests.every(r => !/token|access_token/i.test(new URL(r.url).search)),
    "no API request carries a token in its URL");
  check(apiRequests.filter(r => !r.url.endsWith("/api/auth/token")).every(r => r.authorization?.startsWith("Bearer ")),
    "every API request carries the bearer token in its Authorization header");
  check(consoleErrors.length === 0, "no script error in the console" + (consoleErrors.length ? ": " + consoleErrors.join(" | ") : ""));
  writeFileSync(join(artifacts, "timings.txt"),
    `first image: ${stats.firstImageMs} ms\nwhole ${sliceCount}-slice stack: ${stats.stackMs} ms\n`);
  log(`passed; screenshots in ${artifacts}`);
} catch (error) {
  failed = true;
  console.error(error);
  // What each open page showed when it failed.
  for (const [n, open] of (browser?.contexts() ?? []).flatMap(c => c.pages()).entries()) {
    const path = join(artifacts, `failure-${n}.png`);
    await open.screenshot({ path }).catch(() => undefined);
    console.error(`--- page ${n} (${open.url()}), screenshot ${path}:\n` + (await open.locator("main").innerText().catch(() => "")).slice(0, 1500));
  }
  if (silo) console.error("--- silo log (last lines):\n" + siloLog.split("\n").slice(-25).join("\n"));
} finally {
  await browser?.close().catch(() => undefined);
  receiver?.kill("SIGTERM");
  await oidc?.close().catch(() => undefined);
  if (silo && silo.exitCode === null) {
    silo.kill("SIGTERM");
    await new Promise(r => { const t = setTimeout(() => { silo.kill("SIGKILL"); r(); }, 10_000); silo.on("exit", () => { clearTimeout(t); r(); }); });
  }
  if (!failed) rmSync(work, { recursive: true, force: true });
  else console.error("portal: files kept in " + work);
  log(failed ? "FAILED" : "done");
  process.exit(failed ? 1 : 0);
}
