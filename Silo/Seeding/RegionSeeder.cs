using System.Text.Json;
using Microsoft.Extensions.Options;
using Mirc.Grains.Interfaces.Audit;
using Mirc.Grains.Interfaces.Establishments;
using Mirc.Grains.Interfaces.Professionals;

namespace Mirc.Silo.Seeding;

/// <summary>Creates the seeded establishments, AE titles and professionals that do not exist yet, once the silo is up.</summary>
public sealed partial class RegionSeeder(
    IGrainFactory grains, IOptions<RegionSeedOptions> options, IAuditTrail audit, TimeProvider time, ILogger<RegionSeeder> logger) : IHostedService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var seed = options.Value;
        foreach (var e in seed.Establishments)
        {
            var grain = grains.GetGrain<IEstablishmentGrain>(e.Id);
            var existing = await grain.GetAsync();
            if (existing is null)
            {
                await grain.SaveAsync(new EstablishmentProfile
                {
                    EstablishmentId = e.Id,
                    Name = e.Name,
                    RetentionYears = e.RetentionYears,
                    Sharing = e.Sharing,
                });
                LogEstablishmentSeeded(e.Id, e.Name);
                await RecordAsync($"seed: establishment {e.Id} created", new { e.Name, e.RetentionYears, e.Sharing }, cancellationToken);
            }

            foreach (var ae in e.AeTitles)
            {
                if (existing?.AeTitles.Any(a => a.AeTitle == ae.AeTitle) == true)
                {
                    continue;
                }

                var entry = new AeTitleEntry(ae.AeTitle, ae.Host, ae.Port, ae.Permissions, ae.Networks.Count > 0 ? [.. ae.Networks] : null,
                    string.IsNullOrWhiteSpace(ae.ClientCertificate) ? null : ae.ClientCertificate.Trim(), ae.Tls);
                await grain.SetAeTitleAsync(entry);
                LogAeTitleSeeded(ae.AeTitle, e.Id);
                await RecordAsync($"seed: establishment {e.Id} AE title {ae.AeTitle}", entry, cancellationToken);
            }
        }

        for (var i = 0; i < seed.Professionals.Count; i++)
        {
            var p = seed.Professionals[i];
            var grain = grains.GetGrain<IProfessionalGrain>(p.Id);
            if (await grain.GetAsync() is not null)
            {
                continue;
            }

            // Checked before anything is saved: a professional saved without its membership would be skipped at every
            // later start and never become a member.
            if (p.EstablishmentId is not null && await grains.GetGrain<IEstablishmentGrain>(p.EstablishmentId).GetAsync() is null)
            {
                throw new OptionsValidationException(RegionSeedOptions.Section, typeof(RegionSeedOptions),
                [
                    $"{RegionSeedOptions.Section}:Professionals:{i}:EstablishmentId ({p.Id}) names establishment {p.EstablishmentId}, which is "
                    + $"neither in {RegionSeedOptions.Section}:Establishments nor registered (seed lists merge index by index across appsettings.json, "
                    + "appsettings.demo.json and the environment: overriding an establishment's entry leaves the professionals that name it "
                    + $"unchanged) — set {RegionSeedOptions.Section}:Professionals:{i}:EstablishmentId as well, or seed that establishment",
                ]);
            }

            var profile = new ProfessionalProfile
            {
                ProfessionalId = p.Id,
                Name = p.Name,
                EstablishmentId = p.EstablishmentId,
                Roles = p.Roles,
            };
            await grain.SaveAsync(profile);
            await RecordAsync($"seed: professional {p.Id}", profile, cancellationToken);
            if (p.EstablishmentId is not null)
            {
                await grains.GetGrain<IEstablishmentGrain>(p.EstablishmentId).SetMemberAsync(new EstablishmentMember(p.Id, p.Roles));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    // Seeding is administration by the platform's own configuration: audited like a change made over the API.
    private ValueTask RecordAsync(string subject, object after, CancellationToken cancellationToken) =>
        audit.RecordAsync(new AuditEvent
        {
            Timestamp = time.GetUtcNow(),
            Action = AuditAction.Administration,
            Outcome = AuditOutcome.Success,
            ActorId = "system:seed",
            Source = "configuration Mirc:Seed",
            Detail = $"{subject}: before none after {JsonSerializer.Serialize(after, Json)}",
        }, cancellationToken);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded establishment {EstablishmentId} ({Name})")]
    private partial void LogEstablishmentSeeded(string establishmentId, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded AE title {AeTitle} for establishment {EstablishmentId}")]
    private partial void LogAeTitleSeeded(string aeTitle, string establishmentId);
}
