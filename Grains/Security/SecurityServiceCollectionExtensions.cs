using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Mirc.Grains.Audit;
using Mirc.Grains.Audit.Atna;
using Mirc.Grains.Audit.Store;
using Mirc.Grains.Consent;
using Mirc.Grains.Establishments;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Security.Secrets;

namespace Mirc.Grains.Security;

/// <summary>Registration of the security layer (authorization, consent, accounts, audit trail).</summary>
public static class SecurityServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IAccessControl"/>, <see cref="IAuditTrail"/> (+ its store, group-commit writer and ATNA export),
    /// <see cref="IDimseIdentityValidator"/>, options (<c>Mirc:Auth</c>, <c>Mirc:Security</c>, <c>Mirc:Consent</c>,
    /// <c>Mirc:Audit</c>, validated at start-up) and the first-start administrator. Idempotent. Call it on the silo's
    /// services after <c>UseOrleans</c>, so the audit writer stops (and flushes) before the silo.
    /// </summary>
    public static IServiceCollection AddMircSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        if (services.Any(d => d.ServiceType == typeof(SecurityMarker)))
        {
            return services;
        }

        services.AddSingleton<SecurityMarker>();
        services.AddMircDataProtection(configuration);
        services.TryAddSingleton<TotpSecretProtector>();
        services.AddOptions<FirstStartCredentialsOptions>()
            .Configure(o => o.Path ??= FirstStartCredentialsFile.DefaultPath(configuration));
        services.TryAddSingleton<FirstStartCredentialsFile>();
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SecurityClock(sp.GetRequiredService<TimeProvider>()));

        services.AddOptions<LocalAccountOptions>().Bind(configuration.GetSection(LocalAccountOptions.Section))
            .ValidateAnnotations(LocalAccountOptions.Section)
            .Validate(
                o => o.Lockout is not null && o.Lockout.MaxFailedAttempts is >= 1 and <= 100
                    && o.Lockout.Duration > TimeSpan.Zero && o.Lockout.Duration <= TimeSpan.FromDays(1),
                "Mirc:Auth:Lockout: MaxFailedAttempts 1-100, Duration up to 1 day")
            .ValidateOnStart();
        services.AddOptions<CareRelationshipOptions>().Bind(configuration.GetSection(CareRelationshipOptions.Section))
            .ValidateAnnotations(CareRelationshipOptions.Section).ValidateOnStart();
        services.AddOptions<ConsentOptions>().Bind(configuration.GetSection(ConsentOptions.Section))
            .Validate(o => Enum.IsDefined(o.Policy), "Mirc:Consent:Policy must be OptOut or OptIn").ValidateOnStart();
        services.AddOptions<AuditOptions>().Bind(configuration.GetSection(AuditOptions.Section))
            .ValidateAnnotations(AuditOptions.Section)
            .Validate(
                o => o.Syslog is not null && (!o.Syslog.IsEnabled || (o.Syslog.Port is > 0 and < 65536 && !string.IsNullOrWhiteSpace(o.Syslog.AppName))),
                "Mirc:Audit:Syslog: Port 1-65535 and AppName required when Host is set")
            .ValidateOnStart();

        services.TryAddSingleton<IAccessControl, AccessControl>();
        services.TryAddSingleton<IAuditStore>(_ => AuditStoreFactory.Create(configuration));
        services.TryAddSingleton<LegacyAuditImporter>();
        services.TryAddSingleton<AuditTrail>();
        services.TryAddSingleton<IAuditTrail>(sp => sp.GetRequiredService<AuditTrail>());
        services.TryAddSingleton<IAtnaSink, SyslogAtnaSink>();
        services.TryAddSingleton<AuditPatientResolver>();
        services.AddHostedService<AuditTrailWriter>();
        services.TryAddSingleton<AeTitleResolver>();
        services.TryAddSingleton<IAeTitleDirectory, AeTitleRegistryDirectory>();
        services.TryAddSingleton<IDimseIdentityValidator, DimseIdentityValidator>();
        services.AddSingleton<IHostedService, AdministratorBootstrap>();
        return services;
    }

    /// <summary>Makes <see cref="AddMircSecurity"/> idempotent.</summary>
    private sealed class SecurityMarker;
}
