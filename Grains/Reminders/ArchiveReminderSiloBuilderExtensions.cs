using Microsoft.Extensions.DependencyInjection;
using Mirc.Grains.Storage.Blobs;

namespace Mirc.Grains.Reminders;

/// <summary>Registers the reminder service on the embedded default's durable <see cref="ArchiveReminderTable"/>.</summary>
public static class ArchiveReminderSiloBuilderExtensions
{
    /// <summary>Reminders kept in the archive blob store (requires <c>AddMircArchive</c>); one silo only.</summary>
    public static ISiloBuilder UseArchiveReminderTable(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable>(sp => new ArchiveReminderTable(sp.GetRequiredService<IBlobStore>(), sp.GetRequiredService<InstanceBlobLayout>()));
        return silo;
    }
}
