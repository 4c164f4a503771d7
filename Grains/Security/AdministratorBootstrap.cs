using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces;
using Mirc.Grains.Interfaces.Security;
using Mirc.Grains.Security.Secrets;

namespace Mirc.Grains.Security;

/// <summary>
/// First start of the embedded default: creates the platform administrator and writes its one-time password and
/// TOTP enrolment URI once to the <see cref="FirstStartCredentialsFile"/> (never to stdout or the logs). Later starts
/// find the account and write nothing.
/// </summary>
public sealed partial class AdministratorBootstrap(
    IGrainFactory grains,
    IHostApplicationLifetime lifetime,
    IOptions<LocalAccountOptions> options,
    FirstStartCredentialsFile credentials,
    ILogger<AdministratorBootstrap> logger) : BackgroundService
{
    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        if (!settings.BootstrapAdministrator)
        {
            return;
        }

        // Grain calls need a running silo: wait for the host to be started.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }

        for (var attempt = 1; attempt <= 10 && !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                await EnsureAdministratorAsync(settings, stoppingToken).ConfigureAwait(false);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogBootstrapFailed(logger, attempt, ex);
                await Task.Delay(TimeSpan.FromSeconds(attempt), stoppingToken).ConfigureAwait(false);
            }
        }
    }

    internal async Task EnsureAdministratorAsync(LocalAccountOptions settings, CancellationToken cancellationToken)
    {
        var username = settings.AdministratorUsername.Trim().ToLowerInvariant();
        var account = grains.Reference<ILocalAccountGrain>(username);
        if (await account.ExistsAsync().WaitAsync(cancellationToken).ConfigureAwait(false))
        {
            return;
        }

        var password = OneTimePassword.Generate();
        TotpEnrolment enrolment;
        try
        {
            enrolment = await account.CreateAsync(
                new LocalAccountProfile
                {
                    Username = username,
                    EstablishmentId = settings.AdministratorEstablishmentId,
                    Roles = MircRoles.PlatformAdmin,
                    DisplayName = "Platform administrator",
                },
                password,
                mustChangePassword: true).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return; // Another silo created it first.
        }

        LogAdministratorCreated(logger, username);
        await credentials.AppendAsync(username, $"""
            ============================================================================
             MIRC first start: administrator account created (shown once, not logged)
               username:            {username}
               one-time password:   {password}
               TOTP enrolment URI:  {enrolment.OtpAuthUri}
             Log in at POST /api/auth/token with username, password, totp and
             new_password: the one-time password must be replaced at first login.
            ============================================================================
            """, cancellationToken).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator account {Username} created")]
    private static partial void LogAdministratorCreated(ILogger logger, string username);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Administrator bootstrap attempt {Attempt} failed")]
    private static partial void LogBootstrapFailed(ILogger logger, int attempt, Exception exception);
}
