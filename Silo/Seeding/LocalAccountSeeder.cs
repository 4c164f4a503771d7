using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;
using Mirc.Grains.Security.Secrets;

namespace Mirc.Silo.Seeding;

/// <summary>
/// Creates the local login accounts (password + TOTP) of seeded professionals that have a <c>Username</c>, so the
/// embedded default can be used right away. The password (given or generated) and the TOTP enrolment URI are written
/// once to the <see cref="FirstStartCredentialsFile"/> (0600), never to stdout or the logs; the password must be
/// replaced at first login. Existing accounts are untouched.
/// </summary>
public sealed partial class LocalAccountSeeder(IGrainFactory grains, IOptions<RegionSeedOptions> options, FirstStartCredentialsFile credentials,
    ILogger<LocalAccountSeeder> logger) : IHostedService
{
    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        foreach (var p in options.Value.Professionals)
        {
            if (string.IsNullOrWhiteSpace(p.Username) || string.IsNullOrWhiteSpace(p.EstablishmentId))
            {
                continue;
            }

            var username = p.Username.Trim().ToLowerInvariant();
            var account = grains.GetGrain<ILocalAccountGrain>(username);
            if (await account.ExistsAsync().WaitAsync(cancellationToken))
            {
                continue;
            }

            var generated = string.IsNullOrEmpty(p.InitialPassword);
            var password = generated ? OneTimePassword.Generate() : p.InitialPassword!;
            TotpEnrolment enrolment;
            try
            {
                enrolment = await account.CreateAsync(
                    new LocalAccountProfile
                    {
                        Username = username,
                        EstablishmentId = p.EstablishmentId,
                        Roles = MircRoleNames.Parse(p.Roles),
                        Rpps = p.Id,
                        DisplayName = string.IsNullOrWhiteSpace(p.Name) ? null : p.Name,
                    },
                    password,
                    mustChangePassword: true).WaitAsync(cancellationToken);
            }
            catch (InvalidOperationException)
            {
                continue; // Another silo created it first.
            }

            LogAccountSeeded(username, p.EstablishmentId);
            await credentials.AppendAsync(username, $"""
                ----------------------------------------------------------------------------
                 MIRC seed: local account created (shown once, not logged)
                   username:            {username}  (establishment {p.EstablishmentId}, roles {string.Join(',', p.Roles)})
                   {(generated ? "one-time password:   " + password : "password:            the configured InitialPassword")}
                   TOTP enrolment URI:  {enrolment.OtpAuthUri}
                 First login: POST /api/auth/token with username, password, totp and new_password.
                ----------------------------------------------------------------------------
                """, cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local account {Username} of establishment {EstablishmentId} seeded")]
    private partial void LogAccountSeeded(string username, string establishmentId);
}
