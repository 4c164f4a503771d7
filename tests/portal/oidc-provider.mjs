// A real OpenID Connect provider on loopback for the portal test (npm oidc-provider): one public client, the portal,
// with authorization code + PKCE; its access tokens are JWTs for the archive's audience (a resource indicator) carrying
// the claims the archive reads (establishment, role, rpps). Its development sign-in form accepts any login: the login
// typed becomes the subject. Consent is taken as given (a grant is made for every sign-in).
import { createRequire } from "node:module";
import { join } from "node:path";

export async function startProvider({ tools, port, portalOrigin, audience = "mirc-api", establishment, roles }) {
  const { default: Provider } = await import(createRequire(join(tools, "package.json")).resolve("oidc-provider"));
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: "mirc-portal", token_endpoint_auth_method: "none", application_type: "web",
      redirect_uris: [portalOrigin + "/"], grant_types: ["authorization_code"], response_types: ["code"],
    }],
    pkce: { required: () => true },
    clientBasedCORS: (ctx, origin) => origin === portalOrigin,
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== audience) throw new Error("unknown resource " + resource);
          return { scope: "mirc", audience, accessTokenFormat: "jwt", accessTokenTTL: 900, jwt: { sign: { alg: "RS256" } } };
        },
      },
    },
    async loadExistingGrant(ctx) {
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId: ctx.oidc.session.accountId });
      grant.addOIDCScope("openid");
      grant.addResourceScope(audience, "mirc");
      await grant.save();
      return grant;
    },
    findAccount: (ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
    extraTokenClaims: (ctx, token) => token.kind === "AccessToken"
      ? { establishment, role: roles, rpps: "10000000999", name: "Dr " + token.accountId }
      : undefined,
  });
  const server = provider.listen(port, "127.0.0.1");
  await new Promise((ok, ko) => server.once("listening", ok).once("error", ko));
  return { issuer: provider.issuer, close: () => new Promise(ok => server.close(() => ok())) };
}
