// Sign-in through the configured OpenID Connect provider: authorization code with PKCE (S256), public client.
// The verifier and state wait in sessionStorage during the round trip; the code comes back in the query of `/`, is
// exchanged at once and removed from the address bar. The access token (audience: the archive, asked for as a
// resource indicator) is kept like a local one.
import { ApiError, keepToken } from "./api.js";
import { t } from "./i18n.js";

export interface OidcSettings { authority: string; clientId: string; scope: string; resource: string | null }
interface Discovery { authorization_endpoint: string; token_endpoint: string }

const pendingKey = "mirc.oidc.pending";

export async function oidcSettings(): Promise<OidcSettings | null> {
  try {
    const response = await fetch("/portal/config.json", { cache: "no-store" });
    return response.ok ? ((await response.json()) as { oidc: OidcSettings | null }).oidc : null;
  } catch {
    return null;
  }
}

async function discover(settings: OidcSettings): Promise<Discovery> {
  try {
    const response = await fetch(settings.authority + "/.well-known/openid-configuration", { credentials: "omit" });
    if (response.ok) return await response.json() as Discovery;
  } catch { /* reported below */ }
  throw new ApiError(t("oidcUnreachable"), 0);
}

function randomText(bytes: number): string {
  return base64Url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function base64Url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function redirectUri(): string { return location.origin + "/"; }

/** Leaves for the provider's sign-in page. */
export async function startOidcSignIn(settings: OidcSettings): Promise<void> {
  const discovery = await discover(settings);
  const verifier = randomText(32), state = randomText(16);
  const challenge = base64Url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
  sessionStorage.setItem(pendingKey, JSON.stringify({ verifier, state, tokenEndpoint: discovery.token_endpoint, hash: location.hash }));
  const query = new URLSearchParams({
    response_type: "code", client_id: settings.clientId, redirect_uri: redirectUri(), scope: settings.scope,
    state, code_challenge: challenge, code_challenge_method: "S256",
  });
  if (settings.resource) query.set("resource", settings.resource);
  location.assign(discovery.authorization_endpoint + "?" + query.toString());
}

/** Back from the provider: exchanges the code. False when this page load is not a return from the provider. */
export async function completeOidcSignIn(settings: OidcSettings | null): Promise<boolean> {
  const query = new URLSearchParams(location.search);
  if (!query.has("code") && !query.has("error")) return false;
  const pending = JSON.parse(sessionStorage.getItem(pendingKey) ?? "null") as { verifier: string; state: string; tokenEndpoint: string; hash: string } | null;
  sessionStorage.removeItem(pendingKey);
  history.replaceState(null, "", "/" + (pending?.hash ?? ""));
  if (query.has("error")) throw new ApiError(t("oidcRefused", query.get("error_description") ?? query.get("error") ?? ""), 401);
  if (!settings || !pending || query.get("state") !== pending.state) throw new ApiError(t("oidcStale"), 401);
  let response: Response;
  try {
    response = await fetch(pending.tokenEndpoint, {
      method: "POST", credentials: "omit",
      body: new URLSearchParams({
        grant_type: "authorization_code", code: query.get("code") ?? "", redirect_uri: redirectUri(),
        client_id: settings.clientId, code_verifier: pending.verifier, ...(settings.resource ? { resource: settings.resource } : {}),
      }),
    });
  } catch {
    throw new ApiError(t("oidcUnreachable"), 0);
  }
  const json = await response.json().catch(() => ({})) as { access_token?: string; expires_in?: number; error_description?: string; error?: string };
  if (!response.ok || !json.access_token) throw new ApiError(t("oidcRefused", json.error_description ?? json.error ?? String(response.status)), response.status);
  keepToken(json.access_token, json.expires_in);
  return true;
}
