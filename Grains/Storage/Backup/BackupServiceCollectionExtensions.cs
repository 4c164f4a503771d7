using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mirc.Grains.Storage.Backup;

/// <summary>Registration of the silo's part in an online backup.</summary>
public static class BackupServiceCollectionExtensions
{
    /// <summary>
    /// In the embedded default, the <see cref="BackupSnapshotService"/> that answers <c>admin backup</c>'s requests for the
    /// SQLite snapshots; nothing in cluster mode (its stores keep their own backups).
    /// </summary>
    public static IServiceCollection AddMircBackupSnapshots(this IServiceCollection services, IConfiguration configuration)
    {
        if (DataFolderLayout.IsEmbedded(configuration))
        {
            var layout = DataFolderLayout.From(configuration);
            services.AddHostedService(sp => new BackupSnapshotService(layout, sp.GetRequiredService<ILogger<BackupSnapshotService>>()));
        }

        return services;
    }
}
