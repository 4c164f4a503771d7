// Calls to the archive's API. The bearer token lives in this tab's sessionStorage (gone when the tab closes) and is
// only ever sent in the Authorization header — never in a URL, so it cannot leak into logs or the history.
import { t } from "./i18n.js";

export interface Me { subject: string; rpps?: string; establishmentId: string; roles: string[]; authenticationMethod?: string }

const tokenKey = "mirc.token";

export function token(): string | null {
  const stored = sessionStorage.getItem(tokenKey);
  if (!stored) return null;
  const { value, expires } = JSON.parse(stored) as { value: string; expires: number };
  if (Date.now() >= expires) { sessionStorage.removeItem(tokenKey); return null; }
  return value;
}

export function forget(): void { sessionStorage.removeItem(tokenKey); }

/** An API failure, with a message in plain words for the reader. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly code?: string) { super(message); }
}

/** Called when a request finds the session over (401): the app shows the sign-in page. */
export let onSessionEnded: () => void = () => {};
export function setSessionEndedHandler(handler: () => void): void { onSessionEnded = handler; }

export interface LoginRequest { username: string; password: string; totp: string; newPassword?: string }

export async function login(request: LoginRequest): Promise<void> {
  const body = new URLSearchParams({ grant_type: "password", username: request.username, password: request.password, totp: request.totp });
  if (request.newPassword) body.set("new_password", request.newPassword);
  const response = await send("/api/auth/token", { method: "POST", body });
  const json = await response.json() as { access_token?: string; expires_in?: number; error?: string; error_description?: string };
  if (!response.ok || !json.access_token) {
    const code = json.error ?? "invalid_grant";
    const key = code === "password_change_required" ? "passwordChangeRequired" : code === "invalid_new_password" ? "invalidNewPassword" : "invalidGrant";
    throw new ApiError(code === "invalid_request" && json.error_description ? json.error_description : t(key), response.status, code);
  }
  keepToken(json.access_token, json.expires_in);
}

/** Keeps an access token for this tab, forgotten a minute before the archive would refuse it. */
export function keepToken(value: string, expiresIn: number | undefined): void {
  const expires = Date.now() + Math.max(60, (expiresIn ?? 900) - 60) * 1000;
  sessionStorage.setItem(tokenKey, JSON.stringify({ value, expires }));
}

async function send(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, { ...init, credentials: "omit", cache: "no-store" });
  } catch {
    throw new ApiError(t("networkError"), 0);
  }
}

/** An authenticated request; failures become an ApiError carrying the problem's words. */
export async function request(url: string, init: RequestInit = {}, accept = "application/json"): Promise<Response> {
  const bearer = token();
  if (!bearer) { onSessionEnded(); throw new ApiError(t("sessionExpired"), 401); }
  const headers = new Headers(init.headers);
  headers.set("Authorization", "Bearer " + bearer);
  headers.set("Accept", accept);
  const response = await send(url, { ...init, headers });
  if (response.ok) return response;
  if (response.status === 401) { forget(); onSessionEnded(); throw new ApiError(t("sessionExpired"), 401); }
  throw new ApiError(await problemText(response), response.status);
}

/** The words of a problem-details body: its detail, then each field's error. */
async function problemText(response: Response): Promise<string> {
  try {
    const problem = await response.json() as { title?: string; detail?: string; errors?: Record<string, string[]> };
    const parts = [problem.detail ?? (response.status === 403 ? t("forbidden") : problem.title ?? "")];
    for (const messages of Object.values(problem.errors ?? {})) parts.push(...messages);
    return parts.filter(p => p).join(" ") || `HTTP ${response.status}`;
  } catch {
    return response.status === 403 ? t("forbidden") : `HTTP ${response.status}`;
  }
}

export async function getJson<T>(url: string): Promise<T> {
  return await (await request(url)).json() as T;
}

export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await request(url, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return response.status === 204 ? undefined as T : await response.json() as T;
}

/** PUT with a JSON body; the answer's JSON (null for 204). */
export async function putJson<T>(url: string, body: unknown): Promise<T> {
  const response = await request(url, { method: "PUT", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  return response.status === 204 ? null as T : await response.json() as T;
}

export async function remove(url: string): Promise<void> {
  await request(url, { method: "DELETE" });
}

export async function dicomJson<T>(url: string): Promise<T> {
  const response = await request(url, {}, "application/dicom+json");
  return response.status === 204 ? [] as T : await response.json() as T;
}

/** An image fetched with the token (an img element cannot send headers), as a blob. */
export async function image(url: string, signal?: AbortSignal): Promise<Blob> {
  return await (await request(url, { signal }, "image/jpeg")).blob();
}

