using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Mirc.Api.Access;
using Mirc.Api.Hosting;
using Mirc.Api.Tests.Shares;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Silo.Hosting;
using Xunit;

namespace Mirc.Api.Tests.Hosting;

/// <summary>Secure by default in code: missing settings never open access, missing security services stop start-up.</summary>
public sealed class FailClosedCompositionTests
{
    [Fact]
    public void Empty_configuration_binds_the_safe_values()
    {
        var empty = new ConfigurationBuilder().Build();
        Assert.True((empty.GetSection(MircApiOptions.Section).Get<MircApiOptions>() ?? new MircApiOptions()).RequireAuthorization);
        Assert.True(new MircApiOptions().RequireAuthorization);
        Assert.False(new DashboardAccessOptions().AllowAnonymousLoopback);
        Assert.False(new Mirc.Grains.Dimse.DicomListenerOptions().AcceptAnyCalledAe);
        Assert.True(new Mirc.Api.Authentication.MircAuthOptions().RequireHttpsMetadata);
        Assert.Empty(new MircApiOptions().Cors.AllowedOrigins);
    }

    [Fact]
    public void Api_without_an_access_policy_does_not_start()
    {
        var app = Compose(services => services.AddSingleton<IAuditTrail>(new RecordingAuditTrail()));
        var error = Assert.Throws<InvalidOperationException>(() => app.MapMircApi());
        Assert.Contains("IDicomWebAccessPolicy", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_without_an_audit_trail_does_not_start()
    {
        var app = Compose(services => services.AddSingleton<IDicomWebAccessPolicy>(new SelectiveAccessPolicy()));
        var error = Assert.Throws<InvalidOperationException>(() => app.MapMircApi());
        Assert.Contains("IAuditTrail", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Api_with_both_maps_its_routes()
    {
        var app = Compose(services =>
        {
            services.AddSingleton<IAuditTrail>(new RecordingAuditTrail());
            services.AddSingleton<IDicomWebAccessPolicy>(new SelectiveAccessPolicy());
            services.AddAuthorization();
        });
        Assert.NotNull(app.MapMircApi());
    }

    [Fact]
    public void Each_relaxed_setting_gets_its_own_warning()
    {
        var data = Directory.CreateTempSubdirectory("mirc-relaxed-");
        try
        {
            var safe = Warnings(new Dictionary<string, string?> { ["Mirc:DataPath"] = data.FullName }, new SelectiveAccessPolicy());
            Assert.Empty(safe.Relaxed());

            var relaxed = Warnings(new Dictionary<string, string?>
            {
                ["Mirc:Dashboard:AllowAnonymousLoopback"] = "true",
                ["Mirc:DataPath"] = data.FullName,
            }, new ArchiveWideAccessPolicy(Microsoft.Extensions.Options.Options.Create(new MircApiOptions())),
                api: new MircApiOptions { RequireAuthorization = false, Cors = new() { AllowedOrigins = ["*"] } },
                auth: new Mirc.Api.Authentication.MircAuthOptions { RequireHttpsMetadata = false },
                dicom: new Mirc.Grains.Dimse.DicomListenerOptions { AcceptAnyCalledAe = true },
                dicomTls: new Mirc.Grains.Dimse.DicomTlsOptions { RequireForRemotePeers = false });
            var lines = relaxed.Relaxed();
            Assert.Equal(7, lines.Count);
            Assert.Contains(lines, l => l.StartsWith("Mirc:Dicom:Tls:RequireForRemotePeers=false", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Mirc:Api:RequireAuthorization=false", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("anonymous archive-wide access policy", StringComparison.Ordinal));
            Assert.Contains(lines, l => l.StartsWith("Mirc:Dashboard:AllowAnonymousLoopback=true", StringComparison.Ordinal));
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    [Fact]
    public void A_data_folder_other_accounts_may_enter_is_named_with_its_mode_and_one_left_to_its_owner_is_not()
    {
        var data = Directory.CreateTempSubdirectory("mirc-shared-");
        try
        {
            var settings = new Dictionary<string, string?> { ["Mirc:DataPath"] = data.FullName };
            if (OperatingSystem.IsWindows())
            {
                Assert.Empty(Warnings(settings, new SelectiveAccessPolicy()).Relaxed());
                return;
            }

            // What the default umask gives a folder made by hand or by a version before owner-only folders.
            File.SetUnixFileMode(data.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            var shared = Assert.Single(Warnings(settings, new SelectiveAccessPolicy()).Relaxed());
            Assert.Equal($"data folder {data.FullName} has mode 0755: other local accounts may read its patient data (chmod 700 it unless shared on purpose)", shared);

            // Group access alone (a backup account's group) is named too; the mode is said, never changed.
            File.SetUnixFileMode(data.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute);
            Assert.Contains("has mode 0750", Assert.Single(Warnings(settings, new SelectiveAccessPolicy()).Relaxed()), StringComparison.Ordinal);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute,
                File.GetUnixFileMode(data.FullName));

            Mirc.Grains.Security.Secrets.OwnerOnlyFolder.Enforce(data.FullName);
            Assert.Empty(Warnings(settings, new SelectiveAccessPolicy()).Relaxed());

            // Cluster mode keeps only scratch files there: nothing to say.
            File.SetUnixFileMode(data.FullName, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
            settings["Mirc:Index:Provider"] = "Postgres";
            Assert.Empty(Warnings(settings, new SelectiveAccessPolicy()).Relaxed());
        }
        finally
        {
            data.Delete(recursive: true);
        }
    }

    private static RelaxedSecurityWarnings Warnings(Dictionary<string, string?> settings, IDicomWebAccessPolicy policy,
        MircApiOptions? api = null, Mirc.Api.Authentication.MircAuthOptions? auth = null, Mirc.Grains.Dimse.DicomListenerOptions? dicom = null,
        Mirc.Grains.Dimse.DicomTlsOptions? dicomTls = null) =>
        new(Microsoft.Extensions.Options.Options.Create(api ?? new MircApiOptions()),
            Microsoft.Extensions.Options.Options.Create(auth ?? new Mirc.Api.Authentication.MircAuthOptions()),
            Microsoft.Extensions.Options.Options.Create(dicom ?? new Mirc.Grains.Dimse.DicomListenerOptions()),
            Microsoft.Extensions.Options.Options.Create(dicomTls ?? new Mirc.Grains.Dimse.DicomTlsOptions()),
            new ConfigurationBuilder().AddInMemoryCollection(settings).Build(),
            policy,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<RelaxedSecurityWarnings>.Instance);

    private static WebApplication Compose(Action<IServiceCollection> register)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.Services.AddMircApi(builder.Configuration);
        register(builder.Services);
        return builder.Build();
    }
}
