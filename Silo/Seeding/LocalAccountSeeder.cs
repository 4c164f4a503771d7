using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security;

namespace Mirc.Silo.Seeding;

/// <summary>
/// Creates the local login accounts (password + TOTP) of seeded professionals that have a <c>Username</c>, so the
/// embedded default can be used right away. The password (given or generated) and the TOTP enrolment URI are printed
/// once on the console, never logged; the password must be replaced at first login. Existing accounts are untouched.
/// </summary>
public sealed partial class LocalAccountSeeder(IGrainFactory grains, IOptions<RegionSeedOptions> options, ILogger<LocalAccountSeeder> logger) : IHostedService
{
    /// <summary>Where the one-time credentials are written (the console).</summary>
    internal TextWriter Output { get; set; } = Console.Out;

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
            await Output.WriteLineAsync($"""
                ----------------------------------------------------------------------------
                 MIRC seed: local account created (shown once, not logged)
                   username:            {username}  (establishment {p.EstablishmentId}, roles {string.Join(',', p.Roles)})
                   {(generated ? "one-time password:   " + password : "password:            the configured InitialPassword")}
                   TOTP enrolment URI:  {enrolment.OtpAuthUri}
                 First login: POST /api/auth/token with username, password, totp and new_password.
                ----------------------------------------------------------------------------
                """.AsMemory(), cancellationToken);
            await Output.FlushAsync(cancellationToken);
        }
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Warning, Message = "Local account {Username} of establishment {EstablishmentId} seeded; its one-time credentials were printed on the console")]
    private partial void LogAccountSeeded(string username, string establishmentId);
}
